/*
 * libFuzzer harness for the journal reader (rdls_journal_read), which rollback
 * runs on files a crash or a disk may have torn or damaged.
 *
 * Every section of a journal carries a CRC-32, so almost every random mutation
 * would stop at "checksum mismatch". Each input is therefore read twice: as it
 * is, and with every "crc = " line recomputed the way the reader computes it
 * (over the key/value pairs inih delivers), which lets mutations reach the
 * interpretation of steps and marks.
 *
 * Besides "no crash, no leak" it checks the reader's promises (it succeeds on any
 * in-memory input; records have a kind, a name and unique indexes) and describes
 * every record as rollback would print it.
 *
 * With RDLS_FUZZ_WRITE_SEEDS=DIR set it writes seed journals into DIR with the
 * real writer (on the fake system) and exits: tests/fuzz/run.sh uses that, so the
 * seeds always have the current format.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sys.h"
#include "rdls/journal.h"
#include "rdls/plan.h"
#include "rdls/regpaths.h"
#include "rdls/writable.h"
#include "resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_journal: broken promise: %s\n", what);
	abort();
}

/* ------------------------------------------------------------ reading */

static void describe(const struct rdls_step *s)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_object(s, &b);
	rdls_step_state(s, &s->prior, &b);
	rdls_step_state(s, &s->want, &b);
	rdls_step_doing(s, false, &b);
	rdls_step_doing(s, true, &b);
	(void)rdls_step_kind(s);
	rdls_buf_release(&b);
}

static int cmp_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static void read_one(const uint8_t *data, size_t size)
{
	FILE *f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!f)
		return;
	struct rdls_journal *j = NULL;
	rdls_err err;
	rdls_err_clear(&err);
	if (rdls_journal_read(f, "fuzz.ini", &j, &err) != 0 || !j)
		broken("rdls_journal_read failed on an in-memory file");
	fclose(f);

	size_t *idx = j->n_recs ? malloc(j->n_recs * sizeof(*idx)) : NULL;
	for (size_t i = 0; i < j->n_recs; i++) {
		const struct rdls_jrec *r = &j->recs[i];
		if (r->index == 0)
			broken("a record with index 0");
		if (!r->step.ops || !r->step.name)
			broken("a record without kind or name");
		if (r->line <= 0)
			broken("a record without a line");
		describe(&r->step);
		if (idx)
			idx[i] = r->index;
	}
	if (idx) {
		qsort(idx, j->n_recs, sizeof(*idx), cmp_index);
		for (size_t i = 1; i < j->n_recs; i++)
			if (idx[i] == idx[i - 1])
				broken("two records with the same index");
		free(idx);
	}
	for (size_t i = 0; i < j->n_problems; i++)
		if (!j->problems[i])
			broken("a NULL problem");
	if (j->header_ok && !j->host)
		broken("an intact header without host");
	if (j->n_peers && !j->peers)
		broken("peers counted but not held");
	for (size_t i = 0; i < j->n_peers; i++)
		if (!j->peers[i])
			broken("a NULL peer");
	/* rollback's check of what the records may name (writable.h), as rollback runs it */
	if (j->header_ok) {
		int line = -1;
		char why[256];
		if (!rdls_journal_check(j, &line, why, sizeof(why)) && (line <= 0 || !why[0]))
			broken("a refused journal without the record's line or a reason");
	}
	rdls_journal_free(j);
}

/* ------------------------------------------- recomputing the checksums */

struct fixer {
	const uint8_t *p, *end;
	int lineno;
	/* the section being read, exactly as the reader tracks it */
	char name[64];
	bool open, finished;
	unsigned long crc;
	/* (line, crc) of each "crc" key */
	struct {
		int line;
		unsigned long crc;
	} *fix;
	size_t n_fix, cap_fix;
};

/* The reader's line source over memory: one line per '\n', overlong or NUL lines blanked. */
static char *fixer_line(char *str, int num, void *stream)
{
	struct fixer *x = stream;
	int i = 0;
	if (num < 2 || x->p >= x->end)
		return NULL;
	while (i < num - 1 && x->p < x->end) {
		char c = (char)*x->p++;
		str[i++] = c;
		if (c == '\n')
			break;
	}
	str[i] = '\0';
	x->lineno++;
	bool overlong = false;
	if (str[i - 1] != '\n' && i == num - 1) {
		while (x->p < x->end && *x->p++ != '\n')
			;
		overlong = true;
	}
	if (overlong || strlen(str) != (size_t)i) {
		str[0] = ';';
		str[1] = '\0';
	}
	return str;
}

