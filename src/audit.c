/*
 * The audit trail in the Application event log (audit.h): which events, in which
 * order, with which insertion strings. The backend only registers the source and
 * reports what it is given.
 */
#include <stdio.h>
#include <string.h>

#include "rdls/audit.h"
#include "rdls/json.h"
#include "rdls/plan.h"
#include "resource.h"


static const char *or_none(const char *s)
{
	return s && *s ? s : "(none)";
}

static void warn_once(struct rdls_audit *a, const char *what, const rdls_err *e)
{
	if (a->warned)
		return;
	a->warned = true;
	rdls_errmsg m;
	rdls_warning(a->o, "%s: %s (the %s goes on; further event log problems are not reported)",
		     what, rdls_errmsg_of(e, &m), a->rollback ? "rollback" : "apply");
}

void rdls_audit_init(struct rdls_audit *a, const struct rdls_opts *o, struct rdls_sys *sys,
		     bool rollback)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->sys = sys;
	a->rollback = rollback;
}

/* The source is registered before the first event, so that Event Viewer has its text. */
static void event(struct rdls_audit *a, uint16_t type, uint32_t id, const char *const *s,
		  size_t n)
{
	const struct rdls_sys_ops *ops = a->sys->ops;
	if (!ops->event_write)
		return;
	rdls_err e;
	rdls_err_clear(&e);
	if (!a->registered) {
		a->registered = true;
		if (ops->event_register && ops->event_register(a->sys->ctx, &e) != 0) {
			warn_once(a, "cannot register the event source 'rdlsctl', so Event Viewer "
				     "will not show the events' text",
				  &e);
			a->warned = false; /* a failing write is still worth its own warning */
			rdls_err_clear(&e);
		}
	}
	if (ops->event_write(a->sys->ctx, type, id, s, n, &e) != 0) {
		char what[96];
		snprintf(what, sizeof(what), "cannot write event %lu to the Application log",
			 (unsigned long)id);
		warn_once(a, what, &e);
	}
}

/* "DOMAIN\user" of this process, once per run; "(unknown)" when it cannot be told. */
static const char *user(struct rdls_audit *a)
{
	if (a->user[0])
		return a->user;
	rdls_err e;
	rdls_err_clear(&e);
	const struct rdls_sys_ops *ops = a->sys->ops;
	if (!ops->process_user || ops->process_user(a->sys->ctx, a->user, sizeof(a->user), &e) != 0)
		snprintf(a->user, sizeof(a->user), "(unknown)");
	return a->user;
}

void rdls_audit_started(struct rdls_audit *a, const char *host, const char *profile,
			const char *journal, size_t n_changes)
{
	if (!a->sys->ops->event_write)
		return;
	a->started = true;
	snprintf(a->journal, sizeof(a->journal), "%s", or_none(journal));
	char num[24];
	snprintf(num, sizeof(num), "%zu", n_changes);
	const char *who = user(a);
	if (a->rollback) {
		const char *s[] = { who, or_none(host), a->journal, num };
		event(a, RDLS_EVENT_INFO, RDLS_EVT_ROLLBACK_STARTED, s, 4);
	} else {
		const char *s[] = { who, or_none(host), or_none(profile), a->journal, num };
		event(a, RDLS_EVENT_INFO, RDLS_EVT_APPLY_STARTED, s, 5);
	}
}

void rdls_audit_refused(struct rdls_audit *a, const char *host, const char *where,
			const char *why, int exit_code)
{
	if (!a->sys->ops->event_write || a->started)
		return;
	char code[16];
	snprintf(code, sizeof(code), "%d", exit_code);
	const char *s[] = { user(a), or_none(host), or_none(where), or_none(why), code };
	event(a, RDLS_EVENT_WARNING,
	      a->rollback ? RDLS_EVT_ROLLBACK_REFUSED : RDLS_EVT_APPLY_REFUSED, s, 5);
}

