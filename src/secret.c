#include <stdlib.h>
#include <string.h>

#include "rdls/secret.h"

struct rdls_secret {
	size_t len;
	char *buf; /* len bytes + NUL */
};

void rdls_secure_zero(void *p, size_t n)
{
	if (!p || !n)
		return;
	/* Stores through a volatile pointer are observable behaviour (C11 5.1.2.3), so no
	 * compiler may drop them as dead: the same guarantee as SecureZeroMemory, in
	 * portable C, so that the core includes no Windows header. */
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

rdls_secret *rdls_secret_new(const char *utf8, size_t len)
{
	rdls_secret *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->buf = malloc(len + 1);
	if (!s->buf) {
		free(s);
		return NULL;
	}
	if (len)
		memcpy(s->buf, utf8, len);
	s->buf[len] = '\0';
	s->len = len;
	return s;
}

void rdls_secret_free(rdls_secret *s)
{
	if (!s)
		return;
	rdls_secure_zero(s->buf, s->len + 1);
	free(s->buf);
	rdls_secure_zero(s, sizeof(*s));
	free(s);
}

const char *rdls_secret_str(const rdls_secret *s)
{
	return s ? s->buf : "";
}

size_t rdls_secret_len(const rdls_secret *s)
{
	return s ? s->len : 0;
}
