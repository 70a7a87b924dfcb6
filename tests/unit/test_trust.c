/*
 * Trust in what another account could plant or hold (trust.c): the journal
 * directory, a journal, the index, the lock and the program's own folder, each
 * presented hostile through the fake. Every refusal is checked for its message
 * and for having changed nothing (fake_snapshot, fake_writes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "rdls/cli.h"
#include "rdls/journal.h"
#include "rdls/trust.h"
#include "testutil.h"

#define SECRET "Trust-Test-Secret-4410"
#define WG2 "profiles/workgroup-two-servers.ini"

struct ctx {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_opts o;
	FILE *out, *err;
	char data[4096], jdir[4200], index[4300];
};

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new("LICSVR1");
	c->sys = fake_sys_iface(c->f);
	fake_set_env(c->f, "RDLS_PEER_PASSWORD", SECRET);
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(c->sys.ops->data_dir(c->sys.ctx, c->data, sizeof(c->data), &e), 0);
	snprintf(c->jdir, sizeof(c->jdir), "%s/journal", c->data);
	snprintf(c->index, sizeof(c->index), "%s/index", c->jdir);
}

static void ctx_release(struct ctx *c)
{
	fclose(c->out);
	fclose(c->err);
	fake_sys_free(c->f);
}

/* Runs a command with --yes; *err receives what it printed on stderr. */
static int run(struct ctx *c, rdls_cmd_fn fn, const char *command, const char *profile,
	       const char *journal, char **err)
{
	c->o = (struct rdls_opts){ .command = command, .profile = profile, .journal = journal,
				   .yes = true, .out = c->out, .err = c->err };
	int rc = fn(&c->o, &c->sys);
	free(tu_take(c->out));
	char *e = tu_take(c->err);
	if (err)
		*err = e;
	else
		free(e);
	return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

/* An apply that leaves a journal to roll back; returns the journal's path (static). */
static const char *applied(struct ctx *c)
{
	static char path[4400];
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(run(c, cmd_apply, "apply", WG2, NULL, NULL), RDLS_EXIT_OK);
	assert_int_equal(rdls_journal_newest(&c->sys, path, sizeof(path), &e), 0);
	return path;
}

static rdls_file_sec foreign_owner(bool dir)
{
	rdls_file_sec s;
	fake_file_sec_default(&s, dir);
	s.owner = RDLS_WHO_OTHER;
	snprintf(s.owner_name, sizeof(s.owner_name), "LICSVR1\\mallory");
	return s;
}

static rdls_file_sec users_may_write(bool dir)
{
	rdls_file_sec s;
	fake_file_sec_default(&s, dir);
	s.aces[s.n_aces++] = (rdls_sec_ace){ .who = RDLS_WHO_OTHER, .mask = 0x00120116u,
					     .name = "BUILTIN\\Users" };
	return s;
}

/* Rollback refuses; the machine is exactly as apply left it, and nothing was written. */
static void assert_rollback_refused(struct ctx *c, const char *journal, const char *needle)
{
	char *before = fake_snapshot(c->f), *err;
	unsigned w = fake_writes(c->f);
	assert_int_equal(run(c, cmd_rollback, "rollback", NULL, journal, &err), RDLS_EXIT_ERROR);
	assert_contains(err, needle);
	char *after = fake_snapshot(c->f);
	assert_string_equal(after, before);
	assert_int_equal(fake_writes(c->f), w);
	assert_false(fake_lock_held(c->f));
	free(err);
	free(after);
	free(before);
}

/* ------------------------------------------------------------------ judge */

static void test_trust_judge(void **state)
{
	(void)state;
	char why[700];
	rdls_file_sec s;

	fake_file_sec_default(&s, false);
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	/* The running user's own file: trusted only where every process is that account
	 * (Wine); on Windows its unelevated processes could have made it. */
	s.owner = RDLS_WHO_SELF;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	s.one_account = true;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	s.one_account = false;

	s = foreign_owner(false);
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	assert_contains(why, "owned by LICSVR1\\mallory");

	s = users_may_write(false);
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	assert_contains(why, "lets BUILTIN\\Users change it");
	assert_contains(why, "0x00120116");
	/* read-only for Users, an inherit-only ACE, CREATOR OWNER and OWNER RIGHTS: fine */
	s.aces[2].mask = 0x001200a9u;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	s.aces[2].mask = 0x1f01ffu;
	s.aces[2].inherit_only = true;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	s.aces[2].inherit_only = false;
	s.aces[2].who = RDLS_WHO_CREATOR;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	s.aces[2].who = RDLS_WHO_OWNER_RIGHTS;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	s.aces[2].who = RDLS_WHO_TRUSTED_INSTALLER;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED);
	/* each bit that changes a file or a directory's entries, alone */
	static const uint32_t bits[] = { 0x2, 0x4, 0x40, 0x10000, 0x40000, 0x80000,
					 0x10000000, 0x40000000 };
	s.aces[2].who = RDLS_WHO_OTHER;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		s.aces[2].mask = bits[i];
		if (rdls_trust_judge(&s, why, sizeof(why)) != RDLS_UNTRUSTED)
			fail_msg("mask 0x%lx for BUILTIN\\Users was accepted", (unsigned long)bits[i]);
	}

	fake_file_sec_default(&s, false);
	s.null_dacl = true;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	assert_contains(why, "no DACL");
	fake_file_sec_default(&s, false);
	s.more_aces = true;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	fake_file_sec_default(&s, false);
	s.reparse = true;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	assert_contains(why, "reparse point");
	/* no descriptor: untrusted, unless the file system keeps none at all (then a warning) */
	memset(&s, 0, sizeof(s));
	s.exists = true;
	s.state = RDLS_SEC_UNAVAILABLE;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_UNTRUSTED);
	s.state = RDLS_SEC_UNSUPPORTED;
	assert_int_equal(rdls_trust_judge(&s, why, sizeof(why)), RDLS_TRUSTED_UNCHECKED);
	assert_contains(why, "keeps no owners");
}

