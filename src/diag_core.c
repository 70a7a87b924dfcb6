/*
 * diagnose's machinery: recording results, the helpers every check shares, the table of
 * checks and the driver that runs it (all of it, one check and what it depends on, or
 * status's subset). The checks themselves live in diag_sh.c, diag_ts.c, diag_ls.c and
 * diag_plan.c; docs/diagnose.md documents each with its sources.
 *
 * Every check records exactly one of: passed (its source was read), a finding,
 * or not run (with the reason). A failing source never counts as passed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/regpaths.h"
#include "diag.h"

/* ----------------------------------------------------------------- results */

static char *vfmt(const char *f, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, f, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, f, ap);
	return s;
}

struct rdls_dresult *diag_add(struct dctx *c, enum rdls_dstatus st, enum rdls_dsev sev,
				const char *check, const char *id, const char *subject)
{
	struct rdls_diagnosis *d = c->d;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct rdls_dresult *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->oom = true;
			return NULL;
		}
		d->v = v;
		d->cap = cap;
	}
	struct rdls_dresult *r = &d->v[d->n];
	memset(r, 0, sizeof(*r));
	r->status = st;
	r->sev = sev;
	r->check = rdls_strdup(check);
	r->id = rdls_strdup(id);
	r->subject = rdls_strdup(subject);
	if (!r->check || (id && !r->id) || (subject && !r->subject)) {
		free(r->check);
		free(r->id);
		free(r->subject);
		d->oom = true;
		return NULL;
	}
	d->n++;
	return r;
}

void diag_setf(struct dctx *c, char **field, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *s = vfmt(f, ap);
	va_end(ap);
	if (!s)
		c->d->oom = true;
	free(*field);
	*field = s;
}

struct rdls_dresult *diag_passed(struct dctx *c, const char *check, const char *subject)
{
	return diag_add(c, RDLS_D_PASSED, RDLS_DSEV_INFO, check, NULL, subject);
}

struct rdls_dresult *diag_finding(struct dctx *c, enum rdls_dsev sev, const char *check,
				    const char *id, const char *subject)
{
	return diag_add(c, RDLS_D_FINDING, sev, check, id, subject);
}

struct rdls_dresult *diag_not_run(struct dctx *c, const char *check, const char *subject)
{
	return diag_add(c, RDLS_D_NOT_RUN, RDLS_DSEV_INFO, check, NULL, subject);
}

struct rdls_dresult *diag_not_applicable(struct dctx *c, const char *check, const char *subject)
{
	struct rdls_dresult *r = diag_add(c, RDLS_D_NOT_RUN, RDLS_DSEV_INFO, check, NULL, subject);
	if (r)
		r->not_applicable = true;
	return r;
}

void diag_not_run_err(struct dctx *c, const char *check, const char *subject, const char *what,
			const rdls_err *e)
{
	rdls_errmsg m;
	struct rdls_dresult *r = diag_not_run(c, check, subject);
	SET(r, reason, "%s could not be read: %s", what, rdls_errmsg_of(e, &m));
}

void diag_not_run_missing_op(struct dctx *c, const char *check, const char *subject,
			       const char *op)
{
	struct rdls_dresult *r = diag_not_run(c, check, subject);
	SET(r, reason, "this build of rdlsctl cannot read it (the system interface has no '%s' here)",
	    op);
}

/* ----------------------------------------------------------------- helpers */

size_t diag_bounded_len(const char *p, size_t max)
{
	size_t n = 0;
	while (n < max && p[n])
		n++;
	return n;
}

int diag_read_value(struct dctx *c, const char *check, const char *key, const char *name,
		      rdls_regval *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->sys->ops->reg_get) {
		diag_not_run_missing_op(c, check, NULL, "reg_get");
		return -1;
	}
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->reg_get(c->sys->ctx, key, name, out, &e) != 0) {
		char what[512];
		snprintf(what, sizeof(what), "HKLM\\%s value '%s'", key, name);
		diag_not_run_err(c, check, NULL, what, &e);
		rdls_regval_release(out);
		return -1;
	}
	return 0;
}

