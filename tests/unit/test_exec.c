/*
 * The executor (exec.c) and rollback on the fake machine: a failure injected at
 * every step k of a full apply leaves the machine exactly as before (snapshot
 * comparison) with exit 1; a failing undo gives exit 4; a change that fails after
 * partly happening is undone; a crash at each of the three points of every step
 * is repaired by `rollback`; rollback twice, after drift, after an interrupted
 * rollback, and of a credential that cannot be restored.
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
#include "rdls/cli.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "resource.h"
#include "testutil.h"

#define SECRET "exec-test-secret-Q4"
#define KEY_LIC RDLS_KEY_LICENSING
#define KEY_TS RDLS_KEY_TS_POLICY

/* ------------------------------------------------------------------ helpers */

static struct rdls_model *load(const char *path_or_text, bool inline_text)
{
	FILE *f = inline_text ? tu_strin(path_or_text) : fopen(path_or_text, "rb");
	if (!f)
		fail_msg("cannot open %s: run the tests from the repository root", path_or_text);
	struct rdls_diags d;
	rdls_diags_init(&d, "p.ini");
	struct rdls_model *m = rdls_model_load(f, inline_text ? "inline.ini" : path_or_text, &d);
	fclose(f);
	if (!m) {
		rdls_diags_print(&d, stderr);
		rdls_diags_release(&d);
		fail_msg("profile does not load");
	}
	rdls_diags_release(&d);
	return m;
}

/* A scenario: a profile, a host, and what the machine holds before apply. */
struct scenario {
	const char *name;
	const char *profile; /* a path, or inline text when inline_text */
	bool inline_text;
	const char *host;
	void (*seed)(struct fake_sys *f);
};

static void seed_wg(struct fake_sys *f)
{
	/* an old value to change, a misnamed one to remove, an unrelated one to keep */
	fake_set_reg_sz(f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "LICSVR1\\Old");
	fake_set_reg_sz(f, KEY_LIC, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	fake_set_reg_dword(f, KEY_LIC, "SomethingElse", 7);
	fake_add_user(f, "Administrator", "adminpw");
}

static void seed_none(struct fake_sys *f)
{
	(void)f;
}

static void seed_sh(struct fake_sys *f)
{
	fake_set_reg_sz(f, KEY_TS, "LicensingMode", RDLS_REG_SZ, "2"); /* wrong type */
}

/* The policy key exists but is empty, and the local GPO already holds both policies:
 * the plan holds the two values only. */
static void seed_ts_key(struct fake_sys *f)
{
	fake_add_reg_key(f, KEY_TS);
	fake_seed_local_gpo(f, "LICSVR1,LICSVR2", 2);
}

static const char domain_both[] =
	"[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n"
	"[discovery]\nmethod = both\n"
	"[license_server A]\nos = 2019\ndns = a.example\n"
	"[license_server B]\nos = 2019\ndns = b.example\n"
	"[session_host A]\nos = 2019\n";

static const struct scenario scenarios[] = {
	{ "workgroup license server", "profiles/workgroup-two-servers.ini", false, "LICSVR1", seed_wg },
	{ "license server and session host", "profiles/session-hosts.ini", false, "LICSVR1", seed_sh },
	{ "session host with credentials", "profiles/session-hosts.ini", false, "RDSH3", seed_none },
	{ "domain, publish and specified", domain_both, true, "A", seed_none },
	/* no policy key yet: apply creates two keys, which rollback must delete again */
	{ "fresh session host", "profiles/session-hosts.ini", false, "RDSH1", seed_none },
};
#define FRESH_SH (&scenarios[4])

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	rdls_secret *secret;
	struct rdls_model *m;
	struct rdls_plan *p;
	struct rdls_jwriter *jw;
	struct rdls_exec *x;
	char *before;
	char journal[4300];
};

static void ctx_init(struct ctx *c, const struct scenario *s)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(s->host);
	c->sys = fake_sys_iface(c->f);
	c->secret = rdls_secret_new(SECRET, strlen(SECRET));
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	fake_set_prompt_answer(c->f, SECRET);
	s->seed(c->f);
	c->m = load(s->profile, s->inline_text);
	c->before = fake_snapshot(c->f);
}

