/*
 * The planner (plan.c and the res_*.c kinds) on the fake machine: docs/contract.md
 * "Steps apply performs" for every example profile and both roles, on a
 * fresh, a partly converged and a converged host; wrong types, leading-space
 * values, credentials (converged, stale, foreign, --rotate), the role-missing
 * error, and linear cost. Planning never writes: every test checks fake_writes.
 * Run from the repository root (make unit does): the example profiles are read
 * from profiles/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "rdls/cred_check.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "resource.h"
#include "testutil.h"

#define SECRET "plan-test-secret-Z9"
#define KEY_LIC RDLS_KEY_LICENSING
#define KEY_TS RDLS_KEY_TS_POLICY

/* ------------------------------------------------------------------ helpers */

static struct rdls_model *load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: run the tests from the repository root", path);
	struct rdls_diags d;
	rdls_diags_init(&d, path);
	struct rdls_model *m = rdls_model_load(f, path, &d);
	fclose(f);
	if (!m) {
		rdls_diags_print(&d, stderr);
		rdls_diags_release(&d);
		fail_msg("%s does not load", path);
	}
	rdls_diags_release(&d);
	return m;
}

static struct rdls_model *load_str(const char *text)
{
	FILE *f = tu_strin(text);
	assert_non_null(f);
	struct rdls_diags d;
	rdls_diags_init(&d, "inline.ini");
	struct rdls_model *m = rdls_model_load(f, "inline.ini", &d);
	fclose(f);
	if (!m) {
		rdls_diags_print(&d, stderr);
		rdls_diags_release(&d);
		fail_msg("the inline profile does not load");
	}
	rdls_diags_release(&d);
	return m;
}

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	rdls_secret *secret;
	struct rdls_model *m;
	struct rdls_plan *p;
};

static void ctx_init(struct ctx *c, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	c->secret = rdls_secret_new(SECRET, strlen(SECRET));
}

static void ctx_release(struct ctx *c)
{
	rdls_plan_free(c->p);
	rdls_model_free(c->m);
	rdls_secret_free(c->secret);
	fake_sys_free(c->f);
}

/* Plans host; asserts that planning made no write. */
static struct rdls_plan *plan_ok(struct ctx *c, const char *host, bool rotate)
{
	rdls_plan_free(c->p);
	c->p = NULL;
	unsigned w = fake_writes(c->f);
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = c->secret, .rotate = rotate };
	if (rdls_plan_build(c->m, host, &c->sys, &po, &c->p, &e) != 0) {
		char msg[1200];
		rdls_err_format(&e, msg, sizeof(msg));
		fail_msg("plan of %s failed: %s", host, msg);
	}
	if (fake_writes(c->f) != w)
		fail_msg("planning %s wrote to the machine: %u writes", host, fake_writes(c->f) - w);
	return c->p;
}

static const struct rdls_step *find(const struct rdls_plan *p, const char *kind, const char *name)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (strcmp(p->steps[i].ops->kind, kind) == 0 && strcmp(p->steps[i].name, name) == 0)
			return &p->steps[i];
	return NULL;
}

static const struct rdls_step *must_find(const struct rdls_plan *p, const char *kind,
					 const char *name)
{
	const struct rdls_step *s = find(p, kind, name);
	if (!s)
		fail_msg("the plan of %s has no %s step '%s' (%zu steps)", p->host, kind, name,
			 p->n_steps);
	return s;
}

static void assert_action(const struct rdls_step *s, enum rdls_action a)
{
	if (s->action != a)
		fail_msg("%s '%s': action %s, expected %s", s->ops->kind, s->name,
			 rdls_action_name(s->action), rdls_action_name(a));
}

static void assert_counts(const struct rdls_plan *p, size_t create, size_t change, size_t remove)
{
	if (p->n_create != create || p->n_change != change || p->n_remove != remove)
		fail_msg("plan of %s: %zu create, %zu change, %zu remove; expected %zu, %zu, %zu",
			 p->host, p->n_create, p->n_change, p->n_remove, create, change, remove);
}

static void assert_want_sz(const struct rdls_step *s, uint32_t type, const char *text)
{
	if (!s->want.present || s->want.type != type || s->want.len != strlen(text) + 1 ||
	    memcmp(s->want.data, text, s->want.len) != 0)
		fail_msg("%s: wants type %u '%.*s', expected type %u '%s'", s->name,
			 (unsigned)s->want.type, (int)s->want.len, s->want.data ? (char *)s->want.data : "",
			 (unsigned)type, text);
}

static void seed_cred(struct ctx *c, const char *target, const char *user, const char *secret)
{
	rdls_secret *s = rdls_secret_new(secret, strlen(secret));
	unsigned char salt[16] = { 7, 7, 7 };
	char check[RDLS_CRED_CHECK_MAX];
	/* few iterations: verify takes the count from the string */
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_cred_check_make_iter(&c->sys, s, salt, sizeof(salt), 1000, check,
						   sizeof(check), &e),
			 0);
	fake_set_cred(c->f, target, user, check);
	rdls_secret_free(s);
}

