/*
 * Sections and keys (profile.c) -> the typed, validated desired state.
 *
 * Every check reports through rdls_diags and carries on, so that one run shows
 * every problem of a file. All work is linear in the size of the profile: host
 * names, DNS names and license server references are looked up in hash tables,
 * and a session host without license_servers shares one "every license server"
 * index array instead of getting a copy.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "rdls/model.h"
#include "rdls/secret.h"
#include "model_int.h"

/* ------------------------------------------------------------------ keywords */

static const char *const cal_names[RDLS_CAL_COUNT] = { "2008r2", "2012", "2016",
						       "2019",   "2022", "2025" };
static const char *const cal_display[RDLS_CAL_COUNT] = {
	"RDS 2008 R2 and earlier", "RDS 2012", "RDS 2016", "RDS 2019", "RDS 2022", "RDS 2025"
};
static const char *const os_names[RDLS_OS_COUNT] = { "2008", "2008r2", "2012", "2012r2",
						     "2016", "2019",   "2022", "2025" };
static const char *const os_display[RDLS_OS_COUNT] = { "2008", "2008 R2", "2012", "2012 R2",
						       "2016", "2019",    "2022", "2025" };

#define CAL_EXPECT "2008r2 | 2012 | 2016 | 2019 | 2022 | 2025"
#define OS_EXPECT "2008 | 2008r2 | 2012 | 2012r2 | 2016 | 2019 | 2022 | 2025"

static int keyword(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rdls_name_eq(s, names[i]))
			return (int)i;
	return -1;
}

const char *rdls_cal_name(enum rdls_cal c)
{
	return (unsigned)c < RDLS_CAL_COUNT ? cal_names[c] : "?";
}

const char *rdls_os_name(enum rdls_os o)
{
	return (unsigned)o < RDLS_OS_COUNT ? os_names[o] : "?";
}

const char *rdls_cal_display(enum rdls_cal c)
{
	return (unsigned)c < RDLS_CAL_COUNT ? cal_display[c] : "?";
}

const char *rdls_os_display(enum rdls_os o)
{
	return (unsigned)o < RDLS_OS_COUNT ? os_display[o] : "?";
}

bool rdls_cal_from_name(const char *s, enum rdls_cal *out)
{
	int i = keyword(s, cal_names, RDLS_CAL_COUNT);
	if (i >= 0)
		*out = (enum rdls_cal)i;
	return i >= 0;
}

bool rdls_os_from_name(const char *s, enum rdls_os *out)
{
	int i = keyword(s, os_names, RDLS_OS_COUNT);
	if (i >= 0)
		*out = (enum rdls_os)i;
	return i >= 0;
}

const char *rdls_membership_name(enum rdls_membership m)
{
	return m == RDLS_DOMAIN ? "domain" : "workgroup";
}

const char *rdls_licmode_name(enum rdls_licmode l)
{
	return l == RDLS_PER_USER ? "per_user" : "per_device";
}

const char *rdls_discovery_name(enum rdls_discovery d)
{
	switch (d) {
	case RDLS_DISC_PUBLISH: return "publish";
	case RDLS_DISC_SPECIFIED: return "specified";
	case RDLS_DISC_BOTH: return "both";
	}
	return "?";
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ---------------------------------------------------------- did you mean */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (lower(a[i - 1]) != lower(b[j - 1]));
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* A candidate close enough to be what was meant, or NULL. */
const char *model_suggest(const char *in, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(cands[i]);
		size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
		size_t d = edit_distance(in, cands[i]);
		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}

/* --------------------------------------------------------------- hash index */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a over the case-folded name */
	for (; *s; s++) {
		h ^= (unsigned char)lower(*s);
		h *= 1099511628211ull;
	}
	return h;
}

