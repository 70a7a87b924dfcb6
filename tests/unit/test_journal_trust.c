/*
 * Rollback writes back only what apply could have written (writable.h): a journal
 * with intact checksums that holds any record outside the table of registry values
 * and keys, or outside the account, group, peers and host its header names, is
 * refused whole through `rdlsctl rollback` (cmd_rollback): exit 1, a message naming
 * the file, the record's line and why, and nothing written on the fake machine.
 * Each planted record is one rollback would otherwise act on (the live state is
 * what the record says apply left), and each is appended to the journal of a real
 * apply, so the refusal also keeps the real records from being undone.
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
#include "rdls/cli.h"
#include "rdls/journal.h"
#include "rdls/preg.h"
#include "rdls/regpaths.h"
#include "rdls/writable.h"
#include "resource.h"
#include "testutil.h"

#define SECRET "Trust-Test-Secret-4471"
#define WG2 "profiles/workgroup-two-servers.ini"
#define RUN_KEY "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	char journal[4096]; /* the real apply's journal */
	char *after_apply;  /* the machine's snapshot after the apply */
};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *s = calloc(1, 1 << 16);
	size_t n = fread(s, 1, (1 << 16) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* `rdlsctl rollback [journal] --yes`; returns the exit code, *err what it printed there. */
static int rollback(struct rdls_sys *sys, const char *journal, char **err)
{
	FILE *out = tu_tmpfile(), *e = tu_tmpfile();
	struct rdls_opts o = { .command = "rollback", .journal = journal, .yes = true,
			       .out = out, .err = e };
	int rc = cmd_rollback(&o, sys);
	free(tu_take(out));
	*err = tu_take(e);
	fclose(out);
	fclose(e);
	return rc;
}

/* LICSVR1 of the two-server workgroup profile, applied for real (7 changes). */
static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new("LICSVR1");
	c->sys = fake_sys_iface(c->f);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	/* what a planted record could aim at */
	fake_add_user(c->f, "Administrator", "x");
	fake_add_group(c->f, "Administrators");
	fake_add_member(c->f, "Administrators", "LICSVR1\\Administrator");
	fake_set_cred(c->f, "EVILPEER", "EVILPEER\\rdls-peer", "rdls1$check");
	fake_set_ls_pub(c->f, RDLS_LS_PUBLISHED);

	FILE *out = tu_tmpfile(), *err = tu_tmpfile();
	struct rdls_opts o = { .command = "apply", .profile = WG2, .yes = true, .out = out,
			       .err = err };
	int rc = cmd_apply(&o, &c->sys);
	char *so = tu_take(out), *se = tu_take(err);
	if (rc != 0)
		fail_msg("apply: exit %d:\n%s%s", rc, so, se);
	free(so);
	free(se);
	fclose(out);
	fclose(err);
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_newest(&c->sys, c->journal, sizeof(c->journal), &e), 0);
	c->after_apply = fake_snapshot(c->f);
}

static void ctx_release(struct ctx *c)
{
	free(c->after_apply);
	fake_sys_free(c->f);
}

/* Appends record `index` (and its [done] mark) to the journal at path. */
static void plant(struct ctx *c, const char *path, size_t index, const struct rdls_step *s)
{
	struct rdls_jwriter *w = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_append(&c->sys, path, &w, &e), 0);
	assert_int_equal(rdls_journal_step(w, index, s, &e), 0);
	assert_int_equal(rdls_journal_mark(w, RDLS_JMARK_DONE, index, NULL, &e), 0);
	rdls_journal_close(w);
}

/* The line of "[step N]" in the file, counted here independently of the reader. */
static int step_line(const char *path, size_t index)
{
	char *text = read_file(path), want[32];
	snprintf(want, sizeof(want), "[step %zu]", index);
	int line = 1;
	for (const char *p = text; *p; p++) {
		if (strncmp(p, want, strlen(want)) == 0 && (p == text || p[-1] == '\n')) {
			free(text);
			return line;
		}
		line += *p == '\n';
	}
	free(text);
	fail_msg("no %s in %s", want, path);
	return 0;
}

/*
 * rollback (of the newest journal, or of `path` given as JOURNAL) is refused: exit 1,
 * "journal 'PATH' line N: [step K] ...WHY", and nothing written: not the machine, not
 * the journal (no [undone] mark).
 */
