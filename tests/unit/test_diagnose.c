/*
 * diagnose on the fake system: every finding, with and without a profile; checks
 * whose source is missing are "not run", never "passed"; diagnose never writes.
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
#include "json_reader.h"
#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/model.h"
#include "rdls/regpaths.h"
#include "testutil.h"

#define POLICY RDLS_KEY_TS_POLICY
#define TSL RDLS_KEY_LICENSING

/* The shared diagnose fixture (testutil.h) under this suite's names. */
#define run(e) tu_expect_run(e, NULL)
#define expect_finding(e, id, subject, sev) tu_expect_finding(e, id, subject, sev)
#define expect_no_finding(e, id) tu_expect_no_finding(e, id)
#define expect_contains(s, what) tu_expect_contains(s, what)
#define expect_status(e, check, subject, st) tu_expect_status(e, check, subject, st, false)

/* No result of this check may say "passed". */
#define expect_never_passed(e, check) tu_expect_never_passed(e, check, NULL)

static void expect_clean(struct tu_diag *e)
{
	if (rdls_diagnosis_needs_action(&e->d)) {
		fprintf(stderr, "expected nothing to act on; got:\n");
		tu_diag_dump(&e->d);
		fail();
	}
}

/* A license server the network and Remote Desktop Services know and can use. */
static void good_server(struct tu_diag *e, const char *name, const char *addr)
{
	fake_set_dns(e->f, name, addr);
	fake_set_tcp_open(e->f, name, 135, true);
	fake_set_pipe(e->f, name, 0);
	fake_set_ts_connectivity(e->f, name, RDLS_LS_CONNECTABLE_VALID_LS);
	rdls_ts_ls ls = { .available = 1, .issuing = 1, .admin = 1 };
	snprintf(ls.name, sizeof(ls.name), "%s", name);
	fake_add_ts_ls(e->f, &ls);
}

/* A license server certificate under RCM, as Remote Desktop Services keeps it (REG_BINARY). */
static void set_rcm_cert(struct tu_diag *e, const char *name)
{
	unsigned char blob[4] = { 0x30, 0x82, 0x01, 0x0a };
	rdls_regval v = { .present = true, .type = RDLS_REG_BINARY, .data = blob, .len = sizeof(blob) };
	fake_set_reg(e->f, RDLS_KEY_RCM, name, &v);
}

static void set_rcm_certs(struct tu_diag *e)
{
	set_rcm_cert(e, "X509 Certificate");
	set_rcm_cert(e, "X509 Certificate ID");
	set_rcm_cert(e, "X509 Certificate2");
}

/* A healthy workgroup session host RDSH1 (Windows Server 2019) using LICSVR1 and LICSVR2. */
static struct tu_diag *healthy_sh(void)
{
	struct tu_diag *e = tu_diag_new("RDSH1");
	fake_set_ls_pub(e->f, RDLS_LS_ROLE_ABSENT);
	fake_set_reg_dword(e->f, POLICY, "LicensingMode", 2);
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1,LICSVR2");
	fake_seed_local_gpo(e->f, "LICSVR1,LICSVR2", 2); /* gpedit.msc shows both Enabled */
	good_server(e, "LICSVR1", "192.0.2.11");
	good_server(e, "LICSVR2", "192.0.2.12");
	set_rcm_certs(e);
	return e;
}

/* A workgroup license server LICSVR1 converged with tu_wg_profile (peer LICSVR2). */
static struct tu_diag *healthy_ls(void)
{
	struct tu_diag *e = tu_diag_new("LICSVR1");
	fake_set_ls_pub(e->f, RDLS_LS_UNPUBLISHED);
	fake_add_user(e->f, "rdls-peer", "s3cret-Peer");
	fake_add_member(e->f, "RDLS Peers", "LICSVR1\\rdls-peer");
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	fake_set_cred(e->f, "LICSVR2", "LICSVR2\\rdls-peer", "");
	good_server(e, "LICSVR2", "192.0.2.12");
	/* Its RDS 2019 per-device CALs (test_diag_lsstate.c covers the other cases). */
	rdls_keypack k = { .id = 3, .type = 2, .product_type = 0, .version_id = 6, .total = 50,
			   .issued = 10, .available = 40 };
	snprintf(k.version, sizeof(k.version), "Windows Server 2019");
	fake_add_keypack(e->f, &k);
	return e;
}

/* ------------------------------------------------------------- session host */

static void test_diagnose_healthy_session_host(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	run(e);
	expect_clean(e);
	expect_status(e, "licensing-mode", NULL, RDLS_D_PASSED);
	expect_status(e, "license-servers", NULL, RDLS_D_PASSED);
	expect_status(e, "ls-resolve", "LICSVR1", RDLS_D_PASSED);
	expect_status(e, "ls-rpc", "LICSVR2", RDLS_D_PASSED);
	expect_status(e, "ts-connectivity", "LICSVR1", RDLS_D_PASSED);
	expect_status(e, "ts-find", NULL, RDLS_D_PASSED);
	expect_status(e, "ts-grace", NULL, RDLS_D_PASSED);
	/* Without a profile these cannot run; and PingLicenseServer is gone since 2008 R2. */
	expect_status(e, "cal-compat", NULL, RDLS_D_NOT_RUN);
	expect_status(e, "peer-credentials", NULL, RDLS_D_NOT_RUN);
	const struct rdls_dresult *r = expect_status(e, "ts-ping", NULL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "2008 R2");
	assert_false(e->d.roles_from_profile);
	assert_true(e->d.is_session_host);
	assert_false(e->d.is_license_server);
	tu_diag_free(e);
}

static void test_diagnose_healthy_session_host_profile(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	expect_clean(e);
	assert_true(e->d.roles_from_profile);
	expect_status(e, "profile-host", "RDSH1", RDLS_D_PASSED);
	expect_status(e, "cal-compat", "session host", RDLS_D_PASSED);
	expect_status(e, "profile-plan", "RDSH1", RDLS_D_PASSED);
	tu_diag_free(e);
}

static void test_diagnose_licensing_mode_unset(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg(e->f, POLICY, "LicensingMode", NULL);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "licensing-mode-unset", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "'LicensingMode' (the policy 'Set the Remote Desktop licensing "
				     "mode'): absent");
	expect_contains(r->remedy, "Set the Remote Desktop licensing mode");
	assert_true(rdls_diagnosis_needs_action(&e->d));

	/* With a profile the remedy is rdlsctl itself, and plan reports the value too. */
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	r = expect_finding(e, "licensing-mode-unset", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	expect_contains(r->remedy, "LicensingMode = 2");
	r = expect_finding(e, "profile-difference", NULL, RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "LicensingMode");
	tu_diag_free(e);
}

static void test_diagnose_licensing_mode_invalid(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg_sz(e->f, POLICY, "LicensingMode", RDLS_REG_SZ, "2");
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "licensing-mode-invalid", "LicensingMode", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "REG_SZ '2'");
	expect_finding(e, "licensing-mode-unset", NULL, RDLS_DSEV_ERROR);
	tu_diag_free(e);
}

