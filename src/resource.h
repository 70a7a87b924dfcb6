/*
 * A resource kind: how to observe, compare, change and undo one thing on a host, and
 * everything else that is special about it (the flags and hooks of struct
 * resource_ops), so the planner, executor, journal, rollback's trust check and
 * diagnose never ask which kind a step is. Adding a kind takes:
 *
 *  1. src/res_KIND.c with `const struct resource_ops res_KIND_ops` (observe, compare,
 *     change, undo, describe, journal_check, and the flags that apply), declared below;
 *  2. one line in the kinds table of src/plan.c;
 *  3. the emitter in src/plan.c that plans its steps;
 *  4. the fake's support (tests/unit/fake_sys.c) for any new system operation it uses;
 *  5. "KIND" in the `kind` enum of docs/schema/plan.schema.json;
 *  6. unit tests: tests/unit/test_plan.c and test_exec.c (fresh, converged, failure at
 *     every step) and tests/unit/test_journal_trust.c (its journal_check).
 */
#ifndef RDLS_RESOURCE_H
#define RDLS_RESOURCE_H

#include <stdbool.h>

#include "rdls/json.h"
#include "rdls/cred_check.h"
#include "rdls/plan.h"
#include "rdls/sys.h"

struct rdls_vet; /* writable.h */

/* What the operations may use besides the step itself. */
/*
 * Per run: every credential apply writes gets the same salt, hence the same check
 * string, and plan verifies through one verifier that caches the derived key per
 * salt, so P peer credentials cost one PBKDF2 run instead of P (cred_check.h).
 */
struct rdls_cred_run {
	rdls_cred_verifier *verifier; /* NULL: verify each check on its own */
	char *check; /* RDLS_CRED_CHECK_MAX bytes owned by the caller: this run's check string,
		      * "" until first needed; NULL: a fresh salt for every credential */
};

struct rdls_rctx {
	struct rdls_sys *sys;
	const rdls_secret *secret; /* NULL in rollback: undo never needs it */
	struct rdls_cred_run *cred; /* NULL allowed */
};

enum rdls_desc {
	RDLS_DESC_OBJECT, /* "group 'RDLS Peers'" */
	RDLS_DESC_STATE,  /* st: "absent", "REG_SZ 'x'" */
	RDLS_DESC_CHANGE, /* "create local group 'RDLS Peers'" (by s->action) */
	RDLS_DESC_UNDO,   /* "delete local group 'RDLS Peers'" */
};

struct resource_ops {
	const char *kind; /* the journal's name of the kind */
	/* Reads the live state into *out (zeroed by the caller). Never changes anything. */
	int (*observe)(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		       rdls_err *err);
	/* Planning: does `have` already satisfy s->want? (credentials verify the secret here) */
	bool (*compare)(const struct rdls_step *s, const struct rdls_rctx *c,
			const struct rdls_state *have);
	/* Moves the resource from s->prior to s->want. */
	int (*change)(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err);
	/* Moves it back to s->prior (the caller has checked that this is possible). */
	int (*undo)(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err);
	void (*describe)(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
			 struct rdls_buf *b);
	/* The change leaves nothing observe can see (a password): a live state equal to the
	 * prior one does not mean "not changed", so undo never concludes "already restored"
	 * from it after the change may have happened (exec.c). */
	bool blind;
	/* The step names a key besides its name (regval: the registry key; member: the group). */
	bool keyed;
	/* The state's type means something even when 0: the journal always records it. */
	bool typed;
	/* The state's `ours` means something: the journal records it. */
	bool has_ours;
	/* compare verifies the peer secret: with a placeholder secret its verdict says nothing. */
	bool secret_compare;
	/* Exists only for what is planned inside it (a registry key): findings name that. */
	bool container;
	/* Creating it sets the peer password (a local user): the step needs the secret. */
	bool create_needs_secret;
	/* Stores a credential for a peer: needs Windows' credential storage, and its name is
	 * one of the plan's peers. */
	bool peer_cred;
	/* Why undo cannot restore the prior state (NULL: Windows never reveals it). */
	const char *lost_prior;
	/* A line "<kind> = <remark>" in each journal record, for a human reader. */
	const char *journal_remark;
	/* Planning in place of compare (NULL: compare decides none/create/remove/change):
	 * sets s->action, and flags and note; a warning for the plan goes to *warning
	 * (left empty: none). rotate: apply --rotate. */
	int (*decide)(struct rdls_step *s, const struct rdls_rctx *c, bool rotate,
		      struct rdls_buf *warning, rdls_err *err);
	/* Rollback: whether a journal record of this kind is one apply could have written
	 * for the journal's header (rules: writable.h's rdls_vet_*). NULL: refused. */
	bool (*journal_check)(struct rdls_vet *v, const struct rdls_step *s);
	/* apply may remove what exists: a record whose after state is absent is fine. */
	bool removes;
};

extern const struct resource_ops res_user_ops;
extern const struct resource_ops res_group_ops;
extern const struct resource_ops res_member_ops;
extern const struct resource_ops res_regval_ops;
extern const struct resource_ops res_regkey_ops;
extern const struct resource_ops res_cred_ops;
extern const struct resource_ops res_lspublish_ops;
extern const struct resource_ops res_gpofile_ops;

/*
 * res_gpofile.c: the two files of the local Group Policy object that apply writes,
 * named relative to sys->ops->gpo_dir. These two and nothing else.
 */
#define RDLS_GPO_REGPOL "Machine\\Registry.pol"
#define RDLS_GPO_GPTINI "gpt.ini"
bool rdls_gpo_file_known(const char *name);
/* Registry.pol as apply leaves it: prior (absent: a new file) with LicenseServers
 * (REG_SZ servers) and LicensingMode (REG_DWORD mode) set. A damaged prior fails
 * with its byte offset. */
int rdls_gpo_regpol_want(const struct rdls_state *prior, const char *servers, uint32_t mode,
			 struct rdls_state *want, rdls_err *err);
/* gpt.ini as apply leaves it: the extensions merged, Version raised. */
int rdls_gpo_gptini_want(const struct rdls_state *prior, struct rdls_state *want,
			 rdls_err *err);
/* Rollback's check of a gpofile record: its after state is exactly what apply makes
 * of its prior state. false with why (n bytes) otherwise. */
bool rdls_gpo_record_plausible(const struct rdls_step *s, char *why, size_t n);
extern const struct resource_ops res_password_ops;

/* The kind named `kind` (a journal's "kind = ..."), or NULL. plan.c holds the table. */
const struct resource_ops *rdls_resource_find(const char *kind);

/* "present" / "absent": the state text of kinds that only exist or not. */
void rdls_describe_presence(const struct rdls_state *st, struct rdls_buf *b);

#endif
