/*
 * The audit trail: every apply and rollback, completed, failed or refused, writes
 * events to the Application log under the source "rdlsctl" (sys.h event_write).
 * This module alone decides which events, in which order, with which insertion
 * strings; the message texts are in src/win32/rdlsctl_msg.mc, the ids in the README.
 * No insertion string holds a secret (they are built from the steps' descriptions,
 * which hold none, and from error texts). Failing to write an event is a warning on
 * stderr, once per run, never a failure of the command.
 *
 *   apply:    1000 started, 1001 step done | 1002 step failed, on a failure 1006 step
 *             undone | 1007 step not restored (newest first), then 1003 finished or
 *             1004 rolled back; refused before its first change: 1005 alone.
 *   rollback: 1100 started, 1006 | 1007 per step, 1101 finished or 1102 incomplete;
 *             refused: 1103 alone.
 */
#ifndef RDLS_AUDIT_H
#define RDLS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "rdls/cli.h"
#include "rdls/exec.h"
#include "rdls/sys.h"

enum rdls_evt {
	RDLS_EVT_APPLY_STARTED = 1000,   /* user, host, profile, journal, changes planned */
	RDLS_EVT_STEP_DONE = 1001,       /* step, change, journal */
	RDLS_EVT_STEP_FAILED = 1002,     /* step, change, error, journal */
	RDLS_EVT_APPLY_FINISHED = 1003,  /* host, steps done, exit code, journal */
	RDLS_EVT_APPLY_ROLLED_BACK = 1004, /* host, undone, not restored, exit code, journal */
	RDLS_EVT_APPLY_REFUSED = 1005,   /* user, host, profile, why, exit code */
	RDLS_EVT_STEP_UNDONE = 1006,     /* step, undo, journal */
	RDLS_EVT_STEP_LEFT = 1007,       /* step, object, why, journal */
	RDLS_EVT_ROLLBACK_STARTED = 1100, /* user, host, journal, steps to restore */
	RDLS_EVT_ROLLBACK_FINISHED = 1101, /* host, restored, exit code, journal */
	RDLS_EVT_ROLLBACK_INCOMPLETE = 1102, /* host, restored, not restored, exit code, journal */
	RDLS_EVT_ROLLBACK_REFUSED = 1103, /* user, host, journal, why, exit code */
};

struct rdls_audit {
	const struct rdls_opts *o;
	struct rdls_sys *sys;
	bool rollback;      /* which command's events */
	bool started;       /* the started event was written (or tried) */
	bool registered;    /* event_register was tried */
	bool warned;        /* a failure was reported: later ones are not */
	char user[256];
	char journal[1024];
};

void rdls_audit_init(struct rdls_audit *a, const struct rdls_opts *o, struct rdls_sys *sys,
		     bool rollback);
/* 1000 / 1100. profile: NULL for rollback. journal: NULL or "" when there is none. */
void rdls_audit_started(struct rdls_audit *a, const char *host, const char *profile,
			const char *journal, size_t n_changes);
/* 1005 / 1103: the command stopped before changing anything. where: the profile (apply)
 * or the journal (rollback), NULL if not known yet. */
void rdls_audit_refused(struct rdls_audit *a, const char *host, const char *where,
			const char *why, int exit_code);
/* 1003 or 1004 (apply), 1101 or 1102 (rollback), from the executor's result. */
void rdls_audit_finished(struct rdls_audit *a, const char *host, const struct rdls_exec *x);
/* The executor's hook (struct rdls_exec_hooks .settled, actx = the audit): one step's
 * outcome, r = done / failed for its change, or its undo's result. */
void rdls_audit_step(void *actx, const struct rdls_exec_item *it, enum rdls_result r);

#endif
