/*
 * The planner: docs/contract.md "Steps apply performs", one step per resource, each
 * observed once through the system interface. Linear in the profile: a license
 * server of a profile with N license servers observes about N resources.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/gptini.h"
#include "rdls/precond.h"
#include "rdls/regpaths.h"
#include "rdls/util.h"
#include "resource.h"

/* Every resource kind. A new kind: one res_*.c file and one line here. */
static const struct resource_ops *const kinds[] = {
	&res_user_ops, &res_group_ops, &res_member_ops,
	&res_regval_ops, &res_cred_ops, &res_lspublish_ops, &res_regkey_ops,
	&res_gpofile_ops,
	&res_password_ops,
};

const struct resource_ops *rdls_resource_find(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i]->kind, kind) == 0)
			return kinds[i];
	return NULL;
}

void rdls_describe_presence(const struct rdls_state *st, struct rdls_buf *b)
{
	rdls_buf_puts(b, st->present ? "present" : "absent");
}

/* ------------------------------------------------------------------- roles */

int rdls_plan_roles(const struct rdls_model *m, const char *host, bool *license_server,
		    bool *session_host, rdls_err *err)
{
	*license_server = rdls_model_find_ls(m, host) != NULL;
	*session_host = rdls_model_find_sh(m, host) != NULL;
	if (*license_server || *session_host)
		return 0;

	/* Name a few of the profile's hosts: enough to spot a typo, short for 5,000 hosts. */
	struct rdls_buf b;
	rdls_buf_init(&b);
	size_t shown = 0, total = m->n_ls + m->n_sh;
	for (size_t i = 0; i < total && shown < 8; i++, shown++)
		rdls_buf_printf(&b, "%s%s", shown ? ", " : "",
				i < m->n_ls ? m->ls[i].name : m->sh[i - m->n_ls].name);
	if (total > shown)
		rdls_buf_printf(&b, " and %zu more", total - shown);
	rdls_err_set(err, NULL, NULL, 0,
		     "'%s' is neither a license server nor a session host in '%s' (its hosts: %s); "
		     "run on one of them or choose one with --host NAME",
		     host, m->path ? m->path : "the profile", rdls_buf_str(&b));
	rdls_buf_release(&b);
	return -1;
}

bool rdls_plan_needs_secret(const struct rdls_model *m, const char *host)
{
	if (m->membership != RDLS_WORKGROUP)
		return false;
	if (rdls_model_find_ls(m, host))
		return true;
	const struct rdls_session_host *sh = rdls_model_find_sh(m, host);
	return sh && sh->credentials && sh->n_ls > 0;
}

/* ----------------------------------------------------------------- planner */

struct builder {
	const struct rdls_model *m;
	struct rdls_plan *p;
	size_t cap;
	struct rdls_rctx c;
	bool rotate;
	rdls_err *err;
	/* Registry keys known to exist or planned to be created: the values that share a
	 * key observe it once. A handful (one per level of the keys rdlsctl writes). */
	char **keys;
	size_t n_keys;
};

static int oom(struct builder *b)
{
	return rdls_err_set(b->err, NULL, NULL, 0, "out of memory");
}

static int warn(struct builder *b, struct rdls_buf *text)
{
	char *s = rdls_buf_take(text);
	char **w = s ? realloc(b->p->warnings, (b->p->n_warnings + 1) * sizeof(*w)) : NULL;
	if (!w) {
		free(s);
		return oom(b);
	}
	b->p->warnings = w;
	w[b->p->n_warnings++] = s;
	return 0;
}

/* Room for one more step (pointers into the array move when it grows). */
static int grow(struct builder *b)
{
	struct rdls_plan *p = b->p;
	if (p->n_steps == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct rdls_step *v = realloc(p->steps, cap * sizeof(*v));
		if (!v)
			return oom(b);
		p->steps = v;
		b->cap = cap;
	}
	return 0;
}

/* A new step at the end of the plan; its index (pointers move when the array grows). */
static int add_step(struct builder *b, const struct resource_ops *ops, const char *key,
		    const char *name, size_t *idx)
{
	struct rdls_plan *p = b->p;
	if (grow(b) != 0)
		return -1;
	struct rdls_step *s = &p->steps[p->n_steps];
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->key = rdls_strdup(key);
	s->name = rdls_strdup(name);
	if ((key && !s->key) || !s->name) {
		rdls_step_release(s);
		return oom(b);
	}
	p->n_steps++;
	*idx = p->n_steps - 1;
	return 0;
}

