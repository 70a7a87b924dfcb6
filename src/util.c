/* String helpers shared by the modules (util.h): each written once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/util.h"

char *rdls_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool rdls_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

bool rdls_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void rdls_trim(const char **s, size_t *n)
{
	while (*n && rdls_is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && rdls_is_space((*s)[*n - 1]))
		(*n)--;
}

void rdls_split_init(struct rdls_split *it, const char *s, size_t len, char sep)
{
	it->p = s;
	it->end = s + len;
	it->sep = sep;
	it->done = false;
}

bool rdls_split_next(struct rdls_split *it, const char **item, size_t *n)
{
	if (it->done || (it->sep == '\0' && it->p == it->end)) {
		it->done = true;
		return false;
	}
	size_t left = (size_t)(it->end - it->p);
	const char *q = left ? memchr(it->p, it->sep, left) : NULL;
	*item = it->p;
	if (!q) {
		*n = left;
		it->done = true;
		return true;
	}
	*n = (size_t)(q - it->p);
	it->p = q + 1;
	return true;
}

size_t rdls_utf8_seq(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}