static void expect_refused(struct ctx *c, const char *path, bool by_name, size_t index,
			   const char *why)
{
	char *journal_before = read_file(path);
	unsigned writes = fake_writes(c->f);
	char *err = NULL;
	int rc = rollback(&c->sys, by_name ? path : NULL, &err);
	char want[5000];
	snprintf(want, sizeof(want), "journal '%s' line %d: [step %zu] ", path,
		 step_line(path, index), index);
	if (rc != RDLS_EXIT_ERROR || !strstr(err, want) || !strstr(err, why) ||
	    !strstr(err, "refused whole and nothing was rolled back"))
		fail_msg("rollback%s: exit %d, expected 1 with '%s...%s' in:\n%s",
			 by_name ? " FILE" : "", rc, want, why, err);
	free(err);
	char *now = fake_snapshot(c->f);
	assert_string_equal(now, c->after_apply);
	free(now);
	assert_int_equal(fake_writes(c->f), writes);
	char *journal_now = read_file(path);
	assert_string_equal(journal_now, journal_before);
	free(journal_now);
	free(journal_before);
	assert_false(fake_lock_held(c->f));
}

/* The planted record k of the real journal, refused by `rollback` and `rollback FILE`. */
static void planted(const struct rdls_step *s, const char *why)
{
	struct ctx c;
	ctx_init(&c);
	plant(&c, c.journal, 100, s);
	expect_refused(&c, c.journal, false, 100, why);
	expect_refused(&c, c.journal, true, 100, why);
	ctx_release(&c);
}

static unsigned char evil_cmd[] = "C:\\Users\\Public\\evil.exe";

/* ------------------------------------------------------------------- tests */

static void test_trust_run_value_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_regval_ops, .key = RUN_KEY, .name = "Updater" };
	s.prior = (struct rdls_state){ .present = true, .type = RDLS_REG_SZ, .data = evil_cmd,
				       .len = sizeof(evil_cmd) };
	planted(&s, "registry HKLM\\" RUN_KEY "\\Updater: not a registry value rdlsctl writes");
	/* the same value name, a key of the table, but a type apply never sets */
	struct rdls_step t = { .ops = &res_regval_ops, .key = RDLS_KEY_TS_POLICY,
			       .name = "LicensingMode" };
	t.want = (struct rdls_state){ .present = true, .type = RDLS_REG_SZ, .data = evil_cmd,
				      .len = sizeof(evil_cmd) };
	planted(&t, "rdlsctl sets this value as type 4, but the record says apply left type 1");
}

static void test_trust_foreign_key_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_regkey_ops, .name = "SOFTWARE\\Classes\\evil" };
	s.prior.present = true; /* undo would create it */
	planted(&s, "registry key HKLM\\SOFTWARE\\Classes\\evil: not a registry key rdlsctl creates");
	/* a key below one of the table's keys is not a level leading to it */
	struct rdls_step t = { .ops = &res_regkey_ops, .name = RDLS_KEY_TS_POLICY "\\Sub" };
	t.want.present = true;
	planted(&t, "not a registry key rdlsctl creates");
}

static void test_trust_foreign_user_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_user_ops, .name = "Administrator" };
	s.want.present = true; /* undo would delete it */
	planted(&s, "user 'Administrator': names account 'Administrator', but the journal's header "
		    "names 'rdls-peer'");
}

/* A password record (apply --rotate) only for the header's account, and never restorable. */
static void test_trust_password_records(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_password_ops, .name = "Administrator",
			       .flags = RDLS_STEP_IRREVERSIBLE };
	s.prior.present = s.want.present = s.want.ours = true;
	planted(&s, "password of user 'Administrator': names account 'Administrator', but the "
		    "journal's header names 'rdls-peer'");
	struct rdls_step t = { .ops = &res_password_ops, .name = "rdls-peer" };
	t.prior.present = t.want.present = t.want.ours = true; /* claims to be restorable */
	planted(&t, "apply records a password only as set for an existing user and not restorable");
}

static void test_trust_foreign_group_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_group_ops, .name = "Administrators" };
	s.want.present = true;
	planted(&s, "group 'Administrators': names group 'Administrators', but the journal's "
		    "header names 'RDLS Peers'");
}

