/*
 * gpt.ini of the local Group Policy object (gptini.h): line-based, so that every line
 * rdlsctl has no business with stays as it was, byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/gptini.h"
#include "rdls/json.h"

#define GUID_LEN 38 /* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */
#define MAX_GUIDS 512

struct line {
	size_t off, len, body; /* body: without its line end */
};

struct ini {
	const char *d;
	size_t len;
	struct line *l;
	size_t n;
	const char *eol;
	size_t gen, gen_end; /* [General] header line, first line after the section; gen = n: none */
	size_t ver, ext;     /* their lines, or n */
};

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int icmp_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int x = fold((unsigned char)a[i]), y = fold((unsigned char)b[i]);
		if (x != y)
			return x - y;
	}
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Line i's key (before '=', trimmed) equals key; *val / *vn: its value, trimmed. */
static bool is_key(const struct ini *f, size_t i, const char *key, const char **val, size_t *vn)
{
	const char *s = f->d + f->l[i].off;
	size_t n = f->l[i].body;
	const char *eq = memchr(s, '=', n);
	if (!eq)
		return false;
	const char *k = s;
	size_t kn = (size_t)(eq - s);
	trim(&k, &kn);
	if (kn != strlen(key) || icmp_n(k, key, kn) != 0)
		return false;
	*val = eq + 1;
	*vn = (size_t)(s + n - (eq + 1));
	trim(val, vn);
	return true;
}

static void ini_release(struct ini *f)
{
	free(f->l);
	memset(f, 0, sizeof(*f));
}

