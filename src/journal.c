/*
 * The write-ahead journal (format in include/rdls/journal.h). Written here with
 * stdio, read back with inih through a line reader that counts lines and refuses
 * overlong ones, so that nothing a damaged file contains can be mistaken for a
 * record: a section counts only when its checksum matches.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "rdls/clock.h"
#include "rdls/journal.h"
#include "rdls/trust.h"
#include "resource.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

#define INDEX_NAME "index"
#define DIR_BUF 4096                /* journal_dir's answer */
#define PATH_BUF (DIR_BUF + 128)    /* a file in it */
#define CHUNK 100 /* characters of a value per line: lines stay far below INI_MAX_LINE */
#define COMMENT_MAX 120

/* ------------------------------------------------------------------ CRC-32 */

unsigned long rdls_crc32(unsigned long crc, const void *data, size_t n)
{
	const unsigned char *p = data;
	crc = ~crc & 0xFFFFFFFFul;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320ul & (0ul - (crc & 1ul)));
	}
	return ~crc & 0xFFFFFFFFul;
}

/* --------------------------------------------------------------- encoding */

static bool safe_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '%' && c != ';' && c != '#' && c != '[' && c != ']';
}

static void encode(struct rdls_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (safe_byte(c))
			rdls_buf_putc(b, (char)c);
		else
			rdls_buf_printf(b, "%%%02X", c);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s into a new NUL-terminated string; NULL if malformed or it holds a NUL. */
static char *decode(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
		int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
		if (lo < 0 || (hi == 0 && lo == 0)) {
			free(d);
			return NULL;
		}
		*o++ = (char)(hi << 4 | lo);
		i += 2;
	}
	*o = '\0';
	return d;
}

/* Hex text -> bytes; -1 if malformed. */
static int unhex(const char *s, unsigned char **out, size_t *len)
{
	size_t n = strlen(s);
	if (n % 2)
		return -1;
	unsigned char *d = malloc(n / 2 ? n / 2 : 1);
	if (!d)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(d);
			return -1;
		}
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = d;
	*len = n / 2;
	return 0;
}

/* ------------------------------------------------------- building sections */

struct section {
	struct rdls_buf text;
	unsigned long crc;
};

