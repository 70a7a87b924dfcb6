/*
 * cred_check.c: SHA-256 against NIST's examples (FIPS 180-2 appendix B and the
 * CAVP short/long messages), HMAC-SHA-256 against RFC 4231, PBKDF2-HMAC-SHA-256
 * against RFC 7914 section 11, and the check strings built on them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rdls/cred_check.h"

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static char *sha_hex(const void *p, size_t n, char out[65])
{
	unsigned char d[32];
	rdls_sha256(p, n, d);
	to_hex(d, 32, out);
	return out;
}

/* --- SHA-256 ------------------------------------------------------------ */

static void test_cred_check_sha256_nist(void **state)
{
	(void)state;
	char hex[65];
	assert_string_equal(sha_hex("", 0, hex),
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(sha_hex("abc", 3, hex),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	assert_string_equal(sha_hex(m448, strlen(m448), hex),
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	assert_string_equal(sha_hex(m896, strlen(m896), hex),
			    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_cred_check_sha256_million_a(void **state)
{
	(void)state;
	unsigned char block[1000], d[32];
	char hex[65];
	memset(block, 'a', sizeof(block));
	rdls_sha256_ctx c;
	rdls_sha256_init(&c);
	for (int i = 0; i < 1000; i++)
		rdls_sha256_update(&c, block, sizeof(block));
	rdls_sha256_final(&c, d);
	to_hex(d, 32, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Feeding a message in two pieces, split anywhere, gives the one-shot digest;
 * lengths 0..130 cover every padding case around the 56- and 64-byte marks. */
static void test_cred_check_sha256_split_updates(void **state)
{
	(void)state;
	unsigned char msg[130], one[32], two[32];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(msg); len++) {
		rdls_sha256(msg, len, one);
		for (size_t cut = 0; cut <= len; cut++) {
			rdls_sha256_ctx c;
			rdls_sha256_init(&c);
			rdls_sha256_update(&c, msg, cut);
			rdls_sha256_update(&c, msg + cut, len - cut);
			rdls_sha256_final(&c, two);
			if (memcmp(one, two, 32) != 0)
				fail_msg("length %zu split at %zu differs from one-shot digest", len, cut);
		}
	}
}

/* --- HMAC-SHA-256, RFC 4231 section 4 ------------------------------------- */

static void hmac_case(const unsigned char *key, size_t kl, const void *msg, size_t ml,
		      const char *expect_hex, size_t compare_bytes)
{
	unsigned char d[32];
	char hex[65];
	rdls_hmac_sha256(key, kl, msg, ml, d);
	to_hex(d, compare_bytes, hex);
	assert_string_equal(hex, expect_hex);
}

static void test_cred_check_hmac_rfc4231(void **state)
{
	(void)state;
	unsigned char k[131], m[50];

	memset(k, 0x0b, 20);
	hmac_case(k, 20, "Hi There", 8,
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32);

	hmac_case((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32);

	memset(k, 0xaa, 20);
	memset(m, 0xdd, 50);
	hmac_case(k, 20, m, 50,
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32);

	for (int i = 0; i < 25; i++)
		k[i] = (unsigned char)(i + 1);
	memset(m, 0xcd, 50);
	hmac_case(k, 25, m, 50,
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32);

	memset(k, 0x0c, 20);
	hmac_case(k, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b", 16);

	memset(k, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_case(k, 131, m6, strlen(m6),
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32);

	const char *m7 = "This is a test using a larger than block-size key and a larger than "
			 "block-size data. The key needs to be hashed before being used by the "
			 "HMAC algorithm.";
	hmac_case(k, 131, m7, strlen(m7),
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32);
}

/* --- PBKDF2-HMAC-SHA-256, RFC 7914 section 11 --------------------------- */

static void test_cred_check_pbkdf2_rfc7914(void **state)
{
	(void)state;
	unsigned char dk[64];
	char hex[129];

	assert_int_equal(rdls_pbkdf2_sha256("passwd", 6, "salt", 4, 1, dk, 64), 0);
	to_hex(dk, 64, hex);
	assert_string_equal(hex, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
				 "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");

	assert_int_equal(rdls_pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, dk, 64), 0);
	to_hex(dk, 64, hex);
	assert_string_equal(hex, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
				 "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

/* A shorter output is a prefix of a longer one, also across a block boundary. */
static void test_cred_check_pbkdf2_lengths(void **state)
{
	(void)state;
	unsigned char full[64], part[64];
	assert_int_equal(rdls_pbkdf2_sha256("passwd", 6, "salt", 4, 3, full, 64), 0);
	for (size_t n = 1; n <= 64; n++) {
		memset(part, 0, sizeof(part));
		assert_int_equal(rdls_pbkdf2_sha256("passwd", 6, "salt", 4, 3, part, n), 0);
		if (memcmp(full, part, n) != 0)
			fail_msg("pbkdf2 output of %zu bytes is not a prefix of the 64-byte output", n);
	}
}

static void test_cred_check_pbkdf2_zero_iterations(void **state)
{
	(void)state;
	unsigned char dk[32];
	assert_int_equal(rdls_pbkdf2_sha256("p", 1, "s", 1, 0, dk, 32), -1);
}

/* --- check strings -------------------------------------------------------- */

static const unsigned char SALT[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

static rdls_secret *sec(const char *s)
{
	rdls_secret *x = rdls_secret_new(s, strlen(s));
	assert_non_null(x);
	return x;
}

/* The string is exactly prefix$iterations$salt$PBKDF2(secret, salt, iterations). */
static void test_cred_check_make_format(void **state)
{
	(void)state;
	rdls_secret *s = sec("Tr0ub4dor&3");
	char out[RDLS_CRED_CHECK_MAX], expect[RDLS_CRED_CHECK_MAX], hash[65];
	unsigned char dk[32];
	assert_int_equal(rdls_cred_check_make_iter(s, SALT, sizeof(SALT), 1000, out, sizeof(out)), 0);
	assert_int_equal(rdls_pbkdf2_sha256("Tr0ub4dor&3", 11, SALT, sizeof(SALT), 1000, dk, 32), 0);
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
	assert_int_equal(rdls_cred_check_make(s, SALT, sizeof(SALT), out, sizeof(out)), 0);
	assert_int_equal(rdls_cred_check_iterations(out), RDLS_CRED_CHECK_ITERATIONS);
	assert_int_equal(rdls_cred_check_verify(s, out, &match), 0);
	assert_true(match);

	unsigned char big_salt[RDLS_CRED_CHECK_SALT_MAX];
	memset(big_salt, 0xab, sizeof(big_salt));
	assert_int_equal(rdls_cred_check_make_iter(s, big_salt, sizeof(big_salt),
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
	assert_int_equal(rdls_cred_check_make(s, salt, RDLS_CRED_CHECK_SALT_MIN - 1, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(rdls_cred_check_make(s, salt, RDLS_CRED_CHECK_SALT_MAX + 1, out, sizeof(out)), -1);
	assert_int_equal(rdls_cred_check_make(NULL, salt, 16, out, sizeof(out)), -1);
	assert_int_equal(rdls_cred_check_make(s, NULL, 16, out, sizeof(out)), -1);
	assert_int_equal(rdls_cred_check_make_iter(s, salt, 16, 0, out, sizeof(out)), -1);
	assert_int_equal(rdls_cred_check_make_iter(s, salt, 16, RDLS_CRED_CHECK_MAX_ITERATIONS + 1, out,
						   sizeof(out)),
			 -1);

	/* Every buffer shorter than the string fails and leaves nothing readable. */
	char full[RDLS_CRED_CHECK_MAX];
	assert_int_equal(rdls_cred_check_make_iter(s, salt, 16, 10, full, sizeof(full)), 0);
	size_t need = strlen(full) + 1;
	for (size_t n = 1; n < need; n++) {
		memset(out, 'x', sizeof(out));
		if (rdls_cred_check_make_iter(s, salt, 16, 10, out, n) != -1)
			fail_msg("make into a %zu-byte buffer (needs %zu) did not fail", n, need);
		for (size_t i = 0; i < n; i++)
			if (out[i] != '\0')
				fail_msg("make into a %zu-byte buffer left byte %zu = 0x%02x", n, i,
					 (unsigned char)out[i]);
	}
	assert_int_equal(rdls_cred_check_make_iter(s, salt, 16, 10, out, need), 0);
	assert_string_equal(out, full);
	rdls_secret_free(s);
}

static void test_cred_check_verify_match_and_mismatch(void **state)
{
	(void)state;
	rdls_secret *s = sec("correct horse battery staple");
	char check[RDLS_CRED_CHECK_MAX];
	bool match;
	assert_int_equal(rdls_cred_check_make_iter(s, SALT, sizeof(SALT), 2000, check, sizeof(check)), 0);

	match = false;
	assert_int_equal(rdls_cred_check_verify(s, check, &match), 0);
	assert_true(match);

	static const char *const others[] = {
		"correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple",
		"", "x",
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		rdls_secret *o = sec(others[i]);
		match = true;
		assert_int_equal(rdls_cred_check_verify(o, check, &match), 0);
		if (match)
			fail_msg("secret '%s' matched the check of another secret", others[i]);
		rdls_secret_free(o);
	}
	/* Bytes after an embedded NUL count: the length is the secret's. */
	rdls_secret *nul = rdls_secret_new("correct horse battery staple\0x", 30);
	match = true;
	assert_int_equal(rdls_cred_check_verify(nul, check, &match), 0);
	assert_false(match);
	rdls_secret_free(nul);

	/* The same secret with another salt gives another string that also verifies. */
	unsigned char salt2[16];
	memcpy(salt2, SALT, 16);
	salt2[15] ^= 1;
	char check2[RDLS_CRED_CHECK_MAX];
	assert_int_equal(rdls_cred_check_make_iter(s, salt2, 16, 2000, check2, sizeof(check2)), 0);
	assert_string_not_equal(check, check2);
	assert_int_equal(rdls_cred_check_verify(s, check2, &match), 0);
	assert_true(match);
	rdls_secret_free(s);
}

/* Changing any one character never yields a match: either unparseable or false. */
static void test_cred_check_verify_tampered(void **state)
{
	(void)state;
	rdls_secret *s = sec("peer-secret");
	char check[RDLS_CRED_CHECK_MAX], t[RDLS_CRED_CHECK_MAX];
	assert_int_equal(rdls_cred_check_make_iter(s, SALT, sizeof(SALT), 1000, check, sizeof(check)), 0);
	size_t len = strlen(check);
	static const char repl[] = { '0', '1', '9', 'a', 'f', 'A', '$', ' ', 'z' };
	for (size_t i = 0; i < len; i++) {
		for (size_t r = 0; r < sizeof(repl); r++) {
			if (check[i] == repl[r])
				continue;
			strcpy(t, check);
			t[i] = repl[r];
			bool match = true;
			int rc = rdls_cred_check_verify(s, t, &match);
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
	assert_int_equal(rdls_cred_check_make_iter(s, SALT, sizeof(SALT), 50, check, sizeof(check)), 0);
	size_t len = strlen(check);
	for (size_t n = 0; n < len; n++) {
		memcpy(t, check, n);
		t[n] = '\0';
		bool match = true;
		int rc = rdls_cred_check_verify(s, t, &match);
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
	assert_int_equal(rdls_cred_check_make_iter(s, SALT, sizeof(SALT), 7, good, sizeof(good)), 0);
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
		int rc = rdls_cred_check_verify(s, bad[i], &match);
		if (rc != -1 || match)
			fail_msg("malformed '%s': rc %d match %d (want -1, 0)", bad[i], rc, match);
		if (rdls_cred_check_iterations(bad[i]) != 0)
			fail_msg("malformed '%s' has %u iterations", bad[i],
				 (unsigned)rdls_cred_check_iterations(bad[i]));
	}
	bool match = true;
	assert_int_equal(rdls_cred_check_verify(s, NULL, &match), -1);
	assert_false(match);
	assert_int_equal(rdls_cred_check_iterations(NULL), 0);
	/* the good one, for contrast */
	assert_int_equal(rdls_cred_check_verify(s, good, &match), 0);
	assert_true(match);
	rdls_secret_free(s);
}

static void test_cred_check_verifier_matches_verify(void **state)
{
	(void)state;
	rdls_secret *s = sec("shared"), *o = sec("other");
	rdls_cred_verifier *v = rdls_cred_verifier_new(s);
	assert_non_null(v);
	/* 12 salts (more than the verifier's slots), each twice, plus another secret's checks. */
	for (int round = 0; round < 2; round++) {
		for (unsigned char i = 0; i < 12; i++) {
			unsigned char salt[16];
			memset(salt, i, sizeof(salt));
			char mine[RDLS_CRED_CHECK_MAX], theirs[RDLS_CRED_CHECK_MAX];
			assert_int_equal(rdls_cred_check_make_iter(s, salt, 16, 100 + i, mine, sizeof(mine)), 0);
			assert_int_equal(rdls_cred_check_make_iter(o, salt, 16, 100 + i, theirs, sizeof(theirs)), 0);
			bool m1 = false, m2 = true;
			assert_int_equal(rdls_cred_verifier_check(v, mine, &m1), 0);
			assert_int_equal(rdls_cred_verifier_check(v, theirs, &m2), 0);
			if (!m1 || m2)
				fail_msg("round %d salt %u: own check %d (want 1), other's check %d (want 0)",
					 round, i, m1, m2);
		}
	}
	bool m = true;
	assert_int_equal(rdls_cred_verifier_check(v, "rdls1$pbkdf2-sha256$", &m), -1);
	assert_false(m);
	rdls_cred_verifier_free(v);
	rdls_cred_verifier_free(NULL);
	rdls_secret_free(s);
	rdls_secret_free(o);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cred_check_sha256_nist),
		cmocka_unit_test(test_cred_check_sha256_million_a),
		cmocka_unit_test(test_cred_check_sha256_split_updates),
		cmocka_unit_test(test_cred_check_hmac_rfc4231),
		cmocka_unit_test(test_cred_check_pbkdf2_rfc7914),
		cmocka_unit_test(test_cred_check_pbkdf2_lengths),
		cmocka_unit_test(test_cred_check_pbkdf2_zero_iterations),
		cmocka_unit_test(test_cred_check_make_format),
		cmocka_unit_test(test_cred_check_make_default_iterations),
		cmocka_unit_test(test_cred_check_make_rejects),
		cmocka_unit_test(test_cred_check_verify_match_and_mismatch),
		cmocka_unit_test(test_cred_check_verify_tampered),
		cmocka_unit_test(test_cred_check_verify_truncated),
		cmocka_unit_test(test_cred_check_verify_malformed),
		cmocka_unit_test(test_cred_check_verifier_matches_verify),
		cmocka_unit_test(test_cred_check_ct_equal),
	};
	return cmocka_run_group_tests_name("cred_check", tests, NULL, NULL);
}
