/*
 * Registry values, and the keys apply creates for them, under HKEY_LOCAL_MACHINE,
 * always in the 64-bit view (the licensing service is a 64-bit service; a 32-bit
 * build must not be redirected to WOW6432Node). Strings become UTF-8 in the layout
 * of sys.h; every other type keeps its exact bytes, so a value of an unexpected
 * type is observed as it is, compared as different, and restored byte for byte by
 * undo.
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

/* "HKLM\<key>" or "HKLM\<key> value '<name>'" for error messages. */
static void reg_object(char *buf, size_t n, const char *key, const char *name)
{
	if (name)
		snprintf(buf, n, "HKLM\\%s value '%s'", key, name);
	else
		snprintf(buf, n, "HKLM\\%s", key);
}

static bool is_string_type(DWORD type)
{
	return type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
}

/*
 * UTF-16 registry string data (len bytes, terminators optional) to the UTF-8
 * layout of sys.h. REG_SZ / REG_EXPAND_SZ: up to the first NUL, plus one NUL.
 * REG_MULTI_SZ: each string plus NUL, ending at the first empty string or the end
 * of the data, plus one more NUL.
 */
static int string_to_utf8(DWORD type, const unsigned char *data, size_t len, rdls_regval *out)
{
	size_t wn = len / sizeof(wchar_t);
	wchar_t *w = malloc((wn + 1) * sizeof(wchar_t));
	if (!w)
		return -1;
	if (wn)
		memcpy(w, data, wn * sizeof(wchar_t));
	w[wn] = 0;

	size_t end = 0; /* wide units to convert, embedded NULs included */
	if (type == REG_MULTI_SZ) {
		size_t i = 0;
		while (i < wn && w[i] != 0) {
			while (i < wn && w[i] != 0)
				i++;
			i++; /* the string's NUL (present, or the one we appended) */
		}
		end = i < wn ? i : wn;
	} else {
		while (end < wn && w[end] != 0)
			end++;
	}

	size_t un = 0;
	char *u = w32_utf8_n(w, end, &un);
	free(w);
	if (!u)
		return -1;
	/* REG_MULTI_SZ: the last string may lack its NUL when the data was cut short. */
	size_t total = un + 1;
	if (type == REG_MULTI_SZ && un > 0 && u[un - 1] != '\0')
		total++;
	else if (type == REG_MULTI_SZ && un == 0)
		total = 1;
	unsigned char *d = calloc(total, 1);
	if (!d) {
		free(u);
		return -1;
	}
	memcpy(d, u, un);
	free(u);
	out->present = true;
	out->type = type;
	out->data = d;
	out->len = total;
	return 0;
}

int w32_reg_get(void *ctx, const char *key, const char *name, rdls_regval *out, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = w32_wide(key), *wname = w32_wide(name);
	HKEY hk = NULL;
	unsigned char *buf = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!wkey || !wname) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
		goto out;
	}
	LSTATUS st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY,
				   &hk);
	if (st == ERROR_FILE_NOT_FOUND) {
		rc = 0; /* no key: no value */
		goto out;
	}
	if (st != ERROR_SUCCESS) {
		reg_object(obj, sizeof(obj), key, NULL);
		w32_fail(err, "RegOpenKeyExW", obj, (DWORD)st);
		goto out;
	}

	/* Grow and retry: the value may change size between two calls. */
	DWORD type = 0, size = 256;
	for (;;) {
		unsigned char *nb = realloc(buf, (size_t)size + sizeof(wchar_t));
		if (!nb) {
			reg_object(obj, sizeof(obj), key, name);
			w32_fail(err, "realloc", obj, ERROR_NOT_ENOUGH_MEMORY);
			goto out;
		}
		buf = nb;
		DWORD got = size;
		st = RegQueryValueExW(hk, wname, NULL, &type, buf, &got);
		if (st == ERROR_MORE_DATA) {
			size = got > size ? got : size * 2;
			continue;
		}
		if (st == ERROR_FILE_NOT_FOUND) {
			rc = 0;
			goto out;
		}
		if (st != ERROR_SUCCESS) {
			reg_object(obj, sizeof(obj), key, name);
			w32_fail(err, "RegQueryValueExW", obj, (DWORD)st);
			goto out;
		}
		size = got;
		break;
	}

	if (is_string_type(type)) {
		if (string_to_utf8(type, buf, size, out) != 0) {
			reg_object(obj, sizeof(obj), key, name);
			w32_fail(err, "WideCharToMultiByte", obj, ERROR_NOT_ENOUGH_MEMORY);
			goto out;
		}
	} else {
		/* Raw bytes, whatever the type (a REG_DWORD of the wrong size included). */
		out->present = true;
		out->type = type;
		out->len = size;
		out->data = buf;
		buf = NULL;
	}
	rc = 0;
