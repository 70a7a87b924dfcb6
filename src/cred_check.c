/*
 * SHA-256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104), PBKDF2-HMAC-SHA-256 (RFC 8018)
 * and the credential check strings built on them (cred_check.h).
 * Every buffer that held key material is wiped before it goes out of scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cred_check.h"

/* ------------------------------------------------------------------ SHA-256 */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* w: the caller's message schedule workspace, which it wipes when done. */
static void compress(uint32_t h[8], const unsigned char block[64], uint32_t w[64])
{
	for (int i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = k + S1 + ch + K[i] + w[i];
		uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + maj;
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

void rdls_sha256_init(rdls_sha256_ctx *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof(iv));
	c->total = 0;
	c->n = 0;
}

void rdls_sha256_update(rdls_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t w[64];
	c->total += len;
	if (c->n) {
		size_t take = RDLS_SHA256_BLOCK - c->n;
		if (take > len)
			take = len;
		memcpy(c->buf + c->n, p, take);
		c->n += take;
		p += take;
		len -= take;
		if (c->n < RDLS_SHA256_BLOCK)
			return;
		compress(c->h, c->buf, w);
		c->n = 0;
	}
	while (len >= RDLS_SHA256_BLOCK) {
		compress(c->h, p, w);
		p += RDLS_SHA256_BLOCK;
		len -= RDLS_SHA256_BLOCK;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->n = len;
	}
	rdls_secure_zero(w, sizeof(w));
}

void rdls_sha256_final(rdls_sha256_ctx *c, unsigned char out[RDLS_SHA256_LEN])
{
	uint64_t bits = c->total * 8;
	uint32_t w[64];
	c->buf[c->n++] = 0x80;
	if (c->n > 56) {
		memset(c->buf + c->n, 0, RDLS_SHA256_BLOCK - c->n);
		compress(c->h, c->buf, w);
		c->n = 0;
	}
	memset(c->buf + c->n, 0, 56 - c->n);
	for (int i = 0; i < 8; i++)
		c->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(c->h, c->buf, w);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, c->h[i]);
	rdls_secure_zero(w, sizeof(w));
	rdls_secure_zero(c, sizeof(*c));
}

void rdls_sha256(const void *data, size_t len, unsigned char out[RDLS_SHA256_LEN])
{
	rdls_sha256_ctx c;
	rdls_sha256_init(&c);
	rdls_sha256_update(&c, data, len);
	rdls_sha256_final(&c, out);
}

/* -------------------------------------------------------------- HMAC-SHA-256 */

/* The two hash states after absorbing key^ipad and key^opad: computed once per
 * key, so each PBKDF2 iteration costs two compressions instead of four. */
struct hmac_key {
	rdls_sha256_ctx inner, outer;
};

static void hmac_key_init(struct hmac_key *hk, const void *key, size_t key_len)
{
	unsigned char k[RDLS_SHA256_BLOCK], pad[RDLS_SHA256_BLOCK];
	memset(k, 0, sizeof(k));
	if (key_len > RDLS_SHA256_BLOCK)
		rdls_sha256(key, key_len, k);
	else if (key_len)
		memcpy(k, key, key_len);
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	rdls_sha256_init(&hk->inner);
	rdls_sha256_update(&hk->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	rdls_sha256_init(&hk->outer);
	rdls_sha256_update(&hk->outer, pad, sizeof(pad));
	rdls_secure_zero(k, sizeof(k));
	rdls_secure_zero(pad, sizeof(pad));
}

/* HMAC(key, m1 || m2) with the precomputed key. */
static void hmac_run(const struct hmac_key *hk, const void *m1, size_t n1, const void *m2,
		     size_t n2, unsigned char out[RDLS_SHA256_LEN])
{
	rdls_sha256_ctx c = hk->inner;
	unsigned char ih[RDLS_SHA256_LEN];
	rdls_sha256_update(&c, m1, n1);
	if (n2)
		rdls_sha256_update(&c, m2, n2);
	rdls_sha256_final(&c, ih);
	c = hk->outer;
	rdls_sha256_update(&c, ih, sizeof(ih));
	rdls_sha256_final(&c, out);
	rdls_secure_zero(ih, sizeof(ih));
}

void rdls_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		      unsigned char out[RDLS_SHA256_LEN])
{
	struct hmac_key hk;
	hmac_key_init(&hk, key, key_len);
	hmac_run(&hk, msg, msg_len, NULL, 0, out);
	rdls_secure_zero(&hk, sizeof(hk));
}

/* --------------------------------------------------------------------- PBKDF2 */

/*
 * PBKDF2's inner loop, U = HMAC(P, U), as two bare compressions: the messages
 * (U, then the inner digest) are always 32 bytes after one key block, so their
 * padded blocks are built once and only their first 32 bytes change.
 */
