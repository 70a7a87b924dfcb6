/* The only type that holds a secret. It zeroes its memory when freed. */
#ifndef RDLS_SECRET_H
#define RDLS_SECRET_H

#include <stddef.h>

typedef struct rdls_secret rdls_secret;

/* Copies len bytes of UTF-8 (no NUL needed). NULL on out-of-memory. */
rdls_secret *rdls_secret_new(const char *utf8, size_t len);
/* Zeroes and frees; NULL is fine. */
void rdls_secret_free(rdls_secret *s);
/* NUL-terminated UTF-8 view; valid until rdls_secret_free. */
const char *rdls_secret_str(const rdls_secret *s);
size_t rdls_secret_len(const rdls_secret *s);

/* Zeroes memory in a way the compiler may not elide (as SecureZeroMemory does). */
void rdls_secure_zero(void *p, size_t n);

#endif
