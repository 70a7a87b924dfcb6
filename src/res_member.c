/* Membership of an account ("HOST\user", in s->name) in a local group (s->key). */
#include <string.h>

#include "rdls/journal.h"
#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	return c->sys->ops->member_get(c->sys->ctx, s->key, s->name, &out->present, err);
}

static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return have->present == s->want.present;
}

static int set(const struct rdls_step *s, const struct rdls_rctx *c, bool member, rdls_err *err)
{
	if (member)
		return c->sys->ops->member_add(c->sys->ctx, s->key, s->name, err);
	return c->sys->ops->member_del(c->sys->ctx, s->key, s->name, err);
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return set(s, c, s->want.present, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return set(s, c, s->prior.present, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	bool add;
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "member ");
		rdls_buf_quote(b, s->name, strlen(s->name));
		rdls_buf_puts(b, " of group ");
		rdls_buf_quote(b, s->key, strlen(s->key));
		return;
	case RDLS_DESC_STATE:
		rdls_describe_presence(st, b);
		return;
	case RDLS_DESC_CHANGE:
		add = s->want.present;
		break;
	case RDLS_DESC_UNDO:
	default:
		add = s->prior.present;
		break;
	}
	rdls_buf_puts(b, add ? "add " : "remove ");
	rdls_buf_quote(b, s->name, strlen(s->name));
	rdls_buf_puts(b, add ? " to local group " : " from local group ");
	rdls_buf_quote(b, s->key, strlen(s->key));
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	const char *acct = rdls_name_after(s->name, rdls_vet_journal(v)->host);
	if (!acct)
		return rdls_vet_refuse(v, "the member is not '%s\\' and an account: apply adds "
				      "only this host's account",
			      rdls_vet_journal(v)->host);
	return rdls_vet_group(v, s->key) && rdls_vet_account(v, acct);
}

const struct resource_ops res_member_ops = {
	.kind = "member",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.keyed = true,
	.journal_check = journal_check,
};