/* Applies c->p for real (journal in the fake's directory); asserts success. */
static void apply_all(struct ctx *c)
{
	struct rdls_jwriter *jw = NULL;
	struct rdls_exec *x = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_jheader h = { .profile = "t.ini", .started = 0 };
	rdls_jheader_for_plan(&h, c->p);
	assert_int_equal(rdls_journal_create(&c->sys, NULL, &h, &jw, &e), 0);
	int rc = rdls_exec_apply(c->p, &c->sys, c->secret, jw, NULL, &x);
	if (rc != 0)
		fail_msg("apply on %s: exit %d: %s", c->p->host, rc, x && x->error ? x->error : "?");
	rdls_exec_free(x);
	rdls_journal_close(jw);
}

/* -------------------------------------------- every example, every role */

static const struct {
	const char *profile, *host;
} examples[] = {
	{ "profiles/workgroup-two-servers.ini", "LICSVR1" },
	{ "profiles/workgroup-two-servers.ini", "licsvr2" }, /* host names are case-insensitive */
	{ "profiles/workgroup-three-servers.ini", "LICSVR1" },
	{ "profiles/workgroup-three-servers.ini", "LICSVR2" },
	{ "profiles/workgroup-three-servers.ini", "LICSVR3" },
	{ "profiles/domain-publish.ini", "LICSVR1" },
	{ "profiles/domain-publish.ini", "LICSVR2" },
	{ "profiles/domain-specified.ini", "LS-EAST" },
	{ "profiles/domain-specified.ini", "LS-WEST" },
	{ "profiles/domain-specified.ini", "LS-DR" },
	{ "profiles/session-hosts.ini", "RDSH1" },
	{ "profiles/session-hosts.ini", "RDSH2" },
	{ "profiles/session-hosts.ini", "RDSH3" },
	{ "profiles/session-hosts.ini", "LICSVR1" }, /* license server and session host */
	{ "profiles/session-hosts.ini", "LICSVR2" },
};

/* Fresh: everything to create, no write. Converged after apply: zero steps, zero writes.
 * Partly converged: undo one applied step by hand: exactly that step comes back. */
static void test_plan_examples_fresh_partial_converged(void **state)
{
	(void)state;
	for (size_t e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
		struct ctx c;
		ctx_init(&c, examples[e].host);
		c.m = load_file(examples[e].profile);
		struct rdls_plan *p = plan_ok(&c, examples[e].host, false);
		size_t n = rdls_plan_changes(p);
		if (n == 0 || p->n_change || p->n_remove || p->n_conflict)
			fail_msg("%s as %s, fresh: %zu create %zu change %zu remove %zu conflict",
				 examples[e].profile, examples[e].host, p->n_create, p->n_change,
				 p->n_remove, p->n_conflict);

		apply_all(&c);
		unsigned w = fake_writes(c.f);
		p = plan_ok(&c, examples[e].host, false);
		if (rdls_plan_changes(p) != 0)
			fail_msg("%s as %s: %zu changes after apply", examples[e].profile,
				 examples[e].host, rdls_plan_changes(p));
		/* and apply on the converged host performs zero writes */
		struct rdls_exec *x = NULL;
		assert_int_equal(rdls_exec_apply(p, &c.sys, c.secret, NULL, NULL, &x), 0);
		assert_int_equal(x->n_items, 0);
		rdls_exec_free(x);
		assert_int_equal(fake_writes(c.f), w);

		/* partly converged: take back the last wanted resource by hand (not the user:
		 * deleting a user also drops its memberships, as on Windows) */
		const struct rdls_step *first = NULL;
		for (size_t i = 0; i < p->n_steps; i++)
			if (p->steps[i].want.present)
				first = &p->steps[i];
		assert_non_null(first);
		char kind[16], name[300];
		snprintf(kind, sizeof(kind), "%s", first->ops->kind);
		snprintf(name, sizeof(name), "%s", first->name);
		struct rdls_step fresh; /* its identity, with the prior state of a fresh host */
		memset(&fresh, 0, sizeof(fresh));
		fresh.ops = first->ops;
		fresh.key = first->key;
		fresh.name = first->name;
		const struct rdls_rctx rc = { .sys = &c.sys };
		rdls_err er;
		rdls_err_clear(&er);
		assert_int_equal(first->ops->undo(&fresh, &rc, &er), 0);
		p = plan_ok(&c, examples[e].host, false);
		if (rdls_plan_changes(p) != 1)
			fail_msg("%s as %s, partly converged: %zu changes, expected 1", examples[e].profile,
				 examples[e].host, rdls_plan_changes(p));
		const struct rdls_step *back = must_find(p, kind, name);
		assert_action(back, RDLS_ACT_CREATE);
		ctx_release(&c);
	}
}

/* --------------------------------------------------- workgroup license server */

