/*
 * regprobe: reads the registry from a process of its own, for the Wine tests (the shell
 * drives rdlsctl, this program reads what it left), and prints exactly what the API
 * returned.
 *
 *   regprobe get KEY VALUE     RegOpenKeyExW + RegQueryValueExW: one line "TYPE DATA"
 *   regprobe exists KEY        RegOpenKeyExW: "present" or nothing
 *   regprobe keys KEY          RegEnumKeyExW: the subkey names, one a line, sorted
 *   regprobe dump KEY [--except KEY]...
 *                              the whole tree under KEY (RegEnumKeyExW, RegEnumValueW),
 *                              subkeys and values sorted by name, leaving out each
 *                              --except subtree: "[KEY]" then "NAME=TYPE DATA" lines
 *                              ("@" is the default value); "(absent)" if KEY does not exist
 *
 * KEY starts with HKLM, HKCU, HKCR, HKU (or their HKEY_ names), the 64-bit view.
 * DATA: REG_SZ and REG_EXPAND_SZ the string (UTF-8); REG_MULTI_SZ each string, separated
 * by the two characters \0 (as reg.exe shows them); REG_DWORD and REG_QWORD the number in
 * decimal and in hex, "REG_DWORD 2 (0x2)"; anything else (REG_BINARY, REG_NONE, a type
 * number "REG_TYPE_N", a DWORD of the wrong size) the bytes in hex, "REG_BINARY 01ff".
 * Characters below 0x20 and 0x7f inside strings are shown as \xHH; a string without its
 * terminating NUL, or with data after it, is shown with a note, " (no terminating NUL)"
 * or " (N bytes after the terminating NUL)", so no malformed value passes as a plain one.
 *
 * Exit codes: 0 present, 1 absent (the call returned ERROR_FILE_NOT_FOUND), 2 any other
 * result or a usage error. Each call that does not succeed is reported on stderr the way
 * Wine's conformance tests word their ok() messages, with the API, the object and the
 * code: "RegQueryValueExW(HKLM\...\Parameters, X) returned 2 (The system cannot find ...)".
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RP_ABSENT 1
#define RP_ERROR 2

/* lstrlenW, not wcslen: under winegcc the C library's wchar_t is 4 bytes. */
static size_t wlen(const WCHAR *w)
{
	return (size_t)lstrlenW(w);
}

static void out8(FILE *f, const WCHAR *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		WCHAR c = w[i];
		char buf[8];
		int len;
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", (unsigned)c);
			continue;
		}
		/* A surrogate pair is converted as one character. */
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && w[i + 1] >= 0xdc00 &&
		    w[i + 1] <= 0xdfff) {
			len = WideCharToMultiByte(CP_UTF8, 0, &w[i], 2, buf, sizeof(buf), NULL, NULL);
			i++;
		} else {
			len = WideCharToMultiByte(CP_UTF8, 0, &w[i], 1, buf, sizeof(buf), NULL, NULL);
		}
		if (len <= 0)
			fprintf(f, "\\u%04x", (unsigned)c);
		else
			fwrite(buf, 1, (size_t)len, f);
	}
}

static void outz(FILE *f, const WCHAR *w)
{
	out8(f, w, wlen(w));
}

static WCHAR *w16(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	WCHAR *w;
	if (n <= 0) {
		fprintf(stderr, "regprobe: '%s' is not UTF-8\n", s);
		exit(RP_ERROR);
	}
	w = malloc((size_t)n * sizeof(WCHAR));
	if (!w || !MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n)) {
		fprintf(stderr, "regprobe: out of memory\n");
		exit(RP_ERROR);
	}
	return w;
}

/* "API(OBJECT[, NAME]) returned CODE (system message)" on stderr; the exit code it means. */
static int fail(const char *api, const WCHAR *object, const WCHAR *name, LONG code)
{
	WCHAR msg[512];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
				 (DWORD)code, 0, msg, 512, NULL);
	while (n > 0 && (msg[n - 1] == L'\n' || msg[n - 1] == L'\r' || msg[n - 1] == L' '))
		msg[--n] = 0;
	fprintf(stderr, "%s(", api);
	outz(stderr, object);
	if (name) {
		fputs(", ", stderr);
		outz(stderr, *name ? name : L"@");
	}
	fprintf(stderr, ") returned %ld (", (long)code);
	if (n)
		out8(stderr, msg, n);
	else
		fputs("no system message", stderr);
	fputs(")\n", stderr);
	return code == ERROR_FILE_NOT_FOUND ? RP_ABSENT : RP_ERROR;
}

