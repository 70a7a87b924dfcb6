/*
 * `rdlsctl status` against the fake system: each check of what the licensing
 * service reads, converged and broken one way at a time, with the exit code and
 * the line a user sees. Status runs diagnose's check functions (its status subset):
 * test_cmd_status_same_rule_as_diagnose shows both report one function's verdict. Under Wine the account lookup of a local group fails
 * (docs/HACKING.md, "What Wine cannot show"); here the fake resolves groups to aliases as Windows does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "json_reader.h"
#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "testutil.h"

#define WG_PROFILE                                                                          \
	"[deployment]\nmembership = workgroup\nlicensing_mode = per_device\ncal_version = 2019\n" \
	"[peering]\naccount = rdls-peer\ngroup = RDLS Peers\npassword = env:RDLS_PEER_PASSWORD\n" \
	"[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\n"           \
	"[session_host RDSH1]\nos = 2019\ncredentials = yes\n"

#define DOMAIN_PROFILE                                                                    \
	"[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n" \
	"[discovery]\nmethod = both\n"                                                       \
	"[license_server LICSVR1]\nos = 2019\ndns = licsvr1.corp.example\n"                  \
	"[license_server LICSVR2]\nos = 2019\ndns = licsvr2.corp.example\n"

struct run {
	char path[TU_PATH_MAX];
	struct fake_sys *f;
	char *out;
	int rc;
};

static void profile(struct run *r, const char *text)
{
	int rc = tu_temp_file(r->path, sizeof(r->path), "rdls-test-status-", text, strlen(text));
	assert_int_equal(rc, 0);
}

/* Runs status for host; r->out holds stdout, r->rc the exit code. */
static void status(struct run *r, const char *host, bool json)
{
	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	struct rdls_opts o = { .command = "status", .profile = r->path, .host = host,
			       .json = json, .out = out, .err = err };
	struct rdls_sys sys = fake_sys_iface(r->f);
	r->rc = cmd_status(&o, &sys);
	long n = ftell(out);
	rewind(out);
	free(r->out);
	r->out = calloc(1, (size_t)n + 1);
	assert_non_null(r->out);
	assert_int_equal(fread(r->out, 1, (size_t)n, out), (size_t)n);
	fclose(out);
	fclose(err);
}

/* r->out as one JSON document with status's envelope and exit code r->rc (strict reader). */
static struct jr *parse_document(const struct run *r)
{
	char e[256];
	struct jr *v = jr_parse(r->out, e, sizeof(e));
	if (!v)
		fail_msg("status --json is not one JSON document (%s): %s", e, r->out);
	if (jr_envelope_problem(v, "status", r->rc, e, sizeof(e)))
		fail_msg("status --json envelope: %s: %s", e, r->out);
	return v;
}

static void done(struct run *r)
{
	remove(r->path);
	free(r->out);
	fake_sys_free(r->f);
}

static void contains(const struct run *r, const char *needle)
{
	if (!strstr(r->out, needle))
		fail_msg("status output lacks \"%s\"; got:\n%s", needle, r->out);
}

/* LICSVR1 exactly as apply leaves it. */
static void converged_ls(struct run *r)
{
	profile(r, WG_PROFILE);
	r->f = fake_sys_new("LICSVR1");
	fake_add_user(r->f, "rdls-peer", "pw");
	fake_add_group(r->f, "RDLS Peers");
	fake_add_member(r->f, "RDLS Peers", "LICSVR1\\rdls-peer");
	fake_set_reg_sz(r->f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup",
			RDLS_REG_SZ, "LICSVR1\\RDLS Peers");
	fake_set_cred(r->f, "LICSVR2", "LICSVR2\\rdls-peer", "");
}

static void test_cmd_status_converged(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_OK);
	contains(&r, "all 4 checks hold"); /* leading-space, accounts-group, peer-account, peer-credentials */
	assert_int_equal(fake_writes(r.f), 0);
	done(&r);
}

static void test_cmd_status_wrong_type(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	fake_set_reg_sz(r.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup",
			RDLS_REG_EXPAND_SZ, "LICSVR1\\RDLS Peers");
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "FAILED accounts-group WorkgroupLicenseServerAccountsGroup: "
		     "WorkgroupLicenseServerAccountsGroup is REG_EXPAND_SZ, not REG_SZ (HKLM\\SYSTEM\\"
		     "CurrentControlSet\\Services\\TermServLicensing\\Parameters value "
		     "'WorkgroupLicenseServerAccountsGroup': REG_EXPAND_SZ 'LICSVR1\\RDLS Peers')");
	contains(&r, "accounts-group-wrong-type: remedy: rdlsctl apply ");
	done(&r);
}