static void test_plan_workgroup_ls_steps(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	struct rdls_plan *p = plan_ok(&c, "licsvr1", false);
	assert_string_equal(p->host, "LICSVR1");
	assert_true(p->license_server);
	assert_false(p->session_host);
	assert_counts(p, 7, 0, 0);
	/* the order of docs/contract.md: user, group, member, value (after the keys it needs: a fresh
	 * fake has no TermServLicensing key, as under Wine), credentials, removals */
	static const char *const kinds[] = { "user", "group", "member", "regkey", "regkey",
					     "regval", "cred", "regval", "regval" };
	assert_int_equal(p->n_steps, 9);
	for (size_t i = 0; i < 9; i++)
		if (strcmp(p->steps[i].ops->kind, kinds[i]) != 0)
			fail_msg("step %zu is %s, expected %s", i + 1, p->steps[i].ops->kind, kinds[i]);
	assert_string_equal(p->steps[0].name, "rdls-peer");
	assert_true(p->steps[0].flags & RDLS_STEP_NEEDS_SECRET);
	assert_string_equal(p->steps[1].name, "RDLS Peers");
	assert_string_equal(p->steps[2].key, "RDLS Peers");
	assert_string_equal(p->steps[2].name, "LICSVR1\\rdls-peer");
	assert_string_equal(p->steps[3].name, "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing");
	assert_string_equal(p->steps[4].name, KEY_LIC);
	assert_action(&p->steps[4], RDLS_ACT_CREATE);
	assert_string_equal(p->steps[5].key, KEY_LIC);
	assert_string_equal(p->steps[5].name, "WorkgroupLicenseServerAccountsGroup");
	assert_want_sz(&p->steps[5], RDLS_REG_SZ, "LICSVR1\\RDLS Peers");
	assert_string_equal(p->steps[6].name, "LICSVR2");
	assert_string_equal(p->steps[6].want.user, "LICSVR2\\rdls-peer");
	assert_int_equal(p->steps[6].want.type, RDLS_CRED_TYPE_DOMAIN_PASSWORD);
	assert_string_equal(p->steps[7].name, " WorkgroupLicenseServerAccountsGroup");
	assert_string_equal(p->steps[8].name, " SpecifiedLicenseServers");
	assert_action(&p->steps[7], RDLS_ACT_NONE);
	assert_action(&p->steps[8], RDLS_ACT_NONE);
	assert_false(p->steps[7].want.present);
	ctx_release(&c);
}

static void test_plan_workgroup_three_creds_for_others(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR2");
	c.m = load_file("profiles/workgroup-three-servers.ini");
	struct rdls_plan *p = plan_ok(&c, "LICSVR2", false);
	size_t creds = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		creds += p->steps[i].ops == &res_cred_ops;
	assert_int_equal(creds, 2);
	assert_string_equal(must_find(p, "cred", "LICSVR1")->want.user, "LICSVR1\\rdls-peer");
	assert_string_equal(must_find(p, "cred", "LICSVR3")->want.user, "LICSVR3\\rdls-peer");
	assert_null(find(p, "cred", "LICSVR2"));
	assert_want_sz(must_find(p, "regval", "WorkgroupLicenseServerAccountsGroup"), RDLS_REG_SZ,
		       "LICSVR2\\RDLS Peers");
	ctx_release(&c);
}

static void test_plan_workgroup_partly_converged(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	fake_add_user(c.f, "RDLS-PEER", "whatever"); /* names compare case-insensitively */
	fake_add_group(c.f, "rdls peers");
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "LICSVR1\\Old");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 2, 1, 0);
	assert_action(must_find(p, "user", "rdls-peer"), RDLS_ACT_NONE);
	assert_action(must_find(p, "group", "RDLS Peers"), RDLS_ACT_NONE);
	assert_action(must_find(p, "member", "LICSVR1\\rdls-peer"), RDLS_ACT_CREATE);
	const struct rdls_step *v = must_find(p, "regval", "WorkgroupLicenseServerAccountsGroup");
	assert_action(v, RDLS_ACT_CHANGE);
	assert_true(v->prior.present);
	assert_memory_equal(v->prior.data, "LICSVR1\\Old", 12);
	assert_action(must_find(p, "cred", "LICSVR2"), RDLS_ACT_CREATE);
	ctx_release(&c);
}

static void seed_converged_wg2(struct ctx *c)
{
	fake_add_user(c->f, "rdls-peer", SECRET);
	fake_add_group(c->f, "RDLS Peers");
	fake_add_member(c->f, "RDLS Peers", "LICSVR1\\rdls-peer");
	fake_set_reg_sz(c->f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	seed_cred(c, "LICSVR2", "LICSVR2\\rdls-peer", SECRET);
}

static void test_plan_workgroup_converged_zero_steps(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 0, 0);
	assert_int_equal(p->n_conflict, 0);
	assert_int_equal(p->n_warnings, 0);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_plan_case_only_difference_is_converged(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"licsvr1\\rdls peers");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 0, 0);
	ctx_release(&c);
}

static void test_plan_wrong_type_is_a_change(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	/* the right text as REG_EXPAND_SZ: the service reads it with RRF_RT_REG_SZ only */
	fake_set_reg_sz(c.f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_EXPAND_SZ,
			"LICSVR1\\RDLS Peers");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 1, 0);
	const struct rdls_step *v = must_find(p, "regval", "WorkgroupLicenseServerAccountsGroup");
	assert_action(v, RDLS_ACT_CHANGE);
	assert_int_equal(v->prior.type, RDLS_REG_EXPAND_SZ);
	assert_int_equal(v->want.type, RDLS_REG_SZ);
	ctx_release(&c);
}

