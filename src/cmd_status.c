/*
 * `rdlsctl status PROFILE [--host NAME]`: verifies the live state the way the
 * licensing service itself reads it, not the way apply wrote it. Status is a named
 * subset of diagnose's table of checks (src/diag_core.c: the rows with status roles),
 * run by the same functions, so each rule lives in one place:
 *   - accounts-group: WorkgroupLicenseServerAccountsGroup read as REG_SZ only, naming the
 *     profile's group, resolving (LookupAccountNameW) to a group or alias;
 *   - peer-account: the peer account exists and is a member of that group;
 *   - peer-credentials: every peer credential exists in the NETWORK SERVICE logon context;
 *   - leading-space: no value named with the published commands' leading space;
 *   - ls-publication / specified-servers: IsLSPublished or SpecifiedLicenseServers, as
 *     the profile says;
 *   - licensing-mode, license-servers (with os-version, which they read): on a session
 *     host, the two licensing policies as the profile sets them.
 * A check's results become status's rows (rdls_report_check_result; report_diag.c prints
 * them): passed -> ok, a finding that needs action -> failed (with the finding's id and
 * remedy), not run -> error (checks that do not concern the host are left out). Read-only; needs no secret. Exit 0 when every check holds, 2
 * when one does not, 1 when a check could not be performed (the call that failed is shown).
 */
#include <stdio.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/report.h"

int cmd_status(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct rdls_diags diags;
	struct rdls_model *m = NULL;
	rdls_err e;
	char host[256];
	int rc = RDLS_EXIT_ERROR;

	rdls_err_clear(&e);
	rdls_diags_init(&diags, o->profile);
	struct rdls_diagnosis d;
	memset(&d, 0, sizeof(d));

	struct rdls_report_env env = { .profile = o->profile, .exit_code = RDLS_EXIT_ERROR };
	rdls_errmsg em;
	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "r", &e);
	if (!f) {
		rc = rdls_report_fail(o, &env, "cannot read profile '%s': %s", o->profile,
				      rdls_errmsg_of(&e, &em));
		goto out;
	}
	m = rdls_model_load(f, o->profile, &diags);
	fclose(f);
	if (!m) {
		rdls_diags_print(&diags, o->err);
		env.host = o->host;
		env.diags = &diags;
		rc = rdls_report_fail(o, &env, "'%s' is not a valid profile (%lu error%s; see "
				      "'rdlsctl validate')", o->profile, (unsigned long)diags.n_errors,
				      diags.n_errors == 1 ? "" : "s");
		goto out;
	}
	if (o->host) {
		snprintf(host, sizeof(host), "%s", o->host);
	} else if (sys->ops->host_name(sys->ctx, host, sizeof(host), &e) != 0) {
		rc = rdls_report_fail(o, &env, "cannot tell which host this is (use --host NAME): %s",
				      rdls_errmsg_of(&e, &em));
		goto out;
	}
	bool is_ls = false, is_sh = false;
	env.host = host;
	if (rdls_plan_roles(m, host, &is_ls, &is_sh, &e) != 0) {
		rc = rdls_report_fail(o, &env, "%s", e.text);
		goto out;
	}
	const struct rdls_license_server *ls = rdls_model_find_ls(m, host);
	const struct rdls_session_host *sh = rdls_model_find_sh(m, host);
	struct rdls_diagnose_opts dopt;
	rdls_diagnose_opts_init(&dopt);
	dopt.model = m;
	dopt.profile_path = o->profile;
	dopt.host = ls ? ls->name : sh->name;
	dopt.status = true;
	rdls_err_clear(&e);
	if (rdls_diagnose(sys, &dopt, &d, &e) != 0) {
		env.host = dopt.host;
		rc = rdls_report_fail(o, &env, "%s", rdls_errmsg_of(&e, &em));
		goto out;
	}
	rc = RDLS_EXIT_OK;
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].not_applicable)
			continue;
		enum rdls_check_result x = rdls_report_check_result(&d.v[i]);
		if (x == RDLS_CHECK_ERROR)
			rc = RDLS_EXIT_ERROR;
		else if (x == RDLS_CHECK_FAILED && rc == RDLS_EXIT_OK)
			rc = RDLS_EXIT_PENDING;
	}
	const struct rdls_report_env done = { .command = "status", .host = d.host,
					      .profile = m->path, .exit_code = rc };
	rdls_report_status(o, &done, &d);
out:
	rdls_diagnosis_release(&d);
	rdls_model_free(m);
	rdls_diags_release(&diags);
	return rc;
}
