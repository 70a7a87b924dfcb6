#include <stdlib.h>
#include <string.h>

#include "rdls/sys.h"

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
