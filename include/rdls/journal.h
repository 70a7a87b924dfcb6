/*
 * The write-ahead journal of one apply: an INI file (read back with inih) holding,
 * for each step, the resource's identity, its prior state and the state apply
 * leaves, written and flushed to disk before the change; then marks as the step
 * completes, fails or is undone. Rollback needs nothing else: not the profile, not
 * the secret. A journal never holds a secret, nor anything derived from one.
 *
 *   ; rdlsctl journal: ...
 *   [journal]                 header: format, tool, host, computer, profile, started,
 *                             account, group, peers (format 2), crc
 *   [step 1]                  kind, key, name, prior, prior.type, prior.data, ...,
 *                             after, after.*, restorable, crc
 *   [done 1]                  the change of step 1 completed
 *   [failed 2]                its change failed (error = ...)
 *   [undone 1]                it was undone (result = restored | unchanged)
 *
 * Every section ends with crc = CRC-32 of its canonical text ("[section]\n" and
 * "key=value\n" for each key before crc, as written). Values are percent-encoded
 * (spaces, ';', '#', '%', control and non-ASCII bytes), registry data is hex, and
 * long values are split over repeated keys, so every line stays far below inih's
 * line limit (INI_MAX_LINE, 200 in Debian's build). A reader therefore accepts
 * exactly the complete, intact sections; a torn tail or a damaged section is
 * reported and skipped.
 */
#ifndef RDLS_JOURNAL_H
#define RDLS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "rdls/err.h"
#include "rdls/plan.h"
#include "rdls/sys.h"

/*
 * 2: the header names the profile's account, group and peers, so that rollback can
 * check every record against them (writable.h). 1: without them; still read.
 */
#define RDLS_JOURNAL_FORMAT 2
#define RDLS_JOURNAL_FORMAT_MIN 1

/* ------------------------------------------------------------------ writing */

struct rdls_jwriter;

struct rdls_jheader {
	const char *host;    /* as the profile spells it */
	const char *computer; /* the computer's own name (host_name), if known: --host may differ */
	const char *profile; /* the profile's path, for the reader's information */
	time_t started;
	/* What the plan's account steps and credentials may name (never a secret): */
	const char *account; /* [peering] account, or NULL (domain) */
	const char *group;   /* [peering] group, or NULL */
	const char *const *peers; /* the license servers apply may store credentials for */
	size_t n_peers;
};

/* Sets h's host, account, group and peers: what plan p may write. h borrows from p. */
void rdls_jheader_for_plan(struct rdls_jheader *h, const struct rdls_plan *p);

/*
 * Creates a new journal and writes its header, flushed to disk. path NULL: a new
 * file in sys->ops->journal_dir() named "<UTC yyyymmddThhmmssZ>-<host>.ini" (with
 * "-2", "-3"... when taken), registered as the newest journal. An existing `path`
 * is refused (it may hold what another apply needs for its rollback).
 */
int rdls_journal_create(struct rdls_sys *sys, const char *path, const struct rdls_jheader *h,
			struct rdls_jwriter **out, rdls_err *err);
/* Opens an existing journal for appending marks (rollback). */
int rdls_journal_append(struct rdls_sys *sys, const char *path, struct rdls_jwriter **out,
			rdls_err *err);
const char *rdls_journal_path(const struct rdls_jwriter *w);
/* Closes the file; NULL is fine. Writes nothing more. */
void rdls_journal_close(struct rdls_jwriter *w);

/* Appends step `index` (1-based): identity, prior and after state; flushed to disk. */
int rdls_journal_step(struct rdls_jwriter *w, size_t index, const struct rdls_step *s,
		      rdls_err *err);

enum rdls_jmark { RDLS_JMARK_DONE, RDLS_JMARK_FAILED, RDLS_JMARK_UNDONE };
/* Appends a mark for step `index`, flushed to disk. detail: FAILED's error text,
 * UNDONE's result ("restored" or "unchanged"); may be NULL. */
int rdls_journal_mark(struct rdls_jwriter *w, enum rdls_jmark mark, size_t index,
		      const char *detail, rdls_err *err);

/* The newest journal registered in sys->ops->journal_dir(). */
int rdls_journal_newest(struct rdls_sys *sys, char *buf, size_t n, rdls_err *err);

/* ------------------------------------------------------------------ reading */

struct rdls_jrec {
	size_t index;
	int line;               /* of its [step N] header */
	struct rdls_step step;  /* ops, key, name; want = the state apply left; prior */
	bool done, failed, undone;
};

struct rdls_journal {
	char *path;
	long format;
	char *tool, *host, *computer, *profile, *started; /* computer may be NULL */
	char *account, *group;  /* format 2: NULL when the header names none */
	char **peers;           /* format 2: the peers the header names */
	size_t n_peers;
	bool header_ok;         /* a complete, intact [journal] section */
	struct rdls_jrec *recs; /* complete, intact step records, in file order */
	size_t n_recs;
	size_t n_damaged;       /* damaged sections other than a torn last one */
	bool torn_tail;         /* the last section is incomplete: written when interrupted */
	char **problems;        /* "line 12: [step 3] is damaged (checksum mismatch); ignored" */
	size_t n_problems;
};

/*
 * Reads a journal from f (named `path` in messages). Accepts exactly the complete,
 * intact sections and reports every other one in (*out)->problems. Returns 0 with
 * *out set (check header_ok), or -1 with *err (out of memory, read error). Never
 * trusts the file: safe on any input.
 */
int rdls_journal_read(FILE *f, const char *path, struct rdls_journal **out, rdls_err *err);
void rdls_journal_free(struct rdls_journal *j);

/* ------------------------------- the encoding, shared with the saved plan (planfile.h) */

/*
 * The journal's "key = value" lines appended to b: rdls_jenc_put with a value already
 * encoded, _put_str percent-encoding raw, _put_state a step's state as prefix,
 * prefix.type, prefix.data, prefix.user, prefix.ours (never a credential's check string).
 * Long values are split over repeated keys.
 */
void rdls_jenc_put(struct rdls_buf *b, const char *key, const char *value);
void rdls_jenc_put_str(struct rdls_buf *b, const char *key, const char *raw);
void rdls_jenc_put_state(struct rdls_buf *b, const char *prefix, const struct rdls_step *st,
			 const struct rdls_state *v);

/* One key of a section as read (repeated keys are chunks of one value, joined in order). */
struct rdls_jkv {
	char *key, *value;
};
/* Percent-decoded copy (malloc); NULL if malformed, holding a NUL, or out of memory. */
char *rdls_jdec_str(const char *encoded);
/* Decimal digits only, at most 10, <= max. */
bool rdls_jdec_ulong(const char *s, unsigned long max, unsigned long *out);
/* The state written by rdls_jenc_put_state: 0, 1 if absent or malformed, -1 out of memory. */
int rdls_jdec_state(const struct rdls_jkv *kv, size_t n, const char *prefix, struct rdls_state *st);

/*
 * Creates `path` as a new file for writing, as a journal is created: an existing file is
 * refused (it may be what someone else needs). The one place that makes an admin-only
 * file of rdlsctl's own besides the journal (saved plans).
 */
FILE *rdls_admin_file_create(struct rdls_sys *sys, const char *path, rdls_err *err);

/* CRC-32 (IEEE 802.3, as zlib computes it); crc = 0 to start. */
unsigned long rdls_crc32(unsigned long crc, const void *data, size_t n);

#endif
