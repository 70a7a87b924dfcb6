/*
 * cred_check.c over the platform's PBKDF2-HMAC-SHA-256 (sys.h's pbkdf2_sha256), here
 * the fake system's, which computes with the native build's OpenSSL wrapper
 * (src/posix/crypto.c): RFC 7914 section 11 and the common SHA-256 vectors through the
 * operation, check strings written by the former own implementation (they must still
 * verify), the strings' format, and what a failing platform does to make and verify.
 * tests/wine/t_w32probe.sh runs the same vectors through the Win32 backend (CNG).
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
#include "pbkdf2_vectors.h"
#include "rdls/cred_check.h"

/* One fake machine per test, through this interface. */
static struct fake_sys *F;
static struct rdls_sys SYS;

static int setup(void **state)
{
	(void)state;
	F = fake_sys_new("LICSVR1");
	SYS = fake_sys_iface(F);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_sys_free(F);
	F = NULL;
	return 0;
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int pbkdf2(const void *pw, size_t pwlen, const void *salt, size_t saltlen, uint32_t it,
		  unsigned char *out, size_t outlen, rdls_err *e)
{
	rdls_err_clear(e);
	return SYS.ops->pbkdf2_sha256(SYS.ctx, pw, pwlen, salt, saltlen, it, out, outlen, e);
}

static void fail_err(const char *what, const rdls_err *e)
{
	char msg[1200];
	rdls_err_format(e, msg, sizeof(msg));
	fail_msg("%s failed: %s", what, msg);
}

/* --- PBKDF2-HMAC-SHA-256 through the system interface ---------------------- */

static void test_cred_check_pbkdf2_known_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pbkdf2_vectors) / sizeof(pbkdf2_vectors[0]); i++) {
		const struct pbkdf2_vector *v = &pbkdf2_vectors[i];
		unsigned char dk[64];
		char hex[129];
		rdls_err e;
		assert_true(v->dklen <= sizeof(dk));
		if (pbkdf2(v->pw, v->pwlen, v->salt, v->saltlen, v->iterations, dk, v->dklen, &e) != 0)
			fail_err(v->name, &e);
		to_hex(dk, v->dklen, hex);
		if (strcmp(hex, v->dk_hex) != 0)
			fail_msg("%s: got %s, expected %s", v->name, hex, v->dk_hex);
	}
	assert_int_equal(fake_calls(F, "pbkdf2_sha256"),
			 sizeof(pbkdf2_vectors) / sizeof(pbkdf2_vectors[0]));
}

/* A shorter output is a prefix of a longer one, also across a block boundary. */
static void test_cred_check_pbkdf2_lengths(void **state)
{
	(void)state;
	unsigned char full[64], part[64];
	rdls_err e;
	assert_int_equal(pbkdf2("passwd", 6, "salt", 4, 3, full, 64, &e), 0);
	for (size_t n = 1; n <= 64; n++) {
		memset(part, 0, sizeof(part));
		assert_int_equal(pbkdf2("passwd", 6, "salt", 4, 3, part, n, &e), 0);
		if (memcmp(full, part, n) != 0)
			fail_msg("pbkdf2 output of %zu bytes is not a prefix of the 64-byte output", n);
	}
}

/* As BCryptDeriveKeyPBKDF2: STATUS_INVALID_PARAMETER, and nothing left in out. */
static void test_cred_check_pbkdf2_zero_iterations(void **state)
{
	(void)state;
	unsigned char dk[32];
	rdls_err e;
	memset(dk, 0xee, sizeof(dk));
	assert_int_equal(pbkdf2("p", 1, "s", 1, 0, dk, 32, &e), -1);
	assert_string_equal(e.api, "BCryptDeriveKeyPBKDF2");
	assert_int_equal(e.code, 0xC000000Du);
	for (size_t i = 0; i < sizeof(dk); i++)
		if (dk[i] != 0)
			fail_msg("byte %zu of the output is 0x%02x after a failure", i, dk[i]);
}

/* --- check strings written before PBKDF2 came from the platform ------------ */

static rdls_secret *sec(const char *s)
{
	rdls_secret *x = rdls_secret_new(s, strlen(s));
	assert_non_null(x);
	return x;
}

static size_t from_hex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
	return n / 2;
}