static void sec_begin(struct section *s, const char *comment, const char *name)
{
	rdls_buf_init(&s->text);
	if (comment) {
		/* Comments are outside the checksum; keep them one short printable line. */
		rdls_buf_puts(&s->text, "; ");
		size_t n = 0;
		for (const unsigned char *p = (const unsigned char *)comment; *p && n < COMMENT_MAX;
		     p++, n++)
			rdls_buf_putc(&s->text, (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p);
		rdls_buf_putc(&s->text, '\n');
	}
	rdls_buf_printf(&s->text, "[%s]\n", name);
	s->crc = 0;
	char canon[64];
	int n = snprintf(canon, sizeof(canon), "[%s]\n", name);
	s->crc = rdls_crc32(s->crc, canon, (size_t)n);
}

/* key = value, where value is already encoded; split over repeated keys when long. */
static void sec_put(struct section *s, const char *key, const char *value)
{
	size_t n = strlen(value), off = 0;
	do {
		size_t len = n - off > CHUNK ? CHUNK : n - off;
		rdls_buf_printf(&s->text, "%s = ", key);
		rdls_buf_putn(&s->text, value + off, len);
		rdls_buf_putc(&s->text, '\n');
		s->crc = rdls_crc32(s->crc, key, strlen(key));
		s->crc = rdls_crc32(s->crc, "=", 1);
		s->crc = rdls_crc32(s->crc, value + off, len);
		s->crc = rdls_crc32(s->crc, "\n", 1);
		off += len;
	} while (off < n);
}

static void sec_put_str(struct section *s, const char *key, const char *raw)
{
	struct rdls_buf e;
	rdls_buf_init(&e);
	encode(&e, raw, strlen(raw));
	if (e.oom)
		s->text.oom = true;
	sec_put(s, key, rdls_buf_str(&e));
	rdls_buf_release(&e);
}

/* A list as one value: each item encoded, ',' included, and joined with ','. */
static void sec_put_list(struct section *s, const char *key, const char *const *items, size_t n)
{
	struct rdls_buf e;
	rdls_buf_init(&e);
	for (size_t i = 0; i < n; i++) {
		if (i)
			rdls_buf_putc(&e, ',');
		for (const char *p = items[i]; *p; p++)
			if (*p == ',')
				rdls_buf_puts(&e, "%2C");
			else
				encode(&e, p, 1);
	}
	if (e.oom)
		s->text.oom = true;
	sec_put(s, key, rdls_buf_str(&e));
	rdls_buf_release(&e);
}

static void sec_end(struct section *s)
{
	rdls_buf_printf(&s->text, "crc = %08lx\n\n", s->crc);
}

static void put_state(struct section *s, const char *prefix, const struct rdls_step *st,
		      const struct rdls_state *v)
{
	char key[32];
	sec_put(s, prefix, v->present ? "present" : "absent");
	if (!v->present)
		return;
	if (v->type || st->ops->typed) {
		char num[16];
		snprintf(num, sizeof(num), "%lu", (unsigned long)v->type);
		snprintf(key, sizeof(key), "%s.type", prefix);
		sec_put(s, key, num);
	}
	if (v->data) {
		struct rdls_buf h;
		rdls_buf_init(&h);
		for (size_t i = 0; i < v->len; i++)
			rdls_buf_printf(&h, "%02x", v->data[i]);
		if (h.oom)
			s->text.oom = true;
		snprintf(key, sizeof(key), "%s.data", prefix);
		sec_put(s, key, rdls_buf_str(&h));
		rdls_buf_release(&h);
	}
	if (v->user) {
		snprintf(key, sizeof(key), "%s.user", prefix);
		sec_put_str(s, key, v->user);
	}
	if (st->ops->has_ours) {
		/* cred: whether rdlsctl's check attribute existed, never the attribute itself;
		 * password: "yes" = set to the secret by rdlsctl (never anything of it). */
		snprintf(key, sizeof(key), "%s.ours", prefix);
		sec_put(s, key, v->ours ? "yes" : "no");
	}
}

/* ------------------------------------------------------------------ writer */

struct rdls_jwriter {
	struct rdls_sys *sys;
	FILE *f;
	char *path;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Appends a finished section and flushes it to disk. */
static int write_section(struct rdls_jwriter *w, struct section *s, rdls_err *err)
{
	int rc = 0;
	if (s->text.oom) {
		rc = rdls_err_set(err, NULL, w->path, 0, "out of memory");
	} else if (fwrite(s->text.s, 1, s->text.len, w->f) != s->text.len) {
		rc = rdls_err_set(err, "fwrite", w->path, (uint32_t)errno, "%s", strerror(errno));
	} else {
		rc = w->sys->ops->file_sync(w->sys->ctx, w->f, w->path, err);
	}
	rdls_buf_release(&s->text);
	return rc;
}

/*
 * The separator the directory itself uses: "C:\\ProgramData\\..." on Windows, but a
 * Unix path from the Wine build's stdio. '/' when it has none (Windows accepts it).
 */
static char dir_sep(const char *dir)
{
	const char *a = strrchr(dir, '\\'), *b = strrchr(dir, '/');
	return a > b ? '\\' : '/';
}

static int journal_dir(struct rdls_sys *sys, char *buf, size_t n, rdls_err *err)
{
	/* Checked and made trustworthy; the commands run it first, with their warnings. */
	if (rdls_trust_journal_dir(sys, NULL, buf, n, err) != 0)
		return -1;
	size_t len = strlen(buf);
	/* Strip one trailing separator so that paths do not get a double one. */
	if (len > 1 && (buf[len - 1] == '/' || buf[len - 1] == '\\'))
		buf[len - 1] = '\0';
	return 0;
}

/* A NetBIOS name is already file-name safe; anything else is reduced to [A-Za-z0-9._-]. */
static void file_safe(char *dst, size_t n, const char *host)
{
	size_t i = 0;
	for (; host[i] && i + 1 < n && i < 63; i++) {
		char c = host[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || c == '.';
		dst[i] = ok ? c : '_';
	}
	dst[i] = '\0';
	if (i == 0)
		snprintf(dst, n, "host");
}

static int register_newest(struct rdls_sys *sys, const char dir[DIR_BUF], const char *path,
			   rdls_err *err)
{
	char index[PATH_BUF];
	bool exists = false;
	snprintf(index, sizeof(index), "%s%c" INDEX_NAME, dir, dir_sep(dir));
	/* A new index gets the admin-only descriptor; an existing one must deserve trust. */
	FILE *f = sys->ops->file_create_new(sys->ctx, index, &exists, err);
	if (!f && !exists)
		return -1;
	if (!f) {
		/* "a+b": also read access, which the handle needs for GetFileInformationByHandle
		 * (FILE_READ_ATTRIBUTES) in the trust check; writes still always append. */
		f = sys->ops->file_open(sys->ctx, index, "a+b", err);
		if (!f)
			return -1;
		if (rdls_trust_file(sys, f, index, "journal index", NULL, err) != 0) {
			fclose(f);
			return -1;
		}
	}
	int rc = 0;
	/* The leading newline ends a line torn by a crash, so it cannot swallow this one. */
	if (fprintf(f, "\n%s\n", path) < 0)
		rc = rdls_err_set(err, "fprintf", index, (uint32_t)errno, "%s", strerror(errno));
	else
		rc = sys->ops->file_sync(sys->ctx, f, index, err);
	fclose(f);
	return rc;
}

/* UTC time as "20240703T120000Z" (compact: file names) or "2024-07-03T12:00:00Z". */
static void utc(time_t t, bool compact, char *buf, size_t n)
{
	rdls_utc_format((int64_t)t, compact, buf, n);
}

void rdls_jheader_for_plan(struct rdls_jheader *h, const struct rdls_plan *p)
{
	h->host = p->host;
	h->account = p->account;
	h->group = p->group;
	h->peers = (const char *const *)p->peers;
	h->n_peers = p->n_peers;
}

int rdls_journal_create(struct rdls_sys *sys, const char *path, const struct rdls_jheader *h,
			struct rdls_jwriter **out, rdls_err *err)
{
	*out = NULL;
	char dir[DIR_BUF], chosen[PATH_BUF];
	bool have_dir = journal_dir(sys, dir, sizeof(dir), err) == 0;
	/* An explicit path works without the journal directory (it is just not registered). */
	if (!have_dir && !path)
		return -1;
	bool exists = false;
	FILE *f = NULL;
	/* Each candidate is created exclusively (CREATE_NEW) with the admin-only descriptor:
	 * no race with another creator, and nothing inherited from the folder. */
	if (path) {
		if (strchr(path, '\n') || strchr(path, '\r'))
			return rdls_err_set(err, NULL, NULL, 0, "a journal path cannot contain a line break");
		if (strlen(path) >= sizeof(chosen))
			return rdls_err_set(err, NULL, NULL, 0, "the journal path is too long");
		snprintf(chosen, sizeof(chosen), "%s", path);
		f = sys->ops->file_create_new(sys->ctx, chosen, &exists, err);
		if (exists)
			return rdls_err_set(err, NULL, NULL, 0,
					    "journal '%s' already exists; it may be what another apply "
					    "needs for its rollback: choose a new file",
					    path);
	} else {
		char stamp[32], host[64];
		utc(h->started, true, stamp, sizeof(stamp));
		file_safe(host, sizeof(host), h->host ? h->host : "");
		char sep = dir_sep(dir);
		snprintf(chosen, sizeof(chosen), "%s%c%s-%s.ini", dir, sep, stamp, host);
		for (int k = 2; !(f = sys->ops->file_create_new(sys->ctx, chosen, &exists, err)) && exists;
		     k++) {
			if (k > 999)
				return rdls_err_set(err, NULL, dir, 0, "too many journals named %s-%s",
						    stamp, host);
			snprintf(chosen, sizeof(chosen), "%s%c%s-%s-%d.ini", dir, sep, stamp, host, k);
		}
	}
	if (!f)
		return -1;

	struct rdls_jwriter *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = dup_str(chosen))) {
		free(w);
		fclose(f);
		return rdls_err_set(err, NULL, NULL, 0, "out of memory");
	}
	w->sys = sys;
	w->f = f;

	char started[32];
	utc(h->started, false, started, sizeof(started));
	struct section s;
	sec_begin(&s, NULL, "journal");
	char num[16];
	snprintf(num, sizeof(num), "%d", RDLS_JOURNAL_FORMAT);
	sec_put(&s, "format", num);
	sec_put_str(&s, "tool", RDLS_VERSION);
	sec_put_str(&s, "host", h->host ? h->host : "");
	if (h->computer && h->computer[0])
		sec_put_str(&s, "computer", h->computer);
	sec_put_str(&s, "profile", h->profile ? h->profile : "");
	sec_put(&s, "started", started);
	if (h->account)
		sec_put_str(&s, "account", h->account);
	if (h->group)
		sec_put_str(&s, "group", h->group);
	sec_put_list(&s, "peers", h->peers, h->n_peers);
	sec_end(&s);
	/* The first line says what the file is, for an administrator who opens it. */
	if (fputs("; rdlsctl journal: what apply changed, for 'rdlsctl rollback'. Do not edit.\n",
		  w->f) < 0 ||
	    write_section(w, &s, err) != 0)
		goto fail;
	/* Registered only once the header is on disk, and before any change is made. */
	if (have_dir && register_newest(sys, dir, w->path, err) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	rdls_journal_close(w);
	return -1;
}

int rdls_journal_append(struct rdls_sys *sys, const char *path, struct rdls_jwriter **out,
			rdls_err *err)
{
	*out = NULL;
	struct rdls_jwriter *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = dup_str(path))) {
		free(w);
		return rdls_err_set(err, NULL, NULL, 0, "out of memory");
	}
	w->sys = sys;
	w->f = sys->ops->file_open(sys->ctx, path, "ab", err);
	if (!w->f) {
		rdls_journal_close(w);
		return -1;
	}
	*out = w;
	return 0;
}

