/*
 * diagnose's event log checks (src/diag_events.c) on the fake system: every event id gives
 * its finding with count, time, message and remedy; the --days window reaches the query; a
 * missing channel, a failing query or a backend without event_query is "not run" with its
 * reason, never "passed"; diagnose writes nothing.
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

#define LSPROV "Microsoft-Windows-TerminalServices-Licensing"
#define RCMPROV "Microsoft-Windows-TerminalServices-RemoteConnectionManager"

/* The shared diagnose fixture (testutil.h) under this suite's names: every finding here
 * is a warning; a run writes nothing. */
#define run(e, check) tu_expect_run(e, check)
#define expect_finding(e, id) tu_expect_finding(e, id, NULL, RDLS_DSEV_WARNING)
#define expect_no_finding(e, id) tu_expect_no_finding(e, id)
#define expect_contains(s, what) tu_expect_contains(s, what)
#define expect_status(e, check, subject, st) tu_expect_status(e, check, subject, st, false)
#define expect_never_passed(e, check, subject) tu_expect_never_passed(e, check, subject)

/* A fake machine named host with the shared workgroup profile. */
static struct tu_diag *env_new(const char *host)
{
	struct tu_diag *e = tu_diag_new(host);
	tu_expect_profile(e, tu_wg_profile);
	return e;
}

static size_t count_findings(const struct tu_diag *e)
{
	return rdls_diagnosis_count(&e->d, RDLS_D_FINDING);
}

struct id_case {
	uint32_t id;
	const char *channel, *provider, *finding, *remedy_word;
};

static void check_each_id(const char *host, const char *check, const struct id_case *cases,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tu_diag *e = env_new(host);
		char text[128];
		snprintf(text, sizeof(text), "Message\r\nof event %u.", (unsigned)cases[i].id);
		fake_add_log_event(e->f, cases[i].channel, cases[i].provider, cases[i].id,
				   FAKE_EVENT_DAYS_AGO(1), text);
		run(e, check);
		const struct rdls_dresult *r = expect_finding(e, cases[i].finding);
		char want[64];
		snprintf(want, sizeof(want), "event %u 1 time;", (unsigned)cases[i].id);
		expect_contains(r->evidence, want);
		expect_contains(r->evidence, "2026-11-30 12:00:00 UTC");
		snprintf(want, sizeof(want), "\"Message of event %u.\"", (unsigned)cases[i].id);
		expect_contains(r->evidence, want);
		expect_contains(r->evidence, cases[i].channel);
		expect_contains(r->title, "1 event in the last 7 days");
		expect_contains(r->remedy, cases[i].remedy_word);
		if (count_findings(e) != 1) {
			fprintf(stderr, "event %u: expected one finding\n", (unsigned)cases[i].id);
			tu_diag_dump(&e->d);
			fail();
		}
		assert_int_equal(fake_last_event_days(e->f), 7);
		tu_diag_free(e);
	}
}

/* Each license-server event id, under either name of the provider, gives its group's finding. */
static void test_diag_events_ls_each_id(void **state)
{
	(void)state;
	static const struct id_case cases[] = {
		{ 7, "System", LSPROV, "event-ls-peer-auth", "rdlsctl apply site.ini" },
		{ 8, "System", "TermServLicensing", "event-ls-peer-auth", "NETWORK SERVICE" },
		{ 15, "System", LSPROV, "event-ls-peer-auth", "WorkgroupLicenseServerAccountsGroup" },
		{ 16, "System", "TermServLicensing", "event-ls-peer-auth", "rdlsctl status" },
		{ 17, "System", LSPROV, "event-ls-activation", "Reactivate Server" },
		{ 18, "System", "TermServLicensing", "event-ls-activation", "Activate Server" },
		{ 19, "System", LSPROV, "event-ls-activation", "Reactivate Server" },
		{ 20, "System", LSPROV, "event-ls-no-licenses", "CALs for Windows Server 2019, per device" },
		{ 21, "System", "TermServLicensing", "event-ls-no-licenses", "Install Licenses" },
		{ 4105, "System", LSPROV, "event-ls-ad-attributes", "Terminal Server License Servers" },
	};
	check_each_id("LICSVR1", "ls-events", cases, sizeof(cases) / sizeof(cases[0]));
}

