/*
 * Saved plans (planfile.c, plan --out, apply --plan) on the fake machine: SHA-256's known
 * answers through the system interface; a plan saved and applied; every refusal (drift
 * in one step, an altered byte, another computer, a newer format, a changed profile)
 * exits 1 having written nothing; a converged plan applies zero steps; no secret and no
 * check string in the file; the reader's file:line errors.
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
#include "rdls/planfile.h"
#include "rdls/regpaths.h"
#include "sha256_vectors.h"
#include "testutil.h"

#define SECRET "Planfile-Test-Secret-4471"
#define WG2 "profiles/workgroup-two-servers.ini"
#define GROUP_VALUE "WorkgroupLicenseServerAccountsGroup"

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_opts o;
	FILE *out, *err;
	char plan[TU_PATH_MAX + 16]; /* the saved plan's path (a new name in a temporary dir) */
	char dir[TU_PATH_MAX];
};

static void ctx_init(struct ctx *c, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
	assert_int_equal(tu_mkdtemp(c->dir, sizeof(c->dir), "rdls-test-planfile-"), 0);
	snprintf(c->plan, sizeof(c->plan), "%s/plan.ini", c->dir);
}

static void ctx_release(struct ctx *c)
{
	unlink(c->plan);
	rmdir(c->dir);
	fclose(c->out);
	fclose(c->err);
	fake_sys_free(c->f);
}

static char *drain(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	if (!s || (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n))
		fail_msg("cannot read back the output");
	rewind(f);
	if (ftruncate(fileno(f), 0) != 0)
		fail_msg("ftruncate");
	return s;
}

/* Runs fn with c->o; *err (if asked) gets standard error. The secret is never printed. */
static int run(struct ctx *c, rdls_cmd_fn fn, char **out, char **err)
{
	c->o.out = c->out;
	c->o.err = c->err;
	int rc = fn(&c->o, &c->sys);
	char *so = drain(c->out), *se = drain(c->err);
	if (strstr(so, SECRET) || strstr(se, SECRET))
		fail_msg("the secret was printed:\n%s\n%s", so, se);
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

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

/* plan PROFILE --out c->plan: exit 2 (changes pending) unless want says otherwise. */
static void save_plan(struct ctx *c, const char *profile, int want)
{
	c->o = (struct rdls_opts){ .command = "plan", .profile = profile, .plan_out = c->plan };
	char *out;
	assert_int_equal(run(c, cmd_plan, &out, NULL), want);
	assert_contains(out, "Saved to ");
	free(out);
}

/* apply --plan c->plan --yes; *err gets standard error. */
static int apply_saved(struct ctx *c, char **err)
{
	c->o = (struct rdls_opts){ .command = "apply", .plan_file = c->plan, .yes = true };
	return run(c, cmd_apply, NULL, err);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *s = calloc(1, RDLS_PLANFILE_MAX + 2);
	assert_non_null(s);
	*len = fread(s, 1, RDLS_PLANFILE_MAX + 1, f);
	fclose(f);
	return s;
}

static void write_all(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

/* Replaces the seal with a correct one for the (edited) content before it. */
static void reseal(struct ctx *c, char *s, size_t *len)
{
	char *seal = strstr(s, "[seal]\n");
	assert_non_null(seal);
	char hex[RDLS_SHA256_HEX];
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_sha256_hex(&c->sys, s, (size_t)(seal - s), hex, &e), 0);
	*len = (size_t)(seal - s) + (size_t)sprintf(seal, "[seal]\nsha256 = %s\n", hex);
}

/* ---------------------------------------------------------------- sha256 */

static void test_planfile_sha256_known_answers(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	for (size_t i = 0; i < sizeof(sha256_vectors) / sizeof(sha256_vectors[0]); i++) {
		const struct sha256_vector *v = &sha256_vectors[i];
		size_t len = v->len * v->repeat;
		char *msg = malloc(len ? len : 1);
		assert_non_null(msg);
		for (size_t r = 0; r < v->repeat; r++)
			memcpy(msg + r * v->len, v->msg, v->len);
		char hex[RDLS_SHA256_HEX];
		rdls_err e;
		rdls_err_clear(&e);
		if (rdls_sha256_hex(&sys, msg, len, hex, &e) != 0)
			fail_msg("sha256 %s failed: %s", v->name, e.text);
		if (strcmp(hex, v->hex) != 0)
			fail_msg("sha256 %s: got %s, expected %s", v->name, hex, v->hex);
		free(msg);
	}
	assert_int_equal(fake_calls(f, "sha256"), sizeof(sha256_vectors) / sizeof(sha256_vectors[0]));

	/* The fake fails it like any other operation; out is zeroed. */
	unsigned char md[32];
	memset(md, 0xAA, sizeof(md));
	rdls_err e;
	rdls_err_clear(&e);
	fake_fail_nth(f, "sha256", 1, 87);
	assert_int_equal(sys.ops->sha256(sys.ctx, "abc", 3, md, &e), -1);
	assert_string_equal(e.api, "BCryptHash");
	assert_int_equal(e.code, 87);
	for (size_t i = 0; i < sizeof(md); i++)
		assert_int_equal(md[i], 0);
	fake_sys_free(f);
}

/* ---------------------------------------------------------------- round trip */

static void test_planfile_round_trip(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	save_plan(&c, WG2, RDLS_EXIT_PENDING);
	assert_int_equal(fake_writes(c.f), 0);

	/* What the file holds: the host, the profile, its hash, every step; no secret, no check. */
	size_t len;
	char *text = read_all(c.plan, &len);
	assert_contains(text, "[plan]\nformat = 1\n");
	assert_contains(text, "host = LICSVR1\n");
	assert_contains(text, "computer = LICSVR1\n");
	assert_contains(text, "profile = " WG2 "\n");
	assert_contains(text, "secret = env:RDLS_PEER_PASSWORD\n");
	assert_contains(text, "kind = cred\n");
	assert_contains(text, "name = " GROUP_VALUE "\n");
	assert_contains(text, "\n[seal]\nsha256 = ");
	if (strstr(text, SECRET) || strstr(text, "rdls1$") || strstr(text, "pbkdf2"))
		fail_msg("the saved plan holds the secret or a check string:\n%s", text);
	free(text);

	/* Read back: the steps are the plan's. */
	FILE *f = fopen(c.plan, "rb");
	struct rdls_planfile *pf = NULL;
	enum rdls_planfile_bad bad;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_planfile_read(&c.sys, f, c.plan, &pf, &bad, &e), 0);
	fclose(f);
	assert_int_equal(pf->n_steps, 9); /* 7 to create, the leading-space values absent */
	assert_string_equal(pf->host, "LICSVR1");
	rdls_planfile_free(pf);

	/* A second --out to the same file is refused: it may be what someone reviewed. */
	c.o = (struct rdls_opts){ .command = "plan", .profile = WG2, .plan_out = c.plan };
	char *err;
	assert_int_equal(run(&c, cmd_plan, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "already exists");
	free(err);

	/* Applied: exactly the plan, then the host is converged. */
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_OK);
	free(err);
	assert_int_equal(fake_writes(c.f), 7);
	assert_true(fake_has_user(c.f, "rdls-peer"));
	assert_non_null(fake_get_cred(c.f, "LICSVR2"));
	c.o = (struct rdls_opts){ .command = "plan", .profile = WG2 };
	assert_int_equal(run(&c, cmd_plan, NULL, NULL), RDLS_EXIT_OK);
	ctx_release(&c);
}

