/*
 * The only place that prints results. Text reads like a reviewed diff:
 *
 *   + user 'rdls-peer'  (absent → present)
 *   ~ registry HKLM\...\WorkgroupLicenseServerAccountsGroup  (REG_SZ 'X' → REG_SZ 'LICSVR1\RDLS Peers')
 *   - registry HKLM\...\ WorkgroupLicenseServerAccountsGroup (leading space)  (REG_SZ '...' → absent)
 *   Plan: 3 to create, 1 to change, 1 to remove.
 *
 * The output is UTF-8 everywhere (names may be non-ASCII anyway; the Windows
 * console is switched to UTF-8 by platform.c), so the arrow is always "→".
 */
#include <string.h>

#include "rdls/json.h"
#include "rdls/report.h"

#define ARROW "\xe2\x86\x92" /* U+2192 */

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

static const char *colour_of(char sign)
{
	switch (sign) {
	case '+': return "32";
	case '~': return "33";
	case '-': return "31";
	case '!': return "35";
	default: return NULL;
	}
}

static char sign_of(enum rdls_action a)
{
	return a == RDLS_ACT_CREATE ? '+' : a == RDLS_ACT_CHANGE ? '~' : a == RDLS_ACT_REMOVE ? '-' : ' ';
}

/* The action that undoes `a`: a created thing is removed, a removed one comes back. */
static enum rdls_action inverse(enum rdls_action a)
{
	return a == RDLS_ACT_CREATE ? RDLS_ACT_REMOVE : a == RDLS_ACT_REMOVE ? RDLS_ACT_CREATE : a;
}

/* The action a step had, reconstructed from its states (journal records have none). */
static enum rdls_action action_of(const struct rdls_step *s)
{
	if (s->action != RDLS_ACT_NONE)
		return s->action;
	if (!s->prior.present && s->want.present)
		return RDLS_ACT_CREATE;
	if (s->prior.present && !s->want.present)
		return RDLS_ACT_REMOVE;
	return RDLS_ACT_CHANGE;
}

/* "<sign> <object>  (<from> → <to>)" */
static void step_line(const struct rdls_opts *o, FILE *f, char sign, const struct rdls_step *s,
		      const struct rdls_state *from, const struct rdls_state *to, const char *tail)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	const char *col = o->color ? colour_of(sign) : NULL;
	if (col)
		rdls_buf_printf(&b, "\033[%sm", col);
	rdls_buf_printf(&b, "%c ", sign);
	rdls_step_object(s, &b);
	rdls_buf_puts(&b, "  (");
	rdls_step_state(s, from, &b);
	if (to) {
		rdls_buf_puts(&b, " " ARROW " ");
		rdls_step_state(s, to, &b);
	}
	rdls_buf_putc(&b, ')');
	if (col)
		rdls_buf_puts(&b, "\033[0m");
	if (tail)
		rdls_buf_printf(&b, "  %s", tail);
	fprintf(f, "%s\n", rdls_buf_str(&b));
	rdls_buf_release(&b);
}

static const char *role_text(const struct rdls_plan *p)
{
	if (p->license_server && p->session_host)
		return p->membership == RDLS_WORKGROUP ? "workgroup license server and session host"
						       : "domain license server and session host";
	if (p->license_server)
		return p->membership == RDLS_WORKGROUP ? "workgroup license server"
						       : "domain license server";
	return p->membership == RDLS_WORKGROUP ? "workgroup session host" : "domain session host";
}

static void plan_summary(FILE *f, const struct rdls_plan *p)
{
	if (p->n_impossible > 0)
		fprintf(f, "%zu step%s cannot be done on %s (marked x); apply refuses this plan.\n",
			p->n_impossible, p->n_impossible == 1 ? "" : "s", p->host);
	if (rdls_plan_changes(p) > 0)
		fprintf(f, "Plan: %zu to create, %zu to change, %zu to remove.\n", p->n_create,
			p->n_change, p->n_remove);
	else if (p->n_conflict > 0)
		fprintf(f, "No changes planned for %s; %zu credential%s left alone (see the warning%s).\n",
			p->host, p->n_conflict, p->n_conflict == 1 ? " is" : "s are",
			p->n_conflict == 1 ? "" : "s");
	else
		fprintf(f, "No changes: %s is converged.\n", p->host);
}

