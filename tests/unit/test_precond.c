/*
 * The preconditions of plan and apply (precond.c) on the fake machine: a license
 * server without the RD Licensing role (no TermServLicensing service), and a host
 * where Windows stores no domain credential (Lsa DisableDomainCreds = 1, or
 * CredGetSessionTypes answering CRED_PERSIST_NONE). plan says why, apply refuses
 * before its first change (exit 1, the machine unchanged), diagnose reports the same
 * rule with its remedy.
 * Run from the repository root (make unit does): profiles are read from profiles/.
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
#include "rdls/diagnose.h"
#include "rdls/precond.h"
#include "rdls/regpaths.h"
#include "testutil.h"

#define SECRET "Precond-Test-Secret-4410"
#define WG2 "profiles/workgroup-two-servers.ini"
#define SH "profiles/session-hosts.ini"
#define POLICY_NAME "Network access: Do not allow storage of passwords and credentials for " \
		    "network authentication"
#define GPEDIT "Computer Configuration > Windows Settings > Security Settings > Local " \
	       "Policies > Security Options"
#define ROLE_MISSING "the RD Licensing role is not installed on LICSVR1 (there is no " \
		     "TermServLicensing service)"

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_opts o;
	FILE *out, *err;
};

static void ctx_init(struct ctx *c, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	fake_set_prompt_answer(c->f, SECRET); /* session-hosts.ini: password = prompt */
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
}

static void ctx_release(struct ctx *c)
{
	fclose(c->out);
	fclose(c->err);
	fake_sys_free(c->f);
}

static char *take(FILE *f)
{
	char *s = tu_take(f);
	if (strstr(s, SECRET))
		fail_msg("the secret was printed:\n%s", s);
	return s;
}

/* Runs `command` on profile (apply with --yes); out and err are the caller's to free. */
static int run(struct ctx *c, const char *command, const char *profile, bool json, char **out,
	       char **err)
{
	c->o = (struct rdls_opts){ .command = command, .profile = profile, .json = json,
				   .yes = true, .out = c->out, .err = c->err };
	rdls_cmd_fn fn = strcmp(command, "apply") == 0	  ? cmd_apply
			 : strcmp(command, "diagnose") == 0 ? cmd_diagnose
							    : cmd_plan;
	int rc = fn(&c->o, &c->sys);
	*out = take(c->out);
	*err = take(c->err);
	return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("'%s' unexpectedly found in:\n%s", needle, hay);
}

static void set_policy(struct ctx *c, uint32_t v)
{
	fake_set_reg_dword(c->f, RDLS_KEY_LSA, RDLS_VAL_DISABLE_DOMAIN_CREDS, v);
}

