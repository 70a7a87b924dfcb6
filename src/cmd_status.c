/*
 * `rdlsctl status PROFILE [--host NAME]`: verifies the live state the way the
 * licensing service itself reads it, not the way apply wrote it:
 *   - WorkgroupLicenseServerAccountsGroup is read with RegGetValueW restricted to
 *     REG_SZ, and the name must resolve (LookupAccountNameW) to a group or alias;
 *   - the peer account exists and is a member of that group;
 *   - every peer credential exists in the NETWORK SERVICE logon context;
 *   - publication (IsLSPublished) or SpecifiedLicenseServers, as the profile says;
 *   - on a session host, the two licensing policy values.
 * Read-only; needs no secret. Exit 0 when every check holds, 2 when one does not,
 * 1 when a check could not be performed (the call that failed is shown).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/report.h"

enum check_result { CHECK_OK = 0, CHECK_FAILED, CHECK_ERROR };

struct check {
	const char *id;         /* stable, for scripts: "accounts-group-value", ... */
	char *subject;          /* what was checked */
	enum check_result result;
	char *detail;           /* what was found; for an error, the failed call */
};

struct checks {
	struct check *v;
	size_t n, cap;
	bool oom;
};

static void checks_release(struct checks *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].subject);
		free(c->v[i].detail);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* Takes over subject and detail (rdls_buf contents). */
static void add(struct checks *c, const char *id, struct rdls_buf *subject,
		enum check_result r, struct rdls_buf *detail)
{
	char *s = rdls_buf_take(subject), *d = rdls_buf_take(detail);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct check *nv = realloc(c->v, cap * sizeof(*nv));
		if (!nv) {
			c->oom = true;
			free(s);
			free(d);
			return;
		}
		c->v = nv;
		c->cap = cap;
	}
	if (!s || !d)
		c->oom = true;
	c->v[c->n++] = (struct check){ id, s, r, d };
}

static void add_error(struct checks *c, const char *id, struct rdls_buf *subject,
		      const rdls_err *e)
{
	char msg[RDLS_ERR_API_MAX + RDLS_ERR_OBJ_MAX + RDLS_ERR_TEXT_MAX + 32];
	struct rdls_buf d;
	rdls_err_format(e, msg, sizeof(msg));
	rdls_buf_init(&d);
	rdls_buf_printf(&d, "could not check: %s", msg);
	add(c, id, subject, CHECK_ERROR, &d);
}

static const char *reg_type_name(uint32_t t)
{
	switch (t) {
	case RDLS_REG_SZ: return "REG_SZ";
	case RDLS_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case RDLS_REG_BINARY: return "REG_BINARY";
	case RDLS_REG_DWORD: return "REG_DWORD";
	case RDLS_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case RDLS_REG_QWORD: return "REG_QWORD";
	default: return "REG_NONE or other";
	}
}

/* "REG_SZ 'x'", "REG_MULTI_SZ 'a' 'b'", "REG_DWORD 2", "absent". */
static void describe_value(const rdls_regval *v, struct rdls_buf *b)
{
	if (!v->present) {
		rdls_buf_puts(b, "absent");
		return;
	}
	rdls_buf_printf(b, "%s", reg_type_name(v->type));
	if (v->type == RDLS_REG_SZ || v->type == RDLS_REG_EXPAND_SZ) {
		rdls_buf_putc(b, ' ');
		rdls_buf_quote(b, (const char *)v->data, strnlen((const char *)v->data, v->len));
	} else if (v->type == RDLS_REG_MULTI_SZ) {
		size_t off = 0;
		while (off < v->len && v->data[off]) {
			size_t l = strnlen((const char *)v->data + off, v->len - off);
			rdls_buf_putc(b, ' ');
			rdls_buf_quote(b, (const char *)v->data + off, l);
			off += l + 1;
		}
		if (off == 0)
			rdls_buf_puts(b, " (empty)");
	} else if (v->type == RDLS_REG_DWORD && v->len == 4) {
		uint32_t d = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 |
			     (uint32_t)v->data[2] << 16 | (uint32_t)v->data[3] << 24;
		rdls_buf_printf(b, " %u", (unsigned)d);
	} else {
		rdls_buf_printf(b, " (%lu bytes)", (unsigned long)v->len);
	}
}

