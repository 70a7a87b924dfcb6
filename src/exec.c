/*
 * The executor: journal record -> change -> mark done; on failure undo newest
 * first. Undo, here and in rollback, is one function: observe the live state;
 * the prior state -> nothing to do; the state apply left -> restore the prior;
 * anything else -> drift, left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/exec.h"
#include "resource.h"

const char *rdls_result_name(enum rdls_result r)
{
	switch (r) {
	case RDLS_RES_NOT_RUN: return "not_run";
	case RDLS_RES_DONE: return "done";
	case RDLS_RES_FAILED: return "failed";
	case RDLS_RES_UNDONE: return "undone";
	case RDLS_RES_PENDING: return "pending";
	case RDLS_RES_RESTORED: return "restored";
	case RDLS_RES_ALREADY: return "already_restored";
	case RDLS_RES_DRIFT: return "drift";
	case RDLS_RES_IRREVERSIBLE: return "irreversible";
	case RDLS_RES_UNDO_FAILED: return "undo_failed";
	case RDLS_RES_UNKNOWN: return "unknown";
	}
	return "unknown";
}

void rdls_exec_free(struct rdls_exec *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n_items; i++) {
		rdls_state_release(&x->items[i].live);
		free(x->items[i].error);
	}
	free(x->items);
	free(x->error);
	rdls_secure_zero(x->cred_check, sizeof(x->cred_check));
	free(x);
}

/* "<what it was doing>: <the error>", e.g. "cannot create local group 'X': NetLocalGroupAdd ..." */
static char *failure_text(const struct rdls_step *s, bool undo, const char *prefix,
			  const rdls_err *e)
{
	rdls_errmsg m;
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_buf_puts(&b, prefix);
	rdls_step_doing(s, undo, &b);
	rdls_buf_printf(&b, ": %s", rdls_errmsg_of(e, &m));
	return rdls_buf_take(&b);
}

static void set_error(struct rdls_exec_item *it, char *text)
{
	free(it->error);
	it->error = text;
}

/*
 * The state the plan showed must still hold when its step runs: something changed
 * while the administrator read the plan is neither overwritten nor recorded as a
 * prior state it was not. Returns 0 when unchanged; else sets it->error.
 */
static int still_as_planned(struct rdls_exec_item *it, const struct rdls_rctx *c)
{
	const struct rdls_step *s = it->step;
	struct rdls_state now = { 0 };
	rdls_err e;
	rdls_err_clear(&e);
	if (s->ops->observe(s, c, &now, &e) != 0) {
		set_error(it, failure_text(s, false, "cannot check again before trying to ", &e));
		return -1;
	}
	int rc = 0;
	if (!rdls_state_equal(&now, &s->prior)) {
		struct rdls_buf b;
		rdls_buf_init(&b);
		rdls_step_object(s, &b);
		rdls_buf_puts(&b, " changed since the plan was made (planned from: ");
		rdls_step_state(s, &s->prior, &b);
		rdls_buf_puts(&b, "; now: ");
		rdls_step_state(s, &now, &b);
		rdls_buf_puts(&b, "); it was left as it is: run plan again");
		set_error(it, rdls_buf_take(&b));
		rc = -1;
	}
	rdls_state_release(&now);
	return rc;
}

/*
 * Whether s's change, once made, cannot be told from its prior state: a password (a
 * blind kind), or an irreversible change whose states observe the same (a credential
 * of rdlsctl's rewritten with another secret: only the secret differs). Then a live
 * state equal to the prior one is no sign that nothing was lost.
 */
static bool looks_unchanged(const struct rdls_step *s)
{
	return s->ops->blind ||
	       ((s->flags & RDLS_STEP_IRREVERSIBLE) && rdls_state_equal(&s->prior, &s->want));
}

/*
 * Brings one step back to its prior state if the live state allows it.
 * partial: the step's own change failed, so any state other than the prior one
 * is what the failed change left, not drift.
 */
