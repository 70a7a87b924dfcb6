/*
 * A growable NUL-terminated text buffer: what every module that builds text uses
 * (report lines, journal records, messages), a module of its own so that none of
 * them needs the JSON writer for it.
 */
#ifndef RDLS_BUF_H
#define RDLS_BUF_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
