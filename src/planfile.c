/*
 * Saved plans (format in include/rdls/planfile.h): written with the journal's encoding,
 * sealed with the platform's SHA-256, read back with inih through a line reader of our
 * own over the file's bytes (bounded, lines counted, nothing overlong or indented passed
 * on), and interpreted strictly: an unknown key, a section out of place or a value that is
 * not what rdlsctl writes refuses the file with its line.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "rdls/clock.h"
#include "rdls/journal.h"
#include "rdls/planfile.h"
#include "rdls/util.h"
#include "resource.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

#define SEAL_HEAD "[seal]\nsha256 = "
#define SEAL_LEN (sizeof(SEAL_HEAD) - 1 + 64 + 1)
#define COMMENT_MAX 160
#define LINE_MAX_LEN 190 /* below inih's INI_MAX_LINE (200 in Debian's build) */
#define DIFF_SHOWN 5
#define CHUNK 100 /* the journal writer's chunk of a long value (journal.c) */

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ RDLS_STEP_FOLD, "fold" },
	{ RDLS_STEP_CONFLICT, "conflict" },
	{ RDLS_STEP_IRREVERSIBLE, "irreversible" },
	{ RDLS_STEP_NEEDS_SECRET, "needs_secret" },
	{ RDLS_STEP_IMPOSSIBLE, "impossible" },
};

static const enum rdls_action actions[] = { RDLS_ACT_NONE, RDLS_ACT_CREATE, RDLS_ACT_CHANGE,
					    RDLS_ACT_REMOVE };

int rdls_sha256_hex(struct rdls_sys *sys, const void *data, size_t len,
		    char hex[RDLS_SHA256_HEX], rdls_err *err)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[32];
	hex[0] = '\0';
	if (!sys->ops->sha256)
		return rdls_err_set(err, NULL, NULL, 0, "this system offers no SHA-256");
	if (sys->ops->sha256(sys->ctx, data, len, md, err) != 0)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = hx[md[i] >> 4];
		hex[2 * i + 1] = hx[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ writing */

/* A comment line: one short printable line (it is sealed, but never interpreted). */
static void comment(struct rdls_buf *b, const char *text)
{
	rdls_buf_puts(b, "; ");
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p && n < COMMENT_MAX; p++, n++)
		rdls_buf_putc(b, (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p);
	rdls_buf_putc(b, '\n');
}

static void put_flags(struct rdls_buf *b, unsigned flags)
{
	struct rdls_buf w;
	rdls_buf_init(&w);
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flags & flag_names[i].bit) {
			if (w.len)
				rdls_buf_putc(&w, ',');
			rdls_buf_puts(&w, flag_names[i].name);
		}
	if (w.len)
		rdls_jenc_put(b, "flags", rdls_buf_str(&w));
	if (w.oom)
		b->oom = true;
	rdls_buf_release(&w);
}