static void test_plan_leading_space_values_removed(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	fake_set_reg_sz(c.f, KEY_LIC, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ,
			"LICSVR1\\RDLS Peers");
	const char *const multi[] = { "licsvr2.example" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, multi, 1), 0);
	fake_set_reg(c.f, KEY_LIC, " SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 0, 2);
	const struct rdls_step *a = must_find(p, "regval", " WorkgroupLicenseServerAccountsGroup");
	const struct rdls_step *b = must_find(p, "regval", " SpecifiedLicenseServers");
	assert_action(a, RDLS_ACT_REMOVE);
	assert_action(b, RDLS_ACT_REMOVE);
	assert_int_equal(b->prior.type, RDLS_REG_MULTI_SZ);
	assert_false(b->want.present);
	/* the well-named value is untouched by these */
	assert_action(must_find(p, "regval", "WorkgroupLicenseServerAccountsGroup"), RDLS_ACT_NONE);
	ctx_release(&c);
}

/* ------------------------------------------------------------- credentials */

static void test_plan_cred_foreign_is_a_conflict(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\rdls-peer", ""); /* cmdkey's: no check attribute */
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 0, 0);
	assert_int_equal(p->n_conflict, 1);
	const struct rdls_step *s = must_find(p, "cred", "LICSVR2");
	assert_action(s, RDLS_ACT_NONE);
	assert_true(s->flags & RDLS_STEP_CONFLICT);
	assert_int_equal(p->n_warnings, 1);
	if (!strstr(p->warnings[0], "never reveals") || !strstr(p->warnings[0], "--rotate") ||
	    !strstr(p->warnings[0], "'LICSVR2'"))
		fail_msg("warning does not explain the conflict: %s", p->warnings[0]);

	/* --rotate replaces it, and says rollback cannot bring it back; the existing user's
	 * password is set too (a warning of its own, first: its step comes first) */
	p = plan_ok(&c, "LICSVR1", true);
	assert_counts(p, 0, 2, 0);
	s = must_find(p, "cred", "LICSVR2");
	assert_action(s, RDLS_ACT_CHANGE);
	assert_true(s->flags & RDLS_STEP_IRREVERSIBLE);
	assert_false(s->flags & RDLS_STEP_CONFLICT);
	assert_int_equal(p->n_warnings, 2);
	assert_non_null(strstr(p->warnings[0], "password of local user 'rdls-peer'"));
	assert_non_null(strstr(p->warnings[1], "cannot restore"));
	ctx_release(&c);
}

static void test_plan_cred_other_user_is_a_conflict(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	seed_cred(&c, "LICSVR2", "LICSVR2\\someone-else", SECRET);
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_int_equal(p->n_conflict, 1);
	assert_true(must_find(p, "cred", "LICSVR2")->flags & RDLS_STEP_CONFLICT);
	ctx_release(&c);
}

static void test_plan_cred_stale_secret_is_a_change(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	seed_cred(&c, "LICSVR2", "licsvr2\\RDLS-PEER", "the-old-secret");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 1, 0);
	assert_int_equal(p->n_conflict, 0);
	const struct rdls_step *s = must_find(p, "cred", "LICSVR2");
	assert_action(s, RDLS_ACT_CHANGE);
	assert_true(s->flags & RDLS_STEP_IRREVERSIBLE);
	assert_true(s->prior.ours);
	assert_null(s->prior.check); /* derived from a secret: not kept after planning */
	ctx_release(&c);
}

static void test_plan_cred_tampered_check_is_foreign(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	fake_set_cred(c.f, "LICSVR2", "LICSVR2\\rdls-peer", "rdls1$pbkdf2-sha256$1000$zz$zz");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_int_equal(p->n_conflict, 1);
	ctx_release(&c);
}

/* A check that cannot be computed is an error of the plan, not a foreign credential. */
static void test_plan_cred_pbkdf2_failure_fails_the_plan(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	fake_fail_nth(c.f, "pbkdf2_sha256", 1, 0xC0000017u);
	unsigned w = fake_writes(c.f);
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = c.secret };
	assert_int_equal(rdls_plan_build(c.m, "LICSVR1", &c.sys, &po, &c.p, &e), -1);
	assert_null(c.p);
	assert_string_equal(e.api, "BCryptDeriveKeyPBKDF2");
	assert_int_equal(e.code, 0xC0000017u);
	assert_int_equal(fake_writes(c.f), w);
	ctx_release(&c);
}

static void test_plan_cred_rotate_converged(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	seed_converged_wg2(&c);
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", true);
	assert_counts(p, 0, 2, 0); /* the credential and the password (test_plan_rotate_*) */
	const struct rdls_step *s = must_find(p, "cred", "LICSVR2");
	assert_action(s, RDLS_ACT_CHANGE);
	/* rewritten with the same secret: nothing rollback would have to restore */
	assert_false(s->flags & RDLS_STEP_IRREVERSIBLE);
	assert_true(rdls_state_equal(&s->prior, &s->want));
	ctx_release(&c);
}