static void test_diagnose_licensing_mode_local_setting(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg(e->f, POLICY, "LicensingMode", NULL);
	fake_set_reg_dword(e->f, RDLS_KEY_RCM_LICENSING, "LicensingMode", 2);
	run(e);
	expect_no_finding(e, "licensing-mode-unset");
	const struct rdls_dresult *r = expect_status(e, "licensing-mode", NULL, RDLS_D_PASSED);
	expect_contains(r->title, "local setting");
	/* 5 there means "not configured" (Microsoft's unattend reference). */
	fake_set_reg_dword(e->f, RDLS_KEY_RCM_LICENSING, "LicensingMode", 5);
	run(e);
	expect_finding(e, "licensing-mode-unset", NULL, RDLS_DSEV_ERROR);
	tu_diag_free(e);
}

static void test_diagnose_per_user_workgroup(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg_dword(e->f, POLICY, "LicensingMode", 4);
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "licensing-mode-per-user-workgroup", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->cause, "Per User CALs are not permitted");
	/* With the (per-device) profile the remedy is apply. */
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	r = expect_finding(e, "licensing-mode-per-user-workgroup", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	rdls_model_free(e->m);
	e->m = NULL;
	/* A domain member may use per-user CALs. */
	rdls_osinfo os = { .major = 10, .minor = 0, .build = 17763, .server = true, .domain_joined = true };
	fake_set_os(e->f, &os);
	run(e);
	expect_no_finding(e, "licensing-mode-per-user-workgroup");
	expect_status(e, "licensing-mode", NULL, RDLS_D_PASSED);
	tu_diag_free(e);
}

static void test_diagnose_no_license_servers(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg(e->f, POLICY, "LicenseServers", NULL);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "license-servers-none", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->cause, "abandoned starting with Windows Server 2008 R2");
	expect_contains(r->remedy, "Use the specified Remote Desktop license servers");
	/* Nothing specified and RDS finds nothing usable: the grace period check says so. */
	r = expect_status(e, "ts-grace", NULL, RDLS_D_PASSED);
	expect_contains(r->title, "120 days");
	tu_diag_free(e);
}

static void test_diagnose_broker_list(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg(e->f, POLICY, "LicenseServers", NULL);
	const char *names[] = { "LICSVR1" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, names, 1), 0);
	fake_set_reg(e->f, RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	run(e);
	expect_no_finding(e, "license-servers-none");
	expect_status(e, "ls-rpc", "LICSVR1", RDLS_D_PASSED);
	/* RDS finds LICSVR2 too, but only LICSVR1 is configured: no finding for LICSVR2. */
	assert_null(rdls_diagnosis_check(&e->d, "ls-resolve", "LICSVR2"));
	tu_diag_free(e);
}

static void test_diagnose_server_whitespace(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1, LICSVR2 ");
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "license-server-whitespace", "LICSVR2", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "' LICSVR2 '");
	assert_null(rdls_diagnosis_find(&e->d, "license-server-whitespace", "LICSVR1"));
	/* The trimmed name is what gets probed. */
	expect_status(e, "ls-rpc", "LICSVR2", RDLS_D_PASSED);
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	r = expect_finding(e, "license-server-whitespace", "LICSVR2", RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	expect_finding(e, "profile-difference", NULL, RDLS_DSEV_WARNING);
	tu_diag_free(e);
}

static void test_diagnose_server_unresolved(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_dns(e->f, "LICSVR2", NULL);
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "license-server-unresolved", "LICSVR2", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "GetAddrInfoW('LICSVR2')");
	r = expect_status(e, "ls-rpc", "LICSVR2", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "does not resolve");
	expect_status(e, "ls-rpc", "LICSVR1", RDLS_D_PASSED);
	tu_diag_free(e);
}

static void test_diagnose_server_rpc_closed(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_tcp_open(e->f, "LICSVR1", 135, false);
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "license-server-unreachable", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "port 135");
	expect_contains(r->remedy, "Remote Desktop Licensing Server");
	tu_diag_free(e);
}

/* The port comes from the options: tests point it at a loopback listener. */
static void test_diagnose_rpc_port_option(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_tcp_open(e->f, "LICSVR1", 13500, true);
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	assert_int_equal(o.rpc_port, 135);
	o.rpc_port = 13500;
	rdls_err err;
	rdls_err_clear(&err);
	assert_int_equal(rdls_diagnose(&e->sys, &o, &e->d, &err), 0);
	e->ran = true;
	expect_status(e, "ls-rpc", "LICSVR1", RDLS_D_PASSED);
	expect_finding(e, "license-server-unreachable", "LICSVR2", RDLS_DSEV_ERROR);
	tu_diag_free(e);
}

/* ------------------------------------------------ Win32_TerminalServiceSetting */

static void test_diagnose_ts_missing(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_ts_wmi(e->f, 0x8004100Eu); /* invalid namespace, as under Wine */
	run(e);
	const struct rdls_dresult *r = expect_status(e, "ts-grace", NULL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "GetGracePeriodDays");
	expect_contains(r->reason, "0x8004100E");
	expect_status(e, "ts-find", NULL, RDLS_D_NOT_RUN);
	expect_status(e, "ts-connectivity", "LICSVR1", RDLS_D_NOT_RUN);
	expect_never_passed(e, "ts-grace");
	expect_never_passed(e, "ts-find");
	expect_never_passed(e, "ts-connectivity");
	/* The registry checks still ran. */
	expect_status(e, "licensing-mode", NULL, RDLS_D_PASSED);
	expect_clean(e);
	tu_diag_free(e);
}

