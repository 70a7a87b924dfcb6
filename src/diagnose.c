/*
 * The checks of `rdlsctl diagnose`, over the system interface only (read-only
 * operations). Where each value comes from, and why it matters, is documented in
 * docs/diagnose.md; the sources are cited at the check that uses them.
 *
 * Every check records exactly one of: passed (its source was read), a finding,
 * or not run (with the reason). A failing source never counts as passed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/diagnose.h"
#include "rdls/json.h"
#include "rdls/plan.h"
#include "rdls/precond.h"
#include "rdls/secret_src.h"

#define WBEM_E_NOT_FOUND_ 0x80041002u
#define WBEM_E_INVALID_NAMESPACE_ 0x8004100Eu
#define WBEM_E_INVALID_CLASS_ 0x80041010u

/* Licensing mode values: the policy "Set the Remote Desktop licensing mode"
 * (terminalserver.admx, TS_LICENSING_MODE: REG_DWORD LicensingMode, Per Device = 2,
 * Per User = 4, AAD Per User = 6 in recent templates) and the local setting under
 * RCM\Licensing Core (Microsoft's unattend reference for
 * Microsoft-Windows-TerminalServices-RemoteConnectionManager LicensingMode: 2 per device,
 * 4 per user, 5 not configured). */
enum { MODE_PER_DEVICE = 2, MODE_PER_USER = 4, MODE_NOT_CONFIGURED = 5, MODE_AAD_PER_USER = 6 };

#define MAX_SERVERS 64
#define MAX_FOUND 32

struct dctx {
	struct rdls_sys *sys;
	const struct rdls_diagnose_opts *o;
	struct rdls_diagnosis *d;
	const struct rdls_model *m;
	const struct rdls_license_server *ls; /* this host in the profile */
	const struct rdls_session_host *sh;
	/* License servers named by this host's configuration, trimmed, without duplicates. */
	char *servers[MAX_SERVERS];
	size_t n_servers;
	bool servers_read; /* the session-host lists were read (even if empty) */
};

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

static char *dup_s(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static struct rdls_dresult *add(struct dctx *c, enum rdls_dstatus st, enum rdls_dsev sev,
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
	r->check = dup_s(check);
	r->id = dup_s(id);
	r->subject = dup_s(subject);
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

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

static void setf(struct dctx *c, char **field, const char *f, ...) PRINTF(3, 4);
static void setf(struct dctx *c, char **field, const char *f, ...)
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

/* The result objects' text fields are set with these; r may be NULL (out of memory). */
#define SET(r, field, ...)                                  \
	do {                                                \
		if (r)                                      \
			setf(c, &(r)->field, __VA_ARGS__); \
	} while (0)

static struct rdls_dresult *passed(struct dctx *c, const char *check, const char *subject)
{
	return add(c, RDLS_D_PASSED, RDLS_DSEV_INFO, check, NULL, subject);
}

static struct rdls_dresult *finding(struct dctx *c, enum rdls_dsev sev, const char *check,
				    const char *id, const char *subject)
{
	return add(c, RDLS_D_FINDING, sev, check, id, subject);
}

static struct rdls_dresult *not_run(struct dctx *c, const char *check, const char *subject)
{
	return add(c, RDLS_D_NOT_RUN, RDLS_DSEV_INFO, check, NULL, subject);
}

static void not_run_err(struct dctx *c, const char *check, const char *subject, const char *what,
			const rdls_err *e)
{
	char msg[RDLS_ERR_TEXT_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_API_MAX + 64];
	rdls_err_format(e, msg, sizeof(msg));
	struct rdls_dresult *r = not_run(c, check, subject);
	SET(r, reason, "%s could not be read: %s", what, msg);
}

static void not_run_missing_op(struct dctx *c, const char *check, const char *subject,
			       const char *op)
{
	struct rdls_dresult *r = not_run(c, check, subject);
	SET(r, reason, "this build of rdlsctl cannot read it (the system interface has no '%s' here)",
	    op);
}

/* ----------------------------------------------------------------- helpers */

static size_t bounded_len(const char *p, size_t max)
{
	size_t n = 0;
	while (n < max && p[n])
		n++;
	return n;
}

static const char *reg_type_name(uint32_t t)
{
	switch (t) {
	case RDLS_REG_NONE: return "REG_NONE";
	case RDLS_REG_SZ: return "REG_SZ";
	case RDLS_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case RDLS_REG_BINARY: return "REG_BINARY";
	case RDLS_REG_DWORD: return "REG_DWORD";
	case RDLS_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case RDLS_REG_QWORD: return "REG_QWORD";
	default: return "an unusual type";
	}
}

static bool is_string_type(const rdls_regval *v)
{
	return v->present && (v->type == RDLS_REG_SZ || v->type == RDLS_REG_EXPAND_SZ) &&
	       v->len >= 1 && v->data[v->len - 1] == '\0';
}

static bool dword_of(const rdls_regval *v, uint32_t *out)
{
	if (!v->present || v->type != RDLS_REG_DWORD || v->len != 4)
		return false;
	*out = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 | (uint32_t)v->data[2] << 16 |
	       (uint32_t)v->data[3] << 24;
	return true;
}

/* "absent", "REG_SZ 'x'", "REG_DWORD 2", "REG_MULTI_SZ 'a', 'b'", "REG_BINARY (3 bytes)". */
static void describe_regval(const rdls_regval *v, char *buf, size_t n)
{
	size_t off = 0;
#define PUT(...)                                                              \
	do {                                                                  \
		if (off < n) {                                                \
			int k_ = snprintf(buf + off, n - off, __VA_ARGS__);   \
			off += k_ > 0 ? (size_t)k_ : 0;                       \
		}                                                             \
	} while (0)
	buf[0] = '\0';
	uint32_t dw;
	if (!v->present) {
		PUT("absent");
	} else if (is_string_type(v)) {
		PUT("%s '%s'", reg_type_name(v->type), (const char *)v->data);
	} else if (dword_of(v, &dw)) {
		PUT("REG_DWORD %u", (unsigned)dw);
	} else if (v->type == RDLS_REG_MULTI_SZ && v->len >= 1) {
		PUT("REG_MULTI_SZ");
		const char *p = (const char *)v->data, *end = p + v->len;
		bool first = true;
		while (p < end && *p) {
			size_t l = bounded_len(p, (size_t)(end - p));
			PUT("%s'%.*s'", first ? " " : ", ", (int)l, p);
			first = false;
			p += l + 1;
		}
		if (first)
			PUT(" (empty)");
	} else {
		PUT("%s (%lu bytes)", reg_type_name(v->type), (unsigned long)v->len);
	}
#undef PUT
}

/* Reads one value; on failure records the check as not run and returns -1. */
static int read_value(struct dctx *c, const char *check, const char *key, const char *name,
		      rdls_regval *out)
{
	memset(out, 0, sizeof(*out));
	if (!c->sys->ops->reg_get) {
		not_run_missing_op(c, check, NULL, "reg_get");
		return -1;
	}
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->reg_get(c->sys->ctx, key, name, out, &e) != 0) {
		char what[512];
		snprintf(what, sizeof(what), "HKLM\\%s value '%s'", key, name);
		not_run_err(c, check, NULL, what, &e);
		rdls_regval_release(out);
		return -1;
	}
	return 0;
}

/* Bounded copy that always terminates (snprintf "%s" trips -Wformat-truncation). */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = bounded_len(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return *a == *b;
}

static void add_server(struct dctx *c, const char *name, size_t len)
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
		if (name_eq(c->servers[i], s)) {
			free(s);
			return;
		}
	c->servers[c->n_servers++] = s;
}

/* "rdlsctl apply site.ini" (with --host when diagnose was given one). */
static void apply_cmd(const struct dctx *c, char *buf, size_t n)
{
	if (c->o->host)
		snprintf(buf, n, "rdlsctl apply %s --host %s", c->o->profile_path, c->o->host);
	else
		snprintf(buf, n, "rdlsctl apply %s", c->o->profile_path);
}

static bool have_profile(const struct dctx *c)
{
	return c->m && c->o->profile_path;
}

static const char *mode_name(uint32_t m)
{
	switch (m) {
	case MODE_PER_DEVICE: return "per device";
	case MODE_PER_USER: return "per user";
	case MODE_NOT_CONFIGURED: return "not configured";
	case MODE_AAD_PER_USER: return "AAD per user";
	default: return "not a licensing mode";
	}
}

static const char *conn_status_name(uint32_t s)
{
	switch (s) {
	case RDLS_LS_CONNECTABLE_UNKNOWN: return "LS_CONNECTABLE_UNKNOWN";
	case RDLS_LS_CONNECTABLE_VALID_WS08R2: return "LS_CONNECTABLE_VALID_WS08R2";
	case RDLS_LS_CONNECTABLE_VALID_WS08: return "LS_CONNECTABLE_VALID_WS08";
	case RDLS_LS_CONNECTABLE_BETA_RTM_MISMATCH: return "LS_CONNECTABLE_BETA_RTM_MISMATCH";
	case RDLS_LS_CONNECTABLE_LOWER_VERSION: return "LS_CONNECTABLE_LOWER_VERSION";
	case RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP: return "LS_CONNECTABLE_NOT_IN_TSCGROUP";
	case RDLS_LS_NOT_CONNECTABLE: return "LS_NOT_CONNECTABLE";
	case RDLS_LS_CONNECTABLE_UNKNOWN_VALIDITY: return "LS_CONNECTABLE_UNKNOWN_VALIDITY";
	case RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED: return "LS_CONNECTABLE_BUT_ACCESS_DENIED";
	case RDLS_LS_CONNECTABLE_VALID_WS08R2_VDI: return "LS_CONNECTABLE_VALID_WS08R2_VDI";
	case RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED: return "LS_CONNECTABLE_FEATURE_NOT_SUPPORTED";
	case RDLS_LS_CONNECTABLE_VALID_LS: return "LS_CONNECTABLE_VALID_LS";
	default: return "an undocumented status";
	}
}