static void test_cmd_status_not_a_group(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	fake_set_lookup(r.f, "LICSVR1\\RDLS Peers", RDLS_SID_NONE);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "FAILED accounts-group WorkgroupLicenseServerAccountsGroup: 'LICSVR1\\RDLS Peers' "
		     "does not resolve to a group");
	contains(&r, "LookupAccountNameW('LICSVR1\\RDLS Peers'): nothing (ERROR_NONE_MAPPED)");
	fake_set_lookup(r.f, "LICSVR1\\RDLS Peers", RDLS_SID_USER);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "LookupAccountNameW('LICSVR1\\RDLS Peers'): a user");
	done(&r);
}

static void test_cmd_status_missing_credential_json(void **state)
{
	(void)state;
	struct run r = { 0 };
	profile(&r, WG_PROFILE);
	r.f = fake_sys_new("LICSVR1");
	status(&r, "licsvr1", true);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "{\"check\":\"peer-credentials\",\"subject\":\"LICSVR2\",\"result\":\"failed\","
		     "\"detail\":\"no credential for 'LICSVR2' in the NETWORK SERVICE context");
	contains(&r, "\"finding\":\"peer-credential-missing\",\"remedy\":\"rdlsctl apply ");
	contains(&r, "\"exit_code\":2");
	struct jr *v = parse_document(&r);
	assert_string_equal(jr_str(v, "host"), "LICSVR1");
	assert_string_equal(jr_str(v, "profile"), r.path);
	assert_true(jr_get(v, "ok")->type == JR_BOOL && !jr_get(v, "ok")->b);
	assert_true(jr_num(v, "failed") >= 1);
	assert_int_equal((int)jr_num(v, "check_errors"), 0);
	assert_int_equal(jr_get(v, "errors")->n, 0);
	jr_free(v);
	done(&r);
}

/* A profile that cannot be used: still one document, exit 1, its errors with file and line. */
static void test_cmd_status_invalid_profile_json(void **state)
{
	(void)state;
	struct run r = { 0 };
	profile(&r, "[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
		    "cal_version = 2019\n[peering]\nacount = x\n");
	r.f = fake_sys_new("LICSVR1");
	status(&r, NULL, true);
	assert_int_equal(r.rc, RDLS_EXIT_ERROR);
	struct jr *v = parse_document(&r);
	const struct jr *errs = jr_get(v, "errors");
	assert_true(errs->n >= 2);
	assert_string_equal(jr_str(jr_at(errs, 0), "file"), r.path);
	assert_true(jr_num(jr_at(errs, 0), "line") >= 1);
	assert_non_null(strstr(jr_str(jr_at(errs, errs->n - 1), "message"), "is not a valid profile"));
	assert_null(jr_get(v, "checks"));
	jr_free(v);
	done(&r);
}

static void test_cmd_status_call_fails(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	fake_fail_nth(r.f, "cred_get", 1, 5);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_ERROR);
	contains(&r, "ERROR  peer-credentials LICSVR2: could not check: the NETWORK SERVICE credential "
		     "'LICSVR2' could not be read: CredReadW");
	done(&r);
}

static void test_cmd_status_misnamed_value(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	fake_set_reg_sz(r.f, RDLS_KEY_LICENSING, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "FAILED leading-space WorkgroupLicenseServerAccountsGroup: value "
		     "' WorkgroupLicenseServerAccountsGroup' is named with a leading space");
	done(&r);
}

static void test_cmd_status_session_host(void **state)
{
	(void)state;
	struct run r = { 0 };
	profile(&r, WG_PROFILE);
	r.f = fake_sys_new("RDSH1");
	fake_set_reg_sz(r.f, RDLS_KEY_TS_POLICY, "LicenseServers", RDLS_REG_SZ, "licsvr2,LICSVR1");
	fake_set_reg_dword(r.f, RDLS_KEY_TS_POLICY, "LicensingMode", 2);
	fake_set_cred(r.f, "LICSVR1", "LICSVR1\\rdls-peer", "");
	fake_set_cred(r.f, "LICSVR2", "LICSVR2\\rdls-peer", "");
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_OK); /* order and case of the list do not matter */
	fake_set_reg_dword(r.f, RDLS_KEY_TS_POLICY, "LicensingMode", 4);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "FAILED licensing-mode LicensingMode: the licensing mode policy is REG_DWORD 4, "
		     "the profile wants per device");
	/* diagnose's whitespace rule holds in status too: a name with a space is not the name. */
	fake_set_reg_dword(r.f, RDLS_KEY_TS_POLICY, "LicensingMode", 2);
	fake_set_reg_sz(r.f, RDLS_KEY_TS_POLICY, "LicenseServers", RDLS_REG_SZ, "licsvr2, LICSVR1");
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "FAILED license-servers LICSVR1: license server name 'LICSVR1' carries stray "
		     "whitespace");
	done(&r);
}

