/*
 * `rdlsctl rollback [JOURNAL] [--yes]`: undo an apply from its journal (default:
 * the newest), newest step first, without the profile and without the secret.
 * Restores only where the live state is still what apply left; drift is reported
 * and left alone. Idempotent: [undone N] marks make a second run a no-op, and an
 * interrupted rollback is completed by the next. Exit 0 everything restored,
 * 1 error (nothing changed), 3 refused without --yes, 4 something is left.
 */
#include <stdarg.h>
#include <string.h>

#include "rdls/audit.h"
#include "rdls/cli.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/report.h"
#include "rdls/writable.h"

#define PATH_MAX_ 4096

struct run {
	const struct rdls_opts *o;
	char host[256];
	char path[PATH_MAX_];
	char error[2048];
};

static int fail(struct run *r, const char *fmt, ...) RDLS_PRINTF(2, 3);

static int fail(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	rdls_error(r->o, "%s", r->error);
	rdls_report_failure_json(r->o, r->host[0] ? r->host : NULL, r->path[0] ? r->path : NULL,
				 r->error, RDLS_EXIT_ERROR);
	return RDLS_EXIT_ERROR;
}

static int fail_err(struct run *r, const char *what, const rdls_err *e)
{
	rdls_errmsg em;
	return fail(r, "%s: %s", what, rdls_errmsg_of(e, &em));
}

static int load(struct run *r, struct rdls_sys *sys, struct rdls_journal **j)
{
	rdls_err e;
	rdls_err_clear(&e);
	FILE *f = sys->ops->file_open(sys->ctx, r->path, "rb", &e);
	if (!f)
		return fail_err(r, "cannot read the journal", &e);
	/* Before a byte of it is read: who owns it, and who else may change it. */
	struct rdls_warner w = rdls_cli_warner(r->o);
	if (rdls_trust_file(sys, f, r->path, "journal", &w, &e) != 0) {
		fclose(f);
		return fail_err(r, "cannot use the journal, so nothing was changed", &e);
	}
	int rc = rdls_journal_read(f, r->path, j, &e);
	fclose(f);
	if (rc != 0)
		return fail_err(r, "cannot read the journal", &e);
	for (size_t i = 0; i < (*j)->n_problems; i++)
		rdls_warning(r->o, "journal '%s': %s", r->path, (*j)->problems[i]);
	if ((*j)->torn_tail)
		rdls_warning(r->o,
			     "journal '%s' ends with an incomplete record (apply was interrupted while "
			     "writing it); the change it announced was never started",
			     r->path);
	if ((*j)->n_damaged)
		rdls_warning(r->o,
			     "journal '%s' has %lu damaged record%s: what they recorded cannot be "
			     "undone, and rollback will report itself incomplete",
			     r->path, (unsigned long)(*j)->n_damaged, (*j)->n_damaged == 1 ? "" : "s");
	if (!(*j)->header_ok)
		return fail(r, "'%s' is not an rdlsctl journal, or its header is damaged", r->path);
	if ((*j)->format > RDLS_JOURNAL_FORMAT)
		return fail(r, "journal '%s' has format %ld, written by a newer rdlsctl; this one "
			       "reads formats %d to %d: roll back with the version that wrote it",
			    r->path, (*j)->format, RDLS_JOURNAL_FORMAT_MIN, RDLS_JOURNAL_FORMAT);
	if ((*j)->format < RDLS_JOURNAL_FORMAT_MIN)
		return fail(r, "journal '%s' has format %ld; this rdlsctl reads formats %d to %d",
			    r->path, (*j)->format, RDLS_JOURNAL_FORMAT_MIN, RDLS_JOURNAL_FORMAT);
	/* The host apply planned for, or the computer it ran on (they differ with --host). */
	const char *computer = (*j)->computer;
	if (computer && rdls_name_eq(computer, (*j)->host))
		computer = NULL; /* nothing more to say */
	if (!rdls_name_eq((*j)->host, r->host) && !(computer && rdls_name_eq(computer, r->host)))
		return fail(r, "journal '%s' records an apply on %s%s%s%s, but this is %s: run rollback "
			       "there",
			    r->path, (*j)->host, computer ? " (computer " : "", computer ? computer : "",
			    computer ? ")" : "", r->host);
	/* Only what apply could have written: anything else refuses the whole journal. */
	int line = 0;
	char why[768];
	if (!rdls_journal_check(*j, &line, why, sizeof(why)))
		return fail(r, "journal '%s' line %d: %s; apply never writes that, so the journal is "
			       "refused whole and nothing was rolled back",
			    r->path, line, why);
	return 0;
}