static bool conn_status_valid(uint32_t s)
{
	return s == RDLS_LS_CONNECTABLE_VALID_WS08R2 || s == RDLS_LS_CONNECTABLE_VALID_WS08 ||
	       s == RDLS_LS_CONNECTABLE_VALID_WS08R2_VDI || s == RDLS_LS_CONNECTABLE_VALID_LS;
}

/* ---------------------------------------------------------- public helpers */

void rdls_diagnose_opts_init(struct rdls_diagnose_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rpc_port = 135;
	o->probe_timeout_ms = 3000;
	o->grace_warn_days = 30;
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
	return !subject || (r->subject && name_eq(r->subject, subject));
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
static void check_profile_host(struct dctx *c)
{
	if (!c->m)
		return;
	c->ls = rdls_model_find_ls(c->m, c->d->host);
	c->sh = rdls_model_find_sh(c->m, c->d->host);
	if (c->ls || c->sh) {
		struct rdls_dresult *r = passed(c, "profile-host", c->d->host);
		SET(r, title, "the profile describes this host");
		SET(r, evidence, "%s: %s%s%s for '%s'", c->o->profile_path ? c->o->profile_path : "profile",
		    c->ls ? "[license_server]" : "", c->ls && c->sh ? " and " : "",
		    c->sh ? "[session_host]" : "", c->d->host);
		return;
	}
	struct rdls_dresult *r =
		finding(c, RDLS_DSEV_WARNING, "profile-host", "host-not-in-profile", c->d->host);
	SET(r, title, "the profile has no section for this host '%s'", c->d->host);
	SET(r, evidence, "%s: no [license_server %s] or [session_host %s] section",
	    c->o->profile_path ? c->o->profile_path : "the profile", c->d->host, c->d->host);
	SET(r, cause, "diagnose compares this machine with the profile's sections for it; without one "
		      "it can check only what needs no profile");
	SET(r, remedy, "add a [license_server %s] or [session_host %s] section to %s, or run diagnose "
		       "on a host the profile describes",
	    c->d->host, c->d->host, c->o->profile_path ? c->o->profile_path : "the profile");
}

static void check_os(struct dctx *c)
{
	if (!c->sys->ops->os_info) {
		not_run_missing_op(c, "os-version", NULL, "os_info");
		return;
	}
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->os_info(c->sys->ctx, &c->d->os, &e) != 0) {
		not_run_err(c, "os-version", NULL, "the Windows version", &e);
		return;
	}
	c->d->have_os = true;
	const rdls_osinfo *os = &c->d->os;
	enum rdls_os v;
	bool known = os->server && rdls_os_from_version(os, &v);
	struct rdls_dresult *r = passed(c, "os-version", NULL);
	SET(r, title, "Windows version and membership read");
	SET(r, evidence, "RtlGetVersion: %u.%u build %u, %s%s%s, %s",
	    (unsigned)os->major, (unsigned)os->minor, (unsigned)os->build,
	    os->server ? "server" : "not a server", known ? " = Windows Server " : "",
	    known ? rdls_os_name(v) : "",
	    os->domain_controller ? "domain controller"
				  : (os->domain_joined ? "domain member" : "workgroup"));
}

/* Observed role, used when there is no profile (or it does not describe the host). */
static enum rdls_ls_pub observe_ls_role(struct dctx *c, bool *ok, rdls_err *e)
{
	enum rdls_ls_pub st = RDLS_LS_ROLE_ABSENT;
	*ok = false;
	if (!c->sys->ops->ls_pub_get)
		return st;
	rdls_err_clear(e);
	if (c->sys->ops->ls_pub_get(c->sys->ctx, &st, e) == 0)
		*ok = true;
	return st;
}

static void check_ls_role(struct dctx *c, bool ok, enum rdls_ls_pub st, const rdls_err *e)
{
	if (!c->sys->ops->ls_pub_get) {
		not_run_missing_op(c, "ls-role", NULL, "ls_pub_get");
		return;
	}
	if (!ok) {
		not_run_err(c, "ls-role", NULL, "Win32_TSLicenseServer (root\\cimv2)", e);
		return;
	}
	if (st == RDLS_LS_ROLE_ABSENT && c->ls) {
		char cmd[600];
		apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "ls-role", "ls-role-absent", c->d->host);
		SET(r, title, "the RD Licensing role is not installed, but the profile makes '%s' a license "
			      "server", c->d->host);
		SET(r, evidence, "WMI root\\cimv2: the class Win32_TSLicenseServer does not exist; %s: "
				 "[license_server %s]", c->o->profile_path, c->ls->name);
		SET(r, cause, "without the role this machine issues no licenses: session hosts pointed at "
			      "it find no license server, and its peers cannot return licenses to it");
		SET(r, remedy, "install the role (PowerShell as administrator: Install-WindowsFeature "
			       "RDS-Licensing -IncludeManagementTools), activate the license server and "
			       "install its CALs in RD Licensing Manager, then run '%s'", cmd);
		return;
	}
	struct rdls_dresult *r = passed(c, "ls-role", c->d->host);
	if (st == RDLS_LS_ROLE_ABSENT) {
		SET(r, title, "the RD Licensing role is not installed (this host is not a license server)");
		SET(r, evidence, "WMI root\\cimv2: the class Win32_TSLicenseServer does not exist");
	} else {
		SET(r, title, "the RD Licensing role is installed");
		SET(r, evidence, "Win32_TSLicenseServer.IsLSPublished: %s",
		    st == RDLS_LS_PUBLISHED ? "published in AD DS" : "not published");
	}
}

#define MODE_EVIDENCE                                                                          \
	"HKLM\\" RDLS_KEY_TS_POLICY " value 'LicensingMode' (the policy 'Set the Remote Desktop " \
	"licensing mode'): %s; HKLM\\" RDLS_KEY_RCM_LICENSING " value 'LicensingMode' (local "   \
	"setting): %s"

/* --- session host: licensing mode (troubleshooting document, "Set the Remote Desktop
 * licensing mode"; policy TS_LICENSING_MODE of terminalserver.admx). */
static void check_licensing_mode(struct dctx *c)
{
	rdls_regval pol = { 0 }, loc = { 0 };
	bool pol_ok = read_value(c, "licensing-mode", RDLS_KEY_TS_POLICY, "LicensingMode", &pol) == 0;
	if (!pol_ok)
		return;
	bool loc_ok = read_value(c, "licensing-mode", RDLS_KEY_RCM_LICENSING, "LicensingMode", &loc) == 0;
	char pol_s[128], loc_s[128], cmd[600] = "";
	describe_regval(&pol, pol_s, sizeof(pol_s));
	if (loc_ok)
		describe_regval(&loc, loc_s, sizeof(loc_s));
	else
		snprintf(loc_s, sizeof(loc_s), "not readable");
	if (have_profile(c))
		apply_cmd(c, cmd, sizeof(cmd));

	uint32_t pv = 0, lv = 0, mode = 0;
	bool pol_valid = dword_of(&pol, &pv) &&
			 (pv == MODE_PER_DEVICE || pv == MODE_PER_USER || pv == MODE_AAD_PER_USER);
	bool loc_valid = loc_ok && dword_of(&loc, &lv) && (lv == MODE_PER_DEVICE || lv == MODE_PER_USER);
	const char *source = NULL;
	if (pol_valid) {
		mode = pv;
		source = "the policy";
	} else if (loc_valid) {
		mode = lv;
		source = "the local setting";
	}
	const char *gp = "gpedit.msc > Computer Configuration > Administrative Templates > Windows "
			 "Components > Remote Desktop Services > Remote Desktop Session Host > "
			 "Licensing > 'Set the Remote Desktop licensing mode': Enabled, Per Device "
			 "(with a Connection Broker: Server Manager > Remote Desktop Services > "
			 "Overview > Edit Deployment Properties > RD Licensing)";

	if (pol.present && !pol_valid) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-invalid", "LicensingMode");
		SET(r, title, "the licensing mode policy value is not a licensing mode");
		SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
		SET(r, cause, "the policy writes LicensingMode as REG_DWORD 2 (per device) or 4 (per "
			      "user); Remote Desktop Services does not understand %s",
		    pol_s);
		if (*cmd)
			SET(r, remedy, "%s (writes REG_DWORD %d)", cmd,
			    c->m->licensing_mode == RDLS_PER_USER ? 4 : 2);
		else
			SET(r, remedy, "%s; or describe this host in a profile and run 'rdlsctl apply "
				       "PROFILE'", gp);
	}
	if (!mode) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-unset", NULL);
		SET(r, title, "the Remote Desktop licensing mode is not configured");
		SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
		SET(r, cause, "the session host does not know whether to request per-device or per-user "
			      "CALs (RD Licensing Diagnoser: 'the licensing mode for the Remote Desktop "
			      "Session Host server is not configured'); once the grace period ends, "
			      "clients are refused with 'no Remote Desktop License Servers available'");
		if (*cmd)
			SET(r, remedy, "%s (sets the policy value LicensingMode = %d, %s)", cmd,
			    c->m->licensing_mode == RDLS_PER_USER ? 4 : 2,
			    c->m->licensing_mode == RDLS_PER_USER ? "per user" : "per device");
		else
			SET(r, remedy, "%s; or describe this host in a profile ([session_host %s]) and "
				       "run 'rdlsctl apply PROFILE'",
			    gp, c->d->host);
		goto out;
	}
	if (mode == MODE_PER_USER && c->d->have_os && !c->d->os.domain_joined &&
	    !c->d->os.domain_controller) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-per-user-workgroup", NULL);
		SET(r, title, "per-user licensing on a session host in a workgroup");
		SET(r, evidence, "%s: LicensingMode = 4 (per user) in %s; RtlGetVersion/membership: "
				 "workgroup",
		    source, mode == pv ? "HKLM\\" RDLS_KEY_TS_POLICY : "HKLM\\" RDLS_KEY_RCM_LICENSING);
		SET(r, cause, "the troubleshooting document: 'If you use workgroup servers for your RDS "
			      "deployment, you have to use Per Device CALs. In that case, Per User CALs "
			      "are not permitted.'");
		if (*cmd && c->m->licensing_mode == RDLS_PER_DEVICE)
			SET(r, remedy, "%s (sets LicensingMode = 2, per device)", cmd);
		else
			SET(r, remedy, "switch to per-device licensing and per-device CALs: set "
				       "licensing_mode = per_device in the profile and run 'rdlsctl "
				       "apply PROFILE', or by hand: %s",
			    gp);
		goto out;
	}
	struct rdls_dresult *r = passed(c, "licensing-mode", NULL);
	SET(r, title, "licensing mode: %s (%s)", mode_name(mode), source);
	SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
	if (!c->d->have_os && mode == MODE_PER_USER)
		SET(r, title, "licensing mode: per user (%s); workgroup membership unknown", source);