static void put_text(struct rdls_buf *b, const struct rdls_plan *p,
		     const struct rdls_planfile_meta *m, const char *created)
{
	char num[32];
	struct rdls_buf c;
	rdls_buf_init(&c);
	rdls_buf_printf(&c, "rdlsctl saved plan for %s: review it, then 'rdlsctl apply --plan' this "
			    "file. Do not edit: it is sealed.", p->host);
	comment(b, rdls_buf_str(&c));
	rdls_buf_puts(b, "[plan]\n");
	snprintf(num, sizeof(num), "%d", RDLS_PLANFILE_FORMAT);
	rdls_jenc_put(b, "format", num);
	rdls_jenc_put_str(b, "tool", RDLS_VERSION);
	rdls_jenc_put_str(b, "host", p->host);
	rdls_jenc_put_str(b, "computer", m->computer ? m->computer : "");
	rdls_jenc_put_str(b, "profile", p->profile ? p->profile : "");
	char hex[RDLS_SHA256_HEX];
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = hx[m->profile_sha256[i] >> 4];
		hex[2 * i + 1] = hx[m->profile_sha256[i] & 15];
	}
	hex[64] = '\0';
	rdls_jenc_put(b, "profile.sha256", hex);
	if (m->secret)
		rdls_jenc_put_str(b, "secret", m->secret);
	rdls_jenc_put(b, "created", created);
	snprintf(num, sizeof(num), "%zu", p->n_steps);
	rdls_jenc_put(b, "steps", num);
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rdls_step *s = &p->steps[i];
		rdls_buf_reset(&c);
		rdls_buf_printf(&c, "step %zu: ", i + 1);
		if (s->action == RDLS_ACT_NONE) {
			rdls_step_object(s, &c);
			rdls_buf_puts(&c, " (unchanged)");
		} else {
			rdls_step_doing(s, false, &c);
		}
		rdls_buf_putc(b, '\n');
		comment(b, rdls_buf_str(&c));
		rdls_buf_printf(b, "[step %zu]\n", i + 1);
		rdls_jenc_put(b, "kind", s->ops->kind);
		if (s->key)
			rdls_jenc_put_str(b, "key", s->key);
		rdls_jenc_put_str(b, "name", s->name);
		rdls_jenc_put(b, "action", rdls_action_name(s->action));
		put_flags(b, s->flags);
		rdls_jenc_put_state(b, "prior", s, &s->prior);
		rdls_jenc_put_state(b, "after", s, &s->want);
	}
	rdls_buf_putc(b, '\n');
	if (c.oom)
		b->oom = true;
	rdls_buf_release(&c);
}

int rdls_planfile_write(struct rdls_sys *sys, const char *path, const struct rdls_plan *p,
			const struct rdls_planfile_meta *m, rdls_err *err)
{
	char created[80] = "unknown", hex[RDLS_SHA256_HEX];
	rdls_utc_format((int64_t)m->created, false, created, sizeof(created));
	struct rdls_buf b;
	rdls_buf_init(&b);
	put_text(&b, p, m, created);
	int rc = -1;
	FILE *f = NULL;
	if (b.oom || b.len + SEAL_LEN > RDLS_PLANFILE_MAX) {
		rdls_err_set(err, NULL, path, 0, b.oom ? "out of memory" : "the plan is too large");
		goto out;
	}
	if (rdls_sha256_hex(sys, b.s, b.len, hex, err) != 0)
		goto out;
	rdls_buf_printf(&b, SEAL_HEAD "%s\n", hex);
	if (b.oom) {
		rdls_err_set(err, NULL, path, 0, "out of memory");
		goto out;
	}
	if (!(f = rdls_admin_file_create(sys, path, err)))
		goto out;
	if (fwrite(b.s, 1, b.len, f) != b.len) {
		rdls_err_set(err, "fwrite", path, 0, "cannot write the saved plan");
		goto out;
	}
	rc = sys->ops->file_sync(sys->ctx, f, path, err);
out:
	if (f && fclose(f) != 0 && rc == 0)
		rc = rdls_err_set(err, "fclose", path, 0, "cannot write the saved plan");
	rdls_buf_release(&b);
	return rc;
}

/* ------------------------------------------------------------------ reading */

struct sec {
	char *name;
	int line;
	struct rdls_jkv *kv;
	int *kv_line;
	size_t n, cap;
};

struct rd {
	const char *path;
	const char *text;
	size_t len, pos;
	int lineno;
	int header_line; /* the last "[section]" line */
	int bad_line; /* the first line the line reader refused */
	const char *bad_why;
	bool oom;
	struct sec *secs;
	size_t n_secs, cap_secs;
};

/* inih's line source over the bytes: counts lines; a line that is too long, holds a NUL
 * or starts with white space (inih would join it to the key before) is refused. */
