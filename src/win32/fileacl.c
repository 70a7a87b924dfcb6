/*
 * Security facts of files and directories (sys.h: path_sec, file_sec): attributes,
 * owner and the allow ACEs of the DACL, each SID classified for the core. What they
 * mean (may rdlsctl trust a journal or a folder, who else may read a password file)
 * is decided in src/trust.c; nothing here decides.
 *
 * Under Wine (winegcc, glibc's FILE) the path may be a Unix path: it is mapped to
 * the DOS name Wine gives it. Wine builds the security descriptor of a file that
 * has no stored one from its Unix mode: the "others" bits become an Everyone ACE,
 * the group bits none (measured with tests/wine/t_secret_sources.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#if !defined(__WINE__)
#include <io.h>
#endif

#include <aclapi.h>
#include <sddl.h>

#if defined(__WINE__)
/* Declared here rather than through <wine/...> headers: one prototype, Wine-only. */
WCHAR *CDECL wine_get_dos_file_name(const char *unix_name);
#endif

/* The file's path as Win32 file APIs take it; free() the result. */
wchar_t *w32_dos_path(const char *path)
{
#if defined(__WINE__)
	if (path[0] == '/') {
		WCHAR *d = wine_get_dos_file_name(path);
		if (!d)
			return NULL;
		size_t len = (size_t)lstrlenW(d) + 1;
		wchar_t *w = malloc(len * sizeof(wchar_t));
		if (w)
			memcpy(w, d, len * sizeof(wchar_t));
		HeapFree(GetProcessHeap(), 0, d);
		return w;
	}
#endif
	return w32_wide(path);
}

/* The TOKEN_USER of this process; free() the result. */
static TOKEN_USER *token_user(DWORD *e)
{
	HANDLE tok = NULL;
	TOKEN_USER *tu = NULL;
	DWORD size = 64;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
		*e = GetLastError();
		return NULL;
	}
	for (int attempt = 0; attempt < 4; attempt++) {
		free(tu);
		tu = malloc(size);
		if (!tu) {
			*e = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		if (GetTokenInformation(tok, TokenUser, tu, size, &size))
			break;
		*e = GetLastError();
		free(tu);
		tu = NULL;
		if (*e != ERROR_INSUFFICIENT_BUFFER)
			break;
	}
	CloseHandle(tok);
	return tu;
}

/* "DOMAIN\name" of sid, or its S-1-... form when it maps to no account. */
static void sid_name(PSID sid, char *buf, size_t n)
{
	wchar_t name[256], dom[256];
	DWORD nl = 256, dl = 256;
	SID_NAME_USE use;
	char *u = NULL;
	if (LookupAccountSidW(NULL, sid, name, &nl, dom, &dl, &use)) {
		wchar_t full[520] = L"";
		if (dom[0]) {
			lstrcpynW(full, dom, 256);
			lstrcatW(full, L"\\");
		}
		lstrcatW(full, name);
		u = w32_utf8(full);
	} else {
		LPWSTR s = NULL;
		if (ConvertSidToStringSidW(sid, &s)) {
			u = w32_utf8(s);
			LocalFree(s);
		}
	}
	snprintf(buf, n, "%s", u ? u : "an unknown account");
	free(u);
}

/* ------------------------------------------------- security facts (sys.h) */

/* NT SERVICE\TrustedInstaller: a service SID, so not in CreateWellKnownSid's list. */
#define TRUSTED_INSTALLER_SID L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

/* What sid is to the core (sys.h's enum rdls_who). */
static enum rdls_who classify(PSID sid, PSID me)
{
	static const WELL_KNOWN_SID_TYPE kinds[] = { WinBuiltinAdministratorsSid, WinLocalSystemSid,
						     WinCreatorOwnerSid, WinCreatorGroupSid,
						     WinCreatorOwnerRightsSid };
	static const enum rdls_who whos[] = { RDLS_WHO_ADMINS, RDLS_WHO_SYSTEM, RDLS_WHO_CREATOR,
					      RDLS_WHO_CREATOR, RDLS_WHO_OWNER_RIGHTS };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		BYTE buf[SECURITY_MAX_SID_SIZE];
		DWORD size = sizeof(buf);
		if (CreateWellKnownSid(kinds[i], NULL, buf, &size) && EqualSid(sid, buf))
			return whos[i];
	}
	PSID ti = NULL;
	enum rdls_who who = RDLS_WHO_OTHER;
	if (ConvertStringSidToSidW(TRUSTED_INSTALLER_SID, &ti)) {
		if (EqualSid(sid, ti))
			who = RDLS_WHO_TRUSTED_INSTALLER;
		LocalFree(ti);
	}
	if (who == RDLS_WHO_OTHER && me && EqualSid(sid, me))
		who = RDLS_WHO_SELF;
	return who;
}