/* Each session-host event id, in each log it may be in, gives its group's finding. */
static void test_diag_events_sh_each_id(void **state)
{
	(void)state;
	static const struct id_case cases[] = {
		{ 1068, FAKE_RCM_ADMIN, RCMPROV, "event-sh-not-configured", "rdlsctl apply site.ini" },
		{ 1069, FAKE_RCM_ADMIN, RCMPROV, "event-sh-not-configured", "licensing mode" },
		{ 1130, "System", "TermService", "event-sh-not-configured", "rdlsctl apply site.ini" },
		{ 1130, FAKE_RCM_OPERATIONAL, RCMPROV, "event-sh-not-configured", "license servers" },
		{ 1004, FAKE_RCM_OPERATIONAL, RCMPROV, "event-sh-license", "ls-rpc" },
		{ 1011, FAKE_RCM_OPERATIONAL, RCMPROV, "event-sh-license", "ts-connectivity" },
		{ 1028, "System", "TermService", "event-sh-license", "rdlsctl diagnose" },
		{ 1028, "System", RCMPROV, "event-sh-license", "MSLicensing" },
	};
	check_each_id("RDSH1", "sh-events", cases, sizeof(cases) / sizeof(cases[0]));
}

/* Counts per id, the newest event's time and message, and the logs with none passed. */
static void test_diag_events_counts_and_newest(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("LICSVR1");
	fake_add_log_event(e->f, "System", LSPROV, 8, FAKE_EVENT_DAYS_AGO(3), "older");
	fake_add_log_event(e->f, "System", LSPROV, 8, FAKE_EVENT_DAYS_AGO(2), "old");
	fake_add_log_event(e->f, "System", "TermServLicensing", 15, FAKE_EVENT_DAYS_AGO(1) + 10000000ull * 61,
			   "the newest:\tLICSVR2\n\n could not be notified");
	fake_add_log_event(e->f, "System", LSPROV, 7, FAKE_EVENT_DAYS_AGO(6), "oldest");
	/* Not asked for: another provider, another id, another log. */
	fake_add_log_event(e->f, "System", "Other", 7, FAKE_EVENT_DAYS_AGO(1), "x");
	fake_add_log_event(e->f, "System", LSPROV, 9, FAKE_EVENT_DAYS_AGO(1), "x");
	fake_add_log_event(e->f, "Application", LSPROV, 20, FAKE_EVENT_DAYS_AGO(1), "x");
	run(e, "ls-events");
	const struct rdls_dresult *r = expect_finding(e, "event-ls-peer-auth");
	expect_contains(r->evidence, "event 7 1 time, event 8 2 times, event 15 1 time;");
	expect_contains(r->evidence, "newest: event 15 in 'System' at 2026-11-30 12:01:01 UTC: "
				     "\"the newest: LICSVR2 could not be notified\"");
	expect_contains(r->title, "(4 events in the last 7 days)");
	assert_int_equal(count_findings(e), 1);
	/* A log with events has no "passed" result; the findings speak for it. */
	expect_never_passed(e, "ls-events", "System");
	tu_diag_free(e);

	/* No event: each log the check reads is passed, with what was read. */
	e = env_new("RDSH1");
	run(e, "sh-events");
	assert_int_equal(count_findings(e), 0);
	r = expect_status(e, "sh-events", FAKE_RCM_ADMIN, RDLS_D_PASSED);
	expect_contains(r->evidence, "no event 1068, 1069, 1130, 1004, 1011, 1028 in the last 7 days");
	expect_status(e, "sh-events", FAKE_RCM_OPERATIONAL, RDLS_D_PASSED);
	r = expect_status(e, "sh-events", "System", RDLS_D_PASSED);
	expect_contains(r->evidence, "provider TermService or " RCMPROV);
	assert_false(rdls_diagnosis_needs_action(&e->d));
	tu_diag_free(e);
}

