/*
 * evtprobe FILE ID...: what Event Viewer would do with the event source's message file:
 * loads FILE as a data file (LoadLibraryExW, LOAD_LIBRARY_AS_DATAFILE |
 * LOAD_LIBRARY_AS_IMAGE_RESOURCE) and formats each message ID from its message table
 * (FormatMessageW, FORMAT_MESSAGE_FROM_HMODULE, insertion strings "<1>", "<2>", ...).
 * Prints "ID: text" (UTF-8, line breaks as " / ") per id; exit 1 if the file does not
 * load or any id has no message.
 *
 * Under Wine the message file is the winegcc program, an ELF "rdlsctl-*.exe.so", which
 * Wine cannot map as a data file (ERROR_BAD_EXE_FORMAT, 193). Only then the probe loads
 * it as a module without running it (DONT_RESOLVE_DLL_REFERENCES) and says so: a PE
 * message file (the mingw-w64 build) loads as a data file, as on Windows.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

static void put(const WCHAR *w)
{
	char buf[4096];
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof(buf), NULL, NULL);
	if (n <= 0) {
		printf("?");
		return;
	}
	for (char *p = buf; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			fputs(" / ", stdout);
		else
			putchar(*p);
	}
}

int main(int argc, char **argv)
{
	WCHAR path[MAX_PATH];
	if (argc < 3 || !MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, path, MAX_PATH)) {
		fprintf(stderr, "usage: evtprobe FILE ID...\n");
		return 2;
	}
	HMODULE m = LoadLibraryExW(path, NULL,
				   LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
	if (!m) {
		DWORD e = GetLastError();
		if (e != ERROR_BAD_EXE_FORMAT) {
			fprintf(stderr, "LoadLibraryExW(%s) as a data file returned %lu\n", argv[1],
				(unsigned long)e);
			return 1;
		}
		m = LoadLibraryExW(path, NULL, DONT_RESOLVE_DLL_REFERENCES);
		if (!m) {
			fprintf(stderr, "LoadLibraryExW(%s) returned %lu, and %lu as a data file\n",
				argv[1], (unsigned long)GetLastError(), (unsigned long)e);
			return 1;
		}
		printf("# loaded as a module: not a PE data file (%lu), as Wine's winegcc programs\n",
		       (unsigned long)e);
	}
	static const WCHAR *const args[] = { L"<1>", L"<2>", L"<3>", L"<4>", L"<5>",
					     L"<6>", L"<7>", L"<8>", L"<9>" };
	int rc = 0;
	for (int i = 2; i < argc; i++) {
		DWORD id = (DWORD)strtoul(argv[i], NULL, 10);
		WCHAR text[2048];
		SetLastError(0xdeadbeef);
		DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, m,
					 id, MAKELANGID(LANG_NEUTRAL, SUBLANG_NEUTRAL), text,
					 sizeof(text) / sizeof(text[0]), (void *)args);
		if (!n) {
			printf("%lu: FormatMessageW returned %lu\n", (unsigned long)id,
			       (unsigned long)GetLastError());
			rc = 1;
			continue;
		}
		printf("%lu: ", (unsigned long)id);
		put(text);
		printf("\n");
	}
	FreeLibrary(m);
	return rc;
}
