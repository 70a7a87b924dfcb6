/*
 * The audit trail's door to the Application event log: the source "rdlsctl", its
 * registration and ReportEventW. audit.c decides what is written; this file only
 * registers and reports.
 *
 * Registration (event_register): Event Viewer renders an event's text from the
 * message table of the source's EventMessageFile, loaded when someone views the log,
 * possibly years later. So the registered file is not wherever rdlsctl.exe was
 * started from (a Downloads folder, a share, a file that is deleted after the run),
 * but a copy of this program, which carries the table (rdlsctl_msg.mc), in
 *     %ProgramData%\rdlsctl\eventmsg\rdlsctl-<version>.exe
 * whose folder only Administrators and SYSTEM may write (EL_DIR_SDDL; users may read
 * it, which Event Viewer needs), made with helper_copy.c's folder checks (no reparse
 * point, trusted by the core's rdls_trust_folder). The copy is replaced
 * only when its content differs; the registry values are written only when they
 * differ. Registration is never undone, by rollback or otherwise: it holds no state of
 * the deployment, and the events already in the log need it to be read.
 *
 * Under Wine 8 (tests/wine/t_eventlog.sh) the registration is real (registry and
 * file), RegisterEventSourceW returns a handle and ReportEventW only traces: Wine keeps
 * no event log. The program there is the winegcc "rdlsctl.exe.so", which is copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/regpaths.h"
#include "win32/w32.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0"
#endif

#define EL_SOURCE L"rdlsctl"
#define EL_KEY RDLS_KEY_EVENT_SOURCE
/* Administrators and SYSTEM: full control; Users: read (Event Viewer loads the table). */
#define EL_DIR_SDDL L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;GRGX;;;BU)"
#define EL_TYPES 7u /* EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE */
#define EL_STRINGS_MAX 16

/* The token user of this process (TOKEN_USER in buf); NULL on failure with err. */
static PSID token_user(void *buf, DWORD n, rdls_err *err)
{
	HANDLE token = NULL;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
		w32_fail(err, "OpenProcessToken", "this process", GetLastError());
		return NULL;
	}
	DWORD len = 0;
	BOOL ok = GetTokenInformation(token, TokenUser, buf, n, &len);
	DWORD e = GetLastError();
	CloseHandle(token);
	if (!ok) {
		w32_fail(err, "GetTokenInformation", "this process's token user", e);
		return NULL;
	}
	return ((TOKEN_USER *)buf)->User.Sid;
}

