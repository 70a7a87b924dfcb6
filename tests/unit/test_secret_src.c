/*
 * secret_src.c on the fake system: env:NAME, file:PATH and prompt, the checks on
 * the secret (empty, UTF-8, the 256 UTF-16 units of a domain-password
 * credential), the warning for a file others can read, and that no error message
 * ever contains the secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "fake_sys.h"
#include "rdls/model.h"
#include "rdls/secret_src.h"
#include "testutil.h"

struct env {
	struct fake_sys *fake;
	struct rdls_sys sys;
	struct rdls_model *m;
	char path[TU_PATH_MAX]; /* a temporary file, "" when none */
	struct tu_capture warn_cap;
	FILE *warn;
};

static struct rdls_model *model_with(const char *password_line)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
		 "cal_version = 2019\n[peering]\naccount = rdls-peer\ngroup = RDLS Peers\n%s\n"
		 "[license_server A]\nos = 2019\n[license_server B]\nos = 2019\n",
		 password_line);
	FILE *f = tu_tmpfile();
	assert_non_null(f);
	fputs(text, f);
	rewind(f);
	struct rdls_diags d;
	rdls_diags_init(&d, "t.ini");
	struct rdls_model *m = rdls_model_load(f, "t.ini", &d);
	fclose(f);
	if (!m)
		fail_msg("test profile rejected: %s", d.n ? d.v[0].msg : "?");
	rdls_diags_release(&d);
	return m;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	e->fake = fake_sys_new("A");
	e->sys = fake_sys_iface(e->fake);
	assert_int_equal(tu_capture_begin(&e->warn_cap), 0);
	e->warn = e->warn_cap.fp;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	rdls_model_free(e->m);
	fake_sys_free(e->fake);
	if (e->path[0])
		unlink(e->path);
	free(tu_capture_end(&e->warn_cap, NULL));
	free(e);
	return 0;
}

/* Writes content (len bytes) to a new temporary file with mode, and a model
 * whose password is file:<that file>. On Windows the mode is not applied: the
 * file keeps the DACL it inherits from %TEMP% (see the *_warns tests below). */
static void with_file(struct env *e, const void *content, size_t len, unsigned mode)
{
	assert_int_equal(tu_temp_file(e->path, sizeof(e->path), "rdls-secret-", content, len), 0);
#ifndef _WIN32
	assert_int_equal(chmod(e->path, (mode_t)mode), 0);
#else
	(void)mode;
#endif
	char line[TU_PATH_MAX + 32];
	snprintf(line, sizeof(line), "password = file:%s", e->path);
	e->m = model_with(line);
}

static const char *warnings(struct env *e)
{
	return tu_capture_text(&e->warn_cap);
}

static char *errtext(const rdls_err *err)
{
	static char buf[2048];
	rdls_err_format(err, buf, sizeof(buf));
	return buf;
}

/* Loads and expects failure with exactly `want` as the formatted error. */
static void expect_fail(struct env *e, const char *want, const char *secret)
{
	rdls_secret *s = (rdls_secret *)0x1;
	rdls_err err;
	rdls_err_clear(&err);
	int rc = rdls_peer_secret_load(e->m, &e->sys, e->warn, &s, &err);
	if (rc != -1 || s != NULL)
		fail_msg("rdls_peer_secret_load returned %d (secret %s), want -1 and NULL", rc,
			 s ? "set" : "NULL");
	assert_string_equal(errtext(&err), want);
	if (secret && secret[0] && strstr(errtext(&err), secret))
		fail_msg("the secret appears in the error: %s", errtext(&err));
	if (secret && secret[0] && strstr(warnings(e), secret))
		fail_msg("the secret appears in a warning: %s", warnings(e));
}

static void expect_ok(struct env *e, const char *want)
{
	rdls_secret *s = NULL;
	rdls_err err;
	rdls_err_clear(&err);
	int rc = rdls_peer_secret_load(e->m, &e->sys, e->warn, &s, &err);
	if (rc != 0)
		fail_msg("rdls_peer_secret_load failed: %s", errtext(&err));
	assert_non_null(s);
	assert_int_equal(rdls_secret_len(s), strlen(want));
	assert_memory_equal(rdls_secret_str(s), want, strlen(want));
	rdls_secret_free(s);
}

/* ---------------------------------------------------------------- env: */

