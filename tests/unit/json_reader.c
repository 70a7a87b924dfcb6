/* A strict recursive-descent JSON reader for the tests (see json_reader.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "rdls/report.h" /* RDLS_JSON_FORMAT */

struct parser {
	const char *s;
	size_t i;
	char *err;
	size_t err_n;
	int depth;
};

static bool fail(struct parser *p, const char *what)
{
	if (p->err && p->err[0] == '\0')
		snprintf(p->err, p->err_n, "offset %zu: %s", p->i, what);
	return false;
}

static void ws(struct parser *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')
		p->i++;
}

void jr_free(struct jr *v)
{
	if (!v)
		return;
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jr_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v);
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(char *o, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xC0 | cp >> 6);
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		o[(*n)++] = (char)(0xE0 | cp >> 12);
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		o[(*n)++] = (char)(0xF0 | cp >> 18);
		o[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;
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
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static char *parse_string(struct parser *p)
{
	if (p->s[p->i] != '"') {
		fail(p, "expected a string");
		return NULL;
	}
	p->i++;
	size_t start = p->i, cap = 16;
	(void)start;
	char *o = malloc(cap);
	size_t n = 0;
	for (;;) {
		if (n + 8 > cap) {
			cap *= 2;
			o = realloc(o, cap);
		}
		unsigned char c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			o[n] = '\0';
			return o;
		}
		if (c < 0x20) {
			free(o);
			fail(p, c ? "control character in a string" : "unterminated string");
			return NULL;
		}
		if (c == '\\') {
			char e = p->s[p->i + 1];
			p->i += 2;
			switch (e) {
			case '"': o[n++] = '"'; break;
			case '\\': o[n++] = '\\'; break;
			case '/': o[n++] = '/'; break;
			case 'b': o[n++] = '\b'; break;
			case 'f': o[n++] = '\f'; break;
			case 'n': o[n++] = '\n'; break;
			case 'r': o[n++] = '\r'; break;
			case 't': o[n++] = '\t'; break;
			case 'u': {
				unsigned cp = 0;
				for (int k = 0; k < 4; k++) {
					int h = hexv(p->s[p->i + (size_t)k]);
					if (h < 0) {
						free(o);
						fail(p, "bad \\u escape");
						return NULL;
					}
					cp = cp << 4 | (unsigned)h;
				}
				p->i += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
					unsigned lo = 0;
					for (int k = 0; k < 4; k++) {
						int h = hexv(p->s[p->i + 2 + (size_t)k]);
						if (h < 0) {
							free(o);
							fail(p, "bad \\u escape");
							return NULL;
						}
						lo = lo << 4 | (unsigned)h;
					}
					if (lo < 0xDC00 || lo > 0xDFFF) {
						free(o);
						fail(p, "unpaired surrogate");
						return NULL;
					}
					p->i += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xD800 && cp <= 0xDFFF) {
					free(o);
					fail(p, "unpaired surrogate");
					return NULL;
				}
				if (cp == 0) {
					free(o);
					fail(p, "\\u0000 is not accepted by these tests");
					return NULL;
				}
				put_utf8(o, &n, cp);
				break;
			}
			default:
				free(o);
				fail(p, "bad escape");
				return NULL;
			}
			continue;
		}
		if (c < 0x80) {
			o[n++] = (char)c;
			p->i++;
			continue;
		}
		size_t l = utf8_len((const unsigned char *)p->s + p->i);
		if (l == 0) {
			free(o);
			fail(p, "invalid UTF-8 in a string");
			return NULL;
		}
		memcpy(o + n, p->s + p->i, l);
		n += l;
		p->i += l;
	}
}

static struct jr *parse_value(struct parser *p);

static bool push(struct jr *v, char *key, struct jr *item)
{
	v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
	if (v->type == JR_OBJ)
		v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	if (!v->items || (v->type == JR_OBJ && !v->keys))
		return false;
	if (v->type == JR_OBJ)
		v->keys[v->n] = key;
	v->items[v->n++] = item;
	return true;
}

static struct jr *parse_container(struct parser *p, bool obj)
{
	struct jr *v = calloc(1, sizeof(*v));
	v->type = obj ? JR_OBJ : JR_ARR;
	if (++p->depth > 64) {
		fail(p, "nested too deeply");
		goto bad;
	}
	p->i++;
	ws(p);
	if (p->s[p->i] == (obj ? '}' : ']')) {
		p->i++;
		p->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		ws(p);
		if (obj) {
			key = parse_string(p);
			if (!key)
				goto bad;
			for (size_t k = 0; k < v->n; k++)
				if (strcmp(v->keys[k], key) == 0) {
					free(key);
					fail(p, "duplicate key");
					goto bad;
				}
			ws(p);
			if (p->s[p->i] != ':') {
				free(key);
				fail(p, "expected ':'");
				goto bad;
			}
			p->i++;
		}
		struct jr *item = parse_value(p);
		if (!item) {
			free(key);
			goto bad;
		}
		push(v, key, item);
		ws(p);
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->s[p->i] == (obj ? '}' : ']')) {
			p->i++;
			p->depth--;
			return v;
		}
		fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		goto bad;
	}
bad:
	jr_free(v);
	return NULL;
}

