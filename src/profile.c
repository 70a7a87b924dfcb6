/*
 * Profile text -> sections and keys tagged with file:line, via Debian's libinih.
 *
 * inih is fed through ini_parse_stream() with a reader of our own, because the
 * library as Debian builds it (release 55, measured on Debian 12) would
 * otherwise get several things wrong for us:
 *   - its line buffer is INI_MAX_LINE = 200 bytes on the stack; a longer line is
 *     silently split in two, the second half parsed as a line of its own and
 *     every later line number shifted;
 *   - it truncates section names to 49 bytes and never reports a section that
 *     has no keys;
 *   - with multi-line values on (the default), an indented "key = value" after
 *     another key becomes part of that key's value;
 *   - a line without '=' is only "the first error line", with no message;
 *   - it does not care about NUL bytes, invalid UTF-8 or control characters.
 * The reader therefore reads whole physical lines itself, checks their bytes,
 * tracks sections (so the handler uses the reader's section, not inih's copy),
 * removes leading white space (so no line is ever a continuation), reports
 * lines inih could not parse, and hands inih only lines that fit its buffer:
 * a line too long as written is passed without its inline comment, and if it
 * is still too long it is reported, never truncated into a wrong value.
 * inih's own options (ini_allow_multiline etc.) are process-wide globals
 * shared with the journal reader, so they are left as they are.
 */
#include <ini.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "rdls/secret.h"

/* Longer lines are not kept in memory (a comment of any length is fine). */
#define LINE_KEEP_MAX (1u << 20)
#define READ_CHUNK 65536

enum bad { BAD_NONE = 0, BAD_NUL, BAD_UTF8, BAD_CTRL };

struct reader {
	FILE *f;
	unsigned char *chunk;
	size_t pos, len;
	bool eof, started, stop, oom;

	char *line;        /* current line without its end of line; NUL-terminated */
	size_t cap, kept;  /* kept <= LINE_KEEP_MAX bytes */
	size_t total;      /* real length of the line in bytes */
	int lineno;

	enum bad bad;      /* first problem of the line, and where (1-based byte) */
	size_t bad_col;
	unsigned bad_byte;

	struct rdls_ini *ini;
	struct rdls_diags *d;
};

const char *rdls_quote(char buf[RDLS_QUOTE_MAX], const char *s)
{
	size_t len = strlen(s);
	if (len < RDLS_QUOTE_MAX - 8) {
		memcpy(buf, s, len + 1);
		return buf;
	}
	size_t cut = RDLS_QUOTE_MAX - 12;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "...", 4);
	return buf;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int fill(struct reader *r)
{
	if (r->eof)
		return -1;
	r->len = fread(r->chunk, 1, READ_CHUNK, r->f);
	r->pos = 0;
	if (r->len == 0) {
		r->eof = true;
		return -1;
	}
	return 0;
}

static void mark_bad(struct reader *r, enum bad why, size_t col, unsigned byte)
{
	if (r->bad == BAD_NONE) {
		r->bad = why;
		r->bad_col = col;
		r->bad_byte = byte;
	}
}

static bool keep(struct reader *r, unsigned char c)
{
	if (r->kept >= LINE_KEEP_MAX)
		return true;
	if (r->kept + 1 >= r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		char *n = malloc(ncap);
		if (!n) {
			r->oom = true;
			return false;
		}
		if (r->line) {
			memcpy(n, r->line, r->kept);
			rdls_secure_zero(r->line, r->cap);
			free(r->line);
		}
		r->line = n;
		r->cap = ncap;
	}
	r->line[r->kept++] = (char)c;
	return true;
}

/*
 * Reads the next physical line into r->line, checking every byte: UTF-8
 * (no overlong forms, surrogates or code points above U+10FFFF), no NUL, no
 * control character except tab; CR only directly before LF. Returns false at
 * the end of the file.
 */
