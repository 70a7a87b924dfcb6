/*
 * The host: its name and version, elevation, the system-wide lock, randomness,
 * secrets from the environment and the console, the journal directory and files.
 *
 * Files: with mingw-w64 / MSVC the C library is the Windows CRT (_wfopen,
 * _commit). Under winegcc's default mode the C library is glibc, whose FILE the
 * core uses, so a Windows path is first mapped to the Unix file it names with
 * wine_get_unix_file_name (exported by Wine's kernel32) and opened with fopen.
 */
/* glibc under Wine: O_NOFOLLOW and fdopen also where a build passes only -std=c11. */
#if defined(__WINE__) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <bcrypt.h>
#include <lm.h>
#include <sddl.h>
#include <aclapi.h>
#include <shlobj.h>

#include <fcntl.h>
#include <stdint.h>

#if defined(__WINE__)
#include <unistd.h>
/* Declared here rather than through <wine/...> headers: one prototype, Wine-only. */
char *CDECL wine_get_unix_file_name(const WCHAR *dos);
#else
#include <io.h>
#endif

#ifndef PROTECTED_DACL_SECURITY_INFORMATION /* missing from Wine 8's winnt.h */
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000L
#endif

#ifndef NT_SUCCESS
#define NT_SUCCESS(st) ((LONG)(st) >= 0)
#endif

/* Copies a UTF-8 string into a caller's buffer, or fails naming `what`. */
static int copy_out(char *buf, size_t n, const char *s, const char *what, rdls_err *err)
{
	size_t len = strlen(s);
	if (len >= n)
		return w32_fail(err, "", what, ERROR_INSUFFICIENT_BUFFER);
	memcpy(buf, s, len + 1);
	return 0;
}

int w32_host_name(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	wchar_t *w = NULL;
	char *u = NULL;
	int rc = -1;
	DWORD size = MAX_COMPUTERNAME_LENGTH + 1;

	for (int attempt = 0;; attempt++) {
		wchar_t *nw = realloc(w, ((size_t)size + 1) * sizeof(wchar_t));
		if (!nw) {
			w32_fail(err, "GetComputerNameW", "the computer name", ERROR_NOT_ENOUGH_MEMORY);
			goto out;
		}
		w = nw;
		DWORD got = size + 1;
		if (GetComputerNameW(w, &got))
			break;
		DWORD e = GetLastError();
		if (e != ERROR_BUFFER_OVERFLOW || attempt >= 3) {
			w32_fail(err, "GetComputerNameW", "the computer name", e);
			goto out;
		}
		size = got > size ? got : size * 2;
	}
	u = w32_utf8(w);
	if (!u) {
		w32_fail(err, "WideCharToMultiByte", "the computer name", ERROR_NO_UNICODE_TRANSLATION);
		goto out;
	}
	rc = copy_out(buf, n, u, "the computer name", err);
out:
	free(w);
	free(u);
	return rc;
}

typedef LONG(WINAPI *rtl_get_version_fn)(RTL_OSVERSIONINFOEXW *);

int w32_os_info(void *ctx, rdls_osinfo *out, rdls_err *err)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));

	/* RtlGetVersion, unlike GetVersionExW, is not subject to manifest-based lies. */
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	if (!ntdll)
		return w32_fail(err, "GetModuleHandleW", "ntdll.dll", GetLastError());
	FARPROC p = GetProcAddress(ntdll, "RtlGetVersion");
	if (!p)
		return w32_fail(err, "GetProcAddress", "ntdll.dll!RtlGetVersion", GetLastError());
	rtl_get_version_fn rtl_get_version;
	memcpy(&rtl_get_version, &p, sizeof(p)); /* no function-pointer cast warnings */

	RTL_OSVERSIONINFOEXW vi;
	memset(&vi, 0, sizeof(vi));
	vi.dwOSVersionInfoSize = sizeof(vi);
	LONG st = rtl_get_version(&vi);
	if (!NT_SUCCESS(st))
		return w32_fail(err, "RtlGetVersion", "the Windows version", (DWORD)st);
	out->major = vi.dwMajorVersion;
	out->minor = vi.dwMinorVersion;
	out->build = vi.dwBuildNumber;
	out->server = vi.wProductType == VER_NT_SERVER || vi.wProductType == VER_NT_DOMAIN_CONTROLLER;
	out->domain_controller = vi.wProductType == VER_NT_DOMAIN_CONTROLLER;

	/* Joined to a domain: NetGetJoinInformation (netapi32). */
	LPWSTR name = NULL;
	NETSETUP_JOIN_STATUS js = NetSetupUnknownStatus;
	NET_API_STATUS ns = NetGetJoinInformation(NULL, &name, &js);
	if (name)
		NetApiBufferFree(name);
	if (ns != NERR_Success)
		return w32_fail(err, "NetGetJoinInformation", "this computer", ns);
	out->domain_joined = js == NetSetupDomainName;
	return 0;
}

