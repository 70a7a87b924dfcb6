/*
 * rdlsctl validate PROFILE: load and check the profile; touches nothing.
 * Text: every problem as "FILE:LINE: message" on o->err, a one-line summary on
 * o->out when the profile is valid. --json: one document on o->out, nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/report.h"

/* The envelope of report.c; the profile's errors and warnings with file and line. */
static void json_doc(FILE *f, const char *profile, bool valid, const struct rdls_diags *d)
{
	struct rdls_json j;
	rdls_report_json_begin(&j, f, "validate", NULL, profile);
	rdls_json_kv_bool(&j, "valid", valid);
	const struct rdls_report_end end = { .diags = d,
					     .exit_code = valid ? RDLS_EXIT_OK : RDLS_EXIT_ERROR };
	rdls_report_json_end(&j, &end);
}

static size_t count(const struct rdls_diags *d, enum rdls_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].sev == sev;
	return n;
}

int cmd_validate(const struct rdls_opts *o, struct rdls_sys *sys)
{
	if (!o->profile) {
		rdls_error(o, "validate needs a profile: rdlsctl validate PROFILE");
		rdls_report_failure_json(o, NULL, NULL, "validate needs a profile", RDLS_EXIT_USAGE);
		return RDLS_EXIT_USAGE;
	}
	struct rdls_diags d;
	rdls_diags_init(&d, o->profile);
	rdls_err err;
	rdls_err_clear(&err);
	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "rb", &err);
	if (!f) {
		char why[RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 128];
		rdls_err_format(&err, why, sizeof(why));
		if (o->json) {
			rdls_diags_add(&d, RDLS_SEV_ERROR, 0, "cannot open the profile: %s", why);
			json_doc(o->out, o->profile, false, &d);
		} else {
			rdls_error(o, "cannot open profile '%s': %s", o->profile, why);
		}
		rdls_diags_release(&d);
		return RDLS_EXIT_ERROR;
	}
	struct rdls_model *m = rdls_model_load(f, o->profile, &d);
	fclose(f);

	if (o->json) {
		json_doc(o->out, o->profile, m != NULL, &d);
	} else {
		rdls_diags_print(&d, o->err);
		if (!m) {
			/* rdls_error's format is checked as MS printf by mingw: no %zu there. */
			size_t w = count(&d, RDLS_SEV_WARNING);
			char counts[96];
			snprintf(counts, sizeof(counts), "%zu error%s, %zu warning%s", d.n_errors,
				 d.n_errors == 1 ? "" : "s", w, w == 1 ? "" : "s");
			rdls_error(o, "profile '%s' is not valid: %s", o->profile, counts);
		} else if (!o->quiet) {
			fprintf(o->out,
				"%s: valid (%s, %s, CAL %s; %zu license server%s, %zu session "
				"host%s)\n",
				o->profile, rdls_membership_name(m->membership),
				rdls_licmode_name(m->licensing_mode), rdls_cal_name(m->cal),
				m->n_ls, m->n_ls == 1 ? "" : "s", m->n_sh, m->n_sh == 1 ? "" : "s");
		}
	}
	int rc = m ? RDLS_EXIT_OK : RDLS_EXIT_ERROR;
	rdls_model_free(m);
	rdls_diags_release(&d);
	return rc;
}
