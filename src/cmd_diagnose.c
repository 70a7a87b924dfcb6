/*
 * rdlsctl diagnose [PROFILE]: the checks of diagnose.c on this machine, printed as
 * text (findings first, each with evidence, cause and remedy) or as one JSON
 * document on o->out. Exit 0 when nothing needs action, 2 when a finding does,
 * 1 on error (the profile is invalid, the host cannot be identified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/report.h"

static const char *sev_colour(enum rdls_dsev s)
{
	switch (s) {
	case RDLS_DSEV_ERROR: return "1;31";
	case RDLS_DSEV_WARNING: return "1;33";
	case RDLS_DSEV_SECURITY: return "1;35";
	default: return "1;36";
	}
}

static void label(const struct rdls_opts *o, const char *colour, const char *text)
{
	if (o->color)
		fprintf(o->out, "\033[%sm%-8s\033[0m ", colour, text);
	else
		fprintf(o->out, "%-8s ", text);
}

static void print_os(FILE *f, const struct rdls_diagnosis *d)
{
	if (!d->have_os) {
		fputs("Windows version unknown", f);
		return;
	}
	enum rdls_os v;
	if (d->os.server && rdls_os_from_version(&d->os, &v))
		fprintf(f, "Windows Server %s", rdls_os_display(v));
	else
		fprintf(f, "Windows %u.%u%s", (unsigned)d->os.major, (unsigned)d->os.minor,
			d->os.server ? " (server)" : "");
	fprintf(f, " (%u.%u build %u), %s", (unsigned)d->os.major, (unsigned)d->os.minor,
		(unsigned)d->os.build,
		d->os.domain_controller ? "domain controller"
					: (d->os.domain_joined ? "domain member" : "workgroup"));
}

static const char *roles_text(const struct rdls_diagnosis *d)
{
	if (d->is_license_server && d->is_session_host)
		return "license server and session host";
	if (d->is_license_server)
		return "license server";
	if (d->is_session_host)
		return "session host";
	return "none";
}

static void print_text(const struct rdls_opts *o, const struct rdls_diagnosis *d)
{
	FILE *f = o->out;
	if (!o->quiet) {
		fprintf(f, "diagnose %s: ", d->host);
		print_os(f, d);
		fprintf(f, "; role: %s (%s)\n\n", roles_text(d),
			d->roles_from_profile ? o->profile : "as observed; no profile describes it");
	}
	/* Findings that need action first, by severity; then info; then not run; then passed. */
	static const enum rdls_dsev order[] = { RDLS_DSEV_ERROR, RDLS_DSEV_SECURITY, RDLS_DSEV_WARNING,
						RDLS_DSEV_INFO };
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; i < d->n; i++) {
			const struct rdls_dresult *r = &d->v[i];
			if (r->status != RDLS_D_FINDING || r->sev != order[k])
				continue;
			label(o, sev_colour(r->sev), rdls_dsev_name(r->sev));
			fprintf(f, "%s: %s\n", r->id, r->title ? r->title : "");
			if (r->evidence)
				fprintf(f, "         evidence: %s\n", r->evidence);
			if (r->cause)
				fprintf(f, "         cause:    %s\n", r->cause);
			if (r->remedy)
				fprintf(f, "         remedy:   %s\n", r->remedy);
		}
	}
	if (!o->quiet) {
		for (size_t i = 0; i < d->n; i++) {
			const struct rdls_dresult *r = &d->v[i];
			if (r->status != RDLS_D_NOT_RUN)
				continue;
			label(o, "2", "not run");
			fprintf(f, "%s%s%s: %s\n", r->check, r->subject ? " " : "",
				r->subject ? r->subject : "", r->reason ? r->reason : "");
		}
		for (size_t i = 0; i < d->n; i++) {
			const struct rdls_dresult *r = &d->v[i];
			if (r->status != RDLS_D_PASSED)
				continue;
			label(o, "1;32", "ok");
			fprintf(f, "%s: %s\n", r->check, r->title ? r->title : "");
			if (o->verbose && r->evidence)
				fprintf(f, "         evidence: %s\n", r->evidence);
		}
	}
	unsigned long nf = (unsigned long)rdls_diagnosis_count(d, RDLS_D_FINDING);
	unsigned long ne = (unsigned long)rdls_diagnosis_count_sev(d, RDLS_DSEV_ERROR);
	unsigned long ns = (unsigned long)rdls_diagnosis_count_sev(d, RDLS_DSEV_SECURITY);
	unsigned long nw = (unsigned long)rdls_diagnosis_count_sev(d, RDLS_DSEV_WARNING);
	unsigned long ni = (unsigned long)rdls_diagnosis_count_sev(d, RDLS_DSEV_INFO);
	unsigned long np = (unsigned long)rdls_diagnosis_count(d, RDLS_D_PASSED);
	unsigned long nr = (unsigned long)rdls_diagnosis_count(d, RDLS_D_NOT_RUN);
	fprintf(f, "%s%lu finding%s (%lu error%s, %lu security, %lu warning%s, %lu info), %lu check%s "
		   "passed, %lu not run\n",
		o->quiet ? "" : "\n", nf, nf == 1 ? "" : "s", ne, ne == 1 ? "" : "s", ns, nw,
		nw == 1 ? "" : "s", ni, np, np == 1 ? "" : "s", nr);
}

