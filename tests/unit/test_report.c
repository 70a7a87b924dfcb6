/*
 * The report (report.c) and the JSON writer (json.c): the text diff line by line,
 * colour only when asked, --quiet and --verbose, how awkward values are shown,
 * and every --json document parsed back with a strict reader and checked field
 * by field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "json_reader.h"
#include "rdls/cli.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "rdls/report.h"
#include "resource.h"
#include "testutil.h"

#define SECRET "report-test-secret-M2"
#define KEY_LIC RDLS_KEY_LICENSING
#define PARAMS "HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermServLicensing\\Parameters\\"

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	rdls_secret *secret;
	struct rdls_model *m;
	struct rdls_plan *p;
	FILE *out, *err;
	struct rdls_opts o;
};

static void ctx_init(struct ctx *c, const char *host, const char *profile)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	c->secret = rdls_secret_new(SECRET, strlen(SECRET));
	FILE *pf = fopen(profile, "rb");
	if (!pf)
		fail_msg("cannot open %s: run the tests from the repository root", profile);
	struct rdls_diags d;
	rdls_diags_init(&d, profile);
	c->m = rdls_model_load(pf, profile, &d);
	fclose(pf);
	rdls_diags_release(&d);
	assert_non_null(c->m);
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
	c->o = (struct rdls_opts){ .command = "plan", .profile = profile, .out = c->out, .err = c->err };
}

static void ctx_release(struct ctx *c)
{
	rdls_plan_free(c->p);
	rdls_model_free(c->m);
	rdls_secret_free(c->secret);
	fclose(c->out);
	fclose(c->err);
	fake_sys_free(c->f);
}

static void plan(struct ctx *c, const char *host, bool rotate)
{
	rdls_plan_free(c->p);
	c->p = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = c->secret, .rotate = rotate };
	if (rdls_plan_build(c->m, host, &c->sys, &po, &c->p, &e) != 0)
		fail_msg("plan: %s", e.text);
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("output differs.\n--- got\n%s--- expected\n%s", got, want);
}

static struct jr *parse_json(const char *text)
{
	char err[128];
	struct jr *v = jr_parse(text, err, sizeof(err));
	if (!v)
		fail_msg("not one JSON document (%s):\n%s", err, text);
	return v;
}

static void assert_jstr(const struct jr *v, const char *key, const char *want)
{
	const char *got = jr_str(v, key);
	if (!got || strcmp(got, want) != 0)
		fail_msg("JSON \"%s\": %s%s%s, expected \"%s\"", key, got ? "\"" : "", got ? got : "missing",
			 got ? "\"" : "", want);
}

static void assert_jnum(const struct jr *v, const char *key, double want)
{
	double got = jr_num(v, key);
	if (got != want)
		fail_msg("JSON \"%s\": %g, expected %g", key, got, want);
}

static void assert_envelope(const struct jr *v, const char *command, int exit_code)
{
	char why[256];
	if (jr_envelope_problem(v, command, exit_code, why, sizeof(why)))
		fail_msg("the %s document's envelope: %s", command, why);
}

static void seed(struct ctx *c)
{
	fake_set_reg_sz(c->f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "LICSVR1\\Old");
	fake_set_reg_sz(c->f, KEY_LIC, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "x");
}

/* ------------------------------------------------------------------ text */

static void test_report_plan_text_lines(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1", "profiles/workgroup-two-servers.ini");
	seed(&c);
	plan(&c, "LICSVR1", false);
	rdls_report_plan(&c.o, c.p);
	char *out = tu_take(c.out);
	assert_text(out,
		    "Plan for LICSVR1 (workgroup license server), profile profiles/workgroup-two-servers.ini:\n"
		    "+ user 'rdls-peer'  (absent \xe2\x86\x92 present)\n"
		    "+ group 'RDLS Peers'  (absent \xe2\x86\x92 present)\n"
		    "+ member 'LICSVR1\\rdls-peer' of group 'RDLS Peers'  (absent \xe2\x86\x92 present)\n"
		    "~ registry " PARAMS "WorkgroupLicenseServerAccountsGroup  (REG_SZ 'LICSVR1\\Old' "
		    "\xe2\x86\x92 REG_SZ 'LICSVR1\\RDLS Peers')\n"
		    "+ credential 'LICSVR2' (NETWORK SERVICE)  (absent \xe2\x86\x92 user 'LICSVR2\\rdls-peer', "
		    "written by rdlsctl)\n"
		    "- registry " PARAMS " WorkgroupLicenseServerAccountsGroup (leading space)  (REG_SZ 'x' "
		    "\xe2\x86\x92 absent)\n"
		    "Plan: 4 to create, 1 to change, 1 to remove.\n");
	free(out);
	char *err = tu_take(c.err);
	assert_text(err, "");
	free(err);

	/* --quiet: the summary only; converged: the converged line */
	c.o.quiet = true;
	rdls_report_plan(&c.o, c.p);
	out = tu_take(c.out);
	assert_text(out, "Plan: 4 to create, 1 to change, 1 to remove.\n");
	free(out);
	ctx_release(&c);
}