void rdls_audit_finished(struct rdls_audit *a, const char *host, const struct rdls_exec *x)
{
	if (!a->sys->ops->event_write || !a->started)
		return;
	char done[24], undone[24], left[24], code[16];
	snprintf(done, sizeof(done), "%zu", a->rollback ? x->n_undone : x->n_done);
	snprintf(undone, sizeof(undone), "%zu", x->n_undone);
	snprintf(left, sizeof(left), "%zu", x->n_problems);
	snprintf(code, sizeof(code), "%d", rdls_exec_exit_code(x));
	if (a->rollback && x->outcome == RDLS_OUTCOME_COMPLETE) {
		const char *s[] = { or_none(host), done, code, a->journal };
		event(a, RDLS_EVENT_INFO, RDLS_EVT_ROLLBACK_FINISHED, s, 4);
	} else if (a->rollback) {
		const char *s[] = { or_none(host), done, left, code, a->journal };
		event(a, RDLS_EVENT_WARNING, RDLS_EVT_ROLLBACK_INCOMPLETE, s, 5);
	} else if (x->outcome == RDLS_OUTCOME_COMPLETE) {
		const char *s[] = { or_none(host), done, code, a->journal };
		event(a, RDLS_EVENT_INFO, RDLS_EVT_APPLY_FINISHED, s, 4);
	} else {
		const char *s[] = { or_none(host), undone, left, code, a->journal };
		event(a, RDLS_EVENT_ERROR, RDLS_EVT_APPLY_ROLLED_BACK, s, 5);
	}
}

/* Why a step was left as it is, for event 1007. */
static void left_why(const struct rdls_exec_item *it, enum rdls_result r, struct rdls_buf *b)
{
	const struct rdls_step *s = it->step;
	switch (r) {
	case RDLS_RES_DRIFT:
		rdls_buf_puts(b, "changed since apply (now: ");
		rdls_step_state(s, &it->live, b);
		rdls_buf_puts(b, "); left as it is");
		return;
	case RDLS_RES_IRREVERSIBLE:
		rdls_buf_puts(b, "not restorable: ");
		rdls_buf_puts(b, s->ops->lost_prior ? s->ops->lost_prior
						    : "Windows never reveals the state it had before");
		return;
	default:
		rdls_buf_puts(b, it->error ? it->error : "the live state could not be observed");
		return;
	}
}

void rdls_audit_step(void *actx, const struct rdls_exec_item *it, enum rdls_result r)
{
	struct rdls_audit *a = actx;
	if (!a || !a->sys->ops->event_write || r == RDLS_RES_ALREADY)
		return; /* already as before: nothing happened to report */
	char num[24];
	snprintf(num, sizeof(num), "%zu", it->index);
	struct rdls_buf what, why;
	rdls_buf_init(&what);
	rdls_buf_init(&why);
	if (r == RDLS_RES_DONE || r == RDLS_RES_FAILED) {
		rdls_step_doing(it->step, false, &what);
		if (r == RDLS_RES_DONE) {
			const char *s[] = { num, rdls_buf_str(&what), a->journal };
			event(a, RDLS_EVENT_INFO, RDLS_EVT_STEP_DONE, s, 3);
		} else {
			const char *s[] = { num, rdls_buf_str(&what),
					    it->error ? it->error : "(no detail)", a->journal };
			event(a, RDLS_EVENT_ERROR, RDLS_EVT_STEP_FAILED, s, 4);
		}
	} else if (r == RDLS_RES_RESTORED) {
		rdls_step_doing(it->step, true, &what);
		const char *s[] = { num, rdls_buf_str(&what), a->journal };
		event(a, RDLS_EVENT_INFO, RDLS_EVT_STEP_UNDONE, s, 3);
	} else if (r != RDLS_RES_PENDING && r != RDLS_RES_UNDONE && r != RDLS_RES_NOT_RUN) {
		rdls_step_object(it->step, &what);
		left_why(it, r, &why);
		const char *s[] = { num, rdls_buf_str(&what), rdls_buf_str(&why), a->journal };
		event(a, RDLS_EVENT_WARNING, RDLS_EVT_STEP_LEFT, s, 4);
	}
	rdls_buf_release(&what);
	rdls_buf_release(&why);
}
