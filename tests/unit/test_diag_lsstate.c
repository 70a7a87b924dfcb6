/*
 * diagnose's license-server state on the fake system (src/diag_lsstate.c): activation,
 * the installed CAL packs against cal_version, the document's tables, the licensing mode
 * and the --warn-available threshold, the Terminal Server License Servers group and the
 * license server security group policy; "not run" where the class is missing or a call
 * fails; diagnose never writes.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "rdls/diagnose.h"
#include "rdls/model.h"
#include "testutil.h"

/* Domain, per user, RDS 2019 CALs. */
static const char domain_profile[] =
	"[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n"
	"[discovery]\nmethod = publish\n"
	"[license_server LICSVR1]\nos = 2019\n"
	"[license_server LICSVR2]\nos = 2019\n"
	"[session_host RDSH1]\nos = 2019\n";

/* The shared diagnose fixture (testutil.h) under this suite's names; a check's status
 * here holds for every result of that check. */
#define run(e, check) tu_expect_run(e, check)
#define expect_finding(e, id, subject, sev) tu_expect_finding(e, id, subject, sev)
#define expect_no_finding(e, id) tu_expect_no_finding(e, id)
#define expect_contains(s, what) tu_expect_contains(s, what)
#define expect_status(e, check, st) tu_expect_status(e, check, NULL, st, true)

/* A fake LICSVR1 with the profile text (NULL: none). */
static struct tu_diag *env_new(const char *profile)
{
	struct tu_diag *e = tu_diag_new("LICSVR1");
	if (profile)
		tu_expect_profile(e, profile);
	return e;
}

/* A CAL pack as TlsWmiProv reports one: version "Windows Server YEAR", id as documented. */
static void add_pack(struct tu_diag *e, uint32_t id, const char *year, uint32_t version_id,
		     uint32_t product_type, uint32_t total, uint32_t issued)
{
	rdls_keypack k = { .id = id, .type = 2, .product_type = product_type,
			   .version_id = version_id, .total = total, .issued = issued,
			   .available = total - issued };
	snprintf(k.version, sizeof(k.version), "Windows Server %s", year);
	snprintf(k.description, sizeof(k.description), "A02-6.00-S");
	snprintf(k.type_model, sizeof(k.type_model), "RDS %s CAL",
		 product_type ? "Per User" : "Per Device");
	fake_add_keypack(e->f, &k);
}

/* ------------------------------------------------------------------ activation */

static void test_lsstate_activated(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(tu_wg_profile);
	run(e, "ls-activation");
	const struct rdls_dresult *r = expect_status(e, "ls-activation", RDLS_D_PASSED);
	expect_contains(r->evidence, "ActivationStatus 0 (activated)");
	tu_diag_free(e);
}

static void test_lsstate_not_activated(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(tu_wg_profile);
	fake_set_ls_activation(e->f, RDLS_LS_NOT_ACTIVATED);
	run(e, NULL);
	const struct rdls_dresult *r = expect_finding(e, "ls-not-activated", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "GetActivationStatus: ActivationStatus 1");
	expect_contains(r->remedy, "Activate Server");
	expect_contains(r->remedy, "RD Licensing Manager");
	assert_true(rdls_diagnosis_needs_action(&e->d));

	fake_set_ls_activation(e->f, RDLS_LS_ACTIVATION_UNKNOWN);
	run(e, "ls-activation");
	expect_finding(e, "ls-activation-unknown", "LICSVR1", RDLS_DSEV_WARNING);
	expect_no_finding(e, "ls-not-activated");
	tu_diag_free(e);
}

/* ------------------------------------------------------------------- CAL packs */

static void test_lsstate_packs_match(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 0, 50, 20);
	add_pack(e, 4, "2019", 6, 0, 50, 40); /* the same kind: 100 in all, 40 left */
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_status(e, "cal-packs", RDLS_D_PASSED);
	expect_contains(r->title, "40 of 100 RDS 2019 per device CALs available");
	expect_contains(r->evidence, "KeyPackId 3 'A02-6.00-S' (RDS Per Device CAL; ProductVersion "
				     "'Windows Server 2019', ProductVersionID 6");
	tu_diag_free(e);
}