static void test_report_plan_converged_verbose_colour(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH1", "profiles/session-hosts.ini");
	fake_set_reg_sz(c.f, RDLS_KEY_TS_POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1,LICSVR2");
	fake_set_reg_dword(c.f, RDLS_KEY_TS_POLICY, "LicensingMode", 2);
	fake_seed_local_gpo(c.f, "LICSVR1,LICSVR2", 2);
	plan(&c, "RDSH1", false);
	rdls_report_plan(&c.o, c.p);
	char *out = tu_take(c.out);
	assert_text(out, "Plan for RDSH1 (workgroup session host), profile profiles/session-hosts.ini:\n"
			 "No changes: RDSH1 is converged.\n");
	free(out);

	c.o.verbose = true;
	rdls_report_plan(&c.o, c.p);
	out = tu_take(c.out);
	assert_text(out,
		    "Plan for RDSH1 (workgroup session host), profile profiles/session-hosts.ini:\n"
		    "  registry HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\"
		    "LicenseServers  (REG_SZ 'LICSVR1,LICSVR2')  unchanged\n"
		    "  registry HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\"
		    "LicensingMode  (REG_DWORD 2)  unchanged\n"
		    "  local Group Policy file %SystemRoot%\\System32\\GroupPolicy\\Machine\\Registry.pol  "
		    "(2 policy entries, LicenseServers 'LICSVR1,LICSVR2', LicensingMode 2)  unchanged\n"
		    "  local Group Policy file %SystemRoot%\\System32\\GroupPolicy\\gpt.ini  "
		    "(Version 1 (computer 1, user 0), Administrative Templates listed)  unchanged\n"
		    "No changes: RDSH1 is converged.\n");
	free(out);

	/* colour codes only when asked for */
	fake_set_reg_dword(c.f, RDLS_KEY_TS_POLICY, "LicensingMode", 4);
	plan(&c, "RDSH1", false);
	c.o.verbose = false;
	c.o.color = true;
	rdls_report_plan(&c.o, c.p);
	out = tu_take(c.out);
	assert_non_null(strstr(out, "\033[33m~ registry "));
	assert_non_null(strstr(out, "(REG_DWORD 4 \xe2\x86\x92 REG_DWORD 2)\033[0m\n"));
	free(out);
	c.o.color = false;
	rdls_report_plan(&c.o, c.p);
	out = tu_take(c.out);
	assert_null(strchr(out, '\033'));
	free(out);
	ctx_release(&c);
}

static void test_report_conflict_text(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1", "profiles/workgroup-two-servers.ini");
	fake_add_user(c.f, "rdls-peer", "x");
	fake_add_group(c.f, "RDLS Peers");
	fake_add_member(c.f, "RDLS Peers", "LICSVR1\\rdls-peer");
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\admin", "");
	plan(&c, "LICSVR1", false);
	rdls_report_plan(&c.o, c.p);
	char *out = tu_take(c.out), *err = tu_take(c.err);
	assert_non_null(strstr(out, "! credential 'LICSVR2' (NETWORK SERVICE)  (user 'LICSVR2\\admin', "
				    "not written by rdlsctl)  left alone\n"));
	assert_non_null(strstr(out, "No changes planned for LICSVR1; 1 credential is left alone"));
	if (!strstr(err, "warning: credential 'LICSVR2'") || !strstr(err, "--rotate"))
		fail_msg("warning missing: %s", err);
	free(out);
	free(err);
	ctx_release(&c);
}

static void test_report_values_shown_safely(void **state)
{
	(void)state;
	struct rdls_step s;
	memset(&s, 0, sizeof(s));
	s.ops = &res_regval_ops;
	s.key = (char *)"K";
	s.name = (char *)"V";
	struct rdls_buf b;
	rdls_buf_init(&b);
	static const struct {
		uint32_t type;
		const char *data;
		size_t len;
		const char *want;
	} cases[] = {
		{ RDLS_REG_SZ, "a\x01" "b'c\xff\0", 7, "REG_SZ 'a\\x01b\\'c\\xFF'" },
		{ RDLS_REG_SZ, "caf\xc3\xa9\0", 6, "REG_SZ 'caf\xc3\xa9'" },
		{ RDLS_REG_EXPAND_SZ, "%SystemRoot%\0", 13, "REG_EXPAND_SZ '%SystemRoot%'" },
		{ RDLS_REG_MULTI_SZ, "a\0b c\0\0", 7, "REG_MULTI_SZ 'a', 'b c'" },
		{ RDLS_REG_MULTI_SZ, "\0", 1, "REG_MULTI_SZ (empty list)" },
		{ RDLS_REG_DWORD, "\x04\x01\0\0", 4, "REG_DWORD 260" },
		{ RDLS_REG_DWORD, "\x04\x01", 2, "REG_DWORD 04 01" },
		{ RDLS_REG_QWORD, "\x01\0\0\0\0\0\0\x01", 8, "REG_QWORD 72057594037927937" },
		{ RDLS_REG_BINARY, "\x00\xab", 2, "REG_BINARY 00 ab" },
		{ 42, "", 0, "type 42 (empty)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rdls_state st = { .present = true, .type = cases[i].type,
					 .data = (unsigned char *)cases[i].data, .len = cases[i].len };
		rdls_buf_reset(&b);
		rdls_step_state(&s, &st, &b);
		if (strcmp(rdls_buf_str(&b), cases[i].want) != 0)
			fail_msg("case %zu: '%s', expected '%s'", i, rdls_buf_str(&b), cases[i].want);
	}
	rdls_buf_release(&b);
}

/* ------------------------------------------------------------------ JSON */

static void test_report_json_writer_escapes(void **state)
{
	(void)state;
	FILE *f = tu_tmpfile();
	struct rdls_json j;
	rdls_json_init(&j, f);
	rdls_json_obj_begin(&j);
	rdls_json_kv_str(&j, "s", "q\"b\\n\n\t\x01 \xc3\xa9 \xff end");
	rdls_json_kv_int(&j, "i", -42);
	rdls_json_kv_bool(&j, "t", true);
	rdls_json_key(&j, "a");
	rdls_json_arr_begin(&j);
	rdls_json_null(&j);
	rdls_json_obj_begin(&j);
	rdls_json_obj_end(&j);
	rdls_json_arr_begin(&j);
	rdls_json_arr_end(&j);
	rdls_json_arr_end(&j);
	rdls_json_kv_str(&j, "n", NULL);
	rdls_json_obj_end(&j);
	rdls_json_finish(&j);
	char *text = tu_take(f);
	fclose(f);
	struct jr *v = parse_json(text);
	assert_jstr(v, "s", "q\"b\\n\n\t\x01 \xc3\xa9 \xef\xbf\xbd end"); /* invalid UTF-8 -> U+FFFD */
	assert_jnum(v, "i", -42);
	assert_true(jr_get(v, "t")->b);
	assert_int_equal(jr_get(v, "a")->n, 3);
	assert_int_equal(jr_get(v, "n")->type, JR_NULL);
	jr_free(v);
	free(text);
}

static void test_report_json_plan(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1", "profiles/workgroup-two-servers.ini");
	seed(&c);
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\admin", "");
	plan(&c, "LICSVR1", false);
	c.o.json = true;
	rdls_report_plan(&c.o, c.p);
	char *out = tu_take(c.out);
	struct jr *v = parse_json(out);
	assert_envelope(v, "plan", RDLS_EXIT_PENDING);
	assert_jnum(v, "format_version", 3);
	assert_jstr(v, "command", "plan");
	assert_jstr(v, "host", "LICSVR1");
	assert_jstr(v, "profile", "profiles/workgroup-two-servers.ini");
	assert_jstr(v, "membership", "workgroup");
	assert_jnum(v, "changes", 5);
	assert_jnum(v, "exit_code", 2);
	const struct jr *steps = jr_get(v, "steps");
	assert_non_null(steps);
	assert_int_equal(steps->type, JR_ARR);
	assert_int_equal(steps->n, 5);
	static const char *const kinds[] = { "user", "group", "member", "regval", "regval" };
	static const char *const actions[] = { "create", "create", "create", "change", "remove" };
	for (size_t i = 0; i < 5; i++) {
		const struct jr *s = jr_at(steps, i);
		assert_jstr(s, "kind", kinds[i]);
		assert_jstr(s, "action", actions[i]);
		assert_non_null(jr_str(s, "object"));
		assert_non_null(jr_str(s, "before"));
		assert_non_null(jr_str(s, "after"));
	}
	assert_jstr(jr_at(steps, 0), "object", "user 'rdls-peer'");
	assert_jstr(jr_at(steps, 3), "before", "REG_SZ 'LICSVR1\\Old'");
	assert_jstr(jr_at(steps, 3), "after", "REG_SZ 'LICSVR1\\RDLS Peers'");
	assert_jstr(jr_at(steps, 4), "object",
		    "registry " PARAMS " WorkgroupLicenseServerAccountsGroup (leading space)");
	assert_jstr(jr_at(steps, 4), "after", "absent");
	const struct jr *conf = jr_get(v, "conflicts");
	assert_int_equal(conf->n, 1);
	assert_jstr(jr_at(conf, 0), "kind", "cred");
	const struct jr *w = jr_get(v, "warnings");
	assert_int_equal(w->n, 1);
	assert_non_null(strstr(jr_str(jr_at(w, 0), "message"), "--rotate"));
	assert_int_equal(jr_get(v, "errors")->n, 0);
	jr_free(v);
	free(out);
	ctx_release(&c);
}

static void test_report_json_apply_and_rollback(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1", "profiles/workgroup-two-servers.ini");
	seed(&c);
	plan(&c, "LICSVR1", false);
	struct rdls_jwriter *jw = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_jheader h = { .profile = "p.ini", .started = 0 };
	rdls_jheader_for_plan(&h, c.p);
	assert_int_equal(rdls_journal_create(&c.sys, NULL, &h, &jw, &e), 0);
	struct rdls_exec *x = NULL;
	fake_fail_nth(c.f, "cred_put", 1, 1312);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, jw, NULL, &x), RDLS_OUTCOME_UNDONE);
	c.o.json = true;
	c.o.command = "apply";
	rdls_report_apply(&c.o, c.p, x, rdls_journal_path(jw));
	char *out = tu_take(c.out);
	struct jr *v = parse_json(out);
	assert_envelope(v, "apply", RDLS_EXIT_ERROR);
	assert_jstr(v, "profile", "profiles/workgroup-two-servers.ini");
	assert_jstr(v, "journal", rdls_journal_path(jw));
	assert_jstr(v, "outcome", "failed_rolled_back");
	assert_jnum(v, "undone", 4);
	assert_null(jr_get(v, "error")); /* format 1's field: now in errors[] */
	assert_int_equal(jr_get(v, "errors")->n, 1);
	assert_non_null(strstr(jr_str(jr_at(jr_get(v, "errors"), 0), "message"), "CredWriteW"));
	const struct jr *steps = jr_get(v, "steps");
	assert_int_equal(steps->n, 6);
	static const char *const results[] = { "undone", "undone", "undone", "undone", "failed", "not_run" };
	for (size_t i = 0; i < 6; i++) {
		assert_jstr(jr_at(steps, i), "result", results[i]);
		assert_jnum(jr_at(steps, i), "index", (double)(i + 1));
	}
	jr_free(v);
	free(out);
	rdls_exec_free(x);
	rdls_journal_close(jw);

	/* a successful apply, then the rollback document */
	plan(&c, "LICSVR1", false);
	rdls_jheader_for_plan(&h, c.p);
	assert_int_equal(rdls_journal_create(&c.sys, NULL, &h, &jw, &e), 0);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, jw, NULL, &x), RDLS_OUTCOME_COMPLETE);
	rdls_report_apply(&c.o, c.p, x, rdls_journal_path(jw));
	out = tu_take(c.out);
	v = parse_json(out);
	assert_envelope(v, "apply", RDLS_EXIT_OK);
	assert_jstr(v, "outcome", "applied");
	assert_jnum(v, "done", 6);
	assert_jstr(jr_at(jr_get(v, "steps"), 5), "result", "done");
	jr_free(v);
	free(out);
	rdls_exec_free(x);
	rdls_journal_close(jw);

	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "drifted");
	c.o.command = "rollback";
	c.o.yes = true;
	assert_int_equal(cmd_rollback(&c.o, &c.sys), RDLS_EXIT_INCOMPLETE);
	out = tu_take(c.out);
	v = parse_json(out);
	assert_envelope(v, "rollback", RDLS_EXIT_INCOMPLETE);
	assert_jstr(v, "host", "LICSVR1");
	assert_jstr(v, "profile", "p.ini"); /* the journal's */
	assert_jnum(v, "changes", 5);
	steps = jr_get(v, "steps");
	assert_int_equal(steps->n, 6);
	/* newest first: the removal comes back first; the drifted value is left */
	assert_jstr(jr_at(steps, 0), "action", "create");
	assert_jstr(jr_at(steps, 0), "result", "restored");
	assert_jstr(jr_at(steps, 2), "kind", "regval");
	assert_jstr(jr_at(steps, 2), "result", "drift");
	assert_jstr(jr_at(steps, 2), "before", "REG_SZ 'drifted'");
	assert_jstr(jr_at(steps, 5), "object", "user 'rdls-peer'");
	assert_jstr(jr_at(steps, 5), "action", "remove");
	jr_free(v);
	free(out);
	ctx_release(&c);
}

