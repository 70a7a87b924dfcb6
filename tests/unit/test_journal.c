/*
 * The journal (journal.c): a round trip of every kind of record with hostile
 * names and data, a real journal torn at every byte offset, corrupted and
 * garbled records, arbitrary bytes, the newest-journal index, and that no
 * secret (nor the credential check derived from it) is ever written.
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

/* as in journal.c, for a compile without the Makefile's -DRDLS_VERSION */
#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

#define SECRET "journal-test-secret-K8"
#define KEY_LIC RDLS_KEY_LICENSING

/* ------------------------------------------------------------------ helpers */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return s;
}

static void write_all(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Parses len bytes of data as a journal. */
static struct rdls_journal *parse(const char *data, size_t len)
{
	FILE *f = tu_memin(data, len);
	assert_non_null(f);
	struct rdls_journal *j = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_journal_read(f, "t.ini", &j, &e) != 0)
		fail_msg("rdls_journal_read failed on %zu bytes: %s", len, e.text);
	fclose(f);
	assert_non_null(j);
	return j;
}

static void set_bytes(struct rdls_state *s, uint32_t type, const void *d, size_t n)
{
	s->present = true;
	s->type = type;
	s->len = n;
	s->data = malloc(n ? n : 1);
	memcpy(s->data, d, n);
}

static char *dup_s(const char *s)
{
	char *d = malloc(strlen(s) + 1);
	strcpy(d, s);
	return d;
}

static struct rdls_step make_step(const struct resource_ops *ops, const char *key, const char *name)
{
	struct rdls_step s;
	memset(&s, 0, sizeof(s));
	s.ops = ops;
	s.key = key ? dup_s(key) : NULL;
	s.name = dup_s(name);
	return s;
}

/* ------------------------------------------------------------------- tests */

static void test_journal_crc32_vector(void **state)
{
	(void)state;
	assert_int_equal(rdls_crc32(0, "123456789", 9), 0xCBF43926ul);
	assert_int_equal(rdls_crc32(0, "", 0), 0);
	/* incremental equals one go */
	assert_int_equal(rdls_crc32(rdls_crc32(0, "1234", 4), "56789", 5), 0xCBF43926ul);
}