static void test_secret_src_env(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:RDLS_PEER_PASSWORD");
	fake_set_env(e->fake, "RDLS_PEER_PASSWORD", "Tr0ub4dor&3");
	expect_ok(e, "Tr0ub4dor&3");
	assert_int_equal(fake_calls(e->fake, "env_secret"), 1);
	assert_int_equal(fake_calls(e->fake, "prompt_secret"), 0);
}

static void test_secret_src_env_not_set(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:RDLS_PEER_PASSWORD");
	expect_fail(e,
		    "environment variable 'RDLS_PEER_PASSWORD': not set (the profile says "
		    "password = env:RDLS_PEER_PASSWORD)",
		    NULL);
}

static void test_secret_src_env_empty(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:RDLS_PEER_PASSWORD");
	fake_set_env(e->fake, "RDLS_PEER_PASSWORD", "");
	expect_fail(e, "environment variable 'RDLS_PEER_PASSWORD': the password is empty", NULL);
}

static void test_secret_src_env_call_fails(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:RDLS_PEER_PASSWORD");
	fake_set_env(e->fake, "RDLS_PEER_PASSWORD", "x");
	fake_fail_nth(e->fake, "env_secret", 1, 8);
	rdls_secret *s = NULL;
	rdls_err err;
	rdls_err_clear(&err);
	assert_int_equal(rdls_peer_secret_load(e->m, &e->sys, e->warn, &s, &err), -1);
	assert_null(s);
	assert_string_equal(err.api, "GetEnvironmentVariableW");
	assert_int_equal(err.code, 8);
}

/* ---------------------------------------------------------------- file: */

static void test_secret_src_file_first_line(void **state)
{
	struct env *e = *state;
	static const char content[] = "c0rrect horse\r\nsecond line\n";
	with_file(e, content, sizeof(content) - 1, 0600);
	expect_ok(e, "c0rrect horse");
	assert_string_equal(warnings(e), "");
}

static void test_secret_src_file_no_newline_and_bom(void **state)
{
	struct env *e = *state;
	static const char content[] = "\xEF\xBB\xBFp\xC3\xA4ssw\xC3\xB6rd";
	with_file(e, content, sizeof(content) - 1, 0400);
	expect_ok(e, "p\xC3\xA4ssw\xC3\xB6rd");
}

/*
 * Who else may read the password file: the core's rule (rdls_trust_readers) on the
 * facts the fake's file_sec gives for it (its default: Administrators and SYSTEM only,
 * no warning). The backends' facts: tests/wine/t_secret_sources.sh (the DACL Wine
 * derives from the Unix mode) and the cli stage (the native mode bits).
 */
static rdls_file_sec readable_by(const char *name, uint32_t mask)
{
	rdls_file_sec s;
	fake_file_sec_default(&s, false);
	s.aces[s.n_aces] = (rdls_sec_ace){ .who = RDLS_WHO_OTHER, .mask = mask };
	snprintf(s.aces[s.n_aces].name, sizeof(s.aces[0].name), "%s", name);
	s.n_aces++;
	return s;
}

static void test_secret_src_file_readable_by_others_warns(void **state)
{
	struct env *e = *state;
	with_file(e, "Sekr1t-Value\n", 13, 0600);
	rdls_file_sec s = readable_by("BUILTIN\\Users", 0x001200a9u);
	fake_set_file_sec(e->fake, e->path, &s);
	expect_ok(e, "Sekr1t-Value");
	char want[3 * TU_PATH_MAX + 256];
	snprintf(want, sizeof(want),
		 "warning: password file '%s' can be read by other users (BUILTIN\\Users may read "
		 "it); let only your account read it: on Windows icacls \"%s\" /inheritance:r "
		 "/grant:r \"%%USERNAME%%:R\", elsewhere chmod 600\n",
		 e->path, e->path);
	assert_string_equal(warnings(e), want);
	assert_null(strstr(warnings(e), "Sekr1t"));
}