/* A long message is cut at a character boundary; a message that cannot be formatted says why. */
static void test_diag_events_message_text(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("LICSVR1");
	char big[2000];
	size_t o = 0;
	while (o + 2 < sizeof(big) - 1) {
		big[o++] = (char)0xC3; /* U+00E9, two bytes each */
		big[o++] = (char)0xA9;
	}
	big[o] = '\0';
	fake_add_log_event(e->f, "System", LSPROV, 20, FAKE_EVENT_DAYS_AGO(1), big);
	fake_add_log_event(e->f, "System", LSPROV, 17, FAKE_EVENT_DAYS_AGO(1), NULL);
	/* A client's name in an insertion string: no terminal control reaches the output. */
	fake_add_log_event(e->f, "System", LSPROV, 4105, FAKE_EVENT_DAYS_AGO(1),
			   "user \x1b[2J\x1b]0;x\x07" "evil\xc2\x9b" "31m name \xc3\xa9");
	run(e, "ls-events");
	const struct rdls_dresult *ad = expect_finding(e, "event-ls-ad-attributes");
	expect_contains(ad->evidence, "\"user [2J]0;xevil31m name \xc3\xa9\"");
	const struct rdls_dresult *r = expect_finding(e, "event-ls-no-licenses");
	const char *q = strstr(r->evidence, ": \"");
	assert_non_null(q);
	q += 3;
	const char *end = strstr(q, "...\"");
	assert_non_null(end);
	size_t len = (size_t)(end - q);
	assert_true(len <= 300 && len >= 290);
	assert_int_equal(len % 2, 0); /* whole characters only */
	r = expect_finding(e, "event-ls-activation");
	expect_contains(r->evidence, "no message text: EvtFormatMessage");
	expect_contains(r->evidence, "15027");
	tu_diag_free(e);
}

/* --days reaches the query and decides which events count. */
static void test_diag_events_days_window(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("LICSVR1");
	fake_add_log_event(e->f, "System", LSPROV, 21, FAKE_EVENT_DAYS_AGO(10), "ten days ago");
	run(e, "ls-events");
	assert_int_equal(fake_last_event_days(e->f), 7);
	expect_no_finding(e, "event-ls-no-licenses");
	expect_status(e, "ls-events", "System", RDLS_D_PASSED);

	e->o.event_days = 30;
	run(e, "ls-events");
	assert_int_equal(fake_last_event_days(e->f), 30);
	const struct rdls_dresult *r = expect_finding(e, "event-ls-no-licenses");
	expect_contains(r->title, "in the last 30 days");
	expect_contains(r->evidence, "last 30 days");

	e->o.event_days = 365;
	run(e, "ls-events");
	assert_int_equal(fake_last_event_days(e->f), 365);

	/* Outside 1..365 diagnose refuses before reading anything. */
	uint32_t bad[] = { 366, 100000 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rdls_diagnose_opts o;
		rdls_diagnose_opts_init(&o);
		o.event_days = bad[i];
		struct rdls_diagnosis d;
		rdls_err err;
		rdls_err_clear(&err);
		unsigned calls = fake_calls(e->f, "event_query");
		assert_int_equal(rdls_diagnose(&e->sys, &o, &d, &err), -1);
		expect_contains(err.text, "1 to 365 days");
		assert_int_equal(fake_calls(e->f, "event_query"), calls);
		rdls_diagnosis_release(&d);
	}
	struct rdls_diagnose_opts o;
	rdls_diagnose_opts_init(&o);
	assert_int_equal(o.event_days, 7);
	o.event_days = 0;
	struct rdls_diagnosis d;
	rdls_err err;
	assert_int_equal(rdls_diagnose(&e->sys, &o, &d, &err), -1);
	rdls_diagnosis_release(&d);
	tu_diag_free(e);
}

