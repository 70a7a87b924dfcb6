/*
 * The basics every module uses: the error type (err.c), the secret type
 * (secret.c), registry value helpers (regval.c) and the string helpers (util.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rdls/err.h"
#include "rdls/secret.h"
#include "rdls/sys.h"
#include "rdls/util.h"

/* --- err.c ----------------------------------------------------------------- */

static void format(const rdls_err *e, char *buf, size_t n)
{
	rdls_err_format(e, buf, n);
}

static void test_basics_err_format_win32(void **state)
{
	(void)state;
	rdls_err e;
	char buf[1600];
	assert_int_equal(rdls_err_set(&e, "NetLocalGroupAdd", "group 'RDLS Peers'", 2223,
				      "the group already exists"), -1);
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "NetLocalGroupAdd on group 'RDLS Peers' returned 2223 (the group already exists)");

	/* the largest code that is not an HRESULT stays decimal */
	rdls_err_set(&e, "X", "o", 0x7fffffffu, "t");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "X on o returned 2147483647 (t)");
	rdls_err_set(&e, "RegOpenKeyExW", "HKLM\\SYSTEM\\x", 5, "%s %d", "access is denied", 1);
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "RegOpenKeyExW on HKLM\\SYSTEM\\x returned 5 (access is denied 1)");
}

static void test_basics_err_format_hresult(void **state)
{
	(void)state;
	rdls_err e;
	char buf[1600];
	rdls_err_set(&e, "ExecMethod(PublishLS)", "Win32_TSLicenseServer=@", 0x80041010u, "invalid class");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "ExecMethod(PublishLS) on Win32_TSLicenseServer=@ returned 0x80041010 (invalid class)");
	rdls_err_set(&e, "CoCreateInstance", "WbemLocator", 0x80000000u, "x");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "CoCreateInstance on WbemLocator returned 0x80000000 (x)");
	rdls_err_set(&e, "A", "B", 0xffffffffu, "y");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "A on B returned 0xFFFFFFFF (y)");
}

static void test_basics_err_format_core(void **state)
{
	(void)state;
	rdls_err e;
	char buf[1600];
	/* an error rdlsctl found itself: no API, no code */
	rdls_err_set(&e, NULL, "site.ini", 0, "cannot read '%s'", "site.ini");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "site.ini: cannot read 'site.ini'");
	assert_string_equal(e.api, "");
	rdls_err_set(&e, "", NULL, 0, "plain");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "plain");
}

static void test_basics_err_format_missing_parts(void **state)
{
	(void)state;
	rdls_err e;
	char buf[1600];
	rdls_err_set(&e, "NetUserAdd", "", 2224, NULL);
	assert_string_equal(e.text, "");
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "NetUserAdd on ? returned 2224 (no message)");
	rdls_err_set(&e, "FlushFileBuffers", NULL, 0x80070005u, NULL);
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "FlushFileBuffers on ? returned 0x80070005 (no message)");
}

static void test_basics_err_format_small_buffer(void **state)
{
	(void)state;
	rdls_err e;
	char buf[16];
	rdls_err_set(&e, "NetLocalGroupAdd", "group 'RDLS Peers'", 2223, "the group already exists");
	memset(buf, 'x', sizeof(buf));
	format(&e, buf, 10);
	assert_string_equal(buf, "NetLocalG");
	assert_int_equal(buf[10], 'x'); /* nothing written past n */
	memset(buf, 'x', sizeof(buf));
	format(&e, buf, 1);
	assert_string_equal(buf, "");
	memset(buf, 'x', sizeof(buf));
	format(&e, buf, 0);
	assert_int_equal(buf[0], 'x');
}