/* apply refused: exit 1, nothing written, the machine as before, the lock released. */
static void assert_apply_refused(struct ctx *c, const char *profile, const char *why)
{
	char *before = fake_snapshot(c->f), *out, *err;
	unsigned writes = fake_writes(c->f), syncs = fake_calls(c->f, "file_sync");
	assert_int_equal(run(c, "apply", profile, false, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, why);
	assert_int_equal(fake_writes(c->f), writes);
	char *after = fake_snapshot(c->f);
	assert_string_equal(after, before);
	assert_false(fake_lock_held(c->f));
	assert_int_equal(fake_calls(c->f, "file_sync"), syncs); /* no journal record either */
	free(before);
	free(after);
	free(out);
	free(err);
}

/* ------------------------------------------------------------- the role */

static void test_precond_role_missing_plan_and_apply(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_service(c.f, "TermServLicensing", false);
	char *out, *err;
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	assert_string_equal(out, "");
	assert_contains(err, "error: " ROLE_MISSING ", but the profile makes it a license server: "
			     "add the role first (PowerShell as administrator: Install-WindowsFeature "
			     "RDS-Licensing -IncludeManagementTools), then run again; nothing was "
			     "changed\n");
	free(out);
	free(err);
	/* Checked first: nothing else was observed (no helper started for credentials), and
	 * the peer password was not asked for. */
	assert_int_equal(fake_calls(c.f, "user_get") + fake_calls(c.f, "cred_get") +
				 fake_calls(c.f, "reg_get") + fake_calls(c.f, "env_secret"),
			 0);
	/* Today's Wine/Windows without the role: apply would have created the user, group,
	 * credential and a skeleton TermServLicensing key. Now: nothing. */
	assert_apply_refused(&c, WG2, ROLE_MISSING);
	assert_false(fake_has_user(c.f, "rdls-peer"));
	assert_false(fake_has_group(c.f, "RDLS Peers"));
	assert_null(fake_get_cred(c.f, "LICSVR2"));
	assert_false(fake_has_reg_key(c.f, "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing"));

	/* --json: one document naming the role */
	assert_int_equal(run(&c, "plan", WG2, true, &out, &err), RDLS_EXIT_ERROR);
	char e[128];
	struct jr *v = jr_parse(out, e, sizeof(e));
	if (!v)
		fail_msg("not one JSON document (%s):\n%s", e, out);
	char why[256];
	const char *bad = jr_envelope_problem(v, "plan", RDLS_EXIT_ERROR, why, sizeof(why));
	if (bad)
		fail_msg("plan --json: %s:\n%s", bad, out);
	const struct jr *errs = jr_get(v, "errors");
	assert_true(errs->n >= 1);
	assert_contains(jr_str(jr_at(errs, 0), "message"), "Install-WindowsFeature RDS-Licensing");
	jr_free(v);
	free(out);
	free(err);
	ctx_release(&c);
}

static void test_precond_role_missing_domain(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_service(c.f, "TermServLicensing", false);
	char *out, *err;
	assert_int_equal(run(&c, "plan", "profiles/domain-publish.ini", false, &out, &err),
			 RDLS_EXIT_ERROR);
	assert_contains(err, ROLE_MISSING);
	assert_int_equal(fake_calls(c.f, "ls_pub_get"), 0);
	free(out);
	free(err);
	assert_apply_refused(&c, "profiles/domain-publish.ini", ROLE_MISSING);
	assert_int_equal(fake_calls(c.f, "ls_pub_set"), 0);
	ctx_release(&c);
}

static void test_precond_role_unreadable_is_an_error(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_fail_nth(c.f, "service_exists", 1, 5);
	char *out, *err;
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	/* never "not installed" when the service control manager did not answer */
	assert_contains(err, "cannot tell whether the RD Licensing role is installed on LICSVR1: "
			     "OpenServiceW on service 'TermServLicensing' returned 5");
	assert_lacks(err, "is not installed");
	free(out);
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_precond_session_host_needs_no_role(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH2");
	fake_set_service(c.f, "TermServLicensing", false);
	char *out, *err;
	assert_int_equal(run(&c, "plan", SH, false, &out, &err), RDLS_EXIT_PENDING);
	assert_string_equal(err, "");
	assert_int_equal(fake_calls(c.f, "service_exists"), 0);
	free(out);
	free(err);
	ctx_release(&c);
}

/* ------------------------------------------------- credential storage */

static void test_precond_disable_domain_creds_plan(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	set_policy(&c, 1);
	char *out, *err;
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	/* the credential step is marked, the others are planned as usual */
	assert_contains(out, "x credential 'LICSVR2' (NETWORK SERVICE)");
	assert_contains(out, "impossible");
	assert_contains(out, "note: the security policy \"" POLICY_NAME "\" is enabled (gpedit.msc > "
			     GPEDIT "; registry: HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa value "
			     "DisableDomainCreds = 1)");
	assert_contains(out, "+ user 'rdls-peer'");
	assert_contains(out, "1 step cannot be done on LICSVR1 (marked x); apply refuses this plan.");
	assert_contains(err, "error: apply cannot run this plan on LICSVR1: the security policy \""
			     POLICY_NAME "\" is enabled");
	assert_contains(err, "to Disabled for this server");
	free(out);
	free(err);
	assert_int_equal(fake_writes(c.f), 0);

	/* --json: the step says impossible, the plan why; exit_code 1 as the process exits */
	assert_int_equal(run(&c, "plan", WG2, true, &out, &err), RDLS_EXIT_ERROR);
	char e[128];
	struct jr *v = jr_parse(out, e, sizeof(e));
	if (!v)
		fail_msg("not one JSON document (%s):\n%s", e, out);
	assert_true(jr_num(v, "exit_code") == 1);
	assert_true(jr_num(v, "impossible") == 1);
	assert_contains(jr_str(v, "blocked"), "DisableDomainCreds = 1");
	assert_contains(jr_str(v, "remedy"), "Security Options");
	const struct jr *steps = jr_get(v, "steps");
	assert_non_null(steps);
	bool seen = false;
	for (size_t i = 0; i < steps->n; i++) {
		const struct jr *s = jr_at(steps, i);
		const struct jr *imp = jr_get(s, "impossible");
		if (strcmp(jr_str(s, "kind"), "cred") == 0) {
			assert_non_null(imp);
			assert_true(imp->b);
			seen = true;
		} else {
			assert_null(imp);
		}
	}
	assert_true(seen);
	jr_free(v);
	free(out);
	free(err);
	ctx_release(&c);
}

static void test_precond_disable_domain_creds_apply(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	set_policy(&c, 1);
	assert_apply_refused(&c, WG2, "error: apply refuses to start on LICSVR1, nothing was changed: "
				      "the security policy \"" POLICY_NAME "\" is enabled");
	assert_false(fake_has_user(c.f, "rdls-peer"));
	assert_null(fake_get_cred(c.f, "LICSVR2"));

	/* a credential already stored (before the policy) is marked too: nothing is done */
	ctx_release(&c);
	ctx_init(&c, "LICSVR1");
	char *out, *err;
	assert_int_equal(run(&c, "apply", WG2, false, &out, &err), RDLS_EXIT_OK);
	free(out);
	free(err);
	set_policy(&c, 1);
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(out, "x credential 'LICSVR2'");
	assert_contains(out, "No changes: LICSVR1 is converged.");
	free(out);
	free(err);
	assert_apply_refused(&c, WG2, "apply refuses to start on LICSVR1");
	ctx_release(&c);
}

static void test_precond_policy_values_that_allow(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *out, *err;
	set_policy(&c, 0);
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_PENDING);
	assert_lacks(out, "impossible");
	free(out);
	free(err);
	/* not a REG_DWORD: not what the security option writes, not read as enabled */
	fake_set_reg_sz(c.f, RDLS_KEY_LSA, RDLS_VAL_DISABLE_DOMAIN_CREDS, RDLS_REG_SZ, "1");
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_PENDING);
	assert_lacks(out, "impossible");
	free(out);
	free(err);
	/* a domain license server stores no credential: the policy does not matter there */
	set_policy(&c, 1);
	assert_int_equal(run(&c, "plan", "profiles/domain-publish.ini", false, &out, &err),
			 RDLS_EXIT_PENDING);
	assert_lacks(out, "impossible");
	free(out);
	free(err);
	ctx_release(&c);
}