/* Splits "a,b" (sep ',') or a MULTI_SZ (sep '\0', n bytes) into up to max items;
 * returns the count. Items point into a copy the caller frees (*store). */
static size_t split(const char *s, size_t n, char sep, char **store, const char **items,
		    size_t max)
{
	char *copy = malloc(n + 1);
	size_t k = 0;
	*store = copy;
	if (!copy)
		return 0;
	memcpy(copy, s, n);
	copy[n] = '\0';
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || copy[i] == sep) {
			char *it = copy + start;
			copy[i] = '\0';
			while (*it == ' ')
				it++;
			for (char *e = it + strlen(it); e > it && e[-1] == ' '; e--)
				e[-1] = '\0';
			if (*it && k < max)
				items[k++] = it;
			start = i + 1;
		}
	}
	return k;
}

/* Same names, any order, case-insensitively, as the service compares them. */
static bool same_names(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		bool found = false;
		for (size_t j = 0; j < nb && !found; j++)
			found = rdls_name_eq(a[i], b[j]);
		if (!found)
			return false;
	}
	return true;
}

#define MAX_NAMES 256

struct run {
	const struct rdls_opts *o;
	struct rdls_sys *sys;
	const struct rdls_model *m;
	const char *host;
	struct checks c;
};

static void check_value_absent(struct run *r, const char *key, const char *name)
{
	rdls_regval v = { 0 };
	rdls_err e;
	struct rdls_buf s, d;
	rdls_err_clear(&e);
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "HKLM\\%s value ", key);
	rdls_buf_quote(&s, name, strlen(name));
	if (r->sys->ops->reg_get(r->sys->ctx, key, name, &v, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "misnamed-value-absent", &s, &e);
		return;
	}
	describe_value(&v, &d);
	if (v.present)
		rdls_buf_puts(&d, ": the service never reads a name with a leading space; apply "
				  "removes it");
	add(&r->c, "misnamed-value-absent", &s, v.present ? CHECK_FAILED : CHECK_OK, &d);
	rdls_regval_release(&v);
}

static void check_cred(struct run *r, const char *peer)
{
	rdls_cred cr;
	rdls_err e;
	struct rdls_buf s, d, want;
	memset(&cr, 0, sizeof(cr));
	rdls_err_clear(&e);
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_init(&want);
	rdls_buf_printf(&want, "%s\\%s", peer, r->m->peering.account);
	rdls_buf_printf(&s, "NETWORK SERVICE credential '%s' for user '%s'", peer,
			rdls_buf_str(&want));
	if (r->sys->ops->cred_get(r->sys->ctx, peer, &cr, &e) != 0) {
		rdls_buf_release(&d);
		rdls_buf_release(&want);
		add_error(&r->c, "peer-credential", &s, &e);
		return;
	}
	bool ok = cr.present && cr.type == RDLS_CRED_TYPE_DOMAIN_PASSWORD &&
		  rdls_name_eq(cr.user, rdls_buf_str(&want));
	if (!cr.present)
		rdls_buf_puts(&d, "absent");
	else
		rdls_buf_printf(&d, "%s credential for user '%s'",
				cr.type == RDLS_CRED_TYPE_DOMAIN_PASSWORD ? "domain-password"
									  : "other-type",
				cr.user);
	add(&r->c, "peer-credential", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
	rdls_buf_release(&want);
}

static void check_presence(struct run *r, const char *id, const char *what, const char *name,
			   int (*get)(void *, const char *, bool *, rdls_err *))
{
	bool exists = false;
	rdls_err e;
	struct rdls_buf s, d;
	rdls_err_clear(&e);
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "%s '%s'", what, name);
	if (get(r->sys->ctx, name, &exists, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, id, &s, &e);
		return;
	}
	rdls_buf_puts(&d, exists ? "exists" : "does not exist");
	add(&r->c, id, &s, exists ? CHECK_OK : CHECK_FAILED, &d);
}

