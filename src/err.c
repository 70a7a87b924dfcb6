#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rdls/err.h"

void rdls_err_clear(rdls_err *e)
{
	memset(e, 0, sizeof(*e));
}

static void copy_trunc(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int rdls_err_set(rdls_err *e, const char *api, const char *object, uint32_t code,
		 const char *fmt, ...)
{
	if (!e)
		return -1;
	copy_trunc(e->api, sizeof(e->api), api);
	copy_trunc(e->object, sizeof(e->object), object);
	e->code = code;
	e->text[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
	}
	return -1;
}

void rdls_err_format(const rdls_err *e, char *buf, size_t n)
{
	if (!n)
		return;
	if (e->api[0]) {
		/* HRESULTs read better in hex, Win32 codes in decimal. */
		if (e->code >= 0x80000000u)
			snprintf(buf, n, "%s on %s returned 0x%08X (%s)", e->api,
				 e->object[0] ? e->object : "?", (unsigned)e->code,
				 e->text[0] ? e->text : "no message");
		else
			snprintf(buf, n, "%s on %s returned %u (%s)", e->api,
				 e->object[0] ? e->object : "?", (unsigned)e->code,
				 e->text[0] ? e->text : "no message");
	} else if (e->object[0]) {
		snprintf(buf, n, "%s: %s", e->object, e->text);
	} else {
		snprintf(buf, n, "%s", e->text);
	}
}

const char *rdls_errmsg_of(const rdls_err *e, rdls_errmsg *m)
{
	rdls_err_format(e, m->s, sizeof(m->s));
	return m->s;
}
