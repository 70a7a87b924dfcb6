/*
 * A local user's password, set to the peer secret by apply --rotate (NetUserSetInfo
 * level 1003). Windows never reveals a password, so the step can neither see whether
 * the password already is the secret nor bring the old one back: it is planned
 * whenever --rotate is given for an existing user, always irreversible (journal:
 * restorable = no), and rollback reports it as not restorable. It is never verified by
 * logging on with it (failed logons lock accounts out and fill the Security log), and
 * nothing derived from the secret is stored where other accounts could read it.
 *
 * States: present = the user exists; ours = "set by rdlsctl to the secret", which only
 * the plan's want can say (observe never can: the kind is blind).
 */
#include <string.h>

#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	return c->sys->ops->user_get(c->sys->ctx, s->name, &out->present, err);
}

/* Never converged by comparison: rotation is explicit (the planner decides). */
static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)s;
	(void)c;
	(void)have;
	return false;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (!c->secret)
		return rdls_err_set(err, NULL, s->name, 0, "setting a password needs the peer secret");
	if (!c->sys->ops->user_set_password)
		return rdls_err_set(err, NULL, s->name, 0,
				    "this system cannot set a local user's password");
	return c->sys->ops->user_set_password(c->sys->ctx, s->name, c->secret, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	(void)c;
	return rdls_err_set(err, NULL, s->name, 0,
			    "the previous password cannot be restored: Windows never reveals a "
			    "password");
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "password of user ");
		break;
	case RDLS_DESC_STATE:
		rdls_buf_puts(b, !st->present ? "no such user"
				 : st->ours   ? "password set, not restorable"
					      : "a password Windows does not reveal");
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, "set the password of local user ");
		rdls_buf_quote(b, s->name, strlen(s->name));
		rdls_buf_puts(b, " (not restorable)");
		return;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, "restore the old password of local user ");
		break;
	}
	rdls_buf_quote(b, s->name, strlen(s->name));
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	/* Rotation came with format 2: a format 1 journal cannot hold one. */
	if (rdls_vet_v1(v))
		return rdls_vet_refuse(v, "journal format 1 predates password rotation, so apply "
				      "cannot have written this");
	if (!(s->flags & RDLS_STEP_IRREVERSIBLE) || !s->prior.present ||
	    !s->want.present || !s->want.ours)
		return rdls_vet_refuse(v, "apply records a password only as set for an existing "
				      "user and not restorable");
	return rdls_vet_account(v, s->name);
}

const struct resource_ops res_password_ops = {
	.kind = "password",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.blind = true,
	.has_ours = true,
	.lost_prior = "the old password cannot be read back",
	.journal_remark = "set, not restorable",
	.journal_check = journal_check,
};
