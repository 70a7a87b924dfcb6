/*
 * The plan, apply and rollback commands (cmd_plan.c, cmd_apply.c,
 * cmd_rollback.c) as main.c calls them, on the fake machine: exit codes of
 * docs/contract.md, `apply --dry-run` being exactly `plan`, the guards (elevation, the
 * lock, confirmation), --journal, --rotate, one JSON document with --json, and
 * that the secret never appears in any output or journal.
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
#include "rdls/journal.h"
#include "rdls/regpaths.h"
#include "testutil.h"

#define SECRET "Cmd-Test-Secret-7781"
#define WG2 "profiles/workgroup-two-servers.ini"
#define KEY_LIC RDLS_KEY_LICENSING

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_opts o;
	FILE *out, *err, *in;
	char *all; /* every byte any command printed, for the secret scan */
	size_t all_len;
};

static void ctx_init(struct ctx *c, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	fake_set_prompt_answer(c->f, SECRET);
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
	c->all = calloc(1, 1);
}

static void ctx_release(struct ctx *c)
{
	if (c->in)
		fclose(c->in);
	fclose(c->out);
	fclose(c->err);
	if (strstr(c->all, SECRET))
		fail_msg("the secret was printed:\n%s", c->all);
	free(c->all);
	fake_sys_free(c->f);
}

static char *take(struct ctx *c, FILE *f)
{
	char *s = tu_take(f);
	long n = (long)strlen(s);
	c->all = realloc(c->all, c->all_len + (size_t)n + 1);
	memcpy(c->all + c->all_len, s, (size_t)n + 1);
	c->all_len += (size_t)n;
	return s;
}

/* Runs one command with c->o (command, profile and flags set by the caller). */
static int run(struct ctx *c, rdls_cmd_fn fn, char **out, char **err)
{
	c->o.out = c->out;
	c->o.err = c->err;
	c->o.in = c->in;
	int rc = fn(&c->o, &c->sys);
	char *so = take(c, c->out), *se = take(c, c->err);
	if (out)
		*out = so;
	else
		free(so);
	if (err)
		*err = se;
	else
		free(se);
	return rc;
}

static void set_opts(struct ctx *c, const char *command, const char *profile)
{
	FILE *in = c->in;
	c->o = (struct rdls_opts){ .command = command, .profile = profile };
	c->in = in;
}