static enum rdls_result undo_one(struct rdls_exec_item *it, const struct rdls_rctx *c,
				 struct rdls_jwriter *jw, bool partial)
{
	const struct rdls_step *s = it->step;
	rdls_err e;
	rdls_err_clear(&e);
	rdls_state_release(&it->live);
	if (s->ops->observe(s, c, &it->live, &e) != 0) {
		set_error(it, failure_text(s, true, "cannot check before trying to ", &e));
		return RDLS_RES_UNKNOWN;
	}
	enum rdls_result r;
	if (rdls_state_equal(&it->live, &s->prior)) {
		/* A blind change looks like its prior state once made: only a change that
		 * failed is known not to have happened. */
		if (looks_unchanged(s) && !partial)
			return RDLS_RES_IRREVERSIBLE;
		r = RDLS_RES_ALREADY;
	} else if (!partial && !rdls_state_equal(&it->live, &s->want)) {
		return RDLS_RES_DRIFT;
	} else if (s->flags & RDLS_STEP_IRREVERSIBLE) {
		return RDLS_RES_IRREVERSIBLE;
	} else {
		it->undo_attempted = true;
		if (s->ops->undo(s, c, &e) != 0) {
			set_error(it, failure_text(s, true, "cannot ", &e));
			return RDLS_RES_UNDO_FAILED;
		}
		r = RDLS_RES_RESTORED;
	}
	if (jw && rdls_journal_mark(jw, RDLS_JMARK_UNDONE, it->index,
				    r == RDLS_RES_RESTORED ? "restored" : "unchanged", &e) != 0) {
		/* Undone but not recorded: a later rollback finds the prior state and says so. */
		set_error(it, failure_text(s, true, "cannot journal that it did ", &e));
	}
	return r;
}

static bool crash(const struct rdls_exec_hooks *h, size_t k, enum rdls_crash_point p)
{
#if defined(RDLS_TESTING) || defined(RDLS_CRASHPOINTS)
	return h && h->crash && h->crash(h->ctx, k, p);
#else
	(void)h;
	(void)k;
	(void)p;
	return false;
#endif
}

static void settled(const struct rdls_exec_hooks *h, const struct rdls_exec_item *it,
		    enum rdls_result r)
{
	if (h && h->settled)
		h->settled(h->actx, it, r);
}

static bool is_problem(enum rdls_result r)
{
	return r == RDLS_RES_DRIFT || r == RDLS_RES_IRREVERSIBLE || r == RDLS_RES_UNDO_FAILED ||
	       r == RDLS_RES_UNKNOWN;
}

int rdls_exec_apply(const struct rdls_plan *p, struct rdls_sys *sys, const rdls_secret *secret,
		    struct rdls_jwriter *jw, const struct rdls_exec_hooks *hooks,
		    struct rdls_exec **out)
{
	*out = NULL;
	size_t n = rdls_plan_changes(p);
	if (n && !jw)
		return -1; /* no change without its journal */
	struct rdls_exec *x = calloc(1, sizeof(*x));
	if (!x || (n && !(x->items = calloc(n, sizeof(*x->items))))) {
		free(x);
		return -1;
	}
	for (size_t i = 0; i < p->n_steps; i++) {
		if (p->steps[i].action == RDLS_ACT_NONE)
			continue;
		struct rdls_exec_item *it = &x->items[x->n_items++];
		it->step = &p->steps[i];
		it->index = x->n_items;
	}
	*out = x;