static void test_plan_needs_secret(void **state)
{
	(void)state;
	struct rdls_model *wg = load_file("profiles/session-hosts.ini");
	assert_true(rdls_plan_needs_secret(wg, "LICSVR2"));
	assert_true(rdls_plan_needs_secret(wg, "rdsh3")); /* credentials = yes */
	assert_false(rdls_plan_needs_secret(wg, "RDSH1"));
	assert_false(rdls_plan_needs_secret(wg, "nobody"));
	rdls_model_free(wg);
	struct rdls_model *dom = load_file("profiles/domain-specified.ini");
	assert_false(rdls_plan_needs_secret(dom, "LS-EAST"));
	rdls_model_free(dom);

	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/workgroup-two-servers.ini");
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts none = { 0 };
	assert_int_equal(rdls_plan_build(c.m, "LICSVR1", &c.sys, &none, &c.p, &e), -1);
	assert_null(c.p);
	assert_non_null(strstr(e.text, "needs the peer secret"));
	ctx_release(&c);
}

/* ------------------------------------------------------------------ domain */

static void test_plan_domain_publish(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR2");
	c.m = load_file("profiles/domain-publish.ini");
	struct rdls_plan *p = plan_ok(&c, "LICSVR2", false);
	assert_counts(p, 1, 0, 0);
	const struct rdls_step *s = must_find(p, "lspublish", "LICSVR2");
	assert_true(s->want.present);
	assert_false(s->prior.present);
	assert_null(find(p, "user", "rdls-peer"));
	assert_int_equal(p->n_warnings, 0);
	/* The plan says who may publish (Microsoft's PublishLS page), and who may undo it. */
	struct rdls_buf d;
	rdls_buf_init(&d);
	rdls_step_doing(s, false, &d);
	assert_string_equal(rdls_buf_str(&d), "publish license server 'LICSVR2' in AD DS (PublishLS; "
					       "needs an Enterprise Admin of the forest)");
	rdls_buf_release(&d);
	rdls_buf_init(&d);
	rdls_step_doing(s, true, &d);
	assert_string_equal(rdls_buf_str(&d), "unpublish license server 'LICSVR2' from AD DS "
					       "(UnpublishLS; needs an Enterprise Admin of the forest)");
	rdls_buf_release(&d);

	fake_set_ls_pub(c.f, RDLS_LS_PUBLISHED);
	p = plan_ok(&c, "LICSVR2", false);
	assert_counts(p, 0, 0, 0);
	ctx_release(&c);
}

static void test_plan_domain_publish_role_absent(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/domain-publish.ini");
	fake_set_ls_pub(c.f, RDLS_LS_ROLE_ABSENT);
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { 0 };
	assert_int_equal(rdls_plan_build(c.m, "LICSVR1", &c.sys, &po, &c.p, &e), -1);
	assert_null(c.p);
	char msg[1200];
	rdls_err_format(&e, msg, sizeof(msg));
	assert_string_equal(msg, "the RD Licensing role is not installed on LICSVR1 "
				 "(Win32_TSLicenseServer is missing)");
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_plan_domain_controller_warning(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/domain-publish.ini");
	fake_set_on_dc(c.f, true);
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_int_equal(p->n_warnings, 1);
	if (!strstr(p->warnings[0], "domain controller") || !strstr(p->warnings[0], "LICSVR1"))
		fail_msg("unexpected warning: %s", p->warnings[0]);
	ctx_release(&c);

	/* specified: no WMI needed, the product type tells */
	ctx_init(&c, "LS-EAST");
	c.m = load_file("profiles/domain-specified.ini");
	rdls_osinfo os = { .major = 10, .build = 17763, .server = true, .domain_controller = true,
			   .domain_joined = true };
	fake_set_os(c.f, &os);
	p = plan_ok(&c, "LS-EAST", false);
	assert_int_equal(p->n_warnings, 1);
	assert_non_null(strstr(p->warnings[0], "domain controller"));
	assert_int_equal(fake_calls(c.f, "ls_on_dc"), 0);
	assert_int_equal(fake_calls(c.f, "ls_pub_get"), 0);
	ctx_release(&c);
}

static void test_plan_domain_specified_values(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LS-WEST");
	c.m = load_file("profiles/domain-specified.ini");
	struct rdls_plan *p = plan_ok(&c, "LS-WEST", false);
	assert_counts(p, 3, 0, 0); /* the value and the two keys it needs */
	const struct rdls_step *s = must_find(p, "regval", "SpecifiedLicenseServers");
	assert_string_equal(s->key, KEY_LIC);
	static const char want[] = "ls-east.corp.example\0ls-dr.corp.example\0"; /* + the final NUL */
	assert_int_equal(s->want.type, RDLS_REG_MULTI_SZ);
	assert_int_equal(s->want.len, sizeof(want));
	assert_memory_equal(s->want.data, want, sizeof(want));
	assert_null(find(p, "lspublish", "LS-WEST"));

	/* the same names in another case: converged; as REG_SZ: a change */
	const char *const names[] = { "LS-EAST.corp.example", "LS-DR.Corp.Example" };
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_multi(&v, names, 2), 0);
	fake_set_reg(c.f, KEY_LIC, "SpecifiedLicenseServers", &v);
	rdls_regval_release(&v);
	p = plan_ok(&c, "LS-WEST", false);
	assert_counts(p, 0, 0, 0);
	fake_set_reg_sz(c.f, KEY_LIC, "SpecifiedLicenseServers", RDLS_REG_SZ, "ls-east.corp.example");
	p = plan_ok(&c, "LS-WEST", false);
	assert_counts(p, 0, 1, 0);
	ctx_release(&c);
}