static struct jr *parse_value(struct parser *p)
{
	ws(p);
	char c = p->s[p->i];
	if (c == '{' || c == '[')
		return parse_container(p, c == '{');
	struct jr *v = calloc(1, sizeof(*v));
	if (c == '"') {
		v->type = JR_STR;
		v->str = parse_string(p);
		if (!v->str) {
			free(v);
			return NULL;
		}
		return v;
	}
	if (strncmp(p->s + p->i, "true", 4) == 0 || strncmp(p->s + p->i, "false", 5) == 0) {
		v->type = JR_BOOL;
		v->b = c == 't';
		p->i += v->b ? 4 : 5;
		return v;
	}
	if (strncmp(p->s + p->i, "null", 4) == 0) {
		v->type = JR_NULL;
		p->i += 4;
		return v;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		size_t st = p->i;
		if (p->s[p->i] == '-')
			p->i++;
		if (p->s[p->i] == '0') {
			p->i++;
		} else if (p->s[p->i] >= '1' && p->s[p->i] <= '9') {
			while (p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		} else {
			free(v);
			fail(p, "bad number");
			return NULL;
		}
		if (p->s[p->i] == '.') {
			p->i++;
			if (!(p->s[p->i] >= '0' && p->s[p->i] <= '9')) {
				free(v);
				fail(p, "bad number");
				return NULL;
			}
			while (p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		}
		if (p->s[p->i] == 'e' || p->s[p->i] == 'E') {
			p->i++;
			if (p->s[p->i] == '+' || p->s[p->i] == '-')
				p->i++;
			if (!(p->s[p->i] >= '0' && p->s[p->i] <= '9')) {
				free(v);
				fail(p, "bad number");
				return NULL;
			}
			while (p->s[p->i] >= '0' && p->s[p->i] <= '9')
				p->i++;
		}
		v->type = JR_NUM;
		v->num = strtod(p->s + st, NULL);
		return v;
	}
	free(v);
	fail(p, "expected a value");
	return NULL;
}

struct jr *jr_parse(const char *text, char *err, size_t err_n)
{
	struct parser p = { .s = text, .err = err, .err_n = err_n };
	if (err && err_n)
		err[0] = '\0';
	struct jr *v = parse_value(&p);
	if (!v)
		return NULL;
	ws(&p);
	if (p.s[p.i] != '\0') {
		fail(&p, "text after the document");
		jr_free(v);
		return NULL;
	}
	return v;
}

const struct jr *jr_get(const struct jr *v, const char *key)
{
	if (!v || v->type != JR_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

const struct jr *jr_at(const struct jr *v, size_t i)
{
	if (!v || v->type != JR_ARR || i >= v->n)
		return NULL;
	return v->items[i];
}

const char *jr_str(const struct jr *v, const char *key)
{
	const struct jr *m = jr_get(v, key);
	return m && m->type == JR_STR ? m->str : NULL;
}

double jr_num(const struct jr *v, const char *key)
{
	const struct jr *m = jr_get(v, key);
	return m && m->type == JR_NUM ? m->num : -1e300;
}

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

/* Whether m is {"message": non-empty string[, "file": string[, "line": integer >= 1]]}. */
static bool is_message(const struct jr *m)
{
	if (!m || m->type != JR_OBJ || !jr_str(m, "message") || !*jr_str(m, "message"))
		return false;
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i];
		const struct jr *x = m->items[i];
		if (strcmp(k, "message") == 0 || (strcmp(k, "file") == 0 && x->type == JR_STR))
			continue;
		if (strcmp(k, "line") == 0 && x->type == JR_NUM && x->num >= 1 && jr_str(m, "file"))
			continue;
		return false;
	}
	return true;
}

const char *jr_envelope_problem(const struct jr *v, const char *command, int exit_code,
				char *buf, size_t n)
{
	static const char *const strings_or_null[] = { "host", "profile" };
	if (!v || v->type != JR_OBJ)
		return snprintf(buf, n, "not an object"), buf;
	if (jr_num(v, "format_version") != RDLS_JSON_FORMAT)
		return snprintf(buf, n, "format_version is not %d", RDLS_JSON_FORMAT), buf;
	if (!jr_str(v, "command") || strcmp(jr_str(v, "command"), command) != 0)
		return snprintf(buf, n, "command is not \"%s\"", command), buf;
	if (!jr_str(v, "tool_version") || strcmp(jr_str(v, "tool_version"), RDLS_VERSION) != 0)
		return snprintf(buf, n, "tool_version is not \"%s\"", RDLS_VERSION), buf;
	for (size_t i = 0; i < 2; i++) {
		const struct jr *m = jr_get(v, strings_or_null[i]);
		if (!m || (m->type != JR_STR && m->type != JR_NULL))
			return snprintf(buf, n, "%s is missing or not a string or null",
					strings_or_null[i]), buf;
	}
	static const char *const lists[] = { "errors", "warnings" };
	for (size_t i = 0; i < 2; i++) {
		const struct jr *a = jr_get(v, lists[i]);
		if (!a || a->type != JR_ARR)
			return snprintf(buf, n, "%s is missing or not an array", lists[i]), buf;
		for (size_t k = 0; k < a->n; k++)
			if (!is_message(a->items[k]))
				return snprintf(buf, n, "%s[%zu] is not a message object", lists[i], k),
				       buf;
	}
	if (jr_num(v, "exit_code") != exit_code)
		return snprintf(buf, n, "exit_code is %g, expected %d", jr_num(v, "exit_code"),
				exit_code), buf;
	return NULL;
}
