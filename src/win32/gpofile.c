/*
 * Files of the local Group Policy object: where it is (GetSystemDirectoryW), reading a
 * file whole, replacing one atomically (a temporary file beside it, flushed, then
 * MoveFileExW with MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH, so that a crash
 * leaves the old file or the new one, never half of one), and deleting one.
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#define TMP_SUFFIX L".rdlsctl-new"

int w32_gpo_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	(void)ctx;
	wchar_t dir[MAX_PATH + 16];
	UINT len = GetSystemDirectoryW(dir, MAX_PATH);
	if (len == 0)
		return w32_fail(err, "GetSystemDirectoryW", "the system directory", GetLastError());
	if (len >= MAX_PATH)
		return w32_fail(err, "GetSystemDirectoryW", "the system directory",
				ERROR_INSUFFICIENT_BUFFER);
	if (len > 0 && dir[len - 1] == L'\\')
		dir[--len] = L'\0';
	lstrcatW(dir, L"\\GroupPolicy");
	char *u = w32_utf8(dir);
	if (!u)
		return w32_fail(err, "WideCharToMultiByte", "the system directory",
				ERROR_NOT_ENOUGH_MEMORY);
	size_t ul = strlen(u);
	int rc = 0;
	if (ul >= n)
		rc = w32_fail(err, "GetSystemDirectoryW", u, ERROR_INSUFFICIENT_BUFFER);
	else
		memcpy(buf, u, ul + 1);
	free(u);
	return rc;
}

static bool missing(DWORD e)
{
	return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
}

int w32_file_read(void *ctx, const char *path, size_t max, unsigned char **data, size_t *len,
		  bool *exists, rdls_err *err)
{
	(void)ctx;
	*data = NULL;
	*len = 0;
	*exists = false;
	wchar_t *w = w32_wide(path);
	if (!w)
		return w32_fail(err, "MultiByteToWideChar", path, ERROR_NO_UNICODE_TRANSLATION);
	HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
			       FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		return missing(e) ? 0 : w32_fail(err, "CreateFileW", path, e);
	}
	int rc = -1;
	unsigned char *buf = NULL;
	LARGE_INTEGER size;
	if (!GetFileSizeEx(h, &size)) {
		w32_fail(err, "GetFileSizeEx", path, GetLastError());
		goto out;
	}
	if (size.QuadPart < 0 || (unsigned long long)size.QuadPart > max) {
		w32_fail(err, "GetFileSizeEx", path, ERROR_FILE_TOO_LARGE);
		goto out;
	}
	size_t want = (size_t)size.QuadPart, got = 0;
	buf = malloc(want ? want : 1);
	if (!buf) {
		w32_fail(err, "ReadFile", path, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	while (got < want) {
		DWORD n = 0;
		if (!ReadFile(h, buf + got, (DWORD)(want - got), &n, NULL)) {
			w32_fail(err, "ReadFile", path, GetLastError());
			goto out;
		}
		if (n == 0)
			break; /* shorter than its size said: take what is there */
		got += n;
	}
	*data = buf;
	*len = got;
	*exists = true;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	CloseHandle(h);
	return rc;
}

/* Creates the directory w[0, end) when it is missing. */
static int make_dir(wchar_t *w, size_t end, const char *path, rdls_err *err)
{
	wchar_t save = w[end];
	w[end] = L'\0';
	int rc = 0;
	if (!CreateDirectoryW(w, NULL)) {
		DWORD e = GetLastError();
		if (e != ERROR_ALREADY_EXISTS)
			rc = w32_fail(err, "CreateDirectoryW", path, e);
	}
	w[end] = save;
	return rc;
}

/* The file's directory and its parent (GroupPolicy\Machine, GroupPolicy). */
static int make_parents(wchar_t *w, const char *path, rdls_err *err)
{
	size_t seps[2], k = 0;
	for (size_t i = (size_t)lstrlenW(w); i-- > 0 && k < 2;)
		if (w[i] == L'\\' || w[i] == L'/')
			seps[k++] = i;
	for (size_t j = k; j-- > 0;)
		if (make_dir(w, seps[j], path, err) != 0)
			return -1;
	return 0;
}

int w32_file_write(void *ctx, const char *path, const void *data, size_t len, rdls_err *err)
{
	(void)ctx;
	wchar_t *w = w32_wide(path);
	if (!w)
		return w32_fail(err, "MultiByteToWideChar", path, ERROR_NO_UNICODE_TRANSLATION);
	size_t wl = (size_t)lstrlenW(w);
	wchar_t *tmp = malloc((wl + sizeof(TMP_SUFFIX) / sizeof(wchar_t) + 1) * sizeof(wchar_t));
	int rc = -1;
	HANDLE h = INVALID_HANDLE_VALUE;
	if (!tmp) {
		w32_fail(err, "CreateFileW", path, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	lstrcpyW(tmp, w);
	lstrcatW(tmp, TMP_SUFFIX);
	if (make_parents(w, path, err) != 0)
		goto out;
	h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		w32_fail(err, "CreateFileW", path, GetLastError());
		goto out;
	}
	const unsigned char *p = data;
	for (size_t done = 0; done < len;) {
		DWORD n = 0, chunk = len - done > 0x40000000u ? 0x40000000u : (DWORD)(len - done);
		if (!WriteFile(h, p + done, chunk, &n, NULL)) {
			w32_fail(err, "WriteFile", path, GetLastError());
			goto out;
		}
		done += n;
	}
	if (!FlushFileBuffers(h)) {
		w32_fail(err, "FlushFileBuffers", path, GetLastError());
		goto out;
	}
	if (!CloseHandle(h)) {
		h = INVALID_HANDLE_VALUE;
		w32_fail(err, "CloseHandle", path, GetLastError());
		goto out;
	}
	h = INVALID_HANDLE_VALUE;
	if (!MoveFileExW(tmp, w, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		w32_fail(err, "MoveFileExW", path, GetLastError());
		goto out;
	}
	rc = 0;
out:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	if (rc != 0 && tmp)
		DeleteFileW(tmp); /* best effort: the real file is untouched either way */
	free(tmp);
	free(w);
	return rc;
}

int w32_file_delete(void *ctx, const char *path, rdls_err *err)
{
	(void)ctx;
	wchar_t *w = w32_wide(path);
	if (!w)
		return w32_fail(err, "MultiByteToWideChar", path, ERROR_NO_UNICODE_TRANSLATION);
	int rc = 0;
	if (!DeleteFileW(w)) {
		DWORD e = GetLastError();
		if (!missing(e))
			rc = w32_fail(err, "DeleteFileW", path, e);
	}
	free(w);
	return rc;
}