/* Bounded copy that always terminates (snprintf "%s" trips -Wformat-truncation). */
void diag_copy_str(char *dst, size_t n, const char *src)
{
	size_t l = diag_bounded_len(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

void diag_add_server(struct dctx *c, const char *name, size_t len)
{
	if (len == 0 || c->n_servers == MAX_SERVERS)
		return;
	char *s = malloc(len + 1);
	if (!s) {
		c->d->oom = true;
		return;
	}
	memcpy(s, name, len);
	s[len] = '\0';
	for (size_t i = 0; i < c->n_servers; i++)
		if (rdls_name_eq(c->servers[i], s)) {
			free(s);
			return;
		}
	c->servers[c->n_servers++] = s;
}

void diag_apply_cmd(const struct dctx *c, char *buf, size_t n)
{
	if (c->o->host)
		snprintf(buf, n, "rdlsctl apply %s --host %s", c->o->profile_path, c->o->host);
	else
		snprintf(buf, n, "rdlsctl apply %s", c->o->profile_path);
}

bool diag_have_profile(const struct dctx *c)
{
	return c->m && c->o->profile_path;
}

const char *diag_mode_name(uint32_t m)
{
	switch (m) {
	case MODE_PER_DEVICE: return "per device";
	case MODE_PER_USER: return "per user";
	case MODE_NOT_CONFIGURED: return "not configured";
	case MODE_AAD_PER_USER: return "AAD per user";
	default: return "not a licensing mode";
	}
}

/* ---------------------------------------------------------- public helpers */

void rdls_diagnose_opts_init(struct rdls_diagnose_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rpc_port = 135;
	o->probe_timeout_ms = 3000;
	o->grace_warn_days = 30;
	o->warn_available_set = false; /* cal-packs: 10% of each kind's total */
	o->event_days = 7;
}

bool rdls_os_from_version(const rdls_osinfo *os, enum rdls_os *out)
{
	if (os->major < 6)
		return false;
	if (os->major == 6) {
		switch (os->minor) {
		case 0: *out = RDLS_OS_2008; return true;
		case 1: *out = RDLS_OS_2008R2; return true;
		case 2: *out = RDLS_OS_2012; return true;
		case 3: *out = RDLS_OS_2012R2; return true;
		default: return false;
		}
	}
	if (os->major > 10) {
		*out = RDLS_OS_2025; /* newer than any table: the newest row */
		return true;
	}
	if (os->minor != 0)
		return false;
	if (os->build < 17763)
		*out = RDLS_OS_2016;
	else if (os->build < 20348)
		*out = RDLS_OS_2019;
	else if (os->build < 26100)
		*out = RDLS_OS_2022;
	else
		*out = RDLS_OS_2025;
	return true;
}

const char *rdls_dsev_name(enum rdls_dsev s)
{
	switch (s) {
	case RDLS_DSEV_ERROR: return "error";
	case RDLS_DSEV_WARNING: return "warning";
	case RDLS_DSEV_SECURITY: return "security";
	default: return "info";
	}
}

const char *rdls_dstatus_name(enum rdls_dstatus s)
{
	switch (s) {
	case RDLS_D_PASSED: return "passed";
	case RDLS_D_FINDING: return "finding";
	default: return "not_run";
	}
}

size_t rdls_diagnosis_count(const struct rdls_diagnosis *d, enum rdls_dstatus st)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++)
		k += d->v[i].status == st;
	return k;
}

size_t rdls_diagnosis_count_sev(const struct rdls_diagnosis *d, enum rdls_dsev sev)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++)
		k += d->v[i].status == RDLS_D_FINDING && d->v[i].sev == sev;
	return k;
}

bool rdls_diagnosis_needs_action(const struct rdls_diagnosis *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].status == RDLS_D_FINDING && d->v[i].sev != RDLS_DSEV_INFO)
			return true;
	return false;
}

static bool subject_matches(const struct rdls_dresult *r, const char *subject)
{
	return !subject || (r->subject && rdls_name_eq(r->subject, subject));
}

const struct rdls_dresult *rdls_diagnosis_find(const struct rdls_diagnosis *d, const char *id,
					       const char *subject)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].id && strcmp(d->v[i].id, id) == 0 && subject_matches(&d->v[i], subject))
			return &d->v[i];
	return NULL;
}

const struct rdls_dresult *rdls_diagnosis_check(const struct rdls_diagnosis *d,
						const char *check, const char *subject)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].check, check) == 0 && subject_matches(&d->v[i], subject))
			return &d->v[i];
	return NULL;
}

