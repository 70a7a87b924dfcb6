/*
 * What more than one probe of tests/wine/probes/ needs. Probes are test programs: on
 * out of memory they exit 2, which the Wine tests report as the probe's failure.
 */
#ifndef RDLS_PROBE_H
#define RDLS_PROBE_H

#include <stdlib.h>
#include <windows.h>

/* s (UTF-8) as a new UTF-16 string; an empty one when s does not convert. */
static inline WCHAR *w16(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	WCHAR *w = malloc((size_t)(n > 0 ? n : 1) * sizeof(WCHAR));
	if (!w)
		exit(2);
	if (n <= 0 || !MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n))
		w[0] = 0;
	return w;
}

#endif
