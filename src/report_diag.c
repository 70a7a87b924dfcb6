/*
 * diagnose and status, from one diagnosis. diagnose: findings that need action first, by
 * severity, each with evidence, cause and remedy; then info, not run and passed; a summary
 * line. status: one row per check that concerns the host, as the licensing service relies
 * on it (ok, FAILED with the finding and its remedy, ERROR when it could not be checked).
 */
#include <string.h>

#include "report_int.h"

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

static void diagnose_text(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_diagnosis *d)
{
	FILE *f = o->out;
	if (!o->quiet) {
		fprintf(f, "diagnose %s: ", d->host);
		print_os(f, d);
		fprintf(f, "; role: %s (%s)\n\n", roles_text(d),
			d->roles_from_profile ? e->profile : "as observed; no profile describes it");
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

static void diagnose_json(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_diagnosis *d)
{
	struct rdls_json j;
	report_json_open(&j, o, e);
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
	report_json_close(&j, e);
}

void rdls_report_diagnose(const struct rdls_opts *o, const struct rdls_report_env *e,
			  const struct rdls_diagnosis *d)
{
	if (o->json)
		diagnose_json(o, e, d);
	else
		diagnose_text(o, e, d);
}

/* ------------------------------------------------------------------ status */

/* Passed, or a finding that needs nothing: ok; a finding that needs action: failed; not run:
 * error (status could not tell). */
enum rdls_check_result rdls_report_check_result(const struct rdls_dresult *r)
{
	if (r->status == RDLS_D_PASSED || (r->status == RDLS_D_FINDING && r->sev == RDLS_DSEV_INFO))
		return RDLS_CHECK_OK;
	return r->status == RDLS_D_FINDING ? RDLS_CHECK_FAILED : RDLS_CHECK_ERROR;
}

static const char *result_name(enum rdls_check_result x)
{
	return x == RDLS_CHECK_OK ? "ok" : x == RDLS_CHECK_FAILED ? "failed" : "error";
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

void rdls_report_status(const struct rdls_opts *o, const struct rdls_report_env *e,
			const struct rdls_diagnosis *d)
{
	int rc = e->exit_code;
	size_t failed = 0, errors = 0, n = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].not_applicable)
			continue;
		n++;
		failed += rdls_report_check_result(&d->v[i]) == RDLS_CHECK_FAILED;
		errors += rdls_report_check_result(&d->v[i]) == RDLS_CHECK_ERROR;
	}
	struct rdls_buf b;
	rdls_buf_init(&b);
	if (o->json) {
		struct rdls_json j;
		report_json_open(&j, o, e);
		rdls_json_kv_bool(&j, "ok", rc == RDLS_EXIT_OK);
		rdls_json_kv_int(&j, "failed", (long long)failed);
		rdls_json_kv_int(&j, "check_errors", (long long)errors);
		rdls_json_key(&j, "checks");
		rdls_json_arr_begin(&j);
		for (size_t i = 0; i < d->n; i++) {
			const struct rdls_dresult *r = &d->v[i];
			if (r->not_applicable)
				continue;
			enum rdls_check_result x = rdls_report_check_result(r);
			rdls_buf_reset(&b);
			detail_of(r, &b);
			rdls_json_obj_begin(&j);
			rdls_json_kv_str(&j, "check", r->check);
			rdls_json_kv_str(&j, "subject", r->subject ? r->subject : d->host);
			rdls_json_kv_str(&j, "result", result_name(x));
			rdls_json_kv_str(&j, "detail", rdls_buf_str(&b));
			if (x == RDLS_CHECK_FAILED) {
				rdls_json_kv_str(&j, "finding", r->id);
				rdls_json_kv_str(&j, "remedy", r->remedy);
			}
			rdls_json_obj_end(&j);
		}
		rdls_json_arr_end(&j);
		report_json_close(&j, e);
		rdls_buf_release(&b);
		return;
	}
	if (!o->quiet)
		fprintf(o->out, "status of %s from '%s' (as the licensing service checks it):\n",
			d->host, e->profile);
	for (size_t i = 0; i < d->n; i++) {
		const struct rdls_dresult *r = &d->v[i];
		enum rdls_check_result x = rdls_report_check_result(r);
		if (r->not_applicable || (o->quiet && x == RDLS_CHECK_OK))
			continue;
		const char *tag = x == RDLS_CHECK_OK ? "ok    " : x == RDLS_CHECK_FAILED ? "FAILED" : "ERROR ";
		rdls_buf_reset(&b);
		detail_of(r, &b);
		if (o->color && x != RDLS_CHECK_OK)
			fprintf(o->out, "  \033[1;31m%s\033[0m %s %s: %s\n", tag, r->check,
				r->subject ? r->subject : d->host, rdls_buf_str(&b));
		else
			fprintf(o->out, "  %s %s %s: %s\n", tag, r->check,
				r->subject ? r->subject : d->host, rdls_buf_str(&b));
		if (x == RDLS_CHECK_FAILED && r->remedy)
			fprintf(o->out, "         %s: remedy: %s\n", r->id, r->remedy);
	}
	if (rc == RDLS_EXIT_OK)
		fprintf(o->out, "all %lu checks hold\n", (unsigned long)n);
	else
		fprintf(o->out, "%lu of %lu checks do not hold%s\n", (unsigned long)(failed + errors),
			(unsigned long)n, errors ? " (some could not be performed)" : "");
	rdls_buf_release(&b);
}