static void answer(struct ctx *c, const char *text)
{
	if (c->in)
		fclose(c->in);
	c->in = tu_strin(text);
	c->o.stdin_is_tty = true;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void assert_envelope(const struct jr *v, const char *command, int exit_code)
{
	char why[256];
	if (jr_envelope_problem(v, command, exit_code, why, sizeof(why)))
		fail_msg("the %s document's envelope: %s", command, why);
}

static struct jr *parse_json(const char *text)
{
	char e[128];
	struct jr *v = jr_parse(text, e, sizeof(e));
	if (!v)
		fail_msg("stdout is not exactly one JSON document (%s):\n%s", e, text);
	return v;
}

/* Scans every journal in the fake's directory for the secret. */
static void assert_journals_clean(struct ctx *c)
{
	char dir[4096], path[4300], line[8192];
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(c->sys.ops->journal_dir(c->sys.ctx, dir, sizeof(dir), &e), 0);
	snprintf(path, sizeof(path), "%s/index", dir);
	FILE *ix = fopen(path, "rb");
	if (!ix)
		return;
	while (fgets(line, sizeof(line), ix)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		FILE *j = fopen(line, "rb");
		if (!j)
			continue;
		char buf[65536];
		size_t n = fread(buf, 1, sizeof(buf) - 1, j);
		buf[n] = '\0';
		fclose(j);
		if (strstr(buf, SECRET) || strstr(buf, "pbkdf2"))
			fail_msg("journal %s holds the secret or its check:\n%s", line, buf);
	}
	fclose(ix);
}

/* ------------------------------------------------------------------ plan */

static void test_cmd_plan_exit_codes(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *out, *err;
	set_opts(&c, "plan", WG2);
	assert_int_equal(run(&c, cmd_plan, &out, &err), RDLS_EXIT_PENDING);
	assert_contains(out, "Plan: 7 to create, 0 to change, 0 to remove."); /* 2 registry keys */
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(fake_writes(c.f), 0);

	/* --host picks the section, case-insensitively */
	c.o.host = "licsvr2";
	assert_int_equal(run(&c, cmd_plan, &out, NULL), RDLS_EXIT_PENDING);
	assert_contains(out, "+ credential 'LICSVR1' (NETWORK SERVICE)");
	free(out);

	c.o.host = "NOBODY";
	assert_int_equal(run(&c, cmd_plan, &out, &err), RDLS_EXIT_ERROR);
	assert_string_equal(out, "");
	assert_contains(err, "error: 'NOBODY' is neither a license server nor a session host in '" WG2
			     "' (its hosts: LICSVR1, LICSVR2); run on one of them or choose one with --host NAME");
	free(out);
	free(err);

	/* the secret is missing: said plainly, exit 1 */
	c.o.host = NULL;
	fake_set_env(c.f, "RDLS_PEER_PASSWORD", NULL);
	assert_int_equal(run(&c, cmd_plan, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "RDLS_PEER_PASSWORD");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_cmd_plan_invalid_profile(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char path[TU_PATH_MAX];
	const char bad[] = "[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
			   "cal_version = 2019\n[peering]\nacount = x\n";
	assert_int_equal(tu_temp_file(path, sizeof(path), "rdls-test-cmd-", bad, sizeof(bad) - 1), 0);
	char *out, *err;
	set_opts(&c, "plan", path);
	assert_int_equal(run(&c, cmd_plan, &out, &err), RDLS_EXIT_ERROR);
	char want[TU_PATH_MAX + 16];
	snprintf(want, sizeof(want), "%s:6: ", path); /* file:line of the unknown key */
	assert_contains(err, want);
	assert_string_equal(out, "");
	free(out);
	free(err);
	c.o.json = true;
	assert_int_equal(run(&c, cmd_plan, &out, NULL), RDLS_EXIT_ERROR);
	struct jr *v = parse_json(out);
	assert_envelope(v, "plan", RDLS_EXIT_ERROR);
	/* The profile's error with its file and line, then the summary. */
	const struct jr *errs = jr_get(v, "errors");
	assert_true(errs->n >= 2);
	bool line6 = false;
	for (size_t i = 0; i + 1 < errs->n; i++) {
		assert_string_equal(jr_str(jr_at(errs, i), "file"), path);
		line6 |= jr_num(jr_at(errs, i), "line") == 6 &&
			 strstr(jr_str(jr_at(errs, i), "message"), "unknown key 'acount'");
	}
	assert_true(line6);
	assert_non_null(strstr(jr_str(jr_at(errs, errs->n - 1), "message"), "is not a valid profile"));
	assert_null(jr_get(v, "steps"));
	jr_free(v);
	free(out);
	unlink(path);
	ctx_release(&c);
}

static void test_cmd_plan_role_absent(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_ls_pub(c.f, RDLS_LS_ROLE_ABSENT);
	char *out, *err;
	set_opts(&c, "plan", "profiles/domain-publish.ini");
	assert_int_equal(run(&c, cmd_plan, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "error: the RD Licensing role is not installed on LICSVR1 "
			     "(Win32_TSLicenseServer is missing)\n");
	free(out);
	free(err);
	set_opts(&c, "apply", "profiles/domain-publish.ini");
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "the RD Licensing role is not installed on LICSVR1");
	free(out);
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	assert_false(fake_lock_held(c.f));
	ctx_release(&c);
}

static void test_cmd_dry_run_is_plan(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_reg_sz(c.f, KEY_LIC, " SpecifiedLicenseServers", 1, "x");
	for (int json = 0; json < 2; json++) {
		char *po, *pe, *ao, *ae;
		set_opts(&c, "plan", WG2);
		c.o.json = json;
		int prc = run(&c, cmd_plan, &po, &pe);
		set_opts(&c, "plan", WG2); /* main.c names apply --dry-run "plan" */
		c.o.json = json;
		c.o.dry_run = true;
		int arc = run(&c, cmd_apply, &ao, &ae);
		assert_int_equal(prc, RDLS_EXIT_PENDING);
		assert_int_equal(arc, prc);
		assert_string_equal(ao, po);
		assert_string_equal(ae, pe);
		free(po);
		free(pe);
		free(ao);
		free(ae);
	}
	assert_int_equal(fake_writes(c.f), 0);
	assert_int_equal(fake_calls(c.f, "lock_acquire"), 0);
	ctx_release(&c);
}

/* ----------------------------------------------------------------- apply */

static void test_cmd_apply_guards(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *out, *err;
	set_opts(&c, "apply", WG2);
	c.o.yes = true;

	fake_set_elevated(c.f, false);
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "elevated");
	assert_contains(err, "Run as administrator");
	free(out);
	free(err);
	fake_set_elevated(c.f, true);

	fake_set_lock_busy(c.f, true);
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "another rdlsctl apply or rollback is running");
	free(out);
	free(err);
	fake_set_lock_busy(c.f, false);

	/* no terminal, no --yes: refuse with 3 */
	c.o.yes = false;
	c.o.stdin_is_tty = false;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_USAGE);
	assert_contains(err, "--yes");
	assert_contains(out, "Plan: 7 to create"); /* it showed what it would have done */
	free(out);
	free(err);

	/* a terminal, answer no */
	answer(&c, "n\n");
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "Apply 7 changes to LICSVR1? [y/N] ");
	free(out);
	free(err);
	answer(&c, "");
	assert_int_equal(run(&c, cmd_apply, NULL, NULL), RDLS_EXIT_ERROR);

	assert_int_equal(fake_writes(c.f), 0);
	assert_false(fake_lock_held(c.f));
	rdls_err e;
	rdls_err_clear(&e);
	char path[4300];
	assert_int_equal(rdls_journal_newest(&c.sys, path, sizeof(path), &e), -1); /* none written */

	/* a terminal, answer yes */
	answer(&c, " Yes \n");
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_OK);
	assert_contains(out, "Applied 7 changes to LICSVR1.");
	free(out);
	free(err);
	assert_false(fake_lock_held(c.f));
	assert_true(fake_has_user(c.f, "rdls-peer"));
	assert_string_equal(fake_user_password(c.f, "rdls-peer"), SECRET);
	assert_string_equal(fake_cred_password(c.f, "LICSVR2"), SECRET);

	/* converged: apply says so, writes nothing, starts no journal */
	unsigned w = fake_writes(c.f);
	c.o.stdin_is_tty = false;
	assert_int_equal(run(&c, cmd_apply, &out, NULL), RDLS_EXIT_OK);
	assert_contains(out, "No changes: LICSVR1 is converged.");
	free(out);
	assert_int_equal(fake_writes(c.f), w);
	ctx_release(&c);
}