static void test_report_json_failure_document(void **state)
{
	(void)state;
	FILE *out = tu_tmpfile();
	struct rdls_opts o = { .command = "plan", .profile = "p.ini", .json = true, .out = out,
			       .err = stderr };
	rdls_report_failure_json(&o, "H", NULL, "'H' is neither \"x\"", 1);
	char *text = tu_take(out);
	struct jr *v = parse_json(text);
	assert_envelope(v, "plan", 1);
	assert_jstr(v, "host", "H");
	assert_jstr(v, "profile", "p.ini");
	assert_int_equal(jr_get(v, "errors")->n, 1);
	assert_jstr(jr_at(jr_get(v, "errors"), 0), "message", "'H' is neither \"x\"");
	assert_int_equal(jr_get(v, "warnings")->n, 0);
	assert_null(jr_get(v, "journal"));
	assert_int_equal(v->n, 8); /* the envelope and nothing else */
	jr_free(v);
	free(text);

	/* With the profile's diagnostics: file and line, errors before the command's error. */
	struct rdls_diags d;
	rdls_diags_init(&d, "site.ini");
	rdls_diags_add(&d, RDLS_SEV_ERROR, 6, "unknown key 'acount'");
	rdls_diags_add(&d, RDLS_SEV_WARNING, 0, "whole-file warning");
	o.command = "status";
	rdls_report_failure_diags(&o, NULL, "J.ini", &d, "not valid", 1);
	rdls_diags_release(&d);
	text = tu_take(out);
	v = parse_json(text);
	assert_envelope(v, "status", 1);
	assert_int_equal(jr_get(v, "host")->type, JR_NULL);
	assert_jstr(v, "journal", "J.ini");
	const struct jr *errs = jr_get(v, "errors");
	assert_int_equal(errs->n, 2);
	assert_jstr(jr_at(errs, 0), "file", "site.ini");
	assert_jnum(jr_at(errs, 0), "line", 6);
	assert_jstr(jr_at(errs, 1), "message", "not valid");
	assert_null(jr_get(jr_at(errs, 1), "file"));
	const struct jr *w = jr_at(jr_get(v, "warnings"), 0);
	assert_jstr(w, "file", "site.ini");
	assert_null(jr_get(w, "line")); /* about the whole file */
	jr_free(v);
	free(text);
	o.json = false;
	rdls_report_failure_json(&o, "H", NULL, "x", 1);
	text = tu_take(out);
	assert_string_equal(text, "");
	free(text);
	fclose(out);
}

