/*
 * Known answers for SHA-256 (FIPS 180-2 appendix B: "abc", the 448-bit message, one
 * million 'a'; and the empty message), shared by the unit tests (test_planfile.c,
 * through the fake system and so OpenSSL) and by the Win32 backend's probe
 * (tests/wine/w32probe.c, through CNG). A vector with repeat > 0 hashes msg repeated
 * that many times (the caller builds the buffer).
 */
#ifndef RDLS_SHA256_VECTORS_H
#define RDLS_SHA256_VECTORS_H

#include <stddef.h>

struct sha256_vector {
	const char *name;
	const char *msg;
	size_t len;
	size_t repeat;
	const char *hex;
};

static const struct sha256_vector sha256_vectors[] = {
	{ "fips180-2-abc", "abc", 3, 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "empty", "", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "fips180-2-448bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "fips180-2-million-a", "a", 1, 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

#endif
