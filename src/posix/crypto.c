/* OpenSSL behind sys.h's pbkdf2_sha256 (PKCS5_PBKDF2_HMAC) and sha256 (EVP_Digest). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "posix/crypto.h"

#define PBKDF2_OBJ "PBKDF2-HMAC-SHA256"

int rdls_posix_pbkdf2_sha256(void *ctx, const void *pw, size_t pwlen, const void *salt,
			     size_t saltlen, uint32_t iterations, void *out, size_t outlen,
			     rdls_err *err)
{
	(void)ctx;
	/* PKCS5_PBKDF2_HMAC takes int lengths and count. */
	if (iterations == 0 || iterations > INT_MAX || pwlen > INT_MAX || saltlen > INT_MAX ||
	    outlen > INT_MAX) {
		rdls_secure_zero(out, outlen);
		return rdls_err_set(err, "PKCS5_PBKDF2_HMAC", PBKDF2_OBJ, EINVAL, "%s",
				    strerror(EINVAL));
	}
	ERR_clear_error();
	if (PKCS5_PBKDF2_HMAC(pwlen ? pw : "", (int)pwlen,
			      (const unsigned char *)(saltlen ? salt : ""), (int)saltlen,
			      (int)iterations, EVP_sha256(), (int)outlen, out) == 1)
		return 0;
	unsigned long e = ERR_get_error();
	char text[256];
	ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	rdls_secure_zero(out, outlen);
	return rdls_err_set(err, "PKCS5_PBKDF2_HMAC", PBKDF2_OBJ, (uint32_t)e, "%s",
			    e ? text : "failed without an OpenSSL error");
}

/* EVP_Digest with EVP_sha256 behind sys.h's sha256. */
int rdls_posix_sha256(void *ctx, const void *data, size_t len, unsigned char out[32],
		      rdls_err *err)
{
	(void)ctx;
	unsigned int n = 0;
	ERR_clear_error();
	if (EVP_Digest(len ? data : "", len, out, &n, EVP_sha256(), NULL) == 1 && n == 32)
		return 0;
	unsigned long e = ERR_get_error();
	char text[256];
	ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	memset(out, 0, 32);
	return rdls_err_set(err, "EVP_Digest", "SHA-256", (uint32_t)e, "%s",
			    e ? text : "failed without an OpenSSL error");
}
