/* include/rdls/platform.h for Windows (mingw-w64, MSVC, and winegcc under Wine). */
#include <stdlib.h>
#include <string.h>

#include "rdls/platform.h"
#include "win32/w32.h"

#include <shellapi.h>

#if defined(__WINE__)
#include <unistd.h>
#else
#include <io.h>
#endif

bool rdls_platform_is_windows(void)
{
	return true;
}

int rdls_platform_sys_new(struct rdls_sys *out, rdls_err *err)
{
	*out = rdls_sys_win32_new();
	if (!out->ctx)
		return w32_fail(err, "calloc", "the system interface", ERROR_NOT_ENOUGH_MEMORY);
	return 0;
}

void rdls_platform_sys_free(struct rdls_sys *sys)
{
	rdls_sys_win32_free(sys);
}

void rdls_platform_args_free(int argc, char **argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* The command line as Windows has it, in UTF-16, converted to UTF-8: the argv a
 * CRT hands to main() is in the ANSI code page and loses characters. */
int rdls_platform_args(int argc, char **argv, int *argc_out, char ***argv_out)
{
	(void)argc;
	(void)argv;
	int n = 0;
	LPWSTR *wargv = CommandLineToArgvW(GetCommandLineW(), &n);
	char **v = NULL;
	int rc = -1;

	*argc_out = 0;
	*argv_out = NULL;
	if (!wargv || n < 0)
		goto out;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		goto out;
	for (int i = 0; i < n; i++) {
		v[i] = w32_utf8(wargv[i]);
		if (!v[i]) {
			rdls_platform_args_free(i, v);
			v = NULL;
			goto out;
		}
	}
	*argc_out = n;
	*argv_out = v;
	rc = 0;
out:
	if (wargv)
		LocalFree(wargv);
	return rc;
}

int rdls_platform_helper_main(int argc, char **argv)
{
	return w32_helper_service_main(argc, argv);
}

void rdls_platform_console_init(void)
{
	/* Output is UTF-8 throughout; tell the console so. Fails harmlessly without one. */
	SetConsoleOutputCP(CP_UTF8);
}

bool rdls_platform_isatty(FILE *f)
{
#if defined(__WINE__)
	return isatty(fileno(f)) != 0;
#else
	/* _isatty is also true for NUL; only a real console counts. */
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
	DWORD mode = 0;
	return h != INVALID_HANDLE_VALUE && GetFileType(h) == FILE_TYPE_CHAR &&
	       GetConsoleMode(h, &mode);
#endif
}
