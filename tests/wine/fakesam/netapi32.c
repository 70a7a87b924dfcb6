/*
 * A test-only stand-in for the local account database: netapi32.dll.
 *
 * Why: under Wine the local account functions are stubs (see docs/HACKING.md, "What
 * Wine cannot show"), so an end-to-end test could not tell a working apply from a broken one. This PE
 * DLL (built with mingw-w64) is placed beside the program under test and enabled with
 * WINEDLLOVERRIDES=netapi32=n; the shipped rdlsctl knows nothing of it.
 *
 * What: the user, local group and membership functions rdlsctl calls, with the return
 * codes Microsoft documents for them, over a state file that every call reads and every
 * change rewrites atomically (temp file + MoveFileEx) under a named mutex, so separate
 * processes see one database and a killed process never leaves a torn file.
 *
 *   state file   %RDLS_FAKESAM_FILE%, default C:\rdls-fakesam.txt (inside the prefix)
 *   never stored a password: a user only records whether one was set
 *
 * Knobs for tests (environment):
 *   RDLS_FAKESAM_COMPUTERNAME  the computer name this database belongs to (default: the
 *                              real GetComputerNameW name, which is also always accepted);
 *                              the tests run as LICSVR1 on a machine that is not
 *   RDLS_FAKESAM_GROUP_EXISTS  code for "local group exists" (default 1379 ERROR_ALIAS_EXISTS,
 *                              what Windows returns; 2223 NERR_GroupExists is also documented)
 *   RDLS_FAKESAM_NO_GROUP      code for "local group not found" in every function (default:
 *                              each function's documented code: 1376 ERROR_NO_SUCH_ALIAS for
 *                              NetLocalGroupGetMembers, 2220 NERR_GroupNotFound elsewhere;
 *                              NetLocalGroupDel documents both)
 *   RDLS_FAKESAM_FAIL          "NetUserAdd=5,NetLocalGroupAdd=1379": these functions fail
 *                              with that code and change nothing
 *
 * File format (UTF-8, one record a line, fields separated by TAB, bytes < 0x20, '%' and
 * 0x7f escaped as %XX):
 *   next_rid <TAB> N
 *   user     <TAB> name <TAB> rid <TAB> priv <TAB> flags (hex) <TAB> password <TAB> comment
 *            password: none | set (by NetUserAdd) | set:N (then changed N times with
 *            NetUserSetInfo level 1003): a count, never anything of the password
 *   group    <TAB> name <TAB> rid <TAB> comment
 *   member   <TAB> group name <TAB> user name
 */
#include <windows.h>
#include <lm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_USER_MAX 20    /* user account names: at most 20 characters */
#define FS_GROUP_MAX 256  /* group names: at most 256 characters */
#define FS_DEFAULT_FILE L"C:\\rdls-fakesam.txt"
#define FS_MUTEX L"rdls-fakesam-lock"
#define FS_FIRST_RID 1000
/* The synthetic machine SID S-1-5-21-1000000001-1000000002-1000000003: visibly not real. */
#define FS_SUB1 1000000001u
#define FS_SUB2 1000000002u
#define FS_SUB3 1000000003u

typedef struct fs_user {
	WCHAR *name;
	WCHAR *comment;
	DWORD rid;
	DWORD priv;
	DWORD flags;
	BOOL password_set;
	DWORD password_changes; /* NetUserSetInfo 1003 calls that set one */
} fs_user;

typedef struct fs_group {
	WCHAR *name;
	WCHAR *comment;
	DWORD rid;
} fs_group;

typedef struct fs_member {
	WCHAR *group;
	WCHAR *user;
} fs_member;

typedef struct fs_db {
	fs_user *users;
	size_t nusers;
	fs_group *groups;
	size_t ngroups;
	fs_member *members;
	size_t nmembers;
	DWORD next_rid;
	HANDLE lock;
} fs_db;

/* ---------------------------------------------------------------- strings */

static WCHAR *fs_wcsdup(const WCHAR *s)
{
	size_t n = (s ? wcslen(s) : 0) + 1;
	WCHAR *d = malloc(n * sizeof(WCHAR));
	if (d) {
		if (s)
			memcpy(d, s, n * sizeof(WCHAR));
		else
			d[0] = 0;
	}
	return d;
}

/* Account names compare case-insensitively, as Windows compares them. */
static BOOL fs_eq(const WCHAR *a, const WCHAR *b)
{
	return CompareStringOrdinal(a, -1, b, -1, TRUE) == CSTR_EQUAL;
}

static BOOL fs_eqn(const WCHAR *a, size_t na, const WCHAR *b)
{
	return CompareStringOrdinal(a, (int)na, b, -1, TRUE) == CSTR_EQUAL;
}

static DWORD fs_env_dword(const WCHAR *name, DWORD dflt)
{
	WCHAR buf[32];
	DWORD n = GetEnvironmentVariableW(name, buf, 32);
	if (n == 0 || n >= 32)
		return dflt;
	return (DWORD)wcstoul(buf, NULL, 10);
}

/* RDLS_FAKESAM_FAIL: "Func=code,Func=code". */
static BOOL fs_injected(const WCHAR *func, NET_API_STATUS *code)
{
	WCHAR buf[1024];
	DWORD n = GetEnvironmentVariableW(L"RDLS_FAKESAM_FAIL", buf, 1024);
	if (n == 0 || n >= 1024)
		return FALSE;
	size_t flen = wcslen(func);
	for (WCHAR *p = buf; *p;) {
		WCHAR *end = wcschr(p, L',');
		if (end)
			*end = 0;
		WCHAR *eq = wcschr(p, L'=');
		if (eq && (size_t)(eq - p) == flen && wcsncmp(p, func, flen) == 0) {
			*code = (NET_API_STATUS)wcstoul(eq + 1, NULL, 10);
			return TRUE;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return FALSE;
}

static void fs_computer_name(WCHAR *buf, DWORD n)
{
	DWORD got = GetEnvironmentVariableW(L"RDLS_FAKESAM_COMPUTERNAME", buf, n);
	if (got > 0 && got < n)
		return;
	DWORD len = n;
	if (!GetComputerNameW(buf, &len))
		lstrcpynW(buf, L"LOCALHOST", (int)n);
}

/* Is `dom` (n characters) a name of this computer? */
static BOOL fs_is_local(const WCHAR *dom, size_t n)
{
	WCHAR name[MAX_COMPUTERNAME_LENGTH + 64];
	DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
	if (n == 1 && dom[0] == L'.')
		return TRUE;
	fs_computer_name(name, (DWORD)(sizeof name / sizeof name[0]));
	if (fs_eqn(dom, n, name))
		return TRUE;
	if (GetComputerNameW(name, &len) && fs_eqn(dom, n, name))
		return TRUE;
	return FALSE;
}

/* servername: NULL, "" or this computer (with or without leading backslashes). */
static BOOL fs_server_ok(LPCWSTR server)
{
	if (!server || !*server)
		return TRUE;
	while (*server == L'\\')
		server++;
	return fs_is_local(server, wcslen(server));
}

/* The documented rules: not empty, no " / \ [ ] : | < > + = ; , ? * or control
 * characters, not ending with a period, at most `max` characters. */
static BOOL fs_valid_name(const WCHAR *s, size_t max)
{
	size_t n;
	if (!s || !*s)
		return FALSE;
	n = wcslen(s);
	if (n > max || s[n - 1] == L'.')
		return FALSE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 32 || wcschr(L"\"/\\[]:|<>+=;,?*", s[i]))
			return FALSE;
	}
	return TRUE;
}