static int fixer_handler(void *user, const char *section, const char *name, const char *value)
{
	struct fixer *x = user;
	(void)value;
	if (!x->open || x->finished || strcmp(section, x->name) != 0) {
		snprintf(x->name, sizeof(x->name), "%s", section);
		x->open = true;
		x->finished = false;
		char canon[80];
		int n = snprintf(canon, sizeof(canon), "[%s]\n", x->name);
		x->crc = rdls_crc32(0, canon, (size_t)n < sizeof(canon) ? (size_t)n : sizeof(canon) - 1);
	}
	if (strcmp(name, "crc") == 0) {
		x->finished = true;
		if (x->n_fix == x->cap_fix) {
			size_t cap = x->cap_fix ? 2 * x->cap_fix : 16;
			void *v = realloc(x->fix, cap * sizeof(*x->fix));
			if (!v)
				return 0;
			x->fix = v;
			x->cap_fix = cap;
		}
		x->fix[x->n_fix].line = x->lineno;
		x->fix[x->n_fix].crc = x->crc;
		x->n_fix++;
		return 1;
	}
	x->crc = rdls_crc32(x->crc, name, strlen(name));
	x->crc = rdls_crc32(x->crc, "=", 1);
	x->crc = rdls_crc32(x->crc, value, strlen(value));
	x->crc = rdls_crc32(x->crc, "\n", 1);
	return 1;
}

/* data with each crc line replaced by the checksum its section has; NULL if none. */
static uint8_t *fix_crcs(const uint8_t *data, size_t size, size_t *out_size)
{
	struct fixer x;
	memset(&x, 0, sizeof(x));
	x.p = data;
	x.end = data + size;
	ini_parse_stream(fixer_line, &x, fixer_handler, &x);
	if (!x.n_fix) {
		free(x.fix);
		return NULL;
	}
	uint8_t *out = malloc(size + x.n_fix * 32);
	if (!out) {
		free(x.fix);
		return NULL;
	}
	size_t o = 0, k = 0;
	int line = 1;
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *next = nl ? nl + 1 : end;
		while (k < x.n_fix && x.fix[k].line < line)
			k++;
		if (k < x.n_fix && x.fix[k].line == line) {
			o += (size_t)sprintf((char *)out + o, "crc = %08lx%s", x.fix[k].crc, nl ? "\n" : "");
		} else {
			memcpy(out + o, p, (size_t)(next - p));
			o += (size_t)(next - p);
		}
		p = next;
		line++;
	}
	free(x.fix);
	*out_size = o;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_one(data, size);
	size_t n;
	uint8_t *fixed = fix_crcs(data, size, &n);
	if (fixed) {
		read_one(fixed, n);
		free(fixed);
	}
	return 0;
}

/* ------------------------------------------------------------- seeds */

#define KEY_TSL RDLS_KEY_LICENSING
#define KEY_POL RDLS_KEY_TS_POLICY

static char *dup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		broken("out of memory writing seeds");
	return d;
}

static void step(struct rdls_step *s, const struct resource_ops *ops, const char *key,
		 const char *name, enum rdls_action act)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->key = key ? dup(key) : NULL;
	s->name = dup(name);
	s->action = act;
	s->prior.present = act != RDLS_ACT_CREATE;
	s->want.present = act != RDLS_ACT_REMOVE;
}

static void sz(struct rdls_state *st, uint32_t type, const void *bytes, size_t len)
{
	st->type = type;
	st->data = malloc(len);
	if (!st->data)
		broken("out of memory writing seeds");
	memcpy(st->data, bytes, len);
	st->len = len;
}