/* Write without read, an inherit-only ACE and the owner's own ACE warn of nobody. */
static void test_secret_src_file_other_aces_do_not_warn(void **state)
{
	struct env *e = *state;
	with_file(e, "x\n", 2, 0600);
	rdls_file_sec s = readable_by("BUILTIN\\Users", RDLS_ACCESS_WRITE_DATA);
	s.aces[s.n_aces] = (rdls_sec_ace){ .who = RDLS_WHO_OTHER, .mask = 0x1f01ffu,
					   .inherit_only = true, .name = "Everyone" };
	s.n_aces++;
	s.aces[s.n_aces] = (rdls_sec_ace){ .who = RDLS_WHO_OTHER, .mask = 0x1f01ffu,
					   .name = "BUILTIN\\Administrators" };
	s.n_aces++;
	s.aces[s.n_aces] = (rdls_sec_ace){ .who = RDLS_WHO_SELF, .mask = 0x1f01ffu,
					   .name = "LICSVR1\\admin" };
	s.n_aces++;
	fake_set_file_sec(e->fake, e->path, &s);
	expect_ok(e, "x");
	assert_string_equal(warnings(e), "");
}

static void test_secret_src_file_no_dacl_warns(void **state)
{
	struct env *e = *state;
	with_file(e, "x\n", 2, 0600);
	rdls_file_sec s;
	fake_file_sec_default(&s, false);
	s.null_dacl = true;
	fake_set_file_sec(e->fake, e->path, &s);
	expect_ok(e, "x");
	assert_non_null(strstr(warnings(e), "(it has no DACL, so everyone may read it)"));
}

static void test_secret_src_file_foreign_owner_warns(void **state)
{
	struct env *e = *state;
	with_file(e, "x\n", 2, 0600);
	rdls_file_sec s;
	fake_file_sec_default(&s, false);
	s.owner = RDLS_WHO_OTHER;
	snprintf(s.owner_name, sizeof(s.owner_name), "LICSVR1\\mallory");
	fake_set_file_sec(e->fake, e->path, &s);
	expect_ok(e, "x");
	assert_non_null(strstr(warnings(e), "(its owner LICSVR1\\mallory may read it)"));
}

/* file_sec failing: a warning naming the failure, and the secret is still read. */
static void test_secret_src_file_sec_fails_warns(void **state)
{
	struct env *e = *state;
	with_file(e, "x\n", 2, 0600);
	fake_fail_nth(e->fake, "file_sec", 1, 5);
	expect_ok(e, "x");
	assert_non_null(strstr(warnings(e), "warning: cannot tell who can read password file"));
	assert_non_null(strstr(warnings(e), "GetSecurityInfo"));
}

static void test_secret_src_file_empty(void **state)
{
	struct env *e = *state;
	with_file(e, "\r\nSecondLine\n", 12, 0600);
	char want[TU_PATH_MAX + 256];
	snprintf(want, sizeof(want),
		 "password file '%s': the first line is empty; it must hold the password", e->path);
	expect_fail(e, want, "SecondLine");
}

static void test_secret_src_file_missing(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = file:/nonexistent/rdls/peer.txt");
	expect_fail(e,
		    "_wfopen on file '/nonexistent/rdls/peer.txt' returned 2 (No such file or "
		    "directory)",
		    NULL);
}

static void test_secret_src_file_too_long(void **state)
{
	struct env *e = *state;
	char content[2000];
	memset(content, 'k', sizeof(content));
	with_file(e, content, sizeof(content), 0600);
	char want[TU_PATH_MAX + 256];
	snprintf(want, sizeof(want),
		 "password file '%s': the first line is longer than 1024 bytes; a password has at "
		 "most 256 UTF-16 characters",
		 e->path);
	expect_fail(e, want, "kkkkkkkk");
}

static void test_secret_src_file_invalid_utf8(void **state)
{
	struct env *e = *state;
	with_file(e, "Caf\xE9-Secret\n", 12, 0600);
	char want[TU_PATH_MAX + 256];
	snprintf(want, sizeof(want), "password file '%s': the password is not valid UTF-8",
		 e->path);
	expect_fail(e, want, "Secret");
}

static void test_secret_src_file_nul_byte(void **state)
{
	struct env *e = *state;
	with_file(e, "Abc\0Secret\n", 11, 0600);
	char want[TU_PATH_MAX + 256];
	snprintf(want, sizeof(want), "password file '%s': the password contains a NUL byte",
		 e->path);
	expect_fail(e, want, "Secret");
}

/* -------------------------------------------------------------- prompt */

static void test_secret_src_prompt(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = prompt");
	fake_set_prompt_answer(e->fake, "typed-Secret");
	expect_ok(e, "typed-Secret");
	assert_int_equal(fake_calls(e->fake, "prompt_secret"), 1);
}

