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
#include "rdls/regpaths.h"
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

struct rdls_vet {
	const struct rdls_journal *j;
	bool v1;               /* format 1: no account, group or peers in the header */
	const char *account;   /* the header's, or (format 1) the first record's (borrowed) */
	const char *group;
	char *why;
	size_t n;
	const struct rdls_jrec *rec; /* the record being checked */
};

static bool refuse(struct rdls_vet *v, const struct rdls_jrec *rec, const char *fmt, ...)
	RDLS_PRINTF(3, 4);

static bool refuse(struct rdls_vet *v, const struct rdls_jrec *rec, const char *fmt, ...)
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
static bool same_account(struct rdls_vet *v, const struct rdls_jrec *rec, const char *account)
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

static bool same_group(struct rdls_vet *v, const struct rdls_jrec *rec, const char *g)
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

/* ------------------------------------ for the kinds' journal_check hooks */

const struct rdls_journal *rdls_vet_journal(const struct rdls_vet *v)
{
	return v->j;
}

bool rdls_vet_v1(const struct rdls_vet *v)
{
	return v->v1;
}

bool rdls_vet_refuse(struct rdls_vet *v, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return refuse(v, v->rec, "%s", text);
}

bool rdls_vet_account(struct rdls_vet *v, const char *account)
{
	return same_account(v, v->rec, account);
}

bool rdls_vet_group(struct rdls_vet *v, const char *group)
{
	return same_group(v, v->rec, group);
}

bool rdls_vet_peer(const struct rdls_vet *v, const char *name)
{
	return is_peer(v->j, name);
}

const char *rdls_name_after(const char *qualified, const char *domain)
{
	size_t n = strlen(domain);
	return eq_n(qualified, domain, n) && qualified[n] == '\\' ? qualified + n + 1 : NULL;
}

static bool vet_one(struct rdls_vet *v, const struct rdls_jrec *rec)
{
	v->rec = rec;
	if (!rec->step.ops->journal_check)
		return refuse(v, rec, "not a kind of record rdlsctl writes");
	if (!rec->step.ops->journal_check(v, &rec->step))
		return false;
	/* Every kind but those that may remove apply only creates, adds or publishes. */
	if (!rec->step.ops->removes && !rec->step.want.present)
		return refuse(v, rec, "apply only ever creates this kind, but the record says it "
				      "removed it");
	return true;
}

bool rdls_journal_check(const struct rdls_journal *j, int *line, char *why, size_t n)
{
	struct rdls_vet v = {
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
