/*
 * What main.c hands to a command: parsed options, the system interface and the
 * output streams. Commands are called with a fake system and memory streams in
 * the unit tests, with the Win32 backend and stdout/stderr in the program.
 */
#ifndef RDLS_CLI_H
#define RDLS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rdls/sys.h"
#include "rdls/trust.h"

/* Exit codes of docs/contract.md. */
enum {
	RDLS_EXIT_OK = 0,
	RDLS_EXIT_ERROR = 1,      /* error; nothing left half-done */
	RDLS_EXIT_PENDING = 2,    /* plan/--dry-run/status/diagnose: changes or findings pending */
	RDLS_EXIT_USAGE = 3,      /* usage error, or apply/rollback refused without --yes and no terminal */
	RDLS_EXIT_INCOMPLETE = 4, /* a rollback could not restore everything */
};

struct rdls_exec;
/* The exit code of an apply or rollback that ran: 0 complete; apply 1 when failed and
 * fully undone; 4 when something is left. */
int rdls_exec_exit_code(const struct rdls_exec *x);

struct rdls_opts {
	const char *command;
	const char *profile;  /* positional PROFILE, or NULL */
	const char *journal;  /* rollback's positional JOURNAL, or apply's --journal FILE */
	const char *host;     /* --host NAME, or NULL: the computer's NetBIOS name */
	const char *topic;    /* help COMMAND */
	bool json, quiet, verbose, color;
	bool dry_run, yes, rotate;
	bool stdin_is_tty;    /* decides whether apply/rollback may ask */
	FILE *in;             /* for the confirmation question */
	FILE *out;            /* results (report*.c) */
	FILE *err;            /* errors, warnings, progress */
	const char *plan_out;  /* plan --out FILE: save the plan there */
	const char *plan_file; /* apply --plan FILE: apply exactly that saved plan */
	const char *check;    /* diagnose --check ID, or NULL: every check */
	bool warn_available_set; /* diagnose --warn-available N (cal-packs' threshold) */
	uint32_t warn_available;
	unsigned days;        /* diagnose --days N (1..365), or 0: the default window */
};

typedef int (*rdls_cmd_fn)(const struct rdls_opts *o, struct rdls_sys *sys);

int cmd_validate(const struct rdls_opts *o, struct rdls_sys *sys);
int cmd_plan(const struct rdls_opts *o, struct rdls_sys *sys);
int cmd_apply(const struct rdls_opts *o, struct rdls_sys *sys);
int cmd_rollback(const struct rdls_opts *o, struct rdls_sys *sys);
int cmd_status(const struct rdls_opts *o, struct rdls_sys *sys);
int cmd_diagnose(const struct rdls_opts *o, struct rdls_sys *sys);

/*
 * The one path of errors and warnings (report.c): "error: ..." / "warning: ..." on o->err
 * (stderr when o is NULL), the label coloured when o->color. rdls_error returns -1.
 */
int rdls_error(const struct rdls_opts *o, const char *fmt, ...) RDLS_PRINTF(2, 3);
void rdls_warning(const struct rdls_opts *o, const char *fmt, ...) RDLS_PRINTF(2, 3);
/* The same warning on f, for a module that is handed only a stream (never coloured). */
void rdls_warning_to(FILE *f, const char *fmt, ...) RDLS_PRINTF(2, 3);
/* A warner (trust.h) that prints through rdls_warning(o, ...). */
struct rdls_warner rdls_cli_warner(const struct rdls_opts *o);

#endif