static void test_secret_src_prompt_fails(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = prompt");
	fake_set_prompt_answer(e->fake, NULL);
	rdls_secret *s = NULL;
	rdls_err err;
	rdls_err_clear(&err);
	assert_int_equal(rdls_peer_secret_load(e->m, &e->sys, e->warn, &s, &err), -1);
	assert_null(s);
	assert_string_equal(err.api, "ReadConsoleW");
}

static void test_secret_src_prompt_empty(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = prompt");
	fake_set_prompt_answer(e->fake, "");
	expect_fail(e, "password prompt: the password is empty", NULL);
}

/* ------------------------------------------------------- length limit */

static void fill(char *buf, const char *unit, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		strcat(buf, unit);
}

static void test_secret_src_utf16_limit(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:P");
	static char v[2048];
	/* 256 ASCII characters: 256 UTF-16 units, 512 bytes: fits. */
	fill(v, "a", 256);
	fake_set_env(e->fake, "P", v);
	expect_ok(e, v);
	/* 257: one unit too many. */
	fill(v, "a", 257);
	fake_set_env(e->fake, "P", v);
	expect_fail(e,
		    "environment variable 'P': the password is too long: 257 UTF-16 characters, "
		    "Windows stores at most 256 (512 bytes) in a domain-password credential",
		    v);
	/* 256 characters of 3 UTF-8 bytes (U+20AC): 768 bytes, still 256 units. */
	fill(v, "\xE2\x82\xAC", 256);
	fake_set_env(e->fake, "P", v);
	expect_ok(e, v);
	/* 128 characters outside the BMP are 256 units (surrogate pairs); 129 are not. */
	fill(v, "\xF0\x9F\x94\x91", 128);
	fake_set_env(e->fake, "P", v);
	expect_ok(e, v);
	fill(v, "\xF0\x9F\x94\x91", 129);
	fake_set_env(e->fake, "P", v);
	expect_fail(e,
		    "environment variable 'P': the password is too long: 258 UTF-16 characters, "
		    "Windows stores at most 256 (512 bytes) in a domain-password credential",
		    v);
}

static void test_secret_src_line_break_refused(void **state)
{
	struct env *e = *state;
	e->m = model_with("password = env:P");
	fake_set_env(e->fake, "P", "Secret\n");
	expect_fail(e, "environment variable 'P': the password contains a line break", "Secret");
}

static void test_secret_src_no_peering(void **state)
{
	struct env *e = *state;
	FILE *f = tu_tmpfile();
	assert_non_null(f);
	fputs("[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n"
	      "[discovery]\nmethod = publish\n[license_server A]\nos = 2019\n[license_server B]\n"
	      "os = 2019\n",
	      f);
	rewind(f);
	struct rdls_diags d;
	rdls_diags_init(&d, "t.ini");
	e->m = rdls_model_load(f, "t.ini", &d);
	fclose(f);
	rdls_diags_release(&d);
	assert_non_null(e->m);
	expect_fail(e, "profile: the profile has no [peering] section, so no password", NULL);
	assert_int_equal(fake_calls(e->fake, "env_secret") + fake_calls(e->fake, "file_open") +
				 fake_calls(e->fake, "prompt_secret"),
			 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_secret_src_env),
		T(test_secret_src_env_not_set),
		T(test_secret_src_env_empty),
		T(test_secret_src_env_call_fails),
		T(test_secret_src_file_first_line),
		T(test_secret_src_file_no_newline_and_bom),
		T(test_secret_src_file_readable_by_others_warns),
		T(test_secret_src_file_other_aces_do_not_warn),
		T(test_secret_src_file_no_dacl_warns),
		T(test_secret_src_file_foreign_owner_warns),
		T(test_secret_src_file_sec_fails_warns),
		T(test_secret_src_file_empty),
		T(test_secret_src_file_missing),
		T(test_secret_src_file_too_long),
		T(test_secret_src_file_invalid_utf8),
		T(test_secret_src_file_nul_byte),
		T(test_secret_src_prompt),
		T(test_secret_src_prompt_fails),
		T(test_secret_src_prompt_empty),
		T(test_secret_src_utf16_limit),
		T(test_secret_src_line_break_refused),
		T(test_secret_src_no_peering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