static bool next_line(struct reader *r)
{
	r->kept = r->total = 0;
	r->bad = BAD_NONE;
	if (!r->started) {
		r->started = true;
		if (fill(r) == 0 && r->len >= 3 && r->chunk[0] == 0xEF && r->chunk[1] == 0xBB &&
		    r->chunk[2] == 0xBF)
			r->pos = 3; /* UTF-8 byte order mark, as Notepad writes it */
	}
	if (r->pos >= r->len && fill(r) != 0)
		return false;

	unsigned need = 0, lo = 0x80, hi = 0xBF;
	size_t lead_col = 0, cr_col = 0;
	for (;;) {
		if (r->pos >= r->len && fill(r) != 0)
			break;
		unsigned char c = r->chunk[r->pos++];
		if (c == '\n')
			break;
		if (cr_col) { /* a CR not followed by LF */
			mark_bad(r, BAD_CTRL, cr_col, '\r');
			cr_col = 0;
			r->total++;
		}
		r->total++;
		size_t col = r->total;
		if (need) {
			if (c < lo || c > hi) {
				mark_bad(r, BAD_UTF8, lead_col, 0);
				need = 0;
			} else {
				need--;
				lo = 0x80;
				hi = 0xBF;
				if (!keep(r, c))
					return false;
				continue;
			}
		}
		if (c < 0x80) {
			if (c == '\r') {
				cr_col = col;
				r->total--; /* counted if it turns out not to end the line */
				continue;
			}
			if (c == 0)
				mark_bad(r, BAD_NUL, col, 0);
			else if ((c < 0x20 && c != '\t') || c == 0x7F)
				mark_bad(r, BAD_CTRL, col, c);
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
			hi = c == 0xED ? 0x9F : 0xBF; /* no UTF-16 surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
		} else {
			mark_bad(r, BAD_UTF8, col, 0);
		}
		if (need)
			lead_col = col;
		if (!keep(r, c))
			return false;
	}
	if (need)
		mark_bad(r, BAD_UTF8, lead_col, 0);
	if (r->line)
		r->line[r->kept < LINE_KEEP_MAX ? r->kept : LINE_KEEP_MAX] = '\0';
	r->lineno++;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* inih's ini_find_chars_or_comment: the first of chars, or a ';' after white space. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;
	while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = is_blank(*s);
		s++;
	}
	return s;
}

static size_t rstrip_len(const char *s, size_t n)
{
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	return n;
}

static struct rdls_ini_section *push_section(struct reader *r, char *header)
{
	struct rdls_ini *ini = r->ini;
	if (ini->n == ini->cap) {
		size_t ncap = ini->cap ? ini->cap * 2 : 16;
		struct rdls_ini_section *v = realloc(ini->v, ncap * sizeof(*v));
		if (!v) {
			free(header);
			r->oom = true;
			return NULL;
		}
		ini->v = v;
		ini->cap = ncap;
	}
	struct rdls_ini_section *s = &ini->v[ini->n++];
	memset(s, 0, sizeof(*s));
	s->header = header;
	s->line = r->lineno;
	return s;
}

/* A malformed header still opens a section, so that its keys are not taken
 * for keys of the section before. */
static void push_bad_section(struct reader *r)
{
	push_section(r, NULL);
}

/* num is the size of inih's line buffer: the line, its '\n' and a NUL. */
static void too_long(struct reader *r, size_t key_value, int num)
{
	rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
		       "line too long: key and value take %zu bytes, inih reads at most %d "
		       "(a ';' comment and blanks around '=' do not count)",
		       key_value, num > 2 ? num - 2 : 0);
}

/* Puts "text\n" into inih's buffer if it fits. */
static bool give(char *str, int num, const char *text, size_t len)
{
	if (num < 2 || len + 2 > (size_t)num)
		return false;
	memcpy(str, text, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return true;
}

static void section_line(struct reader *r, const char *p, char *str, int num)
{
	const char *end = find_chars_or_comment(p + 1, "]");
	if (*end != ']') {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "missing ']' at the end of the section header");
		push_bad_section(r);
		return;
	}
	const char *rest = end + 1;
	while (is_blank(*rest))
		rest++;
	if (*rest && *rest != ';' && *rest != '#') {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "unexpected text after ']' (a comment starts with ';')");
		push_bad_section(r);
		return;
	}
	const char *b = p + 1;
	while (is_blank(*b))
		b++;
	size_t len = rstrip_len(b, (size_t)(end - b));
	if (len == 0) {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno, "empty section header '[]'");
		push_bad_section(r);
		return;
	}
	char *header = xstrndup(b, len);
	if (!header) {
		r->oom = true;
		return;
	}
	if (!push_section(r, header))
		return;
	/* inih gets the header too, so that its idea of the section is ours; the
	 * handler still uses ours (inih keeps only 49 bytes of a section name). */
	if (len + 2 <= (size_t)(num > 2 ? num - 2 : 0)) {
		str[0] = '[';
		memcpy(str + 1, b, len);
		memcpy(str + 1 + len, "]\n", 3);
	}
}