static void test_lsstate_packs_none(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(tu_wg_profile);
	/* The built-in pack for Windows 2000 clients and a temporary one are no CALs bought. */
	rdls_keypack builtin = { .id = 2, .type = 6, .product_type = 0, .version_id = 1,
				 .total = 0xFFFFFFFFu, .available = 0xFFFFFFFFu };
	snprintf(builtin.version, sizeof(builtin.version), "Windows 2000 Server");
	snprintf(builtin.description, sizeof(builtin.description), "Built-in TS Per Device CAL");
	fake_add_keypack(e->f, &builtin);
	rdls_keypack temp = { .id = 5, .type = 4, .product_type = 0, .version_id = 6, .total = 5 };
	snprintf(temp.version, sizeof(temp.version), "Windows Server 2019");
	fake_add_keypack(e->f, &temp);
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_finding(e, "cal-pack-none", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "'Built-in TS Per Device CAL'");
	expect_contains(r->evidence, "KeyPackType 4 temporary");
	expect_contains(r->remedy, "Install Licenses");

	/* No instance at all. */
	struct tu_diag *e2 = env_new(NULL);
	run(e2, "cal-packs");
	r = expect_finding(e2, "cal-pack-none", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "no instances");
	tu_diag_free(e2);
	tu_diag_free(e);
}

static void test_lsstate_packs_version_mismatch(void **state)
{
	(void)state;
	/* RDS 2016 CALs, profile 2019 with a 2019 session host: the table refuses them. */
	struct tu_diag *e = env_new(tu_wg_profile);
	add_pack(e, 3, "2016", 5, 0, 50, 0);
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_finding(e, "cal-pack-version-mismatch",
						      "RDS 2016 per device CALs", RDLS_DSEV_ERROR);
	expect_contains(r->cause, "RDS CAL vs RD Session Host");
	expect_contains(r->cause, "RDSH1 (Windows Server 2019)");
	expect_contains(r->evidence, "cal_version = 2019");
	expect_contains(r->remedy, "RDS 2019");
	tu_diag_free(e);

	/* Newer CALs than the profile says (a 2022 pack from its string, ID undocumented):
	 * allowed for the session host, still not what the profile describes. And the
	 * license server itself (2019) cannot issue them: the other table. */
	e = env_new(tu_wg_profile);
	rdls_keypack k = { .id = 8, .type = 2, .product_type = 0, .version_id = 7, .total = 10 ,
			   .available = 10 };
	snprintf(k.version, sizeof(k.version), "Windows Server 2022");
	fake_add_keypack(e->f, &k);
	run(e, "cal-packs");
	r = expect_finding(e, "cal-pack-version-mismatch", "RDS 2022 per device CALs", RDLS_DSEV_ERROR);
	expect_contains(r->cause, "RDS CAL vs license server");
	tu_diag_free(e);

	/* RDS 2012 CALs on a profile that says 2012 for 2012 R2 hosts: no mismatch; the
	 * version comes from ProductVersionID when the string names none. */
	e = env_new("[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
		    "cal_version = 2012\n"
		    "[peering]\naccount = p\ngroup = G\npassword = env:P\n"
		    "[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\n"
		    "[session_host RDSH1]\nos = 2012r2\n");
	rdls_keypack old = { .id = 9, .type = 1, .product_type = 0, .version_id = 4, .total = 20,
			     .available = 20 };
	fake_add_keypack(e->f, &old);
	run(e, "cal-packs");
	expect_status(e, "cal-packs", RDLS_D_PASSED);
	tu_diag_free(e);

	/* A version outside cal_version that every session host of the profile can use: a
	 * warning (2019 CALs, profile says 2016 for 2016 hosts). */
	e = env_new("[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
		    "cal_version = 2016\n"
		    "[peering]\naccount = p\ngroup = G\npassword = env:P\n"
		    "[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\n"
		    "[session_host RDSH1]\nos = 2016\n");
	add_pack(e, 3, "2019", 6, 0, 50, 0);
	run(e, "cal-packs");
	expect_finding(e, "cal-pack-version-mismatch", "RDS 2019 per device CALs", RDLS_DSEV_WARNING);
	tu_diag_free(e);
}