	/* The run's credential check string lives in x so that every exit wipes it. */
	struct rdls_cred_run cred = { .check = x->cred_check };
	const struct rdls_rctx c = { .sys = sys, .secret = secret, .cred = &cred };
	size_t k;             /* steps [0, k) completed */
	bool failed = false;  /* items[k] failed or did not start */
	bool changed = false; /* ... and its change may have happened */
	rdls_err e;
	for (k = 0; k < x->n_items; k++) {
		struct rdls_exec_item *it = &x->items[k];
		rdls_err_clear(&e);
		if (still_as_planned(it, &c) != 0) {
			settled(hooks, it, RDLS_RES_FAILED);
			failed = true;
			break;
		}
		if (rdls_journal_step(jw, it->index, it->step, &e) != 0) {
			set_error(it, failure_text(it->step, false, "cannot journal before trying to ", &e));
			settled(hooks, it, RDLS_RES_FAILED);
			failed = true;
			break;
		}
		if (crash(hooks, it->index, RDLS_CRASH_JOURNALED))
			return RDLS_EXEC_CRASHED;
		if (it->step->ops->change(it->step, &c, &e) != 0) {
			set_error(it, failure_text(it->step, false, "cannot ", &e));
			it->result = RDLS_RES_FAILED;
			rdls_err e2;
			rdls_err_clear(&e2);
			rdls_journal_mark(jw, RDLS_JMARK_FAILED, it->index, it->error, &e2);
			settled(hooks, it, RDLS_RES_FAILED);
			failed = changed = true;
			break;
		}
		if (crash(hooks, it->index, RDLS_CRASH_CHANGED))
			return RDLS_EXEC_CRASHED;
		it->result = RDLS_RES_DONE;
		x->n_done++;
		if (rdls_journal_mark(jw, RDLS_JMARK_DONE, it->index, NULL, &e) != 0) {
			/* Changed but not marked: undo it with the others rather than go on blind. */
			set_error(it, failure_text(it->step, false, "cannot journal that it did ", &e));
			settled(hooks, it, RDLS_RES_FAILED);
			failed = changed = true;
			break;
		}
		settled(hooks, it, RDLS_RES_DONE);
		if (crash(hooks, it->index, RDLS_CRASH_DONE))
			return RDLS_EXEC_CRASHED;
	}
	if (!failed) {
		x->outcome = RDLS_OUTCOME_COMPLETE;
		return (int)x->outcome;
	}

	struct rdls_exec_item *bad = &x->items[k];
	x->failed_index = bad->index;
	if (bad->error) {
		struct rdls_buf b;
		rdls_buf_init(&b);
		rdls_buf_puts(&b, bad->error);
		x->error = rdls_buf_take(&b);
	}
	/* The failed step first (if it may have changed something), then the rest, newest first. */
	if (changed) {
		bool partial = bad->result == RDLS_RES_FAILED;
		enum rdls_result r = undo_one(bad, &c, jw, partial);
		settled(hooks, bad, r);
		if (r != RDLS_RES_RESTORED && r != RDLS_RES_ALREADY)
			bad->result = r;
		else if (!partial)
			bad->result = RDLS_RES_UNDONE;
	}
	for (size_t i = k; i-- > 0;) {
		struct rdls_exec_item *it = &x->items[i];
		enum rdls_result r = undo_one(it, &c, jw, false);
		settled(hooks, it, r);
		it->result = (r == RDLS_RES_RESTORED || r == RDLS_RES_ALREADY) ? RDLS_RES_UNDONE : r;
	}
	x->n_done = x->n_undone = x->n_problems = 0;
	for (size_t i = 0; i < x->n_items; i++) {
		enum rdls_result r = x->items[i].result;
		x->n_done += r == RDLS_RES_DONE;
		x->n_undone += r == RDLS_RES_UNDONE;
		x->n_problems += is_problem(r);
	}
	x->outcome = x->n_problems ? RDLS_OUTCOME_INCOMPLETE : RDLS_OUTCOME_UNDONE;
	return (int)x->outcome;
}

/* ---------------------------------------------------------------- rollback */

static enum rdls_result classify(struct rdls_exec_item *it, const struct rdls_rctx *c)
{
	const struct rdls_step *s = it->step;
	rdls_err e;
	rdls_err_clear(&e);
	rdls_state_release(&it->live);
	if (s->ops->observe(s, c, &it->live, &e) != 0) {
		set_error(it, failure_text(s, true, "cannot check before trying to ", &e));
		return RDLS_RES_UNKNOWN;
	}
	if (rdls_state_equal(&it->live, &s->prior))
		return looks_unchanged(s) ? RDLS_RES_IRREVERSIBLE : RDLS_RES_ALREADY;
	if (!rdls_state_equal(&it->live, &s->want))
		return RDLS_RES_DRIFT;
	if (s->flags & RDLS_STEP_IRREVERSIBLE)
		return RDLS_RES_IRREVERSIBLE;
	return RDLS_RES_PENDING;
}