static void key_line(struct reader *r, const char *p, bool indented, char *str, int num)
{
	char q[RDLS_QUOTE_MAX];
	const char *sep = find_chars_or_comment(p, "=:");
	if (*sep != '=' && *sep != ':') {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       indented ? "expected 'key = value' (an indented line does not "
					  "continue the value above)"
					: "expected 'key = value', a [section] or a ';' comment");
		return;
	}
	size_t name_len = rstrip_len(p, (size_t)(sep - p));
	if (name_len == 0) {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno, "missing key name before '%c'",
			       *sep);
		return;
	}
	if (r->ini->n == 0) {
		char *name = xstrndup(p, name_len);
		if (!name) {
			r->oom = true;
			return;
		}
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "key '%s' comes before the first [section]", rdls_quote(q, name));
		free(name);
		return;
	}
	const char *value = sep + 1;
	while (is_blank(*value))
		value++;
	/* inih starts the comment search at the value, with no white space seen. */
	const char *vend = find_chars_or_comment(value, NULL);
	size_t value_len = rstrip_len(value, (size_t)(vend - value));

	if (give(str, num, p, rstrip_len(p, strlen(p))))
		return;
	/* Too long as written: without the comment and the blanks around '='. */
	size_t clen = name_len + 1 + value_len;
	if (clen + 2 <= (size_t)(num > 0 ? num : 0)) {
		memcpy(str, p, name_len);
		str[name_len] = *sep;
		memcpy(str + name_len + 1, value, value_len);
		str[clen] = '\n';
		str[clen + 1] = '\0';
		return;
	}
	too_long(r, clen, num);
}

static void report_bad_bytes(struct reader *r)
{
	switch (r->bad) {
	case BAD_NUL:
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "NUL byte at byte %zu of the line (save the profile as UTF-8 text)",
			       r->bad_col);
		break;
	case BAD_UTF8:
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "invalid UTF-8 at byte %zu of the line (save the profile as UTF-8)",
			       r->bad_col);
		break;
	case BAD_CTRL:
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "control character 0x%02X at byte %zu of the line (only tab is "
			       "allowed)",
			       r->bad_byte, r->bad_col);
		break;
	case BAD_NONE:
		break;
	}
}

/* The ini_reader: hands inih one checked line at a time ("\n" for a line it
 * must not see), so inih's line numbers stay the file's. */