static void ctx_release(struct ctx *c)
{
	rdls_exec_free(c->x);
	rdls_journal_close(c->jw);
	rdls_plan_free(c->p);
	rdls_model_free(c->m);
	rdls_secret_free(c->secret);
	free(c->before);
	fake_sys_free(c->f);
}

static void plan(struct ctx *c, const char *host)
{
	rdls_err e;
	rdls_err_clear(&e);
	rdls_plan_free(c->p);
	c->p = NULL;
	const struct rdls_plan_opts po = { .secret = c->secret };
	if (rdls_plan_build(c->m, host, &c->sys, &po, &c->p, &e) != 0)
		fail_msg("plan of %s: %s", host, e.text);
}

static void start_journal(struct ctx *c)
{
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_jheader h = { .profile = "p.ini", .started = 86400 };
	rdls_jheader_for_plan(&h, c->p);
	if (rdls_journal_create(&c->sys, NULL, &h, &c->jw, &e) != 0)
		fail_msg("journal: %s", e.text);
	snprintf(c->journal, sizeof(c->journal), "%s", rdls_journal_path(c->jw));
}

static void assert_machine_as_before(struct ctx *c, const char *what)
{
	char *now = fake_snapshot(c->f);
	if (strcmp(now, c->before) != 0) {
		print_error("%s: the machine differs from its state before apply\n--- before\n%s--- now\n%s",
			    what, c->before, now);
		free(now);
		fail();
	}
	free(now);
}

static struct rdls_journal *read_journal(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open journal %s", path);
	struct rdls_journal *j = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_read(f, path, &j, &e), 0);
	fclose(f);
	return j;
}

static char *slurp(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read back the output");
	return s;
}

/* `rdlsctl rollback [journal] --yes`; returns the exit code and the output. */
static int rollback(struct ctx *c, const char *journal, char **out, char **err)
{
	FILE *fo = tu_tmpfile(), *fe = tu_tmpfile();
	struct rdls_opts o = { .command = "rollback", .journal = journal, .yes = true,
			       .out = fo, .err = fe };
	int rc = cmd_rollback(&o, &c->sys);
	char *so = slurp(fo), *se = slurp(fe);
	fclose(fo);
	fclose(fe);
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

static size_t n_changes_of(const struct scenario *s)
{
	struct ctx c;
	ctx_init(&c, s);
	plan(&c, s->host);
	size_t n = rdls_plan_changes(c.p);
	ctx_release(&c);
	return n;
}

/* ------------------------------------------------- failure at every step */

static void test_exec_failure_at_every_step_restores(void **state)
{
	(void)state;
	for (size_t si = 0; si < sizeof(scenarios) / sizeof(scenarios[0]); si++) {
		const struct scenario *s = &scenarios[si];
		size_t n = n_changes_of(s);
		if (n < 2)
			fail_msg("%s: only %zu steps", s->name, n);
		for (size_t k = 1; k <= n; k++) {
			struct ctx c;
			ctx_init(&c, s);
			plan(&c, s->host);
			start_journal(&c);
			fake_fail_nth(c.f, "write", (unsigned)k, 5);
			int rc = rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x);
			if (rc != RDLS_OUTCOME_UNDONE)
				fail_msg("%s, failure at step %zu of %zu: exit %d, expected 1 (%s)", s->name,
					 k, n, rc, c.x && c.x->error ? c.x->error : "");
			char what[128];
			snprintf(what, sizeof(what), "%s, failure at step %zu of %zu", s->name, k, n);
			assert_machine_as_before(&c, what);
			assert_int_equal(c.x->failed_index, k);
			assert_int_equal(c.x->n_items, n);
			for (size_t i = 0; i < n; i++) {
				enum rdls_result want = i + 1 < k ? RDLS_RES_UNDONE
						      : i + 1 == k ? RDLS_RES_FAILED
								   : RDLS_RES_NOT_RUN;
				if (c.x->items[i].result != want)
					fail_msg("%s: step %zu is %s, expected %s", what, i + 1,
						 rdls_result_name(c.x->items[i].result), rdls_result_name(want));
			}
			if (!c.x->error || strncmp(c.x->error, "cannot ", 7) != 0 ||
			    !strstr(c.x->error, " returned 5 ("))
				fail_msg("%s: error text '%s'", what, c.x->error ? c.x->error : "(none)");
			assert_int_equal(c.x->n_undone, k - 1);

			/* the journal tells the same story, and a later rollback has nothing to do */
			rdls_journal_close(c.jw);
			c.jw = NULL;
			struct rdls_journal *j = read_journal(c.journal);
			assert_true(j->header_ok);
			assert_int_equal(j->n_recs, k);
			assert_int_equal(j->n_damaged, 0);
			for (size_t i = 0; i < k; i++) {
				if (!j->recs[i].undone || j->recs[i].done != (i + 1 < k) ||
				    j->recs[i].failed != (i + 1 == k))
					fail_msg("%s: journal record %zu: done %d failed %d undone %d", what,
						 i + 1, j->recs[i].done, j->recs[i].failed, j->recs[i].undone);
			}
			rdls_journal_free(j);
			unsigned w = fake_writes(c.f);
			assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_OK);
			assert_int_equal(fake_writes(c.f), w);
			ctx_release(&c);
		}
	}
}

