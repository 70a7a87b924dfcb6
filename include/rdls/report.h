/*
 * Everything rdlsctl prints as a result: plans as a reviewed diff (one line per
 * step, + create, ~ change, - remove, before -> after, a summary line) and the
 * outcome of apply and rollback; or, with --json, exactly one JSON document on
 * o->out. Errors and warnings go through cli.c on o->err. Nothing printed here
 * can hold a secret: steps and states never do.
 */
#ifndef RDLS_REPORT_H
#define RDLS_REPORT_H

#include <stdio.h>

#include "rdls/cli.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/plan.h"

/*
 * The --json format. Every document is one envelope (docs/schema/envelope.schema.json):
 *   {"format_version", "command", "tool_version", "host", "profile",
 *    <the command's own fields>, "errors", "warnings", "exit_code"}
 * opened by rdls_report_json_begin and closed by rdls_report_json_end, for every command.
 * A change of any field is a change of this number, written down in the README.
 */
#define RDLS_JSON_FORMAT 3

/* Opens the document on f: format_version, command, tool_version, host, profile (NULL: null). */
void rdls_report_json_begin(struct rdls_json *j, FILE *f, const char *command, const char *host,
			    const char *profile);

/* What closes a document: its errors, its warnings and the exit code. */
struct rdls_report_end {
	const struct rdls_diags *diags; /* profile errors and warnings, with file and line; or NULL */
	const char *error;              /* the command's own error, or NULL */
	char *const *warnings;          /* more warnings (the plan's, the journal's problems) */
	size_t n_warnings;
	int exit_code;
};

/*
 * Writes "errors" and "warnings" (arrays of {"message"[,"file"[,"line"]]}) and
 * "exit_code", and ends the document.
 */
void rdls_report_json_end(struct rdls_json *j, const struct rdls_report_end *e);

/* The plan as text on f (o->out normally; o->err when --json asks first). */
void rdls_report_plan_text(const struct rdls_opts *o, FILE *f, const struct rdls_plan *p);
/* The plan's warnings, through rdls_warning. */
void rdls_report_warnings(const struct rdls_opts *o, const struct rdls_plan *p);
/* plan / apply --dry-run: the plan as text, or as the JSON document. */
void rdls_report_plan(const struct rdls_opts *o, const struct rdls_plan *p);

/* apply's outcome: text summary, or the JSON document (plan, results, journal). */
void rdls_report_apply(const struct rdls_opts *o, const struct rdls_plan *p,
		       const struct rdls_exec *x, const char *journal);

/* rollback: what it will do (text), and its outcome (text or JSON). */
void rdls_report_rollback_text(const struct rdls_opts *o, FILE *f, const struct rdls_journal *j,
			       const struct rdls_exec *x);
void rdls_report_rollback(const struct rdls_opts *o, const struct rdls_journal *j,
			  const struct rdls_exec *x, bool executed);

/*
 * The question of apply and rollback. o->yes: 0 at once. On a terminal: asks
 * "<question> [y/N] " on o->err and reads o->in: 0 for y/yes, RDLS_EXIT_ERROR
 * otherwise. Without a terminal: refuses with RDLS_EXIT_USAGE, saying to use --yes.
 */
int rdls_confirm(const struct rdls_opts *o, const char *question, const char *host);

/*
 * With --json, the document of a command that failed before it had a result: the
 * envelope for o->command and o->profile, [journal], errors: [error], exit_code.
 * Does nothing without --json.
 */
void rdls_report_failure_json(const struct rdls_opts *o, const char *host, const char *journal,
			      const char *error, int exit_code);
/* The same, with the profile's errors and warnings (file and line) before error. */
void rdls_report_failure_diags(const struct rdls_opts *o, const char *host, const char *journal,
			       const struct rdls_diags *diags, const char *error, int exit_code);

#endif