static void test_cmd_apply_failure_exit_1_and_message(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *before = fake_snapshot(c.f);
	char *out, *err;
	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	fake_fail_nth(c.f, "group_add", 1, 2223);
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "error: cannot create local group 'RDLS Peers': NetLocalGroupAdd on group "
			     "'RDLS Peers' returned 2223 (");
	assert_contains(out, "Apply failed at step 2 of 7; 1 completed step was undone: LICSVR1 is as before.");
	free(out);
	free(err);
	char *now = fake_snapshot(c.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	assert_false(fake_lock_held(c.f));
	ctx_release(&c);
}

static void test_cmd_apply_journal_option(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char dir[TU_PATH_MAX];
	assert_int_equal(tu_mkdtemp(dir, sizeof(dir), "rdls-test-journal-"), 0);
	char path[TU_PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/j.ini", dir);
	char *out;
	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	c.o.journal = path;
	assert_int_equal(run(&c, cmd_apply, &out, NULL), RDLS_EXIT_OK);
	assert_contains(out, path);
	free(out);
	assert_int_equal(access(path, R_OK), 0);
	/* the same file again is refused before anything changes */
	fake_add_user(c.f, "x", "y");
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", 1, "other");
	unsigned w = fake_writes(c.f);
	char *err;
	assert_int_equal(run(&c, cmd_apply, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "already exists");
	free(err);
	assert_int_equal(fake_writes(c.f), w);
	/* rollback without JOURNAL finds it: it is the newest */
	set_opts(&c, "rollback", NULL);
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_rollback, &out, NULL), RDLS_EXIT_INCOMPLETE); /* one drift */
	assert_contains(out, path);
	free(out);
	assert_false(fake_has_user(c.f, "rdls-peer"));
	unlink(path);
	rmdir(dir);
	ctx_release(&c);
}