int cmd_rollback(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct run r;
	struct rdls_journal *j = NULL;
	struct rdls_exec *x = NULL;
	struct rdls_jwriter *jw = NULL;
	bool locked = false, elevated = false, taken = false;
	rdls_err e;
	int rc;
	memset(&r, 0, sizeof(r));
	r.o = o;
	rdls_err_clear(&e);
	struct rdls_audit audit; /* refused, started ... finished: audit.h */
	rdls_audit_init(&audit, o, sys, true);

	if (o->host)
		snprintf(r.host, sizeof(r.host), "%s", o->host);
	else if (sys->ops->host_name(sys->ctx, r.host, sizeof(r.host), &e) != 0) {
		r.host[0] = '\0';
		rc = fail_err(&r, "cannot tell which computer this is", &e);
		goto out;
	}
	if (sys->ops->is_elevated(sys->ctx, &elevated, &e) != 0) {
		rc = fail_err(&r, "cannot tell whether this process is elevated", &e);
		goto out;
	}
	if (!elevated) {
		rc = fail(&r, "rollback changes local accounts, the registry and NETWORK SERVICE "
			      "credentials, which needs an elevated process: open Command Prompt or "
			      "PowerShell with 'Run as administrator' and run the same command there");
		goto out;
	}
	char why[1024];
	if (rdls_trust_lock(sys, &taken, why, sizeof(why), &e) != 0) {
		rc = fail_err(&r, "cannot take the rdlsctl lock", &e);
		goto out;
	}
	if (!taken) {
		rc = fail(&r, "%s", why);
		goto out;
	}
	locked = true;

	/* The journal directory first, with warnings: a planted one is set aside. */
	struct rdls_warner wr = rdls_cli_warner(o);
	char jdir[PATH_MAX_];
	if (!o->journal && rdls_trust_journal_dir(sys, &wr, jdir, sizeof(jdir), &e) != 0) {
		rc = fail_err(&r, "cannot use the journal directory", &e);
		goto out;
	}
	if (o->journal)
		snprintf(r.path, sizeof(r.path), "%s", o->journal);
	else if (rdls_journal_newest(sys, r.path, sizeof(r.path), &e) != 0) {
		r.path[0] = '\0';
		rc = fail_err(&r, "cannot find the newest journal", &e);
		goto out;
	}
	rc = load(&r, sys, &j);
	if (rc != 0)
		goto out;

	if (rdls_exec_rollback_plan(j, sys, &x, &e) != 0) {
		rc = fail_err(&r, "cannot plan the rollback", &e);
		goto out;
	}
	size_t n = rdls_exec_pending(x);
	if (n > 0) {
		FILE *show = rdls_report_preview_stream(o, false); /* then the question */
		if (show)
			rdls_report_rollback_text(o, show, j, x);
		char question[512];
		snprintf(question, sizeof(question), "Roll back %zu change%s on %s?", n,
			 n == 1 ? "" : "s", j->host);
		rc = rdls_confirm(o, question, j->host);
		if (rc != 0) {
			snprintf(r.error, sizeof(r.error), "not confirmed: nothing was changed");
			rdls_report_failure_json(o, r.host, r.path, r.error, rc);
			goto out;
		}
	}
	/* Marks go to the journal itself, so that the next rollback knows what is done. */
	if (rdls_journal_append(sys, r.path, &jw, &e) != 0) {
		rc = fail_err(&r, "cannot write to the journal, so nothing was changed", &e);
		goto out;
	}
	rdls_audit_started(&audit, j->host, NULL, r.path, n);
	struct rdls_exec_hooks hooks = { .settled = rdls_audit_step, .actx = &audit };
	rdls_exec_rollback_hooked(x, sys, jw, j->n_damaged > 0, &hooks);
	rc = rdls_exec_exit_code(x);
	rdls_audit_finished(&audit, j->host, x);
	for (size_t i = 0; i < x->n_items; i++)
		if (x->items[i].error)
			rdls_error(o, "%s", x->items[i].error);
	rdls_report_rollback(o, j, x, n);
out:
	if (rc != 0) /* only before the start: else finished said it */
		rdls_audit_refused(&audit, r.host, r.path, r.error, rc);
	rdls_journal_close(jw);
	rdls_exec_free(x);
	rdls_journal_free(j);
	if (locked)
		sys->ops->lock_release(sys->ctx);
	return rc;
}