/* -------------------------------------------------------- journal and index */

static void test_trust_journal_foreign_owner(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	const char *j = applied(&c);
	rdls_file_sec s = foreign_owner(false);
	fake_set_file_sec(c.f, j, &s);
	/* named on the command line, and found through the index */
	assert_rollback_refused(&c, j, "owned by LICSVR1\\mallory, not by Administrators or SYSTEM");
	assert_rollback_refused(&c, NULL, "icacls");
	ctx_release(&c);
}

static void test_trust_journal_users_may_write(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	const char *j = applied(&c);
	rdls_file_sec s = users_may_write(false);
	fake_set_file_sec(c.f, j, &s);
	assert_rollback_refused(&c, NULL, "lets BUILTIN\\Users change it (an allow ACE with access "
					  "mask 0x00120116)");
	ctx_release(&c);
}

static void test_trust_index_users_may_write(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	applied(&c);
	rdls_file_sec s = users_may_write(false);
	fake_set_file_sec(c.f, c.index, &s);
	/* the file itself, as journal.c checks it before reading or appending */
	FILE *ix = fopen(c.index, "rb");
	assert_non_null(ix);
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_trust_file(&c.sys, ix, c.index, "journal index", NULL, &e), -1);
	fclose(ix);
	assert_contains(e.text, "journal index");
	assert_contains(e.text, "lets BUILTIN\\Users change it");
	assert_contains(e.text, "icacls");
	/* through rollback: the directory holding it is set aside, nothing is undone */
	assert_rollback_refused(&c, NULL, "'index' in it: its DACL lets BUILTIN\\Users change it");
	ctx_release(&c);
}

/* A line someone added to the index names a journal they wrote elsewhere. */
static void test_trust_planted_index_line(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	const char *j = applied(&c);
	char planted[4200], *text;
	size_t len;
	FILE *src = fopen(j, "rb");
	assert_non_null(src);
	text = calloc(1, 1 << 16);
	len = fread(text, 1, (1 << 16) - 1, src);
	fclose(src);
	assert_int_equal(tu_temp_file(planted, sizeof(planted), "rdls-planted-", text, len), 0);
	free(text);
	rdls_file_sec s = foreign_owner(false);
	fake_set_file_sec(c.f, planted, &s);
	FILE *ix = fopen(c.index, "ab");
	assert_non_null(ix);
	fprintf(ix, "\n%s\n", planted);
	fclose(ix);
	assert_rollback_refused(&c, NULL, planted);
	assert_rollback_refused(&c, NULL, "mallory");
	unlink(planted);
	ctx_release(&c);
}

