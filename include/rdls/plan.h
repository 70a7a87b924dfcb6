/*
 * The planner: for one host of a model, every resource of docs/contract.md "Steps
 * apply performs", observed through the system interface and compared with what
 * the profile wants. A step is one resource: its identity, the state apply wants,
 * the state observed before, and the action that gets from one to the other.
 * Steps are also what the journal records and rollback replays, so a step and its
 * states hold no secret.
 */
#ifndef RDLS_PLAN_H
#define RDLS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/err.h"
#include "rdls/json.h"
#include "rdls/model.h"
#include "rdls/secret.h"
#include "rdls/sys.h"
#include "rdls/writable.h" /* the registry keys and values rdlsctl writes */

enum rdls_action {
	RDLS_ACT_NONE = 0, /* converged (or a conflict left alone) */
	RDLS_ACT_CREATE,
	RDLS_ACT_CHANGE,
	RDLS_ACT_REMOVE,
};

/*
 * The state of one resource; fields a kind does not use stay zero.
 *   present: the user/group exists, the account is a member, the value or
 *            credential exists, the license server is published;
 *   type, data, len: a registry value (REG_* type and its bytes, as sys.h encodes them);
 *   type, user, ours: a credential (its type, its user name, whether it carries
 *            rdlsctl's check attribute);
 *   check:   a credential's check attribute as observed; derived from the secret,
 *            so it is used for comparison only: never journaled or printed.
 */
struct rdls_state {
	bool present;
	uint32_t type;
	unsigned char *data;
	size_t len;
	char *user;
	bool ours;
	char *check;
};

void rdls_state_release(struct rdls_state *s);
int rdls_state_copy(struct rdls_state *dst, const struct rdls_state *src); /* 0 or -1 (ENOMEM) */
/* Exact equality of everything a journal records (not `check`). */
bool rdls_state_equal(const struct rdls_state *a, const struct rdls_state *b);
/* Registry value <-> state. */
int rdls_state_from_regval(struct rdls_state *dst, const rdls_regval *v);
void rdls_state_as_regval(const struct rdls_state *s, rdls_regval *view); /* borrows s's data */

struct resource_ops; /* src/resource.h */

enum {
	RDLS_STEP_FOLD = 1u << 0,         /* registry strings are names: compare ignoring ASCII case */
	RDLS_STEP_CONFLICT = 1u << 1,     /* a credential rdlsctl did not write: left alone */
	RDLS_STEP_IRREVERSIBLE = 1u << 2, /* the prior state cannot be restored (a replaced credential) */
	RDLS_STEP_NEEDS_SECRET = 1u << 3, /* the change needs the peer secret */
	RDLS_STEP_IMPOSSIBLE = 1u << 4,   /* this host cannot hold it (precond.h): apply refuses */
};

struct rdls_step {
	const struct resource_ops *ops;
	char *key;   /* registry key; the group of a member; NULL when the kind has none */
	char *name;  /* user, group, member ("HOST\user"), value name, credential target, host,
		      * registry key path (a regkey step) */
	struct rdls_state want;  /* what apply leaves ("after") */
	struct rdls_state prior; /* what was observed before */
	enum rdls_action action;
	unsigned flags;
	const char *note;        /* static text shown after the step, or NULL */
};

void rdls_step_release(struct rdls_step *s);

/* "user", "group", "member", "regval", "regkey", "cred", "lspublish" (the journal's names). */
const char *rdls_step_kind(const struct rdls_step *s);
/* "user 'rdls-peer'", "registry HKLM\\...\\LicenseServers", "registry key HKLM\\...", ... */
void rdls_step_object(const struct rdls_step *s, struct rdls_buf *b);
/* "absent", "present", "REG_SZ 'LICSVR1\\RDLS Peers'", ... */
void rdls_step_state(const struct rdls_step *s, const struct rdls_state *st, struct rdls_buf *b);
/* What a change (undo = false) or its undo does: "create local group 'RDLS Peers'". */
void rdls_step_doing(const struct rdls_step *s, bool undo, struct rdls_buf *b);
/* "create", "change", "remove", "none". */
const char *rdls_action_name(enum rdls_action a);

struct rdls_plan {
	char *host;       /* as the profile spells it */
	char *profile;    /* the profile's path */
	bool license_server, session_host;
	enum rdls_membership membership;
	struct rdls_step *steps; /* every observed resource, in apply order */
	size_t n_steps;
	size_t n_create, n_change, n_remove, n_conflict;
	char **warnings;
	size_t n_warnings;
	/* Steps this host cannot hold (RDLS_STEP_IMPOSSIBLE), and why: apply refuses the whole
	 * plan before its first change. blocked_why / blocked_remedy: static text, or NULL. */
	size_t n_impossible;
	const char *blocked_why, *blocked_remedy;
	/* What the plan's account and credential steps may name, for the journal's header
	 * (rollback checks each record against it): NULL / none when not a workgroup. */
	char *account, *group;
	char **peers;            /* the targets of its credential steps */
	size_t n_peers;
};

/* Steps apply would perform (create + change + remove). */
size_t rdls_plan_changes(const struct rdls_plan *p);

/*
 * The roles of `host` in m (case-insensitive). When it has none, returns -1 with
 * an error naming the host and the profile's hosts.
 */
int rdls_plan_roles(const struct rdls_model *m, const char *host, bool *license_server,
		    bool *session_host, rdls_err *err);
/* Whether planning `host` needs the peer secret (a workgroup license server, or a
 * workgroup session host with credentials = yes). */
bool rdls_plan_needs_secret(const struct rdls_model *m, const char *host);

struct rdls_plan_opts {
	const rdls_secret *secret; /* when rdls_plan_needs_secret; else NULL */
	bool rotate;               /* rewrite credentials even when converged or not rdlsctl's */
};

/*
 * Observes every resource of `host` through sys (read-only calls only) and
 * builds the plan. Returns 0, or -1 with *err (no role, the RD Licensing role
 * missing on a license server, an observe call failing, out of memory). On a host
 * where Windows stores no credential (precond.h) the plan is built with every
 * credential step marked RDLS_STEP_IMPOSSIBLE.
 */
int rdls_plan_build(const struct rdls_model *m, const char *host, struct rdls_sys *sys,
		    const struct rdls_plan_opts *po, struct rdls_plan **out, rdls_err *err);
void rdls_plan_free(struct rdls_plan *p);

#endif
