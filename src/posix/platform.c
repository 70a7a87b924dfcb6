/* include/rdls/platform.h for the native (Linux) build: no Windows to configure. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdls/platform.h"

/* sys_posix.c */
int rdls_sys_posix_new(struct rdls_sys *out, rdls_err *err);
void rdls_sys_posix_free(struct rdls_sys *sys);

bool rdls_platform_is_windows(void)
{
	return false;
}

int rdls_platform_sys_new(struct rdls_sys *out, rdls_err *err)
{
	return rdls_sys_posix_new(out, err);
}

void rdls_platform_sys_free(struct rdls_sys *sys)
{
	rdls_sys_posix_free(sys);
}

int rdls_platform_args(int argc, char **argv, int *argc_out, char ***argv_out)
{
	char **v = calloc((size_t)argc + 1, sizeof(*v));
	if (!v)
		return -1;
	for (int i = 0; i < argc; i++) {
		v[i] = strdup(argv[i]);
		if (!v[i]) {
			rdls_platform_args_free(i, v);
			return -1;
		}
	}
	*argc_out = argc;
	*argv_out = v;
	return 0;
}

void rdls_platform_args_free(int argc, char **argv)
{
	if (!argv)
		return;
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int rdls_platform_helper_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return -1;
}

unsigned rdls_platform_console_init(void)
{
	return 0;
}

void rdls_platform_console_restore(unsigned saved)
{
	(void)saved;
}

int rdls_platform_harden(char *why, size_t n)
{
	if (n)
		why[0] = '\0';
	return 0;
}

bool rdls_platform_isatty(FILE *f)
{
	return isatty(fileno(f)) != 0;
}
