/*
 * `rdlsctl plan PROFILE [--host NAME]` (and `apply --dry-run`, which is exactly
 * this): observe the host with read-only calls and print what apply would change.
 * Exit 0 converged, 2 changes pending, 1 error.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdls/cli.h"
#include "rdls/clock.h"
#include "rdls/plan.h"
#include "rdls/planfile.h"
#include "rdls/precond.h"
#include "rdls/report.h"
#include "rdls/secret_src.h"

#define PROFILE_HASH_MAX (4u * 1024u * 1024u) /* a profile a saved plan can seal */

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
		rdls_errmsg em;
		r->host[0] = '\0';
		return fail(o, r, "cannot tell which computer this is (use --host NAME): %s",
			    rdls_errmsg_of(&e, &em));
	}
	return 0;
}

/*
 * The SHA-256 of f's content, then f rewound for the profile reader. The plan built from
 * what is read next is compared step for step with a saved one (apply --plan), so a
 * profile rewritten between the two reads cannot slip a different plan through.
 */
static int hash_profile(struct rdls_sys *sys, FILE *f, const char *path, unsigned char out[32],
			rdls_err *e)
{
	char *buf = malloc(PROFILE_HASH_MAX + 1);
	if (!buf)
		return rdls_err_set(e, NULL, path, 0, "out of memory");
	size_t n = fread(buf, 1, PROFILE_HASH_MAX + 1, f);
	int rc = -1;
	if (ferror(f))
		rdls_err_set(e, "fread", path, 0, "read error");
	else if (n > PROFILE_HASH_MAX)
		rdls_err_set(e, NULL, path, 0, "larger than %u bytes: too large for a saved plan",
			     PROFILE_HASH_MAX);
	else if (!sys->ops->sha256)
		rdls_err_set(e, NULL, path, 0, "this system offers no SHA-256");
	else if (sys->ops->sha256(sys->ctx, buf, n, out, e) == 0)
		rc = 0;
	free(buf);
	if (rc == 0 && fseek(f, 0, SEEK_SET) != 0)
		rc = rdls_err_set(e, "fseek", path, 0, "cannot read the profile again");
	return rc;
}

static char *secret_source(const struct rdls_model *m)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	const struct rdls_peering *pe = &m->peering;
	if (pe->src == RDLS_SECRET_PROMPT)
		rdls_buf_puts(&b, "prompt");
	else
		rdls_buf_printf(&b, "%s:%s", pe->src == RDLS_SECRET_ENV ? "env" : "file",
				pe->secret_ref ? pe->secret_ref : "");
	return rdls_buf_take(&b);
}

int rdls_planrun_load(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	rdls_errmsg em;
	rdls_err e;
	rdls_err_clear(&e);

	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "rb", &e);
	if (!f) {
		return fail(o, r, "cannot read profile '%s': %s", o->profile,
			    rdls_errmsg_of(&e, &em));
	}
	if (r->hash_profile && hash_profile(sys, f, o->profile, r->profile_sha256, &e) != 0) {
		fclose(f);
		return fail(o, r, "cannot hash profile '%s': %s", o->profile,
			    rdls_errmsg_of(&e, &em));
	}
	if (r->expect_sha256) {
		static const char hx[] = "0123456789abcdef";
		char hex[RDLS_SHA256_HEX];
		for (size_t i = 0; i < 32; i++) {
			hex[2 * i] = hx[r->profile_sha256[i] >> 4];
			hex[2 * i + 1] = hx[r->profile_sha256[i] & 15];
		}
		hex[64] = '\0';
		if (strcmp(hex, r->expect_sha256) != 0) {
			fclose(f);
			return fail(o, r, "profile '%s' changed since the plan was saved (SHA-256 %.12s..., "
				    "saved plan: %.12s...): nothing was changed; plan again from the "
				    "profile as it is now", o->profile, hex, r->expect_sha256);
		}
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
		return fail(o, r, "%s", rdls_errmsg_of(&e, &em));
	}
	/* Before the password is asked for: a license server without its role goes no further. */
	if (is_ls && rdls_ls_role_require(sys, r->host, &e) != 0) {
		return fail(o, r, "%s", rdls_errmsg_of(&e, &em));
	}
	if (rdls_plan_needs_secret(r->model, r->host)) {
		/* Reading NETWORK SERVICE's credentials takes a short-lived service (cred.c). */
		bool elevated = false;
		if (sys->ops->is_elevated(sys->ctx, &elevated, &e) != 0) {
			return fail(o, r, "cannot tell whether this prompt is elevated: %s",
				    rdls_errmsg_of(&e, &em));
		}
		if (!elevated)
			return fail(o, r, "planning %s reads the NETWORK SERVICE credential store through "
				    "a temporary service, which needs an elevated prompt: start the "
				    "prompt with 'Run as administrator'", r->host);
	}
	if (rdls_plan_needs_secret(r->model, r->host) && !(r->secret_source = secret_source(r->model)))
		return fail(o, r, "out of memory");
	if (rdls_plan_needs_secret(r->model, r->host) &&
	    rdls_peer_secret_load(r->model, sys, o->err, &r->secret, &e) != 0) {
		return fail(o, r, "cannot read the peer password: %s", rdls_errmsg_of(&e, &em));
	}
	const struct rdls_plan_opts po = { .secret = r->secret, .rotate = o->rotate };
	if (rdls_plan_build(r->model, r->host, sys, &po, &r->plan, &e) != 0) {
		return fail(o, r, "%s", rdls_errmsg_of(&e, &em));
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
	free(r->secret_source);
	r->secret_source = NULL;
}

/* plan --out FILE: the plan as reviewed, for apply --plan. Never a plan apply would refuse. */
static int save(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r)
{
	const struct rdls_plan *p = r->plan;
	if (p->n_impossible)
		return fail(o, r, "nothing saved: apply cannot run this plan on %s: %s; %s", p->host,
			    p->blocked_why, p->blocked_remedy);
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
		return fail(o, r, "cannot save the plan to '%s': %s", o->plan_out,
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