/* A channel that does not exist is not run with the reason; the other logs still count. */
static void test_diag_events_channel_missing(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("LICSVR1");
	fake_set_log_channel(e->f, "System", false);
	run(e, "ls-events");
	const struct rdls_dresult *r = expect_status(e, "ls-events", "System", RDLS_D_NOT_RUN);
	expect_contains(r->reason, "the event log channel 'System' does not exist on this host");
	expect_contains(r->reason, "EvtQuery");
	expect_contains(r->reason, "15007");
	expect_never_passed(e, "ls-events", NULL);
	tu_diag_free(e);

	e = env_new("RDSH1");
	fake_set_log_channel(e->f, FAKE_RCM_ADMIN, false);
	fake_add_log_event(e->f, FAKE_RCM_OPERATIONAL, RCMPROV, 1004, FAKE_EVENT_DAYS_AGO(2), "no license");
	run(e, "sh-events");
	expect_status(e, "sh-events", FAKE_RCM_ADMIN, RDLS_D_NOT_RUN);
	expect_never_passed(e, "sh-events", FAKE_RCM_ADMIN);
	expect_finding(e, "event-sh-license");
	expect_status(e, "sh-events", "System", RDLS_D_PASSED);
	tu_diag_free(e);
}

/* A failing query and a backend without event_query: not run, never passed. */
static void test_diag_events_failure_and_missing_op(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("RDSH1");
	fake_fail_nth(e->f, "event_query", 2, 5);
	fake_add_log_event(e->f, FAKE_RCM_OPERATIONAL, RCMPROV, 1011, FAKE_EVENT_DAYS_AGO(1), "x");
	run(e, "sh-events");
	const struct rdls_dresult *r =
		expect_status(e, "sh-events", FAKE_RCM_OPERATIONAL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "EvtQuery on channel '" FAKE_RCM_OPERATIONAL "' returned 5");
	expect_never_passed(e, "sh-events", FAKE_RCM_OPERATIONAL);
	expect_no_finding(e, "event-sh-license");
	expect_status(e, "sh-events", FAKE_RCM_ADMIN, RDLS_D_PASSED);
	tu_diag_free(e);

	e = env_new("LICSVR1");
	fake_drop_op(e->f, "event_query");
	run(e, "ls-events");
	r = expect_status(e, "ls-events", NULL, RDLS_D_NOT_RUN);
	expect_contains(r->reason, "event_query");
	expect_never_passed(e, "ls-events", NULL);
	tu_diag_free(e);
}

/* Each check runs on its role only; the whole diagnosis runs both where a host has both. */
static void test_diag_events_roles(void **state)
{
	(void)state;
	struct tu_diag *e = env_new("RDSH1");
	fake_add_log_event(e->f, "System", LSPROV, 20, FAKE_EVENT_DAYS_AGO(1), "x");
	run(e, NULL);
	assert_null(rdls_diagnosis_check(&e->d, "ls-events", NULL));
	expect_no_finding(e, "event-ls-no-licenses");
	assert_non_null(rdls_diagnosis_check(&e->d, "sh-events", NULL));
	tu_diag_free(e);

	e = env_new("LICSVR1");
	fake_add_log_event(e->f, "System", "TermService", 1130, FAKE_EVENT_DAYS_AGO(1), "x");
	run(e, NULL);
	assert_null(rdls_diagnosis_check(&e->d, "sh-events", NULL));
	expect_no_finding(e, "event-sh-not-configured");
	expect_status(e, "ls-events", "System", RDLS_D_PASSED);
	tu_diag_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_events_ls_each_id),
		cmocka_unit_test(test_diag_events_sh_each_id),
		cmocka_unit_test(test_diag_events_counts_and_newest),
		cmocka_unit_test(test_diag_events_message_text),
		cmocka_unit_test(test_diag_events_days_window),
		cmocka_unit_test(test_diag_events_channel_missing),
		cmocka_unit_test(test_diag_events_failure_and_missing_op),
		cmocka_unit_test(test_diag_events_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