static void test_diagnose_grace_period(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_grace_days(e->f, 10);
	run(e);
	expect_no_finding(e, "grace-period-running-out"); /* LICSVR1 is usable */
	/* No usable server: nothing connectable, nothing found. */
	struct tu_diag *n = tu_diag_new("RDSH1");
	fake_set_ls_pub(n->f, RDLS_LS_ROLE_ABSENT);
	fake_set_reg_dword(n->f, POLICY, "LicensingMode", 2);
	fake_set_reg_sz(n->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1");
	fake_set_dns(n->f, "LICSVR1", "192.0.2.11");
	fake_set_grace_days(n->f, 10);
	run(n);
	const struct rdls_dresult *r =
		expect_finding(n, "grace-period-running-out", NULL, RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "DaysLeft = 10");
	expect_finding(n, "ts-ls-not-connectable", "LICSVR1", RDLS_DSEV_ERROR);
	fake_set_grace_days(n->f, 0);
	run(n);
	expect_finding(n, "grace-period-over", NULL, RDLS_DSEV_ERROR);
	fake_set_grace_days(n->f, 90);
	run(n);
	expect_no_finding(n, "grace-period-running-out");
	expect_status(n, "ts-grace", NULL, RDLS_D_PASSED);
	tu_diag_free(n);
	tu_diag_free(e);
}

static void test_diagnose_ts_connectivity_statuses(void **state)
{
	(void)state;
	static const struct {
		uint32_t status;
		const char *id;
		enum rdls_dsev sev;
	} cases[] = {
		{ RDLS_LS_CONNECTABLE_LOWER_VERSION, "ts-ls-incompatible", RDLS_DSEV_ERROR },
		{ RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP, "ts-ls-not-in-group", RDLS_DSEV_ERROR },
		{ RDLS_LS_NOT_CONNECTABLE, "ts-ls-not-connectable", RDLS_DSEV_ERROR },
		{ RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED, "ts-ls-access-denied", RDLS_DSEV_WARNING },
		{ RDLS_LS_CONNECTABLE_UNKNOWN, "ts-ls-unknown", RDLS_DSEV_WARNING },
		{ RDLS_LS_CONNECTABLE_UNKNOWN_VALIDITY, "ts-ls-unknown", RDLS_DSEV_WARNING },
		{ RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED, "ts-ls-feature-not-supported", RDLS_DSEV_INFO },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tu_diag *e = healthy_sh();
		fake_set_ts_connectivity(e->f, "LICSVR2", cases[i].status);
		run(e);
		const struct rdls_dresult *r = expect_finding(e, cases[i].id, "LICSVR2", cases[i].sev);
		expect_contains(r->evidence, "GetTStoLSConnectivityStatus('LICSVR2')");
		expect_status(e, "ts-connectivity", "LICSVR1", RDLS_D_PASSED);
		tu_diag_free(e);
	}
	/* Every "valid" status passes. */
	static const uint32_t valid[] = { 1, 2, 9, 11 };
	for (size_t i = 0; i < 4; i++) {
		struct tu_diag *e = healthy_sh();
		fake_set_ts_connectivity(e->f, "LICSVR2", valid[i]);
		run(e);
		expect_status(e, "ts-connectivity", "LICSVR2", RDLS_D_PASSED);
		tu_diag_free(e);
	}
}

static void test_diagnose_ts_find(void **state)
{
	(void)state;
	struct tu_diag *e = tu_diag_new("RDSH1");
	fake_set_ls_pub(e->f, RDLS_LS_ROLE_ABSENT);
	fake_set_reg_dword(e->f, POLICY, "LicensingMode", 2);
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1,LICSVR2,LICSVR3");
	rdls_ts_ls a = { .name = "LICSVR1", .available = 0, .issuing = 2 };
	rdls_ts_ls b = { .name = "LICSVR2", .available = 1, .issuing = 0 };
	fake_add_ts_ls(e->f, &a);
	fake_add_ts_ls(e->f, &b);
	run(e);
	expect_finding(e, "ts-ls-unavailable", "LICSVR1", RDLS_DSEV_ERROR);
	expect_finding(e, "ts-ls-not-issuing", "LICSVR2", RDLS_DSEV_ERROR);
	const struct rdls_dresult *r = expect_finding(e, "ts-ls-not-found", "LICSVR3", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "FindLicenseServers");
	expect_never_passed(e, "ts-find");
	tu_diag_free(e);
}

static void test_diagnose_ping_2008(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	rdls_osinfo os = { .major = 6, .minor = 0, .build = 6002, .server = true };
	fake_set_os(e->f, &os);
	fake_set_ts_ping(e->f, "LICSVR1", true);
	fake_set_ts_ping(e->f, "LICSVR2", false);
	run(e);
	expect_status(e, "ts-ping", "LICSVR1", RDLS_D_PASSED);
	expect_finding(e, "ts-ls-ping-invalid", "LICSVR2", RDLS_DSEV_ERROR);
	tu_diag_free(e);
}

/* --------------------------------------------------------------- license server */

static void test_diagnose_healthy_license_server(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	run(e);
	/* No profile: observed as a license server; session-host checks do not apply. */
	assert_true(e->d.is_license_server);
	assert_false(e->d.is_session_host);
	const struct rdls_dresult *r = expect_status(e, "licensing-mode", NULL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "not applicable");
	expect_status(e, "accounts-group", "WorkgroupLicenseServerAccountsGroup", RDLS_D_PASSED);
	expect_status(e, "leading-space", NULL, RDLS_D_PASSED);
	expect_status(e, "workgroup-auth", NULL, RDLS_D_PASSED);
	expect_status(e, "ls-role", NULL, RDLS_D_PASSED);
	expect_clean(e);

	tu_expect_profile(e, tu_wg_profile);
	run(e);
	expect_status(e, "peer-credentials", "LICSVR2", RDLS_D_PASSED);
	expect_status(e, "cal-compat", "license server", RDLS_D_PASSED);
	/* The peer is probed too. */
	expect_status(e, "ls-rpc", "LICSVR2", RDLS_D_PASSED);
	/* The secret is not in the environment: credentials are not compared, said once. */
	expect_clean(e);
	tu_diag_free(e);
}

static void test_diagnose_ls_role_absent(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_ls_pub(e->f, RDLS_LS_ROLE_ABSENT);
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "ls-role-absent", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "Win32_TSLicenseServer does not exist");
	expect_contains(r->remedy, "Install-WindowsFeature RDS-Licensing");
	/* Without a profile an absent role is only a fact (and makes this a session host). */
	rdls_model_free(e->m);
	e->m = NULL;
	run(e);
	expect_no_finding(e, "ls-role-absent");
	expect_status(e, "ls-role", NULL, RDLS_D_PASSED);
	tu_diag_free(e);
}

static void test_diagnose_cal_incompatible(void **state)
{
	(void)state;
	/* The profile says the session host runs 2016 and buys 2016 CALs (valid as written),
	 * but the machine really runs Windows Server 2019. */
	static const char profile[] =
		"[deployment]\n"
		"membership = workgroup\n"
		"licensing_mode = per_device\n"
		"cal_version = 2016\n"
		"[peering]\n"
		"account = rdls-peer\n"
		"group = RDLS Peers\n"
		"password = env:RDLS_PEER_PASSWORD\n"
		"[license_server LICSVR1]\n"
		"os = 2019\n"
		"[license_server LICSVR2]\n"
		"os = 2019\n"
		"[session_host RDSH1]\n"
		"os = 2016\n";
	struct tu_diag *e = healthy_sh();
	tu_expect_profile(e, profile);
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "cal-incompatible", "session host", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "10.0 build 17763 = Windows Server 2019");
	expect_contains(r->evidence, "cal_version = 2016");
	r = expect_finding(e, "os-differs-from-profile", "session host", RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "os = 2019");
	/* The same profile on a real 2016 (build 14393) is fine. */
	rdls_osinfo os = { .major = 10, .minor = 0, .build = 14393, .server = true };
	fake_set_os(e->f, &os);
	run(e);
	expect_no_finding(e, "cal-incompatible");
	expect_no_finding(e, "os-differs-from-profile");
	/* A client Windows is not in the tables: not run. */
	os.server = false;
	fake_set_os(e->f, &os);
	run(e);
	expect_status(e, "cal-compat", NULL, RDLS_D_NOT_RUN);
	tu_diag_free(e);
}