/* ---------------------------------------------------------------- database */

static void fs_db_free(fs_db *db)
{
	for (size_t i = 0; i < db->nusers; i++) {
		free(db->users[i].name);
		free(db->users[i].comment);
	}
	for (size_t i = 0; i < db->ngroups; i++) {
		free(db->groups[i].name);
		free(db->groups[i].comment);
	}
	for (size_t i = 0; i < db->nmembers; i++) {
		free(db->members[i].group);
		free(db->members[i].user);
	}
	free(db->users);
	free(db->groups);
	free(db->members);
	db->users = NULL;
	db->groups = NULL;
	db->members = NULL;
	db->nusers = db->ngroups = db->nmembers = 0;
}

static fs_user *fs_find_user(fs_db *db, const WCHAR *name)
{
	for (size_t i = 0; i < db->nusers; i++)
		if (fs_eq(db->users[i].name, name))
			return &db->users[i];
	return NULL;
}

static fs_user *fs_find_user_n(fs_db *db, const WCHAR *name, size_t n)
{
	for (size_t i = 0; i < db->nusers; i++)
		if (fs_eqn(name, n, db->users[i].name))
			return &db->users[i];
	return NULL;
}

static fs_user *fs_find_user_rid(fs_db *db, DWORD rid)
{
	for (size_t i = 0; i < db->nusers; i++)
		if (db->users[i].rid == rid)
			return &db->users[i];
	return NULL;
}

static fs_group *fs_find_group(fs_db *db, const WCHAR *name)
{
	for (size_t i = 0; i < db->ngroups; i++)
		if (fs_eq(db->groups[i].name, name))
			return &db->groups[i];
	return NULL;
}

static BOOL fs_find_group_n(fs_db *db, const WCHAR *name, size_t n)
{
	for (size_t i = 0; i < db->ngroups; i++)
		if (fs_eqn(name, n, db->groups[i].name))
			return TRUE;
	return FALSE;
}

static long fs_find_member(fs_db *db, const WCHAR *group, const WCHAR *user)
{
	for (size_t i = 0; i < db->nmembers; i++)
		if (fs_eq(db->members[i].group, group) && fs_eq(db->members[i].user, user))
			return (long)i;
	return -1;
}

static void fs_remove_member_at(fs_db *db, size_t i)
{
	free(db->members[i].group);
	free(db->members[i].user);
	db->members[i] = db->members[db->nmembers - 1];
	db->nmembers--;
}

static BOOL fs_grow(void **arr, size_t n, size_t elem)
{
	void *p = realloc(*arr, (n + 1) * elem);
	if (!p)
		return FALSE;
	*arr = p;
	return TRUE;
}

static BOOL fs_add_user(fs_db *db, const fs_user *u)
{
	if (!fs_grow((void **)&db->users, db->nusers, sizeof *db->users))
		return FALSE;
	db->users[db->nusers++] = *u;
	return TRUE;
}

static BOOL fs_add_group(fs_db *db, const fs_group *g)
{
	if (!fs_grow((void **)&db->groups, db->ngroups, sizeof *db->groups))
		return FALSE;
	db->groups[db->ngroups++] = *g;
	return TRUE;
}

static BOOL fs_add_member(fs_db *db, WCHAR *group, WCHAR *user)
{
	if (!fs_grow((void **)&db->members, db->nmembers, sizeof *db->members))
		return FALSE;
	db->members[db->nmembers].group = group;
	db->members[db->nmembers].user = user;
	db->nmembers++;
	return TRUE;
}

/* ---------------------------------------------------------------- the file */

static void fs_path(WCHAR *buf, DWORD n)
{
	DWORD got = GetEnvironmentVariableW(L"RDLS_FAKESAM_FILE", buf, n);
	if (got == 0 || got >= n)
		lstrcpynW(buf, FS_DEFAULT_FILE, (int)n);
}

static int fs_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes the UTF-8 field [s, s+n) and converts it to UTF-16. */
static WCHAR *fs_field(const char *s, size_t n)
{
	char *tmp = malloc(n + 1);
	size_t k = 0;
	WCHAR *w = NULL;
	int wn;
	if (!tmp)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && fs_hex(s[i + 1]) >= 0 && fs_hex(s[i + 2]) >= 0) {
			tmp[k++] = (char)(fs_hex(s[i + 1]) * 16 + fs_hex(s[i + 2]));
			i += 2;
		} else {
			tmp[k++] = s[i];
		}
	}
	tmp[k] = 0;
	wn = MultiByteToWideChar(CP_UTF8, 0, tmp, -1, NULL, 0);
	if (wn > 0 && (w = malloc((size_t)wn * sizeof(WCHAR))) != NULL)
		MultiByteToWideChar(CP_UTF8, 0, tmp, -1, w, wn);
	free(tmp);
	return w;
}

#define FS_MAX_FIELDS 8

/* Parses one line into fields; returns the number of fields. */
static int fs_split(char *line, WCHAR **out)
{
	int nf = 0;
	char *p = line;
	for (;;) {
		char *tab = strchr(p, '\t');
		size_t n = tab ? (size_t)(tab - p) : strlen(p);
		if (nf == FS_MAX_FIELDS)
			break;
		out[nf] = fs_field(p, n);
		if (!out[nf])
			break;
		nf++;
		if (!tab)
			break;
		p = tab + 1;
	}
	return nf;
}