static void count(struct rdls_plan *p, enum rdls_action a)
{
	if (a == RDLS_ACT_CREATE)
		p->n_create++;
	else if (a == RDLS_ACT_CHANGE)
		p->n_change++;
	else if (a == RDLS_ACT_REMOVE)
		p->n_remove++;
}

static int settle(struct builder *b, size_t idx);

/* Observes step idx, compares it and decides its action. */
static int decide(struct builder *b, size_t idx)
{
	struct rdls_step *s = &b->p->steps[idx];
	if (s->ops->observe(s, &b->c, &s->prior, b->err) != 0)
		return -1;
	return settle(b, idx);
}

/* Compares step idx (observed) and decides its action. */
static int settle(struct builder *b, size_t idx)
{
	struct rdls_step *s = &b->p->steps[idx];
	int rc = 0;
	if (s->ops->decide) {
		bool conflict = s->flags & RDLS_STEP_CONFLICT;
		struct rdls_buf w;
		rdls_buf_init(&w);
		rc = s->ops->decide(s, &b->c, b->rotate, &w, b->err);
		if (rc == 0 && !conflict && (s->flags & RDLS_STEP_CONFLICT))
			b->p->n_conflict++;
		if (rc == 0 && (w.len || w.oom))
			rc = warn(b, &w);
		else
			rdls_buf_release(&w);
	} else if (s->ops->compare(s, &b->c, &s->prior)) {
		s->action = RDLS_ACT_NONE;
	} else if (!s->prior.present) {
		s->action = RDLS_ACT_CREATE;
	} else if (!s->want.present) {
		s->action = RDLS_ACT_REMOVE;
	} else {
		s->action = RDLS_ACT_CHANGE;
	}
	/* The observed check attribute is derived from the secret: drop it at once. */
	if (s->prior.check) {
		rdls_secure_zero(s->prior.check, strlen(s->prior.check));
		free(s->prior.check);
		s->prior.check = NULL;
	}
	count(b->p, s->action);
	return rc;
}

/* ------------------------------------------------------- registry keys */

static bool key_known(const struct builder *b, const char *path)
{
	for (size_t i = 0; i < b->n_keys; i++)
		if (rdls_name_eq(b->keys[i], path)) /* the registry ignores case too */
			return true;
	return false;
}

