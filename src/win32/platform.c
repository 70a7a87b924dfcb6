/* include/rdls/platform.h for Windows (mingw-w64, MSVC, and winegcc under Wine). */
#include <stdio.h>
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

unsigned rdls_platform_console_init(void)
{
	/* Output is UTF-8 throughout; tell the console so. Without a console GetConsoleOutputCP
	 * gives 0 and SetConsoleOutputCP fails harmlessly; there is nothing to restore then. */
	UINT old = GetConsoleOutputCP();
	if (old == 0 || old == CP_UTF8 || !SetConsoleOutputCP(CP_UTF8))
		return 0;
	return old;
}

void rdls_platform_console_restore(unsigned saved)
{
	/* The console outlives this process (cmd.exe's window): leave it as it was found. */
	if (saved)
		SetConsoleOutputCP(saved);
}

int rdls_platform_harden(char *why, size_t n)
{
	/* Every later LoadLibrary (also inside Windows' own DLLs, e.g. COM's) searches
	 * System32 only, never this program's folder or the current directory. Statically
	 * imported DLLs are resolved before main: see README, Security. */
	if (!SetDefaultDllDirectories(LOAD_LIBRARY_SEARCH_SYSTEM32)) {
		snprintf(why, n, "SetDefaultDllDirectories returned %lu", (unsigned long)GetLastError());
		return -1;
	}
	if (n)
		why[0] = '\0';
	return 0;
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
