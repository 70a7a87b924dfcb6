/*
 * The private copy of this executable that the NETWORK SERVICE helper runs from,
 * and who owns a helper (the rdlsctl process that started it).
 *
 * The service control manager starts a service's image as the service's account.
 * From wherever an administrator started rdlsctl.exe, NETWORK SERVICE often cannot:
 * a profile's Downloads or Desktop folder (only SYSTEM, Administrators and the owner
 * may read it), a mapped drive or `subst` letter (they do not exist for the SCM), a
 * UNC share (reached as the computer account, or anonymously in a workgroup). So
 * each helper runs from a copy in
 *     %ProgramData%\rdlsctl\helper\<pid>-<creation time>-<random>\rdlsctl.exe
 * whose folder only Administrators and SYSTEM may write and NETWORK SERVICE may read
 * and execute (HC_DIR_SDDL, protected: nothing is inherited from above). The folder
 * name says which rdlsctl process owns the copy (its id and creation time, so that a
 * reused process id is not mistaken for the owner); the copy is deleted when the
 * helper has stopped, and a copy whose owner is gone (a crashed run) is deleted by
 * the next run's sweep.
 *
 * Nothing on the way is followed through a reparse point: each level is opened with
 * FILE_FLAG_OPEN_REPARSE_POINT and must be a plain directory, and it is held open
 * without FILE_SHARE_DELETE while the copy is made and used, so that it cannot be
 * renamed or replaced meanwhile. The copy is created with CopyFileW(fail if exists)
 * into a folder this run has just created, and is then held open without write or
 * delete sharing until the helper has stopped. A shared level that exists already
 * (%ProgramData%\rdlsctl, ...\helper: any user may create folders in %ProgramData%)
 * is used only if the core trusts it (rdls_trust_folder: owned by Administrators or
 * SYSTEM, a plain folder nobody else may change), judged from the security facts of
 * the handle held open; ...\helper then gets HC_DIR_SDDL imposed. This file reads
 * the descriptor and decides nothing.
 *
 * Measured under Wine 8.0 (tests/wine/t_helper_copy.sh): the helper starts from the
 * copy (under Wine the program is "rdlsctl.exe.so", which is what is copied); Wine
 * reports the Wine user as the owner of every folder and enforces no DACL, so neither
 * a foreign owner nor the folder's DACL can be shown there (only on Windows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>

#include "rdls/trust.h"
#include "win32/helper_proto.h"

#ifndef PROTECTED_DACL_SECURITY_INFORMATION /* missing from Wine 8's winnt.h */
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000L
#endif

/* Administrators and SYSTEM: full control; NETWORK SERVICE: read and execute. */
#define HC_DIR_SDDL L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;GRGX;;;NS)"
/* %ProgramData%\rdlsctl when this run creates it: as the journal directory (host.c). */
#define HC_TOP_SDDL L"O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)"

#define HC_DELETE_TIMEOUT_MS 5000u

/* FOLDERID_ProgramData, defined here so no GUID library is needed. */
static const GUID hc_folderid_program_data = {
	0x62ab5d82, 0xfdc1, 0x4dc3, { 0xa9, 0xdd, 0x07, 0x0d, 0x1d, 0x49, 0x5d, 0x97 }
};

bool hp_on_wine(void)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	return ntdll && GetProcAddress(ntdll, "wine_get_version");
}

/* ------------------------------------------------------------- ownership -- */

static uint64_t filetime_u64(const FILETIME *f)
{
	return (uint64_t)f->dwHighDateTime << 32 | f->dwLowDateTime;
}

int hp_self(struct hp_owner *o, rdls_err *err)
{
	FILETIME c, e, k, u;
	if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u))
		return w32_fail(err, "GetProcessTimes", "this process", GetLastError());
	o->pid = GetCurrentProcessId();
	o->created = filetime_u64(&c);
	return 0;
}

/*
 * Whether the owner still runs. An owner that cannot be asked (access denied, or
 * GetProcessTimes failing) counts as alive: a helper is deleted only when its owner
 * is known to be gone. created == 0 (a helper of an older rdlsctl, whose command line
 * has no creation time) compares the process id alone.
 */