static void test_cmd_apply_rotate(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\rdls-peer", "");
	char *out, *err;
	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_OK);
	assert_contains(err, "warning: credential 'LICSVR2'");
	assert_contains(err, "apply --rotate replaces it");
	assert_contains(out, "Applied 6 changes");
	free(out);
	free(err);
	assert_null(fake_cred_password(c.f, "LICSVR2")); /* left alone */

	c.o.rotate = true;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_OK);
	assert_contains(out, "~ credential 'LICSVR2'");
	/* and the existing user's password (the same secret here: rotation is explicit) */
	assert_contains(out, "~ password of user 'rdls-peer'");
	assert_contains(out, "Applied 2 changes to LICSVR1.");
	assert_int_equal(fake_calls(c.f, "user_set_password"), 1);
	assert_contains(err, "rollback cannot restore it");
	free(out);
	free(err);
	assert_string_equal(fake_cred_password(c.f, "LICSVR2"), SECRET);
	assert_true(fake_get_cred(c.f, "LICSVR2")->check[0] != '\0');

	/* converged now, even without --rotate */
	c.o.rotate = false;
	set_opts(&c, "plan", WG2);
	assert_int_equal(run(&c, cmd_plan, NULL, NULL), RDLS_EXIT_OK);
	ctx_release(&c);
}

static void test_cmd_apply_json_one_document(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *out, *err;
	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	c.o.json = true;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_OK);
	struct jr *v = parse_json(out);
	assert_envelope(v, "apply", RDLS_EXIT_OK);
	assert_string_equal(jr_str(v, "outcome"), "applied");
	assert_int_equal((int)jr_num(v, "changes"), 7);
	const char *journal = jr_str(v, "journal");
	assert_non_null(journal);
	assert_int_equal(access(journal, R_OK), 0);
	const struct jr *steps = jr_get(v, "steps");
	assert_int_equal(steps->n, 7);
	for (size_t i = 0; i < steps->n; i++)
		assert_string_equal(jr_str(jr_at(steps, i), "result"), "done");
	jr_free(v);
	free(out);
	free(err);

	/* converged apply: still one document */
	assert_int_equal(run(&c, cmd_apply, &out, NULL), RDLS_EXIT_OK);
	v = parse_json(out);
	assert_envelope(v, "apply", RDLS_EXIT_OK);
	assert_int_equal((int)jr_num(v, "changes"), 0);
	assert_int_equal(jr_get(v, "steps")->n, 0);
	assert_int_equal(jr_get(v, "journal")->type, JR_NULL);
	jr_free(v);
	free(out);

	/* refused without --yes: one document, exit 3 */
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", 1, "other");
	c.o.yes = false;
	assert_int_equal(run(&c, cmd_apply, &out, &err), RDLS_EXIT_USAGE);
	v = parse_json(out);
	assert_envelope(v, "apply", RDLS_EXIT_USAGE);
	assert_int_equal(jr_get(v, "errors")->n, 1);
	jr_free(v);
	assert_contains(err, "Plan: 0 to create, 1 to change");
	free(out);
	free(err);

	/* rollback --json */
	set_opts(&c, "rollback", NULL);
	c.o.yes = true;
	c.o.json = true;
	assert_int_equal(run(&c, cmd_rollback, &out, NULL), RDLS_EXIT_INCOMPLETE);
	v = parse_json(out);
	assert_envelope(v, "rollback", RDLS_EXIT_INCOMPLETE);
	assert_int_equal((int)jr_num(v, "changes"), 4);
	jr_free(v);
	free(out);
	ctx_release(&c);
}

/* -------------------------------------------------------------- rollback */