static char *next_line(char *str, int num, void *stream)
{
	struct rd *r = stream;
	if (r->pos >= r->len || r->bad_line)
		return NULL;
	const char *s = r->text + r->pos;
	const char *nl = memchr(s, '\n', r->len - r->pos);
	size_t n = nl ? (size_t)(nl - s) + 1 : r->len - r->pos;
	r->pos += n;
	r->lineno++;
	if (n > LINE_MAX_LEN || (int)n >= num) {
		r->bad_why = "line too long";
	} else if (memchr(s, '\0', n)) {
		r->bad_why = "NUL byte";
	} else if (s[0] == ' ' || s[0] == '\t') {
		r->bad_why = "indented line";
	}
	if (r->bad_why) {
		r->bad_line = r->lineno;
		return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	if (s[0] == '[')
		r->header_line = r->lineno;
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct rd *r = user;
	if (!name)
		return 1;
	struct sec *s = r->n_secs ? &r->secs[r->n_secs - 1] : NULL;
	if (!s || strcmp(s->name, section) != 0) {
		if (r->n_secs == r->cap_secs) {
			size_t cap = r->cap_secs ? r->cap_secs * 2 : 16;
			struct sec *v = realloc(r->secs, cap * sizeof(*v));
			if (!v)
				goto oom;
			r->secs = v;
			r->cap_secs = cap;
		}
		s = &r->secs[r->n_secs];
		memset(s, 0, sizeof(*s));
		if (!(s->name = rdls_strdup(section)))
			goto oom;
		s->line = r->header_line ? r->header_line : r->lineno;
		r->n_secs++;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct rdls_jkv *v = realloc(s->kv, cap * sizeof(*v));
		if (!v)
			goto oom;
		s->kv = v;
		int *l = realloc(s->kv_line, cap * sizeof(*l));
		if (!l)
			goto oom;
		s->kv_line = l;
		s->cap = cap;
	}
	s->kv[s->n].key = rdls_strdup(name);
	s->kv[s->n].value = rdls_strdup(value);
	s->kv_line[s->n] = r->lineno;
	if (!s->kv[s->n].key || !s->kv[s->n].value) {
		free(s->kv[s->n].key);
		free(s->kv[s->n].value);
		goto oom;
	}
	s->n++;
	return 1;
oom:
	r->oom = true;
	return 0;
}

static void rd_release(struct rd *r)
{
	for (size_t i = 0; i < r->n_secs; i++) {
		struct sec *s = &r->secs[i];
		for (size_t k = 0; k < s->n; k++) {
			free(s->kv[k].key);
			free(s->kv[k].value);
		}
		free(s->kv);
		free(s->kv_line);
		free(s->name);
	}
	free(r->secs);
}

static int bad_at(rdls_err *err, enum rdls_planfile_bad *bad, enum rdls_planfile_bad why,
		  const char *path, int line, const char *fmt, ...) RDLS_PRINTF(6, 7);

static int bad_at(rdls_err *err, enum rdls_planfile_bad *bad, enum rdls_planfile_bad why,
		  const char *path, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*bad = why;
	if (line > 0)
		return rdls_err_set(err, NULL, NULL, 0, "%s:%d: %s", path, line, msg);
	return rdls_err_set(err, NULL, NULL, 0, "%s: %s", path, msg);
}

/* The value of key (chunks joined), or NULL; *line its first line. */
static char *get(const struct sec *s, const char *key, int *line, bool *oom)
{
	struct rdls_buf b;
	bool found = false;
	rdls_buf_init(&b);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0) {
			if (!found && line)
				*line = s->kv_line[i];
			rdls_buf_puts(&b, s->kv[i].value);
			found = true;
		}
	if (!found) {
		rdls_buf_release(&b);
		return NULL;
	}
	char *v = rdls_buf_take(&b);
	if (!v)
		*oom = true;
	return v;
}

/*
 * A key not in `known` (NULL-terminated), or repeated other than as the journal's
 * writer splits a long value (the next line, the chunk before it exactly CHUNK long).
 */