/* Where apply and rollback show what they will change: one decision for both. */
static void test_report_preview_stream(void **state)
{
	(void)state;
	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct rdls_opts o = { .command = "apply", .out = out, .err = err };
	assert_ptr_equal(rdls_report_preview_stream(&o, false), out);
	assert_ptr_equal(rdls_report_preview_stream(&o, true), out);
	o.yes = true; /* text: shown even when nothing is asked */
	assert_ptr_equal(rdls_report_preview_stream(&o, false), out);
	o.json = true; /* stdout is the document */
	assert_null(rdls_report_preview_stream(&o, false));
	assert_ptr_equal(rdls_report_preview_stream(&o, true), err);
	o.yes = false; /* asked: shown before the question, on stderr */
	assert_ptr_equal(rdls_report_preview_stream(&o, false), err);
	assert_ptr_equal(rdls_report_preview_stream(&o, true), err);
	fclose(out);
	fclose(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_plan_text_lines),
		cmocka_unit_test(test_report_plan_converged_verbose_colour),
		cmocka_unit_test(test_report_conflict_text),
		cmocka_unit_test(test_report_values_shown_safely),
		cmocka_unit_test(test_report_json_writer_escapes),
		cmocka_unit_test(test_report_json_plan),
		cmocka_unit_test(test_report_json_apply_and_rollback),
		cmocka_unit_test(test_report_json_failure_document),
		cmocka_unit_test(test_report_preview_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