void rdls_diagnosis_release(struct rdls_diagnosis *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct rdls_dresult *r = &d->v[i];
		free(r->check);
		free(r->id);
		free(r->subject);
		free(r->title);
		free(r->evidence);
		free(r->cause);
		free(r->remedy);
		free(r->reason);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------- the checks */

/* This host in the profile. */
void diag_check_profile_host(struct dctx *c)
{
	if (!c->m)
		return;
	c->ls = rdls_model_find_ls(c->m, c->d->host);
	c->sh = rdls_model_find_sh(c->m, c->d->host);
	if (c->ls || c->sh) {
		struct rdls_dresult *r = diag_passed(c, "profile-host", c->d->host);
		SET(r, title, "the profile describes this host");
		SET(r, evidence, "%s: %s%s%s for '%s'", c->o->profile_path ? c->o->profile_path : "profile",
		    c->ls ? "[license_server]" : "", c->ls && c->sh ? " and " : "",
		    c->sh ? "[session_host]" : "", c->d->host);
		return;
	}
	struct rdls_dresult *r =
		diag_finding(c, RDLS_DSEV_WARNING, "profile-host", "host-not-in-profile", c->d->host);
	SET(r, title, "the profile has no section for this host '%s'", c->d->host);
	SET(r, evidence, "%s: no [license_server %s] or [session_host %s] section",
	    c->o->profile_path ? c->o->profile_path : "the profile", c->d->host, c->d->host);
	SET(r, cause, "diagnose compares this machine with the profile's sections for it; without one "
		      "it can check only what needs no profile");
	SET(r, remedy, "add a [license_server %s] or [session_host %s] section to %s, or run diagnose "
		       "on a host the profile describes",
	    c->d->host, c->d->host, c->o->profile_path ? c->o->profile_path : "the profile");
}

void diag_check_os(struct dctx *c)
{
	if (!c->sys->ops->os_info) {
		diag_not_run_missing_op(c, "os-version", NULL, "os_info");
		return;
	}
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->os_info(c->sys->ctx, &c->d->os, &e) != 0) {
		diag_not_run_err(c, "os-version", NULL, "the Windows version", &e);
		return;
	}
	c->d->have_os = true;
	const rdls_osinfo *os = &c->d->os;
	enum rdls_os v;
	bool known = os->server && rdls_os_from_version(os, &v);
	struct rdls_dresult *r = diag_passed(c, "os-version", NULL);
	SET(r, title, "Windows version and membership read");
	SET(r, evidence, "RtlGetVersion: %u.%u build %u, %s%s%s, %s",
	    (unsigned)os->major, (unsigned)os->minor, (unsigned)os->build,
	    os->server ? "server" : "not a server", known ? " = Windows Server " : "",
	    known ? rdls_os_name(v) : "",
	    os->domain_controller ? "domain controller"
				  : (os->domain_joined ? "domain member" : "workgroup"));
}

/* Observed role, used when there is no profile (or it does not describe the host). */

void diag_observe_ls_role(struct dctx *c)
{
	if (c->role_observed)
		return;
	c->role_observed = true;
	c->role = RDLS_LS_ROLE_ABSENT;
	c->role_ok = false;
	rdls_err_clear(&c->role_err);
	if (c->sys->ops->ls_pub_get &&
	    c->sys->ops->ls_pub_get(c->sys->ctx, &c->role, &c->role_err) == 0)
		c->role_ok = true;
}

bool diag_same_names(const char *list, size_t len, char sep, const char *const *want,
		     size_t n_want)
{
	const char *have[MAX_SERVERS];
	size_t lens[MAX_SERVERS], nh = 0;
	const char *nul = sep != '\0' ? memchr(list, '\0', len) : NULL;
	if (nul)
		len = (size_t)(nul - list); /* a string ends at its terminator */
	struct rdls_split items;
	rdls_split_init(&items, list, len, sep);
	const char *a;
	size_t n;
	while (rdls_split_next(&items, &a, &n)) {
		rdls_trim(&a, &n);
		if (n) {
			if (nh == MAX_SERVERS)
				return false;
			have[nh] = a;
			lens[nh++] = n;
		}
	}
	/* Same set: each wanted name is listed, each listed name is wanted. */
	for (size_t i = 0; i < n_want; i++) {
		bool found = false;
		for (size_t j = 0; j < nh && !found; j++) {
			char buf[RDLS_TS_NAME_MAX];
			snprintf(buf, sizeof(buf), "%.*s", (int)lens[j], have[j]);
			found = rdls_name_eq(buf, want[i]);
		}
		if (!found)
			return false;
	}
	for (size_t j = 0; j < nh; j++) {
		bool found = false;
		char buf[RDLS_TS_NAME_MAX];
		snprintf(buf, sizeof(buf), "%.*s", (int)lens[j], have[j]);
		for (size_t i = 0; i < n_want && !found; i++)
			found = rdls_name_eq(buf, want[i]);
		if (!found)
			return false;
	}
	return true;
}

void diag_join(const char *const *names, size_t n, const char *sep, const char *quote,
	       char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++) {
		int k = snprintf(buf + off, size - off, "%s%s%s%s", i ? sep : "", quote, names[i], quote);
		off += k > 0 ? (size_t)k : 0;
	}
}

