/* UTF-8 <-> UTF-16 at the door of the Win32 backend, and nowhere else. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

wchar_t *w32_wide_n(const char *utf8, size_t n, size_t *out_n)
{
	if (!utf8 || n >= INT_MAX)
		return NULL;
	int wn = 0;
	if (n) {
		wn = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, (int)n, NULL, 0);
		if (wn <= 0)
			return NULL;
	}
	wchar_t *w = malloc(((size_t)wn + 1) * sizeof(wchar_t));
	if (!w)
		return NULL;
	if (n && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, (int)n, w, wn) != wn) {
		free(w);
		return NULL;
	}
	w[wn] = 0;
	if (out_n)
		*out_n = (size_t)wn;
	return w;
}

char *w32_utf8_n(const wchar_t *wide, size_t n, size_t *out_n)
{
	if (!wide || n >= INT_MAX / 4)
		return NULL;
	int un = 0;
	if (n) {
		/* Unpaired surrogates (possible in registry data) become U+FFFD rather than
		 * failing: the caller still sees a value, different from any valid one. */
		un = WideCharToMultiByte(CP_UTF8, 0, wide, (int)n, NULL, 0, NULL, NULL);
		if (un <= 0)
			return NULL;
	}
	char *u = malloc((size_t)un + 1);
	if (!u)
		return NULL;
	if (n && WideCharToMultiByte(CP_UTF8, 0, wide, (int)n, u, un, NULL, NULL) != un) {
		free(u);
		return NULL;
	}
	u[un] = '\0';
	if (out_n)
		*out_n = (size_t)un;
	return u;
}

wchar_t *w32_wide(const char *utf8)
{
	return utf8 ? w32_wide_n(utf8, strlen(utf8), NULL) : NULL;
}

char *w32_utf8(const wchar_t *wide)
{
	return wide ? w32_utf8_n(wide, (size_t)lstrlenW(wide), NULL) : NULL;
}

void w32_free_wide_secret(wchar_t *w)
{
	if (!w)
		return;
	SecureZeroMemory(w, (size_t)lstrlenW(w) * sizeof(wchar_t));
	free(w);
}