static void test_cred_check_legacy_strings_verify(void **state)
{
	(void)state;
	size_t n = sizeof(legacy_checks) / sizeof(legacy_checks[0]);
	for (size_t i = 0; i < n; i++) {
		const struct legacy_check *l = &legacy_checks[i];
		rdls_secret *right = sec(l->secret), *wrong = sec(legacy_checks[(i + 1) % n].secret);
		char near[64];
		snprintf(near, sizeof(near), "%s", l->secret);
		near[strlen(near) - 1] ^= 1; /* the last character changed */
		rdls_secret *close = sec(near);
		rdls_err e;
		bool match = false;

		rdls_err_clear(&e);
		if (rdls_cred_check_verify(&SYS, right, l->check, &match, &e) != 0)
			fail_err(l->check, &e);
		if (!match)
			fail_msg("'%s' does not verify with its secret", l->check);
		rdls_cred_verifier *v = rdls_cred_verifier_new(&SYS, right);
		assert_non_null(v);
		match = false;
		assert_int_equal(rdls_cred_verifier_check(v, l->check, &match, &e), 0);
		assert_true(match);
		rdls_cred_verifier_free(v);

		match = true;
		assert_int_equal(rdls_cred_check_verify(&SYS, wrong, l->check, &match, &e), 0);
		if (match)
			fail_msg("'%s' verifies with another secret", l->check);
		match = true;
		assert_int_equal(rdls_cred_check_verify(&SYS, close, l->check, &match, &e), 0);
		if (match)
			fail_msg("'%s' verifies with '%s'", l->check, near);

		/* The format is unchanged: make with the same salt and count gives the same string. */
		const char *it = l->check + strlen(RDLS_CRED_CHECK_PREFIX);
		const char *salt_hex = strchr(it, '$') + 1;
		const char *hash = strchr(salt_hex, '$');
		unsigned char salt[RDLS_CRED_CHECK_SALT_MAX];
		size_t salt_len = from_hex(salt_hex, (size_t)(hash - salt_hex), salt);
		char again[RDLS_CRED_CHECK_MAX];
		assert_int_equal(rdls_cred_check_make_iter(&SYS, right, salt, salt_len,
							   rdls_cred_check_iterations(l->check), again,
							   sizeof(again), &e),
				 0);
		assert_string_equal(again, l->check);
		rdls_secret_free(right);
		rdls_secret_free(wrong);
		rdls_secret_free(close);
	}
}

/* --- check strings -------------------------------------------------------- */

static const unsigned char SALT[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

/* make_iter and verify through the fake, with an error record of their own. */
static int make_iter(const rdls_secret *s, const unsigned char *salt, size_t salt_len,
		     uint32_t it, char *out, size_t out_n)
{
	rdls_err e;
	rdls_err_clear(&e);
	return rdls_cred_check_make_iter(&SYS, s, salt, salt_len, it, out, out_n, &e);
}

static int make(const rdls_secret *s, const unsigned char *salt, size_t salt_len, char *out,
		size_t out_n)
{
	rdls_err e;
	rdls_err_clear(&e);
	return rdls_cred_check_make(&SYS, s, salt, salt_len, out, out_n, &e);
}

static int verify(const rdls_secret *s, const char *check, bool *match)
{
	rdls_err e;
	rdls_err_clear(&e);
	return rdls_cred_check_verify(&SYS, s, check, match, &e);
}

static int vcheck(rdls_cred_verifier *v, const char *check, bool *match)
{
	rdls_err e;
	rdls_err_clear(&e);
	return rdls_cred_verifier_check(v, check, match, &e);
}

/* The string is exactly prefix$iterations$salt$PBKDF2(secret, salt, iterations). */
static void test_cred_check_make_format(void **state)
{
	(void)state;
	rdls_secret *s = sec("Tr0ub4dor&3");
	char out[RDLS_CRED_CHECK_MAX], expect[RDLS_CRED_CHECK_MAX], hash[65];
	unsigned char dk[32];
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 1000, out, sizeof(out)), 0);
	rdls_err e;
	assert_int_equal(pbkdf2("Tr0ub4dor&3", 11, SALT, sizeof(SALT), 1000, dk, 32, &e), 0);
	to_hex(dk, 32, hash);
	snprintf(expect, sizeof(expect), "rdls1$pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$%s",
		 hash);
	assert_string_equal(out, expect);
	assert_int_equal(rdls_cred_check_iterations(out), 1000);
	rdls_secret_free(s);
}