out:
	rdls_regval_release(&pol);
	rdls_regval_release(&loc);
}

/* One list entry's whitespace. */
static void check_entry_space(struct dctx *c, const char *where, const char *entry, size_t len,
			      const char *whole)
{
	bool lead = len && is_space(entry[0]);
	bool trail = len && is_space(entry[len - 1]);
	bool empty = true;
	for (size_t i = 0; i < len; i++)
		if (!is_space(entry[i]))
			empty = false;
	if (!lead && !trail && !empty)
		return;
	char name[RDLS_TS_NAME_MAX];
	size_t a = 0, b = len;
	while (a < b && is_space(entry[a]))
		a++;
	while (b > a && is_space(entry[b - 1]))
		b--;
	snprintf(name, sizeof(name), "%.*s", (int)(b - a), entry + a);
	char cmd[600] = "";
	if (have_profile(c))
		apply_cmd(c, cmd, sizeof(cmd));
	struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, "license-servers",
					 "license-server-whitespace", empty ? "(empty)" : name);
	if (empty)
		SET(r, title, "an empty entry in the license server list");
	else
		SET(r, title, "license server name '%s' carries stray whitespace", name);
	SET(r, evidence, "%s = '%s': entry '%.*s'", where, whole, (int)len, entry);
	SET(r, cause, "the session host looks names up as written: '%.*s' is not the name '%s'; the "
		      "policy's editor separates names with commas only",
	    (int)len, entry, name);
	if (*cmd)
		SET(r, remedy, "%s (rewrites the list without whitespace)", cmd);
	else
		SET(r, remedy, "rewrite the list without spaces (gpedit.msc > ... > Licensing > 'Use the "
			       "specified Remote Desktop license servers'), or describe this host in a "
			       "profile and run 'rdlsctl apply PROFILE'");
}

/* --- session host: the license server lists ("Use the specified Remote Desktop license
 * servers": policy TS_LICENSE_SERVERS of terminalserver.admx, REG_SZ LicenseServers,
 * names separated by commas; and what Server Manager writes on a Connection Broker
 * deployment, REG_MULTI_SZ SpecifiedLicenseServers under TermService\Parameters). */
static void check_license_servers(struct dctx *c)
{
	rdls_regval pol = { 0 }, brk = { 0 };
	if (read_value(c, "license-servers", RDLS_KEY_TS_POLICY, "LicenseServers", &pol) != 0)
		return;
	if (read_value(c, "license-servers", RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &brk) != 0) {
		rdls_regval_release(&pol);
		return;
	}
	c->servers_read = true;
	char pol_s[1024], brk_s[1024], cmd[600] = "";
	describe_regval(&pol, pol_s, sizeof(pol_s));
	describe_regval(&brk, brk_s, sizeof(brk_s));
	if (have_profile(c))
		apply_cmd(c, cmd, sizeof(cmd));
	const char *pol_where = "HKLM\\" RDLS_KEY_TS_POLICY " value 'LicenseServers'";
	const char *brk_where = "HKLM\\" RDLS_KEY_TS_BROKER_LS " value 'SpecifiedLicenseServers'";

	if (pol.present && !is_string_type(&pol)) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "license-servers",
						 "license-servers-wrong-type", "LicenseServers");
		SET(r, title, "the license server policy value has the wrong type");
		SET(r, evidence, "%s: %s", pol_where, pol_s);
		SET(r, cause, "the policy 'Use the specified Remote Desktop license servers' writes "
			      "LicenseServers as REG_SZ, names separated by commas; a value of another "
			      "type is not a list of names");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "delete the value and set the policy again with gpedit.msc, or "
				       "describe this host in a profile and run 'rdlsctl apply PROFILE'");
	} else if (pol.present && pol.type == RDLS_REG_EXPAND_SZ) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, "license-servers",
						 "license-servers-wrong-type", "LicenseServers");
		SET(r, title, "the license server policy value is REG_EXPAND_SZ, not REG_SZ");
		SET(r, evidence, "%s: %s", pol_where, pol_s);
		SET(r, cause, "the policy writes REG_SZ; a hand-made REG_EXPAND_SZ may not be read the "
			      "same way");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "set the policy again with gpedit.msc (it writes REG_SZ)");
	}
	if (is_string_type(&pol)) {
		const char *s = (const char *)pol.data;
		const char *p = s;
		for (;;) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			check_entry_space(c, pol_where, p, len, s);
			size_t a = 0, b = len;
			while (a < b && is_space(p[a]))
				a++;
			while (b > a && is_space(p[b - 1]))
				b--;
			add_server(c, p + a, b - a);
			if (!e)
				break;
			p = e + 1;
		}
	}
	if (brk.present && brk.type == RDLS_REG_MULTI_SZ) {
		const char *p = (const char *)brk.data, *end = p + brk.len;
		while (p < end && *p) {
			size_t len = bounded_len(p, (size_t)(end - p));
			check_entry_space(c, brk_where, p, len, p);
			size_t a = 0, b = len;
			while (a < b && is_space(p[a]))
				a++;
			while (b > a && is_space(p[b - 1]))
				b--;
			add_server(c, p + a, b - a);
			p += len + 1;
		}
	}
	if (c->n_servers == 0) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "license-servers",
						 "license-servers-none", NULL);
		SET(r, title, "no license server is specified");
		SET(r, evidence, "%s: %s; %s: %s", pol_where, pol_s, brk_where, brk_s);
		SET(r, cause, "the session host then relies on automatic license server discovery, a "
			      "mechanism abandoned starting with Windows Server 2008 R2; it finds no "
			      "license server and refuses clients once the grace period ends");
		if (*cmd)
			SET(r, remedy, "%s (sets the policy value LicenseServers)", cmd);
		else
			SET(r, remedy, "gpedit.msc > Computer Configuration > Administrative Templates > "
				       "Windows Components > Remote Desktop Services > Remote Desktop "
				       "Session Host > Licensing > 'Use the specified Remote Desktop "
				       "license servers': Enabled, names separated by commas; or describe "
				       "this host in a profile and run 'rdlsctl apply PROFILE'");
	} else {
		struct rdls_dresult *r = passed(c, "license-servers", NULL);
		SET(r, title, "%lu license server%s specified", (unsigned long)c->n_servers, c->n_servers == 1 ? "" : "s");
		SET(r, evidence, "%s: %s; %s: %s", pol_where, pol_s, brk_where, brk_s);
	}
	rdls_regval_release(&pol);
	rdls_regval_release(&brk);
}

/* Peers a license server talks to: the profile's other license servers, and the
 * domain list under TermServLicensing\Parameters. */
static void collect_ls_peers(struct dctx *c)
{
	if (c->m && c->ls) {
		for (size_t i = 0; i < c->m->n_ls; i++)
			if (&c->m->ls[i] != c->ls)
				add_server(c, c->m->ls[i].dns, strlen(c->m->ls[i].dns));
	}
	if (!c->sys->ops->reg_get)
		return;
	rdls_regval v = { 0 };
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->reg_get(c->sys->ctx, RDLS_KEY_LICENSING, "SpecifiedLicenseServers", &v, &e) == 0 &&
	    v.present && v.type == RDLS_REG_MULTI_SZ) {
		const char *p = (const char *)v.data, *end = p + v.len;
		while (p < end && *p) {
			size_t len = bounded_len(p, (size_t)(end - p));
			size_t a = 0, b = len;
			while (a < b && is_space(p[a]))
				a++;
			while (b > a && is_space(p[b - 1]))
				b--;
			add_server(c, p + a, b - a);
			p += len + 1;
		}
	}
	rdls_regval_release(&v);
}