/* A journal on a file system without ACLs is read, with a warning. */
static void test_trust_journal_unsupported_warns(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	const char *j = applied(&c);
	rdls_file_sec s;
	memset(&s, 0, sizeof(s));
	s.state = RDLS_SEC_UNSUPPORTED;
	fake_set_file_sec(c.f, j, &s);
	char *err;
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, j, &err), RDLS_EXIT_OK);
	assert_contains(err, "warning: journal");
	assert_contains(err, "keeps no owners or permissions");
	free(err);
	ctx_release(&c);
}

/* ----------------------------------------------------------------- the directory */

static void test_trust_dir_reparse_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char *err;
	assert_int_equal(tu_mkdir(c.data), 0);
#ifndef _WIN32 /* a real symbolic link on the disk (MSYS2: the seeded reparse point below) */
	char target[4096];
	assert_int_equal(tu_mkdtemp(target, sizeof(target), "rdls-link-target-"), 0);
	assert_int_equal(symlink(target, c.jdir), 0);
	int rc = run(&c, cmd_apply, "apply", WG2, NULL, &err);
	if (rc != RDLS_EXIT_ERROR)
		fail_msg("apply returned %d:\n%s", rc, err);
	assert_contains(err, "junction or symbolic link");
	assert_contains(err, "rmdir");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	assert_false(fake_lock_held(c.f));
	/* the link's target got nothing */
	bool exists, dir, link;
	char probe[4200];
	snprintf(probe, sizeof(probe), "%s/index", target);
	assert_int_equal(tu_path_kind(probe, &exists, &dir, &link), 0);
	assert_false(exists);
	unlink(c.jdir);
	rmdir(target);
#endif
	/* the same as a reparse point the fake only reports */
	assert_int_equal(tu_mkdir(c.jdir), 0);
	rdls_file_sec s;
	fake_file_sec_default(&s, true);
	s.reparse = true;
	fake_set_file_sec(c.f, c.jdir, &s);
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "junction or symbolic link");
	free(err);
	assert_int_equal(fake_writes(c.f), 0);
	ctx_release(&c);
}

static bool aside_exists(const char *dir)
{
	/* "<dir>.untrusted-<stamp>" next to it */
	char parent[4096], prefix[300];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	snprintf(prefix, sizeof(prefix), "%s.untrusted-", slash + 1);
	*slash = '\0';
	DIR *d = opendir(parent);
	struct dirent *de;
	bool found = false;
	while (d && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			found = true;
	if (d)
		closedir(d);
	return found;
}

static void test_trust_dir_foreign_set_aside(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	assert_int_equal(tu_mkdir(c.data), 0);
	rdls_file_sec s = foreign_owner(true);
	fake_set_file_sec(c.f, c.data, &s);
	char *err;
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, NULL, &err), RDLS_EXIT_OK);
	assert_contains(err, "could not be trusted (it is owned by LICSVR1\\mallory");
	assert_contains(err, "moved it aside as");
	free(err);
	assert_true(aside_exists(c.data));
	/* the new one is trusted: a rollback needs no warning */
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, NULL, &err), RDLS_EXIT_OK);
	if (strstr(err, "warning"))
		fail_msg("unexpected warning: %s", err);
	free(err);
	ctx_release(&c);
}

/* A file someone else owns inside the journal directory: the directory is set aside
 * before anything in it is read, and rollback then finds nothing to undo. */
