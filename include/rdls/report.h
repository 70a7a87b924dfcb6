/*
 * The one printer: everything rdlsctl prints as a result, and its errors and warnings.
 * A command builds its result and the envelope around it (struct rdls_report_env) and
 * hands both to the report function of the command, which renders them as text (o->out,
 * the profile's problems and errors on o->err) or, with --json, as exactly one JSON
 * document on o->out. Plans read as a reviewed diff (one line per step, + create,
 * ~ change, - remove, before -> after, a summary line). Nothing printed here can hold a
 * secret: steps and states never do. The files: report.c (the envelope, errors and
 * warnings, failures, validate, the question), report_plan.c (plan, apply),
 * report_rollback.c, report_diag.c (diagnose, status).
 */
#ifndef RDLS_REPORT_H
#define RDLS_REPORT_H

#include <stdio.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/model.h"
#include "rdls/plan.h"

/*
 * The --json format. Every document is one envelope (docs/schema/envelope.schema.json):
 *   {"format_version", "command", "tool_version", "host", "profile",
 *    <the command's own fields>, "errors", "warnings", "exit_code"}
 * for every command. A change of any field is a change of this number, written down in
 * the README.
 */
#define RDLS_JSON_FORMAT 3

/* The envelope of a result: what every document says besides the command's own fields. */
struct rdls_report_env {
	const char *command;            /* NULL: o->command */
	const char *host;               /* NULL: null */
	const char *profile;            /* NULL: null */
	const struct rdls_diags *diags; /* profile errors and warnings, with file and line; or NULL */
	const char *error;              /* the command's own error, or NULL */
	const char *error_file;         /* the file error is about ("file" of its message), or NULL */
	char *const *warnings;          /* more warnings (the plan's, the journal's problems) */
	size_t n_warnings;
	int exit_code;
};

/*
 * A command that failed before it had a result: "error: <fmt>" on o->err and, with
 * --json, the document of e with that error (and e's diags before it). Returns
 * e->exit_code, so that `return rdls_report_fail(o, &env, ...)` reads naturally.
 */
int rdls_report_fail(const struct rdls_opts *o, const struct rdls_report_env *e,
		     const char *fmt, ...) RDLS_PRINTF(3, 4);

/*
 * validate: the profile's problems ("FILE:LINE: message" on o->err) and a one-line
 * summary on o->out, or the document with "valid". m: the model, NULL when the profile
 * is not valid; open_error: why the profile could not be opened, or NULL.
 */
void rdls_report_validate(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_model *m, const char *open_error);

/* diagnose: findings first (evidence, cause, remedy), then not run, then passed; or JSON. */
void rdls_report_diagnose(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_diagnosis *d);

/* How status reads one of diagnose's results. */
enum rdls_check_result { RDLS_CHECK_OK = 0, RDLS_CHECK_FAILED, RDLS_CHECK_ERROR };
enum rdls_check_result rdls_report_check_result(const struct rdls_dresult *r);
/* status: one row per check that concerns the host (ok, FAILED with remedy, ERROR); or JSON. */
void rdls_report_status(const struct rdls_opts *o, const struct rdls_report_env *e,
			const struct rdls_diagnosis *d);

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
/* After the run; pending: what was to restore before it (0 and nothing left: "Nothing to
 * roll back"). */
void rdls_report_rollback(const struct rdls_opts *o, const struct rdls_journal *j,
			  const struct rdls_exec *x, size_t pending);

/*
 * Where apply and rollback show what they are about to change, before the question:
 * o->out, or o->err with --json (o->out is the document). NULL with --json --yes (nothing
 * is asked; the document says it all) unless `always` (the plan apply refuses to start).
 */
FILE *rdls_report_preview_stream(const struct rdls_opts *o, bool always);

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