static void test_diagnose_os_version_mapping(void **state)
{
	(void)state;
	static const struct {
		uint32_t major, minor, build;
		enum rdls_os os;
	} cases[] = {
		{ 6, 0, 6002, RDLS_OS_2008 },    { 6, 1, 7601, RDLS_OS_2008R2 },
		{ 6, 2, 9200, RDLS_OS_2012 },    { 6, 3, 9600, RDLS_OS_2012R2 },
		{ 10, 0, 14393, RDLS_OS_2016 },  { 10, 0, 17762, RDLS_OS_2016 },
		{ 10, 0, 17763, RDLS_OS_2019 },  { 10, 0, 20347, RDLS_OS_2019 },
		{ 10, 0, 20348, RDLS_OS_2022 },  { 10, 0, 26099, RDLS_OS_2022 },
		{ 10, 0, 26100, RDLS_OS_2025 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rdls_osinfo os = { .major = cases[i].major, .minor = cases[i].minor,
				   .build = cases[i].build, .server = true };
		enum rdls_os got = RDLS_OS_COUNT;
		assert_true(rdls_os_from_version(&os, &got));
		if (got != cases[i].os) {
			fprintf(stderr, "%u.%u.%u: got %s, want %s\n", (unsigned)os.major,
				(unsigned)os.minor, (unsigned)os.build, rdls_os_name(got),
				rdls_os_name(cases[i].os));
			fail();
		}
	}
	rdls_osinfo old = { .major = 5, .minor = 2, .build = 3790, .server = true };
	enum rdls_os got;
	assert_false(rdls_os_from_version(&old, &got));
}

static void test_diagnose_leading_space_value(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", NULL);
	fake_set_reg_sz(e->f, TSL, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "leading-space-value",
						      "WorkgroupLicenseServerAccountsGroup", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "' WorkgroupLicenseServerAccountsGroup': REG_SZ 'LICSVR1\\RDLS Peers'");
	expect_contains(r->remedy, "reg delete");
	/* With the correctly named value present too, the leftover is only a warning. */
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	const char *names[] = { "LICSVR2" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, names, 1), 0);
	fake_set_reg(e->f, TSL, " SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	r = expect_finding(e, "leading-space-value", "WorkgroupLicenseServerAccountsGroup",
			   RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	expect_finding(e, "leading-space-value", "SpecifiedLicenseServers", RDLS_DSEV_ERROR);
	/* The planner removes both: they are plan differences too. */
	expect_finding(e, "profile-difference", NULL, RDLS_DSEV_WARNING);
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_wrong_type(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_EXPAND_SZ,
			"LICSVR1\\RDLS Peers");
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "accounts-group-wrong-type",
						      "WorkgroupLicenseServerAccountsGroup", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "REG_EXPAND_SZ 'LICSVR1\\RDLS Peers'");
	expect_contains(r->remedy, "/t REG_SZ");
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	r = expect_finding(e, "accounts-group-wrong-type", NULL, RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_missing_group(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\No Such Group");
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "accounts-group-no-such-group", "No Such Group", RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "New-LocalGroup");
	/* A missing group is not reported a second time as "not a group". */
	expect_no_finding(e, "accounts-group-not-a-group");
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_not_a_group(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_lookup(e->f, "LICSVR1\\RDLS Peers", RDLS_SID_USER);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "accounts-group-not-a-group",
						      "WorkgroupLicenseServerAccountsGroup", RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "LookupAccountNameW('LICSVR1\\RDLS Peers'): a user");
	fake_set_lookup(e->f, "LICSVR1\\RDLS Peers", RDLS_SID_GROUP);
	run(e);
	expect_status(e, "accounts-group", "WorkgroupLicenseServerAccountsGroup", RDLS_D_PASSED);
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_other_host(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	/* Copied from LICSVR2's configuration. */
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR2\\RDLS Peers");
	run(e);
	expect_finding(e, "accounts-group-other-host", "WorkgroupLicenseServerAccountsGroup",
		       RDLS_DSEV_WARNING);
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_missing_value(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", NULL);
	run(e);
	expect_no_finding(e, "accounts-group-missing"); /* without a profile: not needed everywhere */
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "accounts-group-missing",
						      "WorkgroupLicenseServerAccountsGroup", RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "REG_SZ 'LICSVR1\\RDLS Peers'");
	tu_diag_free(e);
}

static void test_diagnose_peer_credentials(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	tu_expect_profile(e, tu_wg_profile);
	fake_set_cred(e->f, "LICSVR2", "LICSVR2\\someone-else", "");
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "peer-credential-wrong-user", "LICSVR2", RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "--rotate");
	assert_int_equal(fake_calls(e->f, "cred_del"), 0);
	/* Removed by hand: missing. */
	struct tu_diag *m = healthy_ls();
	tu_expect_profile(m, tu_wg_profile);
	struct rdls_sys s = fake_sys_iface(m->f);
	rdls_err err;
	rdls_err_clear(&err);
	assert_int_equal(s.ops->cred_del(s.ctx, "LICSVR2", &err), 0);
	run(m);
	r = expect_finding(m, "peer-credential-missing", "LICSVR2", RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "cmdkey /add:LICSVR2 /user:LICSVR2\\rdls-peer /pass");
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	tu_diag_free(m);
	/* Without a profile nobody knows the peers. */
	rdls_model_free(e->m);
	e->m = NULL;
	run(e);
	expect_status(e, "peer-credentials", NULL, RDLS_D_NOT_RUN);
	tu_diag_free(e);
}

static void test_diagnose_peer_credentials_unreadable(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	tu_expect_profile(e, tu_wg_profile);
	fake_fail_nth(e->f, "cred_get", 1, 5); /* the helper could not read it: access denied */
	run(e);
	const struct rdls_dresult *r = expect_status(e, "peer-credentials", "LICSVR2", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "CredReadW");
	expect_never_passed(e, "peer-credentials");
	tu_diag_free(e);
}

static void test_diagnose_workgroup_auth_disabled(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg_dword(e->f, TSL, "DisableWorkgroupAuthEnforcement", 1);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "workgroup-auth-enforcement-disabled",
						      "DisableWorkgroupAuthEnforcement", RDLS_DSEV_SECURITY);
	expect_contains(r->cause, "CVE-2024-38099");
	expect_contains(r->remedy, "/v DisableWorkgroupAuthEnforcement");
	assert_true(rdls_diagnosis_needs_action(&e->d));
	fake_set_reg_dword(e->f, TSL, "DisableWorkgroupAuthEnforcement", 0);
	run(e);
	expect_status(e, "workgroup-auth", NULL, RDLS_D_PASSED);
	tu_diag_free(e);
}

/* ------------------------------------------------------ missing sources, profile */

static void test_diagnose_registry_unreadable(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_fail_nth(e->f, "reg_get", 1, 5); /* the first registry read: access denied */
	run(e);
	const struct rdls_dresult *r = expect_status(e, "licensing-mode", NULL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "value 'LicensingMode' could not be read");
	expect_contains(r->reason, "access is denied");
	expect_never_passed(e, "licensing-mode");
	tu_diag_free(e);
}

static void test_diagnose_missing_ops(void **state)
{
	(void)state;
	static const char *const ops[] = { "name_resolve", "tcp_probe", "ts_grace_days", "ts_find_ls",
					   "ts_connectivity", "ts_ping_ls", "ls_pub_get", "os_info" };
	struct tu_diag *e = healthy_sh();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fake_drop_op(e->f, ops[i]);
	run(e);
	static const char *const checks[] = { "ls-resolve", "ls-rpc", "ts-grace", "ts-find",
					      "ts-connectivity", "ls-role", "os-version" };
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const struct rdls_dresult *r = expect_status(e, checks[i], NULL, RDLS_D_NOT_RUN);
		expect_contains(r->reason, "cannot read it");
		expect_never_passed(e, checks[i]);
	}
	tu_diag_free(e);
}

static void test_diagnose_host_not_in_profile(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_sys_free(e->f);
	e->f = fake_sys_new("RDSH9");
	e->sys = fake_sys_iface(e->f);
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	expect_finding(e, "host-not-in-profile", "RDSH9", RDLS_DSEV_WARNING);
	expect_status(e, "cal-compat", NULL, RDLS_D_NOT_RUN);
	assert_false(e->d.roles_from_profile);
	tu_diag_free(e);
}