static const char *unknown_key(const struct sec *s, const char *const *known, int *line)
{
	for (size_t i = 0; i < s->n; i++) {
		bool ok = false;
		for (const char *const *k = known; *k; k++)
			ok = ok || strcmp(s->kv[i].key, *k) == 0;
		for (size_t j = 0; ok && j < i; j++)
			if (strcmp(s->kv[j].key, s->kv[i].key) == 0)
				ok = j + 1 == i && strlen(s->kv[j].value) == CHUNK;
		if (!ok) {
			*line = s->kv_line[i];
			return s->kv[i].key;
		}
	}
	return NULL;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static const char *const header_keys[] = { "format", "tool", "host", "computer", "profile",
					   "profile.sha256", "secret", "created", "steps", NULL };
static const char *const step_keys[] = { "kind", "key", "name", "action", "flags",
					 "prior", "prior.type", "prior.data", "prior.user",
					 "prior.ours", "after", "after.type", "after.data",
					 "after.user", "after.ours", NULL };

/* The strings of [plan]: each decoded; a missing one is NULL (opt) or an error. */
static int header_str(const struct rd *r, const struct sec *s, const char *key, bool opt,
		      char **out, enum rdls_planfile_bad *bad, rdls_err *err)
{
	bool oom = false;
	int line = s->line;
	char *raw = get(s, key, &line, &oom);
	if (oom)
		return rdls_err_set(err, NULL, r->path, 0, "out of memory");
	if (!raw) {
		if (opt)
			return 0;
		return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, s->line,
			      "[plan] has no '%s'", key);
	}
	*out = rdls_jdec_str(raw);
	free(raw);
	if (!*out)
		return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
			      "'%s' is not encoded as rdlsctl writes it", key);
	return 0;
}

static int read_flags(const char *v, unsigned *flags)
{
	*flags = 0;
	const char *p = v;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool ok = false;
		for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (strlen(flag_names[i].name) == n && strncmp(flag_names[i].name, p, n) == 0 &&
			    !(*flags & flag_names[i].bit)) {
				*flags |= flag_names[i].bit;
				ok = true;
			}
		if (!ok)
			return -1;
		p += n;
		if (comma && !*++p)
			return -1; /* a trailing comma */
	}
	return *flags ? 0 : -1;
}

static int read_step(const struct rd *r, const struct sec *s, struct rdls_step *st,
		     enum rdls_planfile_bad *bad, rdls_err *err)
{
	bool oom = false;
	int line = s->line;
	const char *unk = unknown_key(s, step_keys, &line);
	if (unk)
		return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
			      "unknown or repeated key '%.40s' in [%s]", unk, s->name);
	char *kind = get(s, "kind", &line, &oom);
	char *key = get(s, "key", &line, &oom);
	char *name = get(s, "name", &line, &oom);
	char *action = get(s, "action", &line, &oom);
	char *flags = get(s, "flags", &line, &oom);
	int rc = -1;
	line = s->line;
	if (oom) {
		rdls_err_set(err, NULL, r->path, 0, "out of memory");
		goto out;
	}
	if (!kind || !(st->ops = rdls_resource_find(kind))) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line, "[%s] has %s kind%s%.40s%s",
		       s->name, kind ? "an unknown" : "no", kind ? " '" : "", kind ? kind : "",
		       kind ? "'" : "");
		goto out;
	}
	if (!name || !(st->name = rdls_jdec_str(name)) || (key && !(st->key = rdls_jdec_str(key))) ||
	    (st->ops->keyed && !st->key)) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
		       "[%s] has no valid name%s", s->name,
		       st->ops->keyed ? " and key" : "");
		goto out;
	}
	bool known = false;
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, rdls_action_name(actions[i])) == 0) {
			st->action = actions[i];
			known = true;
		}
	if (!known) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
		       "[%s] has no valid action (create, change, remove, none)", s->name);
		goto out;
	}
	if (flags && read_flags(flags, &st->flags) != 0) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line, "[%s] has invalid flags",
		       s->name);
		goto out;
	}
	int a = rdls_jdec_state(s->kv, s->n, "prior", &st->prior);
	int b = a < 0 ? -1 : rdls_jdec_state(s->kv, s->n, "after", &st->want);
	if (a < 0 || b < 0) {
		rdls_err_set(err, NULL, r->path, 0, "out of memory");
		goto out;
	}
	if (a || b) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
		       "[%s] has no valid %s state", s->name, a ? "prior" : "after");
		goto out;
	}
	rc = 0;
out:
	free(kind);
	free(key);
	free(name);
	free(action);
	free(flags);
	return rc;
}