const char *rdls_journal_path(const struct rdls_jwriter *w)
{
	return w->path;
}

void rdls_journal_close(struct rdls_jwriter *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	free(w->path);
	free(w);
}

int rdls_journal_step(struct rdls_jwriter *w, size_t index, const struct rdls_step *st,
		      rdls_err *err)
{
	char name[32];
	struct rdls_buf comment;
	rdls_buf_init(&comment);
	rdls_buf_printf(&comment, "step %zu: ", index);
	rdls_step_doing(st, false, &comment);

	struct section s;
	snprintf(name, sizeof(name), "step %zu", index);
	sec_begin(&s, rdls_buf_str(&comment), name);
	rdls_buf_release(&comment);
	sec_put(&s, "kind", st->ops->kind);
	if (st->key)
		sec_put_str(&s, "key", st->key);
	sec_put_str(&s, "name", st->name);
	put_state(&s, "prior", st, &st->prior);
	put_state(&s, "after", st, &st->want);
	if (st->flags & RDLS_STEP_IRREVERSIBLE)
		sec_put(&s, "restorable", "no");
	if (st->ops->journal_remark) /* for the reader; rollback goes by restorable = no */
		sec_put_str(&s, st->ops->kind, st->ops->journal_remark);
	sec_end(&s);
	return write_section(w, &s, err);
}