static void test_trust_foreign_member_refused(void **state)
{
	(void)state;
	/* another account in rdlsctl's group */
	struct rdls_step s = { .ops = &res_member_ops, .key = "RDLS Peers",
			       .name = "LICSVR1\\Administrator" };
	s.want.present = true;
	planted(&s, "names account 'Administrator', but the journal's header names 'rdls-peer'");
	/* rdlsctl's account in another group: undo would take it out of there */
	struct rdls_step t = { .ops = &res_member_ops, .key = "Administrators",
			       .name = "LICSVR1\\rdls-peer" };
	t.want.present = true;
	planted(&t, "names group 'Administrators', but the journal's header names 'RDLS Peers'");
	/* the right member and group, but removed: apply never removes a member */
	struct rdls_step r = { .ops = &res_member_ops, .key = "RDLS Peers",
			       .name = "LICSVR1\\rdls-peer" };
	r.prior.present = true;
	planted(&r, "apply only ever creates this kind, but the record says it removed it");
	/* another computer's account */
	struct rdls_step u = { .ops = &res_member_ops, .key = "RDLS Peers",
			       .name = "EVIL\\rdls-peer" };
	u.want.present = true;
	planted(&u, "the member is not 'LICSVR1\\' and an account");
}

static void test_trust_foreign_peer_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_cred_ops, .name = "EVILPEER" };
	s.want = (struct rdls_state){ .present = true, .type = RDLS_CRED_TYPE_DOMAIN_PASSWORD,
				      .user = "EVILPEER\\rdls-peer", .ours = true };
	planted(&s, "credential 'EVILPEER' (NETWORK SERVICE): 'EVILPEER' is not one of the peers "
		    "the journal's header names");
	/* a peer of the header, but for another user */
	struct rdls_step t = { .ops = &res_cred_ops, .name = "LICSVR2" };
	t.want = (struct rdls_state){ .present = true, .type = RDLS_CRED_TYPE_DOMAIN_PASSWORD,
				      .user = "LICSVR2\\Administrator", .ours = true };
	planted(&t, "names account 'Administrator', but the journal's header names 'rdls-peer'");
}

static void test_trust_publication_of_another_host_refused(void **state)
{
	(void)state;
	struct rdls_step s = { .ops = &res_lspublish_ops, .name = "LICSVR2" };
	s.want.present = true; /* undo would unpublish this server */
	planted(&s, "apply publishes only the host the journal is for (LICSVR1)");

	/* and a journal of another host altogether is refused before its records are read */
	struct ctx c;
	ctx_init(&c);
	struct fake_sys *other = fake_sys_new("LICSVR2");
	struct rdls_sys other_sys = fake_sys_iface(other);
	char *before = fake_snapshot(other);
	/* the first machine's journal, passed as FILE on the second */
	char *err = NULL;
	assert_int_equal(rollback(&other_sys, c.journal, &err), RDLS_EXIT_ERROR);
	if (!strstr(err, "records an apply on LICSVR1, but this is LICSVR2"))
		fail_msg("rollback on another host:\n%s", err);
	free(err);
	char *now = fake_snapshot(other);
	assert_string_equal(now, before);
	free(now);
	free(before);
	fake_sys_free(other);
	ctx_release(&c);
}

/* A normal apply's journal still rolls back, to exactly the machine before. */
static void test_trust_normal_journal_rolls_back(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char *err = NULL;
	int rc = rollback(&c.sys, NULL, &err);
	if (rc != RDLS_EXIT_OK)
		fail_msg("rollback of a normal journal: exit %d:\n%s", rc, err);
	free(err);
	/* everything apply made is gone; what was there before stays */
	assert_false(fake_has_user(c.f, "rdls-peer"));
	assert_false(fake_has_group(c.f, "RDLS Peers"));
	assert_null(fake_get_cred(c.f, "LICSVR2"));
	assert_null(fake_get_reg(c.f, RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup"));
	assert_true(fake_has_user(c.f, "Administrator"));
	assert_non_null(fake_get_cred(c.f, "EVILPEER"));
	ctx_release(&c);
}

/* ---------------------------------------------------- format 1 journals */

/* A format 1 header (no account, group or peers), as the previous version wrote it. */
static void write_v1(const char *path, const char *host)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "format=1\ntool=0.9.0\nhost=%s\nprofile=p.ini\nstarted=2024-07-03T12:00:00Z\n", host);
	unsigned long crc = rdls_crc32(0, "[journal]\n", 10);
	crc = rdls_crc32(crc, body, strlen(body));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fprintf(f, "; rdlsctl journal\n[journal]\nformat = 1\ntool = 0.9.0\nhost = %s\n"
		   "profile = p.ini\nstarted = 2024-07-03T12:00:00Z\ncrc = %08lx\n\n", host, crc);
	fclose(f);
}

