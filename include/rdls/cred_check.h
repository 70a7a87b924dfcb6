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
 * weak one only somewhat; docs/design/credentials.md discusses the trade-off.
 *
 * PBKDF2 comes from the platform through the system interface (sys.h's
 * pbkdf2_sha256: CNG's BCryptDeriveKeyPBKDF2 on Windows, OpenSSL's PKCS5_PBKDF2_HMAC
 * natively and in the fake); rdlsctl has no hash code of its own. The string format
 * is the one rdlsctl has always written, so older credentials still verify.
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
 * Cost: one check is 200,000 SHA-256 compressions, measured at 45-52 ms with
 * OpenSSL 3.0 on the 2-core development VM (best of 7; the project's former portable
 * code took 55-93 ms there). That is at the top of the 20-50 ms we aimed for, and a
 * higher count would be worse:
 * plan verifies the check of every peer credential of a license server, so P peers
 * cost P x 50 ms per plan (2.5 s for 50 peers) unless the credentials share a salt,
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

#define RDLS_CRED_CHECK_HASH_LEN 32u /* bytes of PBKDF2 output in the string */

/*
 * Writes the check string of secret s with the given salt (RDLS_CRED_CHECK_SALT_MIN..
 * _MAX bytes) and RDLS_CRED_CHECK_ITERATIONS into out (out_n >= RDLS_CRED_CHECK_MAX
 * is always enough), deriving through sys. Returns 0, or -1 with err filled on a bad
 * argument, a too-small buffer or a failure of the platform's PBKDF2 (out is then the
 * empty string).
 */
int rdls_cred_check_make(const struct rdls_sys *sys, const rdls_secret *s,
			 const unsigned char *salt, size_t salt_len, char *out, size_t out_n,
			 rdls_err *err);
/* The same with an explicit iteration count (1..RDLS_CRED_CHECK_MAX_ITERATIONS). */
int rdls_cred_check_make_iter(const struct rdls_sys *sys, const rdls_secret *s,
			      const unsigned char *salt, size_t salt_len, uint32_t iterations,
			      char *out, size_t out_n, rdls_err *err);

/* What verify returns besides 0. */
#define RDLS_CRED_CHECK_MALFORMED (-1) /* not a check string rdlsctl writes; err untouched */
#define RDLS_CRED_CHECK_FAILED (-2)    /* the platform's PBKDF2 failed; err filled */

/*
 * *match = whether check was made from secret s. Returns 0; RDLS_CRED_CHECK_MALFORMED
 * when check is not a well-formed check string (empty, truncated, tampered, unknown
 * scheme, iteration count out of range); RDLS_CRED_CHECK_FAILED when the derivation
 * through sys failed. *match is false unless 0 is returned.
 */
int rdls_cred_check_verify(const struct rdls_sys *sys, const rdls_secret *s, const char *check,
			   bool *match, rdls_err *err);

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
/* sys and s must outlive the verifier. NULL on out-of-memory. */
rdls_cred_verifier *rdls_cred_verifier_new(const struct rdls_sys *sys, const rdls_secret *s);
/* As rdls_cred_check_verify. A failed derivation is not cached. */
int rdls_cred_verifier_check(rdls_cred_verifier *v, const char *check, bool *match,
			     rdls_err *err);
void rdls_cred_verifier_free(rdls_cred_verifier *v);

/* Compares n bytes in time independent of their contents. */
bool rdls_ct_equal(const void *a, const void *b, size_t n);

#endif
