#include <stdlib.h>
#include <string.h>

#include "rdls/json.h"
#include "rdls/util.h"

/* ------------------------------------------------------------------ JSON */

void rdls_json_init(struct rdls_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Writes the separator a new value needs at this position. */
static void value_prefix(struct rdls_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void open_container(struct rdls_json *j, char c)
{
	value_prefix(j);
	fputc(c, j->f);
	if (j->depth + 1 < RDLS_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_container(struct rdls_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void rdls_json_obj_begin(struct rdls_json *j)
{
	open_container(j, '{');
}

void rdls_json_obj_end(struct rdls_json *j)
{
	close_container(j, '}');
}

void rdls_json_arr_begin(struct rdls_json *j)
{
	open_container(j, '[');
}

void rdls_json_arr_end(struct rdls_json *j)
{
	close_container(j, ']');
}

static void write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		size_t l = rdls_utf8_seq(s + i, n - i);
		if (l == 0) {
			fputs("\\ufffd", f);
			i++;
		} else {
			fwrite(s + i, 1, l, f);
			i += l;
		}
	}
	fputc('"', f);
}

void rdls_json_key(struct rdls_json *j, const char *key)
{
	value_prefix(j);
	write_string(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void rdls_json_str(struct rdls_json *j, const char *s)
{
	if (!s) {
		rdls_json_null(j);
		return;
	}
	value_prefix(j);
	write_string(j->f, s);
}

void rdls_json_int(struct rdls_json *j, long long v)
{
	value_prefix(j);
	fprintf(j->f, "%lld", v);
}

void rdls_json_bool(struct rdls_json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->f);
}

void rdls_json_null(struct rdls_json *j)
{
	value_prefix(j);
	fputs("null", j->f);
}

void rdls_json_kv_str(struct rdls_json *j, const char *key, const char *s)
{
	rdls_json_key(j, key);
	rdls_json_str(j, s);
}

void rdls_json_kv_int(struct rdls_json *j, const char *key, long long v)
{
	rdls_json_key(j, key);
	rdls_json_int(j, v);
}

void rdls_json_kv_bool(struct rdls_json *j, const char *key, bool v)
{
	rdls_json_key(j, key);
	rdls_json_bool(j, v);
}

void rdls_json_finish(struct rdls_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
