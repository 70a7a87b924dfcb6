/*
 * Reading the journal back (format in include/rdls/journal.h), apart from its
 * writer (journal.c) because everything here reads a file another account may have
 * planted: inih through a line reader that counts lines and refuses overlong ones,
 * so that nothing a damaged file contains can be mistaken for a record; a section
 * counts only when its checksum matches.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "rdls/journal.h"
#include "rdls/util.h"
#include "resource.h"

/* --------------------------------------------------------------- decoding */

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
	char *k = rdls_strdup(name), *v = rdls_strdup(value);
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
	if (!j || !(j->path = rdls_strdup(path ? path : "journal"))) {
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
