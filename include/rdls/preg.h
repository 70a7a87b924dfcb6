/*
 * The Registry Policy file format ("PReg"): the registry half of a Group Policy
 * object, Machine\Registry.pol. A header (the signature "PReg" and the version 1,
 * each a little-endian DWORD) and then entries
 *     [key;value;type;size;data]
 * where the brackets, semicolons and the key and value names are UTF-16LE (the
 * names NUL-terminated), type and size are little-endian DWORDs and data is `size`
 * raw bytes (REG_SZ: UTF-16LE with its NUL). The reader never trusts the file: a
 * damaged one is reported with the byte offset of the first thing that is wrong.
 * The writer changes only the entries it is asked to: every other entry keeps its
 * place and its exact bytes.
 */
#ifndef RDLS_PREG_H
#define RDLS_PREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/err.h"

#define RDLS_PREG_HEADER 8
#define RDLS_PREG_MAX_FILE (16u * 1024u * 1024u) /* larger files are refused, not read */

struct rdls_preg_entry {
	size_t off, len;   /* the entry's bytes in the file, '[' to ']' inclusive */
	char *key, *value; /* UTF-8 */
	uint32_t type;
	const unsigned char *data; /* borrowed from the parsed buffer */
	size_t size;
};

struct rdls_preg {
	struct rdls_preg_entry *e;
	size_t n;
};

/*
 * Parses buf. Returns 0 with *out filled (it borrows buf: keep buf alive), or -1:
 * *bad_off is the byte offset of the defect and *why a static explanation (when
 * out of memory, *why says so and *bad_off is 0).
 */
int rdls_preg_parse(const unsigned char *buf, size_t len, struct rdls_preg *out, size_t *bad_off,
		    const char **why);
void rdls_preg_release(struct rdls_preg *p);

/* The entry for key\value (compared ignoring ASCII case, as the registry does), or NULL. */
const struct rdls_preg_entry *rdls_preg_find(const struct rdls_preg *p, const char *key,
					      const char *value);

/* One value to set: REG_SZ data is UTF-8 without NUL (encoded to UTF-16LE + NUL),
 * REG_DWORD the number, any other type the raw bytes. */
struct rdls_preg_value {
	const char *key, *value;
	uint32_t type;
	const char *sz;     /* REG_SZ / REG_EXPAND_SZ */
	uint32_t dword;     /* REG_DWORD */
};

/*
 * A new file: `old` (NULL / 0 bytes: none yet, so a fresh header) with each of the n
 * values set. An entry of old for the same key and value, or a "**del.value" entry
 * for it (the policy set to Disabled), is replaced in place by the first such entry;
 * later ones for it are dropped; values old does not hold are appended in order.
 * Every other entry is copied byte for byte. Returns 0 with *out (malloc) and
 * *out_len, or -1 with err (a damaged old file: its byte offset; out of memory).
 * `what` names old in messages.
 */
int rdls_preg_set(const unsigned char *old, size_t old_len, const char *what,
		  const struct rdls_preg_value *vals, size_t n, unsigned char **out,
		  size_t *out_len, rdls_err *err);

/* REG_SZ data of an entry as UTF-8 (malloc, NUL-terminated), or NULL if it is not a
 * NUL-terminated UTF-16LE string. */
char *rdls_preg_sz(const struct rdls_preg_entry *e);

#endif
