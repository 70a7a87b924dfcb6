/*
 * The report module's core: the envelope every --json document shares, the one path of
 * errors and warnings ("error: ..." / "warning: ..." on o->err), the documents of
 * commands that failed before they had a result, the profile's problems, validate's
 * result and the question of apply and rollback. Plans and apply: report_plan.c;
 * rollback: report_rollback.c; diagnose and status: report_diag.c.
 *
 * The output is UTF-8 everywhere (names may be non-ASCII anyway; the Windows console is
 * switched to UTF-8 by platform.c), so the arrow is always "→".
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

/* ------------------------------------------------------ errors and warnings */

static void vmessage(FILE *f, bool color, const char *label, const char *colour,
		     const char *fmt, va_list ap)
{
	if (color)
		fprintf(f, "\033[%sm%s:\033[0m ", colour, label);
	else
		fprintf(f, "%s: ", label);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

static FILE *err_of(const struct rdls_opts *o)
{
	return o && o->err ? o->err : stderr;
}

int rdls_error(const struct rdls_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(err_of(o), o && o->color, "error", "1;31", fmt, ap);
	va_end(ap);
	return -1;
}

void rdls_warning(const struct rdls_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(err_of(o), o && o->color, "warning", "1;33", fmt, ap);
	va_end(ap);
}

void rdls_warning_to(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(f ? f : stderr, false, "warning", "1;33", fmt, ap);
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

void rdls_diags_print(const struct rdls_diags *d, FILE *f)
{
	const char *file = d->file ? d->file : "(profile)";
	size_t shown = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct rdls_diag *g = &d->v[i];
		if (g->line > 0)
			fprintf(f, "%s:%d: ", file, g->line);
		else
			fprintf(f, "%s: ", file);
		if (g->sev == RDLS_SEV_WARNING)
			fputs("warning: ", f);
		else
			shown++;
		fprintf(f, "%s\n", g->msg);
	}
	if (shown < d->n_errors)
		fprintf(f, "%s: out of memory: %zu more errors could not be recorded\n", file,
			d->n_errors - shown);
}

/* ------------------------------------------------------------- the envelope */

void report_json_open(struct rdls_json *j, const struct rdls_opts *o,
		      const struct rdls_report_env *e)
{
	rdls_json_init(j, o->out);
	rdls_json_obj_begin(j);
	rdls_json_kv_int(j, "format_version", RDLS_JSON_FORMAT);
	rdls_json_kv_str(j, "command", e->command ? e->command : o->command);
	rdls_json_kv_str(j, "tool_version", RDLS_VERSION);
	rdls_json_kv_str(j, "host", e->host);
	rdls_json_kv_str(j, "profile", e->profile);
}

static void json_message(struct rdls_json *j, const char *file, int line, const char *msg)
{
	rdls_json_obj_begin(j);
	rdls_json_kv_str(j, "message", msg);
	if (file)
		rdls_json_kv_str(j, "file", file);
	if (file && line > 0)
		rdls_json_kv_int(j, "line", line);
	rdls_json_obj_end(j);
}

static void json_diags(struct rdls_json *j, const struct rdls_diags *d, enum rdls_severity sev)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (d->v[i].sev == sev)
			json_message(j, d->file, d->v[i].line, d->v[i].msg);
}

void report_json_close(struct rdls_json *j, const struct rdls_report_env *e)
{
	rdls_json_key(j, "errors");
	rdls_json_arr_begin(j);
	json_diags(j, e->diags, RDLS_SEV_ERROR);
	if (e->error)
		json_message(j, e->error_file, 0, e->error);
	rdls_json_arr_end(j);
	rdls_json_key(j, "warnings");
	rdls_json_arr_begin(j);
	json_diags(j, e->diags, RDLS_SEV_WARNING);
	for (size_t i = 0; i < e->n_warnings; i++)
		json_message(j, NULL, 0, e->warnings[i]);
	rdls_json_arr_end(j);
	rdls_json_kv_int(j, "exit_code", e->exit_code);
	rdls_json_obj_end(j);
	rdls_json_finish(j);
}

/* ------------------------------------------------------------------ failures */

static void failure_doc(const struct rdls_opts *o, const struct rdls_report_env *e,
			const char *journal)
{
	if (!o->json)
		return;
	struct rdls_json j;
	report_json_open(&j, o, e);
	if (journal)
		rdls_json_kv_str(&j, "journal", journal);
	if (o->plan_file)
		rdls_json_kv_str(&j, "plan_file", o->plan_file);
	report_json_close(&j, e);
}