static void test_diagnose_plan_differences(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1");
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	const struct rdls_dresult *r =
		expect_finding(e, "profile-difference", NULL, RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "LicenseServers");
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	expect_never_passed(e, "profile-plan");
	tu_diag_free(e);
}

static void test_diagnose_plan_with_secret(void **state)
{
	(void)state;
	/* The secret is in the environment: the plan compares credentials too. */
	struct tu_diag *e = healthy_ls();
	fake_set_env(e->f, "RDLS_PEER_PASSWORD", "s3cret-Peer");
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	/* The seeded credential was not written by rdlsctl: a conflict the plan reports. */
	const struct rdls_dresult *r = expect_finding(e, "profile-conflict", NULL, RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "--rotate");
	expect_no_finding(e, "plan-credentials-not-compared");
	tu_diag_free(e);
}

/* ------------------------------------------------------------- the command */

static char *run_cmd(struct tu_diag *e, bool json, const char *profile_path, int *rc)
{
	struct tu_capture cout, cerr;
	assert_int_equal(tu_capture_begin(&cout), 0);
	assert_int_equal(tu_capture_begin(&cerr), 0);
	struct rdls_opts o = { .command = "diagnose", .profile = profile_path, .json = json,
			       .out = cout.fp, .err = cerr.fp, .in = stdin };
	*rc = cmd_diagnose(&o, &e->sys);
	size_t elen;
	char *buf = tu_capture_end(&cout, NULL), *ebuf = tu_capture_end(&cerr, &elen);
	if (json && elen)
		fprintf(stderr, "stderr: %s\n", ebuf);
	free(ebuf);
	return buf;
}

static void test_diagnose_cmd_text_and_exit(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	int rc;
	char *out = run_cmd(e, false, NULL, &rc);
	assert_int_equal(rc, RDLS_EXIT_OK);
	expect_contains(out, "diagnose RDSH1: Windows Server 2019 (10.0 build 17763), workgroup");
	expect_contains(out, "ok       licensing-mode: licensing mode: per device");
	expect_contains(out, "not run  ts-ping:");
	expect_contains(out, "0 findings");
	free(out);
	fake_set_reg(e->f, POLICY, "LicensingMode", NULL);
	out = run_cmd(e, false, NULL, &rc);
	assert_int_equal(rc, RDLS_EXIT_PENDING);
	expect_contains(out, "error    licensing-mode-unset: the Remote Desktop licensing mode is not "
			     "configured\n         evidence: ");
	expect_contains(out, "\n         remedy:   gpedit.msc");
	expect_contains(out, "1 finding (1 error,");
	free(out);
	tu_diag_free(e);
}

static void test_diagnose_cmd_json(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_set_reg_dword(e->f, TSL, "DisableWorkgroupAuthEnforcement", 1);
	int rc;
	char *out = run_cmd(e, true, NULL, &rc);
	assert_int_equal(rc, RDLS_EXIT_PENDING);
	/* One document, nothing else. */
	assert_true(out[0] == '{');
	size_t n = strlen(out);
	assert_true(n > 2 && out[n - 1] == '\n' && out[n - 2] == '}');
	assert_null(strchr(out, '\n') == out + n - 1 ? NULL : strstr(out, "}\n{"));
	expect_contains(out, "\"command\":\"diagnose\"");
	expect_contains(out, "\"host\":\"LICSVR1\"");
	expect_contains(out, "\"id\":\"workgroup-auth-enforcement-disabled\"");
	expect_contains(out, "\"severity\":\"security\"");
	expect_contains(out, "\"status\":\"not_run\"");
	expect_contains(out, "\"needs_action\":true");
	/* Braces balance outside strings. */
	int depth = 0;
	bool in_str = false;
	for (const char *p = out; *p; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	assert_int_equal(depth, 0);
	/* The strict reader, and the envelope every command shares. */
	char why[256];
	struct jr *v = jr_parse(out, why, sizeof(why));
	if (!v)
		fail_msg("diagnose --json is not one JSON document (%s)", why);
	if (jr_envelope_problem(v, "diagnose", RDLS_EXIT_PENDING, why, sizeof(why)))
		fail_msg("diagnose --json envelope: %s", why);
	assert_int_equal(jr_get(v, "profile")->type, JR_NULL);
	assert_int_equal(jr_get(v, "results")->type, JR_ARR);
	jr_free(v);
	free(out);
	tu_diag_free(e);
}

static void test_diagnose_cmd_bad_profile(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	char path[TU_PATH_MAX];
	static const char text[] = "[deployment]\nmembership = nowhere\n";
	assert_int_equal(tu_temp_file(path, sizeof(path), "rdls-diag-", text, sizeof(text) - 1), 0);
	int rc;
	char *out = run_cmd(e, false, path, &rc);
	assert_int_equal(rc, RDLS_EXIT_ERROR);
	assert_string_equal(out, "");
	free(out);
	/* --json: one document all the same, the profile's error with file and line. */
	out = run_cmd(e, true, path, &rc);
	assert_int_equal(rc, RDLS_EXIT_ERROR);
	char why[256];
	struct jr *v = jr_parse(out, why, sizeof(why));
	if (!v)
		fail_msg("diagnose --json is not one JSON document (%s): %s", why, out);
	if (jr_envelope_problem(v, "diagnose", RDLS_EXIT_ERROR, why, sizeof(why)))
		fail_msg("diagnose --json envelope: %s: %s", why, out);
	const struct jr *first = jr_at(jr_get(v, "errors"), 0);
	assert_string_equal(jr_str(first, "file"), path);
	assert_true(jr_num(first, "line") >= 1);
	assert_null(jr_get(v, "results"));
	jr_free(v);
	free(out);
	remove(path);
	tu_diag_free(e);
}


/* ------------------------------------------- rules status shares (its subset) */

static void test_diagnose_policy_not_profile(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	expect_no_finding(e, "licensing-mode-not-profile");
	expect_no_finding(e, "license-servers-not-profile");
	expect_status(e, "licensing-mode", NULL, RDLS_D_PASSED);

	fake_set_reg_dword(e->f, POLICY, "LicensingMode", 4);
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR1");
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "licensing-mode-not-profile", "LicensingMode",
						      RDLS_DSEV_WARNING);
	expect_contains(r->title, "REG_DWORD 4, the profile wants per device");
	expect_contains(r->remedy, "rdlsctl apply site.ini");
	r = expect_finding(e, "license-servers-not-profile", "LicenseServers", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "the profile wants REG_SZ 'LICSVR1,LICSVR2'");
	expect_never_passed(e, "license-servers");
	tu_diag_free(e);
}

static void test_diagnose_accounts_group_not_profile(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_ls();
	fake_add_group(e->f, "Other Group");
	fake_set_reg_sz(e->f, TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\Other Group");
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "accounts-group-not-profile",
						      "WorkgroupLicenseServerAccountsGroup", RDLS_DSEV_WARNING);
	expect_contains(r->title, "names the group 'Other Group', the profile's group is 'RDLS Peers'");
	expect_no_finding(e, "accounts-group-other-host");
	tu_diag_free(e);
}

