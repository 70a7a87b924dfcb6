/* A local user: created with the peer secret (the backend sets the NetUserAdd flags). */
#include <string.h>

#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	return c->sys->ops->user_get(c->sys->ctx, s->name, &out->present, err);
}

/* An existing user is converged: Windows does not reveal whether its password matches. */
static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return have->present == s->want.present;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (!s->want.present)
		return c->sys->ops->user_del(c->sys->ctx, s->name, err);
	if (!c->secret)
		return rdls_err_set(err, NULL, s->name, 0, "creating a user needs the peer secret");
	return c->sys->ops->user_add(c->sys->ctx, s->name, c->secret, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (s->prior.present)
		return rdls_err_set(err, NULL, s->name, 0,
				    "a deleted user cannot be recreated with its old password");
	return c->sys->ops->user_del(c->sys->ctx, s->name, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "user ");
		break;
	case RDLS_DESC_STATE:
		rdls_describe_presence(st, b);
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, s->want.present ? "create local user " : "delete local user ");
		break;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, s->prior.present ? "recreate local user " : "delete local user ");
		break;
	}
	rdls_buf_quote(b, s->name, strlen(s->name));
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	return rdls_vet_account(v, s->name);
}

const struct resource_ops res_user_ops = {
	.kind = "user",
	.create_needs_secret = true,
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.journal_check = journal_check,
};