/* make uses RDLS_CRED_CHECK_ITERATIONS; the longest string fits RDLS_CRED_CHECK_MAX. */
static void test_cred_check_make_default_iterations(void **state)
{
	(void)state;
	rdls_secret *s = sec("secret");
	char out[RDLS_CRED_CHECK_MAX];
	bool match = false;
	assert_int_equal(make(s, SALT, sizeof(SALT), out, sizeof(out)), 0);
	assert_int_equal(rdls_cred_check_iterations(out), RDLS_CRED_CHECK_ITERATIONS);
	assert_int_equal(verify(s, out, &match), 0);
	assert_true(match);

	unsigned char big_salt[RDLS_CRED_CHECK_SALT_MAX];
	memset(big_salt, 0xab, sizeof(big_salt));
	assert_int_equal(make_iter(s, big_salt, sizeof(big_salt),
						   RDLS_CRED_CHECK_MAX_ITERATIONS / 1000, out,
						   sizeof(out)),
			 0);
	assert_true(strlen(out) + 1 + 7 /* more iteration digits */ < RDLS_CRED_CHECK_MAX);
	rdls_secret_free(s);
}

static void test_cred_check_make_rejects(void **state)
{
	(void)state;
	rdls_secret *s = sec("secret");
	char out[RDLS_CRED_CHECK_MAX];
	unsigned char salt[RDLS_CRED_CHECK_SALT_MAX + 1] = { 0 };

	strcpy(out, "junk");
	assert_int_equal(make(s, salt, RDLS_CRED_CHECK_SALT_MIN - 1, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(make(s, salt, RDLS_CRED_CHECK_SALT_MAX + 1, out, sizeof(out)), -1);
	assert_int_equal(make(NULL, salt, 16, out, sizeof(out)), -1);
	assert_int_equal(make(s, NULL, 16, out, sizeof(out)), -1);
	assert_int_equal(make_iter(s, salt, 16, 0, out, sizeof(out)), -1);
	assert_int_equal(make_iter(s, salt, 16, RDLS_CRED_CHECK_MAX_ITERATIONS + 1, out,
						   sizeof(out)),
			 -1);

	/* Every buffer shorter than the string fails and leaves nothing readable. */
	char full[RDLS_CRED_CHECK_MAX];
	assert_int_equal(make_iter(s, salt, 16, 10, full, sizeof(full)), 0);
	size_t need = strlen(full) + 1;
	for (size_t n = 1; n < need; n++) {
		memset(out, 'x', sizeof(out));
		if (make_iter(s, salt, 16, 10, out, n) != -1)
			fail_msg("make into a %zu-byte buffer (needs %zu) did not fail", n, need);
		for (size_t i = 0; i < n; i++)
			if (out[i] != '\0')
				fail_msg("make into a %zu-byte buffer left byte %zu = 0x%02x", n, i,
					 (unsigned char)out[i]);
	}
	assert_int_equal(make_iter(s, salt, 16, 10, out, need), 0);
	assert_string_equal(out, full);
	rdls_secret_free(s);
}

static void test_cred_check_verify_match_and_mismatch(void **state)
{
	(void)state;
	rdls_secret *s = sec("correct horse battery staple");
	char check[RDLS_CRED_CHECK_MAX];
	bool match;
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 2000, check, sizeof(check)), 0);

	match = false;
	assert_int_equal(verify(s, check, &match), 0);
	assert_true(match);

	static const char *const others[] = {
		"correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple",
		"", "x",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		rdls_secret *o = sec(others[i]);
		match = true;
		assert_int_equal(verify(o, check, &match), 0);
		if (match)
			fail_msg("secret '%s' matched the check of another secret", others[i]);
		rdls_secret_free(o);
	}
	/* Bytes after an embedded NUL count: the length is the secret's. */
	rdls_secret *nul = rdls_secret_new("correct horse battery staple\0x", 30);
	match = true;
	assert_int_equal(verify(nul, check, &match), 0);
	assert_false(match);
	rdls_secret_free(nul);

	/* The same secret with another salt gives another string that also verifies. */
	unsigned char salt2[16];
	memcpy(salt2, SALT, 16);
	salt2[15] ^= 1;
	char check2[RDLS_CRED_CHECK_MAX];
	assert_int_equal(make_iter(s, salt2, 16, 2000, check2, sizeof(check2)), 0);
	assert_string_not_equal(check, check2);
	assert_int_equal(verify(s, check2, &match), 0);
	assert_true(match);
	rdls_secret_free(s);
}

