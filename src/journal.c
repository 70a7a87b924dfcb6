/*
 * The write-ahead journal (format in include/rdls/journal.h): its writer, the
 * journal directory and the index of the newest journal. journal_read.c reads it
 * back: what is written and what is trusted on reading are audited apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/clock.h"
#include "rdls/journal.h"
#include "rdls/trust.h"
#include "rdls/util.h"
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
	if (!w || !(w->path = rdls_strdup(chosen))) {
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
	if (!w || !(w->path = rdls_strdup(path))) {
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