void rdls_report_failure_diags(const struct rdls_opts *o, const char *host, const char *journal,
			       const struct rdls_diags *diags, const char *error, int exit_code)
{
	const struct rdls_report_env e = { .host = host, .profile = o->profile, .diags = diags,
					   .error = error, .exit_code = exit_code };
	failure_doc(o, &e, journal);
}

void rdls_report_failure_json(const struct rdls_opts *o, const char *host, const char *journal,
			      const char *error, int exit_code)
{
	rdls_report_failure_diags(o, host, journal, NULL, error, exit_code);
}

int rdls_report_fail(const struct rdls_opts *o, const struct rdls_report_env *e,
		     const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (msg)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	struct rdls_report_env f = *e;
	f.error = msg ? msg : "out of memory";
	rdls_error(o, "%s", f.error);
	failure_doc(o, &f, NULL);
	free(msg);
	return e->exit_code;
}

/* ------------------------------------------------------------------ validate */

static size_t count_sev(const struct rdls_diags *d, enum rdls_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; d && i < d->n; i++)
		n += d->v[i].sev == sev;
	return n;
}

void rdls_report_validate(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_model *m, const char *open_error)
{
	if (o->json) {
		struct rdls_buf b;
		rdls_buf_init(&b);
		struct rdls_report_env f = *e;
		if (open_error) {
			rdls_buf_printf(&b, "cannot open the profile: %s", open_error);
			f.error = rdls_buf_str(&b);
			f.error_file = e->profile;
		}
		struct rdls_json j;
		report_json_open(&j, o, &f);
		rdls_json_kv_bool(&j, "valid", m != NULL);
		report_json_close(&j, &f);
		rdls_buf_release(&b);
		return;
	}
	if (open_error) {
		rdls_error(o, "cannot open profile '%s': %s", e->profile, open_error);
		return;
	}
	if (e->diags)
		rdls_diags_print(e->diags, o->err);
	if (!m) {
		/* rdls_error's format is checked as MS printf by mingw: no %zu there. */
		size_t n = e->diags ? e->diags->n_errors : 0, w = count_sev(e->diags, RDLS_SEV_WARNING);
		char counts[96];
		snprintf(counts, sizeof(counts), "%zu error%s, %zu warning%s", n, n == 1 ? "" : "s", w,
			 w == 1 ? "" : "s");
		rdls_error(o, "profile '%s' is not valid: %s", e->profile, counts);
	} else if (!o->quiet) {
		fprintf(o->out,
			"%s: valid (%s, %s, CAL %s; %zu license server%s, %zu session host%s)\n",
			e->profile, rdls_membership_name(m->membership),
			rdls_licmode_name(m->licensing_mode), rdls_cal_name(m->cal), m->n_ls,
			m->n_ls == 1 ? "" : "s", m->n_sh, m->n_sh == 1 ? "" : "s");
	}
}

/* ------------------------------------------------------------- the question */

FILE *rdls_report_preview_stream(const struct rdls_opts *o, bool always)
{
	if (!o->json)
		return o->out;
	return always || !o->yes ? o->err : NULL;
}

int rdls_confirm(const struct rdls_opts *o, const char *question, const char *host)
{
	if (o->yes)
		return 0;
	if (!o->stdin_is_tty || !o->in) {
		rdls_error(o,
			   "refusing to change %s without confirmation: standard input is not a "
			   "terminal; run again with --yes to go ahead",
			   host);
		return RDLS_EXIT_USAGE;
	}
	fprintf(o->err, "%s [y/N] ", question);
	fflush(o->err);
	char line[64];
	if (!fgets(line, sizeof(line), o->in)) {
		fputc('\n', o->err);
		rdls_error(o, "no answer: nothing was changed");
		return RDLS_EXIT_ERROR;
	}
	size_t n = strcspn(line, "\r\n");
	line[n] = '\0';
	char *a = line;
	while (*a == ' ' || *a == '\t')
		a++;
	n = strlen(a);
	while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
		a[--n] = '\0';
	for (char *p = a; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (strcmp(a, "y") == 0 || strcmp(a, "yes") == 0)
		return 0;
	fprintf(o->err, "cancelled: nothing was changed\n");
	return RDLS_EXIT_ERROR;
}