/* Changing any one character never yields a match: either unparseable or false. */
static void test_cred_check_verify_tampered(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char check[RDLS_CRED_CHECK_MAX], t[RDLS_CRED_CHECK_MAX];
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 1000, check, sizeof(check)), 0);
	size_t len = strlen(check);
	static const char repl[] = { '0', '1', '9', 'a', 'f', 'A', '$', ' ', 'z' };
	for (size_t i = 0; i < len; i++) {
		for (size_t r = 0; r < sizeof(repl); r++) {
			if (check[i] == repl[r])
				continue;
			strcpy(t, check);
			t[i] = repl[r];
			bool match = true;
			int rc = verify(s, t, &match);
			if (match)
				fail_msg("'%s' (position %zu changed) matched", t, i);
			if (rc != 0 && rc != -1)
				fail_msg("'%s' returned %d", t, rc);
		}
	}
	rdls_secret_free(s);
}

/* Every proper prefix of a check string is rejected as unparseable. */
static void test_cred_check_verify_truncated(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char check[RDLS_CRED_CHECK_MAX], t[RDLS_CRED_CHECK_MAX];
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 50, check, sizeof(check)), 0);
	size_t len = strlen(check);
	for (size_t n = 0; n < len; n++) {
		memcpy(t, check, n);
		t[n] = '\0';
		bool match = true;
		int rc = verify(s, t, &match);
		if (rc != -1 || match)
			fail_msg("prefix of %zu bytes '%s': rc %d match %d (want -1, 0)", n, t, rc, match);
	}
	rdls_secret_free(s);
}

static void test_cred_check_verify_malformed(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char good[RDLS_CRED_CHECK_MAX];
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 7, good, sizeof(good)), 0);
	const char *hash = strrchr(good, '$') + 1;
	const char *salt = "00112233445566778899aabbccddeeff";
	char bad[20][RDLS_CRED_CHECK_MAX];
	int n = 0;
#define BAD(...) snprintf(bad[n++], RDLS_CRED_CHECK_MAX, __VA_ARGS__)
	BAD("%s", "");
	BAD("rdls1$pbkdf2-sha256$");
	BAD("rdls1$pbkdf2-sha256$07$%s$%s", salt, hash);      /* leading zero */
	BAD("rdls1$pbkdf2-sha256$+7$%s$%s", salt, hash);      /* sign */
	BAD("rdls1$pbkdf2-sha256$0$%s$%s", salt, hash);       /* zero iterations */
	BAD("rdls1$pbkdf2-sha256$%u$%s$%s", RDLS_CRED_CHECK_MAX_ITERATIONS + 1, salt, hash);
	BAD("rdls1$pbkdf2-sha256$99999999999999999999999$%s$%s", salt, hash);
	BAD("rdls1$pbkdf2-sha256$7$%s$%s$", salt, hash);      /* trailing field */
	BAD("rdls1$pbkdf2-sha256$7$%s$%s\n", salt, hash);     /* trailing newline */
	BAD(" rdls1$pbkdf2-sha256$7$%s$%s", salt, hash);      /* leading space */
	BAD("rdls1$pbkdf2-sha256$7$00112233445566778899AABBCCDDEEFF$%s", hash); /* uppercase */
	BAD("rdls1$pbkdf2-sha256$7$001122334455$%s", hash);   /* 6-byte salt */
	BAD("rdls1$pbkdf2-sha256$7$0011223344556677889$%s", hash); /* odd digits */
	BAD("rdls1$pbkdf2-sha256$7$$%s", hash);               /* empty salt */
	BAD("rdls1$pbkdf2-sha256$7$%s$%.62s", salt, hash);    /* 31-byte hash */
	BAD("rdls1$pbkdf2-sha256$7$%s$%s00", salt, hash);     /* 33-byte hash */
	BAD("rdls2$pbkdf2-sha256$7$%s$%s", salt, hash);       /* unknown version */
	BAD("rdls1$pbkdf2-sha1$7$%s$%s", salt, hash);         /* unknown scheme */
	BAD("rdls1$pbkdf2-sha256$7%s$%s", salt, hash);        /* missing separator */