static void test_journal_round_trip(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	enum { N = 6 };
	struct rdls_step st[N];

	st[0] = make_step(&res_user_ops, NULL, "rdls-peer");
	st[0].want.present = true;

	/* a 256-character group name with spaces, a ';', a '#', '%' and UTF-8 */
	char group[300];
	strcpy(group, "RDLS Peers ; #1 100% \xc3\xa9t\xc3\xa9 ");
	while (strlen(group) < 256)
		strcat(group, "x");
	group[256] = '\0';
	st[1] = make_step(&res_member_ops, group, "LICSVR1\\rdls-peer");
	st[1].want.present = true;

	/* a misnamed value whose prior data has every awkward byte, long enough to be split */
	st[2] = make_step(&res_regval_ops, KEY_LIC, " WorkgroupLicenseServerAccountsGroup");
	unsigned char blob[700];
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 37 + 11);
	blob[0] = 0;
	blob[1] = '\n';
	set_bytes(&st[2].prior, RDLS_REG_BINARY, blob, sizeof(blob));

	/* a REG_MULTI_SZ change */
	st[3] = make_step(&res_regval_ops, KEY_LIC, "SpecifiedLicenseServers");
	set_bytes(&st[3].prior, RDLS_REG_SZ, "old\0", 4);
	set_bytes(&st[3].want, RDLS_REG_MULTI_SZ, "a.example\0b.example\0\0", 21);

	/* a replaced credential: the check attribute observed must never be written */
	st[4] = make_step(&res_cred_ops, NULL, "LICSVR2");
	st[4].prior.present = true;
	st[4].prior.type = 1;
	st[4].prior.user = dup_s("LICSVR2\\Someone Else");
	st[4].prior.ours = false;
	st[4].prior.check = dup_s("rdls1$pbkdf2-sha256$1000$00$DERIVED-FROM-A-SECRET");
	st[4].want.present = true;
	st[4].want.type = RDLS_CRED_TYPE_DOMAIN_PASSWORD;
	st[4].want.user = dup_s("LICSVR2\\rdls-peer");
	st[4].want.ours = true;
	st[4].flags = RDLS_STEP_IRREVERSIBLE;

	st[5] = make_step(&res_lspublish_ops, NULL, "LICSVR1");
	st[5].want.present = true;

	struct rdls_jwriter *w = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	/* peers with a ',' and a '%': the list's separator and escape survive the round trip */
	static const char *const peers[] = { "LICSVR2", "odd,name 100%", "LICSVR3" };
	const struct rdls_jheader h = { .host = "LICSVR1", .computer = "WIN-4 ABC",
					.profile = "C:\\profiles\\site; #1.ini", .started = 1720008000,
					.account = "rdls-peer", .group = group, .peers = peers,
					.n_peers = 3 };
	assert_int_equal(rdls_journal_create(&sys, NULL, &h, &w, &e), 0);
	char path[4300];
	snprintf(path, sizeof(path), "%s", rdls_journal_path(w));
	if (!strstr(path, "20240703T120000Z-LICSVR1.ini"))
		fail_msg("journal name %s does not carry the UTC time and the host", path);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(rdls_journal_step(w, i + 1, &st[i], &e), 0);
		assert_int_equal(rdls_journal_mark(w, RDLS_JMARK_DONE, i + 1, NULL, &e), 0);
	}
	assert_int_equal(rdls_journal_mark(w, RDLS_JMARK_FAILED, 6, "cannot x; #y\nz", &e), 0);
	assert_int_equal(rdls_journal_mark(w, RDLS_JMARK_UNDONE, 2, "restored", &e), 0);
	rdls_journal_close(w);

	size_t len;
	char *text = read_all(path, &len);
	/* every line far below inih's limit (INI_MAX_LINE 200 in Debian's build) */
	size_t col = 0, longest = 0;
	for (size_t i = 0; i < len; i++) {
		col = text[i] == '\n' ? 0 : col + 1;
		if (col > longest)
			longest = col;
	}
	if (longest > 150)
		fail_msg("a journal line has %zu characters", longest);
	assert_null(strstr(text, "DERIVED-FROM-A-SECRET"));
	assert_null(strstr(text, "pbkdf2"));

	struct rdls_journal *j = parse(text, len);
	assert_true(j->header_ok);
	assert_int_equal(j->format, RDLS_JOURNAL_FORMAT);
	assert_string_equal(j->account, "rdls-peer");
	assert_string_equal(j->group, group);
	assert_int_equal(j->n_peers, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(j->peers[i], peers[i]);
	assert_string_equal(j->host, "LICSVR1");
	assert_string_equal(j->computer, "WIN-4 ABC");
	assert_string_equal(j->profile, "C:\\profiles\\site; #1.ini");
	assert_string_equal(j->started, "2024-07-03T12:00:00Z");
	assert_string_equal(j->tool, RDLS_VERSION);
	assert_int_equal(j->n_problems, 0);
	assert_int_equal(j->n_damaged, 0);
	assert_false(j->torn_tail);
	assert_int_equal(j->n_recs, N);
	for (size_t i = 0; i < N; i++) {
		const struct rdls_jrec *r = &j->recs[i];
		assert_int_equal(r->index, i + 1);
		assert_ptr_equal(r->step.ops, st[i].ops);
		if (st[i].key)
			assert_string_equal(r->step.key, st[i].key);
		else
			assert_null(r->step.key);
		assert_string_equal(r->step.name, st[i].name);
		if (!rdls_state_equal(&r->step.prior, &st[i].prior) ||
		    !rdls_state_equal(&r->step.want, &st[i].want))
			fail_msg("record %zu (%s '%s'): states differ after the round trip", i + 1,
				 st[i].ops->kind, st[i].name);
		assert_null(r->step.prior.check);
		assert_int_equal(r->step.flags & RDLS_STEP_IRREVERSIBLE, st[i].flags & RDLS_STEP_IRREVERSIBLE);
		assert_true(r->done);
		assert_int_equal(r->failed, i == 5);
		assert_int_equal(r->undone, i == 1);
	}
	rdls_journal_free(j);
	free(text);
	for (size_t i = 0; i < N; i++)
		rdls_step_release(&st[i]);
	fake_sys_free(f);
}

