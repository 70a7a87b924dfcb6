/*
 * Registry.pol (preg.h): a reader that reports the byte offset of the first defect,
 * and a writer that replaces only the entries it is asked to. The file format is
 * UTF-16LE by definition, so the names are converted here, for this format only
 * (the system interface's UTF-16 stays in src/win32/).
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/json.h"
#include "rdls/preg.h"
#include "rdls/sys.h"

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned unit(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

struct cursor {
	const unsigned char *b;
	size_t len, pos;
	size_t bad;
	const char *why;
};

static bool fail_at(struct cursor *c, size_t off, const char *why)
{
	c->bad = off;
	c->why = why;
	return false;
}

/* The UTF-16 unit `ch` (a bracket or a semicolon) at the cursor. */
static bool expect(struct cursor *c, unsigned ch, const char *why)
{
	if (c->len - c->pos < 2)
		return fail_at(c, c->pos, "the file ends inside an entry");
	if (unit(c->b + c->pos) != ch)
		return fail_at(c, c->pos, why);
	c->pos += 2;
	return true;
}

static void put_utf8(struct rdls_buf *o, uint32_t cp)
{
	if (cp < 0x80) {
		rdls_buf_putc(o, (char)cp);
	} else if (cp < 0x800) {
		rdls_buf_putc(o, (char)(0xC0 | cp >> 6));
		rdls_buf_putc(o, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		rdls_buf_putc(o, (char)(0xE0 | cp >> 12));
		rdls_buf_putc(o, (char)(0x80 | (cp >> 6 & 0x3F)));
		rdls_buf_putc(o, (char)(0x80 | (cp & 0x3F)));
	} else {
		rdls_buf_putc(o, (char)(0xF0 | cp >> 18));
		rdls_buf_putc(o, (char)(0x80 | (cp >> 12 & 0x3F)));
		rdls_buf_putc(o, (char)(0x80 | (cp >> 6 & 0x3F)));
		rdls_buf_putc(o, (char)(0x80 | (cp & 0x3F)));
	}
}

/* UTF-16LE units [p, p + 2n) as UTF-8 into o; false (at *bad, a byte index) on an unpaired
 * surrogate or a NUL unit. */
static bool utf16_to_utf8(const unsigned char *p, size_t n, struct rdls_buf *o, size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u = unit(p + 2 * i);
		if (u == 0) {
			*bad = 2 * i;
			return false;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			uint32_t lo = i + 1 < n ? unit(p + 2 * (i + 1)) : 0;
			if (lo < 0xDC00 || lo > 0xDFFF) {
				*bad = 2 * i;
				return false;
			}
			put_utf8(o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
			i++;
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			*bad = 2 * i;
			return false;
		} else {
			put_utf8(o, u);
		}
	}
	return true;
}

/* A NUL-terminated UTF-16LE name at the cursor, as UTF-8 (malloc). */
static bool name(struct cursor *c, char **out, bool allow_empty, const char *what)
{
	size_t start = c->pos, n = 0;
	for (;;) {
		if (c->len - c->pos < 2)
			return fail_at(c, c->pos, "the file ends inside an entry");
		if (unit(c->b + c->pos) == 0)
			break;
		c->pos += 2;
		n++;
	}
	c->pos += 2; /* the NUL */
	if (n == 0 && !allow_empty)
		return fail_at(c, start, what);
	struct rdls_buf o;
	rdls_buf_init(&o);
	size_t bad = 0;
	if (!utf16_to_utf8(c->b + start, n, &o, &bad)) {
		rdls_buf_release(&o);
		return fail_at(c, start + bad, "a name holds an unpaired UTF-16 surrogate");
	}
	*out = rdls_buf_take(&o);
	if (!*out)
		return fail_at(c, 0, "out of memory");
	return true;
}

static bool dword(struct cursor *c, uint32_t *v)
{
	if (c->len - c->pos < 4)
		return fail_at(c, c->pos, "the file ends inside an entry");
	*v = le32(c->b + c->pos);
	c->pos += 4;
	return true;
}

static void entry_free(struct rdls_preg_entry *e)
{
	free(e->key);
	free(e->value);
	memset(e, 0, sizeof(*e));
}

void rdls_preg_release(struct rdls_preg *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		entry_free(&p->e[i]);
	free(p->e);
	p->e = NULL;
	p->n = 0;
}

static bool one_entry(struct cursor *c, struct rdls_preg_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->off = c->pos;
	if (!expect(c, '[', "expected '[' (the start of an entry)") ||
	    !name(c, &e->key, false, "an entry has an empty key") ||
	    !expect(c, ';', "expected ';' after the key") ||
	    !name(c, &e->value, true, "") || !expect(c, ';', "expected ';' after the value name"))
		return false;
	uint32_t size = 0;
	if (!dword(c, &e->type) || !expect(c, ';', "expected ';' after the type"))
		return false;
	size_t size_off = c->pos;
	if (!dword(c, &size) || !expect(c, ';', "expected ';' after the size"))
		return false;
	if (size > c->len - c->pos)
		return fail_at(c, size_off, "the size runs past the end of the file");
	e->data = c->b + c->pos;
	e->size = size;
	c->pos += size;
	if (!expect(c, ']', "expected ']' (the end of an entry) after the data"))
		return false;
	e->len = c->pos - e->off;
	return true;
}

int rdls_preg_parse(const unsigned char *buf, size_t len, struct rdls_preg *out, size_t *bad_off,
		    const char **why)
{
	memset(out, 0, sizeof(*out));
	*bad_off = 0;
	*why = NULL;
	if (len < RDLS_PREG_HEADER) {
		*bad_off = len < 4 ? 0 : 4;
		*why = "the file is shorter than the PReg header";
		return -1;
	}
	if (memcmp(buf, "PReg", 4) != 0) {
		*why = "the signature is not \"PReg\"";
		return -1;
	}
	if (le32(buf + 4) != 1) {
		*bad_off = 4;
		*why = "the version is not 1";
		return -1;
	}
	struct cursor c = { .b = buf, .len = len, .pos = RDLS_PREG_HEADER };
	size_t cap = 0;
	while (c.pos < len) {
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct rdls_preg_entry *v = realloc(out->e, nc * sizeof(*v));
			if (!v) {
				fail_at(&c, 0, "out of memory");
				goto bad;
			}
			out->e = v;
			cap = nc;
		}
		if (!one_entry(&c, &out->e[out->n])) {
			entry_free(&out->e[out->n]);
			goto bad;
		}
		out->n++;
	}
	return 0;
bad:
	*bad_off = c.bad;
	*why = c.why;
	rdls_preg_release(out);
	return -1;
}

