/*
 * Internal header of the Win32 backend. Only the sources in src/win32/ include it.
 * Every wrapper wraps one API, converts UTF-8 <-> UTF-16 here and nowhere else,
 * and reports failure through rdls_err via w32_fail (status.c).
 *
 * The same sources build with mingw-w64 / MSVC (a real Windows program) and with
 * winegcc in its default mode (-fshort-wchar; an ELF .exe.so on glibc). In the
 * latter, __WINE__ is defined and the C library is glibc: its wide-character
 * functions (wcslen, _wfopen, _wgetenv) are unusable on 16-bit wchar_t, so the
 * backend uses only Win32 string functions (lstrlenW, CompareStringOrdinal).
 */
#ifndef RDLS_W32_H
#define RDLS_W32_H

/* Lean: no winsock.h, which does not compile under winegcc with the Makefile's
 * -D_POSIX_C_SOURCE (glibc then hides u_short); each source includes what it uses. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "rdls/sys.h"

struct w32_helper; /* cred.c / helper_client.c: the NETWORK SERVICE helper of this run */

struct w32_ctx {
	bool com_ready;           /* COM initialised (only when a WMI op was called) */
	bool com_uninit;          /* CoInitializeEx succeeded: CoUninitialize at free */
	void *wbem_services;      /* IWbemServices* for root\cimv2, lazily connected */
	struct w32_helper *helper; /* started on the first credential op, stopped at free */
	HANDLE lock;              /* the system-wide apply/rollback mutex */
	HANDLE lock_ns;           /* its private namespace (ClosePrivateNamespace at release) */
	HANDLE lock_bd;           /* the namespace's boundary descriptor */
	HANDLE lock_file;         /* fallback without private namespaces: the lock file */
};

/* The mutex behind lock_acquire; one per machine, across sessions. */
#define W32_LOCK_NAME L"Global\\rdlsctl-apply"

/* status.c: fills err from a Win32 error code / HRESULT with FormatMessageW text.
 * Always returns -1. */
int w32_fail(rdls_err *err, const char *api, const char *object, DWORD code);
/* Same, for a code the system has no message for (a WMI method's ReturnValue):
 * `text` is rdlsctl's own explanation. Always returns -1. */
int w32_fail_text(rdls_err *err, const char *api, const char *object, DWORD code,
		  const char *text);

/* utf.c: malloc'd conversions; NULL on failure (invalid input or out of memory).
 * Callers holding a secret wipe the result (w32_wipe_wide) before free. */
wchar_t *w32_wide(const char *utf8);
char *w32_utf8(const wchar_t *wide);
/* Counted forms: convert exactly n units (embedded NULs included) and append one
 * terminator; *out_n (optional) receives the length without it. */
wchar_t *w32_wide_n(const char *utf8, size_t n, size_t *out_n);
char *w32_utf8_n(const wchar_t *wide, size_t n, size_t *out_n);
/* SecureZeroMemory of a NUL-terminated wide string, then free. NULL is fine. */
void w32_free_wide_secret(wchar_t *w);

/* netapi.c (local accounts, netapi32 and LookupAccountNameW) */
int w32_user_get(void *ctx, const char *user, bool *exists, rdls_err *err);
int w32_user_add(void *ctx, const char *user, const rdls_secret *password, rdls_err *err);
int w32_user_del(void *ctx, const char *user, rdls_err *err);
int w32_group_get(void *ctx, const char *group, bool *exists, rdls_err *err);
int w32_group_add(void *ctx, const char *group, const char *comment, rdls_err *err);
int w32_group_del(void *ctx, const char *group, rdls_err *err);
int w32_member_get(void *ctx, const char *group, const char *member, bool *is_member,
		   rdls_err *err);
int w32_member_add(void *ctx, const char *group, const char *member, rdls_err *err);
int w32_member_del(void *ctx, const char *group, const char *member, rdls_err *err);
int w32_account_lookup(void *ctx, const char *name, enum rdls_sid_use *use, rdls_err *err);
int w32_user_set_password(void *ctx, const char *user, const rdls_secret *pw, rdls_err *err);

/* registry.c (HKEY_LOCAL_MACHINE, 64-bit view) */
int w32_reg_get(void *ctx, const char *key, const char *name, rdls_regval *out, rdls_err *err);
int w32_reg_set(void *ctx, const char *key, const char *name, const rdls_regval *v,
		rdls_err *err);
int w32_reg_del(void *ctx, const char *key, const char *name, rdls_err *err);
int w32_reg_key_get(void *ctx, const char *key, bool *exists, rdls_err *err);
int w32_reg_key_create(void *ctx, const char *key, rdls_err *err);
int w32_reg_key_del(void *ctx, const char *key, bool *not_empty, rdls_err *err);