static void test_plan_domain_both(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "A");
	c.m = load_str("[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n"
		       "[discovery]\nmethod = both\n"
		       "[license_server A]\nos = 2019\ndns = a.example\n"
		       "[license_server B]\nos = 2019\ndns = b.example\n"
		       "[session_host A]\nos = 2019\n");
	struct rdls_plan *p = plan_ok(&c, "A", false);
	assert_true(p->license_server && p->session_host);
	assert_counts(p, 10, 0, 0); /* publish, two values and two keys in each of two places,
				      * the local GPO's two files */
	assert_non_null(must_find(p, "lspublish", "A"));
	const struct rdls_step *s = must_find(p, "regval", "SpecifiedLicenseServers");
	assert_memory_equal(s->want.data, "b.example\0", 11);
	assert_want_sz(must_find(p, "regval", "LicenseServers"), RDLS_REG_SZ, "a.example,b.example");
	const struct rdls_step *mode = must_find(p, "regval", "LicensingMode");
	assert_int_equal(mode->want.type, RDLS_REG_DWORD);
	assert_memory_equal(mode->want.data, "\x04\0\0\0", 4); /* per user */
	assert_null(find(p, "cred", "B")); /* no credentials in a domain */
	ctx_release(&c);
}

/* ------------------------------------------------------------ session hosts */

static void test_plan_session_host_values(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH2");
	c.m = load_file("profiles/session-hosts.ini");
	struct rdls_plan *p = plan_ok(&c, "RDSH2", false);
	assert_false(p->license_server);
	assert_true(p->session_host);
	assert_counts(p, 6, 0, 0);
	/* the two policy values, the two keys they need, Registry.pol and gpt.ini */
	assert_int_equal(p->n_steps, 6);
	const struct rdls_step *ls = must_find(p, "regval", "LicenseServers");
	assert_string_equal(ls->key, KEY_TS);
	assert_want_sz(ls, RDLS_REG_SZ, "LICSVR2,LICSVR1"); /* in the profile's order */
	const struct rdls_step *mode = must_find(p, "regval", "LicensingMode");
	assert_string_equal(mode->key, KEY_TS);
	assert_int_equal(mode->want.type, RDLS_REG_DWORD);
	assert_int_equal(mode->want.len, 4);
	assert_memory_equal(mode->want.data, "\x02\0\0\0", 4); /* per device */

	/* converged, then wrong types: a REG_SZ "2" and a REG_EXPAND_SZ list are changes */
	fake_set_reg_sz(c.f, KEY_TS, "LicenseServers", RDLS_REG_SZ, "licsvr2,licsvr1");
	fake_set_reg_dword(c.f, KEY_TS, "LicensingMode", 2);
	fake_seed_local_gpo(c.f, "LICSVR2,LICSVR1", 2);
	p = plan_ok(&c, "RDSH2", false);
	assert_counts(p, 0, 0, 0);
	fake_set_reg_sz(c.f, KEY_TS, "LicensingMode", RDLS_REG_SZ, "2");
	fake_set_reg_sz(c.f, KEY_TS, "LicenseServers", RDLS_REG_EXPAND_SZ, "LICSVR2,LICSVR1");
	p = plan_ok(&c, "RDSH2", false);
	assert_counts(p, 0, 2, 0);
	/* another order is another policy */
	fake_set_reg_sz(c.f, KEY_TS, "LicenseServers", RDLS_REG_SZ, "LICSVR1,LICSVR2");
	fake_set_reg_dword(c.f, KEY_TS, "LicensingMode", 4);
	p = plan_ok(&c, "RDSH2", false);
	assert_counts(p, 0, 2, 0);
	ctx_release(&c);
}

static void test_plan_session_host_default_and_credentials(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH1");
	c.m = load_file("profiles/session-hosts.ini");
	struct rdls_plan *p = plan_ok(&c, "RDSH1", false);
	assert_want_sz(must_find(p, "regval", "LicenseServers"), RDLS_REG_SZ, "LICSVR1,LICSVR2");
	assert_null(find(p, "cred", "LICSVR1"));
	ctx_release(&c);

	ctx_init(&c, "RDSH3");
	c.m = load_file("profiles/session-hosts.ini");
	p = plan_ok(&c, "RDSH3", false);
	assert_counts(p, 7, 0, 0); /* two values, two keys, two GPO files, one credential */
	assert_want_sz(must_find(p, "regval", "LicenseServers"), RDLS_REG_SZ, "LICSVR1");
	const struct rdls_step *s = must_find(p, "cred", "LICSVR1");
	assert_string_equal(s->want.user, "LICSVR1\\rdls-peer");
	assert_null(find(p, "cred", "LICSVR2"));
	ctx_release(&c);
}