static void test_lsstate_packs_type_mismatch(void **state)
{
	(void)state;
	/* Per-user CALs only, per-device mode: none of the right type, an error. */
	struct tu_diag *e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 1, 50, 0);
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_finding(e, "cal-pack-type-mismatch",
						      "RDS 2019 per user CALs", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "licensing_mode = per_device");
	expect_contains(r->cause, "no pack of the right type");
	expect_contains(r->remedy, "Convert Licenses");
	/* Unused packs are not "running out". */
	expect_no_finding(e, "cal-pack-low");
	tu_diag_free(e);

	/* The reverse: per-device CALs beside per-user ones in per-user mode: a warning. */
	e = env_new(domain_profile);
	add_pack(e, 3, "2019", 6, 0, 50, 0);
	add_pack(e, 4, "2019", 6, 1, 50, 0);
	run(e, "cal-packs");
	r = expect_finding(e, "cal-pack-type-mismatch", "RDS 2019 per device CALs", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "licensing_mode = per_user");
	assert_null(rdls_diagnosis_find(&e->d, "cal-pack-type-mismatch", "RDS 2019 per user CALs"));
	tu_diag_free(e);

	/* Without a profile the mode is not known: nothing compared, and it says so. */
	e = env_new(NULL);
	add_pack(e, 3, "2019", 6, 1, 50, 0);
	run(e, "cal-packs");
	r = expect_status(e, "cal-packs", RDLS_D_PASSED);
	expect_contains(r->evidence, "without a profile neither cal_version nor the licensing mode");
	tu_diag_free(e);
}

static void test_lsstate_packs_low_and_exhausted(void **state)
{
	(void)state;
	/* 100 in all, 10 left: at the default threshold (10% of the total). */
	struct tu_diag *e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 0, 60, 60);
	add_pack(e, 4, "2019", 6, 0, 40, 30);
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_finding(e, "cal-pack-low", "RDS 2019 per device CALs",
						      RDLS_DSEV_WARNING);
	expect_contains(r->title, "only 10 of 100");
	expect_contains(r->evidence, "KeyPackId 3, 4");
	expect_contains(r->evidence, "10% of 100 = 10");
	expect_no_finding(e, "cal-pack-exhausted");
	tu_diag_free(e);

	/* 11 left of 100: above it. */
	e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 0, 100, 89);
	run(e, "cal-packs");
	expect_status(e, "cal-packs", RDLS_D_PASSED);
	tu_diag_free(e);

	/* None left. */
	e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 0, 25, 25);
	run(e, "cal-packs");
	r = expect_finding(e, "cal-pack-exhausted", "RDS 2019 per device CALs", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "total 25, issued 25, available 0");
	expect_no_finding(e, "cal-pack-low");
	tu_diag_free(e);
}

static void test_lsstate_warn_available_override(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(tu_wg_profile);
	add_pack(e, 3, "2019", 6, 0, 100, 80); /* 20 left: fine by the default (10) */
	run(e, "cal-packs");
	expect_status(e, "cal-packs", RDLS_D_PASSED);

	e->o.warn_available_set = true;
	e->o.warn_available = 20;
	run(e, "cal-packs");
	const struct rdls_dresult *r = expect_finding(e, "cal-pack-low", "RDS 2019 per device CALs",
						      RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "available 20 <= 20 (--warn-available 20)");

	e->o.warn_available = 19;
	run(e, "cal-packs");
	expect_status(e, "cal-packs", RDLS_D_PASSED);

	/* 0: only an exhausted kind is reported. */
	e->o.warn_available = 0;
	run(e, "cal-packs");
	expect_status(e, "cal-packs", RDLS_D_PASSED);
	tu_diag_free(e);
}

/* --------------------------------------------------------------- domain groups */

static void test_lsstate_tsls_group(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(domain_profile);
	run(e, "ls-tsls-group");
	expect_status(e, "ls-tsls-group", RDLS_D_PASSED);

	fake_set_ls_tsls_group(e->f, false);
	run(e, "ls-tsls-group");
	const struct rdls_dresult *r = expect_finding(e, "ls-not-in-tsls-group", "LICSVR1",
						      RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "IsLSinTSLSGroup: IsMember false; licensing_mode = per_user");
	expect_contains(r->remedy, "Add to Group");
	tu_diag_free(e);

	/* A workgroup profile: not applicable, and the method is not called. */
	e = env_new(tu_wg_profile);
	fake_set_ls_tsls_group(e->f, false);
	run(e, "ls-tsls-group");
	r = expect_status(e, "ls-tsls-group", RDLS_D_NOT_RUN);
	assert_true(r->not_applicable);
	expect_no_finding(e, "ls-not-in-tsls-group");
	tu_diag_free(e);

	/* Without a profile, the computer's own membership decides. */
	e = env_new(NULL);
	rdls_osinfo os = { .major = 10, .minor = 0, .build = 17763, .server = true,
			   .domain_joined = true };
	fake_set_os(e->f, &os);
	fake_set_ls_tsls_group(e->f, false);
	run(e, NULL);
	expect_finding(e, "ls-not-in-tsls-group", "LICSVR1", RDLS_DSEV_WARNING);
	tu_diag_free(e);
}

