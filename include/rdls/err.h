/* One error type for the whole program: which API failed, on what, with which code. */
#ifndef RDLS_ERR_H
#define RDLS_ERR_H

#include <stddef.h>
#include <stdint.h>

/* printf-style checking; mingw-w64 builds use its C99 printf (__USE_MINGW_ANSI_STDIO). */
#if defined(__MINGW32__)
#define RDLS_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define RDLS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define RDLS_PRINTF(fmt, args)
#endif

#define RDLS_ERR_API_MAX 64
#define RDLS_ERR_OBJ_MAX 512
#define RDLS_ERR_TEXT_MAX 512

/*
 * api:    the Win32 API (or other source) that failed, e.g. "NetLocalGroupAdd";
 *         empty for an error detected by rdlsctl itself.
 * object: what the call was applied to, e.g. "group 'RDLS Peers'" or
 *         "HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters".
 * code:   the numeric Win32 error code or HRESULT (0 when api is empty).
 * text:   the system's message for code (FormatMessageW, converted to UTF-8,
 *         trailing newline and period removed) or rdlsctl's own explanation.
 */
typedef struct rdls_err {
	char api[RDLS_ERR_API_MAX];
	char object[RDLS_ERR_OBJ_MAX];
	uint32_t code;
	char text[RDLS_ERR_TEXT_MAX];
} rdls_err;

void rdls_err_clear(rdls_err *e);

/* Records a failed call; text is printf-formatted. Always returns -1. */
int rdls_err_set(rdls_err *e, const char *api, const char *object, uint32_t code,
		 const char *fmt, ...) RDLS_PRINTF(5, 6);

/*
 * "NetLocalGroupAdd on group 'RDLS Peers' returned 2223 (the group already exists)"
 * or, for a core error, "<object>: <text>". Always NUL-terminates buf.
 */
void rdls_err_format(const rdls_err *e, char *buf, size_t n);

/*
 * An error as text, in the one size that holds any of them: rdls_err_format's longest
 * form ("API on OBJECT returned 0xXXXXXXXX (TEXT)") with every field full, and the NUL.
 * Code that shows an rdls_err declares one of these and never sizes a buffer by hand:
 *     rdls_errmsg m;
 *     return fail(o, "cannot read profile '%s': %s", path, rdls_errmsg_of(&e, &m));
 */
#define RDLS_ERRMSG_MAX (RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 32)
typedef struct rdls_errmsg {
	char s[RDLS_ERRMSG_MAX];
} rdls_errmsg;

/* e as text in m; returns m->s. */
const char *rdls_errmsg_of(const rdls_err *e, rdls_errmsg *m);

#endif