out:
	free(buf);
	free(wkey);
	free(wname);
	if (hk)
		RegCloseKey(hk);
	return rc;
}

/* sys.h layout to the UTF-16 data RegSetValueExW expects, terminators included. */
static wchar_t *string_to_wide(const rdls_regval *v, DWORD *bytes)
{
	const char *s = (const char *)v->data;
	size_t n = v->len;
	size_t wn = 0;
	wchar_t *w;

	if (v->type == REG_MULTI_SZ) {
		/* Convert all of it, embedded NULs included; then make sure it ends with
		 * two NULs (an empty list is written as two NULs). */
		while (n > 0 && s[n - 1] == '\0')
			n--;
		w = w32_wide_n(s ? s : "", n, &wn);
		if (!w)
			return NULL;
		wchar_t *w2 = realloc(w, (wn + 2) * sizeof(wchar_t));
		if (!w2) {
			free(w);
			return NULL;
		}
		w = w2;
		w[wn] = 0;
		w[wn + 1] = 0;
		*bytes = (DWORD)((wn + 2) * sizeof(wchar_t));
	} else {
		/* Up to the first NUL (or the end, when the terminator is missing). */
		size_t l = 0;
		while (l < n && s[l] != '\0')
			l++;
		w = w32_wide_n(s ? s : "", l, &wn);
		if (!w)
			return NULL;
		*bytes = (DWORD)((wn + 1) * sizeof(wchar_t));
	}
	return w;
}