/* Loads the database; a missing file is an empty database. */
static NET_API_STATUS fs_load(fs_db *db)
{
	WCHAR path[MAX_PATH];
	HANDLE h;
	LARGE_INTEGER size;
	char *text;
	DWORD got = 0;

	db->next_rid = FS_FIRST_RID;
	fs_path(path, MAX_PATH);
	h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		return (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) ? NERR_Success
										 : NERR_InternalError;
	}
	if (!GetFileSizeEx(h, &size) || size.QuadPart > 64 * 1024 * 1024) {
		CloseHandle(h);
		return NERR_InternalError;
	}
	text = malloc((size_t)size.QuadPart + 1);
	if (!text || !ReadFile(h, text, (DWORD)size.QuadPart, &got, NULL) ||
	    got != (DWORD)size.QuadPart) {
		free(text);
		CloseHandle(h);
		return NERR_InternalError;
	}
	CloseHandle(h);
	text[got] = 0;

	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		WCHAR *f[FS_MAX_FIELDS] = { 0 };
		int nf;
		BOOL used = FALSE;
		if (nl)
			*nl = 0;
		if (*line && *line != '#') {
			nf = fs_split(line, f);
			if (nf == 2 && fs_eq(f[0], L"next_rid")) {
				db->next_rid = (DWORD)wcstoul(f[1], NULL, 10);
			} else if (nf == 7 && fs_eq(f[0], L"user")) {
				fs_user u = { f[1], f[6], (DWORD)wcstoul(f[2], NULL, 10),
					      (DWORD)wcstoul(f[3], NULL, 10),
					      (DWORD)wcstoul(f[4], NULL, 16),
					      fs_eq(f[5], L"set") || !wcsncmp(f[5], L"set:", 4),
					      !wcsncmp(f[5], L"set:", 4) ? (DWORD)wcstoul(f[5] + 4, NULL, 10) : 0 };
				used = fs_add_user(db, &u);
				if (used)
					f[1] = f[6] = NULL;
			} else if (nf == 4 && fs_eq(f[0], L"group")) {
				fs_group g = { f[1], f[3], (DWORD)wcstoul(f[2], NULL, 10) };
				used = fs_add_group(db, &g);
				if (used)
					f[1] = f[3] = NULL;
			} else if (nf == 3 && fs_eq(f[0], L"member")) {
				used = fs_add_member(db, f[1], f[2]);
				if (used)
					f[1] = f[2] = NULL;
			}
			for (int i = 0; i < FS_MAX_FIELDS; i++)
				free(f[i]);
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return NERR_Success;
}

/* Appends the escaped UTF-8 form of `w` (or a decimal/hex number) to a growing buffer. */
typedef struct fs_buf {
	char *p;
	size_t n, cap;
	BOOL oom;
} fs_buf;

static void fs_put(fs_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096);
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = TRUE;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void fs_put_str(fs_buf *b, const char *s)
{
	fs_put(b, s, strlen(s));
}

static void fs_put_w(fs_buf *b, const WCHAR *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *u;
	if (n <= 0) {
		b->oom = TRUE;
		return;
	}
	u = malloc((size_t)n);
	if (!u) {
		b->oom = TRUE;
		return;
	}
	WideCharToMultiByte(CP_UTF8, 0, w, -1, u, n, NULL, NULL);
	for (int i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c < 0x20 || c == '%' || c == 0x7f) {
			char esc[4];
			static const char hx[] = "0123456789ABCDEF";
			esc[0] = '%';
			esc[1] = hx[c >> 4];
			esc[2] = hx[c & 15];
			fs_put(b, esc, 3);
		} else {
			fs_put(b, (const char *)&u[i], 1);
		}
	}
	free(u);
}

static void fs_put_num(fs_buf *b, const char *fmt, DWORD v)
{
	char num[32];
	snprintf(num, sizeof num, fmt, (unsigned long)v);
	fs_put_str(b, num);
}

/* Writes the whole database to a temporary file and renames it over the state file. */
static NET_API_STATUS fs_save(const fs_db *db)
{
	WCHAR path[MAX_PATH], tmp[MAX_PATH + 32];
	fs_buf b = { 0 };
	HANDLE h;
	DWORD wrote = 0;
	BOOL ok;

	fs_put_str(&b, "# rdls-fakesam 1: test stand-in for the local account database; "
		       "holds no password, only whether one was set\n");
	fs_put_num(&b, "next_rid\t%lu\n", db->next_rid);
	for (size_t i = 0; i < db->nusers; i++) {
		const fs_user *u = &db->users[i];
		fs_put_str(&b, "user\t");
		fs_put_w(&b, u->name);
		fs_put_num(&b, "\t%lu", u->rid);
		fs_put_num(&b, "\t%lu", u->priv);
		fs_put_num(&b, "\t%08lx", u->flags);
		if (u->password_set && u->password_changes)
			fs_put_num(&b, "\tset:%lu\t", u->password_changes);
		else
			fs_put_str(&b, u->password_set ? "\tset\t" : "\tnone\t");
		fs_put_w(&b, u->comment);
		fs_put_str(&b, "\n");
	}
	for (size_t i = 0; i < db->ngroups; i++) {
		fs_put_str(&b, "group\t");
		fs_put_w(&b, db->groups[i].name);
		fs_put_num(&b, "\t%lu\t", db->groups[i].rid);
		fs_put_w(&b, db->groups[i].comment);
		fs_put_str(&b, "\n");
	}
	for (size_t i = 0; i < db->nmembers; i++) {
		fs_put_str(&b, "member\t");
		fs_put_w(&b, db->members[i].group);
		fs_put_str(&b, "\t");
		fs_put_w(&b, db->members[i].user);
		fs_put_str(&b, "\n");
	}
	if (b.oom) {
		free(b.p);
		return ERROR_NOT_ENOUGH_MEMORY;
	}

	fs_path(path, MAX_PATH);
	_snwprintf(tmp, MAX_PATH + 32, L"%ls.%lu.tmp", path, (unsigned long)GetCurrentProcessId());
	tmp[MAX_PATH + 31] = 0;
	h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		free(b.p);
		return NERR_InternalError;
	}
	ok = WriteFile(h, b.p, (DWORD)b.n, &wrote, NULL) && wrote == (DWORD)b.n &&
	     FlushFileBuffers(h);
	CloseHandle(h);
	free(b.p);
	if (!ok || !MoveFileExW(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		DeleteFileW(tmp);
		return NERR_InternalError;
	}
	return NERR_Success;
}