static void test_exec_error_names_call_and_object(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	plan(&c, "LICSVR1");
	start_journal(&c);
	fake_fail_nth(c.f, "group_add", 1, 2223);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x), RDLS_OUTCOME_UNDONE);
	const char *want = "cannot create local group 'RDLS Peers': NetLocalGroupAdd on group 'RDLS Peers' "
			   "returned 2223 (";
	if (!c.x->error || strncmp(c.x->error, want, strlen(want)) != 0)
		fail_msg("error text '%s'", c.x->error ? c.x->error : "(none)");
	assert_machine_as_before(&c, "group_add failing");
	ctx_release(&c);
}

/* ----------------------------------------------------------- undo failing */

static bool deny_after_first(void *ctx, size_t k, enum rdls_crash_point p)
{
	if (k == 1 && p == RDLS_CRASH_DONE)
		fake_deny_key(ctx, KEY_TS);
	return false;
}

static void test_exec_undo_failure_exit_4(void **state)
{
	(void)state;
	static const struct scenario sh = { "session host", "profiles/session-hosts.ini", false, "RDSH1",
					    seed_ts_key };
	struct ctx c;
	ctx_init(&c, &sh);
	plan(&c, "RDSH1");
	assert_int_equal(rdls_plan_changes(c.p), 2);
	start_journal(&c);
	/* A hardening baseline makes the key read-only between the two steps: the second
	 * step fails, and so does undoing the first. */
	const struct rdls_exec_hooks h = { .crash = deny_after_first, .ctx = c.f };
	int rc = rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, &h, &c.x);
	assert_int_equal(rc, RDLS_OUTCOME_INCOMPLETE);
	assert_int_equal(c.x->items[0].result, RDLS_RES_UNDO_FAILED);
	assert_int_equal(c.x->items[1].result, RDLS_RES_FAILED);
	assert_int_equal(c.x->n_problems, 1);
	const char *e = c.x->items[0].error;
	if (!e || !strstr(e, "cannot delete registry value HKLM\\" KEY_TS "\\LicenseServers: ") ||
	    !strstr(e, "returned 5"))
		fail_msg("undo error text '%s'", e ? e : "(none)");
	rdls_journal_close(c.jw);
	c.jw = NULL;
	struct rdls_journal *j = read_journal(c.journal);
	assert_int_equal(j->n_recs, 2);
	assert_true(j->recs[0].done);
	assert_false(j->recs[0].undone); /* what is left, for a later rollback */
	assert_true(j->recs[1].failed);
	rdls_journal_free(j);
	/* rollback cannot do better while the key stays read-only: exit 4 again */
	char *out = NULL;
	assert_int_equal(rollback(&c, c.journal, &out, NULL), RDLS_EXIT_INCOMPLETE);
	free(out);
	ctx_release(&c);
}

/* ---------------------------------------------- a change failing half-way */

static int (*real_reg_set)(void *, const char *, const char *, const rdls_regval *, rdls_err *);

/* Writes the value, then reports failure: a change that partly happened. */
static int reg_set_then_fail(void *ctx, const char *key, const char *name, const rdls_regval *v,
			     rdls_err *err)
{
	real_reg_set(ctx, key, name, v, err);
	return rdls_err_set(err, "RegSetValueExW", name, 1460, "this operation returned because the "
							       "timeout period expired");
}

