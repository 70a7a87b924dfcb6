/*
 * A registry key under HKLM that apply creates because a value it sets lives there.
 * RegSetValueExW's key would otherwise appear implicitly and outlive rollback; as a
 * step of its own it is journaled, and undo deletes it again, but only while it is
 * empty: a key that meanwhile holds values or subkeys is left alone and reported,
 * never deleted with someone else's data. The step's name is the key's path.
 */
#include "rdls/regpaths.h"
#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	bool exists = false;
	if (c->sys->ops->reg_key_get(c->sys->ctx, s->name, &exists, err) != 0)
		return -1;
	out->present = exists;
	return 0;
}

static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return have->present == s->want.present;
}

/* Only the keys of the table of what rdlsctl writes, and the levels leading to them. */
static int put(const struct rdls_step *s, const struct rdls_rctx *c, bool present, rdls_err *err)
{
	if (!rdls_writable_key(s->name))
		return rdls_err_set(err, NULL, NULL, 0,
				    "HKLM\\%s is not a key rdlsctl creates or deletes; left alone",
				    s->name);
	if (present)
		return c->sys->ops->reg_key_create(c->sys->ctx, s->name, err);
	bool not_empty = false;
	if (c->sys->ops->reg_key_del(c->sys->ctx, s->name, &not_empty, err) != 0)
		return -1;
	if (not_empty)
		return rdls_err_set(err, NULL, NULL, 0,
				    "the key is not empty (it holds values or subkeys), so it is "
				    "left as it is: delete what is in it first if it should go");
	return 0;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return put(s, c, s->want.present, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return put(s, c, s->prior.present, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "registry key ");
		break;
	case RDLS_DESC_STATE:
		rdls_describe_presence(st, b);
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, s->want.present ? "create registry key " : "delete registry key ");
		break;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, s->prior.present ? "create registry key " : "delete registry key ");
		break;
	}
	rdls_buf_printf(b, "HKLM\\%s", s->name);
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	if (!rdls_writable_key(s->name))
		return rdls_vet_refuse(v, "not a registry key rdlsctl creates (only HKLM\\%s, "
				      "HKLM\\%s and the keys leading to them)",
			      RDLS_KEY_LICENSING, RDLS_KEY_TS_POLICY);
	return true;
}

const struct resource_ops res_regkey_ops = {
	.kind = "regkey",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.container = true,
	.journal_check = journal_check,
};
