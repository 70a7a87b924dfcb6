/*
 * Local accounts through netapi32, and LookupAccountNameW. "Does not exist",
 * "already a member" and "not a member" are states here, never failures; the
 * codes follow Microsoft's documentation (a missing group may come back as
 * NERR_GroupNotFound or ERROR_NO_SUCH_ALIAS, depending on the call and version).
 * Under Wine these functions are stubs (docs/HACKING.md, "What Wine cannot show"):
 * the tests replace netapi32 with a stand-in; this file does not know about it.
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <lm.h>

#ifndef NERR_GroupNotFound
#define NERR_GroupNotFound 2220
#endif
#ifndef NERR_UserNotFound
#define NERR_UserNotFound 2221
#endif

static bool group_missing(NET_API_STATUS st)
{
	return st == NERR_GroupNotFound || st == ERROR_NO_SUCH_ALIAS;
}

static void obj_user(char *buf, size_t n, const char *user)
{
	snprintf(buf, n, "user '%s'", user);
}

static void obj_group(char *buf, size_t n, const char *group)
{
	snprintf(buf, n, "group '%s'", group);
}

static void obj_member(char *buf, size_t n, const char *group, const char *member)
{
	snprintf(buf, n, "group '%s' member '%s'", group, member);
}

static int bad_name(rdls_err *err, const char *obj)
{
	return w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
}

int w32_user_get(void *ctx, const char *user, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wuser = w32_wide(user);
	LPBYTE buf = NULL;
	int rc = -1;

	obj_user(obj, sizeof(obj), user);
	*exists = false;
	if (!wuser) {
		bad_name(err, obj);
		goto out;
	}
	NET_API_STATUS st = NetUserGetInfo(NULL, wuser, 0, &buf);
	if (st == NERR_Success)
		*exists = true;
	else if (st != NERR_UserNotFound) {
		w32_fail(err, "NetUserGetInfo", obj, st);
		goto out;
	}
	rc = 0;
out:
	if (buf)
		NetApiBufferFree(buf);
	free(wuser);
	return rc;
}

int w32_user_add(void *ctx, const char *user, const rdls_secret *password, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wuser = w32_wide(user);
	wchar_t *wpw = w32_wide_n(rdls_secret_str(password), rdls_secret_len(password), NULL);
	wchar_t *wcomment = w32_wide("Remote Desktop license server peering (rdlsctl)");
	int rc = -1;

	obj_user(obj, sizeof(obj), user);
	if (!wuser || !wpw || !wcomment) {
		bad_name(err, obj);
		goto out;
	}
	USER_INFO_1 ui;
	memset(&ui, 0, sizeof(ui));
	ui.usri1_name = wuser;
	ui.usri1_password = wpw;
	ui.usri1_priv = USER_PRIV_USER;
	ui.usri1_comment = wcomment;
	ui.usri1_flags = UF_SCRIPT | UF_DONT_EXPIRE_PASSWD | UF_PASSWD_CANT_CHANGE;
	DWORD parm_err = 0;
	NET_API_STATUS st = NetUserAdd(NULL, 1, (LPBYTE)&ui, &parm_err);
	if (st != NERR_Success) {
		w32_fail(err, "NetUserAdd", obj, st);
		goto out;
	}
	rc = 0;
out:
	w32_free_wide_secret(wpw);
	free(wuser);
	free(wcomment);
	return rc;
}

#ifdef __WINE__
/* Wine 8's netapi32 neither declares nor exports NetUserSetInfo: looked up at run time
 * (the tests' netapi32 stand-in has it); missing, it is ERROR_PROC_NOT_FOUND. */
typedef NET_API_STATUS(WINAPI *set_info_fn)(LPCWSTR, LPCWSTR, DWORD, LPBYTE, LPDWORD);
static NET_API_STATUS set_info(LPCWSTR user, DWORD level, LPBYTE buf, LPDWORD parm_err)
{
	HMODULE m = GetModuleHandleW(L"netapi32.dll");
	FARPROC p = m ? GetProcAddress(m, "NetUserSetInfo") : NULL;
	set_info_fn f;
	if (!p)
		return ERROR_PROC_NOT_FOUND;
	memcpy(&f, &p, sizeof(f));
	return f(NULL, user, level, buf, parm_err);
}
#else
static NET_API_STATUS set_info(LPCWSTR user, DWORD level, LPBYTE buf, LPDWORD parm_err)
{
	return NetUserSetInfo(NULL, user, level, buf, parm_err);
}
#endif

/* NetUserSetInfo level 1003: the password alone; the old one is never read (it cannot be). */
int w32_user_set_password(void *ctx, const char *user, const rdls_secret *pw, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wuser = w32_wide(user);
	wchar_t *wpw = w32_wide_n(rdls_secret_str(pw), rdls_secret_len(pw), NULL);
	int rc = -1;

	obj_user(obj, sizeof(obj), user);
	if (!wuser) {
		bad_name(err, obj);
		goto out;
	}
	if (!wpw) {
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER,
			     "the peer secret is not valid UTF-8 text");
		goto out;
	}
	USER_INFO_1003 ui = { .usri1003_password = wpw };
	DWORD parm_err = 0;
	NET_API_STATUS st = set_info(wuser, 1003, (LPBYTE)&ui, &parm_err);
	if (st != NERR_Success) {
		w32_fail(err, "NetUserSetInfo", obj, st);
		goto out;
	}
	rc = 0;
