/*
 * What rdlsctl may write (writable.h): the table, and rollback's check of a journal
 * against it and against the account, group, peers and host its header names.
 * Anyone who can put a file where rollback reads journals must not be able to make
 * an elevated rollback write whatever that file says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rdls/journal.h"
#include "rdls/writable.h"
#include "resource.h"

static const struct rdls_writable_value table[RDLS_WV_COUNT] = {
	[RDLS_WV_ACCOUNTS_GROUP] = { RDLS_KEY_LICENSING, "WorkgroupLicenseServerAccountsGroup",
				     RDLS_REG_SZ, false },
	[RDLS_WV_SPECIFIED] = { RDLS_KEY_LICENSING, "SpecifiedLicenseServers", RDLS_REG_MULTI_SZ,
				false },
	/* The documents' Set-ItemProperty commands name both with a leading space. */
	[RDLS_WV_ACCOUNTS_GROUP_SPACED] = { RDLS_KEY_LICENSING,
					    " WorkgroupLicenseServerAccountsGroup", RDLS_REG_NONE,
					    true },
	[RDLS_WV_SPECIFIED_SPACED] = { RDLS_KEY_LICENSING, " SpecifiedLicenseServers",
				       RDLS_REG_NONE, true },
	[RDLS_WV_POLICY_SERVERS] = { RDLS_KEY_TS_POLICY, "LicenseServers", RDLS_REG_SZ, false },
	[RDLS_WV_POLICY_MODE] = { RDLS_KEY_TS_POLICY, "LicensingMode", RDLS_REG_DWORD, false },
};

const struct rdls_writable_value *rdls_writable(enum rdls_wv v)
{
	return (unsigned)v < RDLS_WV_COUNT ? &table[v] : NULL;
}

const struct rdls_writable_value *rdls_writable_find(const char *key, const char *name)
{
	if (!key || !name)
		return NULL;
	for (size_t i = 0; i < RDLS_WV_COUNT; i++)
		if (rdls_name_eq(table[i].key, key) && rdls_name_eq(table[i].name, name))
			return &table[i];
	return NULL;
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* path (not empty) is `key` itself or one of its levels: a prefix ending where a level ends. */
static bool is_level_of(const char *path, const char *key)
{
	size_t n = strlen(path);
	if (n == 0 || n > strlen(key))
		return false;
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)path[i]) != fold((unsigned char)key[i]))
			return false;
	return key[n] == '\0' || key[n] == '\\';
}

bool rdls_writable_key(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	if (n == 0 || path[n - 1] == '\\')
		return false;
	for (size_t i = 0; i < RDLS_WV_COUNT; i++)
		if (is_level_of(path, table[i].key))
			return true;
	return false;
}

/* ------------------------------------------------- rollback's journal check */

struct vet {
	const struct rdls_journal *j;
	bool v1;               /* format 1: no account, group or peers in the header */
	const char *account;   /* the header's, or (format 1) the first record's (borrowed) */
	const char *group;
	char *why;
	size_t n;
};

static bool refuse(struct vet *v, const struct rdls_jrec *rec, const char *fmt, ...)
	RDLS_PRINTF(3, 4);

static bool refuse(struct vet *v, const struct rdls_jrec *rec, const char *fmt, ...)
{
	struct rdls_buf b;
	rdls_buf_init(&b);
	rdls_buf_printf(&b, "[step %zu] ", rec->index);
	rdls_step_object(&rec->step, &b);
	rdls_buf_puts(&b, ": ");
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rdls_buf_puts(&b, text);
	snprintf(v->why, v->n, "%s", b.oom ? text : rdls_buf_str(&b));
	rdls_buf_release(&b);
	return false;
}

static bool eq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]) || !a[i])
			return false;
	return b[n] == '\0';
}

/* The account a record names is the journal's one account. */
static bool same_account(struct vet *v, const struct rdls_jrec *rec, const char *account)
{
	if (!v->account) {
		if (!v->v1)
			return refuse(v, rec, "the journal's header names no account, so apply "
					      "cannot have written this");
		v->account = account; /* format 1: the first record's, for all that follow */
		return true;
	}
	if (rdls_name_eq(account, v->account))
		return true;
	return refuse(v, rec, "names account '%s', but the journal's %s '%s'", account,
		      v->v1 ? "other records name" : "header names", v->account);
}

static bool same_group(struct vet *v, const struct rdls_jrec *rec, const char *g)
{
	if (!v->group) {
		if (!v->v1)
			return refuse(v, rec, "the journal's header names no group, so apply cannot "
					      "have written this");
		v->group = g;
		return true;
	}
	if (rdls_name_eq(g, v->group))
		return true;
	return refuse(v, rec, "names group '%s', but the journal's %s '%s'", g,
		      v->v1 ? "other records name" : "header names", v->group);
}

static bool is_peer(const struct rdls_journal *j, const char *name)
{
	for (size_t i = 0; i < j->n_peers; i++)
		if (rdls_name_eq(j->peers[i], name))
			return true;
	return false;
}