struct slot *model_idx_find(const struct rdls_name_index *ix, const char *name)
{
	if (!ix || !ix->cap)
		return NULL;
	size_t mask = ix->cap - 1;
	for (size_t i = (size_t)name_hash(name) & mask;; i = (i + 1) & mask) {
		if (!ix->v[i].name)
			return NULL;
		if (rdls_name_eq(ix->v[i].name, name))
			return &ix->v[i];
	}
}

static int idx_grow(struct rdls_name_index *ix)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 64;
	struct slot *nv = calloc(ncap, sizeof(*nv));
	if (!nv)
		return -1;
	for (size_t k = 0; k < ix->cap; k++) {
		if (!ix->v[k].name)
			continue;
		size_t i = (size_t)name_hash(ix->v[k].name) & (ncap - 1);
		while (nv[i].name)
			i = (i + 1) & (ncap - 1);
		nv[i] = ix->v[k];
	}
	free(ix->v);
	ix->v = nv;
	ix->cap = ncap;
	return 0;
}

/* The slot for name, created (ls = sh = NONE) if missing; NULL when out of memory. */
struct slot *model_idx_get(struct rdls_name_index *ix, const char *name)
{
	struct slot *s = model_idx_find(ix, name);
	if (s)
		return s;
	if ((ix->n + 1) * 2 > ix->cap && idx_grow(ix) != 0)
		return NULL;
	size_t mask = ix->cap - 1;
	size_t i = (size_t)name_hash(name) & mask;
	while (ix->v[i].name)
		i = (i + 1) & mask;
	ix->v[i].name = name;
	ix->v[i].ls = ix->v[i].sh = NONE;
	ix->n++;
	return &ix->v[i];
}

void model_idx_free(struct rdls_name_index *ix)
{
	if (ix) {
		free(ix->v);
		free(ix);
	}
}

/* ------------------------------------------------------------ section kinds */

enum kind { K_DEPLOYMENT, K_PEERING, K_DISCOVERY, K_LS, K_SH, K_COUNT };

static const char *const kind_names[K_COUNT] = { "deployment", "peering", "discovery",
						 "license_server", "session_host" };

#define MAX_KEYS 3
struct kind_spec {
	bool named;
	size_t n_keys;
	const char *keys[MAX_KEYS];
	const char *expect; /* for "unknown key" */
};

static const struct kind_spec kinds[K_COUNT] = {
	[K_DEPLOYMENT] = { false, 3, { "membership", "licensing_mode", "cal_version" },
			   "membership, licensing_mode or cal_version" },
	[K_PEERING] = { false, 3, { "account", "group", "password" },
			"account, group or password" },
	[K_DISCOVERY] = { false, 1, { "method" }, "method" },
	[K_LS] = { true, 2, { "os", "dns" }, "os or dns" },
	[K_SH] = { true, 3, { "os", "license_servers", "credentials" },
		   "os, license_servers or credentials" },
};

/* Key positions within kinds[].keys. */
enum { DEP_MEMBERSHIP, DEP_MODE, DEP_CAL };
enum { PEER_ACCOUNT, PEER_GROUP, PEER_PASSWORD };
enum { DISC_METHOD };
enum { LS_OS, LS_DNS };
enum { SH_OS, SH_LS, SH_CRED };

#define ALL_SECTIONS \
	"[deployment], [peering], [discovery], [license_server NAME] or [session_host NAME]"

/* --------------------------------------------------------------- the loader */

/* rdls_strdup that records the out-of-memory for the validation's result. */
static char *dup(struct ctx *c, const char *s)
{
	char *p = rdls_strdup(s);
	if (!p)
		c->oom = true;
	return p;
}

/*
 * Common checks of a value: present, and not in quotes (inih keeps quotes, so
 * group = "RDLS Peers" would name a group with quotes in it). The value itself
 * is never shown here, since it may be a password.
 */
static bool value_ok(struct ctx *c, const char *hdr, const struct rdls_ini_key *k,
		     const char *expect)
{
	const char *v = k->value;
	size_t len = strlen(v);
	if (len == 0) {
		ERR(c, k->line, "missing value for '%s' in [%s] (expected %s)", k->name, hdr,
		    expect);
		return false;
	}
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		ERR(c, k->line, "value of '%s' in [%s] is in quotes; write it without them",
		    k->name, hdr);
		return false;
	}
	return true;
}