static int ini_load(struct ini *f, const unsigned char *d, size_t len, const char *what,
		    rdls_err *err)
{
	memset(f, 0, sizeof(*f));
	f->d = (const char *)d;
	f->len = d ? len : 0;
	f->eol = "\r\n";
	if (f->len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
		return rdls_err_set(err, NULL, what, 0,
				    "the file is UTF-16 text; rdlsctl reads gpt.ini only as ANSI "
				    "text, as gpedit.msc writes it: left as it is");
	if (f->len && memchr(d, '\0', f->len))
		return rdls_err_set(err, NULL, what, 0,
				    "the file holds a NUL byte at offset %zu: not a text file, left "
				    "as it is",
				    (size_t)((const unsigned char *)memchr(d, '\0', f->len) - d));
	size_t cap = 0;
	for (size_t off = 0; off < f->len;) {
		const char *nl = memchr(f->d + off, '\n', f->len - off);
		size_t end = nl ? (size_t)(nl - f->d) + 1 : f->len;
		if (f->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct line *v = realloc(f->l, cap * sizeof(*v));
			if (!v) {
				ini_release(f);
				return rdls_err_set(err, NULL, what, 0, "out of memory");
			}
			f->l = v;
		}
		struct line *l = &f->l[f->n++];
		l->off = off;
		l->len = end - off;
		l->body = l->len;
		if (l->body && f->d[off + l->body - 1] == '\n')
			l->body--;
		while (l->body && f->d[off + l->body - 1] == '\r')
			l->body--;
		if (f->n == 1 && nl)
			f->eol = l->len >= 2 && f->d[end - 2] == '\r' ? "\r\n" : "\n";
		off = end;
	}
	f->gen = f->gen_end = f->ver = f->ext = f->n;
	for (size_t i = 0; i < f->n; i++) {
		const char *s = f->d + f->l[i].off;
		size_t n = f->l[i].body;
		if (i == 0 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			s += 3;
			n -= 3;
		}
		trim(&s, &n);
		bool header = n && s[0] == '[';
		if (f->gen < f->n && f->gen_end == f->n && header)
			f->gen_end = i;
		if (f->gen == f->n && n == 9 && icmp_n(s, "[General]", 9) == 0)
			f->gen = i;
	}
	if (f->gen == f->n)
		return 0;
	for (size_t i = f->gen + 1; i < f->gen_end; i++) {
		const char *v;
		size_t vn;
		if (f->ver == f->n && is_key(f, i, "Version", &v, &vn))
			f->ver = i;
		else if (f->ext == f->n && is_key(f, i, "gPCMachineExtensionNames", &v, &vn))
			f->ext = i;
	}
	return 0;
}

static int parse_version(const struct ini *f, const char *what, uint32_t *out, rdls_err *err)
{
	const char *v;
	size_t vn;
	is_key(f, f->ver, "Version", &v, &vn);
	unsigned long long x = 0;
	bool ok = vn > 0 && vn <= 10;
	for (size_t i = 0; ok && i < vn; i++) {
		if (v[i] < '0' || v[i] > '9')
			ok = false;
		else
			x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (!ok || x > 0xFFFFFFFFull)
		return rdls_err_set(err, NULL, what, 0,
				    "line %zu: Version is not a number from 0 to 4294967295; the "
				    "file is left as it is",
				    f->ver + 1);
	*out = (uint32_t)x;
	return 0;
}

uint32_t rdls_gptini_bump(uint32_t version)
{
	uint32_t machine = version & 0xFFFFu;
	machine = machine >= 0xFFFFu ? 1u : machine + 1u;
	return (version & 0xFFFF0000u) | machine;
}

int rdls_gptini_version(const unsigned char *d, size_t len, const char *what, uint32_t *version,
			bool *found, rdls_err *err)
{
	struct ini f;
	*version = 0;
	*found = false;
	if (ini_load(&f, d, len, what, err) != 0)
		return -1;
	int rc = 0;
	if (f.ver < f.n) {
		rc = parse_version(&f, what, version, err);
		*found = rc == 0;
	}
	ini_release(&f);
	return rc;
}

/* ---------------------------------------------------- the extension list */

struct bracket {
	const char *g[MAX_GUIDS / 8]; /* pointers to GUID_LEN characters */
	size_t n;
};

struct extlist {
	struct bracket *b;
	size_t n;
};

static bool is_guid(const char *s, size_t n)
{
	if (n < GUID_LEN || s[0] != '{' || s[GUID_LEN - 1] != '}')
		return false;
	for (size_t i = 1; i < GUID_LEN - 1; i++) {
		bool dash = i == 9 || i == 14 || i == 19 || i == 24;
		char c = s[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (dash ? c != '-' : !hex)
			return false;
	}
	return true;
}

static int parse_ext(const struct ini *f, const char *what, struct extlist *x, rdls_err *err)
{
	memset(x, 0, sizeof(*x));
	if (f->ext == f->n)
		return 0;
	const char *v;
	size_t vn;
	is_key(f, f->ext, "gPCMachineExtensionNames", &v, &vn);
	size_t i = 0;
	while (i < vn) {
		if (v[i] != '[')
			goto bad;
		i++;
		struct bracket *nb = realloc(x->b, (x->n + 1) * sizeof(*nb));
		if (!nb) {
			free(x->b);
			x->b = NULL;
			return rdls_err_set(err, NULL, what, 0, "out of memory");
		}
		x->b = nb;
		struct bracket *b = &x->b[x->n++];
		b->n = 0;
		while (i < vn && v[i] == '{') {
			/* one place stays free for the tool merge_admx may add */
			if (!is_guid(v + i, vn - i) || b->n + 1 >= sizeof(b->g) / sizeof(b->g[0]))
				goto bad;
			b->g[b->n++] = v + i;
			i += GUID_LEN;
		}
		if (b->n == 0 || i >= vn || v[i] != ']')
			goto bad;
		i++;
	}
	return 0;
bad:
	free(x->b);
	x->b = NULL;
	x->n = 0;
	return rdls_err_set(err, NULL, what, 0,
			    "line %zu: gPCMachineExtensionNames is not a list of "
			    "[{GUID}{GUID}...] groups (at character %zu of its value); the file is "
			    "left as it is",
			    f->ext + 1, i + 1);
}

static int gcmp(const char *a, const char *b)
{
	return icmp_n(a, b, GUID_LEN);
}

/* Merges the registry CSE with the Administrative Templates tool; true if it changed x. */
static bool merge_admx(struct extlist *x, struct bracket *spare)
{
	static const char cse[] = RDLS_GPO_CSE_REGISTRY, tool[] = RDLS_GPO_TOOL_ADMX;
	size_t i = 0;
	while (i < x->n && gcmp(x->b[i].g[0], cse) < 0)
		i++;
	if (i < x->n && gcmp(x->b[i].g[0], cse) == 0) {
		struct bracket *b = &x->b[i];
		size_t k = 1;
		while (k < b->n && gcmp(b->g[k], tool) < 0)
			k++;
		if (k < b->n && gcmp(b->g[k], tool) == 0)
			return false;
		if (b->n == sizeof(b->g) / sizeof(b->g[0]))
			return false; /* unreachable: parse_ext leaves room */
		memmove(&b->g[k + 1], &b->g[k], (b->n - k) * sizeof(b->g[0]));
		b->g[k] = tool;
		b->n++;
		return true;
	}
	/* x->b has room for one more: the caller allocated it (spare). */
	memmove(&x->b[i + 1], &x->b[i], (x->n - i) * sizeof(x->b[0]));
	spare->n = 2;
	spare->g[0] = cse;
	spare->g[1] = tool;
	x->b[i] = *spare;
	x->n++;
	return true;
}

static bool has_admx(const struct extlist *x)
{
	for (size_t i = 0; i < x->n; i++)
		if (gcmp(x->b[i].g[0], RDLS_GPO_CSE_REGISTRY) == 0)
			for (size_t k = 1; k < x->b[i].n; k++)
				if (gcmp(x->b[i].g[k], RDLS_GPO_TOOL_ADMX) == 0)
					return true;
	return false;
}

int rdls_gptini_has_admx(const unsigned char *d, size_t len, const char *what, bool *has,
			 rdls_err *err)
{
	struct ini f;
	struct extlist x;
	*has = false;
	if (ini_load(&f, d, len, what, err) != 0)
		return -1;
	int rc = parse_ext(&f, what, &x, err);
	if (rc == 0)
		*has = has_admx(&x);
	free(x.b);
	ini_release(&f);
	return rc;
}

/* ------------------------------------------------------------ rewriting */

/* Whether line i ends with its line end (only the last line may lack one). */
static bool has_eol(const struct ini *f, size_t i)
{
	const struct line *l = &f->l[i];
	return l->len && f->d[l->off + l->len - 1] == '\n';
}

/* Line i, with its body replaced by `body` when body is not NULL. */
static void put_line(struct rdls_buf *o, const struct ini *f, size_t i, const char *body)
{
	const struct line *l = &f->l[i];
	if (!body) {
		rdls_buf_putn(o, f->d + l->off, l->len);
		return;
	}
	rdls_buf_puts(o, body);
	if (has_eol(f, i))
		rdls_buf_putn(o, f->d + l->off + l->body, l->len - l->body);
}

/* The lines `add` (each ending in eol) go at the end of [General], which line `last`
 * ends; a last line without its line end gets one first. */
static void put_added(struct rdls_buf *o, const struct ini *f, size_t last, const char *add)
{
	if (!*add)
		return;
	if (last < f->n && !has_eol(f, last))
		rdls_buf_puts(o, f->eol);
	rdls_buf_puts(o, add);
}

/*
 * Writes f with Version = version and, when ext is not NULL, gPCMachineExtensionNames =
 * ext; lines [General] lacks are added at its end, and a missing [General] at the end.
 */
static int rewrite(const struct ini *f, uint32_t version, const char *ext, const char *what,
		   unsigned char **out, size_t *out_len, rdls_err *err)
{
	struct rdls_buf o, verl, extl, add;
	rdls_buf_init(&o);
	rdls_buf_init(&verl);
	rdls_buf_init(&extl);
	rdls_buf_init(&add);
	rdls_buf_printf(&verl, "Version=%lu", (unsigned long)version);
	if (ext)
		rdls_buf_printf(&extl, "gPCMachineExtensionNames=%s", ext);
	if (f->gen == f->n) {
		for (size_t i = 0; i < f->n; i++)
			put_line(&o, f, i, NULL);
		if (f->n && !has_eol(f, f->n - 1))
			rdls_buf_puts(&o, f->eol);
		rdls_buf_printf(&o, "[General]%s", f->eol);
		if (ext)
			rdls_buf_printf(&o, "%s%s", rdls_buf_str(&extl), f->eol);
		rdls_buf_printf(&o, "%s%s", rdls_buf_str(&verl), f->eol);
	} else {
		if (ext && f->ext == f->n)
			rdls_buf_printf(&add, "%s%s", rdls_buf_str(&extl), f->eol);
		if (f->ver == f->n)
			rdls_buf_printf(&add, "%s%s", rdls_buf_str(&verl), f->eol);
		for (size_t i = 0; i < f->n; i++) {
			const char *body = NULL;
			if (i == f->ver)
				body = rdls_buf_str(&verl);
			else if (ext && i == f->ext)
				body = rdls_buf_str(&extl);
			put_line(&o, f, i, body);
			if (i + 1 == f->gen_end)
				put_added(&o, f, i, rdls_buf_str(&add));
		}
	}
	bool oom = o.oom || verl.oom || extl.oom || add.oom;
	rdls_buf_release(&verl);
	rdls_buf_release(&extl);
	rdls_buf_release(&add);
	*out_len = o.len;
	*out = (unsigned char *)rdls_buf_take(&o);
	if (oom || !*out) {
		free(*out);
		*out = NULL;
		return rdls_err_set(err, NULL, what, 0, "out of memory");
	}
	return 0;
}

int rdls_gptini_update(const unsigned char *old, size_t len, bool present, const char *what,
		       unsigned char **out, size_t *out_len, rdls_err *err)
{
	struct ini f;
	struct extlist x = { 0 };
	struct bracket spare;
	*out = NULL;
	*out_len = 0;
	if (ini_load(&f, present ? old : NULL, present ? len : 0, what, err) != 0)
		return -1;
	uint32_t version = 0;
	int rc = -1;
	if (f.ver < f.n && parse_version(&f, what, &version, err) != 0)
		goto out;
	if (parse_ext(&f, what, &x, err) != 0)
		goto out;
	struct bracket *nb = realloc(x.b, (x.n + 1) * sizeof(*nb));
	if (!nb) {
		rdls_err_set(err, NULL, what, 0, "out of memory");
		goto out;
	}
	x.b = nb;
	merge_admx(&x, &spare);
	struct rdls_buf e;
	rdls_buf_init(&e);
	for (size_t i = 0; i < x.n; i++) {
		rdls_buf_putc(&e, '[');
		for (size_t k = 0; k < x.b[i].n; k++)
			rdls_buf_putn(&e, x.b[i].g[k], GUID_LEN);
		rdls_buf_putc(&e, ']');
	}
	if (e.oom) {
		rdls_buf_release(&e);
		rdls_err_set(err, NULL, what, 0, "out of memory");
		goto out;
	}
	rc = rewrite(&f, rdls_gptini_bump(version), rdls_buf_str(&e), what, out, out_len, err);
	rdls_buf_release(&e);
out:
	free(x.b);
	ini_release(&f);
	return rc;
}

int rdls_gptini_restore(const unsigned char *prior, size_t len, bool present, uint32_t version,
			const char *what, unsigned char **out, size_t *out_len, rdls_err *err)
{
	struct ini f;
	*out = NULL;
	*out_len = 0;
	if (ini_load(&f, present ? prior : NULL, present ? len : 0, what, err) != 0)
		return -1;
	int rc = rewrite(&f, version, NULL, what, out, out_len, err);
	ini_release(&f);
	return rc;
}