static void test_exec_partly_done_failed_step_is_undone(void **state)
{
	(void)state;
	static const struct scenario sh = { "session host", "profiles/session-hosts.ini", false, "RDSH1",
					    seed_ts_key };
	struct ctx c;
	ctx_init(&c, &sh);
	plan(&c, "RDSH1");
	start_journal(&c);
	struct rdls_sys_ops ops = *c.sys.ops;
	real_reg_set = ops.reg_set;
	ops.reg_set = reg_set_then_fail;
	struct rdls_sys wrapped = { .ops = &ops, .ctx = c.sys.ctx };
	int rc = rdls_exec_apply(c.p, &wrapped, c.secret, c.jw, NULL, &c.x);
	assert_int_equal(rc, RDLS_OUTCOME_UNDONE);
	assert_int_equal(c.x->items[0].result, RDLS_RES_FAILED);
	assert_true(c.x->items[0].undo_attempted);
	assert_int_equal(c.x->items[1].result, RDLS_RES_NOT_RUN);
	assert_machine_as_before(&c, "a change that failed after writing");
	rdls_journal_close(c.jw);
	c.jw = NULL;
	struct rdls_journal *j = read_journal(c.journal);
	assert_int_equal(j->n_recs, 1);
	assert_true(j->recs[0].failed && j->recs[0].undone);
	rdls_journal_free(j);
	ctx_release(&c);
}

/* ------------------------------------------------------------- converged */

static void test_exec_converged_apply_writes_nothing(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	plan(&c, "LICSVR1");
	start_journal(&c);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x), RDLS_OUTCOME_COMPLETE);
	assert_int_equal(c.x->n_done, rdls_plan_changes(c.p));
	rdls_exec_free(c.x);
	c.x = NULL;
	unsigned w = fake_writes(c.f);
	plan(&c, "LICSVR1");
	assert_int_equal(rdls_plan_changes(c.p), 0);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x), RDLS_OUTCOME_COMPLETE);
	assert_int_equal(c.x->n_items, 0);
	assert_int_equal(fake_writes(c.f), w);
	ctx_release(&c);
}

/* A resource that changed between the plan shown and its step is left alone, and the
 * steps done before it are undone: apply never overwrites what it did not plan for. */
static void test_exec_changed_since_plan_is_not_overwritten(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	plan(&c, "LICSVR1");
	size_t n = rdls_plan_changes(c.p);
	assert_true(n >= 2);
	/* While the administrator reads the plan, someone stores a credential for LICSVR2. */
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\someone", "");
	free(c.before);
	c.before = fake_snapshot(c.f);
	start_journal(&c);
	int rc = rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x);
	if (rc != RDLS_OUTCOME_UNDONE)
		fail_msg("apply: exit %d, expected 1", rc);
	if (!c.x->error || !strstr(c.x->error, "changed since the plan was made") ||
	    !strstr(c.x->error, "LICSVR2"))
		fail_msg("error: '%s'", c.x->error ? c.x->error : "(none)");
	assert_true(c.x->failed_index >= 1 && c.x->failed_index <= n);
	assert_string_equal(c.x->items[c.x->failed_index - 1].step->name, "LICSVR2");
	assert_machine_as_before(&c, "after an apply stopped by a change since the plan");
	const rdls_cred *cr = fake_get_cred(c.f, "LICSVR2");
	assert_non_null(cr);
	assert_string_equal(cr->user, "LICSVR2\\someone");
	ctx_release(&c);
}

static void apply_fully(struct ctx *c, const char *host);

/* One salt per run: every credential of an apply carries the same check string, so the
 * next plan pays one PBKDF2 run for all peers (struct rdls_cred_run). */
static void test_exec_credentials_share_one_check_per_run(void **state)
{
	(void)state;
	static const struct scenario three = { "three workgroup license servers",
					       "profiles/workgroup-three-servers.ini", false,
					       "LICSVR1", seed_wg };
	struct ctx c;
	ctx_init(&c, &three);
	apply_fully(&c, "LICSVR1");
	const rdls_cred *a = fake_get_cred(c.f, "LICSVR2");
	const rdls_cred *b = fake_get_cred(c.f, "LICSVR3");
	assert_non_null(a);
	assert_non_null(b);
	if (!a->check[0] || strcmp(a->check, b->check) != 0)
		fail_msg("check strings differ or are empty: '%s' vs '%s'", a->check, b->check);
	rdls_exec_free(c.x);
	c.x = NULL;
	plan(&c, "LICSVR1");
	assert_int_equal(rdls_plan_changes(c.p), 0);
	ctx_release(&c);
}