bool hp_owner_alive(const struct hp_owner *o)
{
	if (o->pid == 0)
		return false;
	HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, o->pid);
	if (!p)
		return GetLastError() != ERROR_INVALID_PARAMETER; /* 87: no such process */
	bool alive = WaitForSingleObject(p, 0) != WAIT_OBJECT_0;
	FILETIME c, e, k, u;
	if (alive && o->created && GetProcessTimes(p, &c, &e, &k, &u))
		alive = filetime_u64(&c) == o->created;
	CloseHandle(p);
	return alive;
}

bool hp_owner_parse(const char *pid, const char *created, struct hp_owner *o)
{
	char *end = NULL;
	memset(o, 0, sizeof(*o));
	if (!pid || *pid < '1' || *pid > '9')
		return false;
	unsigned long long p = strtoull(pid, &end, 10);
	if (!end || (*end && *end != '-' && *end != ' ') || p > 0xFFFFFFFFull)
		return false;
	o->pid = (DWORD)p;
	if (!created)
		return true;
	if (strspn(created, "0123456789abcdef") != 16)
		return false;
	o->created = strtoull(created, &end, 16);
	return true;
}

void hp_owner_format(const struct hp_owner *o, char *buf, size_t n)
{
	snprintf(buf, n, "%lu %016llx", (unsigned long)o->pid, (unsigned long long)o->created);
}

/* ----------------------------------------------------------------- folders -- */

static wchar_t *wcat(const wchar_t *a, const wchar_t *b)
{
	size_t la = (size_t)lstrlenW(a), lb = (size_t)lstrlenW(b);
	wchar_t *w = malloc((la + lb + 1) * sizeof(wchar_t));
	if (!w)
		return NULL;
	memcpy(w, a, la * sizeof(wchar_t));
	memcpy(w + la, b, (lb + 1) * sizeof(wchar_t));
	return w;
}

static int hc_fail(rdls_err *err, const char *api, const wchar_t *path, DWORD code)
{
	char obj[RDLS_ERR_OBJ_MAX];
	char *u = w32_utf8(path);
	snprintf(obj, sizeof(obj), "folder '%s' of the credential helper", u ? u : "?");
	free(u);
	return w32_fail(err, api, obj, code);
}

/* %ProgramData%\rdlsctl and %ProgramData%\rdlsctl\helper. */
static int hc_paths(wchar_t **top, wchar_t **helper, rdls_err *err)
{
	PWSTR pd = NULL;
	*top = *helper = NULL;
	HRESULT hr = SHGetKnownFolderPath(&hc_folderid_program_data, 0, NULL, &pd);
	if (FAILED(hr))
		return w32_fail(err, "SHGetKnownFolderPath", "FOLDERID_ProgramData", (DWORD)hr);
	*top = wcat(pd, L"\\rdlsctl");
	CoTaskMemFree(pd);
	*helper = *top ? wcat(*top, L"\\helper") : NULL;
	if (!*helper) {
		free(*top);
		*top = NULL;
		return rdls_err_set(err, "", "the credential helper's folder", ERROR_NOT_ENOUGH_MEMORY,
				    "out of memory");
	}
	return 0;
}

/*
 * Creates (with sddl) or opens the folder path, never through a reparse point, and
 * returns it held open without FILE_SHARE_DELETE. fresh: the folder must not exist
 * yet. impose: an existing folder gets sddl's DACL (after its owner was checked).
 */