/* Takes the cross-process lock and loads the database. */
static NET_API_STATUS fs_begin(fs_db *db)
{
	NET_API_STATUS st;
	DWORD w;
	memset(db, 0, sizeof *db);
	db->lock = CreateMutexW(NULL, FALSE, FS_MUTEX);
	if (!db->lock)
		return NERR_InternalError;
	/* WAIT_ABANDONED: a holder was killed; the file is whole (renamed atomically). */
	w = WaitForSingleObject(db->lock, 60000);
	if (w != WAIT_OBJECT_0 && w != WAIT_ABANDONED) {
		CloseHandle(db->lock);
		db->lock = NULL;
		return NERR_InternalError;
	}
	st = fs_load(db);
	if (st != NERR_Success) {
		fs_db_free(db);
		ReleaseMutex(db->lock);
		CloseHandle(db->lock);
		db->lock = NULL;
	}
	return st;
}

static void fs_end(fs_db *db)
{
	fs_db_free(db);
	if (db->lock) {
		ReleaseMutex(db->lock);
		CloseHandle(db->lock);
		db->lock = NULL;
	}
}

/* fs_save, then fs_end; returns the status of the save. */
static NET_API_STATUS fs_commit(fs_db *db)
{
	NET_API_STATUS st = fs_save(db);
	fs_end(db);
	return st;
}

/* Common prologue: injected failure, server name, lock + load. */
#define FS_ENTER(func, server, db)                                              \
	do {                                                                    \
		NET_API_STATUS fs_st_;                                          \
		if (fs_injected(func, &fs_st_))                                 \
			return fs_st_;                                          \
		if (!fs_server_ok(server))                                      \
			return NERR_InvalidComputer;                            \
		fs_st_ = fs_begin(db);                                          \
		if (fs_st_ != NERR_Success)                                     \
			return fs_st_;                                          \
	} while (0)

/* "The local group does not exist": each function's documented code, unless a test asks
 * for the other one everywhere. */
static NET_API_STATUS fs_no_group(NET_API_STATUS documented)
{
	return fs_env_dword(L"RDLS_FAKESAM_NO_GROUP", documented);
}

/* ---------------------------------------------------------------- buffers */

NET_API_STATUS WINAPI NetApiBufferAllocate(DWORD ByteCount, LPVOID *Buffer)
{
	if (!Buffer)
		return ERROR_INVALID_PARAMETER;
	*Buffer = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, ByteCount ? ByteCount : 1);
	return *Buffer ? NERR_Success : ERROR_NOT_ENOUGH_MEMORY;
}

NET_API_STATUS WINAPI NetApiBufferFree(LPVOID Buffer)
{
	if (Buffer)
		HeapFree(GetProcessHeap(), 0, Buffer);
	return NERR_Success;
}

NET_API_STATUS WINAPI NetApiBufferReallocate(LPVOID OldBuffer, DWORD NewByteCount,
					     LPVOID *NewBuffer)
{
	if (!NewBuffer)
		return ERROR_INVALID_PARAMETER;
	if (!OldBuffer)
		return NetApiBufferAllocate(NewByteCount, NewBuffer);
	if (!NewByteCount) {
		NetApiBufferFree(OldBuffer);
		*NewBuffer = NULL;
		return NERR_Success;
	}
	*NewBuffer = HeapReAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, OldBuffer, NewByteCount);
	return *NewBuffer ? NERR_Success : ERROR_NOT_ENOUGH_MEMORY;
}

NET_API_STATUS WINAPI NetApiBufferSize(LPVOID Buffer, LPDWORD ByteCount)
{
	SIZE_T n;
	if (!Buffer || !ByteCount)
		return ERROR_INVALID_PARAMETER;
	n = HeapSize(GetProcessHeap(), 0, Buffer);
	if (n == (SIZE_T)-1)
		return ERROR_INVALID_PARAMETER;
	*ByteCount = (DWORD)n;
	return NERR_Success;
}

/* A bump allocator over one NetApiBufferAllocate block: structures first, then strings. */
typedef struct fs_out {
	BYTE *base;
	BYTE *tail; /* strings and SIDs are carved from the end downwards */
} fs_out;

static size_t fs_wsize(const WCHAR *s)
{
	return (wcslen(s) + 1) * sizeof(WCHAR);
}

static WCHAR *fs_out_str(fs_out *o, const WCHAR *s)
{
	size_t n = fs_wsize(s);
	o->tail -= n;
	memcpy(o->tail, s, n);
	return (WCHAR *)o->tail;
}

#define FS_SID_SIZE (8 + 4 * 5) /* revision, count, authority, 5 sub-authorities */

static PSID fs_out_sid(fs_out *o, DWORD rid)
{
	SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
	PSID sid;
	o->tail -= FS_SID_SIZE;
	o->tail = (BYTE *)((ULONG_PTR)o->tail & ~(ULONG_PTR)3);
	sid = (PSID)o->tail;
	InitializeSid(sid, &nt, 5);
	*GetSidSubAuthority(sid, 0) = SECURITY_NT_NON_UNIQUE;
	*GetSidSubAuthority(sid, 1) = FS_SUB1;
	*GetSidSubAuthority(sid, 2) = FS_SUB2;
	*GetSidSubAuthority(sid, 3) = FS_SUB3;
	*GetSidSubAuthority(sid, 4) = rid;
	return sid;
}

/* The RID of a SID of this synthetic machine domain, or 0. */
static DWORD fs_sid_rid(PSID sid)
{
	SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
	PSID_IDENTIFIER_AUTHORITY a;
	if (!sid || !IsValidSid(sid) || *GetSidSubAuthorityCount(sid) != 5)
		return 0;
	a = GetSidIdentifierAuthority(sid);
	if (memcmp(a, &nt, sizeof nt) != 0 || *GetSidSubAuthority(sid, 0) != SECURITY_NT_NON_UNIQUE ||
	    *GetSidSubAuthority(sid, 1) != FS_SUB1 || *GetSidSubAuthority(sid, 2) != FS_SUB2 ||
	    *GetSidSubAuthority(sid, 3) != FS_SUB3)
		return 0;
	return *GetSidSubAuthority(sid, 4);
}

/* ---------------------------------------------------------------- users */