static void test_plan_both_roles(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/session-hosts.ini");
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_true(p->license_server && p->session_host);
	/* user, group, member, group value, credential for LICSVR2, two policy values, and the
	 * two keys each kind of value needs */
	assert_counts(p, 13, 0, 0); /* and the local GPO's two files */
	size_t creds = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		creds += p->steps[i].ops == &res_cred_ops;
	assert_int_equal(creds, 1);
	assert_non_null(must_find(p, "cred", "LICSVR2"));
	assert_want_sz(must_find(p, "regval", "LicenseServers"), RDLS_REG_SZ, "LICSVR1,LICSVR2");
	ctx_release(&c);
}

/* ------------------------------------------------------------ registry keys */

#define KEY_WNT "SOFTWARE\\Policies\\Microsoft\\Windows NT"

static size_t count_kind(const struct rdls_plan *p, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		n += strcmp(p->steps[i].ops->kind, kind) == 0;
	return n;
}

/* A fresh session host has no policy key: apply creates it, and its missing parent,
 * as steps of their own (outermost first, before the first value), so that rollback
 * can delete them again. Both values share the key: it is planned, and observed, once. */
static void test_plan_session_host_creates_missing_keys(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "RDSH1");
	c.m = load_file("profiles/session-hosts.ini");
	assert_false(fake_has_reg_key(c.f, KEY_WNT));
	struct rdls_plan *p = plan_ok(&c, "RDSH1", false);
	assert_counts(p, 6, 0, 0);
	static const char *const kinds[] = { "regkey", "regkey", "regval", "regval", "gpofile",
					     "gpofile" };
	static const char *const names[] = { KEY_WNT, KEY_TS, "LicenseServers", "LicensingMode",
					     "Machine\\Registry.pol", "gpt.ini" };
	assert_int_equal(p->n_steps, 6);
	for (size_t i = 0; i < 6; i++)
		if (strcmp(p->steps[i].ops->kind, kinds[i]) != 0 || strcmp(p->steps[i].name, names[i]) != 0)
			fail_msg("step %zu is %s '%s', expected %s '%s'", i + 1, p->steps[i].ops->kind,
				 p->steps[i].name, kinds[i], names[i]);
	for (size_t i = 0; i < 2; i++) {
		const struct rdls_step *k = &p->steps[i];
		assert_action(k, RDLS_ACT_CREATE);
		assert_false(k->prior.present);
		assert_true(k->want.present);
		assert_null(k->key);
	}
	/* up from the key to SOFTWARE\Policies\Microsoft, which exists: three looks, not six */
	assert_int_equal(fake_calls(c.f, "reg_key_get"), 3);

	/* how the plan and the journal's comments describe it */
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_object(&p->steps[1], &b);
	assert_string_equal(rdls_buf_str(&b), "registry key HKLM\\" KEY_TS);
	rdls_buf_reset(&b);
	rdls_step_state(&p->steps[1], &p->steps[1].prior, &b);
	assert_string_equal(rdls_buf_str(&b), "absent");
	rdls_buf_reset(&b);
	rdls_step_doing(&p->steps[0], false, &b);
	assert_string_equal(rdls_buf_str(&b), "create registry key HKLM\\" KEY_WNT);
	rdls_buf_reset(&b);
	rdls_step_doing(&p->steps[0], true, &b);
	assert_string_equal(rdls_buf_str(&b), "delete registry key HKLM\\" KEY_WNT);
	rdls_buf_release(&b);

	/* the deepest existing ancestor stops the walk: only the missing level is created */
	fake_add_reg_key(c.f, "software\\policies\\microsoft\\WINDOWS NT"); /* case-insensitive */
	p = plan_ok(&c, "RDSH1", false);
	assert_counts(p, 5, 0, 0);
	assert_int_equal(count_kind(p, "regkey"), 1);
	assert_action(must_find(p, "regkey", KEY_TS), RDLS_ACT_CREATE);
	assert_null(find(p, "regkey", KEY_WNT));

	/* an empty policy key that exists: the values only */
	fake_add_reg_key(c.f, KEY_TS);
	p = plan_ok(&c, "RDSH1", false);
	assert_counts(p, 4, 0, 0);
	assert_int_equal(count_kind(p, "regkey"), 0);
	ctx_release(&c);
}

/* Converged: the values exist, so their keys do; nothing about keys is planned or observed. */
static void test_plan_converged_plans_no_keys(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.m = load_file("profiles/session-hosts.ini"); /* license server and session host */
	struct rdls_plan *p = plan_ok(&c, "LICSVR1", false);
	assert_int_equal(count_kind(p, "regkey"), 4);
	apply_all(&c);
	assert_true(fake_has_reg_key(c.f, KEY_TS));
	assert_true(fake_has_reg_key(c.f, KEY_LIC));
	unsigned looks = fake_calls(c.f, "reg_key_get");
	p = plan_ok(&c, "LICSVR1", false);
	assert_counts(p, 0, 0, 0);
	assert_int_equal(count_kind(p, "regkey"), 0);
	assert_int_equal(fake_calls(c.f, "reg_key_get"), looks);
	ctx_release(&c);
}