static void print_json(const struct rdls_opts *o, const struct rdls_diagnosis *d, int rc)
{
	struct rdls_json j;
	rdls_report_json_begin(&j, o->out, "diagnose", d->host, o->profile);
	rdls_json_key(&j, "os");
	if (d->have_os) {
		enum rdls_os v;
		rdls_json_obj_begin(&j);
		rdls_json_kv_int(&j, "major", d->os.major);
		rdls_json_kv_int(&j, "minor", d->os.minor);
		rdls_json_kv_int(&j, "build", d->os.build);
		rdls_json_kv_bool(&j, "server", d->os.server);
		rdls_json_kv_bool(&j, "domain_joined", d->os.domain_joined);
		rdls_json_kv_bool(&j, "domain_controller", d->os.domain_controller);
		rdls_json_kv_str(&j, "version", d->os.server && rdls_os_from_version(&d->os, &v)
							 ? rdls_os_name(v)
							 : NULL);
		rdls_json_obj_end(&j);
	} else {
		rdls_json_null(&j);
	}
	rdls_json_key(&j, "roles");
	rdls_json_obj_begin(&j);
	rdls_json_kv_bool(&j, "license_server", d->is_license_server);
	rdls_json_kv_bool(&j, "session_host", d->is_session_host);
	rdls_json_kv_bool(&j, "from_profile", d->roles_from_profile);
	rdls_json_obj_end(&j);
	rdls_json_key(&j, "summary");
	rdls_json_obj_begin(&j);
	rdls_json_kv_int(&j, "findings", (long long)rdls_diagnosis_count(d, RDLS_D_FINDING));
	rdls_json_kv_int(&j, "errors", (long long)rdls_diagnosis_count_sev(d, RDLS_DSEV_ERROR));
	rdls_json_kv_int(&j, "security", (long long)rdls_diagnosis_count_sev(d, RDLS_DSEV_SECURITY));
	rdls_json_kv_int(&j, "warnings", (long long)rdls_diagnosis_count_sev(d, RDLS_DSEV_WARNING));
	rdls_json_kv_int(&j, "info", (long long)rdls_diagnosis_count_sev(d, RDLS_DSEV_INFO));
	rdls_json_kv_int(&j, "passed", (long long)rdls_diagnosis_count(d, RDLS_D_PASSED));
	rdls_json_kv_int(&j, "not_run", (long long)rdls_diagnosis_count(d, RDLS_D_NOT_RUN));
	rdls_json_kv_bool(&j, "needs_action", rdls_diagnosis_needs_action(d));
	rdls_json_obj_end(&j);
	rdls_json_key(&j, "results");
	rdls_json_arr_begin(&j);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdls_dresult *r = &d->v[i];
		rdls_json_obj_begin(&j);
		rdls_json_kv_str(&j, "check", r->check);
		rdls_json_kv_str(&j, "status", rdls_dstatus_name(r->status));
		rdls_json_kv_str(&j, "subject", r->subject);
		if (r->status == RDLS_D_FINDING) {
			rdls_json_kv_str(&j, "id", r->id);
			rdls_json_kv_str(&j, "severity", rdls_dsev_name(r->sev));
		}
		if (r->status != RDLS_D_NOT_RUN) {
			rdls_json_kv_str(&j, "title", r->title);
			rdls_json_kv_str(&j, "evidence", r->evidence);
		}
		if (r->status == RDLS_D_FINDING) {
			rdls_json_kv_str(&j, "cause", r->cause);
			rdls_json_kv_str(&j, "remedy", r->remedy);
		}
		if (r->status == RDLS_D_NOT_RUN)
			rdls_json_kv_str(&j, "reason", r->reason);
		rdls_json_obj_end(&j);
	}
	rdls_json_arr_end(&j);
	const struct rdls_report_end end = { .exit_code = rc };
	rdls_report_json_end(&j, &end);
}

