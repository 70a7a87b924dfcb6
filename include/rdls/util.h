/*
 * What several modules need of strings, written once: a duplicate, the
 * case-insensitive name compare Windows uses for names, whitespace, the split
 * of a list ("a, b" or a REG_MULTI_SZ) and UTF-8 sequence lengths.
 */
#ifndef RDLS_UTIL_H
#define RDLS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* A malloc'd copy of s; NULL when s is NULL or memory runs out. */
char *rdls_strdup(const char *s);

/* Names compare as Windows compares them: ASCII case folded, everything else exact. */
bool rdls_name_eq(const char *a, const char *b);

/* C's isspace in the "C" locale (space, \t, \n, \v, \f, \r), without a locale. */
bool rdls_is_space(char c);
/* Narrows [*s, *s + *n) so that it neither starts nor ends with whitespace. */
void rdls_trim(const char **s, size_t *n);

/*
 * The items of [s, s + len) between the separator sep, untrimmed. With a
 * separator such as ',' every item is yielded, empty ones included ("" is one
 * empty item, "a," two items). With sep '\0' (a REG_MULTI_SZ) a NUL ends an item,
 * so nothing follows the last NUL; callers stop at the empty string themselves.
 */
struct rdls_split {
	const char *p, *end;
	char sep;
	bool done;
};
void rdls_split_init(struct rdls_split *it, const char *s, size_t len, char sep);
bool rdls_split_next(struct rdls_split *it, const char **item, size_t *n);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not one. */
size_t rdls_utf8_seq(const unsigned char *s, size_t n);

#endif