/* For a keyword that is not one: "os = 2019 # comment" is a common slip. */
static const char *hash_hint(const char *v)
{
	return strstr(v, " #") || strstr(v, "\t#") ? "; a comment after a value starts with ';'"
						   : "";
}

static int enum_value(struct ctx *c, const char *hdr, const struct rdls_ini_key *k,
		      const char *const *names, size_t n, const char *expect)
{
	char q[RDLS_QUOTE_MAX];
	if (!value_ok(c, hdr, k, expect))
		return -1;
	int i = keyword(k->value, names, n);
	if (i < 0)
		ERR(c, k->line, "invalid %s '%s' in [%s] (expected %s%s)", k->name,
		    rdls_quote(q, k->value), hdr, expect, hash_hint(k->value));
	return i;
}

static void do_deployment(struct ctx *c, const char *hdr, const struct rdls_ini_key *const *kv)
{
	static const char *const mem[] = { "workgroup", "domain" };
	static const char *const mode[] = { "per_device", "per_user" };
	struct rdls_model *m = c->m;
	int i;

	if (kv[DEP_MEMBERSHIP]) {
		i = enum_value(c, hdr, kv[DEP_MEMBERSHIP], mem, 2, "workgroup | domain");
		if (i >= 0) {
			m->membership = (enum rdls_membership)i;
			c->mem_line = kv[DEP_MEMBERSHIP]->line;
		}
	}
	if (kv[DEP_MODE]) {
		i = enum_value(c, hdr, kv[DEP_MODE], mode, 2, "per_device | per_user");
		if (i >= 0) {
			m->licensing_mode = (enum rdls_licmode)i;
			c->mode_line = kv[DEP_MODE]->line;
		}
	}
	const struct rdls_ini_key *k = kv[DEP_CAL];
	if (k && value_ok(c, hdr, k, CAL_EXPECT)) {
		char q[RDLS_QUOTE_MAX];
		if (rdls_cal_from_name(k->value, &m->cal))
			c->cal_line = k->line;
		else if (rdls_name_eq(k->value, "2012r2"))
			ERR(c, k->line, "invalid cal_version '%s' in [%s] (expected " CAL_EXPECT
			    "; there is no 2012 R2 CAL: 2012 R2 uses RDS 2012 CALs)",
			    rdls_quote(q, k->value), hdr);
		else if (rdls_name_eq(k->value, "2008"))
			ERR(c, k->line, "invalid cal_version '%s' in [%s] (expected " CAL_EXPECT
			    "; 2008 CALs are \"RDS 2008 R2 and earlier\": 2008r2)",
			    rdls_quote(q, k->value), hdr);
		else
			ERR(c, k->line, "invalid cal_version '%s' in [%s] (expected " CAL_EXPECT
			    "%s)", rdls_quote(q, k->value), hdr, hash_hint(k->value));
	}
}

/* Windows' own accounts: the peering account must be one of its own. */
static const char *const builtin_users[] = { "Administrator", "Guest", "DefaultAccount",
					     "WDAGUtilityAccount", "krbtgt" };
/* BUILTIN aliases: a member gains their rights. */
static const char *const builtin_groups[] = {
	"Administrators", "Users", "Guests", "Power Users", "Backup Operators",
	"Remote Desktop Users", "Network Configuration Operators", "Remote Management Users",
	"Performance Monitor Users", "Performance Log Users", "Distributed COM Users",
	"IIS_IUSRS", "Cryptographic Operators", "Event Log Readers", "Replicator",
	"Print Operators", "Server Operators", "Account Operators", "Hyper-V Administrators",
	"Access Control Assistance Operators", "Certificate Service DCOM Access",
	"RDS Remote Access Servers", "RDS Endpoint Servers", "RDS Management Servers",
	"Storage Replica Administrators", "Device Owners"
};