#ifdef RDLS_TESTING
/* Test builds only: point the RPC probe at a loopback listener the test started. */
static void testing_overrides(struct rdls_diagnose_opts *d)
{
	const char *p = getenv("RDLS_TEST_RPC_PORT");
	if (p && *p) {
		long v = strtol(p, NULL, 10);
		if (v > 0 && v < 65536)
			d->rpc_port = (uint16_t)v;
	}
	const char *t = getenv("RDLS_TEST_PROBE_TIMEOUT_MS");
	if (t && *t) {
		long v = strtol(t, NULL, 10);
		if (v > 0)
			d->probe_timeout_ms = (uint32_t)v;
	}
}
#endif

int cmd_diagnose(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct rdls_model *m = NULL;
	if (o->profile) {
		struct rdls_diags dg;
		rdls_diags_init(&dg, o->profile);
		rdls_err err;
		rdls_err_clear(&err);
		FILE *f = sys->ops->file_open ? sys->ops->file_open(sys->ctx, o->profile, "rb", &err)
					      : NULL;
		if (!f) {
			char why[RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 128];
			rdls_err_format(&err, why, sizeof(why));
			char msg[sizeof(why) + 1024];
			snprintf(msg, sizeof(msg), "cannot open profile '%s': %s", o->profile, why);
			rdls_error(o, "%s", msg);
			rdls_report_failure_json(o, o->host, NULL, msg, RDLS_EXIT_ERROR);
			rdls_diags_release(&dg);
			return RDLS_EXIT_ERROR;
		}
		m = rdls_model_load(f, o->profile, &dg);
		fclose(f);
		if (!m) {
			char msg[1024];
			rdls_diags_print(&dg, o->err);
			snprintf(msg, sizeof(msg), "'%s' is not a valid profile (see 'rdlsctl validate %s')",
				 o->profile, o->profile);
			rdls_error(o, "%s", msg);
			rdls_report_failure_diags(o, o->host, NULL, &dg, msg, RDLS_EXIT_ERROR);
			rdls_diags_release(&dg);
			return RDLS_EXIT_ERROR;
		}
		rdls_diags_release(&dg);
	}

	struct rdls_diagnose_opts dopt;
	rdls_diagnose_opts_init(&dopt);
	dopt.model = m;
	dopt.profile_path = o->profile;
	dopt.host = o->host;
	dopt.only = o->check;
	if (o->days)
		dopt.event_days = o->days;
#ifdef RDLS_TESTING
	testing_overrides(&dopt);
#endif

	struct rdls_diagnosis d;
	rdls_err err;
	rdls_err_clear(&err);
	int rc = rdls_diagnose(sys, &dopt, &d, &err);
	if (rc != 0) {
		char why[RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + RDLS_ERR_API_MAX + 64];
		rdls_err_format(&err, why, sizeof(why));
		char msg[sizeof(why) + 64];
		snprintf(msg, sizeof(msg), "cannot diagnose this host: %s", why);
		rdls_error(o, "%s", msg);
		rdls_report_failure_json(o, o->host, NULL, msg, RDLS_EXIT_ERROR);
		rdls_diagnosis_release(&d);
		rdls_model_free(m);
		return RDLS_EXIT_ERROR;
	}
	rc = rdls_diagnosis_needs_action(&d) ? RDLS_EXIT_PENDING : RDLS_EXIT_OK;
	if (o->json)
		print_json(o, &d, rc);
	else
		print_text(o, &d);
	rdls_diagnosis_release(&d);
	rdls_model_free(m);
	return rc;
}