static HANDLE hc_dir(const wchar_t *path, const wchar_t *sddl, bool fresh, bool impose,
		     rdls_err *err)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE h = INVALID_HANDLE_VALUE;
	bool created = false;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL)) {
		hc_fail(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", path,
			GetLastError());
		return INVALID_HANDLE_VALUE;
	}
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	if (CreateDirectoryW(path, &sa)) {
		created = true;
	} else {
		DWORD e = GetLastError();
		if (e != ERROR_ALREADY_EXISTS || fresh) {
			hc_fail(err, "CreateDirectoryW", path, e);
			goto out;
		}
	}
	h = CreateFileW(path, FILE_LIST_DIRECTORY | FILE_TRAVERSE | FILE_READ_ATTRIBUTES |
				      READ_CONTROL | SYNCHRONIZE | (impose ? WRITE_DAC : 0),
			FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		hc_fail(err, "CreateFileW", path, GetLastError());
		goto out;
	}
	BY_HANDLE_FILE_INFORMATION fi;
	if (!GetFileInformationByHandle(h, &fi)) {
		hc_fail(err, "GetFileInformationByHandle", path, GetLastError());
		goto fail;
	}
	if (!(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
	    (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
		char obj[RDLS_ERR_OBJ_MAX];
		char *u = w32_utf8(path);
		snprintf(obj, sizeof(obj), "folder '%s'", u ? u : "?");
		free(u);
		rdls_err_set(err, "", obj, ERROR_CANT_ACCESS_FILE,
			     "it is %s, not a plain folder; refusing to follow it (remove it)",
			     (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
				     ? "a junction or symbolic link"
				     : "a file");
		goto fail;
	}
	if (created)
		goto out;

	/* The facts of the folder held open; whether it may be used is the core's rule. */
	rdls_file_sec facts;
	char *u = w32_utf8(path);
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "folder '%s'", u ? u : "?");
	memset(&facts, 0, sizeof(facts));
	int judged = w32_handle_sec(h, obj, &facts, err);
	if (judged == 0)
		judged = rdls_trust_folder(&facts, u ? u : "?", err);
	free(u);
	if (judged != 0)
		goto fail;
	DWORD st;
	if (impose) {
		BOOL present = FALSE, defaulted = FALSE;
		PACL dacl = NULL;
		if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) {
			hc_fail(err, "GetSecurityDescriptorDacl", path, GetLastError());
			goto fail;
		}
		st = SetSecurityInfo(h, SE_FILE_OBJECT,
				     DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
				     NULL, NULL, dacl, NULL);
		if (st != ERROR_SUCCESS) {
			hc_fail(err, "SetSecurityInfo", path, st);
			goto fail;
		}
	}
	goto out;
fail:
	CloseHandle(h);
	h = INVALID_HANDLE_VALUE;
out:
	LocalFree(sd);
	return h;
}

/*
 * %ProgramData%\rdlsctl\<name> for a file that outlives the run (eventlog.c's message
 * file): created with sddl or, when it exists, owner-checked and given sddl's DACL, never
 * through a reparse point, as the helper's folders are. *path: malloc'd.
 */
int hc_private_dir(const wchar_t *name, const wchar_t *sddl, wchar_t **path, rdls_err *err)
{
	wchar_t *top = NULL, *helper = NULL, *sep = NULL;
	HANDLE t = INVALID_HANDLE_VALUE, d = INVALID_HANDLE_VALUE;
	int rc = -1;
	*path = NULL;
	if (hc_paths(&top, &helper, err) != 0)
		return -1;
	sep = wcat(top, L"\\");
	*path = sep ? wcat(sep, name) : NULL;
	if (!*path) {
		rdls_err_set(err, "", "%ProgramData%\\rdlsctl", ERROR_NOT_ENOUGH_MEMORY, "out of memory");
		goto out;
	}
	t = hc_dir(top, HC_TOP_SDDL, false, false, err);
	if (t == INVALID_HANDLE_VALUE)
		goto out;
	d = hc_dir(*path, sddl, false, true, err);
	if (d == INVALID_HANDLE_VALUE)
		goto out;
	rc = 0;
out:
	if (d != INVALID_HANDLE_VALUE)
		CloseHandle(d);
	if (t != INVALID_HANDLE_VALUE)
		CloseHandle(t);
	if (rc != 0) {
		free(*path);
		*path = NULL;
	}
	free(sep);
	free(top);
	free(helper);
	return rc;
}

/* ---------------------------------------------------------------- the copy -- */

/*
 * This executable's path. Under Wine a winegcc program's module name is "X.exe"
 * while the program is "X.exe.so" ("X.exe" is a shell script for Unix shells,
 * which the SCM cannot start), so there the .so is used when it exists. malloc'd.
 */