int w32_is_elevated(void *ctx, bool *elevated, rdls_err *err)
{
	(void)ctx;
	BYTE sid_buf[SECURITY_MAX_SID_SIZE];
	DWORD sid_size = sizeof(sid_buf);
	BOOL member = FALSE;

	*elevated = false;
	if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, sid_buf, &sid_size))
		return w32_fail(err, "CreateWellKnownSid", "BUILTIN\\Administrators", GetLastError());
	/* NULL token: the thread's effective token. Under UAC the filtered token of a
	 * non-elevated administrator has the Administrators SID deny-only: FALSE. */
	if (!CheckTokenMembership(NULL, sid_buf, &member))
		return w32_fail(err, "CheckTokenMembership", "BUILTIN\\Administrators", GetLastError());
	*elevated = member != FALSE;
	return 0;
}

/* A security descriptor from SDDL; LocalFree the result. */
static PSECURITY_DESCRIPTOR sd_from_sddl(const wchar_t *sddl, DWORD *e)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
		*e = GetLastError();
		return NULL;
	}
	return sd;
}

/*
 * The apply/rollback lock: a mutex in a private namespace bound to the
 * Administrators SID (only a process holding that SID can create the namespace,
 * and its descriptor lets only Administrators and SYSTEM open it), so no other
 * account can create or hold it first, unlike a Global\ mutex. Wine 8 lacks
 * AddSIDToBoundaryDescriptor and CreatePrivateNamespaceW (import libraries and
 * kernel32 alike), hence GetProcAddress; without them, the fallback is a lock file
 * opened without sharing in %ProgramData%\rdlsctl, a directory only administrators
 * may change (src/trust.c sets aside one that others may).
 */
static int make_private_dir(const wchar_t *dir, const char *obj, rdls_err *err);
static wchar_t *data_dir_w(rdls_err *err);

#define LOCK_SDDL L"O:BAD:P(A;;GA;;;BA)(A;;GA;;;SY)"
#define LOCK_NS L"rdlsctl"
#define LOCK_MUTEX L"rdlsctl\\apply"

typedef HANDLE(WINAPI *create_bd_fn)(LPCWSTR, ULONG);
typedef BOOL(WINAPI *add_sid_fn)(HANDLE *, PSID);
typedef HANDLE(WINAPI *create_ns_fn)(LPSECURITY_ATTRIBUTES, LPVOID, LPCWSTR);
typedef HANDLE(WINAPI *open_ns_fn)(LPVOID, LPCWSTR);
typedef BOOLEAN(WINAPI *close_ns_fn)(HANDLE, ULONG);
typedef VOID(WINAPI *delete_bd_fn)(HANDLE);

struct ns_api {
	create_bd_fn create_bd;
	add_sid_fn add_sid;
	create_ns_fn create_ns;
	open_ns_fn open_ns;
	close_ns_fn close_ns;
	delete_bd_fn delete_bd;
};