/* --- every named license server: name resolution (GetAddrInfoW) and the RPC endpoint
 * mapper (TCP 135), which RD Licensing's RPC goes through first. */
static void check_server_reach(struct dctx *c, const char *name)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	char cmd[600] = "";
	if (have_profile(c))
		apply_cmd(c, cmd, sizeof(cmd));
	if (!ops->name_resolve) {
		not_run_missing_op(c, "ls-resolve", name, "name_resolve");
		not_run_missing_op(c, "ls-rpc", name, "tcp_probe");
		return;
	}
	bool found = false;
	char addr[128] = "";
	rdls_err e;
	rdls_err_clear(&e);
	if (ops->name_resolve(c->sys->ctx, name, &found, addr, sizeof(addr), &e) != 0) {
		not_run_err(c, "ls-resolve", name, "the name's address", &e);
		struct rdls_dresult *r = not_run(c, "ls-rpc", name);
		SET(r, reason, "the name '%s' could not be resolved", name);
		return;
	}
	if (!found) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "ls-resolve",
						 "license-server-unresolved", name);
		SET(r, title, "license server '%s' does not resolve", name);
		SET(r, evidence, "GetAddrInfoW('%s'): no such host", name);
		SET(r, cause, "this machine cannot reach a license server whose name has no address");
		SET(r, remedy, "register '%s' in DNS (or the hosts file) or correct the name%s%s", name,
		    *cmd ? ": fix the profile's dns = and run " : "", cmd);
		r = not_run(c, "ls-rpc", name);
		SET(r, reason, "the name '%s' does not resolve", name);
		return;
	}
	struct rdls_dresult *r = passed(c, "ls-resolve", name);
	SET(r, title, "license server '%s' resolves", name);
	SET(r, evidence, "GetAddrInfoW('%s') -> %s", name, addr);

	if (!ops->tcp_probe) {
		not_run_missing_op(c, "ls-rpc", name, "tcp_probe");
		return;
	}
	bool open = false;
	rdls_err_clear(&e);
	if (ops->tcp_probe(c->sys->ctx, name, c->o->rpc_port, c->o->probe_timeout_ms, &open, &e) != 0) {
		not_run_err(c, "ls-rpc", name, "the RPC endpoint mapper", &e);
		return;
	}
	if (!open) {
		r = finding(c, RDLS_DSEV_ERROR, "ls-rpc", "license-server-unreachable", name);
		SET(r, title, "license server '%s' does not answer on TCP %u (RPC endpoint mapper)", name,
		    (unsigned)c->o->rpc_port);
		SET(r, evidence, "TCP connect to %s (%s) port %u: refused or no answer within %u ms", name,
		    addr, (unsigned)c->o->rpc_port, (unsigned)c->o->probe_timeout_ms);
		SET(r, cause, "RD Licensing is reached over RPC, which starts at the endpoint mapper on "
			      "TCP 135: the server is off, or a firewall between here and there blocks "
			      "TCP 135 (and the dynamic RPC ports after it)");
		SET(r, remedy, "on '%s': make sure it runs and that its firewall allows the 'Remote "
			       "Desktop Licensing Server' inbound rules (TCP 135 and the RPC dynamic "
			       "ports); also check firewalls on the way (manual step)",
		    name);
		return;
	}
	r = passed(c, "ls-rpc", name);
	SET(r, title, "license server '%s' answers on TCP %u", name, (unsigned)c->o->rpc_port);
	SET(r, evidence, "TCP connect to %s (%s) port %u succeeded", name, addr,
	    (unsigned)c->o->rpc_port);
}

static const char *ts_missing_hint(const rdls_err *e)
{
	if (e->code == WBEM_E_INVALID_NAMESPACE_ || e->code == WBEM_E_INVALID_CLASS_ ||
	    e->code == WBEM_E_NOT_FOUND_)
		return " (the namespace root\\CIMv2\\TerminalServices or the class is missing: Remote "
		       "Desktop Services is not installed here)";
	return "";
}

static void ts_not_run(struct dctx *c, const char *check, const char *subject, const char *method,
		       const rdls_err *e)
{
	char msg[RDLS_ERR_TEXT_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_API_MAX + 64];
	rdls_err_format(e, msg, sizeof(msg));
	struct rdls_dresult *r = not_run(c, check, subject);
	SET(r, reason, "Win32_TerminalServiceSetting.%s could not be called: %s%s", method, msg,
	    ts_missing_hint(e));
}

#define CONN_EVIDENCE "Win32_TerminalServiceSetting.GetTStoLSConnectivityStatus('%s') = %u (%s)"

/* --- session host: what Remote Desktop Services itself reports, through
 * Win32_TerminalServiceSetting (root\CIMv2\TerminalServices). */