static void test_basics_err_set_truncates(void **state)
{
	(void)state;
	rdls_err e;
	char api[200], obj[1000], text[1000];
	memset(api, 'a', sizeof(api) - 1);
	api[sizeof(api) - 1] = '\0';
	memset(obj, 'o', sizeof(obj) - 1);
	obj[sizeof(obj) - 1] = '\0';
	memset(text, 't', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(rdls_err_set(&e, api, obj, 1, "%s", text), -1);
	assert_int_equal(strlen(e.api), RDLS_ERR_API_MAX - 1);
	assert_int_equal(strlen(e.object), RDLS_ERR_OBJ_MAX - 1);
	assert_int_equal(strlen(e.text), RDLS_ERR_TEXT_MAX - 1);
	assert_int_equal(e.code, 1);

	char buf[RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 64];
	format(&e, buf, sizeof(buf));
	assert_int_equal(strlen(buf), (RDLS_ERR_API_MAX - 1) + 4 + (RDLS_ERR_OBJ_MAX - 1) + 10 + 1 + 2 +
					      (RDLS_ERR_TEXT_MAX - 1) + 1);

	/* exactly one character too long: the boundary case */
	api[RDLS_ERR_API_MAX] = '\0';
	obj[RDLS_ERR_OBJ_MAX] = '\0';
	rdls_err_set(&e, api, obj, 2, "x");
	assert_int_equal(strlen(e.api), RDLS_ERR_API_MAX - 1);
	assert_int_equal(strlen(e.object), RDLS_ERR_OBJ_MAX - 1);
	assert_int_equal(e.code, 2);
	/* and exactly fitting */
	api[RDLS_ERR_API_MAX - 1] = '\0';
	rdls_err_set(&e, api, "o", 3, "x");
	assert_int_equal(strlen(e.api), RDLS_ERR_API_MAX - 1);
	assert_string_equal(e.object, "o");

	/* a NULL error is tolerated and still reports failure */
	assert_int_equal(rdls_err_set(NULL, "x", "y", 1, "z"), -1);
}

static void test_basics_err_clear(void **state)
{
	(void)state;
	rdls_err e;
	rdls_err_set(&e, "A", "B", 7, "C");
	rdls_err_clear(&e);
	assert_string_equal(e.api, "");
	assert_string_equal(e.object, "");
	assert_string_equal(e.text, "");
	assert_int_equal(e.code, 0);
	char buf[8] = "junk";
	format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* --- secret.c -------------------------------------------------------------- */

static void test_basics_secret_new(void **state)
{
	(void)state;
	rdls_secret *s = rdls_secret_new("hunter2-and-more", 7);
	assert_non_null(s);
	assert_string_equal(rdls_secret_str(s), "hunter2"); /* copied len bytes, NUL-terminated */
	assert_int_equal(rdls_secret_len(s), 7);
	rdls_secret_free(s);

	s = rdls_secret_new("a\0b", 3); /* the length, not the NUL, decides */
	assert_non_null(s);
	assert_int_equal(rdls_secret_len(s), 3);
	assert_memory_equal(rdls_secret_str(s), "a\0b", 4);
	rdls_secret_free(s);

	s = rdls_secret_new(NULL, 0);
	assert_non_null(s);
	assert_string_equal(rdls_secret_str(s), "");
	assert_int_equal(rdls_secret_len(s), 0);
	rdls_secret_free(s);

	assert_string_equal(rdls_secret_str(NULL), "");
	assert_int_equal(rdls_secret_len(NULL), 0);
	rdls_secret_free(NULL);
}

/* The copy is the secret's own: changing the source afterwards does not touch it. */
static void test_basics_secret_copies(void **state)
{
	(void)state;
	char src[] = "original";
	rdls_secret *s = rdls_secret_new(src, strlen(src));
	memset(src, 'X', strlen(src));
	assert_string_equal(rdls_secret_str(s), "original");
	rdls_secret_free(s);
}

static void test_basics_secure_zero(void **state)
{
	(void)state;
	unsigned char b[37];
	memset(b, 0xa5, sizeof(b));
	rdls_secure_zero(b + 1, 35);
	assert_int_equal(b[0], 0xa5);
	for (size_t i = 1; i < 36; i++)
		if (b[i] != 0)
			fail_msg("byte %zu is 0x%02x after rdls_secure_zero", i, b[i]);
	assert_int_equal(b[36], 0xa5);
	rdls_secure_zero(NULL, 10);
	rdls_secure_zero(b, 0);
	assert_int_equal(b[0], 0xa5);
}

/* --- regval.c --------------------------------------------------------------- */

static void test_basics_regval_set_sz(void **state)
{
	(void)state;
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_sz(&v, RDLS_REG_SZ, "LICSVR1\\RDLS Peers"), 0);
	assert_true(v.present);
	assert_int_equal(v.type, RDLS_REG_SZ);
	assert_int_equal(v.len, strlen("LICSVR1\\RDLS Peers") + 1);
	assert_memory_equal(v.data, "LICSVR1\\RDLS Peers", v.len);
	/* setting again replaces (ASan would report the old buffer if it leaked) */
	assert_int_equal(rdls_regval_set_sz(&v, RDLS_REG_EXPAND_SZ, ""), 0);
	assert_int_equal(v.type, RDLS_REG_EXPAND_SZ);
	assert_int_equal(v.len, 1);
	assert_int_equal(v.data[0], 0);
	rdls_regval_release(&v);
	assert_false(v.present);
	assert_null(v.data);
	assert_int_equal(v.len, 0);
	rdls_regval_release(&v); /* twice is harmless */
	rdls_regval_release(NULL);
}

static void test_basics_regval_set_dword(void **state)
{
	(void)state;
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_dword(&v, 0x04030201u), 0);
	assert_int_equal(v.type, RDLS_REG_DWORD);
	assert_int_equal(v.len, 4);
	const unsigned char le[4] = { 1, 2, 3, 4 };
	assert_memory_equal(v.data, le, 4);
	assert_int_equal(rdls_regval_set_dword(&v, 2), 0);
	const unsigned char two[4] = { 2, 0, 0, 0 };
	assert_memory_equal(v.data, two, 4);
	rdls_regval_release(&v);
}