/* true when kernel32 has every private-namespace function. */
static bool ns_api_get(struct ns_api *a)
{
	HMODULE k = GetModuleHandleW(L"kernel32.dll");
	if (!k)
		return false;
	FARPROC p[6] = { GetProcAddress(k, "CreateBoundaryDescriptorW"),
			 GetProcAddress(k, "AddSIDToBoundaryDescriptor"),
			 GetProcAddress(k, "CreatePrivateNamespaceW"),
			 GetProcAddress(k, "OpenPrivateNamespaceW"),
			 GetProcAddress(k, "ClosePrivateNamespace"),
			 GetProcAddress(k, "DeleteBoundaryDescriptor") };
	for (int i = 0; i < 6; i++)
		if (!p[i])
			return false;
	/* memcpy: no function-pointer cast warnings */
	memcpy(&a->create_bd, &p[0], sizeof(p[0]));
	memcpy(&a->add_sid, &p[1], sizeof(p[1]));
	memcpy(&a->create_ns, &p[2], sizeof(p[2]));
	memcpy(&a->open_ns, &p[3], sizeof(p[3]));
	memcpy(&a->close_ns, &p[4], sizeof(p[4]));
	memcpy(&a->delete_bd, &p[5], sizeof(p[5]));
	return true;
}

/* The private namespace (created, or opened when it exists); *bd receives its boundary. */
static HANDLE open_lock_ns(const struct ns_api *a, SECURITY_ATTRIBUTES *sa, HANDLE *bd,
			   const char *obj, rdls_err *err)
{
	BYTE admins[SECURITY_MAX_SID_SIZE];
	DWORD as = sizeof(admins);
	*bd = a->create_bd(LOCK_NS, 0);
	if (!*bd) {
		w32_fail(err, "CreateBoundaryDescriptorW", obj, GetLastError());
		return NULL;
	}
	if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &as)) {
		w32_fail(err, "CreateWellKnownSid", "BUILTIN\\Administrators", GetLastError());
		goto fail;
	}
	if (!a->add_sid(bd, admins)) {
		w32_fail(err, "AddSIDToBoundaryDescriptor", obj, GetLastError());
		goto fail;
	}
	HANDLE ns = a->create_ns(sa, *bd, LOCK_NS);
	if (!ns) {
		DWORD e = GetLastError();
		if (e != ERROR_ALREADY_EXISTS) {
			w32_fail(err, "CreatePrivateNamespaceW", obj, e);
			goto fail;
		}
		ns = a->open_ns(*bd, LOCK_NS);
		if (!ns) {
			w32_fail(err, "OpenPrivateNamespaceW", obj, GetLastError());
			goto fail;
		}
	}
	return ns;
fail:
	a->delete_bd(*bd);
	*bd = NULL;
	return NULL;
}

/* %ProgramData%\rdlsctl\lock, made with the directory when missing; free() the result. */
static wchar_t *lock_file_path(rdls_err *err)
{
	wchar_t *top = data_dir_w(err);
	if (!top)
		return NULL;
	if (make_private_dir(top, "directory '%ProgramData%\\rdlsctl'", err) != 0) {
		free(top);
		return NULL;
	}
	static const wchar_t s[] = L"\\lock";
	size_t tl = (size_t)lstrlenW(top), sl = sizeof(s) / sizeof(s[0]);
	wchar_t *p = malloc((tl + sl) * sizeof(wchar_t));
	if (!p) {
		w32_fail(err, "", "the rdlsctl lock", ERROR_NOT_ENOUGH_MEMORY);
	} else {
		memcpy(p, top, tl * sizeof(wchar_t));
		memcpy(p + tl, s, sl * sizeof(wchar_t));
	}
	free(top);
	return p;
}

static int lock_by_file(struct w32_ctx *c, SECURITY_ATTRIBUTES *sa, bool *busy, rdls_err *err)
{
	const char *obj = "lock file '%ProgramData%\\rdlsctl\\lock'";
	wchar_t *path = lock_file_path(err);
	if (!path)
		return -1;
	/* No sharing: a second opener gets ERROR_SHARING_VIOLATION until this handle closes
	 * (also when this process dies). */
	HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, sa, OPEN_ALWAYS,
			       FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	DWORD e = GetLastError();
	free(path);
	if (h != INVALID_HANDLE_VALUE) {
		c->lock_file = h;
		return 0;
	}
	if (e == ERROR_SHARING_VIOLATION) {
		*busy = true;
		return 0;
	}
	return w32_fail(err, "CreateFileW", obj, e);
}