static void test_diagnose_peer_account(void **state)
{
	(void)state;
	struct tu_diag *e = tu_diag_new("LICSVR1");
	fake_set_ls_pub(e->f, RDLS_LS_UNPUBLISHED);
	tu_expect_profile(e, tu_wg_profile);
	run(e);
	expect_finding(e, "peer-user-missing", "rdls-peer", RDLS_DSEV_ERROR);
	expect_finding(e, "peer-group-missing", "RDLS Peers", RDLS_DSEV_ERROR);
	expect_never_passed(e, "peer-account");

	fake_add_user(e->f, "rdls-peer", "pw");
	fake_add_group(e->f, "RDLS Peers");
	run(e);
	expect_finding(e, "peer-not-member", "LICSVR1\\rdls-peer", RDLS_DSEV_ERROR);

	fake_add_member(e->f, "RDLS Peers", "LICSVR1\\rdls-peer");
	run(e);
	expect_status(e, "peer-account", "LICSVR1\\rdls-peer", RDLS_D_PASSED);

	fake_fail_nth(e->f, "member_get", 1, 5);
	run(e);
	{
		const struct rdls_dresult *r = expect_status(e, "peer-account", NULL, RDLS_D_NOT_RUN);
		expect_contains(r->reason, "returned 5");
	}
	/* Without a profile it does not apply. */
	rdls_model_free(e->m);
	e->m = NULL;
	run(e);
	const struct rdls_dresult *r = expect_status(e, "peer-account", NULL, RDLS_D_NOT_RUN);
	assert_true(r->not_applicable);
	tu_diag_free(e);
}

static const char domain_profile[] =
	"[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n"
	"[discovery]\nmethod = both\n"
	"[license_server LICSVR1]\nos = 2019\ndns = licsvr1.corp.example\n"
	"[license_server LICSVR2]\nos = 2019\ndns = licsvr2.corp.example\n";

static void test_diagnose_domain_publication_and_list(void **state)
{
	(void)state;
	struct tu_diag *e = tu_diag_new("LICSVR1");
	fake_set_ls_pub(e->f, RDLS_LS_UNPUBLISHED);
	tu_expect_profile(e, domain_profile);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "ls-not-published", "LICSVR1", RDLS_DSEV_ERROR);
	expect_contains(r->remedy, "Enterprise Admin");
	r = expect_finding(e, "specified-servers-not-profile", "SpecifiedLicenseServers",
			   RDLS_DSEV_ERROR);
	expect_contains(r->evidence, "'SpecifiedLicenseServers': absent; the profile wants "
				     "REG_MULTI_SZ 'licsvr2.corp.example'");
	/* Not a workgroup: no peer account. */
	r = expect_status(e, "peer-account", NULL, RDLS_D_NOT_RUN);
	assert_true(r->not_applicable);

	fake_set_ls_pub(e->f, RDLS_LS_PUBLISHED);
	const char *peers[] = { "LICSVR2.corp.example" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, peers, 1), 0);
	fake_set_reg(e->f, TSL, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	run(e);
	expect_status(e, "ls-publication", "LICSVR1", RDLS_D_PASSED);
	expect_status(e, "specified-servers", "SpecifiedLicenseServers", RDLS_D_PASSED);
	tu_diag_free(e);
}

/* --check ID: one check and what it depends on, nothing else. */
static void test_diagnose_only_one_check(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	o.only = "ts-grace";
	rdls_err err;
	rdls_err_clear(&err);
	assert_int_equal(rdls_diagnose(&e->sys, &o, &e->d, &err), 0);
	e->ran = true;
	expect_status(e, "ts-grace", NULL, RDLS_D_PASSED);
	expect_status(e, "ts-connectivity", "LICSVR1", RDLS_D_PASSED); /* it depends on these */
	expect_status(e, "license-servers", NULL, RDLS_D_PASSED);
	assert_null(rdls_diagnosis_check(&e->d, "ls-rpc", NULL));
	assert_null(rdls_diagnosis_check(&e->d, "workgroup-auth", NULL));
	assert_null(rdls_diagnosis_check(&e->d, "profile-host", NULL));
	rdls_diagnosis_release(&e->d);
	e->ran = false;

	o.only = "no-such-check";
	assert_int_equal(rdls_diagnose(&e->sys, &o, &e->d, &err), -1);
	expect_contains(err.text, "no such check");
	assert_true(rdls_diagnose_check_known("cred-storage"));
	assert_false(rdls_diagnose_check_known("cred"));
	tu_diag_free(e);
}


/* ----------------------------------- the session host's certificate, setting in effect */

static void test_diagnose_sh_certificate(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	run(e);
	const struct rdls_dresult *r = expect_status(e, "sh-certificate", NULL, RDLS_D_PASSED);
	expect_contains(r->title, "Access was denied because of a security error");
	expect_clean(e);

	fake_set_reg(e->f, RDLS_KEY_RCM, "X509 Certificate2", NULL);
	run(e);
	r = expect_finding(e, "sh-certificate-incomplete", NULL, RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "'X509 Certificate2': absent");
	expect_contains(r->remedy, "reg export");
	expect_contains(r->remedy, "diagnose never does it");

	fake_set_reg(e->f, RDLS_KEY_RCM, "X509 Certificate", NULL);
	fake_set_reg(e->f, RDLS_KEY_RCM, "X509 Certificate ID", NULL);
	run(e);
	r = expect_finding(e, "sh-certificate-absent", NULL, RDLS_DSEV_INFO);
	expect_contains(r->cause, "never obtained one");
	expect_never_passed(e, "sh-certificate");

	fake_fail_nth(e->f, "reg_get", 1, 5);
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	o.only = "sh-certificate";
	rdls_err err;
	rdls_err_clear(&err);
	rdls_diagnosis_release(&e->d);
	assert_int_equal(rdls_diagnose(&e->sys, &o, &e->d, &err), 0);
	expect_status(e, "sh-certificate", NULL, RDLS_D_NOT_RUN);
	tu_diag_free(e);
}