/* The real journal's records, copied after a format 1 header into path. */
static void copy_records_v1(struct ctx *c, const char *path)
{
	write_v1(path, "LICSVR1");
	FILE *in = fopen(c->journal, "rb");
	assert_non_null(in);
	struct rdls_journal *j = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_journal_read(in, c->journal, &j, &e), 0);
	fclose(in);
	for (size_t i = 0; i < j->n_recs; i++)
		plant(c, path, j->recs[i].index, &j->recs[i].step);
	rdls_journal_free(j);
}

static void test_trust_v1_mixed_accounts_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char path[4300];
	snprintf(path, sizeof(path), "%s.v1.ini", c.journal);
	copy_records_v1(&c, path);
	struct rdls_step s = { .ops = &res_user_ops, .name = "Administrator" };
	s.want.present = true;
	plant(&c, path, 100, &s);
	expect_refused(&c, path, true, 100, "user 'Administrator': names account 'Administrator', "
					    "but the journal's other records name 'rdls-peer'");
	ctx_release(&c);

	/* a second group, and a registry record outside the table, in a format 1 journal */
	ctx_init(&c);
	snprintf(path, sizeof(path), "%s.v1.ini", c.journal);
	copy_records_v1(&c, path);
	struct rdls_step g = { .ops = &res_group_ops, .name = "Administrators" };
	g.want.present = true;
	plant(&c, path, 100, &g);
	expect_refused(&c, path, true, 100,
		       "names group 'Administrators', but the journal's other records name 'RDLS Peers'");
	ctx_release(&c);

	ctx_init(&c);
	snprintf(path, sizeof(path), "%s.v1.ini", c.journal);
	copy_records_v1(&c, path);
	struct rdls_step r = { .ops = &res_regval_ops, .key = RUN_KEY, .name = "Updater" };
	r.prior = (struct rdls_state){ .present = true, .type = RDLS_REG_SZ, .data = evil_cmd,
				       .len = sizeof(evil_cmd) };
	plant(&c, path, 100, &r);
	expect_refused(&c, path, true, 100, "not a registry value rdlsctl writes");
	ctx_release(&c);
}

/* A format 1 journal of a normal apply rolls back as before. */
static void test_trust_v1_normal_journal_rolls_back(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char path[4300];
	snprintf(path, sizeof(path), "%s.v1.ini", c.journal);
	copy_records_v1(&c, path);
	char *err = NULL;
	int rc = rollback(&c.sys, path, &err);
	if (rc != RDLS_EXIT_OK)
		fail_msg("rollback of a format 1 journal: exit %d:\n%s", rc, err);
	free(err);
	assert_false(fake_has_user(c.f, "rdls-peer"));
	assert_null(fake_get_cred(c.f, "LICSVR2"));
	ctx_release(&c);
}

/* A journal of a newer format than this rdlsctl knows is refused, changing nothing. */
static void test_trust_newer_format_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char path[4300];
	snprintf(path, sizeof(path), "%s.v3.ini", c.journal);
	char body[256];
	snprintf(body, sizeof(body), "format=%d\ntool=9.0.0\nhost=LICSVR1\n", RDLS_JOURNAL_FORMAT + 1);
	unsigned long crc = rdls_crc32(rdls_crc32(0, "[journal]\n", 10), body, strlen(body));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fprintf(f, "[journal]\nformat = %d\ntool = 9.0.0\nhost = LICSVR1\ncrc = %08lx\n\n",
		RDLS_JOURNAL_FORMAT + 1, crc);
	fclose(f);
	struct rdls_step s = { .ops = &res_user_ops, .name = "rdls-peer" };
	s.want.present = true;
	plant(&c, path, 1, &s);
	char *err = NULL;
	assert_int_equal(rollback(&c.sys, path, &err), RDLS_EXIT_ERROR);
	char want[128];
	snprintf(want, sizeof(want), "has format %d, written by a newer rdlsctl", RDLS_JOURNAL_FORMAT + 1);
	if (!strstr(err, want))
		fail_msg("'%s' not in:\n%s", want, err);
	free(err);
	char *now = fake_snapshot(c.f);
	assert_string_equal(now, c.after_apply);
	free(now);
	ctx_release(&c);
}