static int fold(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (fold((unsigned char)*a) != fold((unsigned char)*b))
			return false;
	return *a == *b;
}

const struct rdls_preg_entry *rdls_preg_find(const struct rdls_preg *p, const char *key,
					      const char *value)
{
	for (size_t i = p->n; i-- > 0;) /* the last one is what the Group Policy engine leaves */
		if (ieq(p->e[i].key, key) && ieq(p->e[i].value, value))
			return &p->e[i];
	return NULL;
}

char *rdls_preg_sz(const struct rdls_preg_entry *e)
{
	if (e->size < 2 || e->size % 2 || unit(e->data + e->size - 2) != 0)
		return NULL;
	struct rdls_buf o;
	rdls_buf_init(&o);
	size_t bad = 0;
	if (!utf16_to_utf8(e->data, e->size / 2 - 1, &o, &bad)) {
		rdls_buf_release(&o);
		return NULL;
	}
	return rdls_buf_take(&o);
}

/* ------------------------------------------------------------------ writer */

static void put_unit(struct rdls_buf *b, uint32_t u)
{
	rdls_buf_putc(b, (char)(u & 0xFF));
	rdls_buf_putc(b, (char)(u >> 8 & 0xFF));
}

static void put_le32(struct rdls_buf *b, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		rdls_buf_putc(b, (char)(v >> (8 * k) & 0xFF));
}