int rdls_journal_mark(struct rdls_jwriter *w, enum rdls_jmark mark, size_t index,
		      const char *detail, rdls_err *err)
{
	static const char *const names[] = { "done", "failed", "undone" };
	char name[32];
	snprintf(name, sizeof(name), "%s %zu", names[mark], index);
	struct section s;
	sec_begin(&s, NULL, name);
	if (detail && mark == RDLS_JMARK_FAILED)
		sec_put_str(&s, "error", detail);
	else if (detail && mark == RDLS_JMARK_UNDONE)
		sec_put_str(&s, "result", detail);
	sec_end(&s);
	return write_section(w, &s, err);
}

int rdls_journal_newest(struct rdls_sys *sys, char *buf, size_t n, rdls_err *err)
{
	char dir[DIR_BUF], index[PATH_BUF];
	if (journal_dir(sys, dir, sizeof(dir), err) != 0)
		return -1;
	snprintf(index, sizeof(index), "%s%c" INDEX_NAME, dir, dir_sep(dir));
	rdls_err e;
	rdls_err_clear(&e);
	FILE *f = sys->ops->file_open(sys->ctx, index, "rb", &e);
	if (!f) {
		if (e.code == 2 || e.code == 3) /* file or path not found */
			return rdls_err_set(err, NULL, NULL, 0,
					    "no journal in '%s': nothing to roll back", dir);
		*err = e;
		return -1;
	}
	if (rdls_trust_file(sys, f, index, "journal index", NULL, err) != 0) {
		fclose(f);
		return -1;
	}
	/* The last complete line: a torn last line (a crash while registering) is skipped. */
	char line[4096];
	size_t len = 0;
	bool have = false, too_long = false;
	int c;
	buf[0] = '\0';
	while ((c = fgetc(f)) != EOF) {
		if (c == '\n') {
			line[len] = '\0';
			if (len && !too_long && len < n) {
				memcpy(buf, line, len + 1);
				have = true;
			}
			len = 0;
			too_long = false;
		} else if (c != '\r') {
			if (len + 1 < sizeof(line))
				line[len++] = (char)c;
			else
				too_long = true;
		}
	}
	fclose(f);
	if (!have)
		return rdls_err_set(err, NULL, NULL, 0, "no journal in '%s': nothing to roll back",
				    dir);
	return 0;
}

