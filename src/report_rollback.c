/*
 * rollback: what it will do, as the lines of a reviewed diff from the live state back to
 * the prior one, and its outcome (text or the JSON document).
 */
#include <string.h>

#include "report_int.h"

/* A rollback line: the sign of what undoing does, from the live state to the prior one. */
static void rollback_line(const struct rdls_opts *o, FILE *f, const struct rdls_exec_item *it)
{
	const struct rdls_step *s = it->step;
	enum rdls_action a = report_inverse(report_action_of(s));
	switch (it->result) {
	case RDLS_RES_PENDING:
	case RDLS_RES_RESTORED:
		report_step_line(o, f, report_sign_of(a), s, &s->want, &s->prior,
			  it->result == RDLS_RES_RESTORED ? "restored" : NULL);
		break;
	case RDLS_RES_DRIFT: {
		struct rdls_buf b;
		rdls_buf_init(&b);
		rdls_buf_puts(&b, "changed since apply (apply left: ");
		rdls_step_state(s, &s->want, &b);
		rdls_buf_puts(&b, "); left alone");
		report_step_line(o, f, '!', s, &it->live, NULL, rdls_buf_str(&b));
		rdls_buf_release(&b);
		break;
	}
	case RDLS_RES_IRREVERSIBLE:
		report_step_line(o, f, '!', s, &it->live, NULL,
			  "the credential it replaced cannot be restored: Windows never reveals a "
			  "stored domain password");
		break;
	case RDLS_RES_UNDO_FAILED:
	case RDLS_RES_UNKNOWN:
		report_step_line(o, f, '!', s, &s->want, &s->prior, report_result_word(it->result));
		break;
	case RDLS_RES_ALREADY:
		if (o->verbose)
			report_step_line(o, f, ' ', s, &s->prior, NULL, "already as before");
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
			  const struct rdls_exec *x)
{
	const struct rdls_report_env env = {
		.command = "rollback",
		.host = j->host,
		.profile = j->profile,
		.warnings = j->problems,
		.n_warnings = j->n_problems,
		.exit_code = rdls_exec_exit_code(x),
	};
	struct rdls_json js;
	report_json_open(&js, o, &env);
	rdls_json_kv_str(&js, "journal", j->path);
	rdls_json_kv_str(&js, "applied", j->started);
	rdls_json_kv_int(&js, "changes", (long long)x->n_undone);
	rdls_json_key(&js, "steps");
	rdls_json_arr_begin(&js);
	for (size_t i = 0; i < x->n_items; i++) {
		const struct rdls_exec_item *it = &x->items[i];
		const struct rdls_step *s = it->step;
		bool observed = it->result != RDLS_RES_UNKNOWN;
		report_json_step_open(&js, s, report_inverse(report_action_of(s)),
				      observed ? &it->live : &s->want, &s->prior);
		rdls_json_kv_int(&js, "index", (long long)it->index);
		rdls_json_kv_str(&js, "result", rdls_result_name(it->result));
		if (it->error)
			rdls_json_kv_str(&js, "error", it->error);
		rdls_json_obj_end(&js);
	}
	rdls_json_arr_end(&js);
	report_json_close(&js, &env);
}

void rdls_report_rollback(const struct rdls_opts *o, const struct rdls_journal *j,
			  const struct rdls_exec *x, size_t pending)
{
	if (o->json) {
		json_rollback(o, j, x);
		return;
	}
	FILE *f = o->out;
	if (pending == 0 && x->n_problems == 0 && !j->n_damaged) {
		fprintf(f, "Nothing to roll back: every change recorded in %s is already undone on "
			   "%s.\n", j->path, j->host);
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