/* Attributes, volume capability, owner and allow ACEs of the open handle h. */
int w32_handle_sec(HANDLE h, const char *obj, rdls_file_sec *out, rdls_err *err)
{
	BY_HANDLE_FILE_INFORMATION bi;
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL;
	PACL dacl = NULL;
	TOKEN_USER *me = NULL;
	DWORD vflags = 0, e = 0;
	int rc = -1;

	if (!GetFileInformationByHandle(h, &bi))
		return w32_fail(err, "GetFileInformationByHandle", obj, GetLastError());
	out->exists = true;
	out->reparse = (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
	out->directory = (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
	if (!GetVolumeInformationByHandleW(h, NULL, 0, NULL, NULL, &vflags, NULL, 0))
		return w32_fail(err, "GetVolumeInformationByHandleW", obj, GetLastError());
	if (!(vflags & FILE_PERSISTENT_ACLS)) {
		out->state = RDLS_SEC_UNSUPPORTED; /* FAT, exFAT: no descriptor to read */
		return 0;
	}
	e = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
			    &owner, NULL, &dacl, NULL, &sd);
	if (e != ERROR_SUCCESS)
		return w32_fail(err, "GetSecurityInfo", obj, e);
	if (!owner) {
		out->state = RDLS_SEC_UNAVAILABLE;
		rc = 0;
		goto out;
	}
	me = token_user(&e);
	if (!me) {
		w32_fail(err, "GetTokenInformation", "this process's token", e);
		goto out;
	}
	out->state = RDLS_SEC_KNOWN;
	out->owner = classify(owner, me->User.Sid);
	/* Wine runs everything as one account (its ntdll exports wine_get_version). */
	out->one_account = GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
	sid_name(owner, out->owner_name, sizeof(out->owner_name));
	BOOL present = FALSE, defaulted = FALSE;
	PACL d = NULL;
	if (!GetSecurityDescriptorDacl(sd, &present, &d, &defaulted)) {
		w32_fail(err, "GetSecurityDescriptorDacl", obj, GetLastError());
		goto out;
	}
	if (!present || !d) {
		out->null_dacl = true;
		rc = 0;
		goto out;
	}
	for (DWORD i = 0; i < d->AceCount; i++) {
		void *ace = NULL;
		if (!GetAce(d, i, &ace)) {
			w32_fail(err, "GetAce", obj, GetLastError());
			goto out;
		}
		const ACE_HEADER *hd = ace;
		if (hd->AceType != ACCESS_ALLOWED_ACE_TYPE)
			continue; /* deny ACEs only take away; object ACEs do not occur on files */
		if (out->n_aces == RDLS_SEC_ACES_MAX) {
			out->more_aces = true;
			break;
		}
		const ACCESS_ALLOWED_ACE *a = ace;
		rdls_sec_ace *o = &out->aces[out->n_aces++];
		PSID sid = (PSID)&a->SidStart;
		o->who = classify(sid, me->User.Sid);
		o->mask = a->Mask;
		o->inherit_only = (hd->AceFlags & INHERIT_ONLY_ACE) != 0;
		sid_name(sid, o->name, sizeof(o->name));
	}
	rc = 0;
out:
	if (sd)
		LocalFree(sd);
	free(me);
	return rc;
}

int w32_path_sec(void *ctx, const char *path, rdls_file_sec *out, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wpath = w32_dos_path(path);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(obj, sizeof(obj), "'%s'", path);
	if (!wpath)
		return w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
	/* The link itself, never its target; READ_CONTROL only, so sharing never blocks it. */
	HANDLE h = CreateFileW(wpath, READ_CONTROL | FILE_READ_ATTRIBUTES,
			       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			rc = 0;
		else
			w32_fail(err, "CreateFileW", obj, e);
		goto out;
	}
	rc = w32_handle_sec(h, obj, out, err);
	CloseHandle(h);
out:
	free(wpath);
	return rc;
}

int w32_file_sec(void *ctx, FILE *f, const char *path, rdls_file_sec *out, rdls_err *err)
{
#if defined(__WINE__)
	/* glibc's FILE has no Windows handle behind it: by name. Wine keeps no file
	 * descriptors anyway (it derives one from the Unix mode), so no race is lost. */
	(void)f;
	return w32_path_sec(ctx, path, out, err);
#else
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	memset(out, 0, sizeof(*out));
	snprintf(obj, sizeof(obj), "file '%s'", path);
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
	if (h == INVALID_HANDLE_VALUE)
		return w32_fail(err, "_get_osfhandle", obj, ERROR_INVALID_HANDLE);
	return w32_handle_sec(h, obj, out, err);
#endif
}

/* Directory of the journals: only Administrators and SYSTEM, inherited by what is made in it. */
#define DIR_SDDL L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)"

int w32_dir_create(void *ctx, const char *path, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wpath = w32_dos_path(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	int rc = -1;

	*exists = false;
	snprintf(obj, sizeof(obj), "directory '%s'", path);
	if (!wpath)
		return w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(DIR_SDDL, SDDL_REVISION_1, &sd,
								  NULL)) {
		w32_fail(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", obj,
			 GetLastError());
		goto out;
	}
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	if (!CreateDirectoryW(wpath, &sa)) {
		DWORD e = GetLastError();
		if (e != ERROR_ALREADY_EXISTS) {
			w32_fail(err, "CreateDirectoryW", obj, e);
			goto out;
		}
		*exists = true;
	}
	rc = 0;
out:
	if (sd)
		LocalFree(sd);
	free(wpath);
	return rc;
}

int w32_dir_list(void *ctx, const char *path, char ***names, size_t *n, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wdir = w32_dos_path(path), *pattern = NULL;
	char **v = NULL;
	size_t count = 0, cap = 0;
	HANDLE fh = INVALID_HANDLE_VALUE;
	int rc = -1;

	*names = NULL;
	*n = 0;
	snprintf(obj, sizeof(obj), "directory '%s'", path);
	if (!wdir) {
		w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
		goto out;
	}
	size_t len = (size_t)lstrlenW(wdir);
	pattern = malloc((len + 3) * sizeof(wchar_t));
	if (!pattern) {
		w32_fail(err, "FindFirstFileW", obj, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	memcpy(pattern, wdir, len * sizeof(wchar_t));
	memcpy(pattern + len, L"\\*", 3 * sizeof(wchar_t));
	WIN32_FIND_DATAW fd;
	fh = FindFirstFileW(pattern, &fd);
	if (fh == INVALID_HANDLE_VALUE) {
		w32_fail(err, "FindFirstFileW", obj, GetLastError());
		goto out;
	}
	do {
		if (!lstrcmpW(fd.cFileName, L".") || !lstrcmpW(fd.cFileName, L".."))
			continue;
		if (count == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				w32_fail(err, "FindNextFileW", obj, ERROR_NOT_ENOUGH_MEMORY);
				goto out;
			}
			v = nv;
			cap = nc;
		}
		v[count] = w32_utf8(fd.cFileName);
		if (!v[count]) {
			w32_fail(err, "WideCharToMultiByte", obj, ERROR_NO_UNICODE_TRANSLATION);
			goto out;
		}
		count++;
	} while (FindNextFileW(fh, &fd));
	DWORD e = GetLastError();
	if (e != ERROR_NO_MORE_FILES) {
		w32_fail(err, "FindNextFileW", obj, e);
		goto out;
	}
	*names = v;
	*n = count;
	v = NULL;
	count = 0;
	rc = 0;
out:
	for (size_t i = 0; i < count; i++)
		free(v[i]);
	free(v);
	if (fh != INVALID_HANDLE_VALUE)
		FindClose(fh);
	free(pattern);
	free(wdir);
	return rc;
}

int w32_path_rename(void *ctx, const char *from, const char *to, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wfrom = w32_dos_path(from), *wto = w32_dos_path(to);
	int rc = -1;

	snprintf(obj, sizeof(obj), "'%s' to '%s'", from, to);
	if (!wfrom || !wto)
		w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
	else if (!MoveFileExW(wfrom, wto, 0)) /* no MOVEFILE_REPLACE_EXISTING */
		w32_fail(err, "MoveFileExW", obj, GetLastError());
	else
		rc = 0;
	free(wfrom);
	free(wto);
	return rc;
}

int w32_exe_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	wchar_t path[32768];
	DWORD got = GetModuleFileNameW(NULL, path, (DWORD)(sizeof(path) / sizeof(path[0])));
	if (got == 0 || got >= sizeof(path) / sizeof(path[0]))
		return w32_fail(err, "GetModuleFileNameW", "this program",
				got ? ERROR_INSUFFICIENT_BUFFER : GetLastError());
	while (got > 0 && path[got - 1] != L'\\' && path[got - 1] != L'/')
		got--;
	if (got > 1)
		got--; /* the separator; "C:\" keeps its own */
	path[got] = 0;
	char *u = w32_utf8(path);
	if (!u)
		return w32_fail(err, "WideCharToMultiByte", "this program's folder",
				ERROR_NO_UNICODE_TRANSLATION);
	int rc = 0;
	if (strlen(u) >= n)
		rc = w32_fail(err, "", "this program's folder", ERROR_INSUFFICIENT_BUFFER);
	else
		memcpy(buf, u, strlen(u) + 1);
	free(u);
	return rc;
}