/* ------------------------------------------------------------ crash points */

struct crash_at {
	size_t k;
	enum rdls_crash_point p;
};

static bool crash_at(void *ctx, size_t k, enum rdls_crash_point p)
{
	const struct crash_at *at = ctx;
	return k == at->k && p == at->p;
}

static void crash_matrix(const struct scenario *s)
{
	static const char *const names[] = { "", "journaled", "changed", "done" };
	size_t n = n_changes_of(s);
	for (size_t k = 1; k <= n; k++) {
		for (int p = RDLS_CRASH_JOURNALED; p <= RDLS_CRASH_DONE; p++) {
			struct ctx c;
			ctx_init(&c, s);
			plan(&c, s->host);
			start_journal(&c);
			struct crash_at at = { k, (enum rdls_crash_point)p };
			const struct rdls_exec_hooks h = { .crash = crash_at, .ctx = &at };
			assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, &h, &c.x),
					 RDLS_EXEC_CRASHED);
			/* the process is gone: nothing more reaches the journal */
			rdls_journal_close(c.jw);
			c.jw = NULL;
			char *out = NULL, *err = NULL;
			int rc = rollback(&c, NULL, &out, &err);
			if (rc != RDLS_EXIT_OK)
				fail_msg("crash at step %zu (%s): rollback exit %d\n%s%s", k, names[p], rc,
					 out, err);
			free(out);
			free(err);
			char what[160];
			snprintf(what, sizeof(what), "%s: crash at step %zu (%s), then rollback", s->name, k,
				 names[p]);
			assert_machine_as_before(&c, what);
			/* and a second rollback is harmless */
			unsigned w = fake_writes(c.f);
			assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_OK);
			assert_int_equal(fake_writes(c.f), w);
			ctx_release(&c);
		}
	}
}

static void test_exec_crash_at_every_point_then_rollback(void **state)
{
	(void)state;
	crash_matrix(&scenarios[0]);
}

/* The same where apply creates registry keys: rollback deletes each one it finds. */
static void test_exec_crash_with_keys_then_rollback(void **state)
{
	(void)state;
	crash_matrix(FRESH_SH);
}

/* RDLS_CRASH_AT through the interface's env_get; the crash through its process_kill,
 * which the fake records instead of dying: the executor then stops as a dead process. */
static void test_exec_crash_from_env(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	struct rdls_exec_hooks h = { 0 };
	assert_false(rdls_exec_crash_from_env(&c.sys, &h));
	fake_set_env(c.f, "RDLS_CRASH_AT", "3:sideways");
	assert_false(rdls_exec_crash_from_env(&c.sys, &h));
	fake_set_env(c.f, "RDLS_CRASH_AT", "0:done");
	assert_false(rdls_exec_crash_from_env(&c.sys, &h));
	fake_set_env(c.f, "RDLS_CRASH_AT", "2:changed");
	fake_fail_nth(c.f, "env_get", 1, 5);
	assert_false(rdls_exec_crash_from_env(&c.sys, &h));
	assert_true(rdls_exec_crash_from_env(&c.sys, &h));
	assert_non_null(h.crash);
	/* elsewhere than 2:changed it lets the process live */
	assert_false(h.crash(h.ctx, 1, RDLS_CRASH_CHANGED));
	assert_false(h.crash(h.ctx, 2, RDLS_CRASH_DONE));
	assert_false(fake_killed(c.f, NULL));
	plan(&c, scenarios[0].host);
	start_journal(&c);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, &h, &c.x), RDLS_EXEC_CRASHED);
	uint32_t code = 0;
	assert_true(fake_killed(c.f, &code));
	assert_int_equal(code, 137);
	assert_int_equal(c.x->n_done, 1); /* step 2 changed, not marked done */
	ctx_release(&c);
	/* without the operations, no crash point */
	ctx_init(&c, &scenarios[0]);
	fake_set_env(c.f, "RDLS_CRASH_AT", "1:done");
	fake_drop_op(c.f, "process_kill");
	assert_false(rdls_exec_crash_from_env(&c.sys, &h));
	ctx_release(&c);
}