static void test_basics_regval_set_multi(void **state)
{
	(void)state;
	rdls_regval v = { 0 };
	const char *const list[] = { "licsvr1.corp.example", "b", "" };
	assert_int_equal(rdls_regval_set_multi(&v, list, 2), 0);
	assert_int_equal(v.type, RDLS_REG_MULTI_SZ);
	assert_int_equal(v.len, 21 + 2 + 1);
	assert_memory_equal(v.data, "licsvr1.corp.example\0b\0\0", v.len);
	/* the empty list is a single NUL */
	assert_int_equal(rdls_regval_set_multi(&v, NULL, 0), 0);
	assert_int_equal(v.len, 1);
	assert_int_equal(v.data[0], 0);
	assert_true(v.present);
	rdls_regval_release(&v);
}

static void test_basics_regval_copy(void **state)
{
	(void)state;
	rdls_regval a = { 0 }, b;
	assert_int_equal(rdls_regval_set_sz(&a, RDLS_REG_SZ, "x"), 0);
	assert_int_equal(rdls_regval_copy(&b, &a), 0);
	assert_true(rdls_regval_equal(&a, &b));
	assert_ptr_not_equal(a.data, b.data); /* deep */
	b.data[0] = 'y';
	assert_false(rdls_regval_equal(&a, &b));
	assert_int_equal(a.data[0], 'x');
	rdls_regval_release(&b);

	rdls_regval absent = { .present = false }, c;
	memset(&c, 0x77, sizeof(c));
	assert_int_equal(rdls_regval_copy(&c, &absent), 0);
	assert_false(c.present);
	assert_null(c.data);

	rdls_regval empty_bin = { .present = true, .type = RDLS_REG_BINARY, .data = NULL, .len = 0 };
	assert_int_equal(rdls_regval_copy(&c, &empty_bin), 0);
	assert_true(c.present);
	assert_int_equal(c.len, 0);
	assert_true(rdls_regval_equal(&c, &empty_bin));
	rdls_regval_release(&c);
	rdls_regval_release(&a);
}

static void test_basics_regval_equal(void **state)
{
	(void)state;
	rdls_regval a = { 0 }, b = { 0 };
	rdls_regval absent1 = { .present = false, .type = 1 }, absent2 = { .present = false, .type = 4 };
	assert_true(rdls_regval_equal(&absent1, &absent2)); /* absent is absent, whatever the type */

	assert_int_equal(rdls_regval_set_sz(&a, RDLS_REG_SZ, "abc"), 0);
	assert_false(rdls_regval_equal(&a, &absent1));
	assert_false(rdls_regval_equal(&absent1, &a));

	assert_int_equal(rdls_regval_set_sz(&b, RDLS_REG_EXPAND_SZ, "abc"), 0);
	assert_false(rdls_regval_equal(&a, &b)); /* type */
	assert_int_equal(rdls_regval_set_sz(&b, RDLS_REG_SZ, "abd"), 0);
	assert_false(rdls_regval_equal(&a, &b)); /* data */
	assert_int_equal(rdls_regval_set_sz(&b, RDLS_REG_SZ, "abcd"), 0);
	assert_false(rdls_regval_equal(&a, &b)); /* length */
	assert_int_equal(rdls_regval_set_sz(&b, RDLS_REG_SZ, "abc"), 0);
	assert_true(rdls_regval_equal(&a, &b));

	/* a DWORD 2 and the REG_SZ "\2\0\0" are different values */
	rdls_regval d = { 0 }, s = { 0 };
	assert_int_equal(rdls_regval_set_dword(&d, 2), 0);
	unsigned char raw[4] = { 2, 0, 0, 0 };
	s = (rdls_regval){ .present = true, .type = RDLS_REG_BINARY, .data = raw, .len = 4 };
	assert_false(rdls_regval_equal(&d, &s));
	s.type = RDLS_REG_DWORD;
	assert_true(rdls_regval_equal(&d, &s));

	rdls_regval_release(&a);
	rdls_regval_release(&b);
	rdls_regval_release(&d);
}

