/*
 * Who besides this account may read a file: the password file of
 * `password = file:PATH`. The Windows counterpart of POSIX's "group or others may
 * read": an allow ACE of the file's DACL that grants read access to anyone other
 * than the file's owner (also as OWNER RIGHTS), this process's user,
 * BUILTIN\Administrators and SYSTEM (a NULL DACL grants everyone everything). Deny ACEs are not weighed against
 * it: this only decides whether to warn, and then errs towards warning.
 *
 * Under Wine (winegcc, glibc's FILE) the path may be a Unix path: it is mapped to
 * the DOS name Wine gives it. Wine builds the security descriptor of a file that
 * has no stored one from its Unix mode: the "others" bits become an Everyone ACE,
 * the group bits none (measured with tests/wine/t_secret_sources.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <aclapi.h>
#include <sddl.h>

#if defined(__WINE__)
/* Declared here rather than through <wine/...> headers: one prototype, Wine-only. */
WCHAR *CDECL wine_get_dos_file_name(const char *unix_name);
#endif

/* The file's path as GetNamedSecurityInfoW takes it; free() the result. */
static wchar_t *dos_path(const char *path)
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

int w32_file_shared(void *ctx, FILE *f, const char *path, bool *shared, char *who, size_t n,
		    rdls_err *err)
{
	(void)ctx;
	(void)f; /* by name: under Wine f is glibc's, with no Windows handle behind it */
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wpath = dos_path(path);
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	PSID owner = NULL;
	TOKEN_USER *me = NULL;
	BYTE admins[SECURITY_MAX_SID_SIZE], system[SECURITY_MAX_SID_SIZE];
	BYTE owner_rights[SECURITY_MAX_SID_SIZE];
	DWORD as = sizeof(admins), ss = sizeof(system), os = sizeof(owner_rights), e = 0;
	int rc = -1;

	snprintf(obj, sizeof(obj), "file '%s'", path);
	*shared = false;
	if (n)
		who[0] = '\0';
	if (!wpath) {
		w32_fail_text(err, "", obj, 0, "path is not valid UTF-8 or out of memory");
		goto out;
	}
	e = GetNamedSecurityInfoW(wpath, SE_FILE_OBJECT,
				  OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner, NULL,
				  &dacl, NULL, &sd);
	if (e != ERROR_SUCCESS) {
		w32_fail(err, "GetNamedSecurityInfoW", obj, e);
		goto out;
	}
	if (!dacl) {
		*shared = true;
		snprintf(who, n, "it has no DACL, so everyone");
		rc = 0;
		goto out;
	}
	me = token_user(&e);
	if (!me) {
		w32_fail(err, "GetTokenInformation", "this process's token", e);
		goto out;
	}
	if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &as) ||
	    !CreateWellKnownSid(WinLocalSystemSid, NULL, system, &ss) ||
	    !CreateWellKnownSid(WinCreatorOwnerRightsSid, NULL, owner_rights, &os)) {
		w32_fail(err, "CreateWellKnownSid", "a well-known account", GetLastError());
		goto out;
	}
	for (DWORD i = 0; i < dacl->AceCount; i++) {
		void *ace = NULL;
		if (!GetAce(dacl, i, &ace)) {
			w32_fail(err, "GetAce", obj, GetLastError());
			goto out;
		}
		const ACE_HEADER *h = ace;
		if (h->AceType != ACCESS_ALLOWED_ACE_TYPE || (h->AceFlags & INHERIT_ONLY_ACE))
			continue;
		const ACCESS_ALLOWED_ACE *a = ace;
		if (!(a->Mask & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)))
			continue;
		PSID sid = (PSID)&a->SidStart;
		if ((owner && EqualSid(sid, owner)) || EqualSid(sid, me->User.Sid) ||
		    EqualSid(sid, admins) || EqualSid(sid, system) || EqualSid(sid, owner_rights))
			continue;
		*shared = true;
		sid_name(sid, who, n);
		break;
	}
	rc = 0;
out:
	if (sd)
		LocalFree(sd);
	free(me);
	free(wpath);
	return rc;
}