static void check_ts(struct dctx *c)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	void *x = c->sys->ctx;
	rdls_err e;
	/* Usable: a license server RDS can use. -1 unknown, 0 none, 1 yes. */
	int usable = -1;
	char usable_name[RDLS_TS_NAME_MAX] = "";

	/* GetTStoLSConnectivityStatus for each named license server. */
	for (size_t i = 0; i < c->n_servers; i++) {
		const char *name = c->servers[i];
		if (!ops->ts_connectivity) {
			not_run_missing_op(c, "ts-connectivity", name, "ts_connectivity");
			continue;
		}
		uint32_t st = 0;
		rdls_err_clear(&e);
		if (ops->ts_connectivity(x, name, &st, &e) != 0) {
			ts_not_run(c, "ts-connectivity", name, "GetTStoLSConnectivityStatus", &e);
			continue;
		}
		if (usable < 0)
			usable = 0;
		if (conn_status_valid(st)) {
			usable = 1;
			copy_str(usable_name, sizeof(usable_name), name);
			struct rdls_dresult *r = passed(c, "ts-connectivity", name);
			SET(r, title, "Remote Desktop Services can use license server '%s'", name);
			SET(r, evidence, CONN_EVIDENCE, name, (unsigned)st, conn_status_name(st));
			continue;
		}
		enum rdls_dsev sev = RDLS_DSEV_ERROR;
		const char *id = "ts-ls-not-connectable", *cause = NULL, *remedy = NULL;
		switch (st) {
		case RDLS_LS_CONNECTABLE_LOWER_VERSION:
			id = "ts-ls-incompatible";
			cause = "Remote Desktop Services reaches the license server, but the license "
				"server and this session host are incompatible: a license server cannot "
				"serve a session host of a newer Windows version";
			remedy = "use a license server whose Windows version is at least this session "
				 "host's (the troubleshooting document's tables)";
			break;
		case RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP:
			id = "ts-ls-not-in-group";
			cause = "the 'License server security group' policy is enabled on the license "
				"server and this session host is not a member of its group";
			remedy = "on the license server, add this computer to the RDS Endpoint Servers "
				 "(Terminal Server Computers) group, or disable that policy";
			break;
		case RDLS_LS_NOT_CONNECTABLE:
			cause = "Remote Desktop Services cannot connect to the license server";
			remedy = "check the name, the server and its firewall (see the ls-resolve and "
				 "ls-rpc checks of this server)";
			break;
		case RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED:
			sev = RDLS_DSEV_WARNING;
			id = "ts-ls-access-denied";
			cause = "the license server answers, but the account running diagnose is not an "
				"administrator there, so its validity could not be checked";
			remedy = "run diagnose as an account that administers the license server too, "
				 "or check the server in RD Licensing Manager";
			break;
		case RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED:
			sev = RDLS_DSEV_INFO;
			id = "ts-ls-feature-not-supported";
			cause = "Remote Desktop Services reports the check as not supported";
			remedy = "none needed; see the other checks of this server";
			break;
		default: /* unknown, unknown validity, beta/RTM mismatch, undocumented */
			sev = RDLS_DSEV_WARNING;
			id = "ts-ls-unknown";
			cause = "Remote Desktop Services cannot tell whether it can use this license "
				"server";
			remedy = "open RD Licensing Diagnoser on this host for details, and check the "
				 "license server is activated and has CALs installed";
			break;
		}
		struct rdls_dresult *r = finding(c, sev, "ts-connectivity", id, name);
		SET(r, title, "Remote Desktop Services reports license server '%s' as %s", name,
		    conn_status_name(st));
		SET(r, evidence, CONN_EVIDENCE, name, (unsigned)st, conn_status_name(st));
		SET(r, cause, "%s", cause);
		SET(r, remedy, "%s", remedy);
	}

	/* FindLicenseServers: what RDS discovers, compared with the names configured. */
	if (!ops->ts_find_ls) {
		not_run_missing_op(c, "ts-find", NULL, "ts_find_ls");
	} else {
		rdls_ts_ls found[MAX_FOUND];
		size_t count = 0;
		rdls_err_clear(&e);
		if (ops->ts_find_ls(x, found, MAX_FOUND, &count, &e) != 0) {
			ts_not_run(c, "ts-find", NULL, "FindLicenseServers", &e);
		} else {
			size_t nf = count < MAX_FOUND ? count : MAX_FOUND;
			char list[2048] = "";
			size_t off = 0;
			for (size_t i = 0; i < nf && off < sizeof(list); i++) {
				int k = snprintf(list + off, sizeof(list) - off,
						 "%s%s (IsLSAvailable=%u, IssuingCALs=%u)", i ? ", " : "",
						 found[i].name, (unsigned)found[i].available,
						 (unsigned)found[i].issuing);
				off += k > 0 ? (size_t)k : 0;
			}
			bool bad = false;
			if (usable < 0)
				usable = 0;
			for (size_t i = 0; i < nf; i++) {
				if (found[i].available == 1 && found[i].issuing == 1 && !usable_name[0]) {
					usable = 1;
					copy_str(usable_name, sizeof(usable_name), found[i].name);
				}
				if (found[i].available == 1 && found[i].issuing == 1)
					usable = 1;
				if (found[i].available == 0) {
					bad = true;
					struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "ts-find",
									 "ts-ls-unavailable", found[i].name);
					SET(r, title, "license server '%s' is not available to Remote Desktop "
						      "Services", found[i].name);
					SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
					    list);
					SET(r, cause, "IsLSAvailable = 0: no RPC connection can be made to it");
					SET(r, remedy, "start the Remote Desktop Licensing service on '%s' and "
						       "allow RPC (TCP 135 and the dynamic ports) through its "
						       "firewall", found[i].name);
				} else if (found[i].issuing == 0) {
					bad = true;
					struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "ts-find",
									 "ts-ls-not-issuing", found[i].name);
					SET(r, title, "license server '%s' may not issue CALs to this session "
						      "host", found[i].name);
					SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
					    list);
					SET(r, cause, "IssuingCALs = 0: the license server is not allowed to "
						      "issue RDS CALs to this RD Session Host");
					SET(r, remedy, "on '%s': check it is activated and has CALs of the right "
						       "type and version, and the 'License server security "
						       "group' policy", found[i].name);
				}
			}
			for (size_t i = 0; i < c->n_servers; i++) {
				bool seen = false;
				for (size_t j = 0; j < nf; j++)
					if (name_eq(found[j].name, c->servers[i]))
						seen = true;
				if (seen)
					continue;
				bad = true;
				struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, "ts-find",
								 "ts-ls-not-found", c->servers[i]);
				SET(r, title, "Remote Desktop Services does not find the configured license "
					      "server '%s'", c->servers[i]);
				SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
				    nf ? list : "none");
				SET(r, cause, "the registry names it, but the licensing component of this "
					      "session host does not list it: it may not have read the "
					      "setting yet, or the name differs from the one it knows");
				SET(r, remedy, "run 'gpupdate /force' (policy) or restart the Remote Desktop "
					       "Services service outside working hours, then diagnose again");
			}
			if (!bad) {
				struct rdls_dresult *r = passed(c, "ts-find", NULL);
				SET(r, title, "Remote Desktop Services finds %lu license server%s", (unsigned long)count,
				    count == 1 ? "" : "s");
				SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
				    nf ? list : "none");
			}
		}
	}

	/* PingLicenseServer: Windows Server 2008 only (Microsoft's documentation: no longer
	 * available as of 2008 R2, like CanAccessLicenseServer). */
	bool ws2008 = c->d->have_os && c->d->os.major == 6 && c->d->os.minor == 0;
	if (!ws2008) {
		struct rdls_dresult *r = not_run(c, "ts-ping", NULL);
		SET(r, reason, "Win32_TerminalServiceSetting.PingLicenseServer and CanAccessLicenseServer "
			       "are no longer available as of Windows Server 2008 R2 (Microsoft's "
			       "documentation)%s; GetTStoLSConnectivityStatus (ts-connectivity) checks "
			       "each server instead",
		    c->d->have_os ? "" : "; the Windows version is unknown");
	} else {
		for (size_t i = 0; i < c->n_servers; i++) {
			const char *name = c->servers[i];
			if (!ops->ts_ping_ls) {
				not_run_missing_op(c, "ts-ping", name, "ts_ping_ls");
				continue;
			}
			bool valid = false;
			rdls_err_clear(&e);
			if (ops->ts_ping_ls(x, name, &valid, &e) != 0) {
				ts_not_run(c, "ts-ping", name, "PingLicenseServer", &e);
				continue;
			}
			if (valid) {
				usable = 1;
				struct rdls_dresult *r = passed(c, "ts-ping", name);
				SET(r, title, "'%s' is a valid license server", name);
				SET(r, evidence, "Win32_TerminalServiceSetting.PingLicenseServer('%s') = S_OK",
				    name);
			} else {
				struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "ts-ping",
								 "ts-ls-ping-invalid", name);
				SET(r, title, "'%s' is not a valid license server", name);
				SET(r, evidence, "Win32_TerminalServiceSetting.PingLicenseServer('%s') = "
						 "S_FALSE", name);
				SET(r, cause, "the named machine does not answer as an RD license server");
				SET(r, remedy, "install and activate the RD Licensing role on '%s', or name "
					       "the right server", name);
			}
		}
	}

	/* GetGracePeriodDays, judged against what the checks above found usable. */
	if (!ops->ts_grace_days) {
		not_run_missing_op(c, "ts-grace", NULL, "ts_grace_days");
		return;
	}
	uint32_t days = 0;
	rdls_err_clear(&e);
	if (ops->ts_grace_days(x, &days, &e) != 0) {
		ts_not_run(c, "ts-grace", NULL, "GetGracePeriodDays", &e);
		return;
	}
	if (usable < 0 && c->n_servers == 0)
		usable = 0;
	char usable_s[RDLS_TS_NAME_MAX + 64];
	if (usable > 0)
		snprintf(usable_s, sizeof(usable_s), "usable license server: '%s'", usable_name);
	else if (usable == 0)
		snprintf(usable_s, sizeof(usable_s), "no usable license server (%s)",
			 c->n_servers ? "see ts-connectivity and ts-find" : "none specified");
	else
		snprintf(usable_s, sizeof(usable_s), "whether a license server is usable is unknown "
				    "(its checks did not run)");
	if (usable != 1 && days <= c->o->grace_warn_days) {
		bool over = days == 0;
		struct rdls_dresult *r = finding(c, over ? RDLS_DSEV_ERROR : RDLS_DSEV_WARNING, "ts-grace",
						 over ? "grace-period-over" : "grace-period-running-out",
						 NULL);
		if (over)
			SET(r, title, "the licensing grace period is over and no license server is usable");
		else
			SET(r, title, "the licensing grace period ends in %u day%s and no license server "
				      "is usable", (unsigned)days, days == 1 ? "" : "s");
		SET(r, evidence, "Win32_TerminalServiceSetting.GetGracePeriodDays: DaysLeft = %u; %s",
		    (unsigned)days, usable_s);
		SET(r, cause, "during the grace period the session host accepts clients without CALs; "
			      "after it, every connection fails with 'no Remote Desktop License Servers "
			      "available to provide a license'");
		SET(r, remedy, "fix the findings about the licensing mode and the license servers above "
			       "before the grace period ends");
		return;
	}
	struct rdls_dresult *r = passed(c, "ts-grace", NULL);
	SET(r, title, "grace period: %u day%s left; %s", (unsigned)days, days == 1 ? "" : "s", usable_s);
	SET(r, evidence, "Win32_TerminalServiceSetting.GetGracePeriodDays: DaysLeft = %u", (unsigned)days);
}

/* --- CAL version against the real Windows version (the troubleshooting document's tables). */
static void check_cal(struct dctx *c)
{
	if (!c->m) {
		struct rdls_dresult *r = not_run(c, "cal-compat", NULL);
		SET(r, reason, "needs a profile: the CAL version is the profile's cal_version");
		return;
	}
	if (!c->ls && !c->sh) {
		struct rdls_dresult *r = not_run(c, "cal-compat", NULL);
		SET(r, reason, "the profile does not describe this host");
		return;
	}
	if (!c->d->have_os) {
		struct rdls_dresult *r = not_run(c, "cal-compat", NULL);
		SET(r, reason, "the Windows version could not be read (see os-version)");
		return;
	}
	enum rdls_os real;
	if (!c->d->os.server || !rdls_os_from_version(&c->d->os, &real)) {
		struct rdls_dresult *r = not_run(c, "cal-compat", NULL);
		SET(r, reason, "Windows %u.%u build %u%s is not a Windows Server version the tables "
			       "cover", (unsigned)c->d->os.major, (unsigned)c->d->os.minor,
		    (unsigned)c->d->os.build, c->d->os.server ? "" : " (not a server)");
		return;
	}
	struct {
		const char *role;
		bool is;
		enum rdls_os declared;
		bool (*ok)(enum rdls_os, enum rdls_cal);
		const char *table;
	} roles[2] = {
		{ "session host", c->sh != NULL, c->sh ? c->sh->os : real, rdls_compat_session_host,
		  "RDS CAL vs RD Session Host" },
		{ "license server", c->ls != NULL, c->ls ? c->ls->os : real, rdls_compat_license_server,
		  "RDS CAL vs license server" },
	};
	for (int i = 0; i < 2; i++) {
		if (!roles[i].is)
			continue;
		const char *sect = i == 0 ? "session_host" : "license_server";
		if (roles[i].declared != real) {
			struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, "cal-compat",
							 "os-differs-from-profile", roles[i].role);
			SET(r, title, "the profile says Windows Server %s, this %s runs Windows Server %s",
			    rdls_os_name(roles[i].declared), roles[i].role, rdls_os_name(real));
			SET(r, evidence, "%s: [%s %s] os = %s; RtlGetVersion: %u.%u build %u",
			    c->o->profile_path, sect, c->d->host, rdls_os_name(roles[i].declared),
			    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build);
			SET(r, cause, "'rdlsctl validate' checks CAL compatibility with the os the profile "
				      "declares, so it checked the wrong version");
			SET(r, remedy, "set os = %s in [%s %s] of %s and run 'rdlsctl validate %s'",
			    rdls_os_name(real), sect, c->d->host, c->o->profile_path, c->o->profile_path);
		}
		if (!roles[i].ok(real, c->m->cal)) {
			struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, "cal-compat", "cal-incompatible",
							 roles[i].role);
			SET(r, title, "RDS %s CALs do not work with this %s (Windows Server %s)",
			    rdls_cal_name(c->m->cal), roles[i].role, rdls_os_name(real));
			SET(r, evidence, "RtlGetVersion: %u.%u build %u = Windows Server %s; %s: "
					 "cal_version = %s; the troubleshooting document's table %s",
			    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build,
			    rdls_os_name(real), c->o->profile_path, rdls_cal_name(c->m->cal),
			    roles[i].table);
			SET(r, cause, i == 0 ? "a session host accepts only CALs of its own version or "
					       "newer: clients get no license"
					     : "a license server cannot hold or issue CALs newer than "
					       "its own version");
			SET(r, remedy, "%s, set cal_version in %s, and run 'rdlsctl validate %s'",
			    i == 0 ? "install CALs at least as new as this session host's Windows"
				   : "move the CALs to a license server at least as new as the CALs",
			    c->o->profile_path, c->o->profile_path);
			continue;
		}
		struct rdls_dresult *r = passed(c, "cal-compat", roles[i].role);
		SET(r, title, "RDS %s CALs work with this %s (Windows Server %s)", rdls_cal_name(c->m->cal),
		    roles[i].role, rdls_os_name(real));
		SET(r, evidence, "RtlGetVersion: %u.%u build %u; %s: cal_version = %s",
		    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build,
		    c->o->profile_path, rdls_cal_name(c->m->cal));
	}
}