/* --- util.c ---------------------------------------------------------------- */

/* The items of a list, trimmed, joined with '|' for one comparison. */
static void split_all(const char *s, size_t len, char sep, char *out, size_t n)
{
	struct rdls_split it;
	const char *item;
	size_t l;
	size_t off = 0;
	out[0] = '\0';
	rdls_split_init(&it, s, len, sep);
	while (rdls_split_next(&it, &item, &l)) {
		rdls_trim(&item, &l);
		off += (size_t)snprintf(out + off, n - off, "%s%.*s", off ? "|" : "", (int)l, item);
		assert_true(off < n);
	}
}

static void test_basics_util_split_string_list(void **state)
{
	(void)state;
	char got[64];
	split_all(" a ,\tb,c\v", 9, ',', got, sizeof(got));
	assert_string_equal(got, "a|b|c");
	split_all("a,", 2, ',', got, sizeof(got));
	assert_string_equal(got, "a|"); /* the empty item after the comma counts */
	struct rdls_split it;
	const char *item = NULL;
	size_t l = 99;
	rdls_split_init(&it, "", 0, ',');
	assert_true(rdls_split_next(&it, &item, &l)); /* "" is one empty item */
	assert_int_equal(l, 0);
	assert_false(rdls_split_next(&it, &item, &l));
}

static void test_basics_util_split_multi_sz(void **state)
{
	(void)state;
	char got[64];
	split_all("a\0 b \0\0", 7, '\0', got, sizeof(got));
	assert_string_equal(got, "a|b|"); /* the empty string is the caller's to stop at */
	split_all("a\0b", 3, '\0', got, sizeof(got));
	assert_string_equal(got, "a|b"); /* an unterminated last string ends at the length */
}

static void test_basics_util_names_and_dup(void **state)
{
	(void)state;
	assert_true(rdls_name_eq("LicSvr1", "licsvr1"));
	assert_false(rdls_name_eq("licsvr1", "licsvr"));
	assert_false(rdls_name_eq("\xc3\x84", "\xc3\xa4")); /* only ASCII folds */
	char *d = rdls_strdup("x y");
	assert_non_null(d);
	assert_string_equal(d, "x y");
	free(d);
	assert_null(rdls_strdup(NULL));
	const char *t = " \r\n ";
	size_t n = strlen(t);
	rdls_trim(&t, &n);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics_err_format_win32),
		cmocka_unit_test(test_basics_err_format_hresult),
		cmocka_unit_test(test_basics_err_format_core),
		cmocka_unit_test(test_basics_err_format_missing_parts),
		cmocka_unit_test(test_basics_err_format_small_buffer),
		cmocka_unit_test(test_basics_err_set_truncates),
		cmocka_unit_test(test_basics_err_clear),
		cmocka_unit_test(test_basics_secret_new),
		cmocka_unit_test(test_basics_secret_copies),
		cmocka_unit_test(test_basics_secure_zero),
		cmocka_unit_test(test_basics_regval_set_sz),
		cmocka_unit_test(test_basics_regval_set_dword),
		cmocka_unit_test(test_basics_regval_set_multi),
		cmocka_unit_test(test_basics_regval_copy),
		cmocka_unit_test(test_basics_regval_equal),
		cmocka_unit_test(test_basics_util_split_string_list),
		cmocka_unit_test(test_basics_util_split_multi_sz),
		cmocka_unit_test(test_basics_util_names_and_dup),
	};
	return cmocka_run_group_tests_name("basics", tests, NULL, NULL);
}