/* The [plan] section and the steps; the seal is checked by the caller. */
static int interpret(const struct rd *r, struct rdls_planfile *pf, enum rdls_planfile_bad *bad,
		     rdls_err *err)
{
	const struct sec *h = &r->secs[0];
	int line = h->line;
	bool oom = false;
	const char *unk = unknown_key(h, header_keys, &line);
	if (unk)
		return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
			      "unknown or repeated key '%.40s' in [plan]", unk);
	if (header_str(r, h, "tool", false, &pf->tool, bad, err) ||
	    header_str(r, h, "host", false, &pf->host, bad, err) ||
	    header_str(r, h, "computer", false, &pf->computer, bad, err) ||
	    header_str(r, h, "profile", false, &pf->profile, bad, err) ||
	    header_str(r, h, "secret", true, &pf->secret, bad, err) ||
	    header_str(r, h, "created", false, &pf->created, bad, err))
		return -1;
	if (!pf->host[0] || !pf->profile[0])
		return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, h->line,
			      "[plan] names no %s", pf->host[0] ? "profile" : "host");
	line = h->line;
	char *sha = get(h, "profile.sha256", &line, &oom);
	char *steps = get(h, "steps", &line, &oom);
	unsigned long n = 0;
	int rc = 0;
	if (oom)
		rc = rdls_err_set(err, NULL, r->path, 0, "out of memory");
	else if (!sha || !is_hex64(sha))
		rc = bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
			    "[plan] has no valid profile.sha256 (64 lowercase hex digits)");
	else if (!rdls_jdec_ulong(steps, RDLS_PLANFILE_STEPS_MAX, &n))
		rc = bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, line,
			    "[plan] has no valid step count (0 to %d)", RDLS_PLANFILE_STEPS_MAX);
	else if (r->n_secs != n + 2)
		rc = bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, h->line,
			    "[plan] says %lu step%s, the file has %zu", n, n == 1 ? "" : "s",
			    r->n_secs - 2);
	if (sha && rc == 0)
		memcpy(pf->profile_sha256, sha, RDLS_SHA256_HEX);
	free(sha);
	free(steps);
	if (rc != 0)
		return -1;
	if (n && !(pf->steps = calloc(n, sizeof(*pf->steps))))
		return rdls_err_set(err, NULL, r->path, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct sec *s = &r->secs[i + 1];
		char want[32];
		snprintf(want, sizeof(want), "step %zu", i + 1);
		if (strcmp(s->name, want) != 0)
			return bad_at(err, bad, RDLS_PLANFILE_MALFORMED, r->path, s->line,
				      "[%.40s] where [%s] belongs", s->name, want);
		pf->n_steps = i + 1; /* so that rdls_planfile_free releases it */
		if (read_step(r, s, &pf->steps[i], bad, err) != 0)
			return -1;
	}
	return 0;
}