static void test_diagnose_setting_in_effect(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	run(e);
	expect_status(e, "setting-in-effect", NULL, RDLS_D_PASSED);

	fake_set_reg_dword(e->f, RDLS_KEY_RCM_LICENSING, "LicensingMode", 4);
	const char *brk[] = { "LICSVR9" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, brk, 1), 0);
	fake_set_reg(e->f, RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	run(e);
	const struct rdls_dresult *r = expect_finding(e, "licensing-mode-conflict", "LicensingMode",
						      RDLS_DSEV_WARNING);
	expect_contains(r->title, "per device in the policy and per user in RCM\\Licensing Core: "
				  "the policy wins");
	r = expect_finding(e, "license-servers-conflict", "LicenseServers", RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "Set-RDLicenseConfiguration");
	r = expect_finding(e, "connection-broker-deployment", NULL, RDLS_DSEV_INFO);
	expect_contains(r->remedy, "Edit Deployment Properties");
	expect_never_passed(e, "setting-in-effect");

	/* The same servers in another order and case: no conflict, still a broker deployment. */
	const char *same[] = { "licsvr2", "LICSVR1" };
	assert_int_equal(rdls_regval_set_multi(&v, same, 2), 0);
	fake_set_reg(e->f, RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	fake_set_reg_dword(e->f, RDLS_KEY_RCM_LICENSING, "LicensingMode", 2);
	run(e);
	expect_no_finding(e, "license-servers-conflict");
	expect_no_finding(e, "licensing-mode-conflict");
	expect_status(e, "setting-in-effect", NULL, RDLS_D_FINDING);
	tu_diag_free(e);
}

/* The passed result of check, whatever other subjects it recorded. */
static const struct rdls_dresult *expect_passed(struct tu_diag *e, const char *check)
{
	for (size_t i = 0; i < e->d.n; i++)
		if (strcmp(e->d.v[i].check, check) == 0 && e->d.v[i].status == RDLS_D_PASSED)
			return &e->d.v[i];
	fprintf(stderr, "expected check %s to pass; got:\n", check);
	tu_diag_dump(&e->d);
	fail();
	return NULL;
}

/* ls-pipe: WaitNamedPipeW's code for \\SERVER\pipe\HydraLsPipe, judged by the core. */
static void test_diagnose_ls_pipe(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	run(e);
	const struct rdls_dresult *r = expect_status(e, "ls-pipe", "LICSVR1", RDLS_D_PASSED);
	expect_contains(r->evidence, "WaitNamedPipeW('\\\\LICSVR1\\pipe\\HydraLsPipe'");
	expect_contains(r->evidence, "an instance is free");

	static const struct {
		uint32_t code;
		enum rdls_dstatus st;
		const char *id;
		enum rdls_dsev sev;
		const char *what;
	} cases[] = {
		{ 121, RDLS_D_PASSED, NULL, RDLS_DSEV_INFO, "every instance busy" },
		{ 5, RDLS_D_PASSED, NULL, RDLS_DSEV_INFO, "refused this account" },
		{ 2, RDLS_D_FINDING, "ls-pipe-missing", RDLS_DSEV_ERROR, "TermServLicensing" },
		{ 53, RDLS_D_FINDING, "ls-pipe-unreachable", RDLS_DSEV_ERROR, "TCP 445" },
		{ 3, RDLS_D_FINDING, "ls-pipe-unreachable", RDLS_DSEV_ERROR, "SMB-In" },
		{ 1326, RDLS_D_FINDING, "ls-pipe-logon-refused", RDLS_DSEV_INFO, "same name and password" },
		{ 87, RDLS_D_NOT_RUN, NULL, RDLS_DSEV_INFO, "WaitNamedPipeW" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_set_pipe(e->f, "LICSVR2", cases[i].code);
		run(e);
		expect_status(e, "ls-pipe", "LICSVR1", RDLS_D_PASSED); /* the other server */
		r = expect_status(e, "ls-pipe", "LICSVR2", cases[i].st);
		if (cases[i].st == RDLS_D_FINDING) {
			r = expect_finding(e, cases[i].id, "LICSVR2", cases[i].sev);
			expect_contains(r->evidence, "\\\\LICSVR2\\pipe\\HydraLsPipe");
			expect_contains(cases[i].code == 53 ? r->cause : r->remedy, cases[i].what);
		} else if (cases[i].st == RDLS_D_PASSED) {
			expect_contains(r->evidence, cases[i].what);
		} else {
			expect_contains(r->reason, cases[i].what);
			expect_contains(r->reason, "87");
		}
	}
	fake_set_pipe(e->f, "LICSVR2", 53);
	run(e);
	r = expect_finding(e, "ls-pipe-unreachable", "LICSVR2", RDLS_DSEV_ERROR);
	expect_contains(r->cause, "TCP 445");
	/* A name that does not resolve is not probed. */
	fake_set_dns(e->f, "LICSVR2", NULL);
	unsigned before = fake_calls(e->f, "pipe_probe");
	run(e);
	r = expect_status(e, "ls-pipe", "LICSVR2", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "does not resolve");
	assert_int_equal(fake_calls(e->f, "pipe_probe") - before, 1); /* LICSVR1 only */
	/* Without the operation: not run, never passed. */
	fake_drop_op(e->f, "pipe_probe");
	run(e);
	r = expect_status(e, "ls-pipe", "LICSVR1", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "pipe_probe");
	expect_never_passed(e, "ls-pipe");
	tu_diag_free(e);
}

/* setting-in-effect on a domain member: a domain GPO that sets either policy. */
static void test_diagnose_domain_gpo(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	tu_expect_profile(e, tu_wg_profile);
	/* A workgroup host: RSOP is not asked. */
	run(e);
	assert_int_equal(fake_calls(e->f, "gpo_domain_settings"), 0);
	const struct rdls_dresult *r = expect_passed(e, "setting-in-effect");
	expect_contains(r->evidence, "domain GPOs: none (workgroup)");

	rdls_osinfo os = { .major = 10, .minor = 0, .build = 17763, .server = true,
			   .domain_joined = true };
	fake_set_os(e->f, &os);
	run(e);
	r = expect_passed(e, "setting-in-effect");
	expect_contains(r->evidence, "none sets LicensingMode or LicenseServers");

	/* The GPO sets what the profile wants: info, naming the GPO. */
	fake_add_gpo_setting(e->f, "LicensingMode", "RDS Licensing Policy");
	run(e);
	r = expect_finding(e, "domain-gpo-sets-policy", "LicensingMode", RDLS_DSEV_INFO);
	expect_contains(r->title, "domain GPO 'RDS Licensing Policy' sets LicensingMode");
	expect_contains(r->title, "wins over the local policy at the next refresh");
	expect_contains(r->title, "it sets what the profile wants");
	expect_contains(r->evidence, "REG_DWORD 2");
	expect_contains(r->evidence, "site.ini wants REG_DWORD 2 (per device)");
	expect_passed(e, "setting-in-effect");

	/* It sets another mode and the servers: warnings saying what to change in that GPO. */
	fake_set_reg_dword(e->f, POLICY, "LicensingMode", 4);
	fake_set_reg_sz(e->f, POLICY, "LicenseServers", RDLS_REG_SZ, "LICSVR9");
	fake_add_gpo_setting(e->f, "LicenseServers", "RDS Licensing Policy");
	fake_add_gpo_setting(e->f, "fDenyTSConnections", "Other GPO"); /* not ours */
	run(e);
	r = expect_finding(e, "domain-gpo-sets-policy", "LicensingMode", RDLS_DSEV_WARNING);
	expect_contains(r->title, "the profile wants something else");
	expect_contains(r->remedy, "edit GPO 'RDS Licensing Policy'");
	expect_contains(r->remedy, "'Set the Remote Desktop licensing mode' and set it to the "
				   "profile's REG_DWORD 2 (per device)");
	r = expect_finding(e, "domain-gpo-sets-policy", "LicenseServers", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "REG_SZ 'LICSVR9'");
	expect_contains(r->remedy, "REG_SZ 'LICSVR1,LICSVR2'");
	assert_null(rdls_diagnosis_find(&e->d, "domain-gpo-sets-policy", "fDenyTSConnections"));
	expect_never_passed(e, "setting-in-effect");

	/* No profile: a warning, nothing to compare with. */
	rdls_model_free(e->m);
	e->m = NULL;
	run(e);
	r = expect_finding(e, "domain-gpo-sets-policy", "LicensingMode", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "no profile describes this session host");

	/* RSOP unreadable or absent: not run, named. */
	fake_fail_nth(e->f, "gpo_domain_settings", 1, 0x8004100Eu);
	run(e);
	r = expect_status(e, "setting-in-effect", "domain GPO", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "root\\rsop\\computer");
	expect_contains(r->reason, "0x8004100E");
	fake_drop_op(e->f, "gpo_domain_settings");
	run(e);
	r = expect_status(e, "setting-in-effect", "domain GPO", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "gpresult");
	tu_diag_free(e);
}

/* setting-in-effect: what Win32_TerminalServiceSetting says Remote Desktop Services uses. */
static void test_diagnose_ts_setting_source(void **state)
{
	(void)state;
	struct tu_diag *e = healthy_sh();
	run(e);
	const struct rdls_dresult *r = expect_passed(e, "setting-in-effect");
	expect_contains(r->evidence, "Win32_TerminalServiceSetting: LicensingType 2 (per device), "
				     "specified license servers 'LICSVR1,LICSVR2'");
	assert_int_equal(fake_calls(e->f, "ts_licensing"), 1);
	assert_int_equal(fake_calls(e->f, "ts_specified_ls"), 1);

	/* It still uses per user and other servers: the registry's change is not read yet. */
	fake_set_ts_licensing(e->f, 4, 0);
	fake_set_ts_specified(e->f, "LICSVR9, licsvr1");
	run(e);
	r = expect_finding(e, "ts-licensing-type-conflict", "LicensingType", RDLS_DSEV_WARNING);
	expect_contains(r->title, "Remote Desktop Services uses per user, the registry says per "
				  "device: what it uses wins");
	expect_contains(r->evidence, "LicensingType = 4 (per user), PolicySourceLicensingType = 0; "
				     "the policy value LicensingMode: per device");
	expect_contains(r->remedy, "gpupdate /force");
	r = expect_finding(e, "ts-license-servers-conflict", "LicenseServers", RDLS_DSEV_WARNING);
	expect_contains(r->evidence, "GetSpecifiedLicenseServerList: 'LICSVR9,licsvr1'; the policy "
				     "value LicenseServers: 'LICSVR1,LICSVR2'");
	expect_never_passed(e, "setting-in-effect");

	/* Remote Desktop for Administration: the role service is missing. */
	fake_set_ts_licensing(e->f, 1, 0);
	fake_set_ts_specified(e->f, "licsvr2,LICSVR1"); /* the same set */
	run(e);
	r = expect_finding(e, "ts-licensing-type-conflict", "LicensingType", RDLS_DSEV_WARNING);
	expect_contains(r->remedy, "RDS-RD-Server");
	expect_no_finding(e, "ts-license-servers-conflict");

	/* Only RCM\Licensing Core sets the mode: that is what should be in use. */
	fake_set_ts_licensing(e->f, 4, 0);
	fake_set_reg(e->f, POLICY, "LicensingMode", &(rdls_regval){ 0 });
	fake_set_reg_dword(e->f, RDLS_KEY_RCM_LICENSING, "LicensingMode", 4);
	run(e);
	expect_no_finding(e, "ts-licensing-type-conflict");

	/* The namespace is missing (Wine, no Remote Desktop Services): not run, named; the
	 * registry comparison still passes. */
	fake_set_ts_wmi(e->f, 0x8004100Eu);
	run(e);
	r = expect_status(e, "setting-in-effect", "Win32_TerminalServiceSetting", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "LicensingType");
	expect_contains(r->reason, "0x8004100E");
	expect_contains(r->reason, "root\\CIMv2\\TerminalServices");
	r = expect_passed(e, "setting-in-effect");
	expect_contains(r->evidence, "Win32_TerminalServiceSetting: not read");
	/* The list alone fails. */
	fake_set_ts_wmi(e->f, 0);
	fake_fail_nth(e->f, "ts_specified_ls", 1, 0x8004102Eu);
	run(e);
	r = expect_status(e, "setting-in-effect", "Win32_TerminalServiceSetting", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "GetSpecifiedLicenseServerList");
	fake_drop_op(e->f, "ts_licensing");
	run(e);
	r = expect_status(e, "setting-in-effect", "Win32_TerminalServiceSetting", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "ts_licensing");
	tu_diag_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diagnose_healthy_session_host),
		cmocka_unit_test(test_diagnose_healthy_session_host_profile),
		cmocka_unit_test(test_diagnose_licensing_mode_unset),
		cmocka_unit_test(test_diagnose_licensing_mode_invalid),
		cmocka_unit_test(test_diagnose_licensing_mode_local_setting),
		cmocka_unit_test(test_diagnose_per_user_workgroup),
		cmocka_unit_test(test_diagnose_no_license_servers),
		cmocka_unit_test(test_diagnose_broker_list),
		cmocka_unit_test(test_diagnose_server_whitespace),
		cmocka_unit_test(test_diagnose_server_unresolved),
		cmocka_unit_test(test_diagnose_server_rpc_closed),
		cmocka_unit_test(test_diagnose_rpc_port_option),
		cmocka_unit_test(test_diagnose_ts_missing),
		cmocka_unit_test(test_diagnose_grace_period),
		cmocka_unit_test(test_diagnose_ts_connectivity_statuses),
		cmocka_unit_test(test_diagnose_ts_find),
		cmocka_unit_test(test_diagnose_ping_2008),
		cmocka_unit_test(test_diagnose_healthy_license_server),
		cmocka_unit_test(test_diagnose_ls_role_absent),
		cmocka_unit_test(test_diagnose_cal_incompatible),
		cmocka_unit_test(test_diagnose_os_version_mapping),
		cmocka_unit_test(test_diagnose_leading_space_value),
		cmocka_unit_test(test_diagnose_accounts_group_wrong_type),
		cmocka_unit_test(test_diagnose_accounts_group_missing_group),
		cmocka_unit_test(test_diagnose_accounts_group_not_a_group),
		cmocka_unit_test(test_diagnose_accounts_group_other_host),
		cmocka_unit_test(test_diagnose_policy_not_profile),
		cmocka_unit_test(test_diagnose_accounts_group_not_profile),
		cmocka_unit_test(test_diagnose_peer_account),
		cmocka_unit_test(test_diagnose_domain_publication_and_list),
		cmocka_unit_test(test_diagnose_only_one_check),
		cmocka_unit_test(test_diagnose_sh_certificate),
		cmocka_unit_test(test_diagnose_setting_in_effect),
		cmocka_unit_test(test_diagnose_ls_pipe),
		cmocka_unit_test(test_diagnose_domain_gpo),
		cmocka_unit_test(test_diagnose_ts_setting_source),
		cmocka_unit_test(test_diagnose_accounts_group_missing_value),
		cmocka_unit_test(test_diagnose_peer_credentials),
		cmocka_unit_test(test_diagnose_peer_credentials_unreadable),
		cmocka_unit_test(test_diagnose_workgroup_auth_disabled),
		cmocka_unit_test(test_diagnose_registry_unreadable),
		cmocka_unit_test(test_diagnose_missing_ops),
		cmocka_unit_test(test_diagnose_host_not_in_profile),
		cmocka_unit_test(test_diagnose_plan_differences),
		cmocka_unit_test(test_diagnose_plan_with_secret),
		cmocka_unit_test(test_diagnose_cmd_text_and_exit),
		cmocka_unit_test(test_diagnose_cmd_json),
		cmocka_unit_test(test_diagnose_cmd_bad_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
