/*
 * What main.c needs from the platform: the system interface, UTF-8 arguments,
 * and (on Windows) the entry of the NETWORK SERVICE helper service.
 * Implemented by src/win32/platform.c and src/posix/platform.c.
 */
#ifndef RDLS_PLATFORM_H
#define RDLS_PLATFORM_H

#include <stdbool.h>

#include "rdls/sys.h"

/* true when this build can observe and change a Windows machine. */
bool rdls_platform_is_windows(void);

/* The system interface of this machine. On POSIX only files, host name and the
 * environment work; everything else fails with "needs Windows". */
int rdls_platform_sys_new(struct rdls_sys *out, rdls_err *err);
void rdls_platform_sys_free(struct rdls_sys *sys);

/* UTF-8 argv. On Windows from GetCommandLineW; on POSIX the arguments as given.
 * *argv_out is freed with rdls_platform_args_free. */
int rdls_platform_args(int argc, char **argv, int *argc_out, char ***argv_out);
void rdls_platform_args_free(int argc, char **argv);

/* If argv says this process is the credential helper service, runs it to the end
 * and returns its exit code; otherwise returns -1 and does nothing. */
int rdls_platform_helper_main(int argc, char **argv);

/* Makes stdout/stderr print UTF-8 correctly (console code page on Windows).
 * Returns what rdls_platform_console_restore needs to put the console back. */
unsigned rdls_platform_console_init(void);
/* The console's output code page as it was before rdls_platform_console_init. */
void rdls_platform_console_restore(unsigned saved);

/* First thing in main: DLLs only from System32 (SetDefaultDllDirectories). 0, or -1
 * with why (n bytes) saying what failed. */
int rdls_platform_harden(char *why, size_t n);
bool rdls_platform_isatty(FILE *f);

#endif