int rdls_planfile_read(struct rdls_sys *sys, FILE *f, const char *path,
		       struct rdls_planfile **out, enum rdls_planfile_bad *bad, rdls_err *err)
{
	*out = NULL;
	*bad = RDLS_PLANFILE_OK;
	path = path ? path : "plan";
	struct rd r = { .path = path };
	struct rdls_planfile *pf = NULL;
	char *text = malloc(RDLS_PLANFILE_MAX + 1);
	int rc = -1;
	if (!text)
		return rdls_err_set(err, NULL, path, 0, "out of memory");
	size_t len = fread(text, 1, RDLS_PLANFILE_MAX + 1, f);
	if (ferror(f)) {
		rdls_err_set(err, "fread", path, 0, "cannot read the saved plan");
		goto out;
	}
	if (len > RDLS_PLANFILE_MAX) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, path, 0,
		       "larger than %u bytes: not a saved plan", RDLS_PLANFILE_MAX);
		goto out;
	}
	r.text = text;
	r.len = len;
	int prc = ini_parse_stream(next_line, &r, handler, &r);
	if (r.oom || prc == -2) {
		rdls_err_set(err, NULL, path, 0, "out of memory");
		goto out;
	}
	if (r.bad_line) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, path, r.bad_line, "%s: not a saved plan as "
		       "rdlsctl writes it", r.bad_why);
		goto out;
	}
	if (prc > 0) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, path, prc,
		       "neither a section, a key = value line nor a comment");
		goto out;
	}
	if (r.n_secs < 2 || strcmp(r.secs[0].name, "plan") != 0) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, path, r.n_secs ? r.secs[0].line : 0,
		       "not a saved plan: it must begin with a [plan] section and end with [seal]");
		goto out;
	}
	/* A newer format is said as such before anything else is judged: its seal may differ. */
	bool oom = false;
	int line = r.secs[0].line;
	char *fmt = get(&r.secs[0], "format", &line, &oom);
	unsigned long format = 0;
	bool fmt_ok = fmt && rdls_jdec_ulong(fmt, 1000000ul, &format) && format >= 1;
	free(fmt);
	if (oom) {
		rdls_err_set(err, NULL, path, 0, "out of memory");
		goto out;
	}
	if (!fmt_ok) {
		bad_at(err, bad, RDLS_PLANFILE_MALFORMED, path, line, "[plan] has no valid format");
		goto out;
	}
	if (format > RDLS_PLANFILE_FORMAT) {
		bad_at(err, bad, RDLS_PLANFILE_NEWER, path, line,
		       "saved plan format %lu is newer than this rdlsctl reads (%d): apply it with "
		       "the rdlsctl that wrote it, or plan again",
		       format, RDLS_PLANFILE_FORMAT);
		goto out;
	}
	/* The seal: the last lines, exactly as written, over every byte before them. */
	const struct sec *last = &r.secs[r.n_secs - 1];
	char want[RDLS_SHA256_HEX];
	size_t body = len >= SEAL_LEN ? len - SEAL_LEN : 0;
	if (strcmp(last->name, "seal") != 0 || len < SEAL_LEN ||
	    (body && text[body - 1] != '\n') ||
	    memcmp(text + body, SEAL_HEAD, sizeof(SEAL_HEAD) - 1) != 0 || text[len - 1] != '\n' ||
	    last->n != 1 || !is_hex64(last->kv[0].value)) {
		bad_at(err, bad, RDLS_PLANFILE_ALTERED, path, last->line,
		       "the file does not end with its [seal] as rdlsctl writes it: altered or "
		       "incomplete; plan again");
		goto out;
	}
	if (rdls_sha256_hex(sys, text, body, want, err) != 0)
		goto out;
	if (strcmp(want, last->kv[0].value) != 0) {
		bad_at(err, bad, RDLS_PLANFILE_ALTERED, path, last->line + 1,
		       "the content does not match its SHA-256 seal: the file was altered after "
		       "it was saved; plan again");
		goto out;
	}
	if (!(pf = calloc(1, sizeof(*pf)))) {
		rdls_err_set(err, NULL, path, 0, "out of memory");
		goto out;
	}
	pf->format = format;
	if (interpret(&r, pf, bad, err) != 0)
		goto out;
	*out = pf;
	pf = NULL;
	rc = 0;
out:
	rdls_planfile_free(pf);
	rd_release(&r);
	free(text);
	return rc;
}

void rdls_planfile_free(struct rdls_planfile *pf)
{
	if (!pf)
		return;
	for (size_t i = 0; i < pf->n_steps; i++)
		rdls_step_release(&pf->steps[i]);
	free(pf->steps);
	free(pf->tool);
	free(pf->host);
	free(pf->computer);
	free(pf->profile);
	free(pf->secret);
	free(pf->created);
	free(pf);
}

/* ---------------------------------------------------------------- comparing */