static void test_cmd_status_domain(void **state)
{
	(void)state;
	struct run r = { 0 };
	profile(&r, DOMAIN_PROFILE);
	r.f = fake_sys_new("LICSVR1");
	fake_set_ls_pub(r.f, RDLS_LS_ROLE_ABSENT);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);
	contains(&r, "the Remote Desktop Licensing role is not installed");
	contains(&r, "value 'SpecifiedLicenseServers': absent");
	/* Not applicable to a domain license server: no accounts, no credentials. */
	assert_null(strstr(r.out, "peer-credentials"));
	assert_null(strstr(r.out, "peer-account"));

	fake_set_ls_pub(r.f, RDLS_LS_PUBLISHED);
	const char *peers[] = { "LICSVR2.corp.example" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, peers, 1), 0);
	fake_set_reg(r.f, RDLS_KEY_LICENSING, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	status(&r, NULL, false);
	assert_int_equal(r.rc, RDLS_EXIT_OK);
	done(&r);
}

/* One rule, one function: status and diagnose on the same broken machine report the verdict
 * of the same check function (check, finding id, title, remedy), and when the machine is
 * mended both see that. */
static void test_cmd_status_same_rule_as_diagnose(void **state)
{
	(void)state;
	struct run r = { 0 };
	converged_ls(&r);
	fake_set_reg_sz(r.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup",
			RDLS_REG_EXPAND_SZ, "LICSVR1\\RDLS Peers");
	status(&r, NULL, true);
	assert_int_equal(r.rc, RDLS_EXIT_PENDING);

	FILE *f = fopen(r.path, "r");
	assert_non_null(f);
	struct rdls_diags dg;
	rdls_diags_init(&dg, r.path);
	struct rdls_model *m = rdls_model_load(f, r.path, &dg);
	fclose(f);
	rdls_diags_release(&dg);
	assert_non_null(m);
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	o.model = m;
	o.profile_path = r.path;
	o.host = "LICSVR1"; /* status names the host as the profile spells it */
	struct rdls_sys sys = fake_sys_iface(r.f);
	struct rdls_diagnosis d;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_diagnose(&sys, &o, &d, &e), 0);
	const struct rdls_dresult *x = rdls_diagnosis_find(&d, "accounts-group-wrong-type", NULL);
	assert_non_null(x);
	assert_string_equal(x->check, "accounts-group");

	struct jr *v = parse_document(&r);
	const struct jr *checks = jr_get(v, "checks");
	const struct jr *row = NULL;
	for (size_t i = 0; i < checks->n; i++)
		if (strcmp(jr_str(jr_at(checks, i), "check"), "accounts-group") == 0)
			row = jr_at(checks, i);
	assert_non_null(row);
	assert_string_equal(jr_str(row, "result"), "failed");
	assert_string_equal(jr_str(row, "finding"), x->id);
	assert_string_equal(jr_str(row, "remedy"), x->remedy);
	assert_non_null(strstr(jr_str(row, "detail"), x->title));
	jr_free(v);
	rdls_diagnosis_release(&d);

	/* Mended: both agree again. */
	fake_set_reg_sz(r.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	status(&r, NULL, true);
	assert_int_equal(r.rc, RDLS_EXIT_OK);
	rdls_err_clear(&e);
	assert_int_equal(rdls_diagnose(&sys, &o, &d, &e), 0);
	assert_null(rdls_diagnosis_find(&d, "accounts-group-wrong-type", NULL));
	assert_int_equal(rdls_diagnosis_check(&d, "accounts-group", NULL)->status, RDLS_D_PASSED);
	rdls_diagnosis_release(&d);
	rdls_model_free(m);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_status_converged),
		cmocka_unit_test(test_cmd_status_wrong_type),
		cmocka_unit_test(test_cmd_status_not_a_group),
		cmocka_unit_test(test_cmd_status_missing_credential_json),
		cmocka_unit_test(test_cmd_status_invalid_profile_json),
		cmocka_unit_test(test_cmd_status_call_fails),
		cmocka_unit_test(test_cmd_status_misnamed_value),
		cmocka_unit_test(test_cmd_status_session_host),
		cmocka_unit_test(test_cmd_status_domain),
		cmocka_unit_test(test_cmd_status_same_rule_as_diagnose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