int rdls_pbkdf2_sha256(const void *pw, size_t pw_len, const void *salt, size_t salt_len,
		       uint32_t iterations, unsigned char *out, size_t out_len)
{
	/* RFC 8018: dkLen <= (2^32 - 1) * hLen */
	if (iterations == 0 || (uint64_t)out_len > (uint64_t)UINT32_MAX * RDLS_SHA256_LEN)
		return -1;
	struct hmac_key hk;
	unsigned char u[RDLS_SHA256_BLOCK], ih[RDLS_SHA256_BLOCK], t[RDLS_SHA256_LEN], idx[4];
	uint32_t st[8], w[64];
	hmac_key_init(&hk, pw, pw_len);
	/* padding of a 32-byte message after one 64-byte block: 768 bits */
	memset(u, 0, sizeof(u));
	u[32] = 0x80;
	u[62] = 0x03;
	memcpy(ih, u, sizeof(ih));
	for (uint32_t block = 1; out_len; block++) {
		store_be32(idx, block);
		hmac_run(&hk, salt, salt_len, idx, sizeof(idx), u);
		memcpy(t, u, sizeof(t));
		for (uint32_t i = 1; i < iterations; i++) {
			memcpy(st, hk.inner.h, sizeof(st));
			compress(st, u, w);
			for (int j = 0; j < 8; j++)
				store_be32(ih + 4 * j, st[j]);
			memcpy(st, hk.outer.h, sizeof(st));
			compress(st, ih, w);
			for (int j = 0; j < 8; j++) {
				store_be32(u + 4 * j, st[j]);
				t[4 * j] ^= u[4 * j];
				t[4 * j + 1] ^= u[4 * j + 1];
				t[4 * j + 2] ^= u[4 * j + 2];
				t[4 * j + 3] ^= u[4 * j + 3];
			}
		}
		size_t take = out_len < sizeof(t) ? out_len : sizeof(t);
		memcpy(out, t, take);
		out += take;
		out_len -= take;
	}
	rdls_secure_zero(&hk, sizeof(hk));
	rdls_secure_zero(u, sizeof(u));
	rdls_secure_zero(ih, sizeof(ih));
	rdls_secure_zero(t, sizeof(t));
	rdls_secure_zero(st, sizeof(st));
	rdls_secure_zero(w, sizeof(w));
	return 0;
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

int rdls_cred_check_make_iter(const rdls_secret *s, const unsigned char *salt, size_t salt_len,
			      uint32_t iterations, char *out, size_t out_n)
{
	if (out && out_n)
		out[0] = '\0';
	if (!s || !salt || !out || salt_len < RDLS_CRED_CHECK_SALT_MIN ||
	    salt_len > RDLS_CRED_CHECK_SALT_MAX || iterations == 0 ||
	    iterations > RDLS_CRED_CHECK_MAX_ITERATIONS)
		return -1;
	char salt_hex[2 * RDLS_CRED_CHECK_SALT_MAX + 1], hash_hex[2 * RDLS_SHA256_LEN + 1];
	unsigned char dk[RDLS_SHA256_LEN];
	int rc = -1;
	if (rdls_pbkdf2_sha256(rdls_secret_str(s), rdls_secret_len(s), salt, salt_len, iterations,
			       dk, sizeof(dk)) != 0)
		goto out;
	put_hex(salt_hex, salt, salt_len);
	put_hex(hash_hex, dk, sizeof(dk));
	int w = snprintf(out, out_n, "%s%lu$%s$%s", RDLS_CRED_CHECK_PREFIX,
			 (unsigned long)iterations, salt_hex, hash_hex);
	if (w < 0 || (size_t)w >= out_n) {
		rdls_secure_zero(out, out_n);
		goto out;
	}
	rc = 0;
out:
	rdls_secure_zero(dk, sizeof(dk));
	rdls_secure_zero(hash_hex, sizeof(hash_hex));
	return rc;
}

int rdls_cred_check_make(const rdls_secret *s, const unsigned char *salt, size_t salt_len,
			 char *out, size_t out_n)
{
	return rdls_cred_check_make_iter(s, salt, salt_len, RDLS_CRED_CHECK_ITERATIONS, out, out_n);
}

struct parsed {
	uint32_t iterations;
	unsigned char salt[RDLS_CRED_CHECK_SALT_MAX];
	size_t salt_len;
	unsigned char hash[RDLS_SHA256_LEN];
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
	if (strlen(s) != 2 * RDLS_SHA256_LEN ||
	    get_hex(s, s + 2 * RDLS_SHA256_LEN, p->hash, sizeof(p->hash), &hash_len) != 0)
		return -1;
	return 0;
}

int rdls_cred_check_verify(const rdls_secret *s, const char *check, bool *match)
{
	struct parsed p;
	unsigned char dk[RDLS_SHA256_LEN];
	int rc = -1;
	*match = false;
	if (!s || parse(check, &p) != 0)
		goto out;
	if (rdls_pbkdf2_sha256(rdls_secret_str(s), rdls_secret_len(s), p.salt, p.salt_len,
			       p.iterations, dk, sizeof(dk)) != 0)
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
	const rdls_secret *s;
	struct {
		uint32_t iterations; /* 0: unused */
		size_t salt_len;
		unsigned char salt[RDLS_CRED_CHECK_SALT_MAX];
		unsigned char dk[RDLS_SHA256_LEN];
	} slot[VERIFIER_SLOTS];
	size_t next; /* slot to replace when all are used */
};

rdls_cred_verifier *rdls_cred_verifier_new(const rdls_secret *s)
{
	rdls_cred_verifier *v = calloc(1, sizeof(*v));
	if (v)
		v->s = s;
	return v;
}

int rdls_cred_verifier_check(rdls_cred_verifier *v, const char *check, bool *match)
{
	struct parsed p;
	int rc = -1;
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
		if (rdls_pbkdf2_sha256(rdls_secret_str(v->s), rdls_secret_len(v->s), p.salt,
				       p.salt_len, p.iterations, v->slot[i].dk, RDLS_SHA256_LEN) != 0)
			goto out;
		v->slot[i].iterations = p.iterations;
		v->slot[i].salt_len = p.salt_len;
		memcpy(v->slot[i].salt, p.salt, p.salt_len);
	}
	*match = rdls_ct_equal(v->slot[i].dk, p.hash, RDLS_SHA256_LEN);
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