/* Removing a misnamed value, or leaving a value as it is, needs no key: none is created. */
static void test_plan_removals_create_no_keys(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR2");
	c.m = load_file("profiles/domain-publish.ini");
	struct rdls_plan *p = plan_ok(&c, "LICSVR2", false);
	assert_false(fake_has_reg_key(c.f, KEY_LIC));
	assert_counts(p, 1, 0, 0); /* publish only */
	assert_int_equal(count_kind(p, "regkey"), 0);
	assert_int_equal(fake_calls(c.f, "reg_key_get"), 0);
	ctx_release(&c);
}

/* --------------------------------------------------------------- the host */

static void test_plan_unknown_host(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "WEB01");
	c.m = load_file("profiles/session-hosts.ini");
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = c.secret };
	assert_int_equal(rdls_plan_build(c.m, "WEB01", &c.sys, &po, &c.p, &e), -1);
	assert_null(c.p);
	char msg[1200];
	rdls_err_format(&e, msg, sizeof(msg));
	if (!strstr(msg, "'WEB01'") || !strstr(msg, "profiles/session-hosts.ini") ||
	    !strstr(msg, "LICSVR1, LICSVR2, RDSH1") || !strstr(msg, "--host"))
		fail_msg("unhelpful error: %s", msg);
	assert_int_equal(fake_calls(c.f, "reg_get") + fake_calls(c.f, "user_get"), 0);
	ctx_release(&c);
}

/* ------------------------------------------------------------------ linear */

static char *big_profile(size_t n_ls)
{
	size_t cap = 256 + n_ls * 64, len = 0;
	char *s = malloc(cap);
	len += (size_t)snprintf(s + len, cap - len,
				"[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
				"cal_version = 2019\n[peering]\naccount = rdls-peer\ngroup = RDLS Peers\n"
				"password = env:P\n");
	for (size_t i = 0; i < n_ls; i++)
		len += (size_t)snprintf(s + len, cap - len, "[license_server LS%zu]\nos = 2019\n", i);
	return s;
}

static void test_plan_linear_in_license_servers(void **state)
{
	(void)state;
	char *text = big_profile(500);
	struct ctx c;
	ctx_init(&c, "LS0");
	c.m = load_str(text);
	struct rdls_plan *p = plan_ok(&c, "LS0", false);
	/* user, group, member, two keys, value, 499 credentials, 2 removals: each observed once
	 * (and the key's existing parent once); the credential precondition reads one value */
	assert_int_equal(p->n_steps, 507);
	assert_int_equal(fake_calls(c.f, "cred_get"), 499);
	assert_int_equal(fake_calls(c.f, "reg_get"), 4);
	assert_int_equal(fake_calls(c.f, "service_exists"), 1);
	assert_int_equal(fake_calls(c.f, "cred_persist_max"), 1);
	assert_int_equal(fake_calls(c.f, "reg_key_get"), 3);
	assert_int_equal(fake_calls(c.f, "user_get") + fake_calls(c.f, "group_get") +
				 fake_calls(c.f, "member_get"),
			 3);
	assert_counts(p, 505, 0, 0);
	ctx_release(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_examples_fresh_partial_converged),
		cmocka_unit_test(test_plan_workgroup_ls_steps),
		cmocka_unit_test(test_plan_workgroup_three_creds_for_others),
		cmocka_unit_test(test_plan_workgroup_partly_converged),
		cmocka_unit_test(test_plan_workgroup_converged_zero_steps),
		cmocka_unit_test(test_plan_case_only_difference_is_converged),
		cmocka_unit_test(test_plan_wrong_type_is_a_change),
		cmocka_unit_test(test_plan_leading_space_values_removed),
		cmocka_unit_test(test_plan_cred_foreign_is_a_conflict),
		cmocka_unit_test(test_plan_cred_other_user_is_a_conflict),
		cmocka_unit_test(test_plan_cred_stale_secret_is_a_change),
		cmocka_unit_test(test_plan_cred_tampered_check_is_foreign),
		cmocka_unit_test(test_plan_cred_pbkdf2_failure_fails_the_plan),
		cmocka_unit_test(test_plan_cred_rotate_converged),
		cmocka_unit_test(test_plan_needs_secret),
		cmocka_unit_test(test_plan_domain_publish),
		cmocka_unit_test(test_plan_domain_publish_role_absent),
		cmocka_unit_test(test_plan_domain_controller_warning),
		cmocka_unit_test(test_plan_domain_specified_values),
		cmocka_unit_test(test_plan_domain_both),
		cmocka_unit_test(test_plan_session_host_values),
		cmocka_unit_test(test_plan_session_host_default_and_credentials),
		cmocka_unit_test(test_plan_both_roles),
		cmocka_unit_test(test_plan_session_host_creates_missing_keys),
		cmocka_unit_test(test_plan_converged_plans_no_keys),
		cmocka_unit_test(test_plan_removals_create_no_keys),
		cmocka_unit_test(test_plan_unknown_host),
		cmocka_unit_test(test_plan_linear_in_license_servers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