static bool abs_path(const char *p)
{
	if (p[0] == '/' || p[0] == '\\')
		return true;
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	       (p[2] == '\\' || p[2] == '/');
}

static bool prefix_ieq(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower(*s) != *prefix)
			return false;
	return true;
}

static void do_password(struct ctx *c, const char *hdr, const struct rdls_ini_key *k)
{
	struct rdls_peering *p = &c->m->peering;
	char q[RDLS_QUOTE_MAX];
	if (!value_ok(c, hdr, k, "env:NAME | file:PATH | prompt"))
		return;
	const char *v = k->value;
	if (prefix_ieq(v, "env:")) {
		const char *name = v + 4;
		if (!*name) {
			ERR(c, k->line, "password = env: needs the name of an environment "
					"variable (env:NAME)");
			return;
		}
		if (strchr(name, '=')) {
			ERR(c, k->line, "invalid environment variable name '%s' in password "
					"(it cannot contain '=')",
			    rdls_quote(q, name));
			return;
		}
		p->src = RDLS_SECRET_ENV;
		p->secret_ref = dup(c, name);
	} else if (prefix_ieq(v, "file:")) {
		const char *path = v + 5;
		if (!*path) {
			ERR(c, k->line, "password = file: needs a path (file:PATH)");
			return;
		}
		if (!abs_path(path))
			WARN(c, k->line, "password file '%s' is a relative path: it is read "
					 "from the current directory, not the profile's",
			     rdls_quote(q, path));
		p->src = RDLS_SECRET_FILE;
		p->secret_ref = dup(c, path);
	} else if (rdls_name_eq(v, "prompt")) {
		p->src = RDLS_SECRET_PROMPT;
	} else {
		/* Never show the value: it is most likely the password itself. */
		ERR(c, k->line,
		    "password must be env:NAME, file:PATH or prompt, not the password itself: "
		    "the profile is copied to every server and anyone who can read it would "
		    "learn it (the value is not shown here)");
	}
}

static void do_peering(struct ctx *c, const char *hdr, const struct rdls_ini_key *const *kv)
{
	struct rdls_peering *p = &c->m->peering;
	char q[RDLS_QUOTE_MAX], q2[RDLS_QUOTE_MAX], w[128];
	const struct rdls_ini_key *k;

	if ((k = kv[PEER_ACCOUNT]) && value_ok(c, hdr, k, "a local user name")) {
		const char *bad = rdls_check_user_name(k->value, w, sizeof(w));
		if (bad)
			ERR(c, k->line, "invalid account '%s': %s (local user names have at most "
					"20 characters, none of \" / \\ [ ] : ; | = , + * ? < > @)",
			    rdls_quote(q, k->value), bad);
		else if (keyword(k->value, builtin_users, sizeof(builtin_users) / sizeof(*builtin_users)) >= 0)
			ERR(c, k->line, "account '%s' is a built-in Windows account; use a "
					"dedicated account, as the document recommends",
			    rdls_quote(q, k->value));
		else
			p->account = dup(c, k->value);
	}
	if ((k = kv[PEER_GROUP]) && value_ok(c, hdr, k, "a local group name")) {
		const char *bad = rdls_check_group_name(k->value, w, sizeof(w));
		if (bad)
			ERR(c, k->line, "invalid group '%s': %s (local group names have at most "
					"256 characters, none of \" / \\ [ ] : ; | = , + * ? < >)",
			    rdls_quote(q, k->value), bad);
		else if (keyword(k->value, builtin_groups, sizeof(builtin_groups) / sizeof(*builtin_groups)) >= 0)
			ERR(c, k->line, "group '%s' is a built-in Windows group: the peer account "
					"would gain its rights; use a dedicated group such as 'RDLS "
					"Peers'",
			    rdls_quote(q, k->value));
		else if (kv[PEER_ACCOUNT] && rdls_name_eq(k->value, kv[PEER_ACCOUNT]->value))
			ERR(c, k->line, "group '%s' has the name of account '%s': Windows keeps "
					"local users and groups in one namespace, so they must differ",
			    rdls_quote(q, k->value), rdls_quote(q2, kv[PEER_ACCOUNT]->value));
		else
			p->group = dup(c, k->value);
	}
	if ((k = kv[PEER_PASSWORD]))
		do_password(c, hdr, k);
}