/* The table itself: what the planner writes, and nothing near it. */
static void test_trust_table(void **state)
{
	(void)state;
	assert_non_null(rdls_writable_find(RDLS_KEY_LICENSING, "workgrouplicenseserveraccountsgroup"));
	assert_non_null(rdls_writable_find("software\\policies\\microsoft\\windows nt\\terminal services",
					   "LicensingMode"));
	assert_null(rdls_writable_find(RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroupX"));
	assert_null(rdls_writable_find(RDLS_KEY_LICENSING "\\x", "SpecifiedLicenseServers"));
	assert_null(rdls_writable_find(RUN_KEY, "LicensingMode"));
	assert_true(rdls_writable(RDLS_WV_ACCOUNTS_GROUP_SPACED)->remove);
	assert_true(rdls_writable_key("SOFTWARE\\Policies"));
	assert_true(rdls_writable_key("system\\currentcontrolset\\services\\termservlicensing"));
	assert_true(rdls_writable_key(RDLS_KEY_TS_POLICY));
	assert_false(rdls_writable_key("SOFTWARE\\Pol"));
	assert_false(rdls_writable_key("SOFTWARE\\Policies\\"));
	assert_false(rdls_writable_key(RDLS_KEY_TS_POLICY "\\x"));
	assert_false(rdls_writable_key(""));
	assert_false(rdls_writable_key(RUN_KEY));
}

/* The registry kinds themselves refuse what is not in the table, whoever asks. */
static void test_trust_kinds_refuse_outside_table(void **state)
{
	(void)state;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	char *before = fake_snapshot(f);
	const struct rdls_rctx rc = { .sys = &sys };
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_step v = { .ops = &res_regval_ops, .key = RUN_KEY, .name = "Updater" };
	v.want = (struct rdls_state){ .present = true, .type = RDLS_REG_SZ, .data = evil_cmd,
				      .len = sizeof(evil_cmd) };
	assert_int_equal(res_regval_ops.change(&v, &rc, &e), -1);
	assert_non_null(strstr(e.text, "is not one rdlsctl writes"));
	v.prior = v.want;
	assert_int_equal(res_regval_ops.undo(&v, &rc, &e), -1);
	struct rdls_step k = { .ops = &res_regkey_ops, .name = "SOFTWARE\\Classes\\evil" };
	k.want.present = true;
	assert_int_equal(res_regkey_ops.change(&k, &rc, &e), -1);
	assert_non_null(strstr(e.text, "is not a key rdlsctl creates or deletes"));
	struct rdls_step g = { .ops = &res_gpofile_ops, .name = "..\\..\\config\\SAM" };
	g.want = (struct rdls_state){ .present = true, .data = evil_cmd, .len = sizeof(evil_cmd) };
	assert_int_equal(res_gpofile_ops.change(&g, &rc, &e), -1);
	assert_non_null(strstr(e.text, "is not a Group Policy file rdlsctl writes"));
	assert_int_equal(res_gpofile_ops.undo(&g, &rc, &e), -1);
	char *now = fake_snapshot(f);
	assert_string_equal(now, before);
	assert_int_equal(fake_writes(f), 0);
	free(now);
	free(before);
	fake_sys_free(f);
}

/* ------------------------------------------------------ local GPO files */

#define GPO_NOT_OURS "not a Group Policy file rdlsctl writes (only Machine\\Registry.pol and gpt.ini"

/* A record naming another file than the two of the local GPO: refused whatever it holds. */
static void test_trust_gpo_other_file_refused(void **state)
{
	(void)state;
	struct rdls_state none = { 0 }, pol;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_gpo_regpol_want(&none, "LICSVR1", 2, &pol, &e), 0);
	static const char *const names[] = { "User\\Registry.pol", "..\\..\\config\\SAM",
					     "Machine\\Scripts\\scripts.ini", "Registry.pol" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* exactly what apply would write into an empty Registry.pol, under another name */
		struct rdls_step s = { .ops = &res_gpofile_ops, .name = (char *)names[i] };
		s.want = pol;
		planted(&s, GPO_NOT_OURS);
	}
	/* the right name, but with a key: no gpofile record has one */
	struct rdls_step k = { .ops = &res_gpofile_ops, .key = "SOFTWARE", .name = "gpt.ini" };
	k.want = pol;
	planted(&k, GPO_NOT_OURS);
	rdls_state_release(&pol);
}

/* The right file, but a record whose "prior" apply could not have read: restoring it
 * would plant a policy (here a Run-key policy) that apply never saw. */
static void test_trust_gpo_implausible_content_refused(void **state)
{
	(void)state;
	struct rdls_state none = { 0 }, ours, evil, evil_ours;
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_preg_value run = { "Software\\Microsoft\\Windows\\CurrentVersion\\Run",
				       "Updater", RDLS_REG_SZ, "C:\\Users\\Public\\evil.exe", 0 };
	unsigned char *d = NULL;
	size_t n = 0;
	assert_int_equal(rdls_preg_set(NULL, 0, "t", &run, 1, &d, &n, &e), 0);
	evil = (struct rdls_state){ .present = true, .data = d, .len = n };
	assert_int_equal(rdls_gpo_regpol_want(&none, "LICSVR1", 2, &ours, &e), 0);
	assert_int_equal(rdls_gpo_regpol_want(&evil, "LICSVR1", 2, &evil_ours, &e), 0);

	/* prior: the evil file, after: what apply makes of an empty one */
	struct rdls_step s = { .ops = &res_gpofile_ops, .name = "Machine\\Registry.pol" };
	s.prior = evil;
	s.want = ours;
	planted(&s, "is not what apply makes of the prior content");
	/* after without the two policies apply always sets */
	s.want = evil;
	s.prior = (struct rdls_state){ 0 };
	planted(&s, "lacks LicenseServers (REG_SZ) or LicensingMode (REG_DWORD 2 or 4)");
	/* a gpt.ini record whose after is not the update of its prior */
	struct rdls_step g = { .ops = &res_gpofile_ops, .name = "gpt.ini" };
	static unsigned char ini[] = "[General]\r\nVersion=7\r\n";
	g.want = (struct rdls_state){ .present = true, .data = ini, .len = sizeof(ini) - 1 };
	planted(&g, "is not what apply makes of the prior content");

	/* consistent: prior evil, after evil plus ours. The check passes (apply could have
	 * written it), and rollback still changes nothing: the live file is not what the
	 * record says apply left (drift), so nothing is restored. */
	struct ctx c;
	ctx_init(&c);
	s.prior = evil;
	s.want = evil_ours;
	plant(&c, c.journal, 100, &s);
	char *err = NULL;
	rollback(&c.sys, NULL, &err);
	assert_null(strstr(err, "refused whole"));
	free(err);
	size_t len = 0;
	assert_null(fake_get_file(c.f, FAKE_GPO_REGPOL, &len));
	ctx_release(&c);

	rdls_state_release(&ours);
	rdls_state_release(&evil);
	rdls_state_release(&evil_ours);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_table),
		cmocka_unit_test(test_trust_kinds_refuse_outside_table),
		cmocka_unit_test(test_trust_run_value_refused),
		cmocka_unit_test(test_trust_foreign_key_refused),
		cmocka_unit_test(test_trust_foreign_user_refused),
		cmocka_unit_test(test_trust_foreign_group_refused),
		cmocka_unit_test(test_trust_password_records),
		cmocka_unit_test(test_trust_foreign_member_refused),
		cmocka_unit_test(test_trust_foreign_peer_refused),
		cmocka_unit_test(test_trust_publication_of_another_host_refused),
		cmocka_unit_test(test_trust_normal_journal_rolls_back),
		cmocka_unit_test(test_trust_v1_mixed_accounts_refused),
		cmocka_unit_test(test_trust_v1_normal_journal_rolls_back),
		cmocka_unit_test(test_trust_newer_format_refused),
		cmocka_unit_test(test_trust_gpo_other_file_refused),
		cmocka_unit_test(test_trust_gpo_implausible_content_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
