/*
 * The audit trail (audit.c) and password rotation (res_password.c) through the
 * commands on the fake machine: which events apply and rollback write, in which order,
 * with which insertion strings, for a completed apply, a failed apply rolled back,
 * refused applies (precondition, no confirmation, not elevated), a completed and a
 * partial rollback; no secret in any event; a failing event log is a warning only.
 * Rotation: apply --rotate plans the existing user's password and every credential,
 * sets both to the new secret, and rollback reports the password as not restorable
 * (exit 4, as for every rollback that cannot restore everything) and restores the rest.
 * Run from the repository root (make unit does): profiles are read from profiles/.
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
#include "rdls/audit.h"
#include "rdls/cli.h"
#include "rdls/journal.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "rdls/writable.h"
#include "testutil.h"

#define SECRET "Audit-Test-Secret-3319"
#define NEW_SECRET "Audit-Rotated-Secret-8802"
#define WG2 "profiles/workgroup-two-servers.ini"

/* LICSVR1 with the peer password in its environment. */
static void ctx_init(struct tu_cmd *c)
{
	tu_cmd_init(c, "LICSVR1");
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
}

/* No event's insertion string holds either secret (the secret scan of the event log). */
static void scan_events(struct tu_cmd *c)
{
	for (size_t i = 0; i < fake_event_count(c->f); i++)
		for (size_t k = 0; k < fake_event_nstrings(c->f, i); k++) {
			const char *s = fake_event_string(c->f, i, k);
			if (strstr(s, SECRET) || strstr(s, NEW_SECRET))
				fail_msg("event %lu string %%%zu holds the secret: %s",
					 (unsigned long)fake_event_id(c->f, i), k + 1, s);
		}
}

static void ctx_release(struct tu_cmd *c)
{
	scan_events(c);
	tu_cmd_release(c);
}

static int run(struct tu_cmd *c, const char *command, const char *profile, bool yes, bool rotate)
{
	c->o = (struct rdls_opts){ .command = command, .profile = profile, .yes = yes,
				   .rotate = rotate };
	int rc = tu_cmd_run(c);
	if (strstr(c->out_text, SECRET) || strstr(c->err_text, SECRET) ||
	    strstr(c->out_text, NEW_SECRET) || strstr(c->err_text, NEW_SECRET))
		fail_msg("the secret was printed:\n%s%s", c->out_text, c->err_text);
	return rc;
}

