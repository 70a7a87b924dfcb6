/*
 * PBKDF2-HMAC-SHA-256 from CNG (bcrypt.dll), for the credential check strings
 * (cred_check.c): the platform's implementation, so rdlsctl carries no hash code of
 * its own. One algorithm handle per call: the derivation's 100,000 iterations cost
 * far more than opening the provider.
 */
#include "win32/w32.h"

#include <bcrypt.h>

#ifndef NT_SUCCESS
#define NT_SUCCESS(st) ((LONG)(st) >= 0)
#endif

#define PBKDF2_OBJ "PBKDF2-HMAC-SHA256"

int w32_pbkdf2_sha256(void *ctx, const void *pw, size_t pwlen, const void *salt, size_t saltlen,
		      uint32_t iterations, void *out, size_t outlen, rdls_err *err)
{
	(void)ctx;
	BCRYPT_ALG_HANDLE alg = NULL;
	NTSTATUS st;
	int rc = -1;

	/* BCryptDeriveKeyPBKDF2 takes ULONG (32-bit) lengths. */
	if (pwlen > 0xFFFFFFFFu || saltlen > 0xFFFFFFFFu || outlen > 0xFFFFFFFFu) {
		w32_fail(err, "BCryptDeriveKeyPBKDF2", PBKDF2_OBJ, ERROR_INVALID_PARAMETER);
		goto out;
	}
	st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL,
					 BCRYPT_ALG_HANDLE_HMAC_FLAG);
	if (!NT_SUCCESS(st)) {
		alg = NULL;
		w32_fail(err, "BCryptOpenAlgorithmProvider", "SHA256 (BCRYPT_ALG_HANDLE_HMAC_FLAG)",
			 (DWORD)st);
		goto out;
	}
	/* The API takes non-const buffers but only reads password and salt. */
	st = BCryptDeriveKeyPBKDF2(alg, (PUCHAR)(pwlen ? pw : ""), (ULONG)pwlen,
				   (PUCHAR)(saltlen ? salt : ""), (ULONG)saltlen, iterations,
				   (PUCHAR)out, (ULONG)outlen, 0);
	if (!NT_SUCCESS(st)) {
		w32_fail(err, "BCryptDeriveKeyPBKDF2", PBKDF2_OBJ, (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	if (alg) {
		st = BCryptCloseAlgorithmProvider(alg, 0);
		if (!NT_SUCCESS(st) && rc == 0)
			rc = w32_fail(err, "BCryptCloseAlgorithmProvider",
				      "SHA256 (BCRYPT_ALG_HANDLE_HMAC_FLAG)", (DWORD)st);
	}
	if (rc != 0 && out)
		SecureZeroMemory(out, outlen);
	return rc;
}

/*
 * SHA-256 with BCryptHash (no key: a plain hash), for the saved plan's integrity hash
 * (planfile.c). BCryptHash exists since Windows 10; rdlsctl targets Server 2016 and later.
 */
int w32_sha256(void *ctx, const void *data, size_t len, unsigned char out[32], rdls_err *err)
{
	(void)ctx;
	BCRYPT_ALG_HANDLE alg = NULL;
	NTSTATUS st;
	int rc = -1;

	if (len > 0xFFFFFFFFu) {
		w32_fail(err, "BCryptHash", "SHA256", ERROR_INVALID_PARAMETER);
		goto out;
	}
	st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0);
	if (!NT_SUCCESS(st)) {
		alg = NULL;
		w32_fail(err, "BCryptOpenAlgorithmProvider", "SHA256", (DWORD)st);
		goto out;
	}
	/* The API takes a non-const input buffer but only reads it. */
	st = BCryptHash(alg, NULL, 0, (PUCHAR)(len ? data : ""), (ULONG)len, out, 32);
	if (!NT_SUCCESS(st)) {
		w32_fail(err, "BCryptHash", "SHA256", (DWORD)st);
		goto out;
	}
	rc = 0;
out:
	if (alg) {
		st = BCryptCloseAlgorithmProvider(alg, 0);
		if (!NT_SUCCESS(st) && rc == 0)
			rc = w32_fail(err, "BCryptCloseAlgorithmProvider", "SHA256", (DWORD)st);
	}
	if (rc != 0)
		SecureZeroMemory(out, 32);
	return rc;
}