/* --- license server: values created with the published commands' leading space. */
static void check_leading_space(struct dctx *c)
{
	static const char *const names[] = { "WorkgroupLicenseServerAccountsGroup",
					     "SpecifiedLicenseServers" };
	bool any = false;
	for (int i = 0; i < 2; i++) {
		char spaced[64];
		snprintf(spaced, sizeof(spaced), " %s", names[i]);
		rdls_regval bad = { 0 }, good = { 0 };
		if (read_value(c, "leading-space", RDLS_KEY_LICENSING, spaced, &bad) != 0)
			return;
		if (!bad.present)
			continue;
		any = true;
		if (read_value(c, "leading-space", RDLS_KEY_LICENSING, names[i], &good) != 0) {
			rdls_regval_release(&bad);
			return;
		}
		char bad_s[600], good_s[600], cmd[600] = "";
		describe_regval(&bad, bad_s, sizeof(bad_s));
		describe_regval(&good, good_s, sizeof(good_s));
		if (have_profile(c))
			apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = finding(c, good.present ? RDLS_DSEV_WARNING : RDLS_DSEV_ERROR,
						 "leading-space", "leading-space-value", names[i]);
		SET(r, title, "value '%s' is named with a leading space", spaced);
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value '%s': %s; value '%s': %s", spaced,
		    bad_s, names[i], good_s);
		SET(r, cause, "it was created with the published Set-ItemProperty command, whose -Name "
			      "has a leading space; the licensing service reads '%s' without the space "
			      "and never sees this value%s",
		    names[i], good.present ? "" : ", so the setting is missing altogether");
		if (*cmd)
			SET(r, remedy, "%s (removes the misnamed value and writes '%s')", cmd, names[i]);
		else
			SET(r, remedy, "reg delete \"HKLM\\" RDLS_KEY_LICENSING "\" /v \"%s\" /f, then "
				       "create '%s' without the space (or describe this license server "
				       "in a profile and run 'rdlsctl apply PROFILE')",
			    spaced, names[i]);
		rdls_regval_release(&bad);
		rdls_regval_release(&good);
	}
	if (!any) {
		struct rdls_dresult *r = passed(c, "leading-space", NULL);
		SET(r, title, "no value named with a leading space");
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " values ' WorkgroupLicenseServerAccountsGroup' "
				 "and ' SpecifiedLicenseServers': absent");
	}
}

/* --- license server: WorkgroupLicenseServerAccountsGroup, as the licensing service reads
 * it (RegGetValueW restricted to REG_SZ, then a name-to-SID lookup that must yield a group
 * or alias: docs/contract.md, "Steps apply performs"). */
static void check_accounts_group(struct dctx *c)
{
	const char *check = "accounts-group";
	const char *vname = "WorkgroupLicenseServerAccountsGroup";
	rdls_regval v = { 0 };
	if (read_value(c, check, RDLS_KEY_LICENSING, vname, &v) != 0)
		return;
	char cmd[600] = "", v_s[600];
	if (have_profile(c))
		apply_cmd(c, cmd, sizeof(cmd));
	describe_regval(&v, v_s, sizeof(v_s));
	const char *where = "HKLM\\" RDLS_KEY_LICENSING " value 'WorkgroupLicenseServerAccountsGroup'";
	bool wg_ls = c->m && c->ls && c->m->membership == RDLS_WORKGROUP;
	char want[600] = "";
	if (wg_ls && c->m->has_peering)
		snprintf(want, sizeof(want), "%s\\%s", c->d->host, c->m->peering.group);

	if (!v.present) {
		if (wg_ls) {
			struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check, "accounts-group-missing",
							 vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup is not set");
			SET(r, evidence, "%s: absent; %s: workgroup, [license_server %s]", where,
			    c->o->profile_path, c->ls->name);
			SET(r, cause, "the licensing service does not recognise the other license servers' "
				      "accounts, so they cannot return or exchange licenses with it");
			SET(r, remedy, "%s (sets it to REG_SZ '%s')", cmd, want);
		} else {
			struct rdls_dresult *r = passed(c, check, vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup is not set (needed only by "
				      "license servers of a workgroup that exchange licenses)");
			SET(r, evidence, "%s: absent", where);
		}
		rdls_regval_release(&v);
		return;
	}
	bool bad = false;
	if (v.type != RDLS_REG_SZ) {
		bad = true;
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check, "accounts-group-wrong-type",
						 vname);
		SET(r, title, "WorkgroupLicenseServerAccountsGroup is %s, not REG_SZ", reg_type_name(v.type));
		SET(r, evidence, "%s: %s", where, v_s);
		SET(r, cause, "the licensing service reads this value with RegGetValueW restricted to "
			      "REG_SZ and ignores a value of any other type");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "reg add \"HKLM\\" RDLS_KEY_LICENSING "\" /v %s /t REG_SZ /d "
				       "\"%s\" /f (or describe this license server in a profile and run "
				       "'rdlsctl apply PROFILE')",
			    vname, is_string_type(&v) ? (const char *)v.data : "HOST\\GROUP");
	}
	if (!is_string_type(&v)) {
		rdls_regval_release(&v);
		return;
	}
	const char *full = (const char *)v.data;
	const char *bs = strrchr(full, '\\');
	const char *group = bs ? bs + 1 : full;
	if (bs) {
		char dom[300];
		snprintf(dom, sizeof(dom), "%.*s", (int)(bs - full), full);
		if (!name_eq(dom, c->d->host) && !name_eq(dom, "BUILTIN")) {
			bad = true;
			struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, check,
							 "accounts-group-other-host", vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup names a group of '%s', not of "
				      "this computer '%s'", dom, c->d->host);
			SET(r, evidence, "%s: %s", where, v_s);
			SET(r, cause, "the value must name a local group of this license server (%s\\GROUP): "
				      "a value copied from another server names that server's group",
			    c->d->host);
			if (*cmd)
				SET(r, remedy, "%s (sets it to '%s')", cmd, want);
			else
				SET(r, remedy, "set it to '%s\\%s'", c->d->host, group);
		}
	}
	bool exists = true, exists_known = false;
	if (c->sys->ops->group_get) {
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->group_get(c->sys->ctx, group, &exists, &e) != 0) {
			char what[400];
			snprintf(what, sizeof(what), "local group '%s'", group);
			not_run_err(c, check, "group", what, &e);
		} else {
			exists_known = true;
		}
	} else {
		not_run_missing_op(c, check, "group", "group_get");
	}
	if (exists_known && !exists) {
		bad = true;
		struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check, "accounts-group-no-such-group",
						 group);
		SET(r, title, "the group '%s' named by WorkgroupLicenseServerAccountsGroup does not exist",
		    group);
		SET(r, evidence, "%s: %s; NetLocalGroupGetInfo('%s'): no such group", where, v_s, group);
		SET(r, cause, "the licensing service recognises peer license servers by membership in "
			      "this group; a missing group recognises no one");
		if (*cmd)
			SET(r, remedy, "%s (creates the group and adds the peer account)", cmd);
		else
			SET(r, remedy, "create it (PowerShell: New-LocalGroup -Name '%s') and add the peer "
				       "account (Add-LocalGroupMember), or describe this license server in "
				       "a profile and run 'rdlsctl apply PROFILE'",
			    group);
	}
	if (!(exists_known && !exists)) {
		if (!c->sys->ops->account_lookup) {
			not_run_missing_op(c, check, "lookup", "account_lookup");
		} else {
			enum rdls_sid_use use = RDLS_SID_NONE;
			rdls_err e;
			rdls_err_clear(&e);
			if (c->sys->ops->account_lookup(c->sys->ctx, full, &use, &e) != 0) {
				char what[700];
				snprintf(what, sizeof(what), "the account '%s'", full);
				not_run_err(c, check, "lookup", what, &e);
			} else if (use != RDLS_SID_GROUP && use != RDLS_SID_ALIAS) {
				bad = true;
				static const char *const kinds[] = { "nothing (ERROR_NONE_MAPPED)", "a user",
								     "a group", "a domain", "an alias",
								     "a well-known group" };
				const char *kind = (unsigned)use < 6 ? kinds[use] : "another kind of account";
				struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check,
								 "accounts-group-not-a-group", vname);
				SET(r, title, "'%s' does not resolve to a group", full);
				SET(r, evidence, "%s: %s; LookupAccountNameW('%s'): %s", where, v_s, full,
				    kind);
				SET(r, cause, "the licensing service resolves the value with a name-to-SID "
					      "lookup that must yield a group or alias");
				if (*want && name_eq(full, want))
					SET(r, remedy, "the value and the group are as the profile wants, yet "
						       "the name does not resolve: look for a user or computer "
						       "of the same name, and check the lookup (PowerShell: "
						       "([Security.Principal.NTAccount]'%s').Translate("
						       "[Security.Principal.SecurityIdentifier]))", full);
				else if (*cmd)
					SET(r, remedy, "%s (sets it to '%s' and creates that group)", cmd, want);
				else
					SET(r, remedy, "set it to HOST\\GROUP of an existing local group of "
						       "this computer");
			}
		}
	}
	if (!bad) {
		struct rdls_dresult *r = passed(c, check, vname);
		SET(r, title, "WorkgroupLicenseServerAccountsGroup names the local group '%s'", group);
		SET(r, evidence, "%s: %s; the group exists and resolves to a group", where, v_s);
	}
	rdls_regval_release(&v);
}