static char *reader_fn(char *str, int num, void *stream)
{
	struct reader *r = stream;
	if (r->stop || r->oom || !next_line(r))
		return NULL;
	if (num >= 2)
		memcpy(str, "\n", 2);
	else if (num == 1)
		str[0] = '\0';
	const char *line = r->line ? r->line : "";

	if (r->lineno == 1 && r->total >= 2 &&
	    (((unsigned char)line[0] == 0xFF && (unsigned char)line[1] == 0xFE) ||
	     ((unsigned char)line[0] == 0xFE && (unsigned char)line[1] == 0xFF))) {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, 1,
			       "the file is UTF-16 (it starts with a UTF-16 byte order mark); "
			       "save it as UTF-8");
		r->stop = true;
		return str;
	}
	const char *p = line;
	while (is_blank(*p))
		p++;
	bool indented = p > line;
	if (r->bad != BAD_NONE) {
		report_bad_bytes(r);
		if (*p == '[')
			push_bad_section(r);
		return str;
	}
	if (*p == '\0' || *p == ';' || *p == '#')
		return str; /* blank or comment, of any length */
	if (r->total > LINE_KEEP_MAX) {
		rdls_diags_add(r->d, RDLS_SEV_ERROR, r->lineno,
			       "line too long (%zu bytes; a line that is not a comment may have "
			       "at most %u)",
			       r->total, (unsigned)LINE_KEEP_MAX);
		if (*p == '[')
			push_bad_section(r);
		return str;
	}
	if (*p == '[')
		section_line(r, p, str, num);
	else
		key_line(r, p, indented, str, num);
	return str;
}

static int add_key(struct reader *r, const char *name, const char *value)
{
	struct rdls_ini_section *s = &r->ini->v[r->ini->n - 1];
	if (s->n_keys == s->cap_keys) {
		size_t ncap = s->cap_keys ? s->cap_keys * 2 : 4;
		struct rdls_ini_key *k = realloc(s->keys, ncap * sizeof(*k));
		if (!k)
			return -1;
		s->keys = k;
		s->cap_keys = ncap;
	}
	struct rdls_ini_key *k = &s->keys[s->n_keys];
	k->name = xstrndup(name, strlen(name));
	k->value = xstrndup(value, strlen(value));
	k->line = r->lineno;
	if (!k->name || !k->value) {
		free(k->name);
		if (k->value) {
			rdls_secure_zero(k->value, strlen(k->value));
			free(k->value);
		}
		return -1;
	}
	s->n_keys++;
	return 0;
}

/* inih's handler. The section argument is ignored: see the top of the file. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct reader *r = user;
	(void)section;
	if (!name || r->ini->n == 0)
		return 1; /* a new-section call, or a key the reader already reported */
	if (add_key(r, name, value ? value : "") != 0) {
		r->oom = true;
		return 0;
	}
	return 1;
}

int rdls_ini_read(FILE *f, struct rdls_ini *ini, struct rdls_diags *d)
{
	memset(ini, 0, sizeof(*ini));
	struct reader r = { .f = f, .ini = ini, .d = d };
	r.chunk = malloc(READ_CHUNK);
	if (!r.chunk) {
		rdls_diags_add(d, RDLS_SEV_ERROR, 0, "out of memory");
		return -1;
	}
	int rc = ini_parse_stream(reader_fn, &r, handler, &r);
	if (!r.oom && ferror(f))
		rdls_diags_add(d, RDLS_SEV_ERROR, r.lineno, "read error after this line");
	if (rc == -2 || r.oom) {
		rdls_diags_add(d, RDLS_SEV_ERROR, r.lineno, "out of memory");
	} else if (rc > 0) {
		/* The reader hands inih only lines it can parse; if it still found
		 * one it could not, say so rather than drop it. */
		rdls_diags_add(d, RDLS_SEV_ERROR, rc, "inih could not parse this line");
	}
	if (r.line) {
		rdls_secure_zero(r.line, r.cap);
		free(r.line);
	}
	rdls_secure_zero(r.chunk, READ_CHUNK);
	free(r.chunk);
	return (rc == -2 || r.oom) ? -1 : 0;
}

void rdls_ini_release(struct rdls_ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		struct rdls_ini_section *s = &ini->v[i];
		for (size_t k = 0; k < s->n_keys; k++) {
			free(s->keys[k].name);
			rdls_secure_zero(s->keys[k].value, strlen(s->keys[k].value));
			free(s->keys[k].value);
		}
		free(s->keys);
		free(s->header);
	}
	free(ini->v);
	memset(ini, 0, sizeof(*ini));
}