size_t rdls_planfile_drift(const struct rdls_planfile *pf, struct rdls_sys *sys,
			   struct rdls_buf *why)
{
	const struct rdls_rctx c = { .sys = sys };
	size_t n = 0;
	for (size_t i = 0; i < pf->n_steps; i++) {
		const struct rdls_step *s = &pf->steps[i];
		struct rdls_state now = { 0 };
		rdls_err e;
		rdls_err_clear(&e);
		bool failed = s->ops->observe(s, &c, &now, &e) != 0;
		if (failed || !rdls_state_equal(&now, &s->prior)) {
			if (n++ < DIFF_SHOWN) {
				if (why->len)
					rdls_buf_puts(why, "; ");
				rdls_buf_printf(why, "step %zu, ", i + 1);
				rdls_step_object(s, why);
				if (failed) {
					rdls_errmsg m;
					rdls_buf_printf(why, ", cannot be observed: %s",
							rdls_errmsg_of(&e, &m));
				} else {
					rdls_buf_puts(why, ", changed since the plan was saved (planned "
							   "from: ");
					rdls_step_state(s, &s->prior, why);
					rdls_buf_puts(why, "; now: ");
					rdls_step_state(s, &now, why);
					rdls_buf_putc(why, ')');
				}
			}
		}
		rdls_state_release(&now);
	}
	if (n > DIFF_SHOWN)
		rdls_buf_printf(why, "; and %zu more", n - DIFF_SHOWN);
	return n;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void say_doing(struct rdls_buf *b, const struct rdls_step *s)
{
	if (s->action == RDLS_ACT_NONE) {
		rdls_buf_puts(b, "leave it as ");
		rdls_step_state(s, &s->prior, b);
	} else {
		rdls_step_doing(s, false, b);
		rdls_buf_puts(b, " (");
		rdls_step_state(s, &s->want, b);
		rdls_buf_putc(b, ')');
	}
	if (s->flags & RDLS_STEP_IMPOSSIBLE)
		rdls_buf_puts(b, ", impossible");
	if (s->flags & RDLS_STEP_CONFLICT)
		rdls_buf_puts(b, ", left alone");
}

size_t rdls_planfile_compare(const struct rdls_planfile *pf, const struct rdls_plan *p,
			     bool *drift, struct rdls_buf *why)
{
	size_t n = 0, shown = 0;
	*drift = false;
	size_t common = pf->n_steps < p->n_steps ? pf->n_steps : p->n_steps;
	for (size_t i = 0; i < common; i++) {
		const struct rdls_step *a = &pf->steps[i], *b = &p->steps[i];
		bool same_id = a->ops == b->ops && same_str(a->key, b->key) &&
			       same_str(a->name, b->name);
		bool moved = same_id && !rdls_state_equal(&a->prior, &b->prior);
		bool other = !same_id || (!moved && (a->action != b->action || a->flags != b->flags ||
						     !rdls_state_equal(&a->want, &b->want)));
		if (!moved && !other)
			continue;
		*drift = *drift || moved;
		n++;
		if (shown++ >= DIFF_SHOWN)
			continue;
		if (why->len)
			rdls_buf_puts(why, "; ");
		if (moved) {
			rdls_buf_printf(why, "drift at step %zu: ", i + 1);
			rdls_step_object(b, why);
			rdls_buf_puts(why, " changed since the plan was saved (planned from: ");
			rdls_step_state(a, &a->prior, why);
			rdls_buf_puts(why, "; now: ");
			rdls_step_state(b, &b->prior, why);
			rdls_buf_putc(why, ')');
		} else if (!same_id) {
			rdls_buf_printf(why, "step %zu of the saved plan is ", i + 1);
			rdls_step_object(a, why);
			rdls_buf_puts(why, ", planning now gives ");
			rdls_step_object(b, why);
		} else {
			rdls_buf_printf(why, "step %zu, ", i + 1);
			rdls_step_object(b, why);
			rdls_buf_puts(why, ": the saved plan would ");
			say_doing(why, a);
			rdls_buf_puts(why, ", planning now would ");
			say_doing(why, b);
		}
	}
	if (shown > DIFF_SHOWN)
		rdls_buf_printf(why, "; and %zu more", shown - DIFF_SHOWN);
	if (pf->n_steps != p->n_steps) {
		n++;
		if (why->len)
			rdls_buf_puts(why, "; ");
		rdls_buf_printf(why, "the saved plan has %zu step%s, planning now gives %zu",
				pf->n_steps, pf->n_steps == 1 ? "" : "s", p->n_steps);
	}
	return n;
}
