/*
 * `rdlsctl apply PROFILE [--host NAME] [--dry-run] [--journal FILE] [--yes] [--rotate]`:
 * refuse unless elevated and alone, show the plan, ask, then run it under the
 * write-ahead journal. Exit 0 applied (or nothing to do), 1 error (a failed apply
 * was rolled back), 3 refused without --yes, 4 the rollback was incomplete.
 */
#include <string.h>
#include <time.h>

#include "rdls/audit.h"
#include "rdls/cli.h"
#include "rdls/clock.h"
#include "rdls/exec.h"
#include "rdls/journal.h"
#include "rdls/plan.h"
#include "rdls/planfile.h"
#include "rdls/planrun.h"
#include "rdls/report.h"

/* Not elevated, or another apply/rollback running: refuse before anything else. */
static int guards(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r,
		  const char *doing, bool *locked)
{
	char busy[1024]; /* who holds the lock */
	rdls_errmsg em;
	rdls_err e;
	rdls_err_clear(&e);
	bool elevated = false, taken = false;
	if (sys->ops->is_elevated(sys->ctx, &elevated, &e) != 0) {
		return rdls_planrun_fail(o, r, "cannot tell whether this process is elevated: %s",
			    rdls_errmsg_of(&e, &em));
	}
	if (!elevated)
		return rdls_planrun_fail(o, r,
			    "%s changes local accounts, the registry and NETWORK SERVICE credentials, "
			    "which needs an elevated process: open Command Prompt or PowerShell with "
			    "'Run as administrator' and run the same command there",
			    doing);
	if (rdls_trust_lock(sys, &taken, busy, sizeof(busy), &e) != 0) {
		return rdls_planrun_fail(o, r, "cannot take the rdlsctl lock: %s", rdls_errmsg_of(&e, &em));
	}
	if (!taken)
		return rdls_planrun_fail(o, r, "%s", busy);
	*locked = true;
	return 0;
}

/*
 * apply --plan FILE: the saved plan must be intact, of a format this rdlsctl reads, made
 * on this computer, from the profile as it is now; then the host is planned again from
 * that profile, and the new plan must be the saved one step for step (identity, state
 * planned from, action, state wanted). Only then does apply go on, with the new plan (the
 * saved file is never the source of a change, so a forged one can at most be refused);
 * the executor observes each step again just before changing it. r->host is this
 * computer's name on entry.
 */
static int load_saved(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	rdls_errmsg em;
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_planfile *pf = NULL;
	enum rdls_planfile_bad bad;
	int rc;
	FILE *f = sys->ops->file_open(sys->ctx, o->plan_file, "rb", &e);
	if (!f) {
		return rdls_planrun_fail(o, r, "cannot read saved plan '%s': %s", o->plan_file,
			    rdls_errmsg_of(&e, &em));
	}
	rc = rdls_planfile_read(sys, f, o->plan_file, &pf, &bad, &e);
	fclose(f);
	if (rc != 0) {
		return rdls_planrun_fail(o, r, "refusing saved plan, nothing was changed: %s",
			    rdls_errmsg_of(&e, &em));
	}
	/* Made on another computer: its observations are not this one's. */
	const char *made_on = pf->computer[0] ? pf->computer : pf->host;
	if (!rdls_name_eq(made_on, r->host)) {
		rc = rdls_planrun_fail(o, r, "refusing saved plan '%s', nothing was changed: it was made on %s, "
			  "this is %s", o->plan_file, made_on, r->host);
		goto out;
	}
	/* Drift first, before the profile is read or the secret asked for. */
	struct rdls_buf why;
	rdls_buf_init(&why);
	if (rdls_planfile_drift(pf, sys, &why)) {
		rc = rdls_planrun_fail(o, r, "refusing saved plan '%s', nothing was changed: the host changed since "
			  "the plan was saved: %s; plan again and review the new plan", o->plan_file,
			  why.oom ? "(out of memory)" : rdls_buf_str(&why));
		rdls_buf_release(&why);
		goto out;
	}
	struct rdls_opts so = *o;
	so.profile = pf->profile;
	so.host = pf->host;
	snprintf(r->host, sizeof(r->host), "%s", pf->host);
	r->hash_profile = true;
	r->expect_sha256 = pf->profile_sha256;
	if ((rc = rdls_planrun_load(&so, sys, r)) != 0)
		goto out;
	if (!(pf->secret ? r->secret_source && strcmp(pf->secret, r->secret_source) == 0
			 : !r->secret_source)) {
		rc = rdls_planrun_fail(o, r, "refusing saved plan '%s', nothing was changed: the peer password "
			  "came from %s when it was saved, now from %s", o->plan_file,
			  pf->secret ? pf->secret : "nowhere",
			  r->secret_source ? r->secret_source : "nowhere");
		goto out;
	}
	bool drift = false;
	size_t n = rdls_planfile_compare(pf, r->plan, &drift, &why);
	if (n)
		rc = rdls_planrun_fail(o, r, "refusing saved plan '%s', nothing was changed: %s%s; plan again and "
			  "review the new plan", o->plan_file,
			  drift ? "the host changed since the plan was saved: "
				: "planning now gives another plan: ",
			  why.oom ? "(out of memory)" : rdls_buf_str(&why));
	rdls_buf_release(&why);
out:
	rdls_planfile_free(pf);
	return rc;
}