static int key_remember(struct builder *b, const char *path)
{
	char *d = rdls_strdup(path);
	char **v = d ? realloc(b->keys, (b->n_keys + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(d);
		return oom(b);
	}
	b->keys = v;
	v[b->n_keys++] = d;
	return 0;
}

static void keys_free(struct builder *b)
{
	for (size_t i = 0; i < b->n_keys; i++)
		free(b->keys[i]);
	free(b->keys);
	b->keys = NULL;
	b->n_keys = 0;
}

/* Whether the key `path` exists, through the regkey kind's own observe. */
static int key_exists(struct builder *b, const char *path, bool *exists)
{
	struct rdls_step probe;
	memset(&probe, 0, sizeof(probe));
	probe.ops = &res_regkey_ops;
	probe.name = (char *)path;
	struct rdls_state st;
	memset(&st, 0, sizeof(st));
	if (res_regkey_ops.observe(&probe, &b->c, &st, b->err) != 0)
		return -1;
	*exists = st.present;
	rdls_state_release(&st);
	return 0;
}

/*
 * A value apply creates needs its key, and RegSetValueExW would create that key (and
 * its missing parents) implicitly, beyond rollback's reach. So each missing level
 * becomes a step of its own, outermost first, just before the value's step (idx,
 * the last step so far): the walk goes up from the key to the deepest ancestor that
 * exists or is already planned, observing each level at most once per plan. A value
 * that exists, one to remove, or a converged one needs nothing: zero steps then.
 */
static int plan_value_key(struct builder *b, size_t idx)
{
	const struct rdls_step *v = &b->p->steps[idx];
	if (v->action == RDLS_ACT_NONE || !v->want.present || v->prior.present || !v->key)
		return 0;
	char *path = rdls_strdup(v->key);
	if (!path)
		return oom(b);
	size_t len = strlen(path), have = len; /* the level path[0, have) */
	while (have > 0) {
		char save = path[have];
		path[have] = '\0';
		bool exists = key_known(b, path);
		int rc = 0;
		if (!exists) {
			rc = key_exists(b, path, &exists);
			if (rc == 0 && exists)
				rc = key_remember(b, path);
		}
		path[have] = save;
		if (rc != 0) {
			free(path);
			return -1;
		}
		if (exists)
			break;
		while (have > 0 && path[have - 1] != '\\')
			have--;
		if (have > 0)
			have--; /* the parent: up to, not including, the backslash */
	}
	if (have == len) {
		free(path);
		return 0;
	}
	/* The value's step leaves the end of the plan and comes back after its keys' steps. */
	struct rdls_step value = b->p->steps[idx];
	b->p->n_steps--;
	while (have < len) {
		size_t end = have == 0 ? 0 : have + 1;
		while (end < len && path[end] != '\\')
			end++;
		char save = path[end];
		path[end] = '\0';
		size_t i = 0;
		int rc = add_step(b, &res_regkey_ops, NULL, path, &i);
		if (rc == 0)
			rc = key_remember(b, path);
		path[end] = save;
		if (rc != 0) {
			rdls_step_release(&value);
			free(path);
			return -1;
		}
		/* prior: absent, as observed on the way up */
		b->p->steps[i].want.present = true;
		b->p->steps[i].action = RDLS_ACT_CREATE;
		count(b->p, RDLS_ACT_CREATE);
		have = end;
	}
	free(path);
	if (grow(b) != 0) {
		rdls_step_release(&value);
		return -1;
	}
	b->p->steps[b->p->n_steps++] = value;
	return 0;
}

/* Observes and decides a value's step (the last one), then plans the keys it needs. */
static int decide_value(struct builder *b, size_t idx)
{
	if (decide(b, idx) != 0)
		return -1;
	return plan_value_key(b, idx);
}

/* A new registry value step for entry v of the table of what rdlsctl writes, wanting its type. */
static int add_value_step(struct builder *b, enum rdls_wv v, size_t *idx)
{
	const struct rdls_writable_value *w = rdls_writable(v);
	if (add_step(b, &res_regval_ops, w->key, w->name, idx) != 0)
		return -1;
	b->p->steps[*idx].want.type = w->type;
	return 0;
}

/* A step wanting the resource present; its index in *idx when idx is not NULL. */
static int plan_presence(struct builder *b, const struct resource_ops *ops, const char *key,
			 const char *name, size_t *idx)
{
	size_t i;
	if (add_step(b, ops, key, name, &i) != 0)
		return -1;
	b->p->steps[i].want.present = true;
	if (ops->create_needs_secret)
		b->p->steps[i].flags |= RDLS_STEP_NEEDS_SECRET;
	if (idx)
		*idx = i;
	return decide(b, i);
}

/*
 * --rotate for the account of step `user`, if it exists: its password becomes the
 * secret. Planned whenever --rotate is given, since Windows cannot say whether the
 * password already is the secret (only a logon could, and rdlsctl never tries one).
 */
static int plan_password(struct builder *b, size_t user, const char *acct)
{
	if (!b->rotate || !b->p->steps[user].prior.present)
		return 0;
	size_t i;
	if (add_step(b, &res_password_ops, NULL, acct, &i) != 0)
		return -1;
	struct rdls_step *s = &b->p->steps[i];
	s->want.present = true;
	s->want.ours = true;
	s->flags |= RDLS_STEP_NEEDS_SECRET | RDLS_STEP_IRREVERSIBLE;
	s->note = "--rotate: the old password cannot be read, so rollback cannot restore it";
	if (decide(b, i) != 0)
		return -1;
	struct rdls_buf w;
	rdls_buf_init(&w);
	rdls_buf_puts(&w, "--rotate sets the password of local user ");
	rdls_buf_quote(&w, acct, strlen(acct));
	rdls_buf_puts(&w, " to the new secret: until every license server has run apply --rotate "
			  "with it, the servers that have not cannot authenticate to this one, nor "
			  "this one to them; rollback cannot restore the old password");
	return warn(b, &w);
}

static int plan_reg_sz(struct builder *b, enum rdls_wv v, const char *value)
{
	size_t i;
	if (add_value_step(b, v, &i) != 0)
		return -1;
	struct rdls_step *s = &b->p->steps[i];
	size_t n = strlen(value) + 1;
	s->want.present = true;
	s->want.len = n;
	s->want.data = malloc(n);
	if (!s->want.data)
		return oom(b);
	memcpy(s->want.data, value, n);
	s->flags |= RDLS_STEP_FOLD;
	return decide_value(b, i);
}

static int plan_reg_dword(struct builder *b, enum rdls_wv v, uint32_t d)
{
	size_t i;
	if (add_value_step(b, v, &i) != 0)
		return -1;
	struct rdls_step *s = &b->p->steps[i];
	s->want.present = true;
	s->want.len = 4;
	s->want.data = malloc(4);
	if (!s->want.data)
		return oom(b);
	for (int k = 0; k < 4; k++) /* REG_DWORD is little-endian */
		s->want.data[k] = (unsigned char)(d >> (8 * k) & 0xff);
	return decide_value(b, i);
}

/* A REG_MULTI_SZ of the DNS names of every license server but `self`. */
static int plan_specified(struct builder *b, const char *self)
{
	size_t i;
	if (add_value_step(b, RDLS_WV_SPECIFIED, &i) != 0)
		return -1;
	struct rdls_buf data;
	rdls_buf_init(&data);
	size_t k = 0;
	for (size_t j = 0; j < b->m->n_ls; j++) {
		if (rdls_name_eq(b->m->ls[j].name, self))
			continue;
		/* Validation requires dns = with specified: never the NetBIOS section name. */
		const char *dns = b->m->ls[j].dns;
		if (!dns || !b->m->ls[j].dns_given) {
			rdls_buf_release(&data);
			return rdls_err_set(b->err, NULL, NULL, 0,
					    "license server '%s' has no dns = for SpecifiedLicenseServers",
					    b->m->ls[j].name);
		}
		rdls_buf_putn(&data, dns, strlen(dns) + 1);
		k++;
	}
	if (k == 0)
		rdls_buf_putc(&data, '\0');
	rdls_buf_putc(&data, '\0');
	if (data.oom) {
		rdls_buf_release(&data);
		return oom(b);
	}
	struct rdls_step *s = &b->p->steps[i];
	s->want.present = true;
	s->want.len = k == 0 ? 1 : data.len;
	s->want.data = (unsigned char *)rdls_buf_take(&data);
	if (!s->want.data)
		return oom(b);
	s->flags |= RDLS_STEP_FOLD;
	return decide_value(b, i);
}

/* The removal of a value the documents misnamed (leading space). */
static int plan_absent_value(struct builder *b, enum rdls_wv v)
{
	size_t i;
	if (add_value_step(b, v, &i) != 0)
		return -1;
	return decide(b, i);
}

/* A credential for license server `peer`: target peer, user "peer\account". */
static int plan_cred(struct builder *b, const char *peer)
{
	size_t i;
	if (add_step(b, &res_cred_ops, NULL, peer, &i) != 0)
		return -1;
	struct rdls_step *s = &b->p->steps[i];
	struct rdls_buf u;
	rdls_buf_init(&u);
	rdls_buf_printf(&u, "%s\\%s", peer, b->m->peering.account);
	s->want.present = true;
	s->want.type = RDLS_CRED_TYPE_DOMAIN_PASSWORD;
	s->want.ours = true;
	s->want.user = rdls_buf_take(&u);
	if (!s->want.user)
		return oom(b);
	s->flags |= RDLS_STEP_NEEDS_SECRET;
	return decide(b, i);
}

static int warn_if_dc(struct builder *b, const char *host, bool published_planned)
{
	struct rdls_sys *sys = b->c.sys;
	bool on_dc = false;
	rdls_err e;
	rdls_err_clear(&e);
	int rc;
	if (published_planned) {
		rc = sys->ops->ls_on_dc(sys->ctx, &on_dc, &e);
	} else {
		/* No WMI for a `specified` license server: the product type tells the same. */
		rdls_osinfo os;
		memset(&os, 0, sizeof(os));
		rc = sys->ops->os_info(sys->ctx, &os, &e);
		on_dc = os.domain_controller;
	}
	struct rdls_buf w;
	rdls_buf_init(&w);
	if (rc != 0) {
		rdls_errmsg m;
		rdls_buf_printf(&w, "cannot tell whether %s is a domain controller: %s", host,
				rdls_errmsg_of(&e, &m));
		return warn(b, &w);
	}
	if (!on_dc)
		return 0;
	rdls_buf_printf(&w,
			"%s is a domain controller: Microsoft strongly advises against installing the "
			"RD Licensing role on domain controllers (\"Use multiple remote desktop license "
			"servers\"); consider moving it to a member server",
			host);
	return warn(b, &w);
}

static int plan_license_server(struct builder *b, const struct rdls_license_server *ls)
{
	const struct rdls_model *m = b->m;
	const char *h = ls->name;
	struct rdls_buf t;
	int rc = -1;
	rdls_buf_init(&t);

	/* Before anything is observed: without the role, apply would build a skeleton of it. */
	if (rdls_ls_role_require(b->c.sys, h, b->err) != 0)
		goto out;
	if (m->membership == RDLS_WORKGROUP) {
		if (!m->has_peering) {
			rdls_err_set(b->err, NULL, NULL, 0, "the profile has no [peering] section");
			goto out;
		}
		const char *acct = m->peering.account, *grp = m->peering.group;
		size_t user;
		if (plan_presence(b, &res_user_ops, NULL, acct, &user) != 0 ||
		    plan_password(b, user, acct) != 0 ||
		    plan_presence(b, &res_group_ops, NULL, grp, NULL) != 0)
			goto out;
		rdls_buf_printf(&t, "%s\\%s", h, acct);
		if (t.oom || plan_presence(b, &res_member_ops, grp, rdls_buf_str(&t), NULL) != 0)
			goto out;
		rdls_buf_reset(&t);
		rdls_buf_printf(&t, "%s\\%s", h, grp);
		if (t.oom || plan_reg_sz(b, RDLS_WV_ACCOUNTS_GROUP, rdls_buf_str(&t)) != 0)
			goto out;
		for (size_t i = 0; i < m->n_ls; i++)
			if (!rdls_name_eq(m->ls[i].name, h) && plan_cred(b, m->ls[i].name) != 0)
				goto out;
	} else {
		bool publish = (m->discovery & RDLS_DISC_PUBLISH) != 0;
		if (publish) {
			size_t i;
			if (add_step(b, &res_lspublish_ops, NULL, h, &i) != 0)
				goto out;
			b->p->steps[i].want.present = true;
			if (decide(b, i) != 0)
				goto out;
		}
		if ((m->discovery & RDLS_DISC_SPECIFIED) && plan_specified(b, h) != 0)
			goto out;
		if (warn_if_dc(b, h, publish) != 0)
			goto out;
	}
	/* The documents' Set-ItemProperty commands name both values with a leading space. */
	if (plan_absent_value(b, RDLS_WV_ACCOUNTS_GROUP_SPACED) != 0 ||
	    plan_absent_value(b, RDLS_WV_SPECIFIED_SPACED) != 0)
		goto out;
	rc = 0;
out:
	rdls_buf_release(&t);
	return rc;
}

static int plan_gpo(struct builder *b, const char *servers, uint32_t mode);
static int warn_domain_gpo(struct builder *b, const char *host);

static int plan_session_host(struct builder *b, const struct rdls_session_host *sh,
			     bool also_license_server)
{
	const struct rdls_model *m = b->m;
	struct rdls_buf list;
	rdls_buf_init(&list);
	/* "Use the specified Remote Desktop license servers": names separated by commas. */
	for (size_t i = 0; i < sh->n_ls; i++) {
		const struct rdls_license_server *ls = &m->ls[sh->ls[i]];
		rdls_buf_printf(&list, "%s%s", i ? "," : "", ls->dns ? ls->dns : ls->name);
	}
	int rc = list.oom ? oom(b) : plan_reg_sz(b, RDLS_WV_POLICY_SERVERS, rdls_buf_str(&list));
	if (rc != 0) {
		rdls_buf_release(&list);
		return -1;
	}
	/* "Set the Remote Desktop licensing mode": 2 per device, 4 per user. */
	uint32_t mode = m->licensing_mode == RDLS_PER_USER ? 4u : 2u;
	/* The same two policies where gpedit.msc shows them. */
	rc = plan_reg_dword(b, RDLS_WV_POLICY_MODE, mode);
	if (rc == 0)
		rc = plan_gpo(b, rdls_buf_str(&list), mode);
	rdls_buf_release(&list);
	if (rc != 0 || warn_domain_gpo(b, sh->name) != 0)
		return -1;
	/* A workgroup license server already has a credential for every other one. */
	if (m->membership != RDLS_WORKGROUP || !sh->credentials || !m->has_peering ||
	    also_license_server)
		return 0;
	for (size_t i = 0; i < sh->n_ls; i++) {
		const char *peer = m->ls[sh->ls[i]].name;
		if (!rdls_name_eq(peer, sh->name) && plan_cred(b, peer) != 0)
			return -1;
	}
	return 0;
}

/*
 * The two policies in the local Group Policy object, as gpedit.msc stores them:
 * Registry.pol with both values (every other entry kept), then gpt.ini, whose Version
 * is raised whenever Registry.pol changes, so that the engine reads it again. Each
 * file's wanted content is computed from what is observed; a damaged file fails here,
 * before anything is changed.
 */
static int plan_gpo(struct builder *b, const char *servers, uint32_t mode)
{
	size_t ip, ig;
	if (add_step(b, &res_gpofile_ops, NULL, RDLS_GPO_REGPOL, &ip) != 0)
		return -1;
	struct rdls_step *s = &b->p->steps[ip];
	if (s->ops->observe(s, &b->c, &s->prior, b->err) != 0 ||
	    rdls_gpo_regpol_want(&s->prior, servers, mode, &s->want, b->err) != 0 ||
	    settle(b, ip) != 0)
		return -1;
	bool pol_changes = b->p->steps[ip].action != RDLS_ACT_NONE;
	if (add_step(b, &res_gpofile_ops, NULL, RDLS_GPO_GPTINI, &ig) != 0)
		return -1;
	s = &b->p->steps[ig];
	if (s->ops->observe(s, &b->c, &s->prior, b->err) != 0)
		return -1;
	bool listed = false;
	if (s->prior.present &&
	    rdls_gptini_has_admx(s->prior.data, s->prior.len,
				 "%SystemRoot%\\System32\\GroupPolicy\\" RDLS_GPO_GPTINI, &listed,
				 b->err) != 0)
		return -1;
	if (!pol_changes && listed) {
		if (rdls_state_copy(&s->want, &s->prior) != 0)
			return oom(b);
	} else if (rdls_gpo_gptini_want(&s->prior, &s->want, b->err) != 0) {
		return -1;
	}
	return settle(b, ig);
}

/*
 * On a domain member a domain GPO that sets either policy overwrites the local one at
 * the next refresh: say so, naming the GPO. Where RSOP cannot tell, say that too.
 */
static int warn_domain_gpo(struct builder *b, const char *host)
{
	struct rdls_sys *sys = b->c.sys;
	rdls_osinfo os;
	memset(&os, 0, sizeof(os));
	rdls_err e;
	rdls_err_clear(&e);
	struct rdls_buf w;
	rdls_buf_init(&w);
	if (sys->ops->os_info(sys->ctx, &os, &e) != 0 || !os.domain_joined)
		return 0; /* no domain, no domain GPO (an os_info failure shows elsewhere) */
	rdls_gpo_setting set[16];
	size_t n = 0;
	if (!sys->ops->gpo_domain_settings ||
	    sys->ops->gpo_domain_settings(sys->ctx, RDLS_KEY_TS_POLICY, set,
					  sizeof(set) / sizeof(set[0]), &n, &e) != 0) {
		rdls_errmsg m;
		rdls_buf_printf(&w, "%s is a domain member, and whether a domain GPO sets the "
				    "licensing policies cannot be told (%s); run gpresult /h on "
				    "%s to see which GPO wins",
				host, sys->ops->gpo_domain_settings
					      ? rdls_errmsg_of(&e, &m)
					      : "Resultant Set of Policy is not available here",
				host);
		return warn(b, &w);
	}
	if (n > sizeof(set) / sizeof(set[0]))
		n = sizeof(set) / sizeof(set[0]);
	for (size_t i = 0; i < n; i++) {
		bool servers = rdls_name_eq(set[i].value, "LicenseServers");
		if (!servers && !rdls_name_eq(set[i].value, "LicensingMode"))
			continue;
		rdls_buf_reset(&w);
		rdls_buf_printf(&w,
				"domain GPO '%s' sets %s (\"%s\") on %s: it wins over the local "
				"Group Policy object at the next refresh, so set the policy there "
				"(Group Policy Management) or remove it from that GPO",
				set[i].gpo, set[i].value,
				servers ? "Use the specified Remote Desktop license servers"
					: "Set the Remote Desktop licensing mode",
				host);
		if (warn(b, &w) != 0)
			return -1;
	}
	rdls_buf_release(&w);
	return 0;
}

/* Credential steps on a host where Windows stores no credential: each is impossible,
 * and the plan says why (apply refuses it as a whole). */
static int check_cred_storage(struct builder *b)
{
	struct rdls_plan *p = b->p;
	size_t n = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		n += p->steps[i].ops->peer_cred;
	if (n == 0)
		return 0;
	struct rdls_cred_storage st;
	if (rdls_cred_storage_check(b->c.sys, &st, b->err) != 0)
		return -1;
	if (st.verdict == RDLS_CRED_STORE_ALLOWED)
		return 0;
	for (size_t i = 0; i < p->n_steps; i++) {
		struct rdls_step *s = &p->steps[i];
		if (!s->ops->peer_cred)
			continue;
		s->flags |= RDLS_STEP_IMPOSSIBLE;
		s->note = rdls_cred_storage_why(st.verdict);
	}
	p->n_impossible = n;
	p->blocked_why = rdls_cred_storage_why(st.verdict);
	p->blocked_remedy = rdls_cred_storage_remedy(st.verdict);
	return 0;
}

/* The account, group and peers this plan may write, for the journal's header. */
static int plan_scope(struct builder *b)
{
	struct rdls_plan *p = b->p;
	if (b->m->membership == RDLS_WORKGROUP && b->m->has_peering &&
	    (!(p->account = rdls_strdup(b->m->peering.account)) ||
	     !(p->group = rdls_strdup(b->m->peering.group))))
		return oom(b);
	size_t n = 0;
	for (size_t i = 0; i < p->n_steps; i++)
		n += p->steps[i].ops->peer_cred;
	if (n == 0)
		return 0;
	if (!(p->peers = calloc(n, sizeof(*p->peers))))
		return oom(b);
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].ops->peer_cred &&
		    !(p->peers[p->n_peers++] = rdls_strdup(p->steps[i].name)))
			return oom(b);
	return 0;
}