static const struct {
	const WCHAR *name;
	HKEY root;
} roots[] = {
	{ L"HKLM", HKEY_LOCAL_MACHINE },  { L"HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE },
	{ L"HKCU", HKEY_CURRENT_USER },	  { L"HKEY_CURRENT_USER", HKEY_CURRENT_USER },
	{ L"HKCR", HKEY_CLASSES_ROOT },	  { L"HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT },
	{ L"HKU", HKEY_USERS },		  { L"HKEY_USERS", HKEY_USERS },
};

/* Opens KEY for reading; 0 or the exit code (after the message). */
static int open_key(const WCHAR *path, HKEY *out)
{
	const WCHAR *sep = path;
	size_t n;
	while (*sep && *sep != L'\\')
		sep++;
	n = (size_t)(sep - path);
	if (!*sep)
		sep = NULL;
	LONG st;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (wlen(roots[i].name) != n ||
		    CompareStringOrdinal(roots[i].name, (int)n, path, (int)n, TRUE) != CSTR_EQUAL)
			continue;
		st = RegOpenKeyExW(roots[i].root, sep ? sep + 1 : L"", 0,
				   KEY_READ | KEY_WOW64_64KEY, out);
		return st == ERROR_SUCCESS ? 0 : fail("RegOpenKeyExW", path, NULL, st);
	}
	fputs("regprobe: the key must start with HKLM, HKCU, HKCR or HKU: ", stderr);
	outz(stderr, path);
	fputs("\n", stderr);
	return RP_ERROR;
}

static void hex(FILE *f, const BYTE *b, DWORD n)
{
	for (DWORD i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static const char *type_name(DWORD type)
{
	switch (type) {
	case REG_NONE: return "REG_NONE";
	case REG_SZ: return "REG_SZ";
	case REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case REG_BINARY: return "REG_BINARY";
	case REG_DWORD: return "REG_DWORD";
	case REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
	case REG_LINK: return "REG_LINK";
	case REG_MULTI_SZ: return "REG_MULTI_SZ";
	case REG_QWORD: return "REG_QWORD";
	default: return NULL;
	}
}

/* One string of SZ data (bytes), with a note if it is not exactly one NUL-terminated string. */
static void put_sz(const BYTE *data, DWORD size)
{
	const WCHAR *w = (const WCHAR *)data;
	size_t n = size / sizeof(WCHAR), len = 0;
	while (len < n && w[len])
		len++;
	out8(stdout, w, len);
	if (len == n)
		printf(" (no terminating NUL)");
	else if (size != (len + 1) * sizeof(WCHAR))
		printf(" (%lu bytes after the terminating NUL)",
		       (unsigned long)(size - (len + 1) * sizeof(WCHAR)));
}

/* MULTI_SZ: the strings up to the empty one, joined with \0; a note for anything else. */
static void put_multi(const BYTE *data, DWORD size)
{
	const WCHAR *w = (const WCHAR *)data;
	size_t n = size / sizeof(WCHAR), i = 0;
	int first = 1;
	while (i < n && w[i]) {
		size_t len = 0;
		while (i + len < n && w[i + len])
			len++;
		if (!first)
			fputs("\\0", stdout);
		first = 0;
		out8(stdout, &w[i], len);
		i += len + 1;
	}
	/* Well formed: each string NUL-terminated, then one more NUL (or nothing at all). */
	if (size == 0 || (i < n && i + 1 == n && size % sizeof(WCHAR) == 0))
		return;
	if (i >= n)
		printf(" (no terminating empty string)");
	else
		printf(" (%lu bytes after the terminating empty string)",
		       (unsigned long)(size - (i + 1) * sizeof(WCHAR)));
}

static void put_data(DWORD type, const BYTE *data, DWORD size)
{
	const char *t = type_name(type);
	if (t)
		printf("%s ", t);
	else
		printf("REG_TYPE_%lu ", (unsigned long)type);
	if ((type == REG_SZ || type == REG_EXPAND_SZ) && size % sizeof(WCHAR) == 0) {
		put_sz(data, size);
	} else if (type == REG_MULTI_SZ && size % sizeof(WCHAR) == 0) {
		put_multi(data, size);
	} else if (type == REG_DWORD && size == 4) {
		DWORD v;
		memcpy(&v, data, 4);
		printf("%lu (0x%lx)", (unsigned long)v, (unsigned long)v);
	} else if (type == REG_QWORD && size == 8) {
		unsigned long long v;
		memcpy(&v, data, 8);
		printf("%llu (0x%llx)", v, v);
	} else {
		if ((type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ ||
		     type == REG_DWORD || type == REG_QWORD))
			printf("(%lu bytes) ", (unsigned long)size);
		hex(stdout, data, size);
	}
	printf("\n");
}

/* RegQueryValueExW until the buffer fits (the value may grow between two calls). */
static int query(HKEY key, const WCHAR *path, const WCHAR *name, DWORD *type, BYTE **data,
		 DWORD *size)
{
	DWORD cap = 256;
	*data = NULL;
	for (int tries = 0; tries < 8; tries++) {
		BYTE *b = realloc(*data, cap + 2);
		LONG st;
		if (!b) {
			fprintf(stderr, "regprobe: out of memory\n");
			return RP_ERROR;
		}
		*data = b;
		*size = cap;
		st = RegQueryValueExW(key, name, NULL, type, b, size);
		if (st == ERROR_SUCCESS)
			return 0;
		if (st != ERROR_MORE_DATA)
			return fail("RegQueryValueExW", path, name, st);
		cap = *size > cap ? *size : cap * 2;
	}
	return fail("RegQueryValueExW", path, name, ERROR_MORE_DATA);
}

static int cmd_get(const WCHAR *path, const WCHAR *name)
{
	HKEY key;
	BYTE *data = NULL;
	DWORD type = 0, size = 0;
	int rc = open_key(path, &key);
	if (rc)
		return rc;
	rc = query(key, path, name, &type, &data, &size);
	if (!rc)
		put_data(type, data, size);
	free(data);
	RegCloseKey(key);
	return rc;
}

/* A subkey name, or a value with its data. */
typedef struct {
	WCHAR *name;
	DWORD type;
	BYTE *data;
	DWORD size;
} entry;

typedef struct {
	entry *v;
	size_t n;
} entries;

static void entries_free(entries *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].data);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int by_name(const void *a, const void *b)
{
	const WCHAR *x = ((const entry *)a)->name, *y = ((const entry *)b)->name;
	/* The registry's own order: case-insensitive, then ordinal to keep it total. */
	int c = CompareStringOrdinal(x, -1, y, -1, TRUE);
	if (c == CSTR_EQUAL)
		c = CompareStringOrdinal(x, -1, y, -1, FALSE);
	return c - CSTR_EQUAL;
}

static int oom(void)
{
	fprintf(stderr, "regprobe: out of memory\n");
	return RP_ERROR;
}

/*
 * KEY's subkeys (values: 0) or its values with their data (values: 1), sorted by name;
 * 0 or the exit code. RegEnumValueW returns the data with the name: one call a value.
 */
static int list_try(HKEY key, const WCHAR *path, int values, entries *out, int tries)
{
	DWORD nsub = 0, maxsub = 0, nval = 0, maxval = 0, maxdata = 0;
	LONG st = RegQueryInfoKeyW(key, NULL, NULL, NULL, &nsub, &maxsub, NULL, &nval, &maxval,
				   &maxdata, NULL, NULL);
	out->v = NULL;
	out->n = 0;
	if (st != ERROR_SUCCESS)
		return fail("RegQueryInfoKeyW", path, NULL, st);
	for (DWORD i = 0;; i++) {
		entry e = { NULL, 0, NULL, 0 };
		DWORD cap = (values ? maxval : maxsub) + 1, len = cap;
		entry *grown;
		e.name = malloc(((size_t)cap + 1) * sizeof(WCHAR));
		e.size = maxdata;
		e.data = values ? malloc((size_t)maxdata + 2) : NULL;
		if (!e.name || (values && !e.data)) {
			free(e.name);
			free(e.data);
			entries_free(out);
			return oom();
		}
		st = values ? RegEnumValueW(key, i, e.name, &len, NULL, &e.type, e.data, &e.size)
			    : RegEnumKeyExW(key, i, e.name, &len, NULL, NULL, NULL, NULL);
		if (st == ERROR_MORE_DATA) {
			/* The key changed since RegQueryInfoKeyW: start again with its new sizes. */
			free(e.name);
			free(e.data);
			entries_free(out);
			if (tries > 8)
				return fail(values ? "RegEnumValueW" : "RegEnumKeyExW", path, NULL, st);
			return list_try(key, path, values, out, tries + 1);
		}
		if (st != ERROR_SUCCESS) {
			free(e.name);
			free(e.data);
			if (st == ERROR_NO_MORE_ITEMS)
				break;
			entries_free(out);
			return fail(values ? "RegEnumValueW" : "RegEnumKeyExW", path, NULL, st);
		}
		e.name[len] = 0;
		grown = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		if (!grown) {
			free(e.name);
			free(e.data);
			entries_free(out);
			return oom();
		}
		out->v = grown;
		out->v[out->n++] = e;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_name);
	return 0;
}

static int list(HKEY key, const WCHAR *path, int values, entries *out)
{
	return list_try(key, path, values, out, 0);
}

static int cmd_keys(const WCHAR *path)
{
	HKEY key;
	entries l;
	int rc = open_key(path, &key);
	if (rc)
		return rc;
	rc = list(key, path, 0, &l);
	for (size_t i = 0; !rc && i < l.n; i++) {
		outz(stdout, l.v[i].name);
		printf("\n");
	}
	entries_free(&l);
	RegCloseKey(key);
	return rc;
}

static WCHAR *join(const WCHAR *a, const WCHAR *b)
{
	size_t na = wlen(a), nb = wlen(b);
	WCHAR *w = malloc((na + nb + 2) * sizeof(WCHAR));
	if (!w)
		exit(oom());
	memcpy(w, a, na * sizeof(WCHAR));
	w[na] = L'\\';
	memcpy(w + na + 1, b, (nb + 1) * sizeof(WCHAR));
	return w;
}

static int excepted(const WCHAR *path, WCHAR **except, int nexcept)
{
	for (int i = 0; i < nexcept; i++)
		if (CompareStringOrdinal(path, -1, except[i], -1, TRUE) == CSTR_EQUAL)
			return 1;
	return 0;
}

/*
 * Wine's advapi32 opens ...\Perflib\009 (and the other language subkeys) as the
 * performance-text pseudo key: not a key of the registry, nothing to enumerate.
 */
static int pseudo(HKEY key)
{
	return key == HKEY_PERFORMANCE_DATA || key == HKEY_PERFORMANCE_TEXT ||
	       key == HKEY_PERFORMANCE_NLSTEXT;
}

static int dump(const WCHAR *path, WCHAR **except, int nexcept)
{
	HKEY key;
	entries vals, subs;
	int rc = open_key(path, &key);
	if (rc)
		return rc;
	printf("[");
	outz(stdout, path);
	printf("]\n");
	if (pseudo(key)) {
		printf("(performance data pseudo key)\n");
		RegCloseKey(key);
		return 0;
	}
	rc = list(key, path, 1, &vals);
	for (size_t i = 0; !rc && i < vals.n; i++) {
		if (*vals.v[i].name)
			outz(stdout, vals.v[i].name);
		else
			printf("@");
		printf("=");
		put_data(vals.v[i].type, vals.v[i].data, vals.v[i].size);
	}
	entries_free(&vals);
	if (!rc)
		rc = list(key, path, 0, &subs);
	RegCloseKey(key);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < subs.n; i++) {
		WCHAR *sub = join(path, subs.v[i].name);
		if (!excepted(sub, except, nexcept))
			/* A subkey that vanished since the listing is a change as well: an error. */
			rc = dump(sub, except, nexcept) ? RP_ERROR : 0;
		free(sub);
	}
	entries_free(&subs);
	return rc;
}

static int cmd_dump(const WCHAR *path, WCHAR **except, int nexcept)
{
	HKEY key;
	int rc = open_key(path, &key);
	if (rc == RP_ABSENT) {
		printf("(absent)\n");
		return rc;
	}
	if (rc)
		return rc;
	RegCloseKey(key);
	return dump(path, except, nexcept);
}

static int usage(void)
{
	fprintf(stderr, "usage: regprobe get KEY VALUE | exists KEY | keys KEY | "
			"dump KEY [--except KEY]...\n");
	return RP_ERROR;
}

int main(int argc, char **argv)
{
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (argc == 4 && !strcmp(argv[1], "get"))
		return cmd_get(w16(argv[2]), w16(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "exists")) {
		HKEY key;
		int rc = open_key(w16(argv[2]), &key);
		if (!rc) {
			RegCloseKey(key);
			printf("present\n");
		}
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "keys"))
		return cmd_keys(w16(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "dump") && argc % 2 == 1) {
		int nexcept = (argc - 3) / 2;
		WCHAR **except = calloc((size_t)nexcept + 1, sizeof(*except));
		if (!except)
			return RP_ERROR;
		for (int i = 0; i < nexcept; i++) {
			if (strcmp(argv[3 + 2 * i], "--except"))
				return usage();
			except[i] = w16(argv[4 + 2 * i]);
		}
		return cmd_dump(w16(argv[2]), except, nexcept);
	}
	return usage();
}