static void do_discovery(struct ctx *c, const char *hdr, const struct rdls_ini_key *const *kv)
{
	static const char *const method[] = { "publish", "specified", "both" };
	if (!kv[DISC_METHOD])
		return;
	int i = enum_value(c, hdr, kv[DISC_METHOD], method, 3, "publish | specified | both");
	if (i >= 0) {
		c->m->discovery = (enum rdls_discovery)(i + 1);
		c->method_line = kv[DISC_METHOD]->line;
	}
}

static int os_value(struct ctx *c, const char *hdr, const struct rdls_ini_key *k,
		    enum rdls_os *out)
{
	char q[RDLS_QUOTE_MAX];
	if (!k || !value_ok(c, hdr, k, OS_EXPECT))
		return 0;
	if (!rdls_os_from_name(k->value, out)) {
		ERR(c, k->line, "invalid os '%s' in [%s] (expected " OS_EXPECT "%s)",
		    rdls_quote(q, k->value), hdr, hash_hint(k->value));
		return 0;
	}
	return k->line;
}

/* Room for one more license server (and its extra). */
static bool grow_ls(struct ctx *c)
{
	struct rdls_model *m = c->m;
	if (m->n_ls < c->cap_ls)
		return true;
	size_t ncap = c->cap_ls ? c->cap_ls * 2 : 16;
	struct rdls_license_server *a = realloc(m->ls, ncap * sizeof(*a));
	if (a)
		m->ls = a;
	struct ls_extra *x = a ? realloc(c->lsx, ncap * sizeof(*x)) : NULL;
	if (x)
		c->lsx = x;
	if (!a || !x) {
		c->oom = true;
		return false;
	}
	c->cap_ls = ncap;
	return true;
}

static bool grow_sh(struct ctx *c)
{
	struct rdls_model *m = c->m;
	if (m->n_sh < c->cap_sh)
		return true;
	size_t ncap = c->cap_sh ? c->cap_sh * 2 : 16;
	struct rdls_session_host *a = realloc(m->sh, ncap * sizeof(*a));
	if (a)
		m->sh = a;
	struct sh_extra *x = a ? realloc(c->shx, ncap * sizeof(*x)) : NULL;
	if (x)
		c->shx = x;
	if (!a || !x) {
		c->oom = true;
		return false;
	}
	c->cap_sh = ncap;
	return true;
}

static void do_license_server(struct ctx *c, const char *hdr, const char *name, int line,
			      const struct rdls_ini_key *const *kv, bool name_ok)
{
	struct rdls_model *m = c->m;
	if (!grow_ls(c))
		return;
	struct rdls_license_server *ls = &m->ls[m->n_ls];
	struct ls_extra *x = &c->lsx[m->n_ls];
	memset(ls, 0, sizeof(*ls));
	memset(x, 0, sizeof(*x));
	ls->name = dup(c, name);
	if (!ls->name)
		return;
	ls->line = line;
	m->n_ls++;
	x->name_ok = name_ok;
	x->os_line = os_value(c, hdr, kv[LS_OS], &ls->os);

	const struct rdls_ini_key *k = kv[LS_DNS];
	if (k && value_ok(c, hdr, k, "a DNS host name")) {
		char q[RDLS_QUOTE_MAX], w[128];
		const char *bad = rdls_check_dns_name(k->value, w, sizeof(w));
		if (bad)
			ERR(c, k->line, "invalid DNS name '%s' in [%s]: %s", rdls_quote(q, k->value),
			    hdr, bad);
		x->dns_line = k->line;
		ls->dns = dup(c, k->value);
		ls->dns_given = true;
	} else {
		ls->dns = dup(c, name);
	}
}