/* Whether any session-host licensing value exists (for the role without a profile). */
static bool sh_values_present(struct dctx *c)
{
	static const struct {
		const char *key, *name;
	} vals[] = {
		{ RDLS_KEY_TS_POLICY, "LicensingMode" },
		{ RDLS_KEY_TS_POLICY, "LicenseServers" },
		{ RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers" },
		{ RDLS_KEY_RCM_LICENSING, "LicensingMode" },
	};
	if (!c->sys->ops->reg_get)
		return false;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		rdls_regval v = { 0 };
		rdls_err e;
		rdls_err_clear(&e);
		bool present = c->sys->ops->reg_get(c->sys->ctx, vals[i].key, vals[i].name, &v, &e) == 0 &&
			       v.present;
		rdls_regval_release(&v);
		if (present)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------- the table */

#define SH DIAG_SH
#define LS DIAG_LS
#define BOTH (DIAG_SH | DIAG_LS)

/* Run in this order by diagnose; status runs the rows with status_roles matching the
 * host's roles in the profile (the checks the licensing service itself relies on). */
const struct diag_check diag_checks[] = {
	{ "profile-host", DIAG_ANY, 0, 0, diag_check_profile_host, { NULL } },
	{ "os-version", DIAG_ANY, 0, 0, diag_check_os, { NULL } },
	{ "licensing-mode", SH, SH, DIAG_SAY_NA, diag_check_licensing_mode, { "os-version" } },
	{ "license-servers", SH, SH, DIAG_SAY_NA, diag_check_license_servers, { NULL } },
	{ "setting-in-effect", SH, 0, 0, diag_check_setting_in_effect, { "os-version" } },
	{ "sh-certificate", SH, 0, 0, diag_check_sh_certificate, { NULL } },
	{ "ls-resolve", DIAG_ANY, 0, 0, diag_check_resolve, { "license-servers" } },
	{ "ls-rpc", DIAG_ANY, 0, 0, diag_check_rpc, { "ls-resolve" } },
	{ "ls-pipe", DIAG_ANY, 0, 0, diag_check_pipe, { "ls-resolve" } },
	{ "ts-connectivity", SH, 0, 0, diag_check_ts_connectivity, { "license-servers" } },
	{ "ts-find", SH, 0, 0, diag_check_ts_find, { "license-servers" } },
	{ "ts-ping", SH, 0, 0, diag_check_ts_ping, { "os-version", "license-servers" } },
	{ "ts-grace", SH, 0, DIAG_SAY_NA, diag_check_ts_grace,
	  { "ts-connectivity", "ts-find", "ts-ping" } },
	{ "ls-role", DIAG_ANY, 0, 0, diag_check_ls_role, { NULL } },
	{ "cal-compat", DIAG_ANY, 0, 0, diag_check_cal, { "os-version" } },
	{ "leading-space", DIAG_ANY, LS, 0, diag_check_leading_space, { NULL } },
	{ "accounts-group", DIAG_ANY, LS, 0, diag_check_accounts_group, { NULL } },
	{ "peer-account", DIAG_ANY, LS, 0, diag_check_peer_account, { NULL } },
	{ "peer-credentials", DIAG_ANY, BOTH, 0, diag_check_peer_creds, { NULL } },
	{ "ls-publication", LS, LS, 0, diag_check_ls_publication, { NULL } },
	{ "specified-servers", LS, LS, 0, diag_check_specified_servers, { NULL } },
	{ "cred-storage", DIAG_ANY, 0, 0, diag_check_cred_storage, { "os-version" } },
	{ "workgroup-auth", DIAG_ANY, 0, 0, diag_check_workgroup_auth, { NULL } },

	/* The event log (diag_events.c): what the licensing service and Remote Desktop
	 * Services reported lately. */
	{ "ls-events", LS, 0, 0, diag_check_ls_events, { NULL } },
	{ "sh-events", SH, 0, 0, diag_check_sh_events, { NULL } },

	{ "profile-plan", DIAG_ANY, 0, DIAG_PROFILE_HOST, diag_check_plan, { NULL } },

	/* diag_lsstate.c: the license server's own state */
	{ "ls-activation", LS, 0, 0, diag_check_ls_activation, { NULL } },
	{ "cal-packs", LS, 0, 0, diag_check_cal_packs, { "os-version" } },
	{ "ls-tsls-group", LS, 0, 0, diag_check_ls_tsls_group, { "os-version" } },
	{ "ls-secgrp-policy", LS, 0, 0, diag_check_ls_secgrp_policy, { "os-version" } },
};
const size_t diag_n_checks = sizeof(diag_checks) / sizeof(diag_checks[0]);

#undef SH
#undef LS
#undef BOTH

static size_t check_index(const char *id)
{
	for (size_t i = 0; i < diag_n_checks; i++)
		if (strcmp(diag_checks[i].id, id) == 0)
			return i;
	return diag_n_checks;
}

bool rdls_diagnose_check_known(const char *id)
{
	return id && check_index(id) < diag_n_checks;
}

const char *rdls_diagnose_check_id(size_t i)
{
	return i < diag_n_checks ? diag_checks[i].id : NULL;
}

static unsigned host_roles(const struct dctx *c)
{
	return (c->d->is_session_host ? DIAG_SH : 0u) | (c->d->is_license_server ? DIAG_LS : 0u);
}

/* Runs row i once, after the rows it depends on. */
static void run_row(struct dctx *c, size_t i, bool *ran)
{
	if (ran[i])
		return;
	ran[i] = true;
	const struct diag_check *k = &diag_checks[i];
	for (size_t j = 0; j < sizeof(k->deps) / sizeof(k->deps[0]) && k->deps[j]; j++) {
		size_t d = check_index(k->deps[j]);
		if (d < diag_n_checks)
			run_row(c, d, ran);
	}
	if (k->roles && !(k->roles & host_roles(c))) {
		if (!(k->flags & DIAG_SAY_NA))
			return;
		struct rdls_dresult *r = diag_not_applicable(c, k->id, NULL);
		if (c->m && (c->ls || c->sh))
			SET(r, reason, "not applicable: the profile does not make this host a %s",
			    k->roles & DIAG_SH ? "session host" : "license server");
		else if (k->roles & DIAG_SH)
			SET(r, reason, "not applicable: this host looks like a license server only "
				       "(RD Licensing role installed, no session-host licensing "
				       "value); give a profile to check it as a session host");
		else
			SET(r, reason, "not applicable: the RD Licensing role is not installed here");
		return;
	}
	if ((k->flags & DIAG_PROFILE_HOST) && !(c->m && c->o->profile_path && (c->ls || c->sh)))
		return;
	k->run(c);
}

int rdls_diagnose(struct rdls_sys *sys, const struct rdls_diagnose_opts *o,
		  struct rdls_diagnosis *d, rdls_err *err)
{
	memset(d, 0, sizeof(*d));
	if (o->only && !rdls_diagnose_check_known(o->only))
		return rdls_err_set(err, "", o->only, 0, "no such check (see 'rdlsctl help diagnose')");
	if (o->event_days < 1 || o->event_days > RDLS_LOGEVT_DAYS_MAX)
		return rdls_err_set(err, "", "--days", 0, "the event log window must be 1 to %u days",
				    RDLS_LOGEVT_DAYS_MAX);
	struct dctx cx = { .sys = sys, .o = o, .d = d, .m = o->model, .usable = -1 };
	struct dctx *c = &cx;

	if (o->host) {
		snprintf(d->host, sizeof(d->host), "%s", o->host);
	} else if (!sys->ops->host_name) {
		return rdls_err_set(err, "", "host name", 0, "this system interface cannot tell the host name");
	} else if (sys->ops->host_name(sys->ctx, d->host, sizeof(d->host), err) != 0) {
		return -1;
	}
	if (c->m) {
		c->ls = rdls_model_find_ls(c->m, d->host);
		c->sh = rdls_model_find_sh(c->m, d->host);
	}
	if (c->ls || c->sh) {
		d->roles_from_profile = true;
		d->is_license_server = c->ls != NULL;
		d->is_session_host = c->sh != NULL;
	} else {
		diag_observe_ls_role(c);
		d->is_license_server = c->role_ok && c->role != RDLS_LS_ROLE_ABSENT;
		d->is_session_host = !d->is_license_server || sh_values_present(c);
	}

	bool ran[sizeof(diag_checks) / sizeof(diag_checks[0])] = { false };
	for (size_t i = 0; i < diag_n_checks; i++) {
		const struct diag_check *k = &diag_checks[i];
		if (o->only && strcmp(k->id, o->only) != 0)
			continue;
		if (o->status && !(k->status_roles & host_roles(c)))
			continue;
		run_row(c, i, ran);
	}

	for (size_t i = 0; i < c->n_servers; i++)
		free(c->servers[i]);
	if (d->oom)
		return rdls_err_set(err, "", "diagnose", 0, "out of memory");
	return 0;
}