static void test_planfile_json(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.o = (struct rdls_opts){ .command = "plan", .profile = WG2, .plan_out = c.plan, .json = true };
	char *out;
	assert_int_equal(run(&c, cmd_plan, &out, NULL), RDLS_EXIT_PENDING);
	char why[128];
	struct jr *v = jr_parse(out, why, sizeof(why));
	if (!v)
		fail_msg("not one JSON document (%s):\n%s", why, out);
	assert_string_equal(jr_str(v, "saved"), c.plan);
	jr_free(v);
	free(out);

	c.o = (struct rdls_opts){ .command = "apply", .plan_file = c.plan, .yes = true, .json = true };
	assert_int_equal(run(&c, cmd_apply, &out, NULL), RDLS_EXIT_OK);
	v = jr_parse(out, why, sizeof(why));
	if (!v)
		fail_msg("not one JSON document (%s):\n%s", why, out);
	assert_string_equal(jr_str(v, "plan_file"), c.plan);
	assert_string_equal(jr_str(v, "outcome"), "applied");
	jr_free(v);
	free(out);
	ctx_release(&c);
}

/* ---------------------------------------------------------------- refusals */

static void test_planfile_drift_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	/* The keys exist (the licensing service's own), so that one step alone drifts. */
	fake_set_reg_dword(c.f, RDLS_KEY_LICENSING, "Unrelated", 1);
	save_plan(&c, WG2, RDLS_EXIT_PENDING);
	/* Someone sets the value by hand after the review. */
	fake_set_reg_sz(c.f, RDLS_KEY_LICENSING, GROUP_VALUE, RDLS_REG_SZ, "LICSVR1\\Other");
	char *before = fake_snapshot(c.f);
	unsigned writes = fake_writes(c.f);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "nothing was changed");
	assert_contains(err, "the host changed since the plan was saved: step ");
	assert_contains(err, GROUP_VALUE);
	assert_contains(err, "planned from: absent; now: REG_SZ 'LICSVR1\\Other')");
	if (strstr(err, "registry key") || strstr(err, "more"))
		fail_msg("more than the one step that drifted is named:\n%s", err);
	free(err);
	assert_int_equal(fake_writes(c.f), writes);
	char *after = fake_snapshot(c.f);
	assert_string_equal(before, after);
	assert_null(fake_get_cred(c.f, "LICSVR2"));
	free(before);
	free(after);
	ctx_release(&c);
}

