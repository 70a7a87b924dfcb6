/*
 * Internal header of the Win32 backend. Only src/win32/*.c include it.
 * Every wrapper wraps one API, converts UTF-8 <-> UTF-16 here and nowhere else,
 * and reports failure through rdls_err via w32_fail (status.c).
 */
#ifndef RDLS_W32_H
#define RDLS_W32_H

#include <windows.h>

#include "rdls/sys.h"

struct w32_helper; /* cred.c / helper.c: the NETWORK SERVICE helper of this run */

struct w32_ctx {
	bool com_ready;           /* COM initialised (only when a WMI op was called) */
	void *wbem_services;      /* IWbemServices* for root\cimv2, lazily connected */
	struct w32_helper *helper; /* started on the first credential op, stopped at free */
	HANDLE lock;              /* the system-wide apply/rollback mutex */
};

/* status.c: fills err from a Win32 error code / HRESULT with FormatMessageW text. */
int w32_fail(rdls_err *err, const char *api, const char *object, DWORD code);

/* utf.c: malloc'd conversions; NULL on failure (invalid input or out of memory). */
wchar_t *w32_wide(const char *utf8);
char *w32_utf8(const wchar_t *wide);

/* sys_win32.c */
struct rdls_sys rdls_sys_win32_new(void);
void rdls_sys_win32_free(struct rdls_sys *sys);

/* cred.c (credential ops, through the helper of helper.c) */
int w32_cred_get(void *ctx, const char *target, rdls_cred *out, rdls_err *err);
int w32_cred_put(void *ctx, const char *target, const char *user, const rdls_secret *pw,
		 const char *check, rdls_err *err);
int w32_cred_del(void *ctx, const char *target, rdls_err *err);
/* Stops and deletes this run's helper service, if one was started. */
void w32_helper_shutdown(struct w32_ctx *ctx);
/* Deletes helper services left behind by crashed runs. */
void w32_helper_sweep(void);

#endif