int cmd_apply(const struct rdls_opts *o, struct rdls_sys *sys)
{
	if (o->dry_run)
		return cmd_plan(o, sys); /* exactly plan */

	struct rdls_planrun r;
	struct rdls_exec *x = NULL;
	struct rdls_jwriter *jw = NULL;
	bool locked = false;
	rdls_errmsg em;
	rdls_err e;
	rdls_err_clear(&e);
	memset(&r, 0, sizeof(r));
	struct rdls_audit audit; /* refused, started ... finished: audit.h */
	rdls_audit_init(&audit, o, sys, false);

	int rc = rdls_planrun_host(o, sys, &r);
	if (rc == 0)
		rc = guards(o, sys, &r, "apply", &locked);
	if (rc == 0)
		rc = o->plan_file ? load_saved(o, sys, &r) : rdls_planrun_load(o, sys, &r);
	if (rc != 0) {
		rdls_report_failure_diags(o, r.host[0] ? r.host : NULL, NULL, &r.diags, r.error, rc);
		goto out;
	}
	struct rdls_plan *p = r.plan;
	size_t n = rdls_plan_changes(p);
	rdls_report_warnings(o, p);
	if (p->n_impossible) {
		/* Before the question and the journal: nothing is changed, not even a part. */
		rdls_report_plan_text(o, rdls_report_preview_stream(o, true), p);
		rc = rdls_planrun_fail(o, &r, "apply refuses to start on %s, nothing was changed: %s; %s", p->host,
			  p->blocked_why, p->blocked_remedy);
		rdls_report_failure_json(o, p->host, NULL, r.error, rc);
		goto out;
	}
	if (n == 0) {
		static const struct rdls_exec none = { .outcome = RDLS_OUTCOME_COMPLETE };
		rdls_audit_started(&audit, p->host, o->profile, NULL, 0);
		rdls_audit_finished(&audit, p->host, &none);
		if (o->json)
			rdls_report_apply(o, p, &none, NULL);
		else
			rdls_report_plan_text(o, o->out, p);
		rc = RDLS_EXIT_OK;
		goto out;
	}

	/* Show what will happen, then ask (on the stream report.h says). */
	FILE *show = rdls_report_preview_stream(o, false);
	if (show)
		rdls_report_plan_text(o, show, p);
	char question[512];
	snprintf(question, sizeof(question), "Apply %zu change%s to %s?", n, n == 1 ? "" : "s",
		 p->host);
	rc = rdls_confirm(o, question, p->host);
	if (rc != 0) {
		snprintf(r.error, sizeof(r.error), "not confirmed: nothing was changed");
		rdls_report_failure_json(o, p->host, NULL, r.error, rc);
		goto out;
	}

	/* The computer's own name too: with --host it may differ, and rollback accepts either. */
	char computer[256] = "";
	rdls_err ce;
	rdls_err_clear(&ce);
	if (sys->ops->host_name(sys->ctx, computer, sizeof(computer), &ce) != 0)
		computer[0] = '\0';
	struct rdls_jheader h = { .computer = computer, .profile = p->profile,
				  .started = (time_t)rdls_clock_now(sys) };
	rdls_jheader_for_plan(&h, p); /* what rollback will accept from this journal */
	/* The journal directory is checked (and a planted one set aside) with warnings
	 * here; journal.c checks it again, silently. With --journal FILE it is optional. */
	struct rdls_warner wr = rdls_cli_warner(o);
	char jdir[4096];
	rdls_err de;
	rdls_err_clear(&de);
	if (rdls_trust_journal_dir(sys, &wr, jdir, sizeof(jdir), &de) != 0 && !o->journal) {
		rc = rdls_planrun_fail(o, &r, "cannot start the journal, so nothing was changed: %s",
			  rdls_errmsg_of(&de, &em));
		rdls_report_failure_json(o, p->host, NULL, r.error, rc);
		goto out;
	}
	if (rdls_journal_create(sys, o->journal, &h, &jw, &e) != 0) {
		rc = rdls_planrun_fail(o, &r, "cannot start the journal, so nothing was changed: %s",
			  rdls_errmsg_of(&e, &em));
		rdls_report_failure_json(o, p->host, NULL, r.error, rc);
		goto out;
	}

	struct rdls_exec_hooks hooks = { .settled = rdls_audit_step, .actx = &audit };
	rdls_audit_started(&audit, p->host, o->profile, rdls_journal_path(jw), n);
#if defined(RDLS_TESTING) || defined(RDLS_CRASHPOINTS)
	rdls_exec_crash_from_env(sys, &hooks);
#endif
	rc = rdls_exec_apply(p, sys, r.secret, jw, &hooks, &x);
	/* Every change is made or undone: the secret is not needed any more. */
	rdls_secret_free(r.secret);
	r.secret = NULL;
	if (rc < 0 || !x) {
		rc = rdls_planrun_fail(o, &r, "out of memory before the first change: nothing was changed");
		rdls_report_failure_json(o, p->host, rdls_journal_path(jw), r.error, rc);
		goto out;
	}
	if (rc == RDLS_EXEC_CRASHED) /* test builds: a simulated crash leaves everything as is */
		goto out;
	rc = rdls_exec_exit_code(x);
	rdls_audit_finished(&audit, p->host, x);
	if (x->error)
		rdls_error(o, "%s", x->error);
	/* Then whatever went wrong while undoing. */
	for (size_t i = 0; i < x->n_items; i++) {
		const char *ie = x->items[i].error;
		if (ie && (!x->error || strcmp(ie, x->error) != 0))
			rdls_error(o, "%s", ie);
	}
	rdls_report_apply(o, p, x, rdls_journal_path(jw));
out:
	if (rc != 0 && rc != RDLS_EXEC_CRASHED) /* only before the start: else finished said it */
		rdls_audit_refused(&audit, r.host, o->profile, r.error, rc);
	rdls_exec_free(x);
	rdls_journal_close(jw);
	rdls_planrun_release(&r);
	if (locked)
		sys->ops->lock_release(sys->ctx);
	return rc;
}