out:
	w32_free_wide_secret(wpw);
	free(wuser);
	return rc;
}

int w32_user_del(void *ctx, const char *user, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wuser = w32_wide(user);
	int rc = -1;

	obj_user(obj, sizeof(obj), user);
	if (!wuser) {
		bad_name(err, obj);
		goto out;
	}
	NET_API_STATUS st = NetUserDel(NULL, wuser);
	if (st != NERR_Success && st != NERR_UserNotFound) {
		w32_fail(err, "NetUserDel", obj, st);
		goto out;
	}
	rc = 0;
out:
	free(wuser);
	return rc;
}

int w32_group_get(void *ctx, const char *group, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group);
	LPBYTE buf = NULL;
	int rc = -1;

	obj_group(obj, sizeof(obj), group);
	*exists = false;
	if (!wgroup) {
		bad_name(err, obj);
		goto out;
	}
	NET_API_STATUS st = NetLocalGroupGetInfo(NULL, wgroup, 0, &buf);
	if (st == NERR_Success)
		*exists = true;
	else if (!group_missing(st)) {
		w32_fail(err, "NetLocalGroupGetInfo", obj, st);
		goto out;
	}
	rc = 0;
out:
	if (buf)
		NetApiBufferFree(buf);
	free(wgroup);
	return rc;
}

int w32_group_add(void *ctx, const char *group, const char *comment, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group), *wcomment = w32_wide(comment ? comment : "");
	int rc = -1;

	obj_group(obj, sizeof(obj), group);
	if (!wgroup || !wcomment) {
		bad_name(err, obj);
		goto out;
	}
	LOCALGROUP_INFO_1 gi;
	gi.lgrpi1_name = wgroup;
	gi.lgrpi1_comment = wcomment;
	DWORD parm_err = 0;
	NET_API_STATUS st = NetLocalGroupAdd(NULL, 1, (LPBYTE)&gi, &parm_err);
	if (st != NERR_Success) {
		w32_fail(err, "NetLocalGroupAdd", obj, st);
		goto out;
	}
	rc = 0;
out:
	free(wgroup);
	free(wcomment);
	return rc;
}

int w32_group_del(void *ctx, const char *group, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group);
	int rc = -1;

	obj_group(obj, sizeof(obj), group);
	if (!wgroup) {
		bad_name(err, obj);
		goto out;
	}
	NET_API_STATUS st = NetLocalGroupDel(NULL, wgroup);
	if (st != NERR_Success && !group_missing(st)) {
		w32_fail(err, "NetLocalGroupDel", obj, st);
		goto out;
	}
	rc = 0;
out:
	free(wgroup);
	return rc;
}

static bool names_equal(const wchar_t *a, const wchar_t *b)
{
	return CompareStringOrdinal(a, -1, b, -1, TRUE) == CSTR_EQUAL;
}

/* "HOST\user" matches "HOST\user"; a bare "user" matches any domain's "user". */
static bool member_matches(const wchar_t *listed, const wchar_t *wanted)
{
	if (names_equal(listed, wanted))
		return true;
	for (const wchar_t *p = wanted; *p; p++)
		if (*p == L'\\')
			return false;
	const wchar_t *name = listed;
	for (const wchar_t *p = listed; *p; p++)
		if (*p == L'\\')
			name = p + 1;
	return names_equal(name, wanted);
}

int w32_member_get(void *ctx, const char *group, const char *member, bool *is_member,
		   rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group), *wmember = w32_wide(member);
	LPBYTE buf = NULL;
	int rc = -1;

	obj_group(obj, sizeof(obj), group);
	*is_member = false;
	if (!wgroup || !wmember) {
		bad_name(err, obj);
		goto out;
	}
	/*
	 * Read to the end (NERR_Success), even after the member is found: an enumeration
	 * abandoned with ERROR_MORE_DATA pending may keep server-side state behind its
	 * resume handle. Each page's buffer is freed, on ERROR_MORE_DATA too (documented).
	 */
	DWORD_PTR resume = 0;
	NET_API_STATUS st;
	do {
		DWORD read = 0, total = 0;
		st = NetLocalGroupGetMembers(NULL, wgroup, 3, &buf, MAX_PREFERRED_LENGTH, &read,
					     &total, &resume);
		if (group_missing(st)) {
			rc = 0; /* no group: nobody is a member */
			goto out;
		}
		if (st != NERR_Success && st != ERROR_MORE_DATA) {
			w32_fail(err, "NetLocalGroupGetMembers", obj, st);
			goto out;
		}
		const LOCALGROUP_MEMBERS_INFO_3 *m = (const LOCALGROUP_MEMBERS_INFO_3 *)buf;
		for (DWORD i = 0; m && i < read && !*is_member; i++)
			if (m[i].lgrmi3_domainandname &&
			    member_matches(m[i].lgrmi3_domainandname, wmember))
				*is_member = true;
		/* The buffer is ours to free on ERROR_MORE_DATA too. */
		if (buf) {
			NetApiBufferFree(buf);
			buf = NULL;
		}
	} while (st == ERROR_MORE_DATA);
	rc = 0;