void rdls_report_plan_text(const struct rdls_opts *o, FILE *f, const struct rdls_plan *p)
{
	if (!o->quiet) {
		fprintf(f, "Plan for %s (%s), profile %s:\n", p->host, role_text(p), p->profile);
		for (size_t i = 0; i < p->n_steps; i++) {
			const struct rdls_step *s = &p->steps[i];
			if (s->flags & RDLS_STEP_IMPOSSIBLE) {
				step_line(o, f, 'x', s, &s->prior, &s->want, "impossible");
			} else if (s->flags & RDLS_STEP_CONFLICT) {
				step_line(o, f, '!', s, &s->prior, NULL, "left alone");
			} else if (s->action != RDLS_ACT_NONE) {
				step_line(o, f, sign_of(s->action), s, &s->prior, &s->want, NULL);
			} else if (o->verbose) {
				step_line(o, f, ' ', s, &s->prior, NULL, "unchanged");
				continue;
			} else {
				continue;
			}
			if (s->note)
				fprintf(f, "    note: %s\n", s->note);
		}
	}
	plan_summary(f, p);
}

void rdls_report_warnings(const struct rdls_opts *o, const struct rdls_plan *p)
{
	for (size_t i = 0; i < p->n_warnings; i++)
		rdls_warning(o, "%s", p->warnings[i]);
}

void rdls_report_json_begin(struct rdls_json *j, FILE *f, const char *command, const char *host,
			    const char *profile)
{
	rdls_json_init(j, f);
	rdls_json_obj_begin(j);
	rdls_json_kv_int(j, "format_version", RDLS_JSON_FORMAT);
	rdls_json_kv_str(j, "command", command);
	rdls_json_kv_str(j, "tool_version", RDLS_VERSION);
	rdls_json_kv_str(j, "host", host);
	rdls_json_kv_str(j, "profile", profile);
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

void rdls_report_json_end(struct rdls_json *j, const struct rdls_report_end *e)
{
	rdls_json_key(j, "errors");
	rdls_json_arr_begin(j);
	json_diags(j, e->diags, RDLS_SEV_ERROR);
	if (e->error)
		json_message(j, NULL, 0, e->error);
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

static void json_state(struct rdls_json *j, const char *key, const struct rdls_step *s,
		       const struct rdls_state *st)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_state(s, st, &b);
	rdls_json_kv_str(j, key, rdls_buf_str(&b));
	rdls_buf_release(&b);
}

/* {"kind","object","action","before","after"[,"note"]} without the closing brace. */
static void json_step_open(struct rdls_json *j, const struct rdls_step *s, enum rdls_action a,
			   const struct rdls_state *before, const struct rdls_state *after)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_object(s, &b);
	rdls_json_obj_begin(j);
	rdls_json_kv_str(j, "kind", rdls_step_kind(s));
	rdls_json_kv_str(j, "object", rdls_buf_str(&b));
	rdls_json_kv_str(j, "action", rdls_action_name(a));
	json_state(j, "before", s, before);
	json_state(j, "after", s, after);
	if (s->note)
		rdls_json_kv_str(j, "note", s->note);
	rdls_buf_release(&b);
}