static void test_cmd_rollback_rules(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char *before = fake_snapshot(c.f);
	char *out, *err;
	set_opts(&c, "rollback", NULL);
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_rollback, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "nothing to roll back");
	free(err);

	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_apply, NULL, NULL), RDLS_EXIT_OK);

	set_opts(&c, "rollback", NULL);
	fake_set_elevated(c.f, false);
	c.o.yes = true;
	assert_int_equal(run(&c, cmd_rollback, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "elevated");
	free(err);
	fake_set_elevated(c.f, true);
	fake_set_lock_busy(c.f, true);
	assert_int_equal(run(&c, cmd_rollback, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "another rdlsctl apply or rollback is running");
	free(err);
	fake_set_lock_busy(c.f, false);
	/* another computer's journal */
	c.o.host = "LICSVR2";
	assert_int_equal(run(&c, cmd_rollback, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "records an apply on LICSVR1, but this is LICSVR2");
	free(err);
	c.o.host = NULL;
	c.o.yes = false;
	assert_int_equal(run(&c, cmd_rollback, &out, &err), RDLS_EXIT_USAGE);
	assert_contains(out, "Rollback: 7 to restore.");
	free(out);
	free(err);
	answer(&c, "y\n");
	assert_int_equal(run(&c, cmd_rollback, &out, &err), RDLS_EXIT_OK);
	assert_contains(err, "Roll back 7 changes on LICSVR1? [y/N] ");
	assert_contains(out, "Rolled back 7 changes on LICSVR1");
	free(out);
	free(err);
	char *now = fake_snapshot(c.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	/* a second time: nothing to ask, nothing to do, exit 0 */
	c.o.stdin_is_tty = false;
	unsigned w = fake_writes(c.f);
	assert_int_equal(run(&c, cmd_rollback, &out, NULL), RDLS_EXIT_OK);
	assert_contains(out, "Nothing to roll back");
	free(out);
	assert_int_equal(fake_writes(c.f), w);
	assert_false(fake_lock_held(c.f));
	ctx_release(&c);
}

/* apply --host X on a computer named otherwise (as the Wine tests do): rollback there
 * works without --host, and elsewhere it is refused. */
static void test_cmd_rollback_after_apply_with_host(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "WINEHOST");
	char *before = fake_snapshot(c.f);
	set_opts(&c, "apply", WG2);
	c.o.yes = true;
	c.o.host = "LICSVR1";
	assert_int_equal(run(&c, cmd_apply, NULL, NULL), RDLS_EXIT_OK);
	assert_true(fake_is_member(c.f, "RDLS Peers", "LICSVR1\\rdls-peer"));
	set_opts(&c, "rollback", NULL);
	c.o.yes = true;
	c.o.host = "OTHER";
	char *err;
	assert_int_equal(run(&c, cmd_rollback, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "records an apply on LICSVR1 (computer WINEHOST), but this is OTHER");
	free(err);
	c.o.host = NULL;
	assert_int_equal(run(&c, cmd_rollback, NULL, NULL), RDLS_EXIT_OK);
	char *now = fake_snapshot(c.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	ctx_release(&c);
}

/* --------------------------------------------------------------- secrets */

static void test_cmd_secret_never_printed(void **state)
{
	(void)state;
	/* env: on a license server, prompt: on a session host with credentials */
	static const struct {
		const char *profile, *host;
	} runs[] = {
		{ WG2, "LICSVR1" },
		{ "profiles/session-hosts.ini", "RDSH3" },
		{ "profiles/session-hosts.ini", "LICSVR1" },
	};
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct ctx c;
		ctx_init(&c, runs[r].host);
		fake_set_cred(c.f, runs[r].host[0] == 'R' ? "LICSVR1" : "LICSVR2", "x\\y", "");
		for (int json = 0; json < 2; json++) {
			for (int verbose = json; verbose == json; verbose++) { /* text+verbose, JSON */
				set_opts(&c, "plan", runs[r].profile);
				c.o.json = json;
				c.o.verbose = verbose;
				run(&c, cmd_plan, NULL, NULL);
				set_opts(&c, "apply", runs[r].profile);
				c.o.json = json;
				c.o.verbose = verbose;
				c.o.yes = true;
				c.o.rotate = true;
				fake_fail_nth(c.f, "write", 2, 5); /* errors and undo messages too */
				run(&c, cmd_apply, NULL, NULL);
				run(&c, cmd_apply, NULL, NULL); /* succeeds */
				set_opts(&c, "rollback", NULL);
				c.o.json = json;
				c.o.verbose = verbose;
				c.o.yes = true;
				run(&c, cmd_rollback, NULL, NULL);
			}
		}
		assert_true(c.all_len > 1000);
		assert_journals_clean(&c);
		ctx_release(&c); /* scans c.all for the secret */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_plan_exit_codes),
		cmocka_unit_test(test_cmd_plan_invalid_profile),
		cmocka_unit_test(test_cmd_plan_role_absent),
		cmocka_unit_test(test_cmd_dry_run_is_plan),
		cmocka_unit_test(test_cmd_apply_guards),
		cmocka_unit_test(test_cmd_apply_failure_exit_1_and_message),
		cmocka_unit_test(test_cmd_apply_journal_option),
		cmocka_unit_test(test_cmd_apply_rotate),
		cmocka_unit_test(test_cmd_apply_json_one_document),
		cmocka_unit_test(test_cmd_rollback_rules),
		cmocka_unit_test(test_cmd_rollback_after_apply_with_host),
		cmocka_unit_test(test_cmd_secret_never_printed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