/* The ids of the events from the `from`-th on, "1000 1001 ...". */
static char *ids_from(struct tu_cmd *c, size_t from)
{
	char *all = fake_event_ids(c->f), *p = all;
	for (size_t i = 0; i < from && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	char *r = strdup(p ? p : "");
	free(all);
	return r;
}

static void assert_ids(struct tu_cmd *c, size_t from, const char *want)
{
	char *got = ids_from(c, from);
	if (strcmp(got, want) != 0)
		fail_msg("events from #%zu: got '%s', expected '%s'", from, got, want);
	free(got);
}

static void assert_str(struct tu_cmd *c, size_t i, size_t k, const char *want)
{
	const char *got = fake_event_string(c->f, i, k);
	if (strcmp(got, want) != 0)
		fail_msg("event #%zu (%lu) %%%zu: got '%s', expected '%s'", i,
			 (unsigned long)fake_event_id(c->f, i), k + 1, got, want);
}

static void assert_has(struct tu_cmd *c, size_t i, size_t k, const char *want)
{
	const char *got = fake_event_string(c->f, i, k);
	if (!strstr(got, want))
		fail_msg("event #%zu (%lu) %%%zu: '%s' does not contain '%s'", i,
			 (unsigned long)fake_event_id(c->f, i), k + 1, got, want);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static const char *newest_journal(struct tu_cmd *c, char *buf, size_t n)
{
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_newest(&c->sys, buf, n, &e), 0);
	return buf;
}

#define DONE7 "1001 1001 1001 1001 1001 1001 1001"

/* ------------------------------------------------------------------ apply */

static void test_audit_apply_completed(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	assert_ids(&c, 0, "1000 " DONE7 " 1003");
	assert_true(fake_event_registered(c.f));
	char j[4096];
	newest_journal(&c, j, sizeof(j));
	/* started: user, host, profile, journal, changes */
	assert_int_equal(fake_event_type(c.f, 0), RDLS_EVENT_INFO);
	assert_int_equal(fake_event_nstrings(c.f, 0), 5);
	assert_str(&c, 0, 0, "LICSVR1\\Administrator");
	assert_str(&c, 0, 1, "LICSVR1");
	assert_str(&c, 0, 2, WG2);
	assert_str(&c, 0, 3, j);
	assert_str(&c, 0, 4, "7");
	/* each step: number, what, journal */
	assert_str(&c, 1, 0, "1");
	assert_str(&c, 1, 1, "create local user 'rdls-peer'");
	assert_str(&c, 1, 2, j);
	assert_str(&c, 7, 0, "7");
	assert_has(&c, 7, 1, "credential 'LICSVR2'");
	/* finished: host, done, exit code, journal */
	assert_str(&c, 8, 0, "LICSVR1");
	assert_str(&c, 8, 1, "7");
	assert_str(&c, 8, 2, "0");
	assert_str(&c, 8, 3, j);

	/* converged: started and finished, no journal */
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	assert_ids(&c, 9, "1000 1003");
	assert_str(&c, 9, 3, "(none)");
	assert_str(&c, 9, 4, "0");
	assert_str(&c, 10, 1, "0");
	ctx_release(&c);
}

static void test_audit_apply_failed_rolled_back(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	char *before = fake_snapshot(c.f);
	fake_fail_nth(c.f, "cred_put", 1, 5);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_ERROR);
	char *after = fake_snapshot(c.f);
	assert_string_equal(after, before);
	free(after);
	free(before);
	/* six done, the seventh failed (it changed nothing: no event for its undo), the six
	 * undone newest first, then rolled back */
	assert_ids(&c, 0, "1000 1001 1001 1001 1001 1001 1001 1002 "
			  "1006 1006 1006 1006 1006 1006 1004");
	assert_int_equal(fake_event_type(c.f, 7), RDLS_EVENT_ERROR);
	assert_str(&c, 7, 0, "7");
	assert_has(&c, 7, 1, "credential 'LICSVR2'");
	assert_has(&c, 7, 2, "access is denied");
	assert_str(&c, 8, 0, "6");
	assert_str(&c, 13, 0, "1");
	assert_str(&c, 13, 1, "delete local user 'rdls-peer'");
	/* rolled back: host, undone, not restored, exit code, journal */
	assert_int_equal(fake_event_type(c.f, 14), RDLS_EVENT_ERROR);
	assert_str(&c, 14, 0, "LICSVR1");
	assert_str(&c, 14, 1, "6");
	assert_str(&c, 14, 2, "0");
	assert_str(&c, 14, 3, "1");
	ctx_release(&c);
}

