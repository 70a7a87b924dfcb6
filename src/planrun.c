/*
 * The first half of plan and apply (planrun.h): host, profile, roles, secret, plan.
 * Apart from cmd_plan.c so that every cmd_*.c exports only its command.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/buf.h"
#include "rdls/planfile.h" /* RDLS_SHA256_HEX */
#include "rdls/planrun.h"
#include "rdls/precond.h"
#include "rdls/secret_src.h"
#include "rdls/util.h"

#define PROFILE_HASH_MAX (4u * 1024u * 1024u) /* a profile a saved plan can seal */

int rdls_planrun_fail(const struct rdls_opts *o, struct rdls_planrun *r, const char *fmt, ...)
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
		return rdls_planrun_fail(o, r, "cannot tell which computer this is (use --host "
					 "NAME): %s", rdls_errmsg_of(&e, &em));
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
		return rdls_planrun_fail(o, r, "cannot read profile '%s': %s", o->profile,
					 rdls_errmsg_of(&e, &em));
	}
	if (r->hash_profile && hash_profile(sys, f, o->profile, r->profile_sha256, &e) != 0) {
		fclose(f);
		return rdls_planrun_fail(o, r, "cannot hash profile '%s': %s", o->profile,
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
			return rdls_planrun_fail(o, r, "profile '%s' changed since the plan was "
						 "saved (SHA-256 %.12s..., saved plan: %.12s...): "
						 "nothing was changed; plan again from the profile "
						 "as it is now", o->profile, hex, r->expect_sha256);
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
		return rdls_planrun_fail(o, r, "%s", rdls_errmsg_of(&e, &em));
	}
	/* Before the password is asked for: a license server without its role goes no further. */
	if (is_ls && rdls_ls_role_require(sys, r->host, &e) != 0) {
		return rdls_planrun_fail(o, r, "%s", rdls_errmsg_of(&e, &em));
	}
	if (rdls_plan_needs_secret(r->model, r->host)) {
		/* Reading NETWORK SERVICE's credentials takes a short-lived service (cred.c). */
		bool elevated = false;
		if (sys->ops->is_elevated(sys->ctx, &elevated, &e) != 0) {
			return rdls_planrun_fail(o, r, "cannot tell whether this prompt is "
						 "elevated: %s", rdls_errmsg_of(&e, &em));
		}
		if (!elevated)
			return rdls_planrun_fail(o, r, "planning %s reads the NETWORK SERVICE "
						 "credential store through a temporary service, "
						 "which needs an elevated prompt: start the prompt "
						 "with 'Run as administrator'", r->host);
	}
	if (rdls_plan_needs_secret(r->model, r->host) && !(r->secret_source = secret_source(r->model)))
		return rdls_planrun_fail(o, r, "out of memory");
	if (rdls_plan_needs_secret(r->model, r->host) &&
	    rdls_peer_secret_load(r->model, sys, o->err, &r->secret, &e) != 0) {
		return rdls_planrun_fail(o, r, "cannot read the peer password: %s",
					 rdls_errmsg_of(&e, &em));
	}
	const struct rdls_plan_opts po = { .secret = r->secret, .rotate = o->rotate };
	if (rdls_plan_build(r->model, r->host, sys, &po, &r->plan, &e) != 0) {
		return rdls_planrun_fail(o, r, "%s", rdls_errmsg_of(&e, &em));
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
