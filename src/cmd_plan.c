/*
 * `rdlsctl plan PROFILE [--host NAME]` (and `apply --dry-run`, which is exactly
 * this): observe the host with read-only calls and print what apply would change.
 * Exit 0 converged, 2 changes pending, 1 error.
 */
#include <string.h>
#include <time.h>

#include "rdls/cli.h"
#include "rdls/clock.h"
#include "rdls/plan.h"
#include "rdls/planfile.h"
#include "rdls/planrun.h"
#include "rdls/report.h"

/* plan --out FILE: the plan as reviewed, for apply --plan. Never a plan apply would refuse. */
static int save(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	const struct rdls_plan *p = r->plan;
	if (p->n_impossible)
		return rdls_planrun_fail(o, r, "nothing saved: apply cannot run this plan on %s: "
					 "%s; %s", p->host, p->blocked_why, p->blocked_remedy);
	char computer[256] = "";
	rdls_errmsg em;
	rdls_err e;
	rdls_err_clear(&e);
	if (sys->ops->host_name(sys->ctx, computer, sizeof(computer), &e) != 0)
		computer[0] = '\0';
	rdls_err_clear(&e);
	const struct rdls_planfile_meta m = { .computer = computer,
					      .secret = r->secret_source,
					      .profile_sha256 = r->profile_sha256,
					      .created = (time_t)rdls_clock_now(sys) };
	if (rdls_planfile_write(sys, o->plan_out, p, &m, &e) != 0) {
		return rdls_planrun_fail(o, r, "cannot save the plan to '%s': %s", o->plan_out,
					 rdls_errmsg_of(&e, &em));
	}
	return 0;
}

int cmd_plan(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct rdls_planrun r;
	memset(&r, 0, sizeof(r));
	r.hash_profile = o->plan_out != NULL;
	int rc = rdls_planrun_host(o, sys, &r);
	if (rc == 0)
		rc = rdls_planrun_load(o, sys, &r);
	if (rc != 0) {
		rdls_report_failure_diags(o, r.host[0] ? r.host : NULL, NULL, &r.diags, r.error, rc);
		goto out;
	}
	/* The plan is made: the secret is not needed any more. */
	rdls_secret_free(r.secret);
	r.secret = NULL;
	if (o->plan_out && (rc = save(o, sys, &r)) != 0) {
		rdls_report_failure_json(o, r.plan->host, NULL, r.error, rc);
		goto out;
	}
	rdls_report_plan(o, r.plan);
	rc = rdls_plan_changes(r.plan) ? RDLS_EXIT_PENDING : RDLS_EXIT_OK;
	if (r.plan->n_impossible) {
		/* The plan is shown (what is impossible and why); apply would refuse it. */
		rdls_error(o, "apply cannot run this plan on %s: %s; %s", r.plan->host,
			   r.plan->blocked_why, r.plan->blocked_remedy);
		rc = RDLS_EXIT_ERROR;
	}
out:
	rdls_planrun_release(&r);
	return rc;
}