union el_tu {
	TOKEN_USER tu;
	BYTE raw[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
};

int w32_process_user(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	union el_tu u;
	PSID sid = token_user(&u, sizeof(u), err);
	if (!sid)
		return -1;
	wchar_t name[256], dom[256];
	DWORD nn = 256, dn = 256;
	SID_NAME_USE use;
	if (!LookupAccountSidW(NULL, sid, name, &nn, dom, &dn, &use))
		return w32_fail(err, "LookupAccountSidW", "this process's user", GetLastError());
	char *un = w32_utf8(name), *ud = w32_utf8(dom);
	int rc = 0;
	if (!un || !ud)
		rc = rdls_err_set(err, "", "this process's user", ERROR_NOT_ENOUGH_MEMORY,
				  "out of memory");
	else if (ud[0])
		snprintf(buf, n, "%s\\%s", ud, un);
	else
		snprintf(buf, n, "%s", un);
	free(un);
	free(ud);
	return rc;
}

/* Whether the files a and b have the same bytes (false if either cannot be read). */
static bool same_content(const wchar_t *a, const wchar_t *b)
{
	HANDLE fa = CreateFileW(a, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
				FILE_ATTRIBUTE_NORMAL, NULL);
	HANDLE fb = CreateFileW(b, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
				FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	bool same = false;
	enum { CHUNK = 65536 };
	BYTE *ba = malloc(2 * CHUNK), *bb = ba ? ba + CHUNK : NULL;
	LARGE_INTEGER sa, sb;
	if (!ba || fa == INVALID_HANDLE_VALUE || fb == INVALID_HANDLE_VALUE ||
	    !GetFileSizeEx(fa, &sa) || !GetFileSizeEx(fb, &sb) || sa.QuadPart != sb.QuadPart)
		goto out;
	for (;;) {
		DWORD na = 0, nb = 0;
		if (!ReadFile(fa, ba, CHUNK, &na, NULL) || !ReadFile(fb, bb, CHUNK, &nb, NULL) ||
		    na != nb || memcmp(ba, bb, na) != 0)
			goto out;
		if (na == 0)
			break;
	}
	same = true;
out:
	free(ba);
	if (fa != INVALID_HANDLE_VALUE)
		CloseHandle(fa);
	if (fb != INVALID_HANDLE_VALUE)
		CloseHandle(fb);
	return same;
}

static wchar_t *wjoin(const wchar_t *a, const wchar_t *b)
{
	size_t la = (size_t)lstrlenW(a), lb = (size_t)lstrlenW(b);
	wchar_t *w = malloc((la + lb + 1) * sizeof(wchar_t));
	if (w) {
		memcpy(w, a, la * sizeof(wchar_t));
		memcpy(w + la, b, (lb + 1) * sizeof(wchar_t));
	}
	return w;
}

static int file_fail(rdls_err *err, const char *api, const wchar_t *path, DWORD code)
{
	char obj[RDLS_ERR_OBJ_MAX];
	char *u = w32_utf8(path);
	snprintf(obj, sizeof(obj), "event message file '%s'", u ? u : "?");
	free(u);
	return w32_fail(err, api, obj, code);
}

/* The message file: this program's copy in ...\eventmsg, made or refreshed. *out malloc'd. */
static int message_file(wchar_t **out, rdls_err *err)
{
	wchar_t *src = hc_exe_path(), *dir = NULL, *dst = NULL, *tmp = NULL;
	int rc = -1;
	*out = NULL;
	if (!src)
		return w32_fail(err, "GetModuleFileNameW", "this program", GetLastError());
	if (hc_private_dir(L"eventmsg", EL_DIR_SDDL, &dir, err) != 0)
		goto out;
	size_t sl = (size_t)lstrlenW(src);
	bool so = sl > 3 && CompareStringOrdinal(src + sl - 3, 3, L".so", 3, TRUE) == CSTR_EQUAL;
	dst = wjoin(dir, so ? L"\\rdlsctl-" RDLS_VERSION L".exe.so" : L"\\rdlsctl-" RDLS_VERSION L".exe");
	tmp = dst ? wjoin(dst, L".new") : NULL;
	if (!tmp) {
		rdls_err_set(err, "", "the event message file", ERROR_NOT_ENOUGH_MEMORY, "out of memory");
		goto out;
	}
	if (!same_content(src, dst)) {
		/* Next to it first, then in its place: a reader sees the old file or the new one. */
		DeleteFileW(tmp);
		if (!CopyFileW(src, tmp, TRUE)) {
			file_fail(err, "CopyFileW", tmp, GetLastError());
			goto out;
		}
		if (!MoveFileExW(tmp, dst, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
			DWORD e = GetLastError(); /* e.g. Event Viewer has the old one loaded */
			DeleteFileW(tmp);
			file_fail(err, "MoveFileExW", dst, e);
			goto out;
		}
	}
	*out = dst;
	dst = NULL;
	rc = 0;
out:
	free(src);
	free(dir);
	free(dst);
	free(tmp);
	return rc;
}

/* Sets HKLM\EL_KEY `name` to v unless it already is v. */
static int reg_ensure(void *ctx, const char *name, const rdls_regval *v, rdls_err *err)
{
	rdls_regval have = { 0 };
	if (w32_reg_get(ctx, EL_KEY, name, &have, err) != 0)
		return -1;
	bool same = rdls_regval_equal(&have, v);
	rdls_regval_release(&have);
	return same ? 0 : w32_reg_set(ctx, EL_KEY, name, v, err);
}

int w32_event_register(void *ctx, rdls_err *err)
{
	wchar_t *file = NULL;
	char *ufile = NULL;
	rdls_regval path = { 0 }, types = { 0 };
	int rc = -1;
	if (message_file(&file, err) != 0)
		goto out;
	ufile = w32_utf8(file);
	if (!ufile || rdls_regval_set_sz(&path, RDLS_REG_EXPAND_SZ, ufile) != 0 ||
	    rdls_regval_set_dword(&types, EL_TYPES) != 0) {
		rdls_err_set(err, "", "event source 'rdlsctl'", ERROR_NOT_ENOUGH_MEMORY, "out of memory");
		goto out;
	}
	if (reg_ensure(ctx, "EventMessageFile", &path, err) != 0 ||
	    reg_ensure(ctx, "TypesSupported", &types, err) != 0)
		goto out;
	rc = 0;
out:
	rdls_regval_release(&path);
	rdls_regval_release(&types);
	free(ufile);
	free(file);
	return rc;
}

int w32_event_write(void *ctx, uint16_t type, uint32_t id, const char *const *strings, size_t n,
		    rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "event %lu of source 'rdlsctl'", (unsigned long)id);
	if (n > EL_STRINGS_MAX)
		return rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER, "too many insertion strings");
	const wchar_t *w[EL_STRINGS_MAX] = { 0 };
	wchar_t *owned[EL_STRINGS_MAX] = { 0 };
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		owned[i] = w32_wide(strings[i] ? strings[i] : "");
		if (!owned[i]) {
			rdls_err_set(err, "", obj, ERROR_NO_UNICODE_TRANSLATION,
				     "insertion string %lu is not valid UTF-8", (unsigned long)i + 1);
			goto out;
		}
		w[i] = owned[i];
	}
	union el_tu u;
	rdls_err ignored;
	rdls_err_clear(&ignored);
	PSID sid = token_user(&u, sizeof(u), &ignored); /* the User column; none if unknown */
	HANDLE h = RegisterEventSourceW(NULL, EL_SOURCE);
	if (!h) {
		w32_fail(err, "RegisterEventSourceW", "event source 'rdlsctl'", GetLastError());
		goto out;
	}
	if (!ReportEventW(h, type, 0, id, sid, (WORD)n, 0, n ? w : NULL, NULL))
		w32_fail(err, "ReportEventW", obj, GetLastError());
	else
		rc = 0;
	DeregisterEventSource(h);
out:
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	return rc;
}