/* A real journal: the workgroup apply of test_exec, with a value to remove. */
static char *real_journal(size_t *len, char *path, size_t path_n)
{
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	fake_set_reg_sz(f, KEY_LIC, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "x");
	fake_set_reg_sz(f, KEY_LIC, "WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "LICSVR1\\Old");
	FILE *pf = fopen("profiles/workgroup-two-servers.ini", "rb");
	if (!pf)
		fail_msg("run the tests from the repository root");
	struct rdls_diags d;
	rdls_diags_init(&d, "p");
	struct rdls_model *m = rdls_model_load(pf, "p", &d);
	fclose(pf);
	rdls_diags_release(&d);
	assert_non_null(m);
	rdls_secret *s = rdls_secret_new(SECRET, strlen(SECRET));
	struct rdls_plan *p = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_plan_opts po = { .secret = s };
	assert_int_equal(rdls_plan_build(m, "LICSVR1", &sys, &po, &p, &e), 0);
	struct rdls_jwriter *w = NULL;
	struct rdls_jheader h = { .profile = "p", .started = 0 };
	rdls_jheader_for_plan(&h, p);
	assert_int_equal(rdls_journal_create(&sys, NULL, &h, &w, &e), 0);
	struct rdls_exec *x = NULL;
	/* the fourth change fails: records, done, failed and undone marks all appear */
	fake_fail_nth(f, "write", 4, 5);
	assert_int_equal(rdls_exec_apply(p, &sys, s, w, NULL, &x), RDLS_OUTCOME_UNDONE);
	char *text = read_all(rdls_journal_path(w), len);
	if (path)
		snprintf(path, path_n, "%s", rdls_journal_path(w));
	rdls_exec_free(x);
	rdls_journal_close(w);
	rdls_plan_free(p);
	rdls_secret_free(s);
	rdls_model_free(m);
	fake_sys_free(f);
	return text;
}

/* Where each section's "crc = xxxxxxxx" value ends. */
struct sec_end {
	char name[32];
	size_t end;
};

static size_t section_ends(const char *t, size_t len, struct sec_end *v, size_t max)
{
	size_t n = 0;
	const char *cur = NULL;
	for (size_t i = 0; i < len; i++) {
		if ((i == 0 || t[i - 1] == '\n') && t[i] == '[')
			cur = t + i + 1;
		if ((i == 0 || t[i - 1] == '\n') && strncmp(t + i, "crc = ", 6) == 0) {
			assert_true(n < max);
			assert_non_null(cur);
			size_t l = (size_t)(strchr(cur, ']') - cur);
			snprintf(v[n].name, sizeof(v[n].name), "%.*s", (int)l, cur);
			v[n].end = i + 6 + 8;
			n++;
		}
	}
	return n;
}

static void test_journal_torn_at_every_byte(void **state)
{
	(void)state;
	size_t len;
	char *text = real_journal(&len, NULL, 0);
	struct sec_end ends[64];
	size_t n = section_ends(text, len, ends, 64);
	assert_true(n >= 8);
	for (size_t cut = 0; cut <= len; cut++) {
		struct rdls_journal *j = parse(text, cut);
		size_t steps = 0, marks = 0, got_marks = 0;
		bool header = false;
		for (size_t i = 0; i < n; i++) {
			if (ends[i].end > cut)
				break;
			if (strcmp(ends[i].name, "journal") == 0)
				header = true;
			else if (strncmp(ends[i].name, "step ", 5) == 0)
				steps++;
			else
				marks++;
		}
		for (size_t i = 0; i < j->n_recs; i++)
			got_marks += j->recs[i].done + j->recs[i].failed + j->recs[i].undone;
		if (j->header_ok != header || j->n_recs != steps || got_marks != marks ||
		    j->n_damaged != 0)
			fail_msg("cut at %zu of %zu: header %d (want %d), %zu records (want %zu), %zu marks "
				 "(want %zu), %zu damaged",
				 cut, len, j->header_ok, header, j->n_recs, steps, got_marks, marks,
				 j->n_damaged);
		/* a cut inside a section's text leaves a torn tail, never more */
		for (size_t i = 0; i < j->n_problems; i++)
			if (!strstr(j->problems[i], "incomplete") && !strstr(j->problems[i], "checksum"))
				fail_msg("cut at %zu: unexpected problem '%s'", cut, j->problems[i]);
		if (j->n_problems > 1)
			fail_msg("cut at %zu: %zu problems", cut, j->n_problems);
		rdls_journal_free(j);
	}
	struct rdls_journal *whole = parse(text, len);
	assert_false(whole->torn_tail);
	assert_int_equal(whole->n_problems, 0);
	rdls_journal_free(whole);
	free(text);
}

static void test_journal_corrupted_record(void **state)
{
	(void)state;
	size_t len;
	char *text = real_journal(&len, NULL, 0);
	char *p = strstr(text, "[step 2]\nkind = group\nname = RDLS%20Peers");
	assert_non_null(p);
	size_t header_line = 1;
	for (char *q = text; q < p; q++)
		header_line += *q == '\n';
	p[strlen("[step 2]\nkind = group\nname = R")] = 'X'; /* a flipped byte */
	struct rdls_journal *j = parse(text, len);
	assert_true(j->header_ok);
	assert_int_equal(j->n_damaged, 1);
	assert_false(j->torn_tail);
	for (size_t i = 0; i < j->n_recs; i++)
		if (j->recs[i].index == 2)
			fail_msg("the damaged record was accepted");
	assert_int_equal(j->n_recs, 3); /* steps 1, 3 and 4 */
	char want[80];
	snprintf(want, sizeof(want), "line %zu: [step 2] is damaged (checksum mismatch); ignored",
		 header_line);
	bool found = false;
	for (size_t i = 0; i < j->n_problems; i++)
		found |= strcmp(j->problems[i], want) == 0;
	if (!found)
		fail_msg("no problem '%s' (first: '%s')", want, j->n_problems ? j->problems[0] : "");
	rdls_journal_free(j);

	/* a record whose checksum is right but whose content is not valid is refused too */
	const char sec[] = "[step 9]\nkind = regval\nname = x\nprior = maybe\nafter = absent\n";
	char canon[128], forged[256];
	snprintf(canon, sizeof(canon), "[step 9]\nkind=regval\nname=x\nprior=maybe\nafter=absent\n");
	snprintf(forged, sizeof(forged), "%scrc = %08lx\n", sec, rdls_crc32(0, canon, strlen(canon)));
	j = parse(forged, strlen(forged));
	assert_int_equal(j->n_recs, 0);
	assert_int_equal(j->n_problems, 1);
	assert_non_null(strstr(j->problems[0], "not valid"));
	rdls_journal_free(j);
	free(text);
}

static void test_journal_rollback_of_damaged_journal_is_incomplete(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	fake_set_env(f, "RDLS_PEER_PASSWORD", SECRET);
	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	struct rdls_opts o = { .command = "apply", .profile = "profiles/workgroup-two-servers.ini",
			       .yes = true, .out = out, .err = err };
	assert_int_equal(cmd_apply(&o, &sys), RDLS_EXIT_OK);
	char path[4300];
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_newest(&sys, path, sizeof(path), &e), 0);
	size_t len;
	char *text = read_all(path, &len);
	char *p = strstr(text, "[step 2]\nkind = group");
	assert_non_null(p);
	p[strlen("[step 2]\nkind = gr")] = 'u';
	write_all(path, text, len);
	free(text);
	o.command = "rollback";
	o.profile = NULL;
	assert_int_equal(cmd_rollback(&o, &sys), RDLS_EXIT_INCOMPLETE);
	/* what the journal still proves is undone; the group of the damaged record is left */
	assert_false(fake_has_user(f, "rdls-peer"));
	assert_null(fake_get_cred(f, "LICSVR2"));
	assert_true(fake_has_group(f, "RDLS Peers"));
	fflush(err);
	rewind(err);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, err);
	buf[n] = '\0';
	if (!strstr(buf, "damaged record"))
		fail_msg("damage not reported: %s", buf);
	fclose(out);
	fclose(err);
	fake_sys_free(f);
}