/* The executor reports how a run ended; the command's exit code is made of that. */
static void test_exec_exit_code_of_outcome(void **state)
{
	(void)state;
	struct rdls_exec x = { 0 };
	x.outcome = RDLS_OUTCOME_COMPLETE;
	assert_int_equal(rdls_exec_exit_code(&x), RDLS_EXIT_OK);
	x.outcome = RDLS_OUTCOME_UNDONE;
	assert_int_equal(rdls_exec_exit_code(&x), RDLS_EXIT_ERROR);
	x.outcome = RDLS_OUTCOME_INCOMPLETE;
	assert_int_equal(rdls_exec_exit_code(&x), RDLS_EXIT_INCOMPLETE);
}

/* --------------------------------------------------------------- rollback */

static void apply_fully(struct ctx *c, const char *host)
{
	plan(c, host);
	start_journal(c);
	int rc = rdls_exec_apply(c->p, &c->sys, c->secret, c->jw, NULL, &c->x);
	if (rc != RDLS_OUTCOME_COMPLETE)
		fail_msg("apply: exit %d: %s", rc, c->x && c->x->error ? c->x->error : "");
	rdls_journal_close(c->jw);
	c->jw = NULL;
}

static void test_exec_rollback_twice(void **state)
{
	(void)state;
	for (size_t si = 0; si < sizeof(scenarios) / sizeof(scenarios[0]); si++) {
		struct ctx c;
		ctx_init(&c, &scenarios[si]);
		apply_fully(&c, scenarios[si].host);
		char *out = NULL;
		assert_int_equal(rollback(&c, NULL, &out, NULL), RDLS_EXIT_OK);
		if (!strstr(out, "Rolled back"))
			fail_msg("%s: rollback said: %s", scenarios[si].name, out);
		free(out);
		assert_machine_as_before(&c, scenarios[si].name);
		unsigned w = fake_writes(c.f);
		assert_int_equal(rollback(&c, c.journal, &out, NULL), RDLS_EXIT_OK);
		if (!strstr(out, "Nothing to roll back"))
			fail_msg("%s: second rollback said: %s", scenarios[si].name, out);
		free(out);
		assert_int_equal(fake_writes(c.f), w);
		struct rdls_journal *j = read_journal(c.journal);
		for (size_t i = 0; i < j->n_recs; i++)
			assert_true(j->recs[i].done && j->recs[i].undone);
		rdls_journal_free(j);
		ctx_release(&c);
	}
}

static void test_exec_rollback_after_drift(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	apply_fully(&c, "LICSVR1");
	/* an administrator changes the value apply set */
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\Hand Made");
	char *out = NULL, *err = NULL;
	assert_int_equal(rollback(&c, NULL, &out, &err), RDLS_EXIT_INCOMPLETE);
	if (!strstr(out, "changed since apply") || !strstr(out, "'LICSVR1\\Hand Made'") ||
	    !strstr(out, "Rollback incomplete"))
		fail_msg("drift not reported:\n%s", out);
	free(out);
	free(err);
	const rdls_regval *v = fake_get_reg(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup");
	assert_non_null(v);
	assert_string_equal((const char *)v->data, "LICSVR1\\Hand Made"); /* left alone */
	/* everything else is back */
	assert_false(fake_has_user(c.f, "rdls-peer"));
	assert_false(fake_has_group(c.f, "RDLS Peers"));
	assert_null(fake_get_cred(c.f, "LICSVR2"));
	assert_non_null(fake_get_reg(c.f, KEY_LIC, " WorkgroupLicenseServerAccountsGroup"));
	/* still incomplete, and still without touching it */
	unsigned w = fake_writes(c.f);
	assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_INCOMPLETE);
	assert_int_equal(fake_writes(c.f), w);
	/* the administrator puts the prior value back: now rollback is complete */
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "LICSVR1\\Old");
	assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_OK);
	assert_machine_as_before(&c, "drift repaired by hand");
	ctx_release(&c);
}