/* ------------------------------------------------------------------ reader */

struct kv {
	char *key, *value;
};

struct reader {
	struct rdls_journal *j;
	FILE *f;
	int lineno;
	int header_line;       /* the last line that looked like "[section]" */
	bool oom;
	/* the section being read */
	char name[64];
	bool open, finished, bad;
	const char *why;
	int line;              /* its first key's line */
	unsigned long crc;
	struct kv *kv;
	size_t n_kv, cap_kv;
	/* damage bookkeeping: a bad section is "torn" only if nothing intact follows it */
	int last_bad_line;
	bool bad_since_good;
	size_t bad_count;
};

static void problem(struct reader *r, const char *fmt, ...) RDLS_PRINTF(2, 3);

static void problem(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	struct rdls_journal *j = r->j;
	char **v = s ? realloc(j->problems, (j->n_problems + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		r->oom = true;
		return;
	}
	j->problems = v;
	v[j->n_problems++] = s;
}

static void clear_kv(struct reader *r)
{
	for (size_t i = 0; i < r->n_kv; i++) {
		free(r->kv[i].key);
		free(r->kv[i].value);
	}
	r->n_kv = 0;
}

/* The value of key, chunks of repeated keys joined; NULL if absent (caller frees). */
static char *get(struct reader *r, const char *key)
{
	struct rdls_buf b;
	bool found = false;
	rdls_buf_init(&b);
	for (size_t i = 0; i < r->n_kv; i++)
		if (strcmp(r->kv[i].key, key) == 0) {
			rdls_buf_puts(&b, r->kv[i].value);
			found = true;
		}
	if (!found) {
		rdls_buf_release(&b);
		return NULL;
	}
	char *s = rdls_buf_take(&b);
	if (!s)
		r->oom = true;
	return s;
}

static char *get_str(struct reader *r, const char *key, bool *bad)
{
	char *raw = get(r, key);
	if (!raw)
		return NULL;
	char *s = decode(raw);
	free(raw);
	if (!s)
		*bad = true;
	return s;
}

static void free_list(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* A list written by sec_put_list: NULL items and 0 when absent or empty; false if malformed. */
static bool get_list(struct reader *r, const char *key, char ***items, size_t *n)
{
	*items = NULL;
	*n = 0;
	char *raw = get(r, key);
	if (!raw || !*raw) {
		free(raw);
		return true;
	}
	size_t count = 1;
	for (const char *p = raw; *p; p++)
		count += *p == ',';
	char **v = calloc(count, sizeof(*v));
	bool ok = v != NULL;
	if (!v)
		r->oom = true;
	char *start = raw;
	for (size_t i = 0; ok && i < count; i++) {
		char *comma = strchr(start, ',');
		if (comma)
			*comma = '\0';
		if (!*start || !(v[i] = decode(start)))
			ok = false;
		start = comma ? comma + 1 : start + strlen(start);
		*n = i + 1;
	}
	free(raw);
	if (!ok) {
		free_list(v, v ? *n : 0);
		*n = 0;
		return false;
	}
	*items = v;
	return true;
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !*s || strlen(s) > 10)
		return false;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static bool get_state(struct reader *r, const char *prefix, struct rdls_state *st)
{
	char key[32];
	bool bad = false;
	char *pres = get(r, prefix);
	if (!pres)
		return false;
	bool present = strcmp(pres, "present") == 0;
	if (!present && strcmp(pres, "absent") != 0)
		bad = true;
	free(pres);
	st->present = present;
	if (!present || bad)
		return !bad;

	snprintf(key, sizeof(key), "%s.type", prefix);
	char *t = get(r, key);
	unsigned long type = 0;
	if (t && !parse_ulong(t, 0xFFFFFFFFul, &type))
		bad = true;
	free(t);
	st->type = (uint32_t)type;

	snprintf(key, sizeof(key), "%s.data", prefix);
	char *d = get(r, key);
	if (d && unhex(d, &st->data, &st->len) != 0)
		bad = true;
	free(d);

	snprintf(key, sizeof(key), "%s.user", prefix);
	st->user = get_str(r, key, &bad);

	snprintf(key, sizeof(key), "%s.ours", prefix);
	char *o = get(r, key);
	if (o) {
		if (strcmp(o, "yes") == 0)
			st->ours = true;
		else if (strcmp(o, "no") != 0)
			bad = true;
	}
	free(o);
	return !bad;
}

static struct rdls_jrec *find_rec(struct rdls_journal *j, size_t index)
{
	if (index >= 1 && index <= j->n_recs && j->recs[index - 1].index == index)
		return &j->recs[index - 1];
	for (size_t i = j->n_recs; i-- > 0;)
		if (j->recs[i].index == index)
			return &j->recs[i];
	return NULL;
}

/* A section whose checksum matched: what does it say? false if it makes no sense. */
static bool interpret(struct reader *r)
{
	struct rdls_journal *j = r->j;
	unsigned long index = 0;
	char word[16];
	const char *sp = strchr(r->name, ' ');

	if (strcmp(r->name, "journal") == 0) {
		if (j->header_ok) {
			problem(r, "line %d: a second [journal] header; ignored", r->line);
			return true;
		}
		char *fmt = get(r, "format");
		unsigned long v = 0;
		bool bad = !parse_ulong(fmt, 1000000ul, &v);
		free(fmt);
		j->format = (long)v;
		/* A header that failed earlier may have left its fields: this one replaces them. */
		free(j->tool);
		free(j->host);
		free(j->computer);
		free(j->profile);
		free(j->started);
		j->tool = get_str(r, "tool", &bad);
		j->host = get_str(r, "host", &bad);
		j->computer = get_str(r, "computer", &bad);
		j->profile = get_str(r, "profile", &bad);
		j->started = get_str(r, "started", &bad);
		free(j->account);
		free(j->group);
		free_list(j->peers, j->n_peers);
		j->account = get_str(r, "account", &bad);
		j->group = get_str(r, "group", &bad);
		if (!get_list(r, "peers", &j->peers, &j->n_peers))
			bad = true;
		if (bad || !j->host)
			return false;
		j->header_ok = true;
		return true;
	}
	if (!sp || (size_t)(sp - r->name) >= sizeof(word) || !parse_ulong(sp + 1, 100000000ul, &index) ||
	    index == 0)
		return false;
	memcpy(word, r->name, (size_t)(sp - r->name));
	word[sp - r->name] = '\0';

	if (strcmp(word, "step") == 0) {
		if (find_rec(j, index)) {
			problem(r, "line %d: a second [step %lu]; ignored", r->line, index);
			return true;
		}
		struct rdls_jrec rec;
		memset(&rec, 0, sizeof(rec));
		rec.index = index;
		rec.line = r->line;
		bool bad = false;
		char *kind = get(r, "kind");
		rec.step.ops = kind ? rdls_resource_find(kind) : NULL;
		if (kind && !rec.step.ops)
			problem(r, "line %d: [step %lu] has an unknown kind '%.40s'", r->line, index,
				kind);
		free(kind);
		rec.step.key = get_str(r, "key", &bad);
		rec.step.name = get_str(r, "name", &bad);
		if (!get_state(r, "prior", &rec.step.prior) || !get_state(r, "after", &rec.step.want))
			bad = true;
		char *restorable = get(r, "restorable");
		if (restorable && strcmp(restorable, "no") == 0)
			rec.step.flags |= RDLS_STEP_IRREVERSIBLE;
		else if (restorable)
			bad = true;
		free(restorable);
		bool need_key = rec.step.ops && rec.step.ops->keyed;
		if (bad || !rec.step.ops || !rec.step.name || (need_key && !rec.step.key)) {
			rdls_step_release(&rec.step);
			return false;
		}
		struct rdls_jrec *v = realloc(j->recs, (j->n_recs + 1) * sizeof(*v));
		if (!v) {
			rdls_step_release(&rec.step);
			r->oom = true;
			return true;
		}
		j->recs = v;
		j->recs[j->n_recs++] = rec;
		return true;
	}

	enum rdls_jmark m;
	if (strcmp(word, "done") == 0)
		m = RDLS_JMARK_DONE;
	else if (strcmp(word, "failed") == 0)
		m = RDLS_JMARK_FAILED;
	else if (strcmp(word, "undone") == 0)
		m = RDLS_JMARK_UNDONE;
	else
		return false;
	struct rdls_jrec *rec = find_rec(j, index);
	if (!rec) {
		problem(r, "line %d: [%s] refers to a step the journal does not hold; ignored",
			r->line, r->name);
		return true;
	}
	if (m == RDLS_JMARK_DONE)
		rec->done = true;
	else if (m == RDLS_JMARK_FAILED)
		rec->failed = true;
	else
		rec->undone = true;
	return true;
}

static void section_bad(struct reader *r, const char *why)
{
	r->bad_count++;
	r->last_bad_line = r->line;
	r->bad_since_good = true;
	problem(r, "line %d: [%s] is damaged (%s); ignored", r->line, r->name, why);
}

/* The section in progress ends (a new one starts, or the file ends). */
static void close_section(struct reader *r)
{
	if (r->open && !r->finished)
		section_bad(r, "no checksum: incomplete");
	clear_kv(r);
	r->open = false;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	if (r->oom)
		return 0;
	if (!r->open || r->finished || strcmp(section, r->name) != 0) {
		close_section(r);
		snprintf(r->name, sizeof(r->name), "%s", section);
		r->open = true;
		r->finished = false;
		r->bad = false;
		r->why = NULL;
		r->line = r->header_line ? r->header_line : r->lineno;
		char canon[80];
		int n = snprintf(canon, sizeof(canon), "[%s]\n", r->name);
		r->crc = rdls_crc32(0, canon, (size_t)n < sizeof(canon) ? (size_t)n : sizeof(canon) - 1);
		if (strlen(section) >= sizeof(r->name) - 1) {
			r->bad = true;
			r->why = "section name too long";
		}
	}
	if (strcmp(name, "crc") == 0) {
		char want[16];
		snprintf(want, sizeof(want), "%08lx", r->crc);
		r->finished = true;
		if (r->bad)
			section_bad(r, r->why);
		else if (strcmp(value, want) != 0)
			section_bad(r, "checksum mismatch");
		else if (!interpret(r))
			section_bad(r, "its content is not valid");
		else
			r->bad_since_good = false;
		clear_kv(r);
		return 1;
	}
	r->crc = rdls_crc32(r->crc, name, strlen(name));
	r->crc = rdls_crc32(r->crc, "=", 1);
	r->crc = rdls_crc32(r->crc, value, strlen(value));
	r->crc = rdls_crc32(r->crc, "\n", 1);
	if (r->n_kv == r->cap_kv) {
		size_t cap = r->cap_kv ? r->cap_kv * 2 : 16;
		struct kv *v = realloc(r->kv, cap * sizeof(*v));
		if (!v) {
			r->oom = true;
			return 0;
		}
		r->kv = v;
		r->cap_kv = cap;
	}
	char *k = dup_str(name), *v = dup_str(value);
	if (!k || !v) {
		free(k);
		free(v);
		r->oom = true;
		return 0;
	}
	r->kv[r->n_kv].key = k;
	r->kv[r->n_kv].value = v;
	r->n_kv++;
	return 1;
}

/* inih's line source: counts lines, and flags (then skips the rest of) overlong lines. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	int i = 0, c = EOF;
	if (num < 2)
		return NULL;
	while (i < num - 1 && (c = fgetc(r->f)) != EOF) {
		str[i++] = (char)c;
		if (c == '\n')
			break;
	}
	if (i == 0)
		return NULL;
	str[i] = '\0';
	r->lineno++;
	bool overlong = false;
	if (str[i - 1] != '\n' && i == num - 1) {
		while ((c = fgetc(r->f)) != EOF && c != '\n')
			;
		overlong = true;
	}
	/*
	 * Nothing of an overlong line, or of one holding a NUL byte, may reach the
	 * handler: it becomes a comment. Its section then fails its checksum.
	 */
	if (overlong || strlen(str) != (size_t)i) {
		str[0] = ';';
		str[1] = '\0';
	}
	const char *p = str;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[')
		r->header_line = r->lineno;
	return str;
}

int rdls_journal_read(FILE *f, const char *path, struct rdls_journal **out, rdls_err *err)
{
	*out = NULL;
	struct rdls_journal *j = calloc(1, sizeof(*j));
	if (!j || !(j->path = dup_str(path ? path : "journal"))) {
		free(j);
		return rdls_err_set(err, NULL, path, 0, "out of memory");
	}
	struct reader r;
	memset(&r, 0, sizeof(r));
	r.j = j;
	r.f = f;
	ini_parse_stream(read_line, &r, handler, &r);
	close_section(&r);
	free(r.kv);
	if (r.oom) {
		rdls_journal_free(j);
		return rdls_err_set(err, NULL, path, 0, "out of memory");
	}
	if (ferror(f)) {
		int e = errno;
		rdls_journal_free(j);
		return rdls_err_set(err, "fread", path, (uint32_t)e, "%s", strerror(e));
	}
	/*
	 * Each section is flushed to disk before the next is written, so only the last
	 * one can be torn by a crash; it is never needed for rollback (a step record is
	 * complete before its change starts). Damage anywhere else may have hidden a step.
	 */
	if (r.bad_since_good && r.bad_count > 0) {
		j->torn_tail = true;
		j->n_damaged = r.bad_count - 1;
	} else {
		j->n_damaged = r.bad_count;
	}
	*out = j;
	return 0;
}

void rdls_journal_free(struct rdls_journal *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n_recs; i++)
		rdls_step_release(&j->recs[i].step);
	free(j->recs);
	for (size_t i = 0; i < j->n_problems; i++)
		free(j->problems[i]);
	free(j->problems);
	free(j->path);
	free(j->tool);
	free(j->host);
	free(j->computer);
	free(j->profile);
	free(j->started);
	free(j->account);
	free(j->group);
	free_list(j->peers, j->n_peers);
	free(j);
}

/* ------------------------------------- shared with the saved plan (planfile.c) */

/* The section helpers above write into b (no checksum: the saved plan has its seal). */
void rdls_jenc_put(struct rdls_buf *b, const char *key, const char *value)
{
	struct section s = { .text = *b };
	sec_put(&s, key, value);
	*b = s.text;
}

void rdls_jenc_put_str(struct rdls_buf *b, const char *key, const char *raw)
{
	struct section s = { .text = *b };
	sec_put_str(&s, key, raw);
	*b = s.text;
}

void rdls_jenc_put_state(struct rdls_buf *b, const char *prefix, const struct rdls_step *st,
			 const struct rdls_state *v)
{
	struct section s = { .text = *b };
	put_state(&s, prefix, st, v);
	*b = s.text;
}

char *rdls_jdec_str(const char *encoded)
{
	return decode(encoded);
}

bool rdls_jdec_ulong(const char *s, unsigned long max, unsigned long *out)
{
	return parse_ulong(s, max, out);
}

/* The journal reader's view of one section's keys, borrowed from kv. */
static int kv_reader(struct reader *r, const struct rdls_jkv *kv, size_t n)
{
	memset(r, 0, sizeof(*r));
	if (n && !(r->kv = malloc(n * sizeof(*r->kv))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		r->kv[i].key = kv[i].key;
		r->kv[i].value = kv[i].value;
	}
	r->n_kv = r->cap_kv = n;
	return 0;
}

int rdls_jdec_state(const struct rdls_jkv *kv, size_t n, const char *prefix, struct rdls_state *st)
{
	struct reader r;
	if (kv_reader(&r, kv, n) != 0)
		return -1;
	int rc = get_state(&r, prefix, st) ? 0 : 1;
	if (r.oom)
		rc = -1;
	free(r.kv); /* the strings are kv's */
	return rc;
}

FILE *rdls_admin_file_create(struct rdls_sys *sys, const char *path, rdls_err *err)
{
	if (strchr(path, '\n') || strchr(path, '\r')) {
		rdls_err_set(err, NULL, NULL, 0, "a file name cannot contain a line break");
		return NULL;
	}
	/* CREATE_NEW with the admin-only descriptor, exactly as a journal is created: never
	 * an existing file, never one that inherits its folder's permissions. */
	bool exists = false;
	FILE *f = sys->ops->file_create_new(sys->ctx, path, &exists, err);
	if (!f && exists)
		rdls_err_set(err, NULL, path, 0, "the file already exists: choose a new file");
	return f;
}
