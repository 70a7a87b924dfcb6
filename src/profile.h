/*
 * profile.c: the profile file as inih sees it, before any meaning is given to
 * it: sections in file order, each with its keys, every item tagged with its
 * line. model.c turns this into a struct rdls_model. Private to the loader.
 */
#ifndef RDLS_PROFILE_H
#define RDLS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdls/model.h"

struct rdls_ini_key {
	char *name;   /* as written, whitespace trimmed */
	char *value;  /* as inih delivers it: trimmed, inline comment removed */
	int line;
};

struct rdls_ini_section {
	char *header; /* text between '[' and ']', trimmed; NULL for a header that
		       * was already reported as malformed (its keys are kept but
		       * must be ignored, so that one typo gives one message) */
	int line;
	struct rdls_ini_key *keys;
	size_t n_keys, cap_keys;
};

struct rdls_ini {
	struct rdls_ini_section *v;
	size_t n, cap;
};

/*
 * Reads f through inih. Problems with the text itself (encoding, NUL bytes,
 * control characters, over-long lines, lines that are neither a section, a
 * key = value pair nor a comment) go to d with their line. Returns 0, or -1 when
 * memory ran out (also reported in d). ini must be released either way.
 */
int rdls_ini_read(FILE *f, struct rdls_ini *ini, struct rdls_diags *d);

/* Frees everything; every value is wiped first, since one may be a password
 * written into the profile by mistake. */
void rdls_ini_release(struct rdls_ini *ini);

/* For messages: s, cut at a character boundary after about 60 bytes ("..."
 * appended). Returns buf. */
#define RDLS_QUOTE_MAX 72
const char *rdls_quote(char buf[RDLS_QUOTE_MAX], const char *s);

#endif