static bool vet_regval(struct vet *v, const struct rdls_jrec *rec)
{
	const struct rdls_step *s = &rec->step;
	const struct rdls_writable_value *w = rdls_writable_find(s->key, s->name);
	if (!w)
		return refuse(v, rec, "not a registry value rdlsctl writes");
	if (w->remove && s->want.present)
		return refuse(v, rec, "rdlsctl only ever removes this value, but the record says "
				      "apply set it");
	if (!w->remove && (!s->want.present || s->want.type != w->type))
		return refuse(v, rec, "rdlsctl sets this value as type %u, but the record says "
				      "apply left %s%u",
			      (unsigned)w->type, s->want.present ? "type " : "it absent, not ",
			      (unsigned)(s->want.present ? s->want.type : w->type));
	return true;
}

/* The record names what apply may touch for this journal's host, account, group, peers. */
static bool vet_identity(struct vet *v, const struct rdls_jrec *rec)
{
	const struct rdls_journal *j = v->j;
	const struct rdls_step *s = &rec->step;
	const struct resource_ops *ops = s->ops;
	if (ops == &res_regkey_ops) {
		if (!rdls_writable_key(s->name))
			return refuse(v, rec, "not a registry key rdlsctl creates (only HKLM\\%s, "
					      "HKLM\\%s and the keys leading to them)",
				      RDLS_KEY_LICENSING, RDLS_KEY_TS_POLICY);
		return true;
	}
	if (ops == &res_user_ops)
		return same_account(v, rec, s->name);
	if (ops == &res_group_ops)
		return same_group(v, rec, s->name);
	if (ops == &res_member_ops) {
		const char *bs = strchr(s->name, '\\');
		size_t hn = bs ? (size_t)(bs - s->name) : 0;
		if (!bs || !eq_n(s->name, j->host, hn))
			return refuse(v, rec, "the member is not '%s\\' and an account: apply adds "
					      "only this host's account",
				      j->host);
		return same_group(v, rec, s->key) && same_account(v, rec, bs + 1);
	}
	if (ops == &res_cred_ops) {
		if (rdls_name_eq(s->name, j->host))
			return refuse(v, rec, "apply never stores a credential for the host itself");
		if (!v->v1 && !is_peer(j, s->name))
			return refuse(v, rec, "'%s' is not one of the peers the journal's header "
					      "names",
				      s->name);
		const char *u = s->want.user ? s->want.user : "";
		size_t tn = strlen(s->name);
		if (s->want.present && (s->want.type != RDLS_CRED_TYPE_DOMAIN_PASSWORD ||
					!s->want.ours || !eq_n(u, s->name, tn) || u[tn] != '\\'))
			return refuse(v, rec, "apply stores only rdlsctl's domain password for user "
					      "'%s\\' and the account",
				      s->name);
		return !s->want.present || same_account(v, rec, u + tn + 1);
	}
	if (ops == &res_gpofile_ops) {
		if (s->key || !rdls_gpo_file_known(s->name))
			return refuse(v, rec, "not a Group Policy file rdlsctl writes (only %s and "
					      "%s of the local Group Policy object)",
				      RDLS_GPO_REGPOL, RDLS_GPO_GPTINI);
		char why[256];
		if (!rdls_gpo_record_plausible(s, why, sizeof(why)))
			return refuse(v, rec, "%s", why);
		return true;
	}
	if (ops == &res_password_ops) {
		/* Rotation came with format 2: a format 1 journal cannot hold one. */
		if (v->v1)
			return refuse(v, rec, "journal format 1 predates password rotation, so apply "
					      "cannot have written this");
		if (!(s->flags & RDLS_STEP_IRREVERSIBLE) || !s->prior.present ||
		    !s->want.present || !s->want.ours)
			return refuse(v, rec, "apply records a password only as set for an existing "
					      "user and not restorable");
		return same_account(v, rec, s->name);
	}
	if (ops == &res_lspublish_ops) {
		if (!rdls_name_eq(s->name, j->host))
			return refuse(v, rec, "apply publishes only the host the journal is for (%s)",
				      j->host);
		return true;
	}
	return refuse(v, rec, "not a kind of record rdlsctl writes");
}

static bool vet_one(struct vet *v, const struct rdls_jrec *rec)
{
	if (rec->step.ops == &res_regval_ops)
		return vet_regval(v, rec);
	if (!vet_identity(v, rec))
		return false;
	/* Every other kind apply only creates, adds or publishes. */
	if (!rec->step.want.present)
		return refuse(v, rec, "apply only ever creates this kind, but the record says it "
				      "removed it");
	return true;
}

bool rdls_journal_check(const struct rdls_journal *j, int *line, char *why, size_t n)
{
	struct vet v = {
		.j = j,
		.v1 = j->format < 2,
		.account = j->format < 2 ? NULL : j->account,
		.group = j->format < 2 ? NULL : j->group,
		.why = why,
		.n = n,
	};
	*line = 0;
	if (n)
		why[0] = '\0';
	for (size_t i = 0; i < j->n_recs; i++) {
		if (!j->recs[i].step.ops || !j->recs[i].step.name || !j->host) {
			*line = j->recs[i].line;
			snprintf(why, n, "[step %zu] is incomplete", j->recs[i].index);
			return false;
		}
		if (!vet_one(&v, &j->recs[i])) {
			*line = j->recs[i].line;
			return false;
		}
	}
	return true;
}