static void test_audit_apply_refused(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	/* no terminal, no --yes: exit 3, one event */
	assert_int_equal(run(&c, "apply", WG2, false, false), RDLS_EXIT_USAGE);
	assert_ids(&c, 0, "1005");
	assert_int_equal(fake_event_type(c.f, 0), RDLS_EVENT_WARNING);
	assert_str(&c, 0, 0, "LICSVR1\\Administrator");
	assert_str(&c, 0, 1, "LICSVR1");
	assert_str(&c, 0, 2, WG2);
	assert_str(&c, 0, 3, "not confirmed: nothing was changed");
	assert_str(&c, 0, 4, "3");
	assert_int_equal(fake_writes(c.f), 0);

	/* a precondition: credential storage forbidden by policy */
	fake_set_reg_dword(c.f, "SYSTEM\\CurrentControlSet\\Control\\Lsa", "DisableDomainCreds", 1);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_ERROR);
	assert_ids(&c, 1, "1005");
	assert_has(&c, 1, 3, "refuses to start");
	assert_str(&c, 1, 4, "1");
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);

	/* the RD Licensing role missing */
	ctx_init(&c);
	fake_set_service(c.f, "TermServLicensing", false);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_ERROR);
	assert_ids(&c, 0, "1005");
	assert_has(&c, 0, 3, "RD Licensing");
	ctx_release(&c);

	/* not elevated: the source cannot be registered (a warning), the event is written */
	ctx_init(&c);
	fake_set_elevated(c.f, false);
	fake_set_process_user(c.f, "LICSVR1\\operator");
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_ERROR);
	assert_ids(&c, 0, "1005");
	assert_false(fake_event_registered(c.f));
	assert_str(&c, 0, 0, "LICSVR1\\operator");
	assert_has(&c, 0, 3, "elevated");
	assert_contains(c.err_text, "warning: cannot register the event source 'rdlsctl'");
	ctx_release(&c);
}

static void test_audit_event_failure_is_a_warning(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	fake_fail_nth(c.f, "event_write", 1, 1502); /* ERROR_LOG_FILE_FULL */
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	assert_contains(c.err_text, "warning: cannot write event 1000 to the Application log");
	assert_contains(c.out_text, "Applied 7 changes");
	assert_ids(&c, 0, DONE7 " 1003"); /* the rest are written */
	ctx_release(&c);

	/* the event log entirely unavailable: one warning, apply succeeds */
	ctx_init(&c);
	fake_fail_nth(c.f, "event_register", 1, 1722); /* RPC_S_SERVER_UNAVAILABLE */
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	assert_contains(c.err_text, "warning: cannot register the event source");
	ctx_release(&c);

	/* a backend without an event log: no event, no warning */
	ctx_init(&c);
	fake_drop_op(c.f, "event_write");
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	assert_int_equal(fake_event_count(c.f), 0);
	assert_null(strstr(c.err_text, "event"));
	ctx_release(&c);
}

/* --------------------------------------------------------------- rollback */

static void test_audit_rollback_completed(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	size_t k = fake_event_count(c.f);
	char j[4096];
	newest_journal(&c, j, sizeof(j));
	assert_int_equal(run(&c, "rollback", NULL, true, false), RDLS_EXIT_OK);
	assert_ids(&c, k, "1100 1006 1006 1006 1006 1006 1006 1006 1101");
	/* started: user, host, journal, to restore */
	assert_str(&c, k, 0, "LICSVR1\\Administrator");
	assert_str(&c, k, 1, "LICSVR1");
	assert_str(&c, k, 2, j);
	assert_str(&c, k, 3, "7");
	assert_str(&c, k + 1, 0, "7");
	assert_has(&c, k + 1, 1, "delete credential 'LICSVR2'");
	assert_str(&c, k + 7, 1, "delete local user 'rdls-peer'");
	/* finished: host, restored, exit code, journal */
	assert_str(&c, k + 8, 1, "7");
	assert_str(&c, k + 8, 2, "0");
	assert_str(&c, k + 8, 3, j);

	/* refused: not elevated */
	k = fake_event_count(c.f);
	fake_set_elevated(c.f, false);
	assert_int_equal(run(&c, "rollback", NULL, true, false), RDLS_EXIT_ERROR);
	assert_ids(&c, k, "1103");
	assert_has(&c, k, 3, "elevated");
	assert_str(&c, k, 4, "1");
	ctx_release(&c);
}