static void do_session_host(struct ctx *c, const char *hdr, const char *name, int line,
			    const struct rdls_ini_key *const *kv)
{
	static const char *const yesno[] = { "no", "yes" };
	struct rdls_model *m = c->m;
	if (!grow_sh(c))
		return;
	struct rdls_session_host *sh = &m->sh[m->n_sh];
	struct sh_extra *x = &c->shx[m->n_sh];
	memset(sh, 0, sizeof(*sh));
	memset(x, 0, sizeof(*x));
	sh->name = dup(c, name);
	if (!sh->name)
		return;
	sh->line = line;
	m->n_sh++;
	x->os_line = os_value(c, hdr, kv[SH_OS], &sh->os);
	if (kv[SH_LS] && value_ok(c, hdr, kv[SH_LS], "license server names separated by commas"))
		x->ls_key = kv[SH_LS];
	if (kv[SH_CRED]) {
		int i = enum_value(c, hdr, kv[SH_CRED], yesno, 2, "yes | no");
		if (i >= 0) {
			sh->credentials = i == 1;
			x->cred_line = kv[SH_CRED]->line;
		}
	}
}

/* Splits "[license_server X]" into its kind and name. false if the kind is unknown. */
static bool parse_header(struct ctx *c, const struct rdls_ini_section *s, enum kind *kind,
			 const char **name_out)
{
	char q[RDLS_QUOTE_MAX], q2[RDLS_QUOTE_MAX];
	const char *h = s->header;
	size_t klen = strcspn(h, " \t");
	const char *name = h + klen;
	while (*name == ' ' || *name == '\t')
		name++;
	char word[64];
	if (klen >= sizeof(word)) {
		ERR(c, s->line, "unknown section [%s] (expected " ALL_SECTIONS ")", rdls_quote(q, h));
		return false;
	}
	memcpy(word, h, klen);
	word[klen] = '\0';
	int k = keyword(word, kind_names, K_COUNT);
	if (k < 0) {
		/* "[license server X]": the kind written as two words. */
		size_t w2 = strcspn(name, " \t");
		if (*name && klen + 1 + w2 < sizeof(word)) {
			char joined[64];
			memcpy(joined, word, klen);
			joined[klen] = '_';
			memcpy(joined + klen + 1, name, w2);
			joined[klen + 1 + w2] = '\0';
			const char *sug = model_suggest(joined, kind_names, K_COUNT);
			if (sug) {
				const char *rest = name + w2;
				while (*rest == ' ' || *rest == '\t')
					rest++;
				ERR(c, s->line, "unknown section [%s] (did you mean [%s%s%s]?)",
				    rdls_quote(q, h), sug, *rest ? " " : "", rdls_quote(q2, rest));
				return false;
			}
		}
		const char *sug = model_suggest(word, kind_names, K_COUNT);
		if (sug)
			ERR(c, s->line, "unknown section [%s] (did you mean [%s%s%s]?)",
			    rdls_quote(q, h), sug, *name ? " " : "", rdls_quote(q2, name));
		else
			ERR(c, s->line, "unknown section [%s] (expected " ALL_SECTIONS ")",
			    rdls_quote(q, h));
		return false;
	}
	*kind = (enum kind)k;
	if (kinds[k].named && !*name) {
		ERR(c, s->line, "section [%s] needs a computer name: [%s NAME]", rdls_quote(q, h),
		    kind_names[k]);
		return false;
	}
	if (!kinds[k].named && *name)
		ERR(c, s->line, "unexpected name '%s' in [%s] (write [%s])", rdls_quote(q, name),
		    rdls_quote(q2, h), kind_names[k]);
	*name_out = name;
	return true;
}

