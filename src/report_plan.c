/*
 * plan and apply. Text reads like a reviewed diff:
 *
 *   + user 'rdls-peer'  (absent → present)
 *   ~ registry HKLM\...\WorkgroupLicenseServerAccountsGroup  (REG_SZ 'X' → REG_SZ 'LICSVR1\RDLS Peers')
 *   - registry HKLM\...\ WorkgroupLicenseServerAccountsGroup (leading space)  (REG_SZ '...' → absent)
 *   Plan: 3 to create, 1 to change, 1 to remove.
 */
#include <string.h>

#include "report_int.h"

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

char report_sign_of(enum rdls_action a)
{
	return a == RDLS_ACT_CREATE ? '+' : a == RDLS_ACT_CHANGE ? '~' : a == RDLS_ACT_REMOVE ? '-' : ' ';
}

/* The action that undoes `a`: a created thing is removed, a removed one comes back. */
enum rdls_action report_inverse(enum rdls_action a)
{
	return a == RDLS_ACT_CREATE ? RDLS_ACT_REMOVE : a == RDLS_ACT_REMOVE ? RDLS_ACT_CREATE : a;
}

/* The action a step had, reconstructed from its states (journal records have none). */
enum rdls_action report_action_of(const struct rdls_step *s)
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
void report_step_line(const struct rdls_opts *o, FILE *f, char sign, const struct rdls_step *s,
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
				report_step_line(o, f, 'x', s, &s->prior, &s->want, "impossible");
			} else if (s->flags & RDLS_STEP_CONFLICT) {
				report_step_line(o, f, '!', s, &s->prior, NULL, "left alone");
			} else if (s->action != RDLS_ACT_NONE) {
				report_step_line(o, f, report_sign_of(s->action), s, &s->prior, &s->want, NULL);
			} else if (o->verbose) {
				report_step_line(o, f, ' ', s, &s->prior, NULL, "unchanged");
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

void report_json_state(struct rdls_json *j, const char *key, const struct rdls_step *s,
		       const struct rdls_state *st)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_state(s, st, &b);
	rdls_json_kv_str(j, key, rdls_buf_str(&b));
	rdls_buf_release(&b);
}

/* {"kind","object","action","before","after"[,"note"]} without the closing brace. */
void report_json_step_open(struct rdls_json *j, const struct rdls_step *s, enum rdls_action a,
			   const struct rdls_state *before, const struct rdls_state *after)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_step_object(s, &b);
	rdls_json_obj_begin(j);
	rdls_json_kv_str(j, "kind", rdls_step_kind(s));
	rdls_json_kv_str(j, "object", rdls_buf_str(&b));
	rdls_json_kv_str(j, "action", rdls_action_name(a));
	report_json_state(j, "before", s, before);
	report_json_state(j, "after", s, after);
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
		report_json_step_open(j, s, s->action, &s->prior, &s->want);
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
		report_json_state(j, "state", s, &s->prior);
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
	const struct rdls_report_env env = {
		.command = "plan",
		.host = p->host,
		.profile = p->profile,
		.warnings = p->warnings,
		.n_warnings = p->n_warnings,
		/* as cmd_plan exits: a plan with an impossible step is one apply would refuse */
		.exit_code = p->n_impossible ? RDLS_EXIT_ERROR
			     : rdls_plan_changes(p) ? RDLS_EXIT_PENDING : RDLS_EXIT_OK,
	};
	struct rdls_json j;
	report_json_open(&j, o, &env);
	json_plan_body(&j, p, NULL);
	if (o->plan_out)
		rdls_json_kv_str(&j, "saved", o->plan_out); /* cmd_plan saved it before reporting */
	report_json_close(&j, &env);
}

const char *report_result_word(enum rdls_result r)
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
		const struct rdls_report_env env = {
			.command = "apply",
			.host = p->host,
			.profile = p->profile,
			.error = x->error,
			.warnings = p->warnings,
			.n_warnings = p->n_warnings,
			.exit_code = rdls_exec_exit_code(x),
		};
		struct rdls_json j;
		report_json_open(&j, o, &env);
		json_plan_body(&j, p, x);
		rdls_json_kv_str(&j, "journal", journal);
		if (o->plan_file)
			rdls_json_kv_str(&j, "plan_file", o->plan_file);
		rdls_json_kv_str(&j, "outcome", x->outcome == RDLS_OUTCOME_COMPLETE ? "applied"
						: x->outcome == RDLS_OUTCOME_UNDONE ? "failed_rolled_back"
										    : "failed_incomplete");
		rdls_json_kv_int(&j, "done", (long long)x->n_done);
		rdls_json_kv_int(&j, "undone", (long long)x->n_undone);
		report_json_close(&j, &env);
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
			report_step_line(o, f, report_sign_of(s->action), s, &s->prior, &s->want, report_result_word(it->result));
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