static void json_plan_body(struct rdls_json *j, const struct rdls_plan *p, const struct rdls_exec *x)
{
	rdls_json_key(j, "roles");
	rdls_json_arr_begin(j);
	if (p->license_server)
		rdls_json_str(j, "license_server");
	if (p->session_host)
		rdls_json_str(j, "session_host");
	rdls_json_arr_end(j);
	rdls_json_kv_str(j, "membership", rdls_membership_name(p->membership));
	rdls_json_kv_int(j, "changes", (long long)rdls_plan_changes(p));
	rdls_json_key(j, "steps");
	rdls_json_arr_begin(j);
	size_t k = 0;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rdls_step *s = &p->steps[i];
		bool impossible = (s->flags & RDLS_STEP_IMPOSSIBLE) != 0;
		if (s->action == RDLS_ACT_NONE && !impossible)
			continue;
		json_step_open(j, s, s->action, &s->prior, &s->want);
		if (impossible)
			rdls_json_kv_bool(j, "impossible", true);
		if (x && k < x->n_items && x->items[k].step == s) {
			const struct rdls_exec_item *it = &x->items[k++];
			rdls_json_kv_int(j, "index", (long long)it->index);
			rdls_json_kv_str(j, "result", rdls_result_name(it->result));
			if (it->error)
				rdls_json_kv_str(j, "error", it->error);
		}
		rdls_json_obj_end(j);
	}
	rdls_json_arr_end(j);
	rdls_json_key(j, "conflicts");
	rdls_json_arr_begin(j);
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rdls_step *s = &p->steps[i];
		if (!(s->flags & RDLS_STEP_CONFLICT))
			continue;
		struct rdls_buf b;
		rdls_buf_init(&b);
		rdls_step_object(s, &b);
		rdls_json_obj_begin(j);
		rdls_json_kv_str(j, "kind", rdls_step_kind(s));
		rdls_json_kv_str(j, "object", rdls_buf_str(&b));
		json_state(j, "state", s, &s->prior);
		rdls_json_kv_str(j, "note", s->note);
		rdls_json_obj_end(j);
		rdls_buf_release(&b);
	}
	rdls_json_arr_end(j);
	if (p->n_impossible) {
		rdls_json_kv_int(j, "impossible", (long long)p->n_impossible);
		rdls_json_kv_str(j, "blocked", p->blocked_why);
		rdls_json_kv_str(j, "remedy", p->blocked_remedy);
	}
}

void rdls_report_plan(const struct rdls_opts *o, const struct rdls_plan *p)
{
	rdls_report_warnings(o, p);
	if (!o->json) {
		rdls_report_plan_text(o, o->out, p);
		if (o->plan_out)
			fprintf(o->out, "Saved to %s; after review: rdlsctl apply --plan \"%s\"\n",
				o->plan_out, o->plan_out);
		return;
	}
	struct rdls_json j;
	rdls_report_json_begin(&j, o->out, "plan", p->host, p->profile);
	json_plan_body(&j, p, NULL);
	if (o->plan_out)
		rdls_json_kv_str(&j, "saved", o->plan_out); /* cmd_plan saved it before reporting */
	const struct rdls_report_end end = {
		.warnings = p->warnings,
		.n_warnings = p->n_warnings,
		/* as cmd_plan exits: a plan with an impossible step is one apply would refuse */
		.exit_code = p->n_impossible ? RDLS_EXIT_ERROR
			     : rdls_plan_changes(p) ? RDLS_EXIT_PENDING : RDLS_EXIT_OK,
	};
	rdls_report_json_end(&j, &end);
}

static const char *result_word(enum rdls_result r)
{
	switch (r) {
	case RDLS_RES_DONE: return "done";
	case RDLS_RES_FAILED: return "FAILED";
	case RDLS_RES_UNDONE: return "undone";
	case RDLS_RES_RESTORED: return "restored";
	case RDLS_RES_ALREADY: return "already as before";
	case RDLS_RES_DRIFT: return "LEFT: changed since apply";
	case RDLS_RES_IRREVERSIBLE: return "LEFT: cannot be restored";
	case RDLS_RES_UNDO_FAILED: return "LEFT: undo failed";
	case RDLS_RES_UNKNOWN: return "LEFT: cannot observe";
	case RDLS_RES_PENDING: return "to restore";
	default: return "not run";
	}
}