static void test_journal_long_and_nul_lines(void **state)
{
	(void)state;
	size_t len;
	char *text = real_journal(&len, NULL, 0);
	struct rdls_journal *ref = parse(text, len);
	size_t recs = ref->n_recs;
	rdls_journal_free(ref);

	/* a 5,000-character comment between two sections harms nothing */
	char *at = strstr(text, "[step 3]");
	assert_non_null(at);
	size_t pre = (size_t)(at - text), big = 5000;
	char *with = malloc(len + big + 2);
	memcpy(with, text, pre);
	with[pre] = ';';
	memset(with + pre + 1, 'x', big - 1);
	with[pre + big] = '\n';
	memcpy(with + pre + big + 1, at, len - pre);
	struct rdls_journal *j = parse(with, len + big + 1);
	assert_int_equal(j->n_recs, recs);
	assert_int_equal(j->n_damaged, 0);
	rdls_journal_free(j);

	/* an overlong value line damages its own record only */
	size_t kt = (size_t)(strstr(at, "name = ") - text) + 7;
	memcpy(with, text, kt);
	memset(with + kt, 'y', big);
	memcpy(with + kt + big, text + kt, len - kt);
	j = parse(with, len + big);
	assert_int_equal(j->n_recs, recs - 1);
	assert_int_equal(j->n_damaged, 1);
	rdls_journal_free(j);

	/* a NUL byte inside a record: that record only */
	char *nul = malloc(len);
	memcpy(nul, text, len);
	char *k = strstr(nul, "[step 3]\nkind = ");
	assert_non_null(k);
	k[strlen("[step 3]\nkind = ")] = '\0';
	j = parse(nul, len);
	assert_int_equal(j->n_recs, recs - 1);
	assert_int_equal(j->n_damaged, 1);
	rdls_journal_free(j);
	free(nul);
	free(with);
	free(text);
}

