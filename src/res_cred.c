/*
 * A domain-password credential in the NT AUTHORITY\NETWORK SERVICE logon context
 * (target s->name, user s->want.user). Windows never reveals the stored password,
 * so rdlsctl keeps a salted slow hash of the secret in the credential's attribute
 * (cred_check.h) to tell its own, current credentials from everything else. A
 * credential that existed before cannot be restored: undo only deletes what apply
 * created.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/cred_check.h"
#include "rdls/journal.h"
#include "rdls/util.h"
#include "rdls/writable.h"
#include "resource.h"

/* res_cred.c: how an existing credential relates to the one a step wants (*out).
 * Returns 0, or -1 with err filled when the check could not be computed. */
enum rdls_cred_verdict {
	RDLS_CRED_ABSENT,    /* no credential for the target */
	RDLS_CRED_CONVERGED, /* rdlsctl's, right user and type, check verifies the secret */
	RDLS_CRED_STALE,     /* rdlsctl's, right user and type, written with another secret */
	RDLS_CRED_FOREIGN,   /* not written by rdlsctl, or for another user or of another type */
};

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	rdls_cred cred;
	memset(&cred, 0, sizeof(cred));
	if (c->sys->ops->cred_get(c->sys->ctx, s->name, &cred, err) != 0)
		return -1;
	out->present = cred.present;
	if (cred.present) {
		cred.user[sizeof(cred.user) - 1] = '\0';
		cred.check[sizeof(cred.check) - 1] = '\0';
		out->type = cred.type;
		out->user = rdls_strdup(cred.user);
		out->ours = cred.check[0] != '\0';
		out->check = out->ours ? rdls_strdup(cred.check) : NULL;
		if (!out->user || (out->ours && !out->check)) {
			rdls_secure_zero(cred.check, sizeof(cred.check));
			return rdls_err_set(err, NULL, s->name, 0, "out of memory");
		}
	}
	rdls_secure_zero(cred.check, sizeof(cred.check));
	return 0;
}

static int classify(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have, enum rdls_cred_verdict *out, rdls_err *err)
{
	*out = RDLS_CRED_FOREIGN;
	if (!have->present) {
		*out = RDLS_CRED_ABSENT;
		return 0;
	}
	if (have->type != RDLS_CRED_TYPE_DOMAIN_PASSWORD || !have->user || !s->want.user ||
	    !rdls_name_eq(have->user, s->want.user) || !have->check)
		return 0;
	bool match = false;
	int rc = c->cred && c->cred->verifier
			 ? rdls_cred_verifier_check(c->cred->verifier, have->check, &match, err)
			 : rdls_cred_check_verify(c->sys, c->secret, have->check, &match, err);
	/* A malformed check string was not written by rdlsctl (or was tampered with). */
	if (rc == RDLS_CRED_CHECK_MALFORMED)
		return 0;
	if (rc != 0)
		return -1;
	*out = match ? RDLS_CRED_CONVERGED : RDLS_CRED_STALE;
	return 0;
}

/* The planner decides through decide() below, which can report a failure;
 * here a check that cannot be computed counts as "not converged". */
static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	if (!s->want.present)
		return !have->present;
	enum rdls_cred_verdict v;
	rdls_err err;
	return c->secret && classify(s, c, have, &v, &err) == 0 &&
	       v == RDLS_CRED_CONVERGED;
}