wchar_t *hc_exe_path(void)
{
	DWORD cap = MAX_PATH;
	for (;;) {
		wchar_t *p = malloc(((size_t)cap + 4) * sizeof(wchar_t));
		if (!p)
			return NULL;
		DWORD n = GetModuleFileNameW(NULL, p, cap);
		if (n == 0) {
			free(p);
			return NULL;
		}
		if (n < cap) {
			if (hp_on_wine()) {
				memcpy(p + n, L".so", 4 * sizeof(wchar_t));
				if (GetFileAttributesW(p) == INVALID_FILE_ATTRIBUTES)
					p[n] = 0;
			}
			return p;
		}
		free(p);
		if (cap >= 32768)
			return NULL;
		cap *= 2;
	}
}

static void close_if(HANDLE *h)
{
	if (*h && *h != INVALID_HANDLE_VALUE)
		CloseHandle(*h);
	*h = INVALID_HANDLE_VALUE;
}

int hc_copy_create(struct hc_copy *c, const struct hp_owner *self, const char *rnd,
		   rdls_err *err)
{
	wchar_t *top = NULL, *helper = NULL, *src = NULL, *wtag = NULL;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->top = c->helper = c->leaf = c->file = INVALID_HANDLE_VALUE;
	char tag[96];
	snprintf(tag, sizeof(tag), "\\%lu-%016llx-%s", (unsigned long)self->pid,
		 (unsigned long long)self->created, rnd);
	src = hc_exe_path();
	if (!src) {
		w32_fail(err, "GetModuleFileNameW", "this program", GetLastError());
		goto out;
	}
	if (hc_paths(&top, &helper, err) != 0)
		goto out;
	wtag = w32_wide(tag);
	c->dir = wtag ? wcat(helper, wtag) : NULL;
	/* Under Wine the program is the .so (see exe_path): keep its name. */
	size_t sl = (size_t)lstrlenW(src);
	bool so = sl > 3 && CompareStringOrdinal(src + sl - 3, 3, L".so", 3, TRUE) == CSTR_EQUAL;
	c->exe = c->dir ? wcat(c->dir, so ? L"\\rdlsctl.exe.so" : L"\\rdlsctl.exe") : NULL;
	if (!c->exe) {
		rdls_err_set(err, "", "the credential helper's folder", ERROR_NOT_ENOUGH_MEMORY,
			     "out of memory");
		goto out;
	}

	c->top = hc_dir(top, HC_TOP_SDDL, false, false, err);
	if (c->top == INVALID_HANDLE_VALUE)
		goto out;
	c->helper = hc_dir(helper, HC_DIR_SDDL, false, true, err);
	if (c->helper == INVALID_HANDLE_VALUE)
		goto out;
	c->leaf = hc_dir(c->dir, HC_DIR_SDDL, true, false, err);
	if (c->leaf == INVALID_HANDLE_VALUE)
		goto out;
	c->made_dir = true;
	/* Fails if the name exists: the copy is always this run's own file. Its DACL is
	 * inherited from the folder just created (HC_DIR_SDDL). */
	if (!CopyFileW(src, c->exe, TRUE)) {
		DWORD e = GetLastError();
		char obj[RDLS_ERR_OBJ_MAX];
		char *u = w32_utf8(src), *v = w32_utf8(c->exe);
		snprintf(obj, sizeof(obj), "'%s' to '%s'", u ? u : "?", v ? v : "?");
		free(u);
		free(v);
		w32_fail(err, "CopyFileW", obj, e);
		goto out;
	}
	c->made_file = true;
	/* Held without write or delete sharing until the helper has stopped; the SCM's
	 * own open (read and execute, sharing read) is compatible with it. */
	c->file = CreateFileW(c->exe, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
			      FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (c->file == INVALID_HANDLE_VALUE) {
		hc_fail(err, "CreateFileW", c->exe, GetLastError());
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		hc_copy_remove(c);
	free(wtag);
	free(src);
	free(top);
	free(helper);
	return rc;
}

/* DeleteFileW, retried while the helper's image is still mapped (its process may
 * outlive SERVICE_STOPPED by a moment). */
static bool delete_retrying(const wchar_t *path)
{
	ULONGLONG deadline = GetTickCount64() + HC_DELETE_TIMEOUT_MS;
	for (;;) {
		if (DeleteFileW(path))
			return true;
		DWORD e = GetLastError();
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			return true;
		if ((e != ERROR_ACCESS_DENIED && e != ERROR_SHARING_VIOLATION) ||
		    GetTickCount64() >= deadline)
			return false;
		Sleep(100);
	}
}

void hc_copy_remove(struct hc_copy *c)
{
	close_if(&c->file);
	if (c->made_file && c->exe && delete_retrying(c->exe))
		c->made_file = false;
	close_if(&c->leaf);
	/* Left for the next run's sweep if the copy could not be deleted. */
	if (c->made_dir && !c->made_file && c->dir && RemoveDirectoryW(c->dir))
		c->made_dir = false;
	close_if(&c->helper);
	close_if(&c->top);
	free(c->exe);
	free(c->dir);
	c->exe = c->dir = NULL;
}

/*
 * Deletes the copies (and their folders) whose owner is gone. Only folders named
 * like this run's own (<pid>-<16 hex>-<16 hex>) and only the two file names a copy
 * can have are touched; an entry that is a reparse point is left alone, and so is
 * anything else.
 */
void hc_copy_sweep(void)
{
	wchar_t *top = NULL, *helper = NULL, *pattern = NULL;
	HANDLE hold = INVALID_HANDLE_VALUE, find = INVALID_HANDLE_VALUE;
	rdls_err ignored;

	rdls_err_clear(&ignored);
	if (hc_paths(&top, &helper, &ignored) != 0)
		return;
	/* Held open without delete sharing: ...\helper stays what was checked. */
	hold = CreateFileW(helper, FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE,
			   NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
			   NULL);
	BY_HANDLE_FILE_INFORMATION fi;
	if (hold == INVALID_HANDLE_VALUE || !GetFileInformationByHandle(hold, &fi) ||
	    (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
	    !(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		goto out;
	pattern = wcat(helper, L"\\*");
	WIN32_FIND_DATAW fd;
	find = pattern ? FindFirstFileW(pattern, &fd) : INVALID_HANDLE_VALUE;
	if (find == INVALID_HANDLE_VALUE)
		goto out;
	do {
		if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ||
		    (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
			continue;
		char *name = w32_utf8(fd.cFileName);
		char pid[16] = "", created[17] = "", rnd[17] = "";
		struct hp_owner o;
		bool ours = name && strlen(name) < 48 &&
			    sscanf(name, "%15[0-9]-%16[0-9a-f]-%16[0-9a-f]", pid, created, rnd) == 3 &&
			    strlen(created) == 16 && strlen(rnd) == 16 &&
			    strlen(pid) + strlen(created) + strlen(rnd) + 2 == strlen(name) &&
			    hp_owner_parse(pid, created, &o);
		free(name);
		if (!ours || hp_owner_alive(&o))
			continue;
		wchar_t *leaf = wcat(helper, L"\\");
		wchar_t *dir = leaf ? wcat(leaf, fd.cFileName) : NULL;
		free(leaf);
		if (!dir)
			continue;
		/* The folder itself, opened without following it, must still be a plain
		 * folder while its two possible files are deleted. */
		HANDLE lh = CreateFileW(dir, FILE_LIST_DIRECTORY | SYNCHRONIZE,
					FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
					FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
		BY_HANDLE_FILE_INFORMATION li;
		bool plain = lh != INVALID_HANDLE_VALUE && GetFileInformationByHandle(lh, &li) &&
			     (li.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
			     !(li.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
		if (plain) {
			static const wchar_t *const files[] = { L"\\rdlsctl.exe", L"\\rdlsctl.exe.so" };
			for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
				/* Absent, or still mapped: then a later sweep deletes it. */
				wchar_t *f = wcat(dir, files[i]);
				if (f)
					DeleteFileW(f);
				free(f);
			}
		}
		if (lh != INVALID_HANDLE_VALUE)
			CloseHandle(lh);
		if (plain)
			RemoveDirectoryW(dir); /* fails if anything else is in it: then kept */
		free(dir);
	} while (FindNextFileW(find, &fd));
out:
	if (find != INVALID_HANDLE_VALUE)
		FindClose(find);
	close_if(&hold);
	free(pattern);
	free(top);
	free(helper);
}