static void workgroup_license_server(struct run *r, const char *h)
{
	const struct rdls_peering *pe = &r->m->peering;
	struct rdls_buf s, d, want;
	rdls_regval v = { 0 };
	rdls_err e;
	rdls_err_clear(&e);
	rdls_buf_init(&want);
	rdls_buf_printf(&want, "%s\\%s", h, pe->group);

	/* 1. The value, as RegGetValueW(RRF_RT_REG_SZ) sees it. */
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "HKLM\\%s value 'WorkgroupLicenseServerAccountsGroup'",
			RDLS_KEY_LICENSING);
	const char *resolve = rdls_buf_str(&want);
	if (r->sys->ops->reg_get(r->sys->ctx, RDLS_KEY_LICENSING,
				 "WorkgroupLicenseServerAccountsGroup", &v, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "accounts-group-value", &s, &e);
	} else {
		bool is_sz = v.present && v.type == RDLS_REG_SZ;
		bool ok = is_sz && rdls_name_eq((const char *)v.data, rdls_buf_str(&want));
		describe_value(&v, &d);
		if (v.present && !is_sz)
			rdls_buf_puts(&d, ": the service reads it only as REG_SZ");
		else if (is_sz && !ok)
			rdls_buf_printf(&d, ": the profile wants '%s'", rdls_buf_str(&want));
		if (is_sz)
			resolve = (const char *)v.data; /* resolve what the service will resolve */
		add(&r->c, "accounts-group-value", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
	}

	/* 2. The name resolves to a group or alias. */
	enum rdls_sid_use use = RDLS_SID_NONE;
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "account '%s' (LookupAccountNameW)", resolve);
	rdls_err_clear(&e);
	if (r->sys->ops->account_lookup(r->sys->ctx, resolve, &use, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "accounts-group-resolves", &s, &e);
	} else {
		static const char *const names[] = { "no account", "a user", "a group", "a domain",
						     "an alias (local group)", "a well-known group" };
		bool ok = use == RDLS_SID_GROUP || use == RDLS_SID_ALIAS;
		if (use == RDLS_SID_NONE)
			rdls_buf_puts(&d, "does not resolve to any account (ERROR_NONE_MAPPED)");
		else
			rdls_buf_printf(&d, "resolves to %s",
					use <= RDLS_SID_WELL_KNOWN_GROUP ? names[use]
									 : "another kind of account");
		if (!ok)
			rdls_buf_puts(&d, ": the licensing service needs a group or alias");
		add(&r->c, "accounts-group-resolves", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
	}
	rdls_regval_release(&v);

	/* 3. The peer account exists and is a member. */
	check_presence(r, "peer-user", "local user", pe->account, r->sys->ops->user_get);
	check_presence(r, "peer-group", "local group", pe->group, r->sys->ops->group_get);
	bool member = false;
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "'%s\\%s' in group '%s'", h, pe->account, pe->group);
	char who[512];
	snprintf(who, sizeof(who), "%s\\%s", h, pe->account);
	rdls_err_clear(&e);
	if (r->sys->ops->member_get(r->sys->ctx, pe->group, who, &member, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "peer-member", &s, &e);
	} else {
		rdls_buf_puts(&d, member ? "is a member" : "is not a member");
		add(&r->c, "peer-member", &s, member ? CHECK_OK : CHECK_FAILED, &d);
	}

	/* 4. A credential for every other license server, in NETWORK SERVICE's context. */
	for (size_t i = 0; i < r->m->n_ls; i++)
		if (!rdls_name_eq(r->m->ls[i].name, h))
			check_cred(r, r->m->ls[i].name);
	rdls_buf_release(&want);
}

