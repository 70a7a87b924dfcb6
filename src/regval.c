/* A registry value: its storage (sys.h) and the one way to read and describe it (regval.h). */
#include <stdlib.h>
#include <string.h>

#include "rdls/buf.h"
#include "rdls/regval.h"

void rdls_regval_release(rdls_regval *v)
{
	if (!v)
		return;
	free(v->data);
	memset(v, 0, sizeof(*v));
}

static int set_bytes(rdls_regval *v, uint32_t type, const void *p, size_t len)
{
	unsigned char *d = malloc(len ? len : 1);
	if (!d)
		return -1;
	if (len)
		memcpy(d, p, len);
	free(v->data);
	v->present = true;
	v->type = type;
	v->data = d;
	v->len = len;
	return 0;
}

int rdls_regval_copy(rdls_regval *dst, const rdls_regval *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->present)
		return 0;
	return set_bytes(dst, src->type, src->data, src->len);
}

bool rdls_regval_equal(const rdls_regval *a, const rdls_regval *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	return a->type == b->type && a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int rdls_regval_set_sz(rdls_regval *v, uint32_t type, const char *s)
{
	return set_bytes(v, type, s, strlen(s) + 1);
}

int rdls_regval_set_dword(rdls_regval *v, uint32_t d)
{
	unsigned char b[4] = { (unsigned char)(d & 0xff), (unsigned char)((d >> 8) & 0xff),
			       (unsigned char)((d >> 16) & 0xff), (unsigned char)((d >> 24) & 0xff) };
	return set_bytes(v, RDLS_REG_DWORD, b, sizeof(b));
}

int rdls_regval_set_multi(rdls_regval *v, const char *const *strs, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(strs[i]) + 1;
	unsigned char *d = malloc(len);
	if (!d)
		return -1;
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(strs[i]) + 1;
		memcpy(d + off, strs[i], l);
		off += l;
	}
	d[off] = '\0';
	free(v->data);
	v->present = true;
	v->type = RDLS_REG_MULTI_SZ;
	v->data = d;
	v->len = len;
	return 0;
}

/* ------------------------------------------------------ reading, describing */

const char *rdls_regval_type_name(uint32_t t, const char *unknown)
{
	switch (t) {
	case RDLS_REG_NONE: return "REG_NONE";
	case RDLS_REG_SZ: return "REG_SZ";
	case RDLS_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case RDLS_REG_BINARY: return "REG_BINARY";
	case RDLS_REG_DWORD: return "REG_DWORD";
	case RDLS_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case RDLS_REG_QWORD: return "REG_QWORD";
	default: return unknown;
	}
}

uint32_t rdls_regval_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool rdls_regval_dword(const rdls_regval *v, uint32_t *out)
{
	if (!v->present || v->type != RDLS_REG_DWORD || v->len != 4)
		return false;
	*out = rdls_regval_le32(v->data);
	return true;
}

bool rdls_regval_is_string(const rdls_regval *v)
{
	return v->present && (v->type == RDLS_REG_SZ || v->type == RDLS_REG_EXPAND_SZ) &&
	       v->len >= 1 && v->data[v->len - 1] == '\0';
}

static void hex(struct rdls_buf *b, const unsigned char *d, size_t n)
{
	if (n == 0)
		rdls_buf_puts(b, "(empty)");
	for (size_t i = 0; i < n; i++)
		rdls_buf_printf(b, "%s%02x", i ? " " : "", d[i]);
}

void rdls_regval_describe(const rdls_regval *v, struct rdls_buf *b)
{
	if (!v->present) {
		rdls_buf_puts(b, "absent");
		return;
	}
	const char *tn = rdls_regval_type_name(v->type, NULL);
	if (tn)
		rdls_buf_printf(b, "%s ", tn);
	else
		rdls_buf_printf(b, "type %u ", (unsigned)v->type);
	const char *d = (const char *)v->data;
	size_t n = v->len;
	uint32_t dw;
	switch (v->type) {
	case RDLS_REG_SZ:
	case RDLS_REG_EXPAND_SZ: {
		const char *nul = n ? memchr(d, '\0', n) : NULL;
		rdls_buf_quote(b, d ? d : "", nul ? (size_t)(nul - d) : n);
		return;
	}
	case RDLS_REG_MULTI_SZ: {
		size_t i = 0, k = 0;
		while (i < n && d[i] != '\0') {
			const char *nul = memchr(d + i, '\0', n - i);
			size_t l = nul ? (size_t)(nul - (d + i)) : n - i;
			rdls_buf_puts(b, k++ ? ", " : "");
			rdls_buf_quote(b, d + i, l);
			i += l + 1;
		}
		if (k == 0)
			rdls_buf_puts(b, "(empty list)");
		return;
	}
	case RDLS_REG_DWORD:
		if (rdls_regval_dword(v, &dw)) {
			rdls_buf_printf(b, "%lu", (unsigned long)dw);
			return;
		}
		break;
	case RDLS_REG_QWORD:
		if (n == 8) {
			unsigned long long q = 0;
			for (int i = 7; i >= 0; i--)
				q = q << 8 | v->data[i];
			rdls_buf_printf(b, "%llu", q);
			return;
		}
		break;
	default:
		break;
	}
	hex(b, v->data, n);
}

void rdls_regval_describe_n(const rdls_regval *v, char *buf, size_t n)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_regval_describe(v, &b);
	const char *s = rdls_buf_str(&b);
	size_t len = strlen(s);
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	rdls_buf_release(&b);
}