static void test_planfile_altered_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	save_plan(&c, WG2, RDLS_EXIT_PENDING);
	size_t len;
	char *text = read_all(c.plan, &len);
	char *p = strstr(text, "after.data = ");
	assert_non_null(p);
	p += strlen("after.data = ");
	*p = *p == '4' ? '5' : '4'; /* one byte of the value apply would write */
	write_all(c.plan, text, len);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "does not match its SHA-256 seal: the file was altered");
	assert_contains(err, c.plan);
	free(err);

	/* A truncated file has no seal at its end. */
	write_all(c.plan, text, len - 10);
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "does not end with its [seal]");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	free(text);
	ctx_release(&c);
}

static void test_planfile_other_host_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	save_plan(&c, WG2, RDLS_EXIT_PENDING);
	struct fake_sys *other = fake_sys_new("LICSVR2");
	fake_set_env(other, "RDLS_PEER_PASSWORD", SECRET);
	fake_sys_free(c.f);
	c.f = other;
	c.sys = fake_sys_iface(other);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "it was made on LICSVR1, this is LICSVR2");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_planfile_newer_format_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	save_plan(&c, WG2, RDLS_EXIT_PENDING);
	size_t len;
	char *text = read_all(c.plan, &len);
	char *p = strstr(text, "format = 1\n");
	assert_non_null(p);
	p[strlen("format = ")] = '2';
	reseal(&c, text, &len);
	write_all(c.plan, text, len);
	free(text);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "saved plan format 2 is newer than this rdlsctl reads (1)");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static void test_planfile_profile_changed_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	char profile[TU_PATH_MAX + 16];
	size_t len;
	char *text = read_all(WG2, &len);
	snprintf(profile, sizeof(profile), "%s/site.ini", c.dir);
	write_all(profile, text, len);
	save_plan(&c, profile, RDLS_EXIT_PENDING);
	/* Only a comment: the plan would be the same, but the reviewed profile is not this. */
	text = realloc(text, len + 32);
	memcpy(text + len, "; edited\n", 9);
	write_all(profile, text, len + 9);
	free(text);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "changed since the plan was saved");
	assert_contains(err, "site.ini");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	/* The secret was not even asked for. */
	assert_int_equal(fake_calls(c.f, "env_secret"), 1);
	unlink(profile);
	ctx_release(&c);
}

/* A plan saved with one secret, applied with another, would replace the credentials. */
static void test_planfile_other_plan_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.o = (struct rdls_opts){ .command = "apply", .profile = WG2, .yes = true };
	assert_int_equal(run(&c, cmd_apply, NULL, NULL), RDLS_EXIT_OK);
	save_plan(&c, WG2, RDLS_EXIT_OK);
	fake_set_env(c.f, "RDLS_PEER_PASSWORD", "Another-Secret-9912");
	unsigned writes = fake_writes(c.f);
	char *err;
	assert_int_equal(apply_saved(&c, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "planning now gives another plan: step ");
	assert_contains(err, "credential 'LICSVR2'");
	free(err);
	assert_int_equal(fake_writes(c.f), writes);
	ctx_release(&c);
}

static void test_planfile_converged_applies_nothing(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "LICSVR1");
	c.o = (struct rdls_opts){ .command = "apply", .profile = WG2, .yes = true };
	assert_int_equal(run(&c, cmd_apply, NULL, NULL), RDLS_EXIT_OK);
	save_plan(&c, WG2, RDLS_EXIT_OK);
	unsigned writes = fake_writes(c.f);
	char *out = NULL;
	c.o = (struct rdls_opts){ .command = "apply", .plan_file = c.plan, .yes = true };
	assert_int_equal(run(&c, cmd_apply, &out, NULL), RDLS_EXIT_OK);
	assert_contains(out, "No changes: LICSVR1 is converged.");
	free(out);
	assert_int_equal(fake_writes(c.f), writes);
	ctx_release(&c);
}