int w32_reg_set(void *ctx, const char *key, const char *name, const rdls_regval *v,
		rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = w32_wide(key), *wname = w32_wide(name), *wdata = NULL;
	HKEY hk = NULL;
	int rc = -1;

	if (!wkey || !wname) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
		goto out;
	}
	if (!v->present) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail_text(err, "", obj, 0, "internal error: setting a value marked absent");
		goto out;
	}
	const BYTE *data = v->data;
	DWORD bytes = (DWORD)v->len;
	if (v->len > 0x7fffffff) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail(err, "RegSetValueExW", obj, ERROR_INVALID_PARAMETER);
		goto out;
	}
	if (is_string_type(v->type)) {
		wdata = string_to_wide(v, &bytes);
		if (!wdata) {
			reg_object(obj, sizeof(obj), key, name);
			w32_fail_text(err, "MultiByteToWideChar", obj, ERROR_NO_UNICODE_TRANSLATION,
				      "the value's data is not valid UTF-8");
			goto out;
		}
		data = (const BYTE *)wdata;
	}

	LSTATUS st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, NULL, REG_OPTION_NON_VOLATILE,
				     KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &hk, NULL);
	if (st != ERROR_SUCCESS) {
		reg_object(obj, sizeof(obj), key, NULL);
		w32_fail(err, "RegCreateKeyExW", obj, (DWORD)st);
		goto out;
	}
	st = RegSetValueExW(hk, wname, 0, (DWORD)v->type, data, bytes);
	if (st != ERROR_SUCCESS) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail(err, "RegSetValueExW", obj, (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	free(wkey);
	free(wname);
	free(wdata);
	if (hk)
		RegCloseKey(hk);
	return rc;
}

int w32_reg_del(void *ctx, const char *key, const char *name, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = w32_wide(key), *wname = w32_wide(name);
	HKEY hk = NULL;
	int rc = -1;

	if (!wkey || !wname) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
		goto out;
	}
	LSTATUS st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, KEY_SET_VALUE | KEY_WOW64_64KEY,
				   &hk);
	if (st == ERROR_FILE_NOT_FOUND) {
		rc = 0; /* no key: the value is already gone */
		goto out;
	}
	if (st != ERROR_SUCCESS) {
		reg_object(obj, sizeof(obj), key, NULL);
		w32_fail(err, "RegOpenKeyExW", obj, (DWORD)st);
		goto out;
	}
	st = RegDeleteValueW(hk, wname);
	if (st != ERROR_SUCCESS && st != ERROR_FILE_NOT_FOUND) {
		reg_object(obj, sizeof(obj), key, name);
		w32_fail(err, "RegDeleteValueW", obj, (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	free(wkey);
	free(wname);
	if (hk)
		RegCloseKey(hk);
	return rc;
}

/* "" or a path with an empty level ("A\\\\B", "A\\") would name HKLM itself or a parent. */
static bool key_path_ok(const char *key)
{
	size_t n = strlen(key);
	return n > 0 && key[0] != '\\' && key[n - 1] != '\\' && !strstr(key, "\\\\");
}

/*
 * Validates key, converts it (*wkey, the caller frees it) and opens it for reading.
 * A missing key leaves *hk NULL and is not an error.
 */
static int key_open_read(const char *key, char *obj, size_t obj_n, wchar_t **wkey, HKEY *hk,
			 rdls_err *err)
{
	*hk = NULL;
	*wkey = w32_wide(key);
	reg_object(obj, obj_n, key, NULL);
	if (!*wkey || !key_path_ok(key))
		return w32_fail_text(err, "", obj, 0, "not a valid registry key path, or out of memory");
	LSTATUS st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, *wkey, 0, KEY_READ | KEY_WOW64_64KEY, hk);
	if (st == ERROR_FILE_NOT_FOUND) {
		*hk = NULL;
		return 0;
	}
	if (st != ERROR_SUCCESS) {
		*hk = NULL;
		return w32_fail(err, "RegOpenKeyExW", obj, (DWORD)st);
	}
	return 0;
}

int w32_reg_key_get(void *ctx, const char *key, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = NULL;
	HKEY hk = NULL;
	int rc = key_open_read(key, obj, sizeof(obj), &wkey, &hk, err);
	*exists = rc == 0 && hk != NULL;
	free(wkey);
	if (hk)
		RegCloseKey(hk);
	return rc;
}

int w32_reg_key_create(void *ctx, const char *key, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = w32_wide(key);
	HKEY hk = NULL;
	int rc = -1;

	reg_object(obj, sizeof(obj), key, NULL);
	if (!wkey || !key_path_ok(key)) {
		w32_fail_text(err, "", obj, 0, "not a valid registry key path, or out of memory");
		goto out;
	}
	/* The handle is not used: ask for as little as possible (KEY_CREATE_SUB_KEY on the
	 * parent is what creating needs, and RegCreateKeyExW asks for that itself). */
	LSTATUS st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, NULL, REG_OPTION_NON_VOLATILE,
				     KEY_QUERY_VALUE | KEY_WOW64_64KEY, NULL, &hk, NULL);
	if (st != ERROR_SUCCESS) {
		w32_fail(err, "RegCreateKeyExW", obj, (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	free(wkey);
	if (hk)
		RegCloseKey(hk);
	return rc;
}

/*
 * Only an empty key is deleted. RegDeleteKeyExW itself refuses a key with subkeys but
 * would take its values with it, hence the RegQueryInfoKeyW check first. (The registry
 * has no "delete if empty": a value another program writes between the two calls would
 * go with the key. The window is two system calls wide.)
 */
int w32_reg_key_del(void *ctx, const char *key, bool *not_empty, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	wchar_t *wkey = NULL;
	HKEY hk = NULL;
	int rc = -1;

	*not_empty = false;
	if (key_open_read(key, obj, sizeof(obj), &wkey, &hk, err) != 0)
		goto out;
	if (!hk) {
		rc = 0; /* already gone */
		goto out;
	}
	DWORD subkeys = 0, values = 0;
	LSTATUS st = RegQueryInfoKeyW(hk, NULL, NULL, NULL, &subkeys, NULL, NULL, &values, NULL, NULL, NULL,
			      NULL);
	if (st != ERROR_SUCCESS) {
		w32_fail(err, "RegQueryInfoKeyW", obj, (DWORD)st);
		goto out;
	}
	RegCloseKey(hk);
	hk = NULL;
	if (subkeys || values) {
		*not_empty = true;
		rc = 0;
		goto out;
	}
	st = RegDeleteKeyExW(HKEY_LOCAL_MACHINE, wkey, KEY_WOW64_64KEY, 0);
	if (st != ERROR_SUCCESS && st != ERROR_FILE_NOT_FOUND) {
		w32_fail(err, "RegDeleteKeyExW", obj, (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	free(wkey);
	if (hk)
		RegCloseKey(hk);
	return rc;
}