static void test_trust_dir_foreign_file_inside(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	applied(&c);
	char planted[4400];
	snprintf(planted, sizeof(planted), "%s/zz-planted.ini", c.jdir);
	FILE *p = fopen(planted, "wb");
	assert_non_null(p);
	fclose(p);
	rdls_file_sec s = foreign_owner(false);
	fake_set_file_sec(c.f, planted, &s);
	char *before = fake_snapshot(c.f), *err;
	unsigned w = fake_writes(c.f);
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "'zz-planted.ini' in it: it is owned by LICSVR1\\mallory");
	assert_contains(err, "nothing to roll back");
	free(err);
	char *after = fake_snapshot(c.f);
	assert_string_equal(after, before);
	assert_int_equal(fake_writes(c.f), w);
	assert_true(aside_exists(c.jdir));
	free(after);
	free(before);
	/* without a warner (journal.c on its own) it is refused with the command that fixes it */
	p = fopen(planted, "wb");
	fclose(p);
	fake_set_file_sec(c.f, planted, &s);
	char dir[4096];
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_trust_journal_dir(&c.sys, NULL, dir, sizeof(dir), &e), -1);
	assert_non_null(strstr(e.text, "move \""));
	ctx_release(&c);
}

/* ------------------------------------------------------- creation, the lock, the exe */

static void test_trust_journal_created_exclusively(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char dir[4096], path[4200];
	assert_int_equal(tu_mkdtemp(dir, sizeof(dir), "rdls-elsewhere-"), 0);
	snprintf(path, sizeof(path), "%s/j.ini", dir);
	unsigned before = fake_calls(c.f, "file_create_new");
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, path, NULL), RDLS_EXIT_OK);
	/* the journal and the new index, each with CREATE_NEW and the admin-only descriptor */
	assert_int_equal(fake_calls(c.f, "file_create_new"), before + 2);
	/* an existing file is never reused */
	char *err;
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, path, &err), RDLS_EXIT_OK);
	free(err); /* converged: nothing to journal */
	fake_add_user(c.f, "x", "y");
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, path, NULL), RDLS_EXIT_OK);
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, path, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "already exists");
	free(err);
	unlink(path);
	rmdir(dir);
	ctx_release(&c);
}

static void test_trust_lock_squatted(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	fake_set_lock_squatter(c.f, "LICSVR1\\mallory");
	char *before = fake_snapshot(c.f), *err;
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "held through an object that LICSVR1\\mallory owns");
	free(err);
	assert_int_equal(run(&c, cmd_rollback, "rollback", NULL, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "LICSVR1\\mallory");
	free(err);
	char *after = fake_snapshot(c.f);
	assert_string_equal(after, before);
	assert_int_equal(fake_writes(c.f), 0);
	free(after);
	free(before);
	/* held by another rdlsctl (an administrator's object): the usual message */
	fake_set_lock_squatter(c.f, NULL);
	fake_set_lock_busy(c.f, true);
	assert_int_equal(run(&c, cmd_apply, "apply", WG2, NULL, &err), RDLS_EXIT_ERROR);
	assert_contains(err, "another rdlsctl apply or rollback is running");
	free(err);
	ctx_release(&c);
}

static void collect(void *user, const char *msg)
{
	char *buf = user;
	snprintf(buf + strlen(buf), 2048 - strlen(buf), "%s\n", msg);
}

static void test_trust_exe_dir(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char got[2048] = "", dir[4096];
	struct rdls_warner w = { collect, got };
	rdls_trust_check_exe(&c.sys, &w);
	assert_string_equal(got, "");
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(c.sys.ops->exe_dir(c.sys.ctx, dir, sizeof(dir), &e), 0);
	rdls_file_sec s = users_may_write(true);
	fake_set_file_sec(c.f, dir, &s);
	rdls_trust_check_exe(&c.sys, &w);
	assert_contains(got, dir);
	assert_contains(got, "BUILTIN\\Users");
	assert_contains(got, "Program Files");
	ctx_release(&c);
}

/* ---------------------------------------------- the helper's private folder */

/*
 * %ProgramData%\rdlsctl\helper, where the NETWORK SERVICE helper runs a copy of this
 * program from: the Win32 backend reads the descriptor of the folder it holds open and
 * asks rdls_trust_folder, which these cases drive with the fake's facts for that path.
 */