static void test_audit_rollback_partial(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	assert_int_equal(run(&c, "apply", WG2, true, false), RDLS_EXIT_OK);
	/* changed by hand since: rollback leaves it (and so its key) */
	fake_set_reg_sz(c.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\Someone Else");
	size_t k = fake_event_count(c.f);
	assert_int_equal(run(&c, "rollback", NULL, true, false), RDLS_EXIT_INCOMPLETE);
	/* started, the credential, the value left and so its two keys (not empty), the
	 * membership, group and user, then incomplete */
	assert_ids(&c, k, "1100 1006 1007 1007 1007 1006 1006 1006 1102");
	assert_int_equal(fake_event_type(c.f, k + 2), RDLS_EVENT_WARNING);
	assert_has(&c, k + 2, 1, "WorkgroupLicenseServerAccountsGroup");
	assert_has(&c, k + 2, 2, "changed since apply");
	assert_has(&c, k + 2, 2, "Someone Else");
	size_t last = fake_event_count(c.f) - 1;
	assert_int_equal(fake_event_type(c.f, last), RDLS_EVENT_WARNING);
	assert_str(&c, last, 3, "4");
	assert_str(&c, last, 1, "4"); /* restored */
	assert_str(&c, last, 2, "3"); /* not restored */
	ctx_release(&c);
}

/* --------------------------------------------------------------- rotation */

/* LICSVR1 converged with SECRET, then the profile's source holds NEW_SECRET. */
static void converge_then_new_secret(struct tu_cmd *c)
{
	assert_int_equal(run(c, "apply", WG2, true, false), RDLS_EXIT_OK);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", NEW_SECRET);
}

static void test_rotate_plans_password_and_credentials(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	converge_then_new_secret(&c);
	/* without --rotate: the stale credential is replaced, the password left alone */
	struct rdls_opts o = { .command = "plan", .profile = WG2, .out = c.out, .err = c.err };
	assert_int_equal(cmd_plan(&o, &c.sys), RDLS_EXIT_PENDING);
	char *out = tu_take(c.out), *err = tu_take(c.err);
	assert_null(strstr(out, "password of user"));
	free(out);
	free(err);
	o.rotate = true;
	assert_int_equal(cmd_plan(&o, &c.sys), RDLS_EXIT_PENDING);
	out = tu_take(c.out);
	err = tu_take(c.err);
	assert_contains(out, "~ password of user 'rdls-peer'");
	assert_contains(out, "rollback cannot restore it");
	assert_contains(out, "~ credential 'LICSVR2'");
	assert_contains(err, "warning: --rotate sets the password of local user 'rdls-peer'");
	free(out);
	free(err);
	/* a user apply creates gets the secret with it: no password step then */
	struct fake_sys *g = fake_sys_new("LICSVR1");
	struct rdls_sys gs = fake_sys_iface(g);
	fake_set_env(g, "RDLS_PEER_PASSWORD", SECRET);
	assert_int_equal(cmd_plan(&o, &gs), RDLS_EXIT_PENDING);
	out = tu_take(c.out);
	err = tu_take(c.err);
	assert_null(strstr(out, "password of user"));
	assert_contains(out, "+ user 'rdls-peer'");
	free(out);
	free(err);
	assert_int_equal(fake_calls(g, "user_set_password"), 0);
	fake_sys_free(g);
	assert_int_equal(fake_calls(c.f, "user_set_password"), 0); /* plan changes nothing */
	ctx_release(&c);
}

static void test_rotate_apply_and_rollback(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	converge_then_new_secret(&c);
	/* something rollback can restore: the accounts group value changed by hand */
	fake_set_reg_sz(c.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\Old Group");
	size_t k = fake_event_count(c.f);
	assert_int_equal(run(&c, "apply", WG2, true, true), RDLS_EXIT_OK);
	assert_string_equal(fake_user_password(c.f, "rdls-peer"), NEW_SECRET);
	assert_string_equal(fake_cred_password(c.f, "LICSVR2"), NEW_SECRET);
	assert_contains(c.out_text, "Applied 3 changes");
	assert_ids(&c, k, "1000 1001 1001 1001 1003");
	assert_str(&c, k + 1, 1, "set the password of local user 'rdls-peer' (not restorable)");

	/* the journal says so, and holds neither secret */
	char j[4096];
	newest_journal(&c, j, sizeof(j));
	FILE *f = fopen(j, "rb");
	assert_non_null(f);
	char text[1 << 15];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_contains(text, "kind = password");
	assert_contains(text, "restorable = no");
	assert_contains(text, "password = set,%20not%20restorable");
	assert_null(strstr(text, SECRET));
	assert_null(strstr(text, NEW_SECRET));

	/* rollback: the password and the replaced credential are reported, the value restored */
	k = fake_event_count(c.f);
	assert_int_equal(run(&c, "rollback", NULL, true, false), RDLS_EXIT_INCOMPLETE);
	const rdls_regval *v = fake_get_reg(c.f, RDLS_KEY_LICENSING,
					    "WorkgroupLicenseServerAccountsGroup");
	assert_non_null(v);
	assert_string_equal((const char *)v->data, "LICSVR1\\Old Group");
	assert_string_equal(fake_user_password(c.f, "rdls-peer"), NEW_SECRET); /* cannot go back */
	assert_contains(c.out_text, "password of user 'rdls-peer'");
	assert_contains(c.out_text, "cannot be restored");
	assert_ids(&c, k, "1100 1007 1006 1007 1102");
	assert_has(&c, k + 1, 1, "credential 'LICSVR2'");
	assert_has(&c, k + 3, 1, "password of user 'rdls-peer'");
	assert_has(&c, k + 3, 2, "not restorable: the old password cannot be read back");
	assert_str(&c, k + 4, 1, "1"); /* restored */
	assert_str(&c, k + 4, 2, "2"); /* not restored */
	/* a second rollback has nothing more to restore, and still says what is left */
	assert_int_equal(run(&c, "rollback", NULL, true, false), RDLS_EXIT_INCOMPLETE);
	ctx_release(&c);
}

/* The password step failing: apply undoes what it did before; the password is unchanged. */
static void test_rotate_password_failure_rolls_back(void **state)
{
	(void)state;
	struct tu_cmd c;
	ctx_init(&c);
	converge_then_new_secret(&c);
	fake_set_reg_sz(c.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\Old Group");
	fake_fail_nth(c.f, "user_set_password", 1, 5);
	size_t k = fake_event_count(c.f);
	assert_int_equal(run(&c, "apply", WG2, true, true), RDLS_EXIT_ERROR);
	assert_string_equal(fake_user_password(c.f, "rdls-peer"), SECRET);
	assert_ids(&c, k, "1000 1002 1004");
	assert_has(&c, k + 1, 2, "NetUserSetInfo");
	/* a later step failing after it: the password is reported as not restorable, exit 4 */
	fake_fail_nth(c.f, "cred_put", 1, 5);
	k = fake_event_count(c.f);
	assert_int_equal(run(&c, "apply", WG2, true, true), RDLS_EXIT_INCOMPLETE);
	assert_string_equal(fake_user_password(c.f, "rdls-peer"), NEW_SECRET);
	assert_ids(&c, k, "1000 1001 1001 1002 1006 1007 1004");
	assert_has(&c, k + 5, 1, "password of user 'rdls-peer'");
	assert_str(&c, k + 6, 3, "4");
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_apply_completed),
		cmocka_unit_test(test_audit_apply_failed_rolled_back),
		cmocka_unit_test(test_audit_apply_refused),
		cmocka_unit_test(test_audit_event_failure_is_a_warning),
		cmocka_unit_test(test_audit_rollback_completed),
		cmocka_unit_test(test_audit_rollback_partial),
		cmocka_unit_test(test_rotate_plans_password_and_credentials),
		cmocka_unit_test(test_rotate_apply_and_rollback),
		cmocka_unit_test(test_rotate_password_failure_rolls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