/* wmi.c (Win32_TSLicenseServer in root\cimv2) */
int w32_ls_pub_get(void *ctx, enum rdls_ls_pub *state, rdls_err *err);
int w32_ls_pub_set(void *ctx, bool publish, rdls_err *err);
int w32_ls_on_dc(void *ctx, bool *on_dc, rdls_err *err);
/* Releases the WMI connection and uninitialises COM if wmi.c initialised it. */
void w32_wmi_release(struct w32_ctx *ctx);
/* wmi.c: connects to WMI namespace ns (ns_obj names it in errors) at the given
 * RPC_C_AUTHN_LEVEL_*, initialising COM on first use (tswmi.c uses it too). */
struct IWbemServices;
int w32_wmi_connect(struct w32_ctx *c, const wchar_t *ns, const char *ns_obj,
		    unsigned long authn_level, struct IWbemServices **out, rdls_err *err);
/* wmi.c: an integer VARIANT (VT_I1..VT_UI4, VT_INT, VT_UINT, VT_BOOL) as uint32_t. */
struct tagVARIANT;
bool w32_variant_u32(const struct tagVARIANT *v, uint32_t *out);
/* wmi.c: root\cimv2, connected once per run (released by w32_wmi_release). */
int w32_wmi_cimv2(struct w32_ctx *c, struct IWbemServices **svc, rdls_err *err);
/* wmi.c: a Win32_TSLicenseServer method, called on the path rdls_lswmi_next decides; the
 * out-parameter out_name (boolean as 0/1, or integer) into *out_val; with_in passes an
 * empty instance of its in-signature. *absent: the class does not exist. */
int w32_ls_exec(struct w32_ctx *c, const char *method, bool with_in, const wchar_t *out_name,
		uint32_t *out_val, bool *absent, rdls_err *err);
/* wmi.c: fails with 0x80041010 and "the RD Licensing role is not installed ...". */
int w32_ls_role_absent(rdls_err *err, const char *api);
/* lsstate.c (diagnose: activation, CAL packs, the domain group, the security group policy) */
int w32_ls_activation_get(void *ctx, uint32_t *status, rdls_err *err);
int w32_ls_keypacks_get(void *ctx, rdls_keypack *out, size_t max, size_t *count, rdls_err *err);
int w32_ls_in_tsls_group(void *ctx, bool *member, rdls_err *err);
int w32_ls_secgrp_gp(void *ctx, bool *enabled, rdls_err *err);

/* host.c */
int w32_host_name(void *ctx, char *buf, size_t n, rdls_err *err);
int w32_os_info(void *ctx, rdls_osinfo *out, rdls_err *err);
int w32_is_elevated(void *ctx, bool *elevated, rdls_err *err);
int w32_lock_acquire(void *ctx, bool *busy, rdls_err *err);
void w32_lock_release(void *ctx);
int w32_random(void *ctx, void *buf, size_t n, rdls_err *err);
int w32_env_secret(void *ctx, const char *name, rdls_secret **out, bool *found, rdls_err *err);
int w32_clock_now(void *ctx, int64_t *secs, rdls_err *err);
int w32_env_get(void *ctx, const char *name, char *buf, size_t n, bool *found, rdls_err *err);
void w32_process_kill(void *ctx, uint32_t code);
int w32_prompt_secret(void *ctx, const char *prompt, rdls_secret **out, rdls_err *err);
int w32_journal_dir(void *ctx, char *buf, size_t n, rdls_err *err);
FILE *w32_file_open(void *ctx, const char *path, const char *mode, rdls_err *err);
int w32_file_sync(void *ctx, FILE *f, const char *path, rdls_err *err);

/* fileacl.c: security facts of rdlsctl's own files and directories (sys.h) */
wchar_t *w32_dos_path(const char *path); /* the Win32 form of a path (Wine: of a Unix path) */
int w32_path_sec(void *ctx, const char *path, rdls_file_sec *out, rdls_err *err);
int w32_file_sec(void *ctx, FILE *f, const char *path, rdls_file_sec *out, rdls_err *err);
/* The same facts of the open handle h (named obj in messages); out must start zeroed. */
int w32_handle_sec(HANDLE h, const char *obj, rdls_file_sec *out, rdls_err *err);
int w32_dir_create(void *ctx, const char *path, bool *exists, rdls_err *err);
int w32_dir_list(void *ctx, const char *path, char ***names, size_t *n, rdls_err *err);
int w32_path_rename(void *ctx, const char *from, const char *to, rdls_err *err);
int w32_exe_dir(void *ctx, char *buf, size_t n, rdls_err *err);
/* host.c */
int w32_data_dir(void *ctx, char *buf, size_t n, rdls_err *err);
FILE *w32_file_create_new(void *ctx, const char *path, bool *exists, rdls_err *err);
int w32_lock_owner(void *ctx, enum rdls_who *who, char *name, size_t n, rdls_err *err);