out:
	if (buf)
		NetApiBufferFree(buf);
	free(wgroup);
	free(wmember);
	return rc;
}

int w32_member_add(void *ctx, const char *group, const char *member, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group), *wmember = w32_wide(member);
	int rc = -1;

	obj_member(obj, sizeof(obj), group, member);
	if (!wgroup || !wmember) {
		bad_name(err, obj);
		goto out;
	}
	LOCALGROUP_MEMBERS_INFO_3 mi;
	mi.lgrmi3_domainandname = wmember;
	NET_API_STATUS st = NetLocalGroupAddMembers(NULL, wgroup, 3, (LPBYTE)&mi, 1);
	if (st != NERR_Success && st != ERROR_MEMBER_IN_ALIAS) {
		w32_fail(err, "NetLocalGroupAddMembers", obj, st);
		goto out;
	}
	rc = 0;
out:
	free(wgroup);
	free(wmember);
	return rc;
}

int w32_member_del(void *ctx, const char *group, const char *member, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wgroup = w32_wide(group), *wmember = w32_wide(member);
	int rc = -1;

	obj_member(obj, sizeof(obj), group, member);
	if (!wgroup || !wmember) {
		bad_name(err, obj);
		goto out;
	}
	LOCALGROUP_MEMBERS_INFO_3 mi;
	mi.lgrmi3_domainandname = wmember;
	NET_API_STATUS st = NetLocalGroupDelMembers(NULL, wgroup, 3, (LPBYTE)&mi, 1);
	/* Not a member, no such account any more (ERROR_NO_SUCH_MEMBER: the user was deleted
	 * with its memberships), or no group at all: the membership is already gone. */
	if (st != NERR_Success && st != ERROR_MEMBER_NOT_IN_ALIAS && st != ERROR_NO_SUCH_MEMBER &&
	    !group_missing(st)) {
		w32_fail(err, "NetLocalGroupDelMembers", obj, st);
		goto out;
	}
	rc = 0;
out:
	free(wgroup);
	free(wmember);
	return rc;
}

static enum rdls_sid_use map_sid_use(SID_NAME_USE use)
{
	switch (use) {
	case SidTypeUser: return RDLS_SID_USER;
	case SidTypeGroup: return RDLS_SID_GROUP;
	case SidTypeDomain: return RDLS_SID_DOMAIN;
	case SidTypeAlias: return RDLS_SID_ALIAS;
	case SidTypeWellKnownGroup: return RDLS_SID_WELL_KNOWN_GROUP;
	default: return RDLS_SID_OTHER;
	}
}

int w32_account_lookup(void *ctx, const char *name, enum rdls_sid_use *use, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wname = w32_wide(name), *dom = NULL;
	PSID sid = NULL;
	int rc = -1;

	snprintf(obj, sizeof(obj), "account '%s'", name);
	*use = RDLS_SID_NONE;
	if (!wname) {
		bad_name(err, obj);
		goto out;
	}
	DWORD sid_size = SECURITY_MAX_SID_SIZE, dom_len = 64;
	for (int attempt = 0;; attempt++) {
		PSID nsid = realloc(sid, sid_size);
		wchar_t *ndom = nsid ? realloc(dom, ((size_t)dom_len + 1) * sizeof(wchar_t)) : NULL;
		if (nsid)
			sid = nsid;
		if (ndom)
			dom = ndom;
		if (!nsid || !ndom) {
			w32_fail(err, "LookupAccountNameW", obj, ERROR_NOT_ENOUGH_MEMORY);
			goto out;
		}
		SID_NAME_USE snu = SidTypeUnknown;
		DWORD s = sid_size, d = dom_len + 1;
		if (LookupAccountNameW(NULL, wname, sid, &s, dom, &d, &snu)) {
			*use = map_sid_use(snu);
			break;
		}
		DWORD e = GetLastError();
		if (e == ERROR_NONE_MAPPED)
			break; /* RDLS_SID_NONE */
		if (e != ERROR_INSUFFICIENT_BUFFER || attempt >= 4) {
			w32_fail(err, "LookupAccountNameW", obj, e);
			goto out;
		}
		/* The sizes it asked for (domain length includes the terminator). */
		sid_size = s > sid_size ? s : sid_size * 2;
		dom_len = d > dom_len ? d : dom_len * 2;
	}
	rc = 0;
out:
	free(sid);
	free(dom);
	free(wname);
	return rc;
}