static void test_journal_arbitrary_bytes_never_crash(void **state)
{
	(void)state;
	static const char *const nasty[] = {
		"",
		"\n\n\n",
		"crc = 00000000\n",
		"[journal]\ncrc = 00000000\n",
		"[journal\nformat = 1\n",
		"key before any section = 1\n[step 1]\ncrc = 0\n",
		"[step 99999999999999999999]\nkind = user\ncrc = 1\n",
		"[step 1]\nprior.data = zz\nname = %\nname = %4\nkey = %00\ncrc = x\n",
		"[done 0]\ncrc = 0\n[undone -1]\ncrc = 0\n[failed x]\ncrc = 0\n",
		"\xef\xbb\xbf[journal]\r\nformat = 1\r\n",
		"[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nx = 1\n",
		"  indented = 1\n   continuation\n",
	};
	for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		struct rdls_journal *j = parse(nasty[i], strlen(nasty[i]));
		assert_false(j->header_ok);
		assert_int_equal(j->n_recs, 0);
		rdls_journal_free(j);
	}
	/* and pseudo-random bytes (a fixed LCG: the same every run) */
	uint32_t x = 12345;
	char buf[600];
	for (int round = 0; round < 400; round++) {
		size_t n = (size_t)(round * 7 % 600);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			/* mostly journal-like characters, sometimes anything */
			static const char alphabet[] = "[]=\n abcdeklnpr0123456789%;#.";
			buf[i] = (x >> 24) % 8 ? alphabet[(x >> 16) % (sizeof(alphabet) - 1)]
					       : (char)(x >> 16);
		}
		struct rdls_journal *j = parse(buf, n);
		rdls_journal_free(j);
	}
}

