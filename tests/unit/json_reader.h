/*
 * A strict, minimal JSON reader for the unit tests: parses exactly one document
 * (RFC 8259; trailing non-whitespace is an error) into a tree, so that tests can
 * check what --json printed field by field.
 */
#ifndef RDLS_TEST_JSON_READER_H
#define RDLS_TEST_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

enum jr_type { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ };

struct jr {
	enum jr_type type;
	bool b;
	double num;
	char *str;          /* JR_STR: UTF-8, NUL-terminated (no embedded NUL accepted) */
	char **keys;        /* JR_OBJ */
	struct jr **items;  /* JR_ARR, JR_OBJ */
	size_t n;
};

/* NULL on error, with a message naming the offset in err. */
struct jr *jr_parse(const char *text, char *err, size_t err_n);
void jr_free(struct jr *v);
/* Member `key` of an object, or NULL (also when v is not an object). */
const struct jr *jr_get(const struct jr *v, const char *key);
/* Element i of an array, or NULL. */
const struct jr *jr_at(const struct jr *v, size_t i);
/* The string of member key, or NULL if absent or not a string. */
const char *jr_str(const struct jr *v, const char *key);
/* The number of member key, or -1e300 if absent or not a number. */
double jr_num(const struct jr *v, const char *key);
/*
 * NULL when v is the envelope every --json document shares (docs/schema/envelope.schema.json):
 * format_version RDLS_JSON_FORMAT, this command, tool_version RDLS_VERSION, host and profile
 * strings or null, errors and warnings arrays of message objects, this exit_code. Otherwise
 * what is wrong, in buf.
 */
const char *jr_envelope_problem(const struct jr *v, const char *command, int exit_code,
				char *buf, size_t n);

#endif
