/*
 * The credential check strings of cred_check.h. PBKDF2-HMAC-SHA-256 itself is the
 * platform's, reached through the system interface (sys.h's pbkdf2_sha256).
 * Every buffer that held key material is wiped before it goes out of scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cred_check.h"

/* PBKDF2 of the secret through sys; -1 with err filled on failure. */
static int derive(const struct rdls_sys *sys, const rdls_secret *s, const unsigned char *salt,
		  size_t salt_len, uint32_t iterations, unsigned char dk[RDLS_CRED_CHECK_HASH_LEN],
		  rdls_err *err)
{
	if (!sys || !sys->ops || !sys->ops->pbkdf2_sha256)
		return rdls_err_set(err, NULL, "PBKDF2-HMAC-SHA256", 0,
				    "this system interface has no PBKDF2");
	return sys->ops->pbkdf2_sha256(sys->ctx, rdls_secret_str(s), rdls_secret_len(s), salt,
				       salt_len, iterations, dk, RDLS_CRED_CHECK_HASH_LEN, err) == 0
		       ? 0
		       : -1;
}

/* ---------------------------------------------------------- constant time */

bool rdls_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	return d == 0;
}

/* ------------------------------------------------------------ check strings */

static const char hexdig[] = "0123456789abcdef";

static void put_hex(char *dst, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hexdig[p[i] >> 4];
		dst[2 * i + 1] = hexdig[p[i] & 15];
	}
	dst[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* the canonical form is lowercase */
}