/* Credentials: converged, stale (another secret) or foreign (left alone unless --rotate). */
static int decide(struct rdls_step *s, const struct rdls_rctx *c, bool rotate,
		  struct rdls_buf *w, rdls_err *err)
{
	enum rdls_cred_verdict v;
	if (classify(s, c, &s->prior, &v, err) != 0)
		return -1;
	switch (v) {
	case RDLS_CRED_ABSENT:
		s->action = RDLS_ACT_CREATE;
		return 0;
	case RDLS_CRED_CONVERGED:
		/* Rewriting it with the same secret changes nothing rollback would need. */
		s->action = rotate ? RDLS_ACT_CHANGE : RDLS_ACT_NONE;
		if (rotate)
			s->note = "--rotate: rewritten with the same secret";
		return 0;
	case RDLS_CRED_STALE:
		s->action = RDLS_ACT_CHANGE;
		s->flags |= RDLS_STEP_IRREVERSIBLE;
		s->note = "written by rdlsctl with another secret; rollback cannot bring the old one back";
		return 0;
	case RDLS_CRED_FOREIGN:
		break;
	}
	rdls_buf_puts(w, "credential ");
	rdls_buf_quote(w, s->name, strlen(s->name));
	rdls_buf_puts(w, " of NETWORK SERVICE exists (");
	rdls_step_state(s, &s->prior, w);
	if (rotate) {
		s->action = RDLS_ACT_CHANGE;
		s->flags |= RDLS_STEP_IRREVERSIBLE;
		s->note = "--rotate: replaces a credential rollback cannot restore";
		rdls_buf_puts(w, "); --rotate replaces it, and rollback cannot restore it: Windows "
				  "never reveals a stored domain password");
	} else {
		s->action = RDLS_ACT_NONE;
		s->flags |= RDLS_STEP_CONFLICT;
		s->note = "left alone: not written by rdlsctl for this user; --rotate replaces it";
		rdls_buf_puts(w, ") and was not written by rdlsctl for user ");
		rdls_buf_quote(w, s->want.user, strlen(s->want.user));
		rdls_buf_puts(w, "; it is left alone because Windows never reveals a stored domain "
				  "password, so rollback could not restore it. apply --rotate replaces it");
	}
	return 0;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (!s->want.present)
		return c->sys->ops->cred_del(c->sys->ctx, s->name, err);
	if (!c->secret)
		return rdls_err_set(err, NULL, s->name, 0, "storing a credential needs the peer secret");
	unsigned char salt[RDLS_CRED_CHECK_SALT_LEN];
	char local[RDLS_CRED_CHECK_MAX];
	/* One check string per run (see struct rdls_cred_run), made on first use. */
	char *check = c->cred && c->cred->check ? c->cred->check : local;
	int rc = -1;
	if (check == local || !check[0]) {
		if (c->sys->ops->random(c->sys->ctx, salt, sizeof(salt), err) != 0)
			goto out;
		if (rdls_cred_check_make(c->sys, c->secret, salt, sizeof(salt), check,
					 RDLS_CRED_CHECK_MAX, err) != 0)
			goto out;
	}
	rc = c->sys->ops->cred_put(c->sys->ctx, s->name, s->want.user, c->secret, check, err);
out:
	rdls_secure_zero(salt, sizeof(salt));
	rdls_secure_zero(local, sizeof(local));
	return rc;
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (s->prior.present)
		return rdls_err_set(err, NULL, s->name, 0,
				    "the previous credential cannot be restored: Windows never "
				    "reveals a stored domain password");
	return c->sys->ops->cred_del(c->sys->ctx, s->name, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "credential ");
		rdls_buf_quote(b, s->name, strlen(s->name));
		rdls_buf_puts(b, " (NETWORK SERVICE)");
		return;
	case RDLS_DESC_STATE:
		if (!st->present) {
			rdls_buf_puts(b, "absent");
			return;
		}
		rdls_buf_puts(b, "user ");
		rdls_buf_quote(b, st->user ? st->user : "", st->user ? strlen(st->user) : 0);
		if (st->type != RDLS_CRED_TYPE_DOMAIN_PASSWORD)
			rdls_buf_printf(b, ", type %u", (unsigned)st->type);
		rdls_buf_puts(b, st->ours ? ", written by rdlsctl" : ", not written by rdlsctl");
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, !s->want.present			? "delete credential "
				 : s->action == RDLS_ACT_CHANGE ? "replace credential "
								: "store credential ");
		break;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, s->prior.present ? "restore credential " : "delete credential ");
		break;
	}
	rdls_buf_quote(b, s->name, strlen(s->name));
	rdls_buf_puts(b, " of NETWORK SERVICE");
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	if (rdls_name_eq(s->name, rdls_vet_journal(v)->host))
		return rdls_vet_refuse(v, "apply never stores a credential for the host itself");
	if (!rdls_vet_v1(v) && !rdls_vet_peer(v, s->name))
		return rdls_vet_refuse(v, "'%s' is not one of the peers the journal's header "
				      "names",
			      s->name);
	const char *u = s->want.user ? s->want.user : "";
	const char *acct = rdls_name_after(u, s->name);
	if (s->want.present && (s->want.type != RDLS_CRED_TYPE_DOMAIN_PASSWORD ||
				!s->want.ours || !acct))
		return rdls_vet_refuse(v, "apply stores only rdlsctl's domain password for user "
				      "'%s\\' and the account",
			      s->name);
	return !s->want.present || rdls_vet_account(v, acct);
}

const struct resource_ops res_cred_ops = {
	.kind = "cred",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.typed = true,
	.has_ours = true,
	.secret_compare = true,
	.peer_cred = true,
	.decide = decide,
	.journal_check = journal_check,
};