/* USER_INFO_1..4 share their first eight members; levels 2-4 only add to them. */
NET_API_STATUS WINAPI NetUserAdd(LPCWSTR servername, DWORD level, LPBYTE buf, LPDWORD parm_err)
{
	fs_db db;
	USER_INFO_1 *in = (USER_INFO_1 *)buf;
	fs_user u = { 0 };
	NET_API_STATUS st;

	if (level < 1 || level > 4)
		return ERROR_INVALID_LEVEL;
	if (!buf) {
		if (parm_err)
			*parm_err = 0;
		return ERROR_INVALID_PARAMETER;
	}
	FS_ENTER(L"NetUserAdd", servername, &db);
	if (!in->usri1_name || !*in->usri1_name) {
		st = ERROR_INVALID_PARAMETER;
		if (parm_err)
			*parm_err = USER_NAME_PARMNUM;
		goto out;
	}
	if (!fs_valid_name(in->usri1_name, FS_USER_MAX)) {
		st = NERR_BadUsername;
		goto out;
	}
	/* "When you call NetUserAdd, this member must be USER_PRIV_USER." */
	if (in->usri1_priv != USER_PRIV_USER) {
		st = ERROR_INVALID_PARAMETER;
		if (parm_err)
			*parm_err = USER_PRIV_PARMNUM;
		goto out;
	}
	if (fs_find_user(&db, in->usri1_name)) {
		st = NERR_UserExists;
		goto out;
	}
	if (fs_find_group(&db, in->usri1_name)) {
		st = NERR_GroupExists;
		goto out;
	}
	u.name = fs_wcsdup(in->usri1_name);
	u.comment = fs_wcsdup(in->usri1_comment);
	u.rid = db.next_rid++;
	u.priv = in->usri1_priv;
	u.flags = in->usri1_flags | UF_NORMAL_ACCOUNT;
	u.password_set = in->usri1_password && *in->usri1_password;
	if (!u.name || !u.comment || !fs_add_user(&db, &u)) {
		free(u.name);
		free(u.comment);
		st = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	return fs_commit(&db);
out:
	fs_end(&db);
	return st;
}

NET_API_STATUS WINAPI NetUserDel(LPCWSTR servername, LPCWSTR username)
{
	fs_db db;
	fs_user *u;
	size_t i;

	FS_ENTER(L"NetUserDel", servername, &db);
	u = username ? fs_find_user(&db, username) : NULL;
	if (!u) {
		fs_end(&db);
		return NERR_UserNotFound;
	}
	/* Deleting an account also removes it from the local groups it belonged to. */
	for (i = db.nmembers; i-- > 0;)
		if (fs_eq(db.members[i].user, u->name))
			fs_remove_member_at(&db, i);
	i = (size_t)(u - db.users);
	free(u->name);
	free(u->comment);
	db.users[i] = db.users[db.nusers - 1];
	db.nusers--;
	return fs_commit(&db);
}

NET_API_STATUS WINAPI NetUserGetInfo(LPCWSTR servername, LPCWSTR username, DWORD level,
				     LPBYTE *bufptr)
{
	fs_db db;
	fs_user *u;
	fs_out o;
	size_t size;
	NET_API_STATUS st;
	WCHAR empty[1] = { 0 };

	if (!bufptr)
		return ERROR_INVALID_PARAMETER;
	*bufptr = NULL;
	if (level != 0 && level != 1 && level != 10 && level != 20)
		return ERROR_INVALID_LEVEL;
	FS_ENTER(L"NetUserGetInfo", servername, &db);
	u = username ? fs_find_user(&db, username) : NULL;
	if (!u) {
		fs_end(&db);
		return NERR_UserNotFound;
	}
	size = sizeof(USER_INFO_20) + sizeof(USER_INFO_1) + 4 * fs_wsize(u->name) +
	       2 * fs_wsize(u->comment) + 16;
	st = NetApiBufferAllocate((DWORD)size, (LPVOID *)&o.base);
	if (st != NERR_Success) {
		fs_end(&db);
		return st;
	}
	o.tail = o.base + size;
	switch (level) {
	case 0: {
		USER_INFO_0 *r = (USER_INFO_0 *)o.base;
		r->usri0_name = fs_out_str(&o, u->name);
		break;
	}
	case 1: {
		USER_INFO_1 *r = (USER_INFO_1 *)o.base;
		r->usri1_name = fs_out_str(&o, u->name);
		r->usri1_password = NULL; /* never returned */
		r->usri1_password_age = 0;
		r->usri1_priv = u->priv;
		r->usri1_home_dir = fs_out_str(&o, empty);
		r->usri1_comment = fs_out_str(&o, u->comment);
		r->usri1_flags = u->flags;
		r->usri1_script_path = fs_out_str(&o, empty);
		break;
	}
	case 10: {
		USER_INFO_10 *r = (USER_INFO_10 *)o.base;
		r->usri10_name = fs_out_str(&o, u->name);
		r->usri10_comment = fs_out_str(&o, u->comment);
		r->usri10_usr_comment = fs_out_str(&o, empty);
		r->usri10_full_name = fs_out_str(&o, empty);
		break;
	}
	case 20: {
		USER_INFO_20 *r = (USER_INFO_20 *)o.base;
		r->usri20_name = fs_out_str(&o, u->name);
		r->usri20_full_name = fs_out_str(&o, empty);
		r->usri20_comment = fs_out_str(&o, u->comment);
		r->usri20_flags = u->flags;
		r->usri20_user_id = u->rid;
		break;
	}
	}
	*bufptr = o.base;
	fs_end(&db);
	return NERR_Success;
}

NET_API_STATUS WINAPI NetUserSetInfo(LPCWSTR servername, LPCWSTR username, DWORD level,
				     LPBYTE buf, LPDWORD parm_err)
{
	fs_db db;
	fs_user *u;

	if (level != 1003 && level != 1007 && level != 1008)
		return ERROR_INVALID_LEVEL;
	if (!buf) {
		if (parm_err)
			*parm_err = 0;
		return ERROR_INVALID_PARAMETER;
	}
	FS_ENTER(L"NetUserSetInfo", servername, &db);
	u = username ? fs_find_user(&db, username) : NULL;
	if (!u) {
		fs_end(&db);
		return NERR_UserNotFound;
	}
	switch (level) {
	case 1003: {
		LPWSTR pw = ((USER_INFO_1003 *)buf)->usri1003_password;
		u->password_set = pw && *pw;
		u->password_changes += u->password_set;
		break;
	}
	case 1007: {
		WCHAR *c = fs_wcsdup(((USER_INFO_1007 *)buf)->usri1007_comment);
		if (!c) {
			fs_end(&db);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
		free(u->comment);
		u->comment = c;
		break;
	}
	case 1008:
		u->flags = ((USER_INFO_1008 *)buf)->usri1008_flags | UF_NORMAL_ACCOUNT;
		break;
	}
	return fs_commit(&db);
}

NET_API_STATUS WINAPI NetUserEnum(LPCWSTR servername, DWORD level, DWORD filter, LPBYTE *bufptr,
				  DWORD prefmaxlen, LPDWORD entriesread, LPDWORD totalentries,
				  LPDWORD resume_handle)
{
	fs_db db;
	fs_out o;
	size_t size;
	NET_API_STATUS st;
	(void)filter;
	(void)prefmaxlen;

	if (!bufptr || !entriesread || !totalentries)
		return ERROR_INVALID_PARAMETER;
	*bufptr = NULL;
	*entriesread = *totalentries = 0;
	if (level != 0)
		return ERROR_INVALID_LEVEL;
	FS_ENTER(L"NetUserEnum", servername, &db);
	size = db.nusers * sizeof(USER_INFO_0) + 8;
	for (size_t i = 0; i < db.nusers; i++)
		size += fs_wsize(db.users[i].name);
	st = NetApiBufferAllocate((DWORD)size, (LPVOID *)&o.base);
	if (st == NERR_Success) {
		o.tail = o.base + size;
		for (size_t i = 0; i < db.nusers; i++)
			((USER_INFO_0 *)o.base)[i].usri0_name = fs_out_str(&o, db.users[i].name);
		*bufptr = o.base;
		*entriesread = *totalentries = (DWORD)db.nusers;
		if (resume_handle)
			*resume_handle = 0;
	}
	fs_end(&db);
	return st;
}

/* ---------------------------------------------------------------- local groups */

NET_API_STATUS WINAPI NetLocalGroupAdd(LPCWSTR servername, DWORD level, LPBYTE buf,
				       LPDWORD parm_err)
{
	fs_db db;
	fs_group g = { 0 };
	LPCWSTR name, comment = NULL;
	NET_API_STATUS st;

	if (level != 0 && level != 1)
		return ERROR_INVALID_LEVEL;
	if (!buf) {
		if (parm_err)
			*parm_err = 0;
		return ERROR_INVALID_PARAMETER;
	}
	name = level == 0 ? ((LOCALGROUP_INFO_0 *)buf)->lgrpi0_name
			  : ((LOCALGROUP_INFO_1 *)buf)->lgrpi1_name;
	if (level == 1)
		comment = ((LOCALGROUP_INFO_1 *)buf)->lgrpi1_comment;
	FS_ENTER(L"NetLocalGroupAdd", servername, &db);
	if (!name || !*name) {
		st = ERROR_INVALID_PARAMETER;
		if (parm_err)
			*parm_err = LOCALGROUP_NAME_PARMNUM;
		goto out;
	}
	if (!fs_valid_name(name, FS_GROUP_MAX)) {
		st = NERR_BadUsername;
		goto out;
	}
	if (fs_find_group(&db, name)) {
		st = fs_env_dword(L"RDLS_FAKESAM_GROUP_EXISTS", ERROR_ALIAS_EXISTS);
		goto out;
	}
	if (fs_find_user(&db, name)) {
		st = NERR_UserExists;
		goto out;
	}
	g.name = fs_wcsdup(name);
	g.comment = fs_wcsdup(comment);
	g.rid = db.next_rid++;
	if (!g.name || !g.comment || !fs_add_group(&db, &g)) {
		free(g.name);
		free(g.comment);
		st = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	return fs_commit(&db);
out:
	fs_end(&db);
	return st;
}

NET_API_STATUS WINAPI NetLocalGroupDel(LPCWSTR servername, LPCWSTR groupname)
{
	fs_db db;
	fs_group *g;
	size_t i;

	FS_ENTER(L"NetLocalGroupDel", servername, &db);
	g = groupname ? fs_find_group(&db, groupname) : NULL;
	if (!g) {
		fs_end(&db);
		return fs_no_group(NERR_GroupNotFound);
	}
	/* "deletes a local group account and all its members" */
	for (i = db.nmembers; i-- > 0;)
		if (fs_eq(db.members[i].group, g->name))
			fs_remove_member_at(&db, i);
	i = (size_t)(g - db.groups);
	free(g->name);
	free(g->comment);
	db.groups[i] = db.groups[db.ngroups - 1];
	db.ngroups--;
	return fs_commit(&db);
}

NET_API_STATUS WINAPI NetLocalGroupGetInfo(LPCWSTR servername, LPCWSTR groupname, DWORD level,
					   LPBYTE *bufptr)
{
	fs_db db;
	fs_group *g;
	fs_out o;
	size_t size;
	NET_API_STATUS st;

	if (!bufptr)
		return ERROR_INVALID_PARAMETER;
	*bufptr = NULL;
	if (level != 0 && level != 1)
		return ERROR_INVALID_LEVEL;
	FS_ENTER(L"NetLocalGroupGetInfo", servername, &db);
	g = groupname ? fs_find_group(&db, groupname) : NULL;
	if (!g) {
		fs_end(&db);
		return fs_no_group(NERR_GroupNotFound);
	}
	size = sizeof(LOCALGROUP_INFO_1) + fs_wsize(g->name) + fs_wsize(g->comment);
	st = NetApiBufferAllocate((DWORD)size, (LPVOID *)&o.base);
	if (st == NERR_Success) {
		o.tail = o.base + size;
		if (level == 0) {
			((LOCALGROUP_INFO_0 *)o.base)->lgrpi0_name = fs_out_str(&o, g->name);
		} else {
			LOCALGROUP_INFO_1 *r = (LOCALGROUP_INFO_1 *)o.base;
			r->lgrpi1_name = fs_out_str(&o, g->name);
			r->lgrpi1_comment = fs_out_str(&o, g->comment);
		}
		*bufptr = o.base;
	}
	fs_end(&db);
	return st;
}

NET_API_STATUS WINAPI NetLocalGroupEnum(LPCWSTR servername, DWORD level, LPBYTE *bufptr,
					DWORD prefmaxlen, LPDWORD entriesread, LPDWORD totalentries,
					PDWORD_PTR resumehandle)
{
	fs_db db;
	fs_out o;
	size_t size;
	NET_API_STATUS st;
	(void)prefmaxlen;

	if (!bufptr || !entriesread || !totalentries)
		return ERROR_INVALID_PARAMETER;
	*bufptr = NULL;
	*entriesread = *totalentries = 0;
	if (level != 0 && level != 1)
		return ERROR_INVALID_LEVEL;
	FS_ENTER(L"NetLocalGroupEnum", servername, &db);
	size = db.ngroups * sizeof(LOCALGROUP_INFO_1) + 8;
	for (size_t i = 0; i < db.ngroups; i++)
		size += fs_wsize(db.groups[i].name) + fs_wsize(db.groups[i].comment);
	st = NetApiBufferAllocate((DWORD)size, (LPVOID *)&o.base);
	if (st == NERR_Success) {
		o.tail = o.base + size;
		for (size_t i = 0; i < db.ngroups; i++) {
			if (level == 0) {
				((LOCALGROUP_INFO_0 *)o.base)[i].lgrpi0_name =
					fs_out_str(&o, db.groups[i].name);
			} else {
				LOCALGROUP_INFO_1 *r = &((LOCALGROUP_INFO_1 *)o.base)[i];
				r->lgrpi1_name = fs_out_str(&o, db.groups[i].name);
				r->lgrpi1_comment = fs_out_str(&o, db.groups[i].comment);
			}
		}
		*bufptr = o.base;
		*entriesread = *totalentries = (DWORD)db.ngroups;
		if (resumehandle)
			*resumehandle = 0;
	}
	fs_end(&db);
	return st;
}

static size_t fs_member_size(DWORD level, const WCHAR *computer, const fs_user *u)
{
	size_t dn = (wcslen(computer) + 1 + wcslen(u->name) + 1) * sizeof(WCHAR);
	switch (level) {
	case 0:
		return sizeof(LOCALGROUP_MEMBERS_INFO_0) + FS_SID_SIZE + 4;
	case 1:
		return sizeof(LOCALGROUP_MEMBERS_INFO_1) + FS_SID_SIZE + 4 + fs_wsize(u->name);
	case 2:
		return sizeof(LOCALGROUP_MEMBERS_INFO_2) + FS_SID_SIZE + 4 + dn;
	default:
		return sizeof(LOCALGROUP_MEMBERS_INFO_3) + dn;
	}
}

/* Level 2 and 3 name members "COMPUTER\user", as Windows does for local accounts. */
NET_API_STATUS WINAPI NetLocalGroupGetMembers(LPCWSTR servername, LPCWSTR localgroupname,
					      DWORD level, LPBYTE *bufptr, DWORD prefmaxlen,
					      LPDWORD entriesread, LPDWORD totalentries,
					      PDWORD_PTR resumehandle)
{
	fs_db db;
	fs_out o;
	fs_group *g;
	fs_user **list = NULL;
	size_t n = 0, start, take, size, fixed;
	WCHAR computer[MAX_COMPUTERNAME_LENGTH + 64];
	NET_API_STATUS st;

	if (!bufptr || !entriesread || !totalentries)
		return ERROR_INVALID_PARAMETER;
	*bufptr = NULL;
	*entriesread = *totalentries = 0;
	if (level > 3)
		return ERROR_INVALID_LEVEL;
	FS_ENTER(L"NetLocalGroupGetMembers", servername, &db);
	g = localgroupname ? fs_find_group(&db, localgroupname) : NULL;
	if (!g) {
		fs_end(&db);
		return fs_no_group(ERROR_NO_SUCH_ALIAS); /* the only code documented here */
	}
	fs_computer_name(computer, (DWORD)(sizeof computer / sizeof computer[0]));
	list = malloc((db.nmembers + 1) * sizeof *list);
	if (!list) {
		fs_end(&db);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	for (size_t i = 0; i < db.nmembers; i++) {
		fs_user *u;
		if (!fs_eq(db.members[i].group, g->name))
			continue;
		u = fs_find_user(&db, db.members[i].user);
		if (u)
			list[n++] = u;
	}
	start = resumehandle ? (size_t)*resumehandle : 0;
	if (start > n)
		start = n;
	/* As many entries as fit in prefmaxlen, but always at least one. */
	size = 8;
	take = 0;
	for (size_t i = start; i < n; i++) {
		size_t s = fs_member_size(level, computer, list[i]);
		if (prefmaxlen != MAX_PREFERRED_LENGTH && take > 0 && size + s > prefmaxlen)
			break;
		size += s;
		take++;
	}
	fixed = level == 0   ? sizeof(LOCALGROUP_MEMBERS_INFO_0)
		: level == 1 ? sizeof(LOCALGROUP_MEMBERS_INFO_1)
		: level == 2 ? sizeof(LOCALGROUP_MEMBERS_INFO_2)
			     : sizeof(LOCALGROUP_MEMBERS_INFO_3);
	st = NetApiBufferAllocate((DWORD)size, (LPVOID *)&o.base);
	if (st != NERR_Success)
		goto out;
	o.tail = o.base + size;
	for (size_t k = 0; k < take; k++) {
		fs_user *u = list[start + k];
		BYTE *rec = o.base + k * fixed;
		WCHAR dn[MAX_COMPUTERNAME_LENGTH + 64 + FS_GROUP_MAX + 2];
		_snwprintf(dn, sizeof dn / sizeof dn[0], L"%ls\\%ls", computer, u->name);
		dn[sizeof dn / sizeof dn[0] - 1] = 0;
		switch (level) {
		case 0:
			((LOCALGROUP_MEMBERS_INFO_0 *)rec)->lgrmi0_sid = fs_out_sid(&o, u->rid);
			break;
		case 1: {
			LOCALGROUP_MEMBERS_INFO_1 *r = (LOCALGROUP_MEMBERS_INFO_1 *)rec;
			r->lgrmi1_name = fs_out_str(&o, u->name);
			r->lgrmi1_sid = fs_out_sid(&o, u->rid);
			r->lgrmi1_sidusage = SidTypeUser;
			break;
		}
		case 2: {
			LOCALGROUP_MEMBERS_INFO_2 *r = (LOCALGROUP_MEMBERS_INFO_2 *)rec;
			r->lgrmi2_domainandname = fs_out_str(&o, dn);
			r->lgrmi2_sid = fs_out_sid(&o, u->rid);
			r->lgrmi2_sidusage = SidTypeUser;
			break;
		}
		default:
			((LOCALGROUP_MEMBERS_INFO_3 *)rec)->lgrmi3_domainandname = fs_out_str(&o, dn);
			break;
		}
	}
	*bufptr = o.base;
	*entriesread = (DWORD)take;
	*totalentries = (DWORD)(n - start);
	if (start + take < n) {
		if (resumehandle)
			*resumehandle = start + take;
		st = ERROR_MORE_DATA;
	} else if (resumehandle) {
		*resumehandle = 0;
	}
out:
	free(list);
	fs_end(&db);
	return st;
}

/*
 * Resolves the i-th member of a level 0 or 3 array to a local user. Returns 0, or
 * ERROR_NO_SUCH_MEMBER (no such account) / ERROR_INVALID_MEMBER (a local group: local
 * groups cannot contain local groups).
 */
static NET_API_STATUS fs_resolve_member(fs_db *db, DWORD level, LPBYTE buf, DWORD i,
					fs_user **out)
{
	*out = NULL;
	if (level == 0) {
		DWORD rid = fs_sid_rid(((LOCALGROUP_MEMBERS_INFO_0 *)buf)[i].lgrmi0_sid);
		*out = rid ? fs_find_user_rid(db, rid) : NULL;
	} else {
		LPCWSTR s = ((LOCALGROUP_MEMBERS_INFO_3 *)buf)[i].lgrmi3_domainandname;
		LPCWSTR bs, name;
		if (!s || !*s)
			return ERROR_NO_SUCH_MEMBER;
		bs = wcschr(s, L'\\');
		if (bs && !fs_is_local(s, (size_t)(bs - s)))
			return ERROR_NO_SUCH_MEMBER;
		name = bs ? bs + 1 : s;
		*out = fs_find_user_n(db, name, wcslen(name));
		if (!*out && fs_find_group_n(db, name, wcslen(name)))
			return ERROR_INVALID_MEMBER;
	}
	return *out ? NERR_Success : ERROR_NO_SUCH_MEMBER;
}

/* Either all members are added or none ("no new members were added"). */
NET_API_STATUS WINAPI NetLocalGroupAddMembers(LPCWSTR servername, LPCWSTR groupname, DWORD level,
					      LPBYTE buf, DWORD totalentries)
{
	fs_db db;
	fs_group *g;
	NET_API_STATUS st = NERR_Success;

	if (level != 0 && level != 3)
		return ERROR_INVALID_LEVEL;
	if (!buf && totalentries)
		return ERROR_INVALID_PARAMETER;
	FS_ENTER(L"NetLocalGroupAddMembers", servername, &db);
	g = groupname ? fs_find_group(&db, groupname) : NULL;
	if (!g) {
		fs_end(&db);
		return fs_no_group(NERR_GroupNotFound);
	}
	for (DWORD i = 0; i < totalentries && st == NERR_Success; i++) {
		fs_user *u;
		st = fs_resolve_member(&db, level, buf, i, &u);
		if (st == NERR_Success && fs_find_member(&db, g->name, u->name) >= 0)
			st = ERROR_MEMBER_IN_ALIAS;
	}
	for (DWORD i = 0; i < totalentries && st == NERR_Success; i++) {
		fs_user *u;
		WCHAR *gn, *un;
		fs_resolve_member(&db, level, buf, i, &u);
		if (fs_find_member(&db, g->name, u->name) >= 0)
			continue; /* the same member twice in one call */
		gn = fs_wcsdup(g->name);
		un = fs_wcsdup(u->name);
		if (!gn || !un || !fs_add_member(&db, gn, un)) {
			free(gn);
			free(un);
			st = ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	if (st != NERR_Success) {
		fs_end(&db);
		return st;
	}
	return fs_commit(&db);
}

/* Either all members are removed or none ("no members were deleted"). */
NET_API_STATUS WINAPI NetLocalGroupDelMembers(LPCWSTR servername, LPCWSTR groupname, DWORD level,
					      LPBYTE buf, DWORD totalentries)
{
	fs_db db;
	fs_group *g;
	NET_API_STATUS st = NERR_Success;

	if (level != 0 && level != 3)
		return ERROR_INVALID_LEVEL;
	if (!buf && totalentries)
		return ERROR_INVALID_PARAMETER;
	FS_ENTER(L"NetLocalGroupDelMembers", servername, &db);
	g = groupname ? fs_find_group(&db, groupname) : NULL;
	if (!g) {
		fs_end(&db);
		return fs_no_group(NERR_GroupNotFound);
	}
	for (DWORD i = 0; i < totalentries && st == NERR_Success; i++) {
		fs_user *u;
		st = fs_resolve_member(&db, level, buf, i, &u);
		if (st == ERROR_INVALID_MEMBER)
			st = ERROR_MEMBER_NOT_IN_ALIAS;
		if (st == NERR_Success && fs_find_member(&db, g->name, u->name) < 0)
			st = ERROR_MEMBER_NOT_IN_ALIAS;
	}
	for (DWORD i = 0; i < totalentries && st == NERR_Success; i++) {
		fs_user *u;
		long at;
		fs_resolve_member(&db, level, buf, i, &u);
		at = fs_find_member(&db, g->name, u->name);
		if (at >= 0)
			fs_remove_member_at(&db, (size_t)at);
	}
	if (st != NERR_Success) {
		fs_end(&db);
		return st;
	}
	return fs_commit(&db);
}

NET_API_STATUS WINAPI NetLocalGroupAddMember(LPCWSTR servername, LPCWSTR groupname, PSID sid)
{
	LOCALGROUP_MEMBERS_INFO_0 m = { sid };
	return NetLocalGroupAddMembers(servername, groupname, 0, (LPBYTE)&m, 1);
}

NET_API_STATUS WINAPI NetLocalGroupDelMember(LPCWSTR servername, LPCWSTR groupname, PSID sid)
{
	LOCALGROUP_MEMBERS_INFO_0 m = { sid };
	return NetLocalGroupDelMembers(servername, groupname, 0, (LPBYTE)&m, 1);
}

/* ---------------------------------------------------------------- the machine */

/* This stand-in's machine is in a workgroup named WORKGROUP. */
NET_API_STATUS WINAPI NetGetJoinInformation(LPCWSTR server, LPWSTR *name,
					    PNETSETUP_JOIN_STATUS type)
{
	NET_API_STATUS st;
	if (!name || !type)
		return ERROR_INVALID_PARAMETER;
	if (!fs_server_ok(server))
		return NERR_InvalidComputer;
	if (fs_injected(L"NetGetJoinInformation", &st))
		return st;
	st = NetApiBufferAllocate(sizeof L"WORKGROUP", (LPVOID *)name);
	if (st != NERR_Success)
		return st;
	memcpy(*name, L"WORKGROUP", sizeof L"WORKGROUP");
	*type = NetSetupWorkgroupName;
	return NERR_Success;
}

/* ---------------------------------------------------------------- for the tests only */

/*
 * What no netapi32 function shows: whether USER has a password and how many times
 * NetUserSetInfo level 1003 changed it (never anything of the password itself). Only
 * tests/wine/probes/samctl.c calls it (GetProcAddress: no real netapi32 has it), so the
 * tests read the database through the stand-in's code instead of parsing its file. On
 * Windows the same question is answered by USER_INFO_1's usri1_password_age, or a logon.
 */
NET_API_STATUS WINAPI RdlsFakeSamPasswordState(LPCWSTR username, LPDWORD set, LPDWORD changes)
{
	fs_db db;
	fs_user *u;
	if (!username || !set || !changes)
		return ERROR_INVALID_PARAMETER;
	FS_ENTER(L"RdlsFakeSamPasswordState", NULL, &db);
	u = fs_find_user(&db, username);
	if (u) {
		*set = u->password_set;
		*changes = u->password_changes;
	}
	fs_end(&db);
	return u ? NERR_Success : NERR_UserNotFound;
}
