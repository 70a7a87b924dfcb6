/*
 * Telling whether the secret of a stored NETWORK SERVICE credential changed.
 *
 * Windows never reveals a stored domain password, so rdlsctl keeps, in the
 * credential's own attribute, a salted and deliberately slow hash of the secret:
 *
 *     rdls1$pbkdf2-sha256$<iterations>$<salt, lowercase hex>$<32-byte hash, lowercase hex>
 *
 * PBKDF2-HMAC-SHA-256 (RFC 8018) with a 16-byte random salt: the string lets
 * rdlsctl check a candidate secret, but recovering the secret from it costs an
 * attacker a full PBKDF2 run per guess. It protects a strong secret well and a
 * weak one only somewhat; README.md discusses the trade-off.
 *
 * SHA-256, HMAC-SHA-256 and PBKDF2 are implemented here, portably, and exported
 * for the test vectors.
 */
#ifndef RDLS_CRED_CHECK_H
#define RDLS_CRED_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/secret.h"
#include "rdls/sys.h" /* RDLS_CRED_CHECK_MAX */

/*
 * Work factor of new check strings: 100,000 iterations, the low end of current
 * advice (OWASP 2023 says 600,000 for PBKDF2-HMAC-SHA-256 login passwords; a peer
 * secret is one secret per deployment, chosen by an administrator).
 * Cost: one check is 200,000 SHA-256 compressions, measured at 55-90 ms with this
 * portable code on the 2-core development VM (gcc -O2; the range is load noise).
 * That is above the 20-50 ms we aimed for, and a higher count would be worse:
 * plan verifies the check of every peer credential of a license server, so P peers
 * cost P x 60 ms per plan (3 s for 50 peers) unless the credentials share a salt,
 * in which case rdls_cred_verifier runs PBKDF2 once per plan (see below). An
 * attacker holding a check string pays the same 200,000 compressions per guess.
 * verify takes the count from the string, so strings written with another count
 * (an older default, or a benchmark's -DRDLS_CRED_CHECK_ITERATIONS=1000, or
 * rdls_cred_check_make_iter) still verify.
 */
#ifndef RDLS_CRED_CHECK_ITERATIONS
#define RDLS_CRED_CHECK_ITERATIONS 100000u
#endif
/* verify refuses counts above this, so a tampered attribute cannot stall a plan. */
#define RDLS_CRED_CHECK_MAX_ITERATIONS 5000000u
#define RDLS_CRED_CHECK_SALT_LEN 16u   /* what callers should draw from sys->ops->random */
#define RDLS_CRED_CHECK_SALT_MIN 8u
#define RDLS_CRED_CHECK_SALT_MAX 64u
#define RDLS_CRED_CHECK_PREFIX "rdls1$pbkdf2-sha256$"

/*
 * Writes the check string of secret s with the given salt (RDLS_CRED_CHECK_SALT_MIN..
 * _MAX bytes) and RDLS_CRED_CHECK_ITERATIONS into out (out_n >= RDLS_CRED_CHECK_MAX
 * is always enough). Returns 0, or -1 on a bad argument or a too-small buffer
 * (out is then the empty string).
 */
int rdls_cred_check_make(const rdls_secret *s, const unsigned char *salt, size_t salt_len,
			 char *out, size_t out_n);
/* The same with an explicit iteration count (1..RDLS_CRED_CHECK_MAX_ITERATIONS). */
int rdls_cred_check_make_iter(const rdls_secret *s, const unsigned char *salt, size_t salt_len,
			      uint32_t iterations, char *out, size_t out_n);

/*
 * *match = whether check was made from secret s. Returns 0, or -1 when check is
 * not a well-formed check string (empty, truncated, tampered, unknown scheme,
 * iteration count out of range); *match is false then.
 */
int rdls_cred_check_verify(const rdls_secret *s, const char *check, bool *match);

/* The iteration count of a well-formed check string, or 0. Lets a caller decide
 * to rewrite a credential whose check is older than the current work factor. */
uint32_t rdls_cred_check_iterations(const char *check);

/*
 * Verifies many check strings against one secret. Strings that share salt and
 * iteration count cost one PBKDF2 run in total, so a caller that draws ONE salt
 * per apply and uses it for every credential it writes makes the next plan pay
 * once, not once per peer. (Reusing a salt across credentials of the same secret
 * on the same host reveals only that they hold the same secret, which they do by
 * design.) The verifier keeps the secret's derived keys, never the secret; it
 * wipes them when freed.
 */
typedef struct rdls_cred_verifier rdls_cred_verifier;
/* s must outlive the verifier. NULL on out-of-memory. */
rdls_cred_verifier *rdls_cred_verifier_new(const rdls_secret *s);
/* As rdls_cred_check_verify. */
int rdls_cred_verifier_check(rdls_cred_verifier *v, const char *check, bool *match);
void rdls_cred_verifier_free(rdls_cred_verifier *v);

/* Compares n bytes in time independent of their contents. */
bool rdls_ct_equal(const void *a, const void *b, size_t n);

/* --- the primitives --- */
#define RDLS_SHA256_LEN 32u
#define RDLS_SHA256_BLOCK 64u

typedef struct rdls_sha256_ctx {
	uint32_t h[8];
	uint64_t total;                       /* bytes absorbed */
	unsigned char buf[RDLS_SHA256_BLOCK];
	size_t n;                             /* bytes in buf */
} rdls_sha256_ctx;

void rdls_sha256_init(rdls_sha256_ctx *c);
void rdls_sha256_update(rdls_sha256_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void rdls_sha256_final(rdls_sha256_ctx *c, unsigned char out[RDLS_SHA256_LEN]);
void rdls_sha256(const void *data, size_t len, unsigned char out[RDLS_SHA256_LEN]);

void rdls_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		      unsigned char out[RDLS_SHA256_LEN]);

/* RFC 8018 PBKDF2 with HMAC-SHA-256; any out_len. Returns 0, or -1 if iterations == 0
 * or out_len is beyond the RFC's limit. */
int rdls_pbkdf2_sha256(const void *pw, size_t pw_len, const void *salt, size_t salt_len,
		       uint32_t iterations, unsigned char *out, size_t out_len);

#endif
