/*
 * Known answers for PBKDF2-HMAC-SHA-256 and for the credential check strings, shared
 * by the unit tests (test_cred_check.c, through the fake system and so OpenSSL) and by
 * the Win32 backend's probe (tests/wine/w32probe.c, through CNG).
 */
#ifndef RDLS_PBKDF2_VECTORS_H
#define RDLS_PBKDF2_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct pbkdf2_vector {
	const char *name;
	const char *pw;
	size_t pwlen;
	const char *salt;
	size_t saltlen;
	uint32_t iterations;
	size_t dklen;
	const char *dk_hex;
};

/*
 * RFC 7914 section 11 (the two PBKDF2-HMAC-SHA256 vectors), the SHA-256 counterparts of
 * RFC 6070's vectors that implementations commonly publish, and empty password and
 * salt (cross-checked against the project's former own implementation and Python's
 * hashlib.pbkdf2_hmac).
 */
static const struct pbkdf2_vector pbkdf2_vectors[] = {
	{ "rfc7914-passwd-1", "passwd", 6, "salt", 4, 1, 64,
	  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
	{ "rfc7914-Password-80000", "Password", 8, "NaCl", 4, 80000, 64,
	  "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	  "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
	{ "password-salt-1", "password", 8, "salt", 4, 1, 32,
	  "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
	{ "password-salt-2", "password", 8, "salt", 4, 2, 32,
	  "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
	{ "password-salt-4096", "password", 8, "salt", 4, 4096, 32,
	  "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
	{ "long-4096-40", "passwordPASSWORDpassword", 24, "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36,
	  4096, 40, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9" },
	{ "nul-4096-16", "pass\0word", 9, "sa\0lt", 5, 4096, 16, "89b69d0516f829893c696226650a8687" },
	{ "empty-password", "", 0, "salt", 4, 1, 32,
	  "f135c27993baf98773c5cdb40a5706ce6a345cde61b000a67858650cd6a324d7" },
	{ "empty-salt", "password", 8, "", 0, 1, 32,
	  "c1232f10f62715fda06ae7c0a2037ca19b33cf103b727ba56d870c11f290a2ab" },
};

/*
 * Check strings written by rdlsctl before PBKDF2 came from the platform (its own
 * SHA-256 code, rdls_cred_check_make with the default 100,000 iterations, and
 * rdls_cred_check_make_iter with 1,000 iterations and a 64-byte salt). Credentials
 * stored by that version carry such strings: they must keep verifying.
 */
struct legacy_check {
	const char *secret; /* UTF-8, as the profile gives it */
	const char *check;
};
static const struct legacy_check legacy_checks[] = {
	{ "Peer-S3cret/2024!",
	  "rdls1$pbkdf2-sha256$100000$3a9107c45e22f86b10d9844fa733ec58$"
	  "3c6f24dc9e80291c582c528b90c7004ba8159d03e52f452a00eb119a1e21456d" },
	{ "P\xc3\xa4sswort \xe2\x82\xac 9",
	  "rdls1$pbkdf2-sha256$1000$"
	  "0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186"
	  "abd0f51a3f6489aed3f81d42678cb1d6fb20456a8fb4d9fe23486d92b7dc0126$"
	  "f54a18d874aab8678aaa47298c514a9364214f569f89c88f3575db37ca09b3be" },
};

#endif
