/*
 * A small streaming JSON writer: --json documents go through it, and it always
 * produces valid JSON (invalid UTF-8 becomes U+FFFD). The report builds its text
 * lines with rdls_buf (buf.h, included here for the writers that use both).
 */
#ifndef RDLS_JSON_H
#define RDLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdls/buf.h"

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


#endif