/* UTF-8 s as UTF-16LE plus a NUL unit; false on invalid UTF-8. */
static bool put_utf16(struct rdls_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		int more;
		if (*p < 0x80) {
			cp = *p;
			more = 0;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			more = 1;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			more = 2;
		} else if ((*p & 0xF8) == 0xF0) {
			cp = *p & 0x07;
			more = 3;
		} else {
			return false;
		}
		p++;
		for (int k = 0; k < more; k++, p++) {
			if ((*p & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3F);
		}
		if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
		    (more == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			put_unit(b, 0xD800 + (cp >> 10));
			put_unit(b, 0xDC00 + (cp & 0x3FF));
		} else {
			put_unit(b, cp);
		}
	}
	put_unit(b, 0);
	return true;
}

static bool put_entry(struct rdls_buf *b, const struct rdls_preg_value *v)
{
	struct rdls_buf data;
	rdls_buf_init(&data);
	bool ok = true;
	if (v->type == RDLS_REG_SZ || v->type == RDLS_REG_EXPAND_SZ)
		ok = put_utf16(&data, v->sz ? v->sz : "");
	else if (v->type == RDLS_REG_DWORD)
		put_le32(&data, v->dword);
	else
		ok = false;
	put_unit(b, '[');
	ok = ok && put_utf16(b, v->key);
	put_unit(b, ';');
	ok = ok && put_utf16(b, v->value);
	put_unit(b, ';');
	put_le32(b, v->type);
	put_unit(b, ';');
	put_le32(b, (uint32_t)data.len);
	put_unit(b, ';');
	rdls_buf_putn(b, data.s ? data.s : "", data.len);
	put_unit(b, ']');
	if (data.oom)
		b->oom = true;
	rdls_buf_release(&data);
	return ok;
}

/* Whether entry e is about value v: the value itself, or "**del.value" (Disabled). */
static bool is_about(const struct rdls_preg_entry *e, const struct rdls_preg_value *v)
{
	if (!ieq(e->key, v->key))
		return false;
	if (ieq(e->value, v->value))
		return true;
	static const char del[] = "**del.";
	for (size_t i = 0; i < sizeof(del) - 1; i++)
		if (fold((unsigned char)e->value[i]) != del[i])
			return false; /* also stops at a shorter name's NUL */
	return ieq(e->value + sizeof(del) - 1, v->value);
}

int rdls_preg_set(const unsigned char *old, size_t old_len, const char *what,
		  const struct rdls_preg_value *vals, size_t n, unsigned char **out,
		  size_t *out_len, rdls_err *err)
{
	*out = NULL;
	*out_len = 0;
	struct rdls_preg p = { 0 };
	if (old && old_len) {
		size_t off = 0;
		const char *why = NULL;
		if (rdls_preg_parse(old, old_len, &p, &off, &why) != 0)
			return rdls_err_set(err, NULL, what, 0,
					    "damaged Registry Policy file at byte offset %zu: %s; it "
					    "is left as it is (open and save the policy in gpedit.msc, "
					    "or move the file away, then run again)",
					    off, why);
	}
	bool *done = calloc(n ? n : 1, sizeof(*done));
	struct rdls_buf b;
	rdls_buf_init(&b);
	bool done_ok = done != NULL, ok = done_ok;
	if (old && old_len)
		rdls_buf_putn(&b, (const char *)old, RDLS_PREG_HEADER);
	else {
		rdls_buf_puts(&b, "PReg");
		put_le32(&b, 1);
	}
	for (size_t i = 0; ok && i < p.n; i++) {
		const struct rdls_preg_entry *e = &p.e[i];
		size_t k = 0;
		while (k < n && !is_about(e, &vals[k]))
			k++;
		if (k == n) {
			rdls_buf_putn(&b, (const char *)old + e->off, e->len);
		} else if (!done[k]) {
			ok = put_entry(&b, &vals[k]);
			done[k] = true;
		}
	}
	for (size_t k = 0; ok && k < n; k++)
		if (!done[k])
			ok = put_entry(&b, &vals[k]);
	free(done);
	rdls_preg_release(&p);

	if (!ok || b.oom) {
		bool oom = b.oom || !done_ok;
		rdls_buf_release(&b);
		return rdls_err_set(err, NULL, what, 0, "%s",
				    oom ? "out of memory"
					: "a policy value cannot be encoded (its type or its UTF-8)");
	}
	*out_len = b.len;
	*out = (unsigned char *)rdls_buf_take(&b);
	if (!*out)
		return rdls_err_set(err, NULL, what, 0, "out of memory");
	return 0;
}
