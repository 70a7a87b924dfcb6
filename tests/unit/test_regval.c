/*
 * One way to read and describe a registry value (regval.h) and the one size of an
 * error's text (rdls_errmsg, err.h): the description plan and diagnose both show, its
 * bounded form, the DWORD and string tests, and that no error text is ever cut short.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rdls/err.h"
#include "rdls/json.h"
#include "rdls/regval.h"

static rdls_regval val(uint32_t type, const void *data, size_t len)
{
	rdls_regval v = { .present = true, .type = type, .data = (unsigned char *)data, .len = len };
	return v;
}

static void expect_desc(const rdls_regval *v, const char *want)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_regval_describe(v, &b);
	if (strcmp(rdls_buf_str(&b), want) != 0)
		fail_msg("rdls_regval_describe gave \"%s\", want \"%s\"", rdls_buf_str(&b), want);
	rdls_buf_release(&b);
}

static void test_regval_describe_types(void **state)
{
	(void)state;
	const rdls_regval absent = { 0 };
	expect_desc(&absent, "absent");
	rdls_regval v = val(RDLS_REG_SZ, "LICSVR1\\RDLS Peers", 19);
	expect_desc(&v, "REG_SZ 'LICSVR1\\RDLS Peers'");
	v = val(RDLS_REG_DWORD, "\x02\0\0\0", 4);
	expect_desc(&v, "REG_DWORD 2");
	v = val(RDLS_REG_DWORD, "\x02\0\0", 3); /* not a DWORD: its bytes */
	expect_desc(&v, "REG_DWORD 02 00 00");
	v = val(RDLS_REG_MULTI_SZ, "a\0b\0\0", 5);
	expect_desc(&v, "REG_MULTI_SZ 'a', 'b'");
	v = val(0x4242, "", 0);
	expect_desc(&v, "type 16962 (empty)");
}

/* A planted value cannot write escape sequences to the administrator's terminal. */
static void test_regval_describe_escapes_control_characters(void **state)
{
	(void)state;
	rdls_regval v = val(RDLS_REG_SZ, "x\033[2Jy'\xff", 9);
	expect_desc(&v, "REG_SZ 'x\\x1B[2Jy\\'\\xFF'");
}

static void test_regval_describe_n_cuts_and_terminates(void **state)
{
	(void)state;
	rdls_regval v = val(RDLS_REG_SZ, "abcdefghij", 11);
	char buf[8];
	memset(buf, 'Z', sizeof(buf));
	rdls_regval_describe_n(&v, buf, sizeof(buf));
	assert_string_equal(buf, "REG_SZ ");
	char big[64];
	rdls_regval_describe_n(&v, big, sizeof(big));
	assert_string_equal(big, "REG_SZ 'abcdefghij'");
}

static void test_regval_dword_and_string(void **state)
{
	(void)state;
	uint32_t d = 0;
	rdls_regval v = val(RDLS_REG_DWORD, "\x78\x56\x34\x12", 4);
	assert_true(rdls_regval_dword(&v, &d));
	assert_int_equal(d, 0x12345678u);
	v = val(RDLS_REG_BINARY, "\x78\x56\x34\x12", 4); /* the bytes alone are not a DWORD */
	assert_false(rdls_regval_dword(&v, &d));
	v = val(RDLS_REG_SZ, "ab", 2); /* no terminating NUL */
	assert_false(rdls_regval_is_string(&v));
	v = val(RDLS_REG_EXPAND_SZ, "ab", 3);
	assert_true(rdls_regval_is_string(&v));
	assert_string_equal(rdls_regval_type_name(RDLS_REG_QWORD, NULL), "REG_QWORD");
	assert_null(rdls_regval_type_name(99, NULL));
	assert_string_equal(rdls_regval_type_name(99, "an unusual type"), "an unusual type");
}

/* Every field full, an HRESULT (the longest code): the text ends with its ")", uncut. */
static void test_regval_errmsg_holds_the_longest_error(void **state)
{
	(void)state;
	char api[RDLS_ERR_API_MAX], obj[RDLS_ERR_OBJ_MAX], text[RDLS_ERR_TEXT_MAX];
	memset(api, 'A', sizeof(api) - 1);
	api[sizeof(api) - 1] = '\0';
	memset(obj, 'O', sizeof(obj) - 1);
	obj[sizeof(obj) - 1] = '\0';
	memset(text, 'T', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	rdls_err e;
	rdls_err_set(&e, api, obj, 0x80041002u, "%s", text);
	rdls_errmsg m;
	const char *s = rdls_errmsg_of(&e, &m);
	assert_ptr_equal(s, m.s);
	size_t want = strlen(api) + strlen(" on ") + strlen(obj) + strlen(" returned 0x80041002 (") +
		      strlen(text) + 1;
	if (strlen(s) != want)
		fail_msg("rdls_errmsg_of gave %zu characters, want %zu (cut short?)", strlen(s), want);
	assert_int_equal(s[want - 1], ')');
	assert_true(want < sizeof(m.s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regval_describe_types),
		cmocka_unit_test(test_regval_describe_escapes_control_characters),
		cmocka_unit_test(test_regval_describe_n_cuts_and_terminates),
		cmocka_unit_test(test_regval_dword_and_string),
		cmocka_unit_test(test_regval_errmsg_holds_the_longest_error),
	};
	return cmocka_run_group_tests_name("regval", tests, NULL, NULL);
}