int rdls_exec_rollback_plan(const struct rdls_journal *j, struct rdls_sys *sys,
			    struct rdls_exec **out, rdls_err *err)
{
	*out = NULL;
	struct rdls_exec *x = calloc(1, sizeof(*x));
	if (!x || (j->n_recs && !(x->items = calloc(j->n_recs, sizeof(*x->items))))) {
		free(x);
		return rdls_err_set(err, NULL, NULL, 0, "out of memory");
	}
	const struct rdls_rctx c = { .sys = sys, .secret = NULL };
	/* Newest first: the order undo must follow (a member before its group). */
	for (size_t i = j->n_recs; i-- > 0;) {
		const struct rdls_jrec *rec = &j->recs[i];
		if (rec->undone)
			continue;
		struct rdls_exec_item *it = &x->items[x->n_items++];
		it->step = &rec->step;
		it->index = rec->index;
		it->result = classify(it, &c);
	}
	*out = x;
	return 0;
}

size_t rdls_exec_pending(const struct rdls_exec *x)
{
	size_t n = 0;
	for (size_t i = 0; i < x->n_items; i++)
		n += x->items[i].result == RDLS_RES_PENDING;
	return n;
}

int rdls_exec_rollback(struct rdls_exec *x, struct rdls_sys *sys, struct rdls_jwriter *jw,
		       bool damaged)
{
	return rdls_exec_rollback_hooked(x, sys, jw, damaged, NULL);
}

int rdls_exec_rollback_hooked(struct rdls_exec *x, struct rdls_sys *sys, struct rdls_jwriter *jw,
			      bool damaged, const struct rdls_exec_hooks *hooks)
{
	const struct rdls_rctx c = { .sys = sys, .secret = NULL };
	bool incomplete = damaged;
	for (size_t i = 0; i < x->n_items; i++) {
		struct rdls_exec_item *it = &x->items[i];
		if (it->result == RDLS_RES_PENDING || it->result == RDLS_RES_ALREADY) {
			/* Look again: an earlier undo or another program may have changed it. */
			enum rdls_result r = undo_one(it, &c, jw, false);
			it->result = r;
		}
		settled(hooks, it, it->result);
		if (it->result == RDLS_RES_RESTORED)
			x->n_undone++;
		if (is_problem(it->result)) {
			incomplete = true;
			x->n_problems++;
		}
	}
	x->outcome = incomplete ? RDLS_OUTCOME_INCOMPLETE : RDLS_OUTCOME_COMPLETE;
	return (int)x->outcome;
}

/* ------------------------------------------------- test-only crash points */

#if defined(RDLS_TESTING) || defined(RDLS_CRASHPOINTS)
struct crash_at {
	struct rdls_sys *sys;
	size_t k;
	enum rdls_crash_point p;
};

/* Dies as a power cut would: no handlers, no flushing, no cleanup (process_kill). Where
 * the process lives on (the fake), the executor stops as if it had died. */
static bool crash_now(void *ctx, size_t k, enum rdls_crash_point p)
{
	const struct crash_at *at = ctx;
	if (k != at->k || p != at->p)
		return false;
	at->sys->ops->process_kill(at->sys->ctx, 137);
	return true;
}

bool rdls_exec_crash_from_env(struct rdls_sys *sys, struct rdls_exec_hooks *h)
{
	static struct crash_at at; /* test builds only: the hook outlives the caller's frame */
	char v[64];
	bool found = false;
	rdls_err e;
	rdls_err_clear(&e);
	if (!sys->ops->env_get || !sys->ops->process_kill ||
	    sys->ops->env_get(sys->ctx, "RDLS_CRASH_AT", v, sizeof(v), &found, &e) != 0 || !found)
		return false;
	char *end;
	unsigned long k = strtoul(v, &end, 10);
	if (end == v || *end != ':' || k == 0)
		return false;
	const char *p = end + 1;
	if (strcmp(p, "journaled") == 0)
		at.p = RDLS_CRASH_JOURNALED;
	else if (strcmp(p, "changed") == 0)
		at.p = RDLS_CRASH_CHANGED;
	else if (strcmp(p, "done") == 0)
		at.p = RDLS_CRASH_DONE;
	else
		return false;
	at.sys = sys;
	at.k = (size_t)k;
	h->crash = crash_now;
	h->ctx = &at;
	return true;
}
#endif