void rdls_report_apply(const struct rdls_opts *o, const struct rdls_plan *p,
		       const struct rdls_exec *x, const char *journal)
{
	if (o->json) {
		struct rdls_json j;
		rdls_report_json_begin(&j, o->out, "apply", p->host, p->profile);
		json_plan_body(&j, p, x);
		rdls_json_kv_str(&j, "journal", journal);
		if (o->plan_file)
			rdls_json_kv_str(&j, "plan_file", o->plan_file);
		rdls_json_kv_str(&j, "outcome", x->outcome == RDLS_OUTCOME_COMPLETE ? "applied"
						: x->outcome == RDLS_OUTCOME_UNDONE ? "failed_rolled_back"
										    : "failed_incomplete");
		rdls_json_kv_int(&j, "done", (long long)x->n_done);
		rdls_json_kv_int(&j, "undone", (long long)x->n_undone);
		const struct rdls_report_end end = {
			.error = x->error,
			.warnings = p->warnings,
			.n_warnings = p->n_warnings,
			.exit_code = rdls_exec_exit_code(x),
		};
		rdls_report_json_end(&j, &end);
		return;
	}
	FILE *f = o->out;
	if (x->outcome == RDLS_OUTCOME_COMPLETE) {
		fprintf(f, "Applied %zu change%s to %s.\n", x->n_done, x->n_done == 1 ? "" : "s",
			p->host);
		if (journal)
			fprintf(f, "Journal: %s (undo with: rdlsctl rollback \"%s\")\n", journal, journal);
		return;
	}
	if (!o->quiet) {
		for (size_t i = 0; i < x->n_items; i++) {
			const struct rdls_exec_item *it = &x->items[i];
			if (it->result == RDLS_RES_NOT_RUN)
				continue;
			const struct rdls_step *s = it->step;
			step_line(o, f, sign_of(s->action), s, &s->prior, &s->want, result_word(it->result));
		}
	}
	if (x->outcome == RDLS_OUTCOME_UNDONE)
		fprintf(f, "Apply failed at step %zu of %zu; %zu completed step%s undone: %s is as before.\n",
			x->failed_index, x->n_items, x->n_undone,
			x->n_undone == 1 ? " was" : "s were", p->host);
	else
		fprintf(f, "Apply failed at step %zu of %zu and %zu step%s could not be undone (marked LEFT "
			   "above).\n",
			x->failed_index, x->n_items, x->n_problems, x->n_problems == 1 ? "" : "s");
	if (journal)
		fprintf(f, "Journal: %s\n", journal);
}

/* A rollback line: the sign of what undoing does, from the live state to the prior one. */
static void rollback_line(const struct rdls_opts *o, FILE *f, const struct rdls_exec_item *it)
{
	const struct rdls_step *s = it->step;
	enum rdls_action a = inverse(action_of(s));
	switch (it->result) {
	case RDLS_RES_PENDING:
	case RDLS_RES_RESTORED:
		step_line(o, f, sign_of(a), s, &s->want, &s->prior,
			  it->result == RDLS_RES_RESTORED ? "restored" : NULL);
		break;
	case RDLS_RES_DRIFT: {
		struct rdls_buf b;
		rdls_buf_init(&b);
		rdls_buf_puts(&b, "changed since apply (apply left: ");
		rdls_step_state(s, &s->want, &b);
		rdls_buf_puts(&b, "); left alone");
		step_line(o, f, '!', s, &it->live, NULL, rdls_buf_str(&b));
		rdls_buf_release(&b);
		break;
	}
	case RDLS_RES_IRREVERSIBLE:
		step_line(o, f, '!', s, &it->live, NULL,
			  "the credential it replaced cannot be restored: Windows never reveals a "
			  "stored domain password");
		break;
	case RDLS_RES_UNDO_FAILED:
	case RDLS_RES_UNKNOWN:
		step_line(o, f, '!', s, &s->want, &s->prior, result_word(it->result));
		break;
	case RDLS_RES_ALREADY:
		if (o->verbose)
			step_line(o, f, ' ', s, &s->prior, NULL, "already as before");
		break;
	default:
		break;
	}
}