#undef BAD
	for (int i = 0; i < n; i++) {
		bool match = true;
		int rc = verify(s, bad[i], &match);
		if (rc != -1 || match)
			fail_msg("malformed '%s': rc %d match %d (want -1, 0)", bad[i], rc, match);
		if (rdls_cred_check_iterations(bad[i]) != 0)
			fail_msg("malformed '%s' has %u iterations", bad[i],
				 (unsigned)rdls_cred_check_iterations(bad[i]));
	}
	bool match = true;
	assert_int_equal(verify(s, NULL, &match), -1);
	assert_false(match);
	assert_int_equal(rdls_cred_check_iterations(NULL), 0);
	/* the good one, for contrast */
	assert_int_equal(verify(s, good, &match), 0);
	assert_true(match);
	rdls_secret_free(s);
}

static void test_cred_check_verifier_matches_verify(void **state)
{
	(void)state;
	rdls_secret *s = sec("shared"), *o = sec("other");
	rdls_cred_verifier *v = rdls_cred_verifier_new(&SYS, s);
	assert_non_null(v);
	/* 12 salts (more than the verifier's slots), each twice, plus another secret's checks. */
	for (int round = 0; round < 2; round++) {
		for (unsigned char i = 0; i < 12; i++) {
			unsigned char salt[16];
			memset(salt, i, sizeof(salt));
			char mine[RDLS_CRED_CHECK_MAX], theirs[RDLS_CRED_CHECK_MAX];
			assert_int_equal(make_iter(s, salt, 16, 100 + i, mine, sizeof(mine)), 0);
			assert_int_equal(make_iter(o, salt, 16, 100 + i, theirs, sizeof(theirs)), 0);
			bool m1 = false, m2 = true;
			assert_int_equal(vcheck(v, mine, &m1), 0);
			assert_int_equal(vcheck(v, theirs, &m2), 0);
			if (!m1 || m2)
				fail_msg("round %d salt %u: own check %d (want 1), other's check %d (want 0)",
					 round, i, m1, m2);
		}
	}
	bool m = true;
	assert_int_equal(vcheck(v, "rdls1$pbkdf2-sha256$", &m), -1);
	assert_false(m);
	rdls_cred_verifier_free(v);
	rdls_cred_verifier_free(NULL);
	rdls_secret_free(s);
	rdls_secret_free(o);
}

/* One PBKDF2 run per (salt, iterations), however many checks share them: plan's
 * per-run salt makes P peer credentials cost one derivation. */
static void test_cred_check_verifier_derives_once_per_salt(void **state)
{
	(void)state;
	rdls_secret *s = sec("shared");
	char a[RDLS_CRED_CHECK_MAX], b[RDLS_CRED_CHECK_MAX];
	unsigned char salt_b[16];
	memcpy(salt_b, SALT, sizeof(salt_b));
	salt_b[0] ^= 0x80;
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 100, a, sizeof(a)), 0);
	assert_int_equal(make_iter(s, salt_b, sizeof(salt_b), 100, b, sizeof(b)), 0);
	rdls_cred_verifier *v = rdls_cred_verifier_new(&SYS, s);
	assert_non_null(v);
	unsigned before = fake_calls(F, "pbkdf2_sha256");
	for (int i = 0; i < 5; i++) {
		bool m = false;
		assert_int_equal(vcheck(v, a, &m), 0);
		assert_true(m);
	}
	assert_int_equal(fake_calls(F, "pbkdf2_sha256") - before, 1);
	bool m = false;
	assert_int_equal(vcheck(v, b, &m), 0);
	assert_true(m);
	assert_int_equal(vcheck(v, a, &m), 0);
	assert_true(m);
	assert_int_equal(fake_calls(F, "pbkdf2_sha256") - before, 2);
	rdls_cred_verifier_free(v);
	rdls_secret_free(s);
}

/* The platform's failure reaches the caller with its API and code, is no verdict,
 * and is not remembered by the verifier. */