static void test_journal_newest_and_names(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	rdls_err e;
	rdls_err_clear(&e);
	char path[4300];
	assert_int_equal(rdls_journal_newest(&sys, path, sizeof(path), &e), -1);
	assert_non_null(strstr(e.text, "nothing to roll back"));

	struct rdls_jwriter *a = NULL, *b = NULL, *c = NULL;
	const struct rdls_jheader ha = { .host = "LICSVR1", .started = 200 };
	const struct rdls_jheader hb = { .host = "LICSVR1", .started = 100 }; /* clock went back */
	assert_int_equal(rdls_journal_create(&sys, NULL, &ha, &a, &e), 0);
	assert_int_equal(rdls_journal_create(&sys, NULL, &hb, &b, &e), 0);
	assert_int_equal(rdls_journal_create(&sys, NULL, &hb, &c, &e), 0); /* the same second */
	assert_string_not_equal(rdls_journal_path(b), rdls_journal_path(c));
	assert_non_null(strstr(rdls_journal_path(c), "19700101T000140Z-LICSVR1-2.ini"));
	/* the newest is the one created last, whatever the clock said */
	assert_int_equal(rdls_journal_newest(&sys, path, sizeof(path), &e), 0);
	assert_string_equal(path, rdls_journal_path(c));

	/* a torn last line of the index (a crash while registering) is skipped */
	char dir[4096], index[4200];
	assert_int_equal(sys.ops->journal_dir(sys.ctx, dir, sizeof(dir), &e), 0);
	snprintf(index, sizeof(index), "%s/index", dir);
	FILE *ix = fopen(index, "ab");
	fputs("/somewhere/torn-jour", ix);
	fclose(ix);
	assert_int_equal(rdls_journal_newest(&sys, path, sizeof(path), &e), 0);
	assert_string_equal(path, rdls_journal_path(c));

	/* an explicit path that exists is refused: it may be another apply's journal */
	struct rdls_jwriter *d = NULL;
	assert_int_equal(rdls_journal_create(&sys, rdls_journal_path(a), &ha, &d, &e), -1);
	assert_null(d);
	assert_non_null(strstr(e.text, "already exists"));
	/* a new explicit path works and becomes the newest */
	char mine[4300];
	snprintf(mine, sizeof(mine), "%s/mine.ini", dir);
	assert_int_equal(rdls_journal_create(&sys, mine, &ha, &d, &e), 0);
	assert_int_equal(rdls_journal_newest(&sys, path, sizeof(path), &e), 0);
	assert_string_equal(path, mine);
	/* an odd host name becomes a safe file name */
	struct rdls_jwriter *o = NULL;
	const struct rdls_jheader ho = { .host = "../x y", .started = 0 };
	assert_int_equal(rdls_journal_create(&sys, NULL, &ho, &o, &e), 0);
	assert_non_null(strstr(rdls_journal_path(o), "19700101T000000Z-.._x_y.ini"));
	rdls_journal_close(a);
	rdls_journal_close(b);
	rdls_journal_close(c);
	rdls_journal_close(d);
	rdls_journal_close(o);
	fake_sys_free(f);
}

static void test_journal_write_failure_is_reported(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_jwriter *w = NULL;
	const struct rdls_jheader h = { .host = "LICSVR1", .started = 0 };
	assert_int_equal(rdls_journal_create(&sys, NULL, &h, &w, &e), 0);
	struct rdls_step s = make_step(&res_user_ops, NULL, "u");
	s.want.present = true;
	fake_fail_nth(f, "file_sync", 1, 112); /* ERROR_DISK_FULL */
	assert_int_equal(rdls_journal_step(w, 1, &s, &e), -1);
	assert_int_equal(e.code, 112);
	rdls_step_release(&s);
	rdls_journal_close(w);
	fake_sys_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_crc32_vector),
		cmocka_unit_test(test_journal_round_trip),
		cmocka_unit_test(test_journal_torn_at_every_byte),
		cmocka_unit_test(test_journal_corrupted_record),
		cmocka_unit_test(test_journal_rollback_of_damaged_journal_is_incomplete),
		cmocka_unit_test(test_journal_long_and_nul_lines),
		cmocka_unit_test(test_journal_arbitrary_bytes_never_crash),
		cmocka_unit_test(test_journal_newest_and_names),
		cmocka_unit_test(test_journal_write_failure_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