static void test_lsstate_secgrp_policy(void **state)
{
	(void)state;
	/* Disabled (the default): every session host is answered. */
	struct tu_diag *e = env_new(domain_profile);
	run(e, "ls-secgrp-policy");
	const struct rdls_dresult *r = expect_status(e, "ls-secgrp-policy", RDLS_D_PASSED);
	expect_contains(r->evidence, "IsLSSecGrpGPEnabled: Enabled false");

	fake_set_ls_secgrp_gp(e->f, true);
	run(e, "ls-secgrp-policy");
	r = expect_finding(e, "ls-secgrp-policy-enabled", "LICSVR1", RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "Terminal Server Computers");
	tu_diag_free(e);

	/* In a workgroup no session host can be in the group: an error. */
	e = env_new(tu_wg_profile);
	fake_set_ls_secgrp_gp(e->f, true);
	run(e, "ls-secgrp-policy");
	r = expect_finding(e, "ls-secgrp-policy-enabled", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->cause, "in a workgroup");
	tu_diag_free(e);
}

/* ---------------------------------------------------------------- not run */

static const char *const state_checks[] = { "ls-activation", "cal-packs", "ls-tsls-group",
					    "ls-secgrp-policy" };

/* The class is missing (no RD Licensing role) although the profile says license server. */
static void test_lsstate_wmi_missing(void **state)
{
	(void)state;
	struct tu_diag *e = env_new(domain_profile);
	fake_set_ls_pub(e->f, RDLS_LS_ROLE_ABSENT);
	run(e, NULL);
	for (size_t i = 0; i < sizeof(state_checks) / sizeof(state_checks[0]); i++) {
		const struct rdls_dresult *r = expect_status(e, state_checks[i], RDLS_D_NOT_RUN);
		expect_contains(r->reason, "the RD Licensing role is not installed");
		expect_contains(r->reason, "0x80041010");
	}
	tu_diag_free(e);
}

static void test_lsstate_injected_failure(void **state)
{
	(void)state;
	static const char *const ops[] = { "ls_activation_get", "ls_keypacks_get",
					   "ls_in_tsls_group", "ls_secgrp_gp" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct tu_diag *e = env_new(domain_profile);
		add_pack(e, 3, "2019", 6, 1, 50, 0);
		fake_fail_nth(e->f, ops[i], 1, 0x80041003u); /* WBEM_E_ACCESS_DENIED */
		run(e, state_checks[i]);
		const struct rdls_dresult *r = expect_status(e, state_checks[i], RDLS_D_NOT_RUN);
		expect_contains(r->reason, "could not be read");
		expect_contains(r->reason, "0x80041003");
		tu_diag_free(e);
	}
	/* An interface without the operations: not run, naming it. */
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct tu_diag *e = env_new(domain_profile);
		fake_drop_op(e->f, ops[i]);
		run(e, state_checks[i]);
		const struct rdls_dresult *r = expect_status(e, state_checks[i], RDLS_D_NOT_RUN);
		expect_contains(r->reason, ops[i]);
		tu_diag_free(e);
	}
}

/* A session host only: none of these rows runs, and none of the operations is called. */
static void test_lsstate_session_host_skipped(void **state)
{
	(void)state;
	struct tu_diag *e = tu_diag_new("RDSH1");
	fake_set_ls_pub(e->f, RDLS_LS_ROLE_ABSENT);
	fake_fail_nth(e->f, "ls_keypacks_get", 1, 0x80041003u);
	run(e, NULL);
	for (size_t i = 0; i < sizeof(state_checks) / sizeof(state_checks[0]); i++)
		assert_null(rdls_diagnosis_check(&e->d, state_checks[i], NULL));
	tu_diag_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsstate_activated),
		cmocka_unit_test(test_lsstate_not_activated),
		cmocka_unit_test(test_lsstate_packs_match),
		cmocka_unit_test(test_lsstate_packs_none),
		cmocka_unit_test(test_lsstate_packs_version_mismatch),
		cmocka_unit_test(test_lsstate_packs_type_mismatch),
		cmocka_unit_test(test_lsstate_packs_low_and_exhausted),
		cmocka_unit_test(test_lsstate_warn_available_override),
		cmocka_unit_test(test_lsstate_tsls_group),
		cmocka_unit_test(test_lsstate_secgrp_policy),
		cmocka_unit_test(test_lsstate_wmi_missing),
		cmocka_unit_test(test_lsstate_injected_failure),
		cmocka_unit_test(test_lsstate_session_host_skipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
