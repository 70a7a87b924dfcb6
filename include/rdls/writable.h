/*
 * What rdlsctl may write, in one table: the registry values it plans (with their
 * types), and the key levels leading to them. Three users read the same table, so
 * they cannot drift apart:
 *   - the planner (plan.c) emits registry steps only for entries of the table;
 *   - the registry resource kinds (res_regval.c, res_regkey.c) refuse to change or
 *     undo anything outside it, whoever asks;
 *   - rollback (rdls_journal_check) refuses a whole journal that holds a record
 *     outside it, or outside the account, group, peers and host its header names.
 * A new value rdlsctl writes is one new line in the table (writable.c).
 */
#ifndef RDLS_WRITABLE_H
#define RDLS_WRITABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/err.h" /* RDLS_PRINTF */
#include "rdls/regpaths.h" /* the keys of the table */


enum rdls_wv {
	RDLS_WV_ACCOUNTS_GROUP,        /* license server (workgroup): REG_SZ "HOST\group" */
	RDLS_WV_SPECIFIED,             /* license server (domain, specified): REG_MULTI_SZ */
	RDLS_WV_ACCOUNTS_GROUP_SPACED, /* the documents' misnamed value: removed */
	RDLS_WV_SPECIFIED_SPACED,      /* the documents' misnamed value: removed */
	RDLS_WV_POLICY_SERVERS,        /* session host policy: REG_SZ list of license servers */
	RDLS_WV_POLICY_MODE,           /* session host policy: REG_DWORD 2 or 4 */
	RDLS_WV_COUNT
};

struct rdls_writable_value {
	const char *key;  /* under HKLM */
	const char *name;
	uint32_t type;    /* the RDLS_REG_* type apply sets; RDLS_REG_NONE when it only removes */
	bool remove;      /* apply only ever deletes this value */
};

/* Entry v of the table. */
const struct rdls_writable_value *rdls_writable(enum rdls_wv v);
/* The entry for HKLM\key value `name` (compared ignoring ASCII case, as the registry
 * compares them), or NULL: rdlsctl never writes that value. */
const struct rdls_writable_value *rdls_writable_find(const char *key, const char *name);
/* Whether HKLM\path is a key of the table or one of the levels leading to it (the keys
 * apply may create so that a value has its key), compared ignoring ASCII case. */
bool rdls_writable_key(const char *path);

/*
 * Whether every record of journal j is one the planner could have written for the
 * host, account, group and peers its header names (format 2), or, for a format 1
 * journal (no such header), registry records of the table and account records that
 * name one user, one group and "HOST\user" consistently. Returns true, or false with
 * *line set to the offending record's line and `why` (n bytes) saying why.
 */
struct rdls_journal;
bool rdls_journal_check(const struct rdls_journal *j, int *line, char *why, size_t n);

/*
 * For the resource kinds' journal_check hooks (resource.h), during rdls_journal_check:
 * the journal, whether it is format 1, and the shared rules. Each rule returns true,
 * or false with the reason recorded for the record being checked.
 */
struct rdls_vet;
const struct rdls_journal *rdls_vet_journal(const struct rdls_vet *v);
bool rdls_vet_v1(const struct rdls_vet *v);
bool rdls_vet_refuse(struct rdls_vet *v, const char *fmt, ...) RDLS_PRINTF(2, 3);
/* The account (group) a record names is the journal's one account (group). */
bool rdls_vet_account(struct rdls_vet *v, const char *account);
bool rdls_vet_group(struct rdls_vet *v, const char *group);
/* name is one of the peers the journal's header names. */
bool rdls_vet_peer(const struct rdls_vet *v, const char *name);
/* "DOMAIN\rest" with DOMAIN equal to domain (ignoring ASCII case): rest; else NULL. */
const char *rdls_name_after(const char *qualified, const char *domain);

#endif