static void test_precond_no_persist_reported_the_same_way(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_cred_persist(c.f, RDLS_CRED_PERSIST_NONE);
	char *out, *err;
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(out, "x credential 'LICSVR2'");
	assert_contains(out, "CredGetSessionTypes reports CRED_PERSIST_NONE");
	assert_contains(err, POLICY_NAME);
	free(out);
	free(err);
	assert_apply_refused(&c, WG2, "apply refuses to start on LICSVR1");

	/* a failing CredGetSessionTypes is an error, not "allowed" */
	fake_set_cred_persist(c.f, RDLS_CRED_PERSIST_ENTERPRISE);
	fake_fail_nth(c.f, "cred_persist_max", 1, 1312);
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "CredGetSessionTypes on CRED_TYPE_DOMAIN_PASSWORD returned 1312");
	free(out);
	free(err);

	/* a backend that cannot ask relies on the policy value */
	fake_drop_op(c.f, "cred_persist_max");
	fake_set_cred_persist(c.f, RDLS_CRED_PERSIST_NONE);
	assert_int_equal(run(&c, "plan", WG2, false, &out, &err), RDLS_EXIT_PENDING);
	free(out);
	free(err);
	ctx_release(&c);
}

static void test_precond_session_host_with_credentials(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH3");
	set_policy(&c, 1);
	char *out, *err;
	assert_int_equal(run(&c, "plan", SH, false, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(out, "x credential 'LICSVR1' (NETWORK SERVICE)");
	assert_contains(err, "error: apply cannot run this plan on RDSH3: the security policy");
	free(out);
	free(err);
	assert_apply_refused(&c, SH, "apply refuses to start on RDSH3, nothing was changed");
	assert_null(fake_get_reg(c.f, RDLS_KEY_TS_POLICY, "LicenseServers"));

	/* without credentials = yes the policy does not concern a session host */
	ctx_release(&c);
	ctx_init(&c, "RDSH2");
	set_policy(&c, 1);
	assert_int_equal(run(&c, "plan", SH, false, &out, &err), RDLS_EXIT_PENDING);
	assert_string_equal(err, "");
	free(out);
	free(err);
	ctx_release(&c);
}

/* ------------------------------------------------------------ diagnose */

static struct rdls_model *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct rdls_diags d;
	rdls_diags_init(&d, path);
	struct rdls_model *m = rdls_model_load(f, path, &d);
	fclose(f);
	rdls_diags_release(&d);
	assert_non_null(m);
	return m;
}

static void diagnose(struct ctx *c, const char *profile, struct rdls_diagnosis *d)
{
	struct rdls_model *m = profile ? load(profile) : NULL;
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	o.model = m;
	o.profile_path = profile;
	rdls_err e;
	rdls_err_clear(&e);
	unsigned writes = fake_writes(c->f);
	assert_int_equal(rdls_diagnose(&c->sys, &o, d, &e), 0);
	assert_int_equal(fake_writes(c->f), writes);
	rdls_model_free(m);
}

static void assert_cred_storage_finding(const struct rdls_diagnosis *d, const char *evidence)
{
	const struct rdls_dresult *r = rdls_diagnosis_find(d, "cred-storage-disabled", NULL);
	if (!r)
		fail_msg("no cred-storage-disabled finding");
	assert_int_equal(r->status, RDLS_D_FINDING);
	assert_int_equal(r->sev, RDLS_DSEV_ERROR);
	assert_string_equal(r->check, "cred-storage");
	assert_contains(r->evidence, evidence);
	assert_contains(r->cause, POLICY_NAME);
	assert_contains(r->remedy, "to Disabled for this server (gpedit.msc > " GPEDIT);
	assert_true(rdls_diagnosis_needs_action(d));
}

static void test_precond_diagnose_license_server(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	struct rdls_diagnosis d;
	diagnose(&c, WG2, &d);
	const struct rdls_dresult *r = rdls_diagnosis_check(&d, "cred-storage", NULL);
	assert_non_null(r);
	assert_int_equal(r->status, RDLS_D_PASSED);
	assert_contains(r->evidence, "DisableDomainCreds: absent");
	rdls_diagnosis_release(&d);

	set_policy(&c, 1);
	diagnose(&c, WG2, &d);
	assert_cred_storage_finding(&d, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa value "
					"DisableDomainCreds: REG_DWORD 1");
	rdls_diagnosis_release(&d);

	/* without a profile: a workgroup license server as observed (the role's WMI class) */
	diagnose(&c, NULL, &d);
	assert_cred_storage_finding(&d, "DisableDomainCreds: REG_DWORD 1");
	rdls_diagnosis_release(&d);

	/* CRED_PERSIST_NONE from the system: the same finding */
	set_policy(&c, 0);
	fake_set_cred_persist(c.f, RDLS_CRED_PERSIST_NONE);
	diagnose(&c, WG2, &d);
	assert_cred_storage_finding(&d, "CredGetSessionTypes(CRED_TYPE_DOMAIN_PASSWORD) as NETWORK "
					"SERVICE: 0 (CRED_PERSIST_NONE)");
	rdls_diagnosis_release(&d);

	/* unreadable: not run, never passed */
	fake_set_cred_persist(c.f, RDLS_CRED_PERSIST_ENTERPRISE);
	fake_fail_nth(c.f, "cred_persist_max", 1, 5);
	diagnose(&c, WG2, &d);
	r = rdls_diagnosis_check(&d, "cred-storage", NULL);
	assert_non_null(r);
	assert_int_equal(r->status, RDLS_D_NOT_RUN);
	assert_contains(r->reason, "CredGetSessionTypes");
	rdls_diagnosis_release(&d);
	ctx_release(&c);
}

static void test_precond_diagnose_session_host(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH3"); /* credentials = yes */
	set_policy(&c, 1);
	struct rdls_diagnosis d;
	diagnose(&c, SH, &d);
	assert_cred_storage_finding(&d, "DisableDomainCreds: REG_DWORD 1");
	rdls_diagnosis_release(&d);
	ctx_release(&c);

	ctx_init(&c, "RDSH2"); /* credentials = no: not applicable */
	set_policy(&c, 1);
	diagnose(&c, SH, &d);
	const struct rdls_dresult *r = rdls_diagnosis_check(&d, "cred-storage", NULL);
	assert_non_null(r);
	assert_int_equal(r->status, RDLS_D_NOT_RUN);
	assert_contains(r->reason, "not applicable");
	assert_null(rdls_diagnosis_find(&d, "cred-storage-disabled", NULL));
	rdls_diagnosis_release(&d);

	/* the command's text output names the check, the policy and the remedy */
	ctx_release(&c);
	ctx_init(&c, "LICSVR1");
	set_policy(&c, 1);
	char *out, *err;
	assert_int_equal(run(&c, "diagnose", WG2, false, &out, &err), RDLS_EXIT_PENDING);
	assert_contains(out, "cred-storage");
	assert_contains(out, POLICY_NAME);
	assert_contains(out, "DisableDomainCreds");
	free(out);
	free(err);
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precond_role_missing_plan_and_apply),
		cmocka_unit_test(test_precond_role_missing_domain),
		cmocka_unit_test(test_precond_role_unreadable_is_an_error),
		cmocka_unit_test(test_precond_session_host_needs_no_role),
		cmocka_unit_test(test_precond_disable_domain_creds_plan),
		cmocka_unit_test(test_precond_disable_domain_creds_apply),
		cmocka_unit_test(test_precond_policy_values_that_allow),
		cmocka_unit_test(test_precond_no_persist_reported_the_same_way),
		cmocka_unit_test(test_precond_session_host_with_credentials),
		cmocka_unit_test(test_precond_diagnose_license_server),
		cmocka_unit_test(test_precond_diagnose_session_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
