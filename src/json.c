#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/json.h"

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

/* ------------------------------------------------------------------ JSON */

void rdls_json_init(struct rdls_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Writes the separator a new value needs at this position. */
static void value_prefix(struct rdls_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void open_container(struct rdls_json *j, char c)
{
	value_prefix(j);
	fputc(c, j->f);
	if (j->depth + 1 < RDLS_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct rdls_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void rdls_json_obj_begin(struct rdls_json *j)
{
	open_container(j, '{');
}

void rdls_json_obj_end(struct rdls_json *j)
{
	close_container(j, '}');
}

void rdls_json_arr_begin(struct rdls_json *j)
{
	open_container(j, '[');
}

void rdls_json_arr_end(struct rdls_json *j)
{
	close_container(j, ']');
}

static void write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		size_t l = rdls_utf8_seq(s + i, n - i);
		if (l == 0) {
			fputs("\\ufffd", f);
			i++;
		} else {
			fwrite(s + i, 1, l, f);
			i += l;
		}
	}
	fputc('"', f);
}

void rdls_json_key(struct rdls_json *j, const char *key)
{
	value_prefix(j);
	write_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void rdls_json_str(struct rdls_json *j, const char *s)
{
	if (!s) {
		rdls_json_null(j);
		return;
	}
	value_prefix(j);
	write_string(j->f, s);
}

void rdls_json_int(struct rdls_json *j, long long v)
{
	value_prefix(j);
	fprintf(j->f, "%lld", v);
}

void rdls_json_bool(struct rdls_json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->f);
}

void rdls_json_null(struct rdls_json *j)
{
	value_prefix(j);
	fputs("null", j->f);
}

void rdls_json_kv_str(struct rdls_json *j, const char *key, const char *s)
{
	rdls_json_key(j, key);
	rdls_json_str(j, s);
}

void rdls_json_kv_int(struct rdls_json *j, const char *key, long long v)
{
	rdls_json_key(j, key);
	rdls_json_int(j, v);
}

void rdls_json_kv_bool(struct rdls_json *j, const char *key, bool v)
{
	rdls_json_key(j, key);
	rdls_json_bool(j, v);
}

void rdls_json_finish(struct rdls_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