/* The steps of a two-server workgroup license server, plus a session host's values. */
static size_t example_steps(struct rdls_step *v)
{
	size_t n = 0;
	step(&v[n++], &res_user_ops, NULL, "rdls-peer", RDLS_ACT_CREATE);
	step(&v[n++], &res_group_ops, NULL, "RDLS Peers", RDLS_ACT_CREATE);
	step(&v[n++], &res_member_ops, "RDLS Peers", "LICSVR1\\rdls-peer", RDLS_ACT_CREATE);
	step(&v[n], &res_regval_ops, KEY_TSL, "WorkgroupLicenseServerAccountsGroup", RDLS_ACT_CREATE);
	sz(&v[n++].want, 1, "LICSVR1\\RDLS Peers", 19);
	step(&v[n], &res_regval_ops, KEY_TSL, " WorkgroupLicenseServerAccountsGroup", RDLS_ACT_REMOVE);
	sz(&v[n++].prior, 1, "RDLS Peers", 11);
	step(&v[n], &res_cred_ops, NULL, "LICSVR2", RDLS_ACT_CREATE);
	v[n].want.type = 2;
	v[n].want.user = dup("LICSVR2\\rdls-peer");
	v[n++].want.ours = true;
	step(&v[n], &res_cred_ops, NULL, "LICSVR3", RDLS_ACT_CHANGE);
	v[n].prior.type = 2;
	v[n].prior.user = dup("LICSVR3\\someone else; 100% odd=chars");
	v[n].want.type = 2;
	v[n].want.user = dup("LICSVR3\\rdls-peer");
	v[n].want.ours = true;
	v[n++].flags |= RDLS_STEP_IRREVERSIBLE;
	step(&v[n++], &res_lspublish_ops, NULL, "LICSVR1", RDLS_ACT_CREATE);
	step(&v[n], &res_regval_ops, KEY_POL, "LicensingMode", RDLS_ACT_CHANGE);
	sz(&v[n].prior, 4, "\x04\0\0\0", 4);
	sz(&v[n++].want, 4, "\x02\0\0\0", 4);
	step(&v[n], &res_regval_ops, KEY_POL, "LicenseServers", RDLS_ACT_CREATE);
	sz(&v[n++].want, 1, "licsvr1.corp.example,licsvr2.corp.example", 42);
	step(&v[n], &res_regval_ops, "SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers",
	     "SpecifiedLicenseServers", RDLS_ACT_CREATE);
	sz(&v[n++].want, 7, "licsvr1.corp.example\0licsvr2.corp.example\0", 43);
	return n;
}

static void write_journal(struct rdls_sys *sys, const char *dir, const char *file, size_t n_done,
			  bool fail_next, bool undo)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	remove(path);
	struct rdls_step v[16];
	size_t n = example_steps(v);
	static const char *const peers[] = { "LICSVR2", "LICSVR3" };
	struct rdls_jheader h = { .host = "LICSVR1", .profile = "profiles/workgroup-two-servers.ini",
				  .started = 1700000000, .account = "rdls-peer", .group = "RDLS Peers",
				  .peers = peers, .n_peers = 2 };
	struct rdls_jwriter *w;
	rdls_err err;
	if (rdls_journal_create(sys, path, &h, &w, &err) != 0) {
		char buf[2048];
		rdls_err_format(&err, buf, sizeof(buf));
		fprintf(stderr, "fuzz_journal: cannot write seed %s: %s\n", path, buf);
		exit(1);
	}
	size_t steps = n_done + (fail_next ? 1 : 0);
	if (steps > n)
		steps = n;
	for (size_t i = 0; i < steps; i++) {
		if (rdls_journal_step(w, i + 1, &v[i], &err) != 0)
			broken("rdls_journal_step failed writing a seed");
		if (i < n_done)
			rdls_journal_mark(w, RDLS_JMARK_DONE, i + 1, NULL, &err);
		else
			rdls_journal_mark(w, RDLS_JMARK_FAILED, i + 1,
					  "RegOpenKeyExW on HKLM\\" KEY_TSL " returned 5 (access is denied)", &err);
	}
	if (undo)
		for (size_t i = n_done; i-- > 0;)
			rdls_journal_mark(w, RDLS_JMARK_UNDONE, i + 1, i % 2 ? "restored" : "unchanged", &err);
	rdls_journal_close(w);
	for (size_t i = 0; i < n; i++)
		rdls_step_release(&v[i]);
}

/* A copy of src without its last `cut` bytes: a journal torn by a crash. */
static void write_torn(const char *dir, const char *src, const char *dst, size_t cut)
{
	char a[4096], b[4096], buf[65536];
	snprintf(a, sizeof(a), "%s/%s", dir, src);
	snprintf(b, sizeof(b), "%s/%s", dir, dst);
	FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
	if (!in || !out)
		broken("cannot copy a seed");
	size_t n = fread(buf, 1, sizeof(buf), in);
	fwrite(buf, 1, n > cut ? n - cut : 0, out);
	fclose(in);
	fclose(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("RDLS_FUZZ_WRITE_SEEDS");
	if (!dir || !*dir)
		return 0;
	struct fake_sys *f = fake_sys_new("LICSVR1");
	struct rdls_sys sys = fake_sys_iface(f);
	write_journal(&sys, dir, "seed-complete.ini", 12, false, false);
	write_journal(&sys, dir, "seed-failed-undone.ini", 3, true, true);
	write_journal(&sys, dir, "seed-header-only.ini", 0, false, false);
	write_journal(&sys, dir, "seed-one-step.ini", 0, true, false);
	write_torn(dir, "seed-complete.ini", "seed-torn.ini", 23);
	fake_sys_free(f);
	fprintf(stderr, "fuzz_journal: seeds written to %s\n", dir);
	exit(0);
}