/* Matches the keys of s against its kind; kv[i] is the key of kinds[k].keys[i]. */
static void match_keys(struct ctx *c, const struct rdls_ini_section *s, enum kind k,
		       const struct rdls_ini_key **kv)
{
	char q[RDLS_QUOTE_MAX], qh[RDLS_QUOTE_MAX];
	const struct kind_spec *spec = &kinds[k];
	for (size_t i = 0; i < MAX_KEYS; i++)
		kv[i] = NULL;
	rdls_quote(qh, s->header);
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct rdls_ini_key *key = &s->keys[i];
		int j = keyword(key->name, spec->keys, spec->n_keys);
		if (j < 0) {
			const char *sug = model_suggest(key->name, spec->keys, spec->n_keys);
			if (sug)
				ERR(c, key->line, "unknown key '%s' in [%s] (did you mean '%s'?)",
				    rdls_quote(q, key->name), qh, sug);
			else
				ERR(c, key->line, "unknown key '%s' in [%s] (expected %s)",
				    rdls_quote(q, key->name), qh, spec->expect);
		} else if (kv[j]) {
			ERR(c, key->line, "duplicate key '%s' in [%s] (first at line %d)",
			    spec->keys[j], qh, kv[j]->line);
		} else {
			kv[j] = key;
		}
	}
}

static void sections(struct ctx *c, const struct rdls_ini *ini, struct rdls_name_index *ix)
{
	const struct rdls_ini_section *first[3] = { NULL, NULL, NULL };
	char q[RDLS_QUOTE_MAX], hdr[RDLS_QUOTE_MAX];
	for (size_t i = 0; i < ini->n && !c->oom; i++) {
		const struct rdls_ini_section *s = &ini->v[i];
		if (!s->header)
			continue; /* malformed header, already reported */
		rdls_quote(hdr, s->header); /* the header as messages show it */
		enum kind k;
		const char *name = NULL;
		if (!parse_header(c, s, &k, &name))
			continue;
		const struct rdls_ini_key *kv[MAX_KEYS];
		if (k == K_DEPLOYMENT || k == K_PEERING || k == K_DISCOVERY) {
			if (first[k]) {
				ERR(c, s->line, "duplicate section [%s] (first at line %d)",
				    kind_names[k], first[k]->line);
				continue;
			}
			first[k] = s;
			match_keys(c, s, k, kv);
			if (k == K_DEPLOYMENT) {
				static const char *const hints[] = { "workgroup | domain",
								     "per_device | per_user",
								     CAL_EXPECT };
				c->dep_line = s->line;
				for (size_t j = 0; j < 3; j++)
					if (!kv[j])
						ERR(c, s->line, "missing key '%s' in [%s] (%s)",
						    kinds[k].keys[j], hdr, hints[j]);
				do_deployment(c, hdr, kv);
			} else if (k == K_PEERING) {
				/* Required keys are checked at the end, once membership is known. */
				c->peer_line = s->line;
				c->m->peering.line = s->line;
				for (size_t j = 0; j < 3; j++)
					if (kv[j])
						c->present_peer |= 1u << j;
				do_peering(c, hdr, kv);
			} else {
				c->disc_line = s->line;
				c->present_method = kv[DISC_METHOD] != NULL;
				do_discovery(c, hdr, kv);
			}
			continue;
		}

		/* [license_server NAME] / [session_host NAME] */
		char w[128];
		const char *bad = rdls_check_computer_name(name, w, sizeof(w));
		if (bad)
			ERR(c, s->line, "invalid computer name '%s': %s", rdls_quote(q, name), bad);
		struct slot *slot = model_idx_find(ix, name);
		size_t prev = slot ? (k == K_LS ? slot->ls : slot->sh) : NONE;
		if (prev != NONE) {
			int pl = k == K_LS ? c->m->ls[prev].line : c->m->sh[prev].line;
			ERR(c, s->line, "duplicate %s '%s' (first at line %d; computer names compare "
					"case-insensitively)",
			    k == K_LS ? "license server" : "session host", rdls_quote(q, name), pl);
			continue;
		}
		match_keys(c, s, k, kv);
		if (!kv[k == K_LS ? LS_OS : SH_OS])
			ERR(c, s->line, "missing key 'os' in [%s] (" OS_EXPECT ")", hdr);
		if (k == K_LS)
			do_license_server(c, hdr, name, s->line, kv, bad == NULL);
		else
			do_session_host(c, hdr, name, s->line, kv);
		if (c->oom)
			break;
		/* The index borrows the model's copy of the name. */
		const char *owned = k == K_LS ? c->m->ls[c->m->n_ls - 1].name
					      : c->m->sh[c->m->n_sh - 1].name;
		slot = model_idx_get(ix, owned);
		if (!slot) {
			c->oom = true;
			break;
		}
		if (k == K_LS)
			slot->ls = c->m->n_ls - 1;
		else
			slot->sh = c->m->n_sh - 1;
	}
}

