/* A local group: the group whose members the licensing service accepts as peers. */
#include <string.h>

#include "rdls/writable.h"
#include "resource.h"

#define GROUP_COMMENT "Remote Desktop license servers that may talk to this one (rdlsctl)"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	return c->sys->ops->group_get(c->sys->ctx, s->name, &out->present, err);
}

static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return have->present == s->want.present;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (!s->want.present)
		return c->sys->ops->group_del(c->sys->ctx, s->name, err);
	return c->sys->ops->group_add(c->sys->ctx, s->name, GROUP_COMMENT, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	if (s->prior.present)
		return c->sys->ops->group_add(c->sys->ctx, s->name, GROUP_COMMENT, err);
	return c->sys->ops->group_del(c->sys->ctx, s->name, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "group ");
		break;
	case RDLS_DESC_STATE:
		rdls_describe_presence(st, b);
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, s->want.present ? "create local group " : "delete local group ");
		break;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, s->prior.present ? "recreate local group " : "delete local group ");
		break;
	}
	rdls_buf_quote(b, s->name, strlen(s->name));
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	return rdls_vet_group(v, s->name);
}

const struct resource_ops res_group_ops = {
	.kind = "group",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.journal_check = journal_check,
};
