/*
 * The report's one error path (report.c): rdls_report_fail prints "error: ..." on o->err
 * and, with --json, the envelope with that error; rdls_warning_to gives a module handed
 * only a stream the same "warning: ..." line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_reader.h"
#include "rdls/report.h"
#include "testutil.h"

static void test_report_env_fail_text(void **state)
{
	(void)state;
	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct rdls_opts o = { .command = "status", .out = out, .err = err };
	const struct rdls_report_env e = { .host = "H", .exit_code = RDLS_EXIT_ERROR };
	assert_int_equal(rdls_report_fail(&o, &e, "cannot read profile '%s': %s", "p.ini", "gone"),
			 RDLS_EXIT_ERROR);
	char *t = tu_take(err);
	assert_string_equal(t, "error: cannot read profile 'p.ini': gone\n");
	free(t);
	t = tu_take(out);
	assert_string_equal(t, ""); /* no document without --json */
	free(t);
	fclose(out);
	fclose(err);
}

static void test_report_env_fail_json(void **state)
{
	(void)state;
	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct rdls_opts o = { .command = "diagnose", .json = true, .out = out, .err = err };
	struct rdls_diags d;
	rdls_diags_init(&d, "site.ini");
	rdls_diags_add(&d, RDLS_SEV_ERROR, 3, "unknown key 'acount'");
	const struct rdls_report_env e = { .host = "H", .profile = "site.ini", .diags = &d,
					   .exit_code = RDLS_EXIT_ERROR };
	/* Longer than any fixed buffer the commands used to format into. */
	char longname[3000];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	rdls_report_fail(&o, &e, "'%s' is not a valid profile", longname);
	rdls_diags_release(&d);
	char *t = tu_take(out);
	char why[128];
	struct jr *v = jr_parse(t, why, sizeof(why));
	if (!v)
		fail_msg("not JSON (%s): %s", why, t);
	assert_string_equal(jr_str(v, "command"), "diagnose");
	assert_string_equal(jr_str(v, "host"), "H");
	assert_string_equal(jr_str(v, "profile"), "site.ini");
	const struct jr *errs = jr_get(v, "errors");
	assert_int_equal(errs->n, 2);
	assert_string_equal(jr_str(jr_at(errs, 0), "file"), "site.ini");
	const char *msg = jr_str(jr_at(errs, 1), "message");
	assert_non_null(msg);
	assert_int_equal(strlen(msg), strlen(longname) + strlen("'' is not a valid profile"));
	jr_free(v);
	free(t);
	t = tu_take(err);
	assert_int_equal(strncmp(t, "error: 'xxx", 11), 0);
	free(t);
	fclose(out);
	fclose(err);
}

static void test_report_env_warning_to(void **state)
{
	(void)state;
	FILE *f = tu_tmpfile();
	assert_non_null(f);
	rdls_warning_to(f, "password file '%s' can be read by other users", "pw.txt");
	char *t = tu_take(f);
	assert_string_equal(t, "warning: password file 'pw.txt' can be read by other users\n");
	free(t);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_env_fail_text),
		cmocka_unit_test(test_report_env_fail_json),
		cmocka_unit_test(test_report_env_warning_to),
	};
	return cmocka_run_group_tests_name("report_env", tests, NULL, NULL);
}
