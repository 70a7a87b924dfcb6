#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "rdls/cli.h"
#include "rdls/exec.h"

static void vmessage(const struct rdls_opts *o, const char *label, const char *colour,
		     const char *fmt, va_list ap)
{
	FILE *f = o && o->err ? o->err : stderr;
	if (o && o->color)
		fprintf(f, "\033[%sm%s:\033[0m ", colour, label);
	else
		fprintf(f, "%s: ", label);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

int rdls_error(const struct rdls_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(o, "error", "1;31", fmt, ap);
	va_end(ap);
	return -1;
}

void rdls_warning(const struct rdls_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(o, "warning", "1;33", fmt, ap);
	va_end(ap);
}

static void warn_to(void *user, const char *msg)
{
	rdls_warning(user, "%s", msg);
}

struct rdls_warner rdls_cli_warner(const struct rdls_opts *o)
{
	/* The opts are only read: rdls_warning takes them const. */
	struct rdls_warner w = { warn_to, (void *)(uintptr_t)o };
	return w;
}

int rdls_exec_exit_code(const struct rdls_exec *x)
{
	switch (x->outcome) {
	case RDLS_OUTCOME_COMPLETE: return RDLS_EXIT_OK;
	case RDLS_OUTCOME_UNDONE: return RDLS_EXIT_ERROR;
	case RDLS_OUTCOME_INCOMPLETE: break;
	}
	return RDLS_EXIT_INCOMPLETE;
}
