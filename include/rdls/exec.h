/*
 * The executor: performs a plan's changes under the write-ahead journal, and
 * undoes them (after a failure, or later from a journal with rollback).
 *
 *   for each change k:  journal record k (prior, after), flushed
 *                       change
 *                       journal [done k], flushed
 *   on a failure:       undo the failed step if it partly happened, then the done
 *                       ones newest first; journal [undone k] for each.
 *
 * Undo restores the prior state only where the live state is still what apply
 * left; a live state that is neither is drift, reported and left alone.
 */
#ifndef RDLS_EXEC_H
#define RDLS_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "rdls/journal.h"
#include "rdls/plan.h"
#include "rdls/sys.h"

enum rdls_result {
	RDLS_RES_NOT_RUN = 0, /* apply stopped before this step */
	RDLS_RES_DONE,        /* changed */
	RDLS_RES_FAILED,      /* the change failed (undone, if it partly happened) */
	RDLS_RES_UNDONE,      /* changed, then restored to its prior state */
	RDLS_RES_PENDING,     /* rollback: will be restored (before it runs) */
	RDLS_RES_RESTORED,    /* rollback: restored to its prior state */
	RDLS_RES_ALREADY,     /* rollback/undo: the live state already is the prior state */
	RDLS_RES_DRIFT,       /* changed since apply: reported, left alone */
	RDLS_RES_IRREVERSIBLE,/* the prior state cannot be restored (a replaced credential) */
	RDLS_RES_UNDO_FAILED, /* restoring failed */
	RDLS_RES_UNKNOWN,     /* the live state could not be observed */
};

/* "done", "failed", "undone", ... as in --json. */
const char *rdls_result_name(enum rdls_result r);

struct rdls_exec_item {
	const struct rdls_step *step; /* borrowed from the plan or the journal */
	size_t index;                 /* its journal record number */
	enum rdls_result result;
	bool undo_attempted;          /* apply: an undo of this step was tried */
	struct rdls_state live;       /* rollback: the state observed before undoing */
	char *error;                  /* the failure as rdls_err_format text, or NULL */
};

/* How a run ended. The executor knows nothing of exit codes: the commands make theirs of
 * it with rdls_exec_exit_code (cli.h). */
enum rdls_exec_outcome {
	RDLS_OUTCOME_COMPLETE = 0, /* apply: every step done; rollback: everything restored */
	RDLS_OUTCOME_UNDONE,       /* apply: a step failed, and everything it changed is undone */
	RDLS_OUTCOME_INCOMPLETE,   /* something is left as it is (drift, a failed undo, a
				    * damaged journal) */
};

struct rdls_exec {
	struct rdls_exec_item *items;
	size_t n_items;
	size_t failed_index;  /* apply: the step that failed (0: none) */
	char *error;          /* apply: what stopped it ("cannot create local group ...: ...") */
	size_t n_done, n_undone, n_problems;
	enum rdls_exec_outcome outcome;
	char cred_check[RDLS_CRED_CHECK_MAX]; /* apply: the run's one credential check string (wiped on free) */
};

void rdls_exec_free(struct rdls_exec *x);

/* Test-only crash points (issue 4: crash at every step). Absent from release builds. */
enum rdls_crash_point {
	RDLS_CRASH_JOURNALED = 1, /* the record is on disk, the change not made */
	RDLS_CRASH_CHANGED = 2,   /* the change is made, not marked done */
	RDLS_CRASH_DONE = 3,      /* marked done */
};
struct rdls_exec_hooks {
	/* Called at each point of each step k (1-based); true: stop dead as a crash would. */
	bool (*crash)(void *ctx, size_t k, enum rdls_crash_point p);
	void *ctx;
	/* The audit trail (audit.c), NULL for none: called once a step's change is done or
	 * has failed (r = DONE or FAILED) and once its undo has a result (RESTORED, ALREADY,
	 * DRIFT, IRREVERSIBLE, UNDO_FAILED, UNKNOWN), in the order they happen. */
	void (*settled)(void *actx, const struct rdls_exec_item *it, enum rdls_result r);
	void *actx;
};
#define RDLS_EXEC_CRASHED 99 /* what rdls_exec_apply returns after a simulated crash */

#if defined(RDLS_TESTING) || defined(RDLS_CRASHPOINTS)
/*
 * RDLS_CRASH_AT=k:point (point = journaled | changed | done) in the environment
 * (sys env_get): fills *h with a hook that kills the process there (sys process_kill).
 * Returns false when unset or malformed, or sys lacks either operation.
 */
bool rdls_exec_crash_from_env(struct rdls_sys *sys, struct rdls_exec_hooks *h);
#endif

/*
 * Performs every step of p whose action is not none, journaling each in jw. The
 * secret is needed only when a step has RDLS_STEP_NEEDS_SECRET. Returns the outcome
 * (COMPLETE, UNDONE, INCOMPLETE; also in (*out)->outcome) with *out, or
 * RDLS_EXEC_CRASHED after a simulated crash, or -1 before starting (out of memory, or
 * changes to make and jw NULL: no change is made without its journal).
 */
int rdls_exec_apply(const struct rdls_plan *p, struct rdls_sys *sys, const rdls_secret *secret,
		    struct rdls_jwriter *jw, const struct rdls_exec_hooks *hooks,
		    struct rdls_exec **out);

/*
 * Rollback, first half: observes every record of j not yet undone, newest first,
 * and classifies it (PENDING, ALREADY, DRIFT, IRREVERSIBLE, UNKNOWN). Read-only.
 */
int rdls_exec_rollback_plan(const struct rdls_journal *j, struct rdls_sys *sys,
			    struct rdls_exec **out, rdls_err *err);
/* Records that rollback would restore. */
size_t rdls_exec_pending(const struct rdls_exec *x);
/*
 * Second half: restores the PENDING records (re-observing each just before),
 * appends [undone k] marks for restored and already-restored records to jw
 * (may be NULL), and returns (and sets x->outcome) COMPLETE, or INCOMPLETE when
 * anything is left. damaged: the journal has damaged records that may have hidden a
 * step (INCOMPLETE).
 */
int rdls_exec_rollback(struct rdls_exec *x, struct rdls_sys *sys, struct rdls_jwriter *jw,
		       bool damaged);
/* The same, calling hooks->settled (may be NULL) for every record's result. */
int rdls_exec_rollback_hooked(struct rdls_exec *x, struct rdls_sys *sys, struct rdls_jwriter *jw,
			      bool damaged, const struct rdls_exec_hooks *hooks);

#endif
