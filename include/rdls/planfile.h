/*
 * Saved plans (`plan --out FILE`, `apply --plan FILE`): a plan written down for review
 * and applied later only if nothing changed in between. INI, read back with inih, in the
 * journal's encoding (journal.h: percent-encoded values, hex registry data, long values
 * split over repeated keys):
 *
 *   ; rdlsctl saved plan ...            comments are part of the sealed text
 *   [plan]                              format, tool, host, computer, profile,
 *                                       profile.sha256, secret (where the peer password
 *                                       comes from: env:NAME | file:PATH | prompt),
 *                                       created, steps
 *   [step 1]                            kind, key, name, action, flags, prior, prior.*,
 *                                       after, after.* (as a journal records them)
 *   ...
 *   [seal]
 *   sha256 = <SHA-256 of every byte before the [seal] line, lowercase hex>
 *
 * The seal detects a file altered after it was written; it is not a signature (anyone
 * can compute one), so apply --plan never takes a step from the file: it plans again from
 * the profile (whose SHA-256 must match) and applies only if the new plan is the saved
 * one, step for step. A saved plan holds no secret and nothing derived from one: a
 * credential's state is what a journal records (present, type, user, whether it carries
 * rdlsctl's check), never the check string.
 */
#ifndef RDLS_PLANFILE_H
#define RDLS_PLANFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "rdls/err.h"
#include "rdls/json.h"
#include "rdls/plan.h"
#include "rdls/sys.h"

#define RDLS_PLANFILE_FORMAT 1
#define RDLS_PLANFILE_MAX (1024u * 1024u) /* bytes: a real plan is a few kilobytes */
#define RDLS_PLANFILE_STEPS_MAX 4096
#define RDLS_SHA256_HEX 65 /* 64 digits and a NUL */

/* What the plan itself does not hold. */
struct rdls_planfile_meta {
	const char *computer;      /* host_name when it was made ("" if unknown) */
	const char *secret;        /* "env:NAME", "file:PATH", "prompt", or NULL (none needed) */
	const unsigned char *profile_sha256; /* 32 bytes: the profile's content as planned */
	time_t created;
};

/*
 * Writes p to the new file `path` (an existing one is refused) through
 * rdls_admin_file_create, sealed with sys->ops->sha256, flushed to disk.
 */
int rdls_planfile_write(struct rdls_sys *sys, const char *path, const struct rdls_plan *p,
			const struct rdls_planfile_meta *m, rdls_err *err);

enum rdls_planfile_bad {
	RDLS_PLANFILE_OK = 0,
	RDLS_PLANFILE_MALFORMED, /* not a saved plan as rdlsctl writes one */
	RDLS_PLANFILE_NEWER,     /* a newer format than this rdlsctl reads */
	RDLS_PLANFILE_ALTERED,   /* the seal does not match the content */
};

struct rdls_planfile {
	unsigned long format;
	char *tool, *host, *computer, *profile, *secret, *created; /* secret may be NULL */
	char profile_sha256[RDLS_SHA256_HEX];
	struct rdls_step *steps; /* ops, key, name, action, flags, prior, want */
	size_t n_steps;
};

/*
 * Reads a saved plan from f (named `path` in messages). Never trusts the file: bounded
 * (RDLS_PLANFILE_MAX bytes, RDLS_PLANFILE_STEPS_MAX steps), every key known, every value
 * valid. Returns 0 with *out, or -1 with *err ("PATH:LINE: what is wrong") and *bad saying
 * why (RDLS_PLANFILE_OK when the failure is not the file's: out of memory, read error,
 * sha256 failing).
 */
int rdls_planfile_read(struct rdls_sys *sys, FILE *f, const char *path,
		       struct rdls_planfile **out, enum rdls_planfile_bad *bad, rdls_err *err);
void rdls_planfile_free(struct rdls_planfile *pf);

/*
 * Drift: observes every saved step through sys (read-only) and appends to why one
 * sentence per step whose live state is not the state the plan was made from (at most a
 * few, then how many more; a step that cannot be observed counts too). Returns how many.
 */
size_t rdls_planfile_drift(const struct rdls_planfile *pf, struct rdls_sys *sys,
			   struct rdls_buf *why);

/*
 * The saved plan against p, planned again now: appends to why one sentence per
 * difference (at most a few, then how many more) and returns how many there are; 0 means
 * p is exactly the saved plan. *drift: some step's observed state differs (the host
 * changed since); other differences mean the profile's plan itself differs (the secret,
 * or the rdlsctl version).
 */
size_t rdls_planfile_compare(const struct rdls_planfile *pf, const struct rdls_plan *p,
			     bool *drift, struct rdls_buf *why);

/* SHA-256 of data as lowercase hex through sys->ops->sha256. */
int rdls_sha256_hex(struct rdls_sys *sys, const void *data, size_t len,
		    char hex[RDLS_SHA256_HEX], rdls_err *err);

#endif