static void test_cred_check_platform_failure(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char check[RDLS_CRED_CHECK_MAX], out[RDLS_CRED_CHECK_MAX];
	rdls_err e;
	bool match;
	assert_int_equal(make_iter(s, SALT, sizeof(SALT), 10, check, sizeof(check)), 0);

	fake_fail_nth(F, "pbkdf2_sha256", 1, 0xC0000017u);
	strcpy(out, "junk");
	rdls_err_clear(&e);
	assert_int_equal(rdls_cred_check_make_iter(&SYS, s, SALT, sizeof(SALT), 10, out, sizeof(out), &e),
			 -1);
	assert_string_equal(out, "");
	assert_string_equal(e.api, "BCryptDeriveKeyPBKDF2");
	assert_int_equal(e.code, 0xC0000017u);

	fake_fail_nth(F, "pbkdf2_sha256", 1, 0xC0000017u);
	match = true;
	rdls_err_clear(&e);
	assert_int_equal(rdls_cred_check_verify(&SYS, s, check, &match, &e), RDLS_CRED_CHECK_FAILED);
	assert_false(match);
	assert_int_equal(e.code, 0xC0000017u);

	rdls_cred_verifier *v = rdls_cred_verifier_new(&SYS, s);
	assert_non_null(v);
	fake_fail_nth(F, "pbkdf2_sha256", 1, 0xC0000017u);
	match = true;
	rdls_err_clear(&e);
	assert_int_equal(rdls_cred_verifier_check(v, check, &match, &e), RDLS_CRED_CHECK_FAILED);
	assert_false(match);
	assert_string_equal(e.api, "BCryptDeriveKeyPBKDF2");
	/* the next check derives again and succeeds */
	assert_int_equal(vcheck(v, check, &match), 0);
	assert_true(match);
	rdls_cred_verifier_free(v);

	/* A malformed string is decided before any derivation. */
	unsigned before = fake_calls(F, "pbkdf2_sha256");
	assert_int_equal(verify(s, "rdls1$pbkdf2-sha256$7$zz$zz", &match), RDLS_CRED_CHECK_MALFORMED);
	assert_int_equal(fake_calls(F, "pbkdf2_sha256"), before);
	rdls_secret_free(s);
}

/* A system interface without the operation fails plainly. */
static void test_cred_check_without_pbkdf2_op(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char out[RDLS_CRED_CHECK_MAX];
	rdls_err e;
	fake_drop_op(F, "pbkdf2_sha256");
	rdls_err_clear(&e);
	assert_int_equal(rdls_cred_check_make_iter(&SYS, s, SALT, sizeof(SALT), 10, out, sizeof(out), &e),
			 -1);
	assert_string_equal(e.text, "this system interface has no PBKDF2");
	rdls_secret_free(s);
}

static void test_cred_check_ct_equal(void **state)
{
	(void)state;
	unsigned char a[32], b[32];
	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(rdls_ct_equal(a, b, sizeof(a)));
	assert_true(rdls_ct_equal(a, b, 0));
	for (size_t i = 0; i < sizeof(a); i++) {
		for (int bit = 0; bit < 8; bit++) {
			b[i] ^= (unsigned char)(1u << bit);
			if (rdls_ct_equal(a, b, sizeof(a)))
				fail_msg("buffers differing in byte %zu bit %d compared equal", i, bit);
			b[i] ^= (unsigned char)(1u << bit);
		}
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cred_check_pbkdf2_known_answers),
		T(test_cred_check_pbkdf2_lengths),
		T(test_cred_check_pbkdf2_zero_iterations),
		T(test_cred_check_legacy_strings_verify),
		T(test_cred_check_make_format),
		T(test_cred_check_make_default_iterations),
		T(test_cred_check_make_rejects),
		T(test_cred_check_verify_match_and_mismatch),
		T(test_cred_check_verify_tampered),
		T(test_cred_check_verify_truncated),
		T(test_cred_check_verify_malformed),
		T(test_cred_check_verifier_matches_verify),
		T(test_cred_check_verifier_derives_once_per_salt),
		T(test_cred_check_platform_failure),
		T(test_cred_check_without_pbkdf2_op),
		T(test_cred_check_ct_equal),
	};
	return cmocka_run_group_tests_name("cred_check", tests, NULL, NULL);
}