int rdls_plan_build(const struct rdls_model *m, const char *host, struct rdls_sys *sys,
		    const struct rdls_plan_opts *po, struct rdls_plan **out, rdls_err *err)
{
	*out = NULL;
	bool is_ls, is_sh;
	if (rdls_plan_roles(m, host, &is_ls, &is_sh, err) != 0)
		return -1;
	if (rdls_plan_needs_secret(m, host) && (!po || !po->secret))
		return rdls_err_set(err, NULL, NULL, 0, "planning %s needs the peer secret", host);

	struct rdls_plan *p = calloc(1, sizeof(*p));
	struct rdls_cred_run cred = { 0 };
	const rdls_secret *secret = po ? po->secret : NULL;
	if (!p || (secret && !(cred.verifier = rdls_cred_verifier_new(sys, secret)))) {
		free(p);
		return rdls_err_set(err, NULL, NULL, 0, "out of memory");
	}
	struct builder b = {
		.m = m,
		.p = p,
		.c = { .sys = sys, .secret = secret, .cred = &cred },
		.rotate = po && po->rotate,
		.err = err,
	};
	const struct rdls_license_server *ls = rdls_model_find_ls(m, host);
	const struct rdls_session_host *sh = rdls_model_find_sh(m, host);
	p->license_server = ls != NULL;
	p->session_host = sh != NULL;
	p->membership = m->membership;
	p->host = rdls_strdup(ls ? ls->name : sh->name);
	p->profile = rdls_strdup(m->path ? m->path : "");
	if (!p->host || !p->profile) {
		oom(&b);
		goto fail;
	}
	if (ls && plan_license_server(&b, ls) != 0)
		goto fail;
	if (sh && plan_session_host(&b, sh, ls != NULL && m->membership == RDLS_WORKGROUP) != 0)
		goto fail;
	if (check_cred_storage(&b) != 0 || plan_scope(&b) != 0)
		goto fail;
	rdls_cred_verifier_free(cred.verifier);
	keys_free(&b);
	*out = p;
	return 0;
fail:
	rdls_cred_verifier_free(cred.verifier);
	keys_free(&b);
	rdls_plan_free(p);
	return -1;
}

void rdls_plan_free(struct rdls_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_steps; i++)
		rdls_step_release(&p->steps[i]);
	free(p->steps);
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (size_t i = 0; i < p->n_peers; i++)
		free(p->peers[i]);
	free(p->peers);
	free(p->account);
	free(p->group);
	free(p->host);
	free(p->profile);
	free(p);
}
