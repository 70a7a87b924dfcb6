/*
 * PBKDF2-HMAC-SHA-256 of the native build from OpenSSL's libcrypto: the system
 * interface's pbkdf2_sha256 (sys.h) for sys_posix.c, and the computation behind the
 * fake system's (tests/unit/fake_sys.c), so the unit tests' known answers check it.
 */
#ifndef RDLS_POSIX_CRYPTO_H
#define RDLS_POSIX_CRYPTO_H

#include "rdls/sys.h"

int rdls_posix_pbkdf2_sha256(void *ctx, const void *pw, size_t pwlen, const void *salt,
			     size_t saltlen, uint32_t iterations, void *out, size_t outlen,
			     rdls_err *err);
/* SHA-256 with EVP_Digest: sys.h's sha256. */
int rdls_posix_sha256(void *ctx, const void *data, size_t len, unsigned char out[32],
		      rdls_err *err);

#endif