/* ---------------------------------------------------------------- the reader */

/* rdls_planfile_read of text (sealed first when seal), expecting refusal with msg. */
static void expect_bad(struct ctx *c, const char *text, bool seal, enum rdls_planfile_bad why,
		       const char *msg)
{
	size_t len = strlen(text);
	char *s = calloc(1, len + 200);
	memcpy(s, text, len);
	if (seal) {
		memcpy(s + len, "[seal]\nsha256 = x\n", 18);
		len += 18;
		reseal(c, s, &len);
	}
	FILE *f = tu_memin(s, len);
	struct rdls_planfile *pf = NULL;
	enum rdls_planfile_bad bad;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_planfile_read(&c->sys, f, "p.ini", &pf, &bad, &e), -1);
	fclose(f);
	assert_null(pf);
	assert_int_equal(bad, why);
	assert_contains(e.text, msg);
	free(s);
}

#define HDR "[plan]\nformat = 1\ntool = 1\nhost = H\ncomputer = H\nprofile = p\n" \
	    "profile.sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n" \
	    "created = now\n"

static void test_planfile_reader_errors(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "H");
	expect_bad(&c, "", false, RDLS_PLANFILE_MALFORMED, "p.ini: not a saved plan");
	expect_bad(&c, HDR "steps = 0\n", false, RDLS_PLANFILE_MALFORMED, "must begin with a [plan]");
	expect_bad(&c, HDR "steps = 0\nbogus = 1\n", true, RDLS_PLANFILE_MALFORMED,
		   "p.ini:10: unknown or repeated key 'bogus' in [plan]");
	expect_bad(&c, HDR "steps = 0\nhost = I\n", true, RDLS_PLANFILE_MALFORMED,
		   "p.ini:10: unknown or repeated key 'host'");
	expect_bad(&c, HDR "steps = 1\n", true, RDLS_PLANFILE_MALFORMED, "says 1 step, the file has 0");
	expect_bad(&c, HDR "steps = 1\n[step 1]\nkind = nope\nname = x\naction = create\n", true,
		   RDLS_PLANFILE_MALFORMED, "p.ini:10: [step 1] has an unknown kind 'nope'");
	expect_bad(&c, HDR "steps = 1\n[step 2]\nkind = user\n", true, RDLS_PLANFILE_MALFORMED,
		   "p.ini:10: [step 2] where [step 1] belongs");
	expect_bad(&c, HDR "steps = 1\n[step 1]\nkind = user\nname = x\naction = explode\n", true,
		   RDLS_PLANFILE_MALFORMED, "no valid action");
	expect_bad(&c, HDR "steps = 1\n[step 1]\nkind = user\nname = x\naction = create\n"
			   "prior = maybe\nafter = present\n",
		   true, RDLS_PLANFILE_MALFORMED, "no valid prior state");
	expect_bad(&c, HDR "steps = 1\n[step 1]\nkind = user\nname = x\naction = create\n"
			   "flags = fold,fold\nprior = absent\nafter = present\n",
		   true, RDLS_PLANFILE_MALFORMED, "invalid flags");
	expect_bad(&c, HDR "steps = 0\n  indented = 1\n", true, RDLS_PLANFILE_MALFORMED,
		   "p.ini:10: indented line");
	/* The same header with a valid seal and no step is a saved plan (of a converged host). */
	char text[1024];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s", HDR "steps = 0\n[seal]\nsha256 = x\n");
	reseal(&c, text, &len);
	FILE *f = tu_memin(text, len);
	struct rdls_planfile *pf = NULL;
	enum rdls_planfile_bad bad;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_planfile_read(&c.sys, f, "p.ini", &pf, &bad, &e) != 0)
		fail_msg("a valid saved plan was refused: %s", e.text);
	fclose(f);
	assert_int_equal(pf->n_steps, 0);
	rdls_planfile_free(pf);
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planfile_sha256_known_answers),
		cmocka_unit_test(test_planfile_round_trip),
		cmocka_unit_test(test_planfile_json),
		cmocka_unit_test(test_planfile_drift_refused),
		cmocka_unit_test(test_planfile_altered_refused),
		cmocka_unit_test(test_planfile_other_host_refused),
		cmocka_unit_test(test_planfile_newer_format_refused),
		cmocka_unit_test(test_planfile_profile_changed_refused),
		cmocka_unit_test(test_planfile_other_plan_refused),
		cmocka_unit_test(test_planfile_converged_applies_nothing),
		cmocka_unit_test(test_planfile_reader_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
