/*
 * rdlsctl validate PROFILE: load and check the profile; touches nothing.
 * Text: every problem as "FILE:LINE: message" on o->err, a one-line summary on
 * o->out when the profile is valid. --json: one document on o->out, nothing else.
 */
#include <stdio.h>

#include "rdls/cli.h"
#include "rdls/model.h"
#include "rdls/report.h"

int cmd_validate(const struct rdls_opts *o, struct rdls_sys *sys)
{
	if (!o->profile) {
		rdls_error(o, "validate needs a profile: rdlsctl validate PROFILE");
		rdls_report_failure_json(o, NULL, NULL, "validate needs a profile", RDLS_EXIT_USAGE);
		return RDLS_EXIT_USAGE;
	}
	struct rdls_diags d;
	rdls_diags_init(&d, o->profile);
	struct rdls_report_env env = { .command = "validate", .profile = o->profile, .diags = &d,
				       .exit_code = RDLS_EXIT_ERROR };
	rdls_err err;
	rdls_err_clear(&err);
	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "rb", &err);
	if (!f) {
		rdls_errmsg em;
		rdls_report_validate(o, &env, NULL, rdls_errmsg_of(&err, &em));
		rdls_diags_release(&d);
		return RDLS_EXIT_ERROR;
	}
	struct rdls_model *m = rdls_model_load(f, o->profile, &d);
	fclose(f);
	env.exit_code = m ? RDLS_EXIT_OK : RDLS_EXIT_ERROR;
	rdls_report_validate(o, &env, m, NULL);
	int rc = env.exit_code;
	rdls_model_free(m);
	rdls_diags_release(&d);
	return rc;
}
