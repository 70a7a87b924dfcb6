/*
 * A registry value under HKLM: set to the wanted type and bytes, or removed (the
 * documents' misnamed values with a leading space). Undo restores the exact prior
 * type and bytes, or deletes a value that did not exist. Nothing outside the table
 * of what rdlsctl writes (writable.h) is ever changed.
 */
#include <string.h>

#include "rdls/regval.h"
#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	rdls_regval v = { 0 };
	if (c->sys->ops->reg_get(c->sys->ctx, s->key, s->name, &v, err) != 0) {
		rdls_regval_release(&v);
		return -1;
	}
	int rc = rdls_state_from_regval(out, &v);
	rdls_regval_release(&v);
	if (rc != 0)
		return rdls_err_set(err, NULL, s->name, 0, "out of memory");
	return 0;
}

static int fold(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

/* Names in REG_SZ / REG_MULTI_SZ data compare as Windows compares names. */
static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	const struct rdls_state *want = &s->want;
	if (have->present != want->present)
		return false;
	if (!want->present)
		return true;
	if (have->type != want->type || have->len != want->len)
		return false;
	if (!(s->flags & RDLS_STEP_FOLD) ||
	    (want->type != RDLS_REG_SZ && want->type != RDLS_REG_MULTI_SZ))
		return want->len == 0 || memcmp(have->data, want->data, want->len) == 0;
	for (size_t i = 0; i < want->len; i++)
		if (fold(have->data[i]) != fold(want->data[i]))
			return false;
	return true;
}

/* Only the values of the table of what rdlsctl writes (writable.h), whoever asks. */
static int put(const struct rdls_step *s, const struct rdls_rctx *c, const struct rdls_state *to,
	       rdls_err *err)
{
	if (!rdls_writable_find(s->key, s->name))
		return rdls_err_set(err, NULL, NULL, 0,
				    "HKLM\\%s value '%s' is not one rdlsctl writes; left alone", s->key,
				    s->name);
	if (!to->present)
		return c->sys->ops->reg_del(c->sys->ctx, s->key, s->name, err);
	rdls_regval v;
	rdls_state_as_regval(to, &v);
	return c->sys->ops->reg_set(c->sys->ctx, s->key, s->name, &v, err);
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return put(s, c, &s->want, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return put(s, c, &s->prior, err);
}

static void describe_value(const struct rdls_state *st, struct rdls_buf *b)
{
	rdls_regval v;
	rdls_state_as_regval(st, &v);
	rdls_regval_describe(&v, b);
}

static void path(const struct rdls_step *s, struct rdls_buf *b)
{
	rdls_buf_printf(b, "HKLM\\%s\\", s->key);
	if (!s->name[0]) {
		rdls_buf_puts(b, "(Default)");
		return;
	}
	rdls_buf_puts(b, s->name);
	if (s->name[0] == ' ')
		rdls_buf_puts(b, " (leading space)");
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "registry ");
		break;
	case RDLS_DESC_STATE:
		describe_value(st, b);
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, s->want.present ? "set registry value " : "delete registry value ");
		break;
	case RDLS_DESC_UNDO:
		rdls_buf_puts(b, s->prior.present ? "restore registry value "
						  : "delete registry value ");
		break;
	}
	path(s, b);
}

/* Rollback: apply could have written this record (it may also remove). */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	const struct rdls_writable_value *w = rdls_writable_find(s->key, s->name);
	if (!w)
		return rdls_vet_refuse(v, "not a registry value rdlsctl writes");
	if (w->remove && s->want.present)
		return rdls_vet_refuse(v, "rdlsctl only ever removes this value, but the record says "
				      "apply set it");
	if (!w->remove && (!s->want.present || s->want.type != w->type))
		return rdls_vet_refuse(v, "rdlsctl sets this value as type %u, but the record says "
				      "apply left %s%u",
			      (unsigned)w->type, s->want.present ? "type " : "it absent, not ",
			      (unsigned)(s->want.present ? s->want.type : w->type));
	return true;
}

const struct resource_ops res_regval_ops = {
	.kind = "regval",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.keyed = true,
	.typed = true,
	.removes = true,
	.journal_check = journal_check,
};