static void domain_license_server(struct run *r, const char *h)
{
	struct rdls_buf s, d;
	rdls_err e;
	rdls_err_clear(&e);
	if (r->m->discovery & RDLS_DISC_PUBLISH) {
		enum rdls_ls_pub st = RDLS_LS_ROLE_ABSENT;
		rdls_buf_init(&s);
		rdls_buf_init(&d);
		rdls_buf_printf(&s, "%s published in AD DS (Win32_TSLicenseServer.IsLSPublished)", h);
		if (r->sys->ops->ls_pub_get(r->sys->ctx, &st, &e) != 0) {
			rdls_buf_release(&d);
			add_error(&r->c, "published", &s, &e);
		} else {
			rdls_buf_puts(&d, st == RDLS_LS_PUBLISHED ? "published"
					  : st == RDLS_LS_UNPUBLISHED
						  ? "not published"
						  : "the Remote Desktop Licensing role is not installed "
						    "(no WMI class Win32_TSLicenseServer)");
			add(&r->c, "published", &s, st == RDLS_LS_PUBLISHED ? CHECK_OK : CHECK_FAILED,
			    &d);
		}
	}
	if (r->m->discovery & RDLS_DISC_SPECIFIED) {
		const char *want[MAX_NAMES], *have[MAX_NAMES];
		size_t nw = 0, nh = 0;
		char *store = NULL;
		for (size_t i = 0; i < r->m->n_ls && nw < MAX_NAMES; i++)
			if (!rdls_name_eq(r->m->ls[i].name, h))
				want[nw++] = r->m->ls[i].dns; /* validate requires dns = here */
		rdls_regval v = { 0 };
		rdls_buf_init(&s);
		rdls_buf_init(&d);
		rdls_buf_printf(&s, "HKLM\\%s value 'SpecifiedLicenseServers'", RDLS_KEY_LICENSING);
		rdls_err_clear(&e);
		if (r->sys->ops->reg_get(r->sys->ctx, RDLS_KEY_LICENSING, "SpecifiedLicenseServers",
					 &v, &e) != 0) {
			rdls_buf_release(&d);
			add_error(&r->c, "specified-servers", &s, &e);
		} else {
			bool ok = false;
			if (v.present && v.type == RDLS_REG_MULTI_SZ) {
				nh = split((const char *)v.data, v.len, '\0', &store, have, MAX_NAMES);
				ok = same_names(want, nw, have, nh);
			}
			describe_value(&v, &d);
			if (!ok)
				rdls_buf_puts(&d, ": the profile wants a REG_MULTI_SZ of the other "
						  "license servers' DNS names");
			add(&r->c, "specified-servers", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
		}
		free(store);
		rdls_regval_release(&v);
	}
}

static void session_host(struct run *r, const struct rdls_session_host *sh, bool is_ls)
{
	struct rdls_buf s, d;
	rdls_err e;
	rdls_regval v = { 0 };
	const char *want[MAX_NAMES], *have[MAX_NAMES];
	size_t nw = 0, nh = 0;
	char *store = NULL;

	for (size_t i = 0; i < sh->n_ls && nw < MAX_NAMES; i++) {
		const struct rdls_license_server *ls = &r->m->ls[sh->ls[i]];
		want[nw++] = ls->dns ? ls->dns : ls->name;
	}
	rdls_err_clear(&e);
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "HKLM\\%s value 'LicenseServers'", RDLS_KEY_TS_POLICY);
	if (r->sys->ops->reg_get(r->sys->ctx, RDLS_KEY_TS_POLICY, "LicenseServers", &v, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "license-servers-policy", &s, &e);
	} else {
		bool ok = false;
		if (v.present && v.type == RDLS_REG_SZ) {
			nh = split((const char *)v.data, strnlen((const char *)v.data, v.len), ',',
				   &store, have, MAX_NAMES);
			ok = same_names(want, nw, have, nh);
		}
		describe_value(&v, &d);
		if (!ok)
			rdls_buf_puts(&d, ": the profile wants a REG_SZ listing its license servers");
		add(&r->c, "license-servers-policy", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
	}
	free(store);
	rdls_regval_release(&v);

	uint32_t mode = r->m->licensing_mode == RDLS_PER_USER ? 4u : 2u;
	rdls_err_clear(&e);
	rdls_buf_init(&s);
	rdls_buf_init(&d);
	rdls_buf_printf(&s, "HKLM\\%s value 'LicensingMode'", RDLS_KEY_TS_POLICY);
	if (r->sys->ops->reg_get(r->sys->ctx, RDLS_KEY_TS_POLICY, "LicensingMode", &v, &e) != 0) {
		rdls_buf_release(&d);
		add_error(&r->c, "licensing-mode-policy", &s, &e);
	} else {
		bool ok = v.present && v.type == RDLS_REG_DWORD && v.len == 4 &&
			  v.data[0] == mode && !v.data[1] && !v.data[2] && !v.data[3];
		describe_value(&v, &d);
		if (!ok)
			rdls_buf_printf(&d, ": the profile wants REG_DWORD %u (%s)", (unsigned)mode,
					mode == 4 ? "per user" : "per device");
		add(&r->c, "licensing-mode-policy", &s, ok ? CHECK_OK : CHECK_FAILED, &d);
	}
	rdls_regval_release(&v);

	if (r->m->membership == RDLS_WORKGROUP && sh->credentials && r->m->has_peering && !is_ls)
		for (size_t i = 0; i < sh->n_ls; i++)
			if (!rdls_name_eq(r->m->ls[sh->ls[i]].name, sh->name))
				check_cred(r, r->m->ls[sh->ls[i]].name);
}

static const char *result_name(enum check_result x)
{
	return x == CHECK_OK ? "ok" : x == CHECK_FAILED ? "failed" : "error";
}

static void report(const struct run *r, const char *host, int rc)
{
	const struct rdls_opts *o = r->o;
	size_t failed = 0, errors = 0;
	for (size_t i = 0; i < r->c.n; i++) {
		failed += r->c.v[i].result == CHECK_FAILED;
		errors += r->c.v[i].result == CHECK_ERROR;
	}
	if (o->json) {
		struct rdls_json j;
		rdls_report_json_begin(&j, o->out, "status", host, r->m->path);
		rdls_json_kv_bool(&j, "ok", rc == RDLS_EXIT_OK);
		rdls_json_kv_int(&j, "failed", (long long)failed);
		rdls_json_kv_int(&j, "check_errors", (long long)errors);
		rdls_json_key(&j, "checks");
		rdls_json_arr_begin(&j);
		for (size_t i = 0; i < r->c.n; i++) {
			rdls_json_obj_begin(&j);
			rdls_json_kv_str(&j, "check", r->c.v[i].id);
			rdls_json_kv_str(&j, "subject", r->c.v[i].subject);
			rdls_json_kv_str(&j, "result", result_name(r->c.v[i].result));
			rdls_json_kv_str(&j, "detail", r->c.v[i].detail);
			rdls_json_obj_end(&j);
		}
		rdls_json_arr_end(&j);
		const struct rdls_report_end end = { .exit_code = rc };
		rdls_report_json_end(&j, &end);
		return;
	}
	if (!o->quiet)
		fprintf(o->out, "status of %s from '%s' (as the licensing service checks it):\n", host,
			r->m->path);
	for (size_t i = 0; i < r->c.n; i++) {
		const struct check *c = &r->c.v[i];
		if (o->quiet && c->result == CHECK_OK)
			continue;
		const char *tag = c->result == CHECK_OK ? "ok    " : c->result == CHECK_FAILED
								    ? "FAILED"
								    : "ERROR ";
		if (o->color && c->result != CHECK_OK)
			fprintf(o->out, "  \033[1;31m%s\033[0m %s: %s\n", tag, c->subject, c->detail);
		else
			fprintf(o->out, "  %s %s: %s\n", tag, c->subject, c->detail);
	}
	if (rc == RDLS_EXIT_OK)
		fprintf(o->out, "all %lu checks hold\n", (unsigned long)r->c.n);
	else
		fprintf(o->out, "%lu of %lu checks do not hold%s\n", (unsigned long)(failed + errors),
			(unsigned long)r->c.n,
			errors ? " (some could not be performed)" : "");
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
	struct run r = { .o = o, .sys = sys };

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
	const char *name = ls ? ls->name : sh->name;
	r.m = m;
	r.host = name;
	if (ls) {
		if (m->membership == RDLS_WORKGROUP && m->has_peering)
			workgroup_license_server(&r, name);
		else if (m->membership == RDLS_DOMAIN)
			domain_license_server(&r, name);
		check_value_absent(&r, RDLS_KEY_LICENSING, " WorkgroupLicenseServerAccountsGroup");
		check_value_absent(&r, RDLS_KEY_LICENSING, " SpecifiedLicenseServers");
	}
	if (sh)
		session_host(&r, sh, ls != NULL);
	if (r.c.oom) {
		rc = fail(o, name, NULL, "out of memory");
		goto out;
	}
	rc = RDLS_EXIT_OK;
	for (size_t i = 0; i < r.c.n; i++) {
		if (r.c.v[i].result == CHECK_ERROR)
			rc = RDLS_EXIT_ERROR;
		else if (r.c.v[i].result == CHECK_FAILED && rc == RDLS_EXIT_OK)
			rc = RDLS_EXIT_PENDING;
	}
	report(&r, name, rc);
out:
	checks_release(&r.c);
	rdls_model_free(m);
	rdls_diags_release(&diags);
	return rc;
}