/* --- peer credentials in the NETWORK SERVICE context (source document 1, workgroup). */
static void check_peer_creds(struct dctx *c)
{
	const char *check = "peer-credentials";
	if (!c->m) {
		struct rdls_dresult *r = not_run(c, check, NULL);
		SET(r, reason, "needs a profile: it names the peers and the account");
		return;
	}
	if (c->m->membership != RDLS_WORKGROUP || !c->m->has_peering) {
		struct rdls_dresult *r = not_run(c, check, NULL);
		SET(r, reason, "not applicable: only workgroup license servers (and session hosts with "
			       "credentials = yes) store peer credentials");
		return;
	}
	const char *targets[MAX_SERVERS];
	size_t nt = 0;
	if (c->ls) {
		for (size_t i = 0; i < c->m->n_ls && nt < MAX_SERVERS; i++)
			if (&c->m->ls[i] != c->ls)
				targets[nt++] = c->m->ls[i].name;
	}
	if (c->sh && c->sh->credentials) {
		for (size_t i = 0; i < c->sh->n_ls && nt < MAX_SERVERS; i++) {
			const char *t = c->m->ls[c->sh->ls[i]].name;
			bool dup = false;
			for (size_t j = 0; j < nt; j++)
				dup |= name_eq(targets[j], t);
			if (!dup)
				targets[nt++] = t;
		}
	}
	if (nt == 0) {
		struct rdls_dresult *r = not_run(c, check, NULL);
		SET(r, reason, "not applicable: the profile gives this host no peer license server to "
			       "store a credential for");
		return;
	}
	char cmd[600];
	apply_cmd(c, cmd, sizeof(cmd));
	for (size_t i = 0; i < nt; i++) {
		const char *p = targets[i];
		if (!c->sys->ops->cred_get) {
			not_run_missing_op(c, check, p, "cred_get");
			continue;
		}
		rdls_cred cr;
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->cred_get(c->sys->ctx, p, &cr, &e) != 0) {
			char what[300];
			snprintf(what, sizeof(what), "the NETWORK SERVICE credential '%s'", p);
			not_run_err(c, check, p, what, &e);
			continue;
		}
		char want[600];
		snprintf(want, sizeof(want), "%s\\%s", p, c->m->peering.account);
		if (!cr.present) {
			struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check, "peer-credential-missing", p);
			SET(r, title, "no credential for '%s' in the NETWORK SERVICE context", p);
			SET(r, evidence, "CredReadW('%s', CRED_TYPE_DOMAIN_PASSWORD) as NT AUTHORITY\\NETWORK "
					 "SERVICE: not found", p);
			SET(r, cause, "the licensing service runs as NETWORK SERVICE and authenticates to "
				      "'%s' with this credential; without it the connection to the peer "
				      "fails", p);
			SET(r, remedy, "%s (stores it through rdlsctl's NETWORK SERVICE helper); by hand: "
				       "psexec -i -u \"NT AUTHORITY\\NETWORK SERVICE\" cmd.exe, then cmdkey "
				       "/add:%s /user:%s /pass", cmd, p, want);
			continue;
		}
		if (!name_eq(cr.user, want) || cr.type != RDLS_CRED_TYPE_DOMAIN_PASSWORD) {
			struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check,
							 "peer-credential-wrong-user", p);
			SET(r, title, "the NETWORK SERVICE credential for '%s' is for '%s', not '%s'", p,
			    cr.user, want);
			SET(r, evidence, "CredReadW('%s') as NETWORK SERVICE: type %u, user '%s'", p,
			    (unsigned)cr.type, cr.user);
			SET(r, cause, "'%s' expects its peers to sign in as its account '%s'", p, want);
			SET(r, remedy, "%s --rotate (rewrites the credential)", cmd);
			continue;
		}
		struct rdls_dresult *r = passed(c, check, p);
		SET(r, title, "NETWORK SERVICE holds a credential for '%s' as '%s'", p, cr.user);
		SET(r, evidence, "CredReadW('%s') as NETWORK SERVICE: CRED_TYPE_DOMAIN_PASSWORD, user '%s'",
		    p, cr.user);
	}
}

/* --- where NETWORK SERVICE must hold peer credentials (a workgroup license server, a session
 * host with credentials = yes): whether Windows stores them at all. The rule is precond.h's,
 * the one plan and apply refuse by. */
static void check_cred_storage(struct dctx *c)
{
	const char *check = "cred-storage";
	bool needed = false;
	if (c->m) {
		if (c->m->membership == RDLS_WORKGROUP && c->m->has_peering) {
			if (c->ls)
				needed = c->m->n_ls > 1;
			for (size_t i = 0; c->sh && c->sh->credentials && i < c->sh->n_ls; i++)
				needed |= !name_eq(c->m->ls[c->sh->ls[i]].name, c->d->host);
		}
	} else {
		/* No profile: a license server in a workgroup holds credentials for its peers. */
		needed = c->d->is_license_server && c->d->have_os && !c->d->os.domain_joined &&
			 !c->d->os.domain_controller;
	}
	if (!needed) {
		struct rdls_dresult *r = not_run(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m ? "the profile gives this host no credential to store"
							 : "not a workgroup license server (give a profile to "
							   "check a session host with credentials = yes)");
		return;
	}
	struct rdls_cred_storage st;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_cred_storage_check(c->sys, &st, &e) != 0) {
		not_run_err(c, check, NULL, "whether Windows stores domain credentials", &e);
		return;
	}
	if (st.verdict == RDLS_CRED_STORE_ALLOWED) {
		struct rdls_dresult *r = passed(c, check, NULL);
		SET(r, title, "Windows allows NETWORK SERVICE to store the peer credentials");
		SET(r, evidence, "%s", st.evidence);
		return;
	}
	struct rdls_dresult *r = finding(c, RDLS_DSEV_ERROR, check, "cred-storage-disabled", NULL);
	SET(r, title, "Windows does not store the NETWORK SERVICE credentials this host needs");
	SET(r, evidence, "%s", st.evidence);
	SET(r, cause, "%s; the licensing service then cannot authenticate to its peers, and apply "
		      "refuses to start (as the documented cmdkey procedure fails)",
	    rdls_cred_storage_why(st.verdict));
	SET(r, remedy, "%s", rdls_cred_storage_remedy(st.verdict));
}

/* --- license server: the opt-out of workgroup authentication (DisableWorkgroupAuthEnforcement,
 * Microsoft's guidance for the CVE-2024-38099 / CVE-2024-38231 hardening advises against it). */
static void check_workgroup_auth(struct dctx *c)
{
	const char *check = "workgroup-auth";
	rdls_regval v = { 0 };
	if (read_value(c, check, RDLS_KEY_LICENSING, "DisableWorkgroupAuthEnforcement", &v) != 0)
		return;
	char v_s[128];
	describe_regval(&v, v_s, sizeof(v_s));
	uint32_t dw = 0;
	if (dword_of(&v, &dw) && dw != 0) {
		char cmd[600] = "";
		if (have_profile(c))
			apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = finding(c, RDLS_DSEV_SECURITY, check,
						 "workgroup-auth-enforcement-disabled",
						 "DisableWorkgroupAuthEnforcement");
		SET(r, title, "workgroup authentication between license servers is switched off");
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value 'DisableWorkgroupAuthEnforcement': %s",
		    v_s);
		SET(r, cause, "this opts the license server out of the authentication that the "
			      "CVE-2024-38099 / CVE-2024-38231 updates enforce between workgroup "
			      "license servers; Microsoft advises against it");
		SET(r, remedy, "set up authenticated peering instead (%s%s), then reg delete \"HKLM\\"
			       RDLS_KEY_LICENSING "\" /v DisableWorkgroupAuthEnforcement /f and restart "
			       "the Remote Desktop Licensing service (net stop TermServLicensing && net "
			       "start TermServLicensing); rdlsctl does not remove it for you",
		    *cmd ? cmd : "describe the license servers in a profile and run 'rdlsctl apply "
				 "PROFILE'",
		    "");
		rdls_regval_release(&v);
		return;
	}
	struct rdls_dresult *r = passed(c, check, "DisableWorkgroupAuthEnforcement");
	SET(r, title, "workgroup authentication between license servers is enforced");
	SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value 'DisableWorkgroupAuthEnforcement': %s", v_s);
	rdls_regval_release(&v);
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

