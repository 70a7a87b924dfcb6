/* Messages about a profile, collected so that every problem of a file is reported. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/model.h"

void rdls_diags_init(struct rdls_diags *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
}

void rdls_diags_release(struct rdls_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = 0;
	d->n_errors = 0;
}

/*
 * Out of memory here cannot be reported as a diag; an error is still counted,
 * so that a profile is never taken as valid because its errors were lost.
 */
void rdls_diags_add(struct rdls_diags *d, enum rdls_severity sev, int line, const char *fmt, ...)
{
	if (sev == RDLS_SEV_ERROR)
		d->n_errors++;
	/* Capacity is a power of two, so growth is amortised O(1). */
	if ((d->n & (d->n - 1)) == 0 && d->n >= 8) {
		struct rdls_diag *v = realloc(d->v, 2 * d->n * sizeof(*v));
		if (!v)
			return;
		d->v = v;
	} else if (d->n == 0) {
		d->v = malloc(8 * sizeof(*d->v));
		if (!d->v)
			return;
	}
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	char *msg = malloc((size_t)len + 1);
	if (!msg)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)len + 1, fmt, ap);
	va_end(ap);
	d->v[d->n].sev = sev;
	d->v[d->n].line = line < 0 ? 0 : line;
	d->v[d->n].msg = msg;
	d->n++;
}

/* Merge sort: stable, O(n log n), no recursion depth issue for any n. */
void rdls_diags_sort(struct rdls_diags *d)
{
	if (d->n < 2)
		return;
	struct rdls_diag *tmp = malloc(d->n * sizeof(*tmp));
	if (!tmp) {
		/* Insertion sort as a fallback: still stable, only slower. */
		for (size_t i = 1; i < d->n; i++) {
			struct rdls_diag x = d->v[i];
			size_t j = i;
			while (j > 0 && d->v[j - 1].line > x.line) {
				d->v[j] = d->v[j - 1];
				j--;
			}
			d->v[j] = x;
		}
		return;
	}
	struct rdls_diag *src = d->v, *dst = tmp;
	for (size_t width = 1; width < d->n; width *= 2) {
		for (size_t lo = 0; lo < d->n; lo += 2 * width) {
			size_t mid = lo + width < d->n ? lo + width : d->n;
			size_t hi = lo + 2 * width < d->n ? lo + 2 * width : d->n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j].line < src[i].line ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct rdls_diag *t = src;
		src = dst;
		dst = t;
	}
	if (src != d->v)
		memcpy(d->v, src, d->n * sizeof(*tmp));
	free(tmp);
}