static void model_free_parts(struct rdls_model *m, const size_t *all_ls)
{
	free(m->path);
	free(m->peering.account);
	free(m->peering.group);
	free(m->peering.secret_ref);
	for (size_t i = 0; i < m->n_ls; i++) {
		free(m->ls[i].name);
		free(m->ls[i].dns);
	}
	free(m->ls);
	for (size_t i = 0; i < m->n_sh; i++) {
		free(m->sh[i].name);
		if (m->sh[i].ls != all_ls)
			free(m->sh[i].ls);
	}
	free(m->sh);
	model_idx_free(m->index);
}

/* The shared "every license server" array lives just before the model. */
struct model_box {
	struct rdls_model m;
	size_t *all_ls;
};

void rdls_model_free(struct rdls_model *m)
{
	if (!m)
		return;
	struct model_box *b = (struct model_box *)m;
	model_free_parts(m, b->all_ls);
	free(b->all_ls);
	free(b);
}

struct rdls_model *rdls_model_load(FILE *f, const char *path, struct rdls_diags *diags)
{
	size_t errors_before = diags->n_errors;
	struct rdls_ini ini;
	struct model_box *box = calloc(1, sizeof(*box));
	struct rdls_model *m = box ? &box->m : NULL;
	struct ctx c = { .d = diags, .m = m, .suggestions_left = 20 };
	int rc = rdls_ini_read(f, &ini, diags);
	if (!box || rc != 0) {
		if (!box)
			rdls_diags_add(diags, RDLS_SEV_ERROR, 0, "out of memory");
		goto out;
	}
	m->path = dup(&c, path ? path : "");
	m->index = calloc(1, sizeof(*m->index));
	if (!m->index) {
		c.oom = true;
		goto out;
	}
	sections(&c, &ini, m->index);
	if (!c.oom)
		model_resolve_session_hosts(&c, m->index);
	box->all_ls = c.all_ls;
	if (!c.oom) {
		model_deployment_rules(&c);
		model_compat(&c);
		model_dns_names(&c, c.mem_line && m->membership == RDLS_DOMAIN);
	}
out:
	if (c.oom)
		rdls_diags_add(diags, RDLS_SEV_ERROR, 0, "out of memory");
	rdls_ini_release(&ini);
	free(c.lsx);
	free(c.shx);
	rdls_diags_sort(diags);
	if (box && diags->n_errors > errors_before) {
		rdls_model_free(m);
		return NULL;
	}
	return m;
}

const struct rdls_license_server *rdls_model_find_ls(const struct rdls_model *m, const char *host)
{
	const struct slot *s = m && host ? model_idx_find(m->index, host) : NULL;
	return s && s->ls != NONE ? &m->ls[s->ls] : NULL;
}

const struct rdls_session_host *rdls_model_find_sh(const struct rdls_model *m, const char *host)
{
	const struct slot *s = m && host ? model_idx_find(m->index, host) : NULL;
	return s && s->sh != NONE ? &m->sh[s->sh] : NULL;
}
