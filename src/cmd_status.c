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
 * A check's results become status's rows: passed -> ok, a finding that needs action ->
 * failed (with the finding's id and remedy), not run -> error (checks that do not concern
 * the host are left out). Read-only; needs no secret. Exit 0 when every check holds, 2
 * when one does not, 1 when a check could not be performed (the call that failed is shown).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/report.h"

enum check_result { CHECK_OK = 0, CHECK_FAILED, CHECK_ERROR };

static enum check_result result_of(const struct rdls_dresult *r)
{
	if (r->status == RDLS_D_PASSED || (r->status == RDLS_D_FINDING && r->sev == RDLS_DSEV_INFO))
		return CHECK_OK;
	return r->status == RDLS_D_FINDING ? CHECK_FAILED : CHECK_ERROR;
}

static const char *result_name(enum check_result x)
{
	return x == CHECK_OK ? "ok" : x == CHECK_FAILED ? "failed" : "error";
}

/* What a row says: a not-run check's reason, else the title and the evidence. */
static void detail_of(const struct rdls_dresult *r, struct rdls_buf *b)
{
	if (r->status == RDLS_D_NOT_RUN) {
		rdls_buf_printf(b, "could not check: %s", r->reason ? r->reason : "unknown reason");
		return;
	}
	rdls_buf_puts(b, r->title ? r->title : r->check);
	if (r->evidence)
		rdls_buf_printf(b, " (%s)", r->evidence);
}

static void report(const struct rdls_opts *o, const struct rdls_model *m,
		   const struct rdls_diagnosis *d, int rc)
{
	size_t failed = 0, errors = 0, n = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].not_applicable)
			continue;
		n++;
		failed += result_of(&d->v[i]) == CHECK_FAILED;
		errors += result_of(&d->v[i]) == CHECK_ERROR;
	}
	struct rdls_buf b;
	rdls_buf_init(&b);
	if (o->json) {
		struct rdls_json j;
		rdls_report_json_begin(&j, o->out, "status", d->host, m->path);
		rdls_json_kv_bool(&j, "ok", rc == RDLS_EXIT_OK);
		rdls_json_kv_int(&j, "failed", (long long)failed);
		rdls_json_kv_int(&j, "check_errors", (long long)errors);
		rdls_json_key(&j, "checks");
		rdls_json_arr_begin(&j);
		for (size_t i = 0; i < d->n; i++) {
			const struct rdls_dresult *r = &d->v[i];
			if (r->not_applicable)
				continue;
			enum check_result x = result_of(r);
			rdls_buf_reset(&b);
			detail_of(r, &b);
			rdls_json_obj_begin(&j);
			rdls_json_kv_str(&j, "check", r->check);
			rdls_json_kv_str(&j, "subject", r->subject ? r->subject : d->host);
			rdls_json_kv_str(&j, "result", result_name(x));
			rdls_json_kv_str(&j, "detail", rdls_buf_str(&b));
			if (x == CHECK_FAILED) {
				rdls_json_kv_str(&j, "finding", r->id);
				rdls_json_kv_str(&j, "remedy", r->remedy);
			}
			rdls_json_obj_end(&j);
		}
		rdls_json_arr_end(&j);
		const struct rdls_report_end end = { .exit_code = rc };
		rdls_report_json_end(&j, &end);
		rdls_buf_release(&b);
		return;
	}
	if (!o->quiet)
		fprintf(o->out, "status of %s from '%s' (as the licensing service checks it):\n",
			d->host, m->path);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdls_dresult *r = &d->v[i];
		enum check_result x = result_of(r);
		if (r->not_applicable || (o->quiet && x == CHECK_OK))
			continue;
		const char *tag = x == CHECK_OK ? "ok    " : x == CHECK_FAILED ? "FAILED" : "ERROR ";
		rdls_buf_reset(&b);
		detail_of(r, &b);
		if (o->color && x != CHECK_OK)
			fprintf(o->out, "  \033[1;31m%s\033[0m %s %s: %s\n", tag, r->check,
				r->subject ? r->subject : d->host, rdls_buf_str(&b));
		else
			fprintf(o->out, "  %s %s %s: %s\n", tag, r->check,
				r->subject ? r->subject : d->host, rdls_buf_str(&b));
		if (x == CHECK_FAILED && r->remedy)
			fprintf(o->out, "         %s: remedy: %s\n", r->id, r->remedy);
	}
	if (rc == RDLS_EXIT_OK)
		fprintf(o->out, "all %lu checks hold\n", (unsigned long)n);
	else
		fprintf(o->out, "%lu of %lu checks do not hold%s\n", (unsigned long)(failed + errors),
			(unsigned long)n, errors ? " (some could not be performed)" : "");
	rdls_buf_release(&b);
}

/* An error before any check ran: "error: ..." on o->err, and with --json the document. */
static int fail(const struct rdls_opts *o, const char *host, const struct rdls_diags *d,
		const char *fmt, ...) RDLS_PRINTF(4, 5);

static int fail(const struct rdls_opts *o, const char *host, const struct rdls_diags *d,
		const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rdls_error(o, "%s", msg);
	rdls_report_failure_diags(o, host, NULL, d, msg, RDLS_EXIT_ERROR);
	return RDLS_EXIT_ERROR;
}

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

	FILE *f = sys->ops->file_open(sys->ctx, o->profile, "r", &e);
	if (!f) {
		char msg[RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 32];
		rdls_err_format(&e, msg, sizeof(msg));
		rc = fail(o, NULL, NULL, "cannot read profile '%s': %s", o->profile, msg);
		goto out;
	}
	m = rdls_model_load(f, o->profile, &diags);
	fclose(f);
	if (!m) {
		rdls_diags_print(&diags, o->err);
		rc = fail(o, o->host, &diags, "'%s' is not a valid profile (%lu error%s; see 'rdlsctl "
			  "validate')", o->profile, (unsigned long)diags.n_errors,
			  diags.n_errors == 1 ? "" : "s");
		goto out;
	}
	if (o->host) {
		snprintf(host, sizeof(host), "%s", o->host);
	} else if (sys->ops->host_name(sys->ctx, host, sizeof(host), &e) != 0) {
		char msg[RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 32];
		rdls_err_format(&e, msg, sizeof(msg));
		rc = fail(o, NULL, NULL, "cannot tell which host this is (use --host NAME): %s", msg);
		goto out;
	}
	bool is_ls = false, is_sh = false;
	if (rdls_plan_roles(m, host, &is_ls, &is_sh, &e) != 0) {
		rc = fail(o, host, NULL, "%s", e.text);
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
		char msg[RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 32];
		rdls_err_format(&e, msg, sizeof(msg));
		rc = fail(o, dopt.host, NULL, "%s", msg);
		goto out;
	}
	rc = RDLS_EXIT_OK;
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].not_applicable)
			continue;
		if (result_of(&d.v[i]) == CHECK_ERROR)
			rc = RDLS_EXIT_ERROR;
		else if (result_of(&d.v[i]) == CHECK_FAILED && rc == RDLS_EXIT_OK)
			rc = RDLS_EXIT_PENDING;
	}
	report(o, m, &d, rc);
out:
	rdls_diagnosis_release(&d);
	rdls_model_free(m);
	rdls_diags_release(&diags);
	return rc;
}
