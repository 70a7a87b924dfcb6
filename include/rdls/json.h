/*
 * A growable text buffer and a small streaming JSON writer. The report builds
 * its lines with the buffer; --json documents go through the writer, which
 * always produces valid JSON (invalid UTF-8 becomes U+FFFD).
 */
#ifndef RDLS_JSON_H
#define RDLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdls/err.h" /* RDLS_PRINTF */

/* A NUL-terminated growable string. On out-of-memory it stops growing and sets oom. */
struct rdls_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

void rdls_buf_init(struct rdls_buf *b);
void rdls_buf_release(struct rdls_buf *b);
void rdls_buf_reset(struct rdls_buf *b);
void rdls_buf_putn(struct rdls_buf *b, const char *s, size_t n);
void rdls_buf_puts(struct rdls_buf *b, const char *s);
void rdls_buf_putc(struct rdls_buf *b, char c);
/* Uses the C99 printf of the platform (mingw-w64: its ANSI stdio, so %zu works). */
void rdls_buf_printf(struct rdls_buf *b, const char *fmt, ...) RDLS_PRINTF(2, 3);
/* The text so far; "" when empty. Valid until the next change of b. */
const char *rdls_buf_str(const struct rdls_buf *b);
/* Hands the string over to the caller (malloc'd; NULL on out-of-memory) and resets b. */
char *rdls_buf_take(struct rdls_buf *b);
/*
 * Appends s[0..n) between single quotes for display: control characters, a quote
 * and bytes that are not UTF-8 become \xNN or \'; everything else is copied.
 */
void rdls_buf_quote(struct rdls_buf *b, const char *s, size_t n);

#define RDLS_JSON_MAX_DEPTH 16

struct rdls_json {
	FILE *f;
	int depth;
	bool first[RDLS_JSON_MAX_DEPTH];
	bool after_key;
};

void rdls_json_init(struct rdls_json *j, FILE *f);
void rdls_json_obj_begin(struct rdls_json *j);
void rdls_json_obj_end(struct rdls_json *j);
void rdls_json_arr_begin(struct rdls_json *j);
void rdls_json_arr_end(struct rdls_json *j);
void rdls_json_key(struct rdls_json *j, const char *key);
void rdls_json_str(struct rdls_json *j, const char *s); /* NULL writes null */
void rdls_json_int(struct rdls_json *j, long long v);
void rdls_json_bool(struct rdls_json *j, bool v);
void rdls_json_null(struct rdls_json *j);
void rdls_json_kv_str(struct rdls_json *j, const char *key, const char *s);
void rdls_json_kv_int(struct rdls_json *j, const char *key, long long v);
void rdls_json_kv_bool(struct rdls_json *j, const char *key, bool v);
/* Ends the document with a newline. */
void rdls_json_finish(struct rdls_json *j);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not one. */
size_t rdls_utf8_seq(const unsigned char *s, size_t n);

#endif