/* Exactly `n` hex digits at s, up to `end`; writes n/2 bytes. */
static int get_hex(const char *s, const char *end, unsigned char *out, size_t max, size_t *len)
{
	size_t n = (size_t)(end - s);
	if (n == 0 || n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int rdls_cred_check_make_iter(const struct rdls_sys *sys, const rdls_secret *s,
			      const unsigned char *salt, size_t salt_len, uint32_t iterations,
			      char *out, size_t out_n, rdls_err *err)
{
	if (out && out_n)
		out[0] = '\0';
	if (!s || !salt || !out || salt_len < RDLS_CRED_CHECK_SALT_MIN ||
	    salt_len > RDLS_CRED_CHECK_SALT_MAX || iterations == 0 ||
	    iterations > RDLS_CRED_CHECK_MAX_ITERATIONS)
		return rdls_err_set(err, NULL, "credential check string", 0, "invalid argument");
	char salt_hex[2 * RDLS_CRED_CHECK_SALT_MAX + 1], hash_hex[2 * RDLS_CRED_CHECK_HASH_LEN + 1];
	unsigned char dk[RDLS_CRED_CHECK_HASH_LEN];
	int rc = -1;
	if (derive(sys, s, salt, salt_len, iterations, dk, err) != 0)
		goto out;
	put_hex(salt_hex, salt, salt_len);
	put_hex(hash_hex, dk, sizeof(dk));
	int w = snprintf(out, out_n, "%s%lu$%s$%s", RDLS_CRED_CHECK_PREFIX,
			 (unsigned long)iterations, salt_hex, hash_hex);
	if (w < 0 || (size_t)w >= out_n) {
		rdls_secure_zero(out, out_n);
		rdls_err_set(err, NULL, "credential check string", 0, "buffer too small");
		goto out;
	}
	rc = 0;
out:
	rdls_secure_zero(dk, sizeof(dk));
	rdls_secure_zero(hash_hex, sizeof(hash_hex));
	return rc;
}

int rdls_cred_check_make(const struct rdls_sys *sys, const rdls_secret *s,
			 const unsigned char *salt, size_t salt_len, char *out, size_t out_n,
			 rdls_err *err)
{
	return rdls_cred_check_make_iter(sys, s, salt, salt_len, RDLS_CRED_CHECK_ITERATIONS, out,
					 out_n, err);
}

struct parsed {
	uint32_t iterations;
	unsigned char salt[RDLS_CRED_CHECK_SALT_MAX];
	size_t salt_len;
	unsigned char hash[RDLS_CRED_CHECK_HASH_LEN];
};

/* Strict: the exact form make writes, nothing before or after. */
static int parse(const char *check, struct parsed *p)
{
	if (!check)
		return -1;
	size_t plen = strlen(RDLS_CRED_CHECK_PREFIX);
	if (strncmp(check, RDLS_CRED_CHECK_PREFIX, plen) != 0)
		return -1;
	const char *s = check + plen;
	/* iterations: decimal, no sign, no leading zero, within range */
	if (*s < '1' || *s > '9')
		return -1;
	uint64_t it = 0;
	while (*s >= '0' && *s <= '9') {
		it = it * 10 + (uint64_t)(*s - '0');
		if (it > RDLS_CRED_CHECK_MAX_ITERATIONS)
			return -1;
		s++;
	}
	if (*s++ != '$')
		return -1;
	p->iterations = (uint32_t)it;
	const char *d = strchr(s, '$');
	if (!d || get_hex(s, d, p->salt, sizeof(p->salt), &p->salt_len) != 0 ||
	    p->salt_len < RDLS_CRED_CHECK_SALT_MIN)
		return -1;
	s = d + 1;
	size_t hash_len;
	if (strlen(s) != 2 * RDLS_CRED_CHECK_HASH_LEN ||
	    get_hex(s, s + 2 * RDLS_CRED_CHECK_HASH_LEN, p->hash, sizeof(p->hash), &hash_len) != 0)
		return -1;
	return 0;
}

int rdls_cred_check_verify(const struct rdls_sys *sys, const rdls_secret *s, const char *check,
			   bool *match, rdls_err *err)
{
	struct parsed p;
	unsigned char dk[RDLS_CRED_CHECK_HASH_LEN];
	int rc = RDLS_CRED_CHECK_MALFORMED;
	*match = false;
	if (!s || parse(check, &p) != 0)
		goto out;
	rc = RDLS_CRED_CHECK_FAILED;
	if (derive(sys, s, p.salt, p.salt_len, p.iterations, dk, err) != 0)
		goto out;
	*match = rdls_ct_equal(dk, p.hash, sizeof(dk));
	rc = 0;
out:
	rdls_secure_zero(dk, sizeof(dk));
	rdls_secure_zero(&p, sizeof(p));
	return rc;
}

/* A few (salt, iterations) -> derived key entries; plans see one or two salts. */
#define VERIFIER_SLOTS 8

struct rdls_cred_verifier {
	const struct rdls_sys *sys;
	const rdls_secret *s;
	struct {
		uint32_t iterations; /* 0: unused */
		size_t salt_len;
		unsigned char salt[RDLS_CRED_CHECK_SALT_MAX];
		unsigned char dk[RDLS_CRED_CHECK_HASH_LEN];
	} slot[VERIFIER_SLOTS];
	size_t next; /* slot to replace when all are used */
};

rdls_cred_verifier *rdls_cred_verifier_new(const struct rdls_sys *sys, const rdls_secret *s)
{
	rdls_cred_verifier *v = calloc(1, sizeof(*v));
	if (v) {
		v->sys = sys;
		v->s = s;
	}
	return v;
}

int rdls_cred_verifier_check(rdls_cred_verifier *v, const char *check, bool *match,
			     rdls_err *err)
{
	struct parsed p;
	int rc = RDLS_CRED_CHECK_MALFORMED;
	*match = false;
	if (!v || !v->s || parse(check, &p) != 0)
		goto out;
	size_t i;
	for (i = 0; i < VERIFIER_SLOTS; i++)
		if (v->slot[i].iterations == p.iterations && v->slot[i].salt_len == p.salt_len &&
		    memcmp(v->slot[i].salt, p.salt, p.salt_len) == 0)
			break;
	if (i == VERIFIER_SLOTS) {
		i = v->next;
		v->next = (v->next + 1) % VERIFIER_SLOTS;
		v->slot[i].iterations = 0;
		if (derive(v->sys, v->s, p.salt, p.salt_len, p.iterations, v->slot[i].dk, err) != 0) {
			rc = RDLS_CRED_CHECK_FAILED;
			goto out;
		}
		v->slot[i].iterations = p.iterations;
		v->slot[i].salt_len = p.salt_len;
		memcpy(v->slot[i].salt, p.salt, p.salt_len);
	}
	*match = rdls_ct_equal(v->slot[i].dk, p.hash, RDLS_CRED_CHECK_HASH_LEN);
	rc = 0;
out:
	rdls_secure_zero(&p, sizeof(p));
	return rc;
}

void rdls_cred_verifier_free(rdls_cred_verifier *v)
{
	if (!v)
		return;
	rdls_secure_zero(v, sizeof(*v));
	free(v);
}

uint32_t rdls_cred_check_iterations(const char *check)
{
	struct parsed p;
	uint32_t it = parse(check, &p) == 0 ? p.iterations : 0;
	rdls_secure_zero(&p, sizeof(p));
	return it;
}