int w32_lock_acquire(void *ctx, bool *busy, rdls_err *err)
{
	struct w32_ctx *c = ctx;
	const char *obj = "mutex 'rdlsctl\\apply' (private namespace of Administrators)";
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE h = NULL, ns = NULL, bd = NULL;
	struct ns_api api = { 0 };
	int rc = -1;
	DWORD e = 0;

	*busy = false;
	if (c->lock || c->lock_file)
		return 0; /* this process already holds it */
	sd = sd_from_sddl(LOCK_SDDL, &e);
	if (!sd) {
		w32_fail(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", obj, e);
		goto out;
	}
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	if (!ns_api_get(&api)) {
		rc = lock_by_file(c, &sa, busy, err);
		goto out;
	}
	ns = open_lock_ns(&api, &sa, &bd, obj, err);
	if (!ns)
		goto out;
	h = CreateMutexW(&sa, FALSE, LOCK_MUTEX);
	if (!h) {
		w32_fail(err, "CreateMutexW", obj, GetLastError());
		goto out;
	}
	DWORD w = WaitForSingleObject(h, 0);
	switch (w) {
	case WAIT_OBJECT_0:
	case WAIT_ABANDONED: /* its holder died: the journal tells what it left */
		c->lock = h;
		c->lock_ns = ns;
		c->lock_bd = bd;
		h = ns = bd = NULL;
		break;
	case WAIT_TIMEOUT:
		*busy = true;
		break;
	default:
		w32_fail(err, "WaitForSingleObject", obj, GetLastError());
		goto out;
	}
	rc = 0;
out:
	if (h)
		CloseHandle(h);
	if (ns)
		api.close_ns(ns, 0);
	if (bd)
		api.delete_bd(bd);
	if (sd)
		LocalFree(sd);
	return rc;
}

/* The owner of what the other holder holds: the lock file's (the namespace's mutex can
 * only be an administrator's, since nobody else can create or open the namespace). */
int w32_lock_owner(void *ctx, enum rdls_who *who, char *name, size_t n, rdls_err *err)
{
	struct ns_api api;
	*who = RDLS_WHO_ADMINS;
	snprintf(name, n, "BUILTIN\\Administrators");
	if (ns_api_get(&api))
		return 0;
	wchar_t *path = lock_file_path(err);
	if (!path)
		return -1;
	char *u = w32_utf8(path);
	free(path);
	if (!u)
		return w32_fail(err, "WideCharToMultiByte", "the rdlsctl lock", ERROR_NO_UNICODE_TRANSLATION);
	rdls_file_sec s;
	int rc = w32_path_sec(ctx, u, &s, err);
	free(u);
	if (rc != 0)
		return -1;
	if (s.exists && s.state == RDLS_SEC_KNOWN) {
		*who = s.owner;
		snprintf(name, n, "%s", s.owner_name);
	}
	return 0;
}

void w32_lock_release(void *ctx)
{
	struct w32_ctx *c = ctx;
	struct ns_api api;
	if (!c)
		return;
	if (c->lock) {
		ReleaseMutex(c->lock);
		CloseHandle(c->lock);
		c->lock = NULL;
	}
	if ((c->lock_ns || c->lock_bd) && ns_api_get(&api)) {
		if (c->lock_ns)
			api.close_ns(c->lock_ns, 0);
		if (c->lock_bd)
			api.delete_bd(c->lock_bd);
	}
	c->lock_ns = c->lock_bd = NULL;
	if (c->lock_file) {
		CloseHandle(c->lock_file);
		c->lock_file = NULL;
	}
}

int w32_random(void *ctx, void *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	unsigned char *p = buf;
	while (n > 0) {
		ULONG chunk = n > 0x10000000u ? 0x10000000u : (ULONG)n;
		NTSTATUS st = BCryptGenRandom(NULL, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
		if (!NT_SUCCESS(st))
			return w32_fail(err, "BCryptGenRandom", "the system RNG", (DWORD)st);
		p += chunk;
		n -= chunk;
	}
	return 0;
}

int w32_env_secret(void *ctx, const char *name, rdls_secret **out, bool *found, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wname = w32_wide(name), *val = NULL;
	char *u = NULL;
	size_t ulen = 0, cap = 0;
	int rc = -1;

	snprintf(obj, sizeof(obj), "environment variable '%s'", name);
	*out = NULL;
	*found = false;
	if (!wname) {
		w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
		goto out;
	}
	DWORD size = 256;
	for (int attempt = 0;; attempt++) {
		/* Never realloc a buffer that held the secret: wipe and free it instead. */
		if (val) {
			SecureZeroMemory(val, cap * sizeof(wchar_t));
			free(val);
		}
		cap = (size_t)size + 1;
		val = malloc(cap * sizeof(wchar_t));
		if (!val) {
			cap = 0;
			w32_fail(err, "GetEnvironmentVariableW", obj, ERROR_NOT_ENOUGH_MEMORY);
			goto out;
		}
		SetLastError(ERROR_SUCCESS);
		DWORD got = GetEnvironmentVariableW(wname, val, (DWORD)cap);
		if (got == 0) {
			DWORD e = GetLastError();
			if (e == ERROR_ENVVAR_NOT_FOUND) {
				rc = 0;
				goto out;
			}
			if (e != ERROR_SUCCESS) {
				w32_fail(err, "GetEnvironmentVariableW", obj, e);
				goto out;
			}
			val[0] = 0; /* set but empty */
			break;
		}
		if (got < cap)
			break;
		if (attempt >= 3) {
			w32_fail(err, "GetEnvironmentVariableW", obj, ERROR_MORE_DATA);
			goto out;
		}
		size = got; /* required size, terminator included */
	}
	u = w32_utf8_n(val, (size_t)lstrlenW(val), &ulen);
	if (!u) {
		w32_fail(err, "WideCharToMultiByte", obj, ERROR_NO_UNICODE_TRANSLATION);
		goto out;
	}
	*out = rdls_secret_new(u, ulen);
	if (!*out) {
		w32_fail(err, "", obj, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	*found = true;
	rc = 0;
out:
	if (val) {
		SecureZeroMemory(val, cap * sizeof(wchar_t));
		free(val);
	}
	if (u) {
		rdls_secure_zero(u, ulen);
		free(u);
	}
	free(wname);
	return rc;
}

#define PROMPT_MAX 1024 /* wide characters; a domain password is at most 256 */

int w32_prompt_secret(void *ctx, const char *prompt, rdls_secret **out, rdls_err *err)
{
	(void)ctx;
	const char *obj = "the console (CONIN$)";
	HANDLE in = INVALID_HANDLE_VALUE, con = INVALID_HANDLE_VALUE;
	wchar_t *wprompt = w32_wide(prompt ? prompt : "");
	wchar_t buf[PROMPT_MAX];
	DWORD old_mode = 0, len = 0;
	bool restore = false;
	char *u = NULL;
	size_t ulen = 0;
	int rc = -1;

	*out = NULL;
	if (!wprompt) {
		w32_fail_text(err, "", obj, 0, "prompt is not valid UTF-8 or out of memory");
		goto out;
	}
	in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
			 NULL, OPEN_EXISTING, 0, NULL);
	if (in == INVALID_HANDLE_VALUE) {
		w32_fail(err, "CreateFileW", obj, GetLastError());
		goto out;
	}
	con = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
			  FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	if (con == INVALID_HANDLE_VALUE) {
		w32_fail(err, "CreateFileW", "the console (CONOUT$)", GetLastError());
		goto out;
	}
	if (!GetConsoleMode(in, &old_mode)) {
		w32_fail(err, "GetConsoleMode", obj, GetLastError());
		goto out;
	}
	DWORD mode = (old_mode & ~(DWORD)ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT;
	if (!SetConsoleMode(in, mode)) {
		w32_fail(err, "SetConsoleMode", obj, GetLastError());
		goto out;
	}
	restore = true;
	DWORD written = 0;
	if (!WriteConsoleW(con, wprompt, (DWORD)lstrlenW(wprompt), &written, NULL)) {
		w32_fail(err, "WriteConsoleW", "the console (CONOUT$)", GetLastError());
		goto out;
	}
	/* One line: ReadConsoleW in line mode returns when Enter is pressed. */
	while (len < PROMPT_MAX) {
		DWORD got = 0;
		if (!ReadConsoleW(in, buf + len, PROMPT_MAX - len, &got, NULL)) {
			w32_fail(err, "ReadConsoleW", obj, GetLastError());
			goto out;
		}
		if (got == 0)
			break; /* end of input */
		len += got;
		if (buf[len - 1] == L'\n')
			break;
	}
	WriteConsoleW(con, L"\r\n", 2, &written, NULL); /* the newline the echo did not print */
	while (len > 0 && (buf[len - 1] == L'\n' || buf[len - 1] == L'\r'))
		len--;
	if (len == PROMPT_MAX) {
		w32_fail_text(err, "", obj, 0, "the secret is too long");
		goto out;
	}
	u = w32_utf8_n(buf, len, &ulen);
	if (!u) {
		w32_fail(err, "WideCharToMultiByte", obj, ERROR_NO_UNICODE_TRANSLATION);
		goto out;
	}
	*out = rdls_secret_new(u, ulen);
	if (!*out) {
		w32_fail(err, "", obj, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	rc = 0;
out:
	if (restore)
		SetConsoleMode(in, old_mode);
	SecureZeroMemory(buf, sizeof(buf));
	if (u) {
		rdls_secure_zero(u, ulen);
		free(u);
	}
	if (in != INVALID_HANDLE_VALUE)
		CloseHandle(in);
	if (con != INVALID_HANDLE_VALUE)
		CloseHandle(con);
	free(wprompt);
	return rc;
}

/* FOLDERID_ProgramData, defined here so no GUID library is needed. */
static const GUID folderid_program_data = {
	0x62ab5d82, 0xfdc1, 0x4dc3, { 0xa9, 0xdd, 0x07, 0x0d, 0x1d, 0x49, 0x5d, 0x97 }
};

/* Administrators own it; only they and SYSTEM have access; children inherit that. */
#define JOURNAL_SDDL L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)"

/* Creates dir with the journal DACL. An existing one is left as it is: src/trust.c
 * judges it (SetNamedSecurityInfoW on it would follow a junction to its target). */
static int make_private_dir(const wchar_t *dir, const char *obj, rdls_err *err)
{
	DWORD e = 0;
	PSECURITY_DESCRIPTOR sd = sd_from_sddl(JOURNAL_SDDL, &e);
	int rc = -1;

	if (!sd)
		return w32_fail(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", obj, e);
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	if (CreateDirectoryW(dir, &sa)) {
		rc = 0;
		goto out;
	}
	e = GetLastError();
	if (e != ERROR_ALREADY_EXISTS) {
		w32_fail(err, "CreateDirectoryW", obj, e);
		goto out;
	}
	rc = 0;
out:
	LocalFree(sd);
	return rc;
}

/* A Win32 path as the core opens it: under Wine the Unix file it names (glibc's stdio). */
static int core_path(const wchar_t *w, const char *obj, char *buf, size_t n, rdls_err *err)
{
#if defined(__WINE__)
	char *unix_path = wine_get_unix_file_name(w);
	if (!unix_path)
		return w32_fail(err, "wine_get_unix_file_name", obj, ERROR_PATH_NOT_FOUND);
	int rc = copy_out(buf, n, unix_path, obj, err);
	HeapFree(GetProcessHeap(), 0, unix_path);
	return rc;
#else
	char *u = w32_utf8(w);
	if (!u)
		return w32_fail(err, "WideCharToMultiByte", obj, ERROR_NO_UNICODE_TRANSLATION);
	int rc = copy_out(buf, n, u, obj, err);
	free(u);
	return rc;
#endif
}

/* %ProgramData%\rdlsctl; free() the result. */
static wchar_t *data_dir_w(rdls_err *err)
{
	PWSTR pd = NULL;
	HRESULT hr = SHGetKnownFolderPath(&folderid_program_data, 0, NULL, &pd);
	if (FAILED(hr)) {
		w32_fail(err, "SHGetKnownFolderPath", "FOLDERID_ProgramData", (DWORD)hr);
		return NULL;
	}
	static const wchar_t s1[] = L"\\rdlsctl";
	size_t pl = (size_t)lstrlenW(pd), l1 = sizeof(s1) / sizeof(s1[0]);
	wchar_t *top = malloc((pl + l1) * sizeof(wchar_t));
	if (top) {
		memcpy(top, pd, pl * sizeof(wchar_t));
		memcpy(top + pl, s1, l1 * sizeof(wchar_t));
	} else {
		w32_fail(err, "", "the journal directory", ERROR_NOT_ENOUGH_MEMORY);
	}
	CoTaskMemFree(pd);
	return top;
}

int w32_data_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	wchar_t *top = data_dir_w(err);
	if (!top)
		return -1;
	int rc = core_path(top, "directory '%ProgramData%\\rdlsctl'", buf, n, err);
	free(top);
	return rc;
}

int w32_journal_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	wchar_t *top = data_dir_w(err), *dir = NULL;
	char *u = NULL, obj[RDLS_ERR_OBJ_MAX];
	int rc = -1;

	if (!top)
		return -1;
	static const wchar_t s2[] = L"\\journal";
	size_t tl = (size_t)lstrlenW(top), l2 = sizeof(s2) / sizeof(s2[0]);
	dir = malloc((tl + l2) * sizeof(wchar_t));
	if (!dir) {
		w32_fail(err, "", "the journal directory", ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	memcpy(dir, top, tl * sizeof(wchar_t));
	memcpy(dir + tl, s2, l2 * sizeof(wchar_t));

	u = w32_utf8(top);
	snprintf(obj, sizeof(obj), "directory '%s'", u ? u : "?");
	free(u);
	u = NULL;
	if (make_private_dir(top, obj, err) != 0)
		goto out;
	u = w32_utf8(dir);
	snprintf(obj, sizeof(obj), "directory '%s'", u ? u : "?");
	if (make_private_dir(dir, obj, err) != 0)
		goto out;
	rc = core_path(dir, obj, buf, n, err);
out:
	free(top);
	free(dir);
	free(u);
	return rc;
}

FILE *w32_file_open(void *ctx, const char *path, const char *mode, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	FILE *f = NULL;

	snprintf(obj, sizeof(obj), "file '%s'", path);
#if defined(__WINE__)
	char *unix_path = NULL;
	if (path[0] != '/') {
		wchar_t *wpath = w32_wide(path);
		if (!wpath) {
			w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
			return NULL;
		}
		unix_path = wine_get_unix_file_name(wpath);
		free(wpath);
		if (!unix_path) {
			w32_fail(err, "wine_get_unix_file_name", obj, ERROR_PATH_NOT_FOUND);
			return NULL;
		}
	}
	f = fopen(unix_path ? unix_path : path, mode);
	int e = errno;
	if (unix_path)
		HeapFree(GetProcessHeap(), 0, unix_path);
	if (!f)
		rdls_err_set(err, "fopen", obj, (uint32_t)e, "%s", strerror(e));
#else
	wchar_t *wpath = w32_wide(path), *wmode = w32_wide(mode);
	if (!wpath || !wmode) {
		w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
	} else {
		f = _wfopen(wpath, wmode);
		if (!f) {
			/* _wfopen sets errno and _doserrno; the Win32 code has the system text. */
			DWORD dos = (DWORD)_doserrno;
			w32_fail(err, "_wfopen", obj, dos ? dos : ERROR_OPEN_FAILED);
		}
	}
	free(wpath);
	free(wmode);
#endif
	return f;
}

/* A journal or the index: only Administrators and SYSTEM, nothing inherited. */
#define FILE_SDDL L"O:BAD:P(A;;FA;;;BA)(A;;FA;;;SY)"

FILE *w32_file_create_new(void *ctx, const char *path, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wpath = w32_dos_path(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE h = INVALID_HANDLE_VALUE;
	FILE *f = NULL;
	DWORD e = 0;

	*exists = false;
	snprintf(obj, sizeof(obj), "file '%s'", path);
	if (!wpath) {
		w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
		goto out;
	}
	sd = sd_from_sddl(FILE_SDDL, &e);
	if (!sd) {
		w32_fail(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", obj, e);
		goto out;
	}
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	h = CreateFileW(wpath, GENERIC_WRITE, FILE_SHARE_READ, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
			NULL);
	if (h == INVALID_HANDLE_VALUE) {
		e = GetLastError();
		if (e == ERROR_FILE_EXISTS || e == ERROR_ALREADY_EXISTS)
			*exists = true;
		else
			w32_fail(err, "CreateFileW", obj, e);
		goto out;
	}
#if defined(__WINE__)
	/*
	 * glibc's stdio needs a Unix descriptor: the file CreateFileW just made is opened
	 * again by its Unix name, without O_CREAT (it must be that file) and without
	 * following a link. Wine stores no descriptor, so the SDDL above is not kept there.
	 */
	CloseHandle(h);
	h = INVALID_HANDLE_VALUE;
	char *unix_path = path[0] == '/' ? NULL : wine_get_unix_file_name(wpath);
	if (path[0] != '/' && !unix_path) {
		w32_fail(err, "wine_get_unix_file_name", obj, ERROR_PATH_NOT_FOUND);
		goto out;
	}
	int fd = open(unix_path ? unix_path : path, O_WRONLY | O_APPEND | O_NOFOLLOW);
	int en = errno;
	if (unix_path)
		HeapFree(GetProcessHeap(), 0, unix_path);
	if (fd < 0) {
		rdls_err_set(err, "open", obj, (uint32_t)en, "%s", strerror(en));
		goto out;
	}
	f = fdopen(fd, "ab");
	if (!f) {
		en = errno;
		close(fd);
		rdls_err_set(err, "fdopen", obj, (uint32_t)en, "%s", strerror(en));
	}
#else
	int fd = _open_osfhandle((intptr_t)h, _O_WRONLY | _O_APPEND | _O_BINARY);
	if (fd < 0) {
		w32_fail(err, "_open_osfhandle", obj, ERROR_INVALID_HANDLE);
		goto out;
	}
	h = INVALID_HANDLE_VALUE; /* the descriptor owns it now */
	f = _fdopen(fd, "ab");
	if (!f) {
		_close(fd);
		w32_fail(err, "_fdopen", obj, ERROR_NOT_ENOUGH_MEMORY);
	}
#endif
out:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	if (sd)
		LocalFree(sd);
	free(wpath);
	return f;
}

int w32_file_sync(void *ctx, FILE *f, const char *path, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "file '%s'", path);
	if (fflush(f) != 0)
		return rdls_err_set(err, "fflush", obj, (uint32_t)errno, "%s", strerror(errno));
#if defined(__WINE__)
	if (fsync(fileno(f)) != 0)
		return rdls_err_set(err, "fsync", obj, (uint32_t)errno, "%s", strerror(errno));
#else
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
	if (h == INVALID_HANDLE_VALUE)
		return w32_fail(err, "_get_osfhandle", obj, ERROR_INVALID_HANDLE);
	if (!FlushFileBuffers(h))
		return w32_fail(err, "FlushFileBuffers", obj, GetLastError());
#endif
	return 0;
}

/* FILETIME counts 100 ns from 1601-01-01; Unix time seconds from 1970-01-01. */
#define W32_EPOCH_DIFF_100NS 116444736000000000ull

int w32_clock_now(void *ctx, int64_t *secs, rdls_err *err)
{
	(void)ctx;
	(void)err; /* GetSystemTimeAsFileTime cannot fail */
	FILETIME ft;
	GetSystemTimeAsFileTime(&ft);
	uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
	*secs = t >= W32_EPOCH_DIFF_100NS ? (int64_t)((t - W32_EPOCH_DIFF_100NS) / 10000000u) : 0;
	return 0;
}

/* Through env_secret's reading, so the buffer's growth lives in one place. */
int w32_env_get(void *ctx, const char *name, char *buf, size_t n, bool *found, rdls_err *err)
{
	rdls_secret *v = NULL;
	if (n)
		buf[0] = '\0';
	if (w32_env_secret(ctx, name, &v, found, err) != 0)
		return -1;
	if (!*found)
		return 0;
	size_t len = rdls_secret_len(v);
	int rc = 0;
	if (len + 1 > n) {
		char obj[RDLS_ERR_OBJ_MAX];
		snprintf(obj, sizeof(obj), "environment variable '%s'", name);
		*found = false;
		rc = w32_fail(err, "GetEnvironmentVariableW", obj, ERROR_INSUFFICIENT_BUFFER);
	} else {
		memcpy(buf, rdls_secret_str(v), len + 1);
	}
	rdls_secret_free(v);
	return rc;
}

void w32_process_kill(void *ctx, uint32_t code)
{
	(void)ctx;
	/* Returns only if it fails; the caller then aborts. */
	TerminateProcess(GetCurrentProcess(), code);
}
