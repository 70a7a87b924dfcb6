/*
 * The pipe protocol between rdlsctl (cred.c, helper_client.c) and its NETWORK
 * SERVICE credential helper (helper_service.c), implemented in helper_proto.c.
 * Internal to the Win32 backend; both ends are the same executable, so the format
 * needs no versioning.
 *
 * A message is a little-endian u32 body length, then the body (at most
 * HP_MSG_MAX bytes). A body is a sequence of fields:
 *   u32    4 bytes, little-endian
 *   wstr   u32 count of UTF-16 code units, then the units (no terminator)
 *   bytes  u32 count, then the bytes
 *
 * Requests: u32 op, then
 *   HP_GET   wstr target
 *   HP_PUT   wstr target, wstr user, wstr password, bytes check
 *   HP_DEL   wstr target
 *   HP_QUIT  nothing
 * Responses: u32 code (a Win32 error code, 0 on success), wstr api (the API that
 * returned code; empty on success); HP_GET adds
 *   u32 present, u32 type, u32 persist, wstr user, bytes check
 *
 * Only HP_PUT carries the secret. Every buffer that held one is wiped before it
 * is freed: hp_buf never realloc()s (which could leave a copy behind) and
 * hp_buf_release always wipes.
 */
#ifndef RDLS_W32_HELPER_PROTO_H
#define RDLS_W32_HELPER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/regpaths.h"
#include "win32/w32.h"

enum hp_op {
	HP_GET = 1,
	HP_PUT = 2,
	HP_DEL = 3,
	HP_QUIT = 4,
};

#define HP_MSG_MAX 16384u
#define HP_WSTR_MAX 2048u /* code units; far above every credential field limit */

/*
 * The command line of the helper service:
 *   "<private copy>" HP_FLAG <pipe> <pid of rdlsctl> <its creation time, 16 hex digits>
 * (the creation time tells a live owner from a reused process id; helpers of older
 * versions have no such field).
 */
#define HP_FLAG "--rdlsctl-credential-helper"
#define HP_SERVICE_PREFIX L"rdlsctl-helper-"
#define HP_PIPE_PREFIX L"\\\\.\\pipe\\rdlsctl-"

/* The attribute of rdlsctl's own credentials that holds the check string
 * (cred_check.h). Microsoft asks for keywords of the form <Company>_<Name>. */
#define HP_CHECK_KEYWORD L"rdlsctl_check"

/* How long one request or response may take on the pipe, either way. */
#define HP_CALL_TIMEOUT_MS 30000u

/* A growable byte buffer for one message; `pos` is the read cursor. */
struct hp_buf {
	unsigned char *p;
	size_t len, cap, pos;
	bool bad; /* an append failed (out of memory) or a read ran past the end */
};

void hp_buf_release(struct hp_buf *b); /* wipes, frees, and zeroes *b */
void hp_put_u32(struct hp_buf *b, uint32_t v);
void hp_put_wstr(struct hp_buf *b, const wchar_t *s, size_t n);
void hp_put_bytes(struct hp_buf *b, const void *data, size_t n);
bool hp_get_u32(struct hp_buf *b, uint32_t *v);
/* A malloc'd, NUL-terminated copy in *s (n units without the terminator). */
bool hp_get_wstr(struct hp_buf *b, wchar_t **s, size_t *n);
/* *data points into the buffer; valid until the buffer is released. */
bool hp_get_bytes(struct hp_buf *b, const unsigned char **data, size_t *n);

/*
 * Send or receive one whole message (length, then body) on an overlapped pipe
 * handle, with ev as the transfer's event, waiting at most timeout_ms in all
 * (INFINITE: no limit) and giving up when `stop` (optional) is signalled. Return
 * a Win32 error code: WAIT_TIMEOUT on timeout, ERROR_OPERATION_ABORTED on stop,
 * ERROR_BROKEN_PIPE when the other end went away, ERROR_INVALID_DATA for a length
 * above HP_MSG_MAX. hp_msg_recv releases *msg first.
 */
DWORD hp_msg_send(HANDLE pipe, HANDLE ev, HANDLE stop, struct hp_buf *msg, DWORD timeout_ms);
DWORD hp_msg_recv(HANDLE pipe, HANDLE ev, HANDLE stop, struct hp_buf *msg, DWORD timeout_ms);

/*
 * helper_client.c: sends the request `req` to this run's helper, starting the helper service on
 * the first call, and reads its response into `resp` (released by the caller).
 * A transport failure stops and deletes the helper and fills err; the next call
 * starts a new one.
 */
int w32_helper_call(struct w32_ctx *ctx, struct hp_buf *req, struct hp_buf *resp,
		    rdls_err *err);

/* The code the helper answers HP_PUT with when CredGetSessionTypes says that this
 * computer stores no domain-password credentials (CRED_PERSIST_NONE); its api field
 * is "CredGetSessionTypes". cred.c turns it into the policy's name. */
#define HP_NO_CRED_STORAGE ERROR_ACCESS_DISABLED_BY_POLICY
#define HP_NO_CRED_STORAGE_TEXT                                                                  \
	"credential storage is not allowed on this computer (policy 'Network access: Do not "     \
	"allow storage of passwords and credentials for network authentication', "                \
	"HKLM\\" RDLS_KEY_LSA " DisableDomainCreds)"

/* The rdlsctl process that owns a helper: its id and creation time (FILETIME). */
struct hp_owner {
	DWORD pid;
	uint64_t created; /* 0: unknown (a helper of an older version) */
};

/* helper_copy.c */
bool hp_on_wine(void);
int hp_self(struct hp_owner *o, rdls_err *err);
/* True unless the owner is known to be gone (an owner that cannot be asked is alive). */
bool hp_owner_alive(const struct hp_owner *o);
/* pid: decimal (ending at NUL, '-' or ' '); created: 16 hex digits or NULL. */
bool hp_owner_parse(const char *pid, const char *created, struct hp_owner *o);
/* "<pid> <created, 16 hex digits>", as on the helper's command line. */
void hp_owner_format(const struct hp_owner *o, char *buf, size_t n);

/* The private copy of this executable a helper runs from (helper_copy.c). */
struct hc_copy {
	wchar_t *dir; /* %ProgramData%\rdlsctl\helper\<pid>-<created>-<random> */
	wchar_t *exe; /* dir\rdlsctl.exe (under Wine: rdlsctl.exe.so) */
	HANDLE top, helper, leaf; /* the folders, held open without FILE_SHARE_DELETE */
	HANDLE file;              /* the copy, held open without write or delete sharing */
	bool made_dir, made_file; /* still to be removed */
};
/* rnd: 16 hex digits. On failure nothing is left behind. */
int hc_copy_create(struct hc_copy *c, const struct hp_owner *self, const char *rnd,
		   rdls_err *err);
/* Closes, deletes the copy (waiting up to 5 s for its image to be unmapped) and its
 * folder; what cannot be deleted is left to the next sweep. */
void hc_copy_remove(struct hc_copy *c);
/* Deletes copies whose owner is gone. */
void hc_copy_sweep(void);

#endif