/* --- with a profile: every difference between the profile and this machine, as the
 * planner reports it (the same read-only observation as 'rdlsctl plan'). Diagnose never
 * prompts: when the peer secret is not available without asking (password = prompt, or
 * the variable/file missing), credentials are planned with a placeholder and their
 * content is not compared (peer-credentials above still checks presence and user). */
static void check_plan(struct dctx *c)
{
	const char *check = "profile-plan";
	rdls_err e;
	rdls_err_clear(&e);
	rdls_secret *secret = NULL;
	bool placeholder = false;
	char why_no_secret[RDLS_ERR_TEXT_MAX + RDLS_ERR_OBJ_MAX + 64] = "";
	if (rdls_plan_needs_secret(c->m, c->d->host)) {
		if (c->m->peering.src != RDLS_SECRET_PROMPT &&
		    rdls_peer_secret_load(c->m, c->sys, NULL, &secret, &e) == 0) {
			placeholder = false;
		} else {
			if (c->m->peering.src == RDLS_SECRET_PROMPT)
				snprintf(why_no_secret, sizeof(why_no_secret),
					 "password = prompt, and diagnose never prompts");
			else
				rdls_err_format(&e, why_no_secret, sizeof(why_no_secret));
			secret = rdls_secret_new("placeholder", 11);
			placeholder = true;
			if (!secret) {
				c->d->oom = true;
				return;
			}
		}
	}
	struct rdls_plan_opts po = { .secret = secret, .rotate = false };
	struct rdls_plan *p = NULL;
	rdls_err_clear(&e);
	if (rdls_plan_build(c->m, c->d->host, c->sys, &po, &p, &e) != 0) {
		rdls_secret_free(secret);
		not_run_err(c, check, c->d->host, "the plan", &e);
		return;
	}
	char cmd[600];
	apply_cmd(c, cmd, sizeof(cmd));
	struct rdls_buf obj, doing, before, after;
	rdls_buf_init(&obj);
	rdls_buf_init(&doing);
	rdls_buf_init(&before);
	rdls_buf_init(&after);
	size_t diffs = 0, skipped = 0;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rdls_step *s = &p->steps[i];
		bool cred = strcmp(rdls_step_kind(s), "cred") == 0;
		bool conflict = (s->flags & RDLS_STEP_CONFLICT) != 0;
		if (s->action == RDLS_ACT_NONE && !conflict)
			continue;
		/* A missing key is part of the value finding under it: one finding, not three. */
		if (strcmp(rdls_step_kind(s), "regkey") == 0)
			continue;
		if (cred && placeholder) {
			skipped++;
			continue;
		}
		rdls_buf_reset(&obj);
		rdls_buf_reset(&doing);
		rdls_buf_reset(&before);
		rdls_buf_reset(&after);
		rdls_step_object(s, &obj);
		rdls_step_doing(s, false, &doing);
		rdls_step_state(s, &s->prior, &before);
		rdls_step_state(s, &s->want, &after);
		diffs++;
		struct rdls_dresult *r = finding(c, RDLS_DSEV_WARNING, check,
						 conflict ? "profile-conflict" : "profile-difference",
						 rdls_buf_str(&obj));
		if (conflict)
			SET(r, title, "%s differs from the profile and apply leaves it alone",
			    rdls_buf_str(&obj));
		else
			SET(r, title, "apply would %s", rdls_buf_str(&doing));
		SET(r, evidence, "%s: now %s; the profile wants %s", rdls_buf_str(&obj),
		    rdls_buf_str(&before), rdls_buf_str(&after));
		if (s->flags & RDLS_STEP_IMPOSSIBLE)
			SET(r, cause, "this machine differs from the profile, and apply cannot change "
				      "it: %s", s->note);
		else
			SET(r, cause, "%s", conflict ? (s->note ? s->note : "a credential rdlsctl did not write")
						     : "this machine differs from the profile");
		if (conflict)
			SET(r, remedy, "%s --rotate (replaces it; rollback cannot restore the old one)", cmd);
		else
			SET(r, remedy, "%s", cmd);
	}
	for (size_t i = 0; i < p->n_warnings; i++) {
		struct rdls_dresult *r = finding(c, RDLS_DSEV_INFO, check, "plan-warning", NULL);
		SET(r, title, "%s", p->warnings[i]);
		SET(r, evidence, "rdlsctl plan %s", c->o->profile_path);
		SET(r, cause, "%s", p->warnings[i]);
		SET(r, remedy, "read the warning; apply does not change this");
	}
	if (diffs == 0) {
		struct rdls_dresult *r = passed(c, check, c->d->host);
		SET(r, title, "this host matches the profile (%lu resources observed)", (unsigned long)p->n_steps);
		if (skipped || placeholder)
			SET(r, evidence, "rdlsctl plan %s: no change; %lu credential%s not compared "
					 "(the peer secret is not available: %s)",
			    c->o->profile_path, (unsigned long)skipped, skipped == 1 ? "" : "s", why_no_secret);
		else
			SET(r, evidence, "rdlsctl plan %s: no change", c->o->profile_path);
	} else if (placeholder) {
		/* Say once why credential contents were not compared. */
		struct rdls_dresult *r = finding(c, RDLS_DSEV_INFO, check, "plan-credentials-not-compared",
						 NULL);
		SET(r, title, "stored passwords were not compared with the profile's secret");
		SET(r, evidence, "the peer secret is not available without asking: %s", why_no_secret);
		SET(r, cause, "diagnose is read-only and never prompts; peer-credentials checks which "
			      "credentials exist and for which user");
		SET(r, remedy, "run 'rdlsctl plan %s' to compare them too", c->o->profile_path);
	}
	rdls_buf_release(&obj);
	rdls_buf_release(&doing);
	rdls_buf_release(&before);
	rdls_buf_release(&after);
	rdls_plan_free(p);
	rdls_secret_free(secret);
}

int rdls_diagnose(struct rdls_sys *sys, const struct rdls_diagnose_opts *o,
		  struct rdls_diagnosis *d, rdls_err *err)
{
	memset(d, 0, sizeof(*d));
	struct dctx cx = { .sys = sys, .o = o, .d = d, .m = o->model };
	struct dctx *c = &cx;

	if (o->host) {
		snprintf(d->host, sizeof(d->host), "%s", o->host);
	} else if (!sys->ops->host_name) {
		return rdls_err_set(err, "", "host name", 0, "this system interface cannot tell the host name");
	} else if (sys->ops->host_name(sys->ctx, d->host, sizeof(d->host), err) != 0) {
		return -1;
	}

	check_profile_host(c);
	check_os(c);

	rdls_err role_err;
	rdls_err_clear(&role_err);
	bool role_ok = false;
	enum rdls_ls_pub role = observe_ls_role(c, &role_ok, &role_err);
	if (c->ls || c->sh) {
		d->roles_from_profile = true;
		d->is_license_server = c->ls != NULL;
		d->is_session_host = c->sh != NULL;
	} else {
		d->is_license_server = role_ok && role != RDLS_LS_ROLE_ABSENT;
		d->is_session_host = !d->is_license_server || sh_values_present(c);
	}

	if (d->is_session_host) {
		check_licensing_mode(c);
		check_license_servers(c);
	} else {
		static const char *const sh_checks[] = { "licensing-mode", "license-servers", "ts-grace" };
		for (size_t i = 0; i < sizeof(sh_checks) / sizeof(sh_checks[0]); i++) {
			struct rdls_dresult *r = not_run(c, sh_checks[i], NULL);
			if (c->m && (c->ls || c->sh))
				SET(r, reason, "not applicable: the profile does not make this host a session "
					       "host");
			else
				SET(r, reason, "not applicable: this host looks like a license server only "
					       "(RD Licensing role installed, no session-host licensing "
					       "value); give a profile to check it as a session host");
		}
	}
	size_t n_sh_servers = c->n_servers;
	if (d->is_license_server)
		collect_ls_peers(c);
	for (size_t i = 0; i < c->n_servers; i++)
		check_server_reach(c, c->servers[i]);
	if (d->is_session_host) {
		/* RDS's own view concerns the session host's list only. */
		size_t all = c->n_servers;
		c->n_servers = n_sh_servers;
		check_ts(c);
		c->n_servers = all;
	}

	check_ls_role(c, role_ok, role, &role_err);
	check_cal(c);
	check_leading_space(c);
	check_accounts_group(c);
	check_peer_creds(c);
	check_cred_storage(c);
	check_workgroup_auth(c);
	if (c->m && o->profile_path && (c->ls || c->sh))
		check_plan(c);

	for (size_t i = 0; i < c->n_servers; i++)
		free(c->servers[i]);
	if (d->oom)
		return rdls_err_set(err, "", "diagnose", 0, "out of memory");
	return 0;
}