void rdls_report_rollback_text(const struct rdls_opts *o, FILE *f, const struct rdls_journal *j,
			       const struct rdls_exec *x)
{
	if (!o->quiet) {
		fprintf(f, "Rollback of %s (%s, applied %s):\n", j->path, j->host ? j->host : "?",
			j->started ? j->started : "?");
		for (size_t i = 0; i < x->n_items; i++)
			rollback_line(o, f, &x->items[i]);
	}
	size_t pending = rdls_exec_pending(x);
	if (pending)
		fprintf(f, "Rollback: %zu to restore.\n", pending);
}

static void json_rollback(const struct rdls_opts *o, const struct rdls_journal *j,
			  const struct rdls_exec *x, bool executed)
{
	struct rdls_json js;
	rdls_report_json_begin(&js, o->out, "rollback", j->host, j->profile);
	rdls_json_kv_str(&js, "journal", j->path);
	rdls_json_kv_str(&js, "applied", j->started);
	rdls_json_kv_int(&js, "changes", (long long)(executed ? x->n_undone : rdls_exec_pending(x)));
	rdls_json_key(&js, "steps");
	rdls_json_arr_begin(&js);
	for (size_t i = 0; i < x->n_items; i++) {
		const struct rdls_exec_item *it = &x->items[i];
		const struct rdls_step *s = it->step;
		bool observed = it->result != RDLS_RES_UNKNOWN;
		json_step_open(&js, s, inverse(action_of(s)), observed ? &it->live : &s->want,
			       &s->prior);
		rdls_json_kv_int(&js, "index", (long long)it->index);
		rdls_json_kv_str(&js, "result", rdls_result_name(it->result));
		if (it->error)
			rdls_json_kv_str(&js, "error", it->error);
		rdls_json_obj_end(&js);
	}
	rdls_json_arr_end(&js);
	const struct rdls_report_end end = {
		.warnings = j->problems,
		.n_warnings = j->n_problems,
		.exit_code = rdls_exec_exit_code(x),
	};
	rdls_report_json_end(&js, &end);
}

void rdls_report_rollback(const struct rdls_opts *o, const struct rdls_journal *j,
			  const struct rdls_exec *x, bool executed)
{
	if (o->json) {
		json_rollback(o, j, x, executed);
		return;
	}
	FILE *f = o->out;
	if (!executed) {
		rdls_report_rollback_text(o, f, j, x);
		return;
	}
	if (!o->quiet) {
		for (size_t i = 0; i < x->n_items; i++) {
			enum rdls_result r = x->items[i].result;
			if (r != RDLS_RES_RESTORED && r != RDLS_RES_ALREADY)
				rollback_line(o, f, &x->items[i]);
		}
	}
	if (x->outcome == RDLS_OUTCOME_COMPLETE)
		fprintf(f, "Rolled back %zu change%s on %s: everything %s recorded is undone.\n",
			x->n_undone, x->n_undone == 1 ? "" : "s", j->host, j->path);
	else
		fprintf(f, "Rollback incomplete: %zu change%s restored, %zu left as reported above%s.\n",
			x->n_undone, x->n_undone == 1 ? "" : "s", x->n_problems,
			j->n_damaged ? " (and the journal has damaged records)" : "");
}

void rdls_report_failure_diags(const struct rdls_opts *o, const char *host, const char *journal,
			       const struct rdls_diags *diags, const char *error, int exit_code)
{
	if (!o->json)
		return;
	struct rdls_json j;
	rdls_report_json_begin(&j, o->out, o->command, host, o->profile);
	if (journal)
		rdls_json_kv_str(&j, "journal", journal);
	if (o->plan_file)
		rdls_json_kv_str(&j, "plan_file", o->plan_file);
	const struct rdls_report_end end = { .diags = diags, .error = error, .exit_code = exit_code };
	rdls_report_json_end(&j, &end);
}

void rdls_report_failure_json(const struct rdls_opts *o, const char *host, const char *journal,
			      const char *error, int exit_code)
{
	rdls_report_failure_diags(o, host, journal, NULL, error, exit_code);
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
