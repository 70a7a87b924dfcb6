/*
 * `rdlsctl plan PROFILE [--host NAME]` (and `apply --dry-run`, which is exactly
 * this): observe the host with read-only calls and print what apply would change.
 * Exit 0 converged, 2 changes pending, 1 error.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/plan.h"
#include "rdls/precond.h"
#include "rdls/report.h"
#include "rdls/secret_src.h"

#define MSG_MAX (RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 64)

static int fail(const struct rdls_opts *o, struct rdls_planrun *r, const char *fmt, ...)
	RDLS_PRINTF(3, 4);

static int fail(const struct rdls_opts *o, struct rdls_planrun *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	rdls_error(o, "%s", r->error);
	return RDLS_EXIT_ERROR;
}

int rdls_planrun_host(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	rdls_err e;
	rdls_err_clear(&e);
	if (o->host) {
		char self[256];
		snprintf(r->host, sizeof(r->host), "%s", o->host);
		/* Names written on this machine ("H\\group", "H\\account") would name another one. */
		if (sys->ops->host_name(sys->ctx, self, sizeof(self), &e) == 0 &&
		    !rdls_name_eq(self, o->host))
			rdls_warning(o, "--host %s is not this computer ('%s'): the values written here "
				     "will name %s's accounts and group",
				     o->host, self, o->host);
		return 0;
	}
	if (sys->ops->host_name(sys->ctx, r->host, sizeof(r->host), &e) != 0) {
		char msg[MSG_MAX];
		r->host[0] = '\0';
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "cannot tell which computer this is (use --host NAME): %s", msg);
	}
	return 0;
}

int rdls_planrun_load(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	char msg[MSG_MAX];
	rdls_err e;
	rdls_err_clear(&e);

	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "rb", &e);
	if (!f) {
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "cannot read profile '%s': %s", o->profile, msg);
	}
	struct rdls_diags *d = &r->diags;
	rdls_diags_init(d, o->profile);
	r->model = rdls_model_load(f, o->profile, d);
	fclose(f);
	if (!r->model || d->n_errors) {
		rdls_diags_print(d, o->err);
		snprintf(r->error, sizeof(r->error), "'%s' is not a valid profile (%zu error%s; see "
			 "'rdlsctl validate')", o->profile, d->n_errors, d->n_errors == 1 ? "" : "s");
		return RDLS_EXIT_ERROR; /* the errors stay in r->diags for --json */
	}
	if (o->verbose)
		rdls_diags_print(d, o->err); /* the profile's warnings: validate shows them too */
	rdls_diags_release(d);

	bool is_ls, is_sh;
	if (rdls_plan_roles(r->model, r->host, &is_ls, &is_sh, &e) != 0) {
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "%s", msg);
	}
	/* Before the password is asked for: a license server without its role goes no further. */
	if (is_ls && rdls_ls_role_require(sys, r->host, &e) != 0) {
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "%s", msg);
	}
	if (rdls_plan_needs_secret(r->model, r->host)) {
		/* Reading NETWORK SERVICE's credentials takes a short-lived service (cred.c). */
		bool elevated = false;
		if (sys->ops->is_elevated(sys->ctx, &elevated, &e) != 0) {
			rdls_err_format(&e, msg, sizeof(msg));
			return fail(o, r, "cannot tell whether this prompt is elevated: %s", msg);
		}
		if (!elevated)
			return fail(o, r, "planning %s reads the NETWORK SERVICE credential store through "
				    "a temporary service, which needs an elevated prompt: start the "
				    "prompt with 'Run as administrator'", r->host);
	}
	if (rdls_plan_needs_secret(r->model, r->host) &&
	    rdls_peer_secret_load(r->model, sys, o->err, &r->secret, &e) != 0) {
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "cannot read the peer password: %s", msg);
	}
	const struct rdls_plan_opts po = { .secret = r->secret, .rotate = o->rotate };
	if (rdls_plan_build(r->model, r->host, sys, &po, &r->plan, &e) != 0) {
		rdls_err_format(&e, msg, sizeof(msg));
		return fail(o, r, "%s", msg);
	}
	return 0;
}

void rdls_planrun_release(struct rdls_planrun *r)
{
	rdls_secret_free(r->secret);
	r->secret = NULL;
	rdls_plan_free(r->plan);
	r->plan = NULL;
	rdls_model_free(r->model);
	r->model = NULL;
	rdls_diags_release(&r->diags);
}

int cmd_plan(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct rdls_planrun r;
	memset(&r, 0, sizeof(r));
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