static void test_exec_rollback_interrupted_is_completed(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[1]);
	apply_fully(&c, "LICSVR1");
	fake_fail_nth(c.f, "write", 3, 1117); /* ERROR_IO_DEVICE on the third undo */
	char *err = NULL;
	assert_int_equal(rollback(&c, NULL, NULL, &err), RDLS_EXIT_INCOMPLETE);
	if (!strstr(err, "error: cannot ") || !strstr(err, "returned 1117"))
		fail_msg("undo failure not reported: %s", err);
	free(err);
	assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_OK);
	assert_machine_as_before(&c, "interrupted rollback, completed");
	ctx_release(&c);
}

static void test_exec_rollback_replaced_credential_is_reported(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, &scenarios[0]);
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\rdls-peer", ""); /* written by cmdkey */
	free(c.before);
	c.before = fake_snapshot(c.f);
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = c.secret, .rotate = true };
	assert_int_equal(rdls_plan_build(c.m, "LICSVR1", &c.sys, &po, &c.p, &e), 0);
	start_journal(&c);
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x), RDLS_OUTCOME_COMPLETE);
	rdls_journal_close(c.jw);
	c.jw = NULL;
	/* the journal says it cannot be restored, and holds nothing of the secret */
	struct rdls_journal *j = read_journal(c.journal);
	bool found = false;
	for (size_t i = 0; i < j->n_recs; i++)
		if (j->recs[i].step.ops == &res_cred_ops) {
			assert_true(j->recs[i].step.flags & RDLS_STEP_IRREVERSIBLE);
			assert_false(j->recs[i].step.prior.ours);
			assert_true(j->recs[i].step.want.ours);
			found = true;
		}
	assert_true(found);
	rdls_journal_free(j);
	char *out = NULL;
	assert_int_equal(rollback(&c, NULL, &out, NULL), RDLS_EXIT_INCOMPLETE);
	if (!strstr(out, "cannot be restored") || !strstr(out, "credential 'LICSVR2'"))
		fail_msg("irreversible credential not reported:\n%s", out);
	free(out);
	assert_string_equal(fake_cred_password(c.f, "LICSVR2"), SECRET); /* left as apply wrote it */
	assert_false(fake_has_user(c.f, "rdls-peer"));
	ctx_release(&c);
}

/* ------------------------------------------------------------ registry keys */

#define KEY_WNT "SOFTWARE\\Policies\\Microsoft\\Windows NT"

/* Apply creates the policy key and its parent as journaled steps; rollback deletes both,
 * innermost first, and the machine, keys included, is as before. */
static void test_exec_keys_apply_then_rollback(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, FRESH_SH);
	assert_false(fake_has_reg_key(c.f, KEY_WNT));
	apply_fully(&c, "RDSH1");
	assert_int_equal(c.x->n_done, 6);
	assert_true(fake_has_reg_key(c.f, KEY_WNT));
	assert_true(fake_has_reg_key(c.f, KEY_TS));
	assert_non_null(fake_get_reg(c.f, KEY_TS, "LicenseServers"));
	char *mid = fake_snapshot(c.f);
	assert_non_null(strstr(mid, "key \"software\\x5cpolicies\\x5cmicrosoft\\x5cwindows nt\"\n"));
	free(mid);

	/* the journal holds the keys as steps of their own, in apply order */
	struct rdls_journal *j = read_journal(c.journal);
	assert_int_equal(j->n_recs, 6);
	assert_int_equal(j->n_damaged, 0);
	assert_ptr_equal(j->recs[0].step.ops, &res_regkey_ops);
	assert_string_equal(j->recs[0].step.name, KEY_WNT);
	assert_ptr_equal(j->recs[1].step.ops, &res_regkey_ops);
	assert_string_equal(j->recs[1].step.name, KEY_TS);
	assert_false(j->recs[1].step.prior.present);
	assert_true(j->recs[1].step.want.present);
	assert_ptr_equal(j->recs[2].step.ops, &res_regval_ops);
	rdls_journal_free(j);

	char *out = NULL;
	assert_int_equal(rollback(&c, NULL, &out, NULL), RDLS_EXIT_OK);
	if (!strstr(out, "Rolled back 6 changes"))
		fail_msg("rollback said: %s", out);
	free(out);
	assert_machine_as_before(&c, "keys created by apply, then rollback");
	assert_false(fake_has_reg_key(c.f, KEY_TS));
	assert_false(fake_has_reg_key(c.f, KEY_WNT));
	assert_true(fake_has_reg_key(c.f, "SOFTWARE\\Policies\\Microsoft"));
	ctx_release(&c);
}