static int helper_folder_verdict(struct ctx *c, const rdls_file_sec *seed, char *msg, size_t n)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/helper", c->data);
	tu_mkdir(c->data); /* may exist */
	assert_int_equal(tu_mkdir(dir), 0);
	if (seed)
		fake_set_file_sec(c->f, dir, seed);
	rdls_file_sec s;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(c->sys.ops->path_sec(c->sys.ctx, dir, &s, &e), 0);
	assert_true(s.exists);
	int rc = rdls_trust_folder(&s, dir, &e);
	rdls_err_format(&e, msg, n);
	rmdir(dir);
	return rc;
}

static void test_trust_helper_folder_foreign_owner_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char msg[2048];
	rdls_file_sec s = foreign_owner(true);
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), -1);
	assert_contains(msg, "/helper");
	assert_contains(msg, "owned by LICSVR1\\mallory, not by Administrators or SYSTEM");
	assert_contains(msg, "takeown /a");
	ctx_release(&c);
}

static void test_trust_helper_folder_users_may_write_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char msg[2048];
	rdls_file_sec s = users_may_write(true);
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), -1);
	assert_contains(msg, "its DACL lets BUILTIN\\Users change it (an allow ACE with access "
			     "mask 0x00120116)");
	ctx_release(&c);
}

/* The running administrator's own account is no longer enough on Windows (it was in the
 * backend's old owner check): its unelevated processes could have made the folder. */
static void test_trust_helper_folder_owned_by_self_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char msg[2048];
	rdls_file_sec s;
	fake_file_sec_default(&s, true);
	s.owner = RDLS_WHO_SELF;
	snprintf(s.owner_name, sizeof(s.owner_name), "LICSVR1\\admin");
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), -1);
	assert_contains(msg, "owned by LICSVR1\\admin");
	s.one_account = true; /* Wine: every process is that account */
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), 0);
	ctx_release(&c);
}

static void test_trust_helper_folder_admins_accepted(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char msg[2048];
	/* Owner Administrators; Administrators and SYSTEM full control (fake default) plus
	 * NETWORK SERVICE read and execute, as HC_DIR_SDDL makes it. */
	rdls_file_sec s;
	fake_file_sec_default(&s, true);
	s.aces[s.n_aces++] = (rdls_sec_ace){ .who = RDLS_WHO_OTHER, .mask = 0xa0000000u,
					     .name = "NT AUTHORITY\\NETWORK SERVICE" };
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), 0);
	assert_int_equal(helper_folder_verdict(&c, NULL, msg, sizeof(msg)), 0);
	ctx_release(&c);
}

static void test_trust_helper_folder_link_refused(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c);
	char msg[2048];
	rdls_file_sec s;
	fake_file_sec_default(&s, true);
	s.reparse = true;
	assert_int_equal(helper_folder_verdict(&c, &s, msg, sizeof(msg)), -1);
	assert_contains(msg, "junction or symbolic link");
	ctx_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_judge),
		cmocka_unit_test(test_trust_journal_foreign_owner),
		cmocka_unit_test(test_trust_journal_users_may_write),
		cmocka_unit_test(test_trust_index_users_may_write),
		cmocka_unit_test(test_trust_planted_index_line),
		cmocka_unit_test(test_trust_journal_unsupported_warns),
		cmocka_unit_test(test_trust_dir_reparse_refused),
		cmocka_unit_test(test_trust_dir_foreign_set_aside),
		cmocka_unit_test(test_trust_dir_foreign_file_inside),
		cmocka_unit_test(test_trust_journal_created_exclusively),
		cmocka_unit_test(test_trust_lock_squatted),
		cmocka_unit_test(test_trust_exe_dir),
		cmocka_unit_test(test_trust_helper_folder_foreign_owner_refused),
		cmocka_unit_test(test_trust_helper_folder_users_may_write_refused),
		cmocka_unit_test(test_trust_helper_folder_owned_by_self_refused),
		cmocka_unit_test(test_trust_helper_folder_admins_accepted),
		cmocka_unit_test(test_trust_helper_folder_link_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