/* netprobe.c (diagnose: GetAddrInfoW, and a TCP connect with a timeout) */
int w32_name_resolve(void *ctx, const char *name, bool *found, char *addr, size_t n,
		     rdls_err *err);
int w32_tcp_probe(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms, bool *open,
		  rdls_err *err);
/* netprobe.c: WaitNamedPipeW of \\server\pipe\name (diagnose's ls-pipe) */
int w32_pipe_probe(void *ctx, const char *server, const char *pipe, uint32_t timeout_ms,
		   rdls_err *err);

/* tswmi.c (diagnose: Win32_TerminalServiceSetting in root\CIMv2\TerminalServices, connected
 * with packet privacy for each call; COM initialised as wmi.c does, through com_ready /
 * com_uninit, so w32_wmi_release uninitialises it) */
int w32_ts_grace_days(void *ctx, uint32_t *days_left, rdls_err *err);
int w32_ts_find_ls(void *ctx, rdls_ts_ls *out, size_t max, size_t *count, rdls_err *err);
int w32_ts_connectivity(void *ctx, const char *server, uint32_t *status, rdls_err *err);
int w32_ts_ping_ls(void *ctx, const char *server, bool *valid, rdls_err *err);
int w32_ts_licensing(void *ctx, uint32_t *type, uint32_t *policy_source, rdls_err *err);
int w32_ts_specified_ls(void *ctx, char (*out)[RDLS_TS_NAME_MAX], size_t max, size_t *count,
			rdls_err *err);

/* svc.c (the preconditions: OpenSCManagerW + OpenServiceW) */
int w32_service_exists(void *ctx, const char *name, bool *exists, rdls_err *err);

/* crypto.c (CNG: PBKDF2-HMAC-SHA-256 for the credential check strings) */
int w32_pbkdf2_sha256(void *ctx, const void *pw, size_t pwlen, const void *salt, size_t saltlen,
		      uint32_t iterations, void *out, size_t outlen, rdls_err *err);
/* crypto.c (CNG: SHA-256 for the saved plan's integrity hash) */
int w32_sha256(void *ctx, const void *data, size_t len, unsigned char out[32], rdls_err *err);

/* eventlog.c (the Application log source "rdlsctl" and its message file) */
int w32_process_user(void *ctx, char *buf, size_t n, rdls_err *err);
int w32_event_register(void *ctx, rdls_err *err);
int w32_event_write(void *ctx, uint16_t type, uint32_t id, const char *const *strings, size_t n,
		    rdls_err *err);

/* evtquery.c (diagnose's event log checks: EvtQuery, EvtRender, EvtFormatMessage) */
int w32_event_query(void *ctx, const char *channel, const char *const *providers,
		    size_t n_providers, const uint32_t *ids, size_t n_ids, uint32_t days,
		    rdls_logevt_fn fn, void *arg, rdls_err *err);

/* helper_copy.c: the admin-only folder %ProgramData%\rdlsctl\<name> (created with an
 * Administrators/SYSTEM-only DACL, or checked and re-secured when it exists, never through
 * a reparse point) and this program's path; eventlog.c keeps the message file there. */
int hc_private_dir(const wchar_t *name, const wchar_t *sddl, wchar_t **path, rdls_err *err);
wchar_t *hc_exe_path(void);

/* sys_win32.c */
struct rdls_sys rdls_sys_win32_new(void);
void rdls_sys_win32_free(struct rdls_sys *sys);

/* cred.c (credential ops, through the helper of helper_client.c) */
int w32_cred_get(void *ctx, const char *target, rdls_cred *out, rdls_err *err);
int w32_cred_put(void *ctx, const char *target, const char *user, const rdls_secret *pw,
		 const char *check, rdls_err *err);
int w32_cred_del(void *ctx, const char *target, rdls_err *err);
/* helper_client.c: stops and deletes this run's helper service, if one was started. */
void w32_helper_shutdown(struct w32_ctx *ctx);
/* Deletes helper services left behind by crashed runs. */
void w32_helper_sweep(void);
/* helper_service.c: if argv is the helper service's command line, runs the service to
 * the end and returns its exit code; otherwise returns -1 and does nothing.
 * platform.c's rdls_platform_helper_main delegates here. */
int w32_helper_service_main(int argc, char **argv);

/* gpofile.c (files of the local Group Policy object), rsop.c (RSOP in root\rsop\computer) */
int w32_gpo_dir(void *ctx, char *buf, size_t n, rdls_err *err);
int w32_file_read(void *ctx, const char *path, size_t max, unsigned char **data, size_t *len,
		  bool *exists, rdls_err *err);
int w32_file_write(void *ctx, const char *path, const void *data, size_t len, rdls_err *err);
int w32_file_delete(void *ctx, const char *path, rdls_err *err);
int w32_gpo_domain_settings(void *ctx, const char *key, rdls_gpo_setting *out, size_t max,
			    size_t *count, rdls_err *err);

#endif