/* Something else wrote a value into the key apply created: rollback removes what apply
 * set but never deletes the key with that value in it; it says so and exits 4. Once the
 * value is gone, rollback completes. */
static void test_exec_rollback_leaves_key_with_foreign_value(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, FRESH_SH);
	apply_fully(&c, "RDSH1");
	fake_set_reg_dword(c.f, KEY_TS, "fDenyTSConnections", 0); /* a GPO, an administrator */
	char *out = NULL, *err = NULL;
	assert_int_equal(rollback(&c, NULL, &out, &err), RDLS_EXIT_INCOMPLETE);
	if (!strstr(out, "! registry key HKLM\\" KEY_TS "  (present") ||
	    !strstr(out, "LEFT: undo failed") || !strstr(out, "Rollback incomplete"))
		fail_msg("the key left behind is not reported:\n%s", out);
	if (!strstr(err, "error: cannot delete registry key HKLM\\" KEY_TS ": the key is not empty"))
		fail_msg("no error for the key left behind:\n%s", err);
	free(out);
	free(err);
	/* the foreign value and its keys stay; what apply set is gone */
	const rdls_regval *v = fake_get_reg(c.f, KEY_TS, "fDenyTSConnections");
	assert_non_null(v);
	assert_int_equal(v->type, RDLS_REG_DWORD);
	assert_true(fake_has_reg_key(c.f, KEY_TS));
	assert_true(fake_has_reg_key(c.f, KEY_WNT));
	assert_null(fake_get_reg(c.f, KEY_TS, "LicenseServers"));
	assert_null(fake_get_reg(c.f, KEY_TS, "LicensingMode"));
	/* again: still incomplete, still nothing deleted */
	assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_INCOMPLETE);
	assert_non_null(fake_get_reg(c.f, KEY_TS, "fDenyTSConnections"));
	/* the value goes: the keys can go too */
	fake_set_reg(c.f, KEY_TS, "fDenyTSConnections", &(rdls_regval){ .present = false });
	assert_int_equal(rollback(&c, NULL, NULL, NULL), RDLS_EXIT_OK);
	assert_machine_as_before(&c, "foreign value removed, rollback again");
	ctx_release(&c);
}

/* A failed apply takes back the keys it created, as it takes back the values. */
static void test_exec_failed_apply_deletes_its_keys(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, FRESH_SH);
	plan(&c, "RDSH1");
	start_journal(&c);
	fake_fail_nth(c.f, "reg_set", 2, 5); /* LicensingMode, after both keys and LicenseServers */
	assert_int_equal(rdls_exec_apply(c.p, &c.sys, c.secret, c.jw, NULL, &c.x), RDLS_OUTCOME_UNDONE);
	assert_int_equal(c.x->failed_index, 4);
	assert_int_equal(c.x->n_undone, 3);
	assert_false(fake_has_reg_key(c.f, KEY_WNT));
	assert_machine_as_before(&c, "failed apply with keys");
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_failure_at_every_step_restores),
		cmocka_unit_test(test_exec_error_names_call_and_object),
		cmocka_unit_test(test_exec_undo_failure_exit_4),
		cmocka_unit_test(test_exec_partly_done_failed_step_is_undone),
		cmocka_unit_test(test_exec_converged_apply_writes_nothing),
		cmocka_unit_test(test_exec_credentials_share_one_check_per_run),
		cmocka_unit_test(test_exec_changed_since_plan_is_not_overwritten),
		cmocka_unit_test(test_exec_crash_at_every_point_then_rollback),
		cmocka_unit_test(test_exec_crash_from_env),
		cmocka_unit_test(test_exec_exit_code_of_outcome),
		cmocka_unit_test(test_exec_rollback_twice),
		cmocka_unit_test(test_exec_rollback_after_drift),
		cmocka_unit_test(test_exec_rollback_interrupted_is_completed),
		cmocka_unit_test(test_exec_rollback_replaced_credential_is_reported),
		cmocka_unit_test(test_exec_crash_with_keys_then_rollback),
		cmocka_unit_test(test_exec_keys_apply_then_rollback),
		cmocka_unit_test(test_exec_rollback_leaves_key_with_foreign_value),
		cmocka_unit_test(test_exec_failed_apply_deletes_its_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
