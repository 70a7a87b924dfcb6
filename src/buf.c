/* The growable text buffer (buf.h), apart from the JSON writer that also uses it. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/buf.h"
#include "rdls/util.h"

void rdls_buf_init(struct rdls_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void rdls_buf_release(struct rdls_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void rdls_buf_reset(struct rdls_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static bool grow(struct rdls_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *s = realloc(b->s, cap);
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void rdls_buf_putn(struct rdls_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void rdls_buf_puts(struct rdls_buf *b, const char *s)
{
	rdls_buf_putn(b, s, strlen(s));
}

void rdls_buf_putc(struct rdls_buf *b, char c)
{
	rdls_buf_putn(b, &c, 1);
}

void rdls_buf_printf(struct rdls_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *rdls_buf_str(const struct rdls_buf *b)
{
	return b->s ? b->s : "";
}

char *rdls_buf_take(struct rdls_buf *b)
{
	char *s = b->oom ? NULL : b->s;
	if (!s && !b->oom)
		s = calloc(1, 1);
	if (b->oom)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

void rdls_buf_quote(struct rdls_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	rdls_buf_putc(b, '\'');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '\'') {
			rdls_buf_puts(b, "\\'");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			rdls_buf_printf(b, "\\x%02X", c);
			i++;
		} else {
			size_t l = rdls_utf8_seq(s + i, n - i);
			if (l == 0) {
				rdls_buf_printf(b, "\\x%02X", c);
				i++;
			} else {
				rdls_buf_putn(b, (const char *)s + i, l);
				i += l;
			}
		}
	}
	rdls_buf_putc(b, '\'');
}
