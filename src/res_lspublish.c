/*
 * Publication of this license server in AD DS (Win32_TSLicenseServer PublishLS /
 * UnpublishLS). present = published. A missing class means the RD Licensing role
 * is not installed: observe fails with exactly that, so plan and apply stop before
 * anything changes.
 */
#include <string.h>

#include "rdls/journal.h"
#include "rdls/writable.h"
#include "resource.h"

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	enum rdls_ls_pub st = RDLS_LS_ROLE_ABSENT;
	if (c->sys->ops->ls_pub_get(c->sys->ctx, &st, err) != 0)
		return -1;
	if (st == RDLS_LS_ROLE_ABSENT)
		return rdls_err_set(err, NULL, NULL, 0,
				    "the RD Licensing role is not installed on %s "
				    "(Win32_TSLicenseServer is missing)",
				    s->name);
	out->present = st == RDLS_LS_PUBLISHED;
	return 0;
}

static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return have->present == s->want.present;
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return c->sys->ops->ls_pub_set(c->sys->ctx, s->want.present, err);
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return c->sys->ops->ls_pub_set(c->sys->ctx, s->prior.present, err);
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	bool publish;
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "publication of license server ");
		rdls_buf_quote(b, s->name, strlen(s->name));
		rdls_buf_puts(b, " in AD DS");
		return;
	case RDLS_DESC_STATE:
		rdls_buf_puts(b, st->present ? "published" : "not published");
		return;
	case RDLS_DESC_CHANGE:
		publish = s->want.present;
		break;
	case RDLS_DESC_UNDO:
	default:
		publish = s->prior.present;
		break;
	}
	rdls_buf_puts(b, publish ? "publish license server " : "unpublish license server ");
	rdls_buf_quote(b, s->name, strlen(s->name));
	/* Microsoft's PublishLS page: only an Enterprise Admin of the forest may. */
	rdls_buf_puts(b, publish ? " in AD DS (PublishLS; needs an Enterprise Admin of the forest)"
				 : " from AD DS (UnpublishLS; needs an Enterprise Admin of the forest)");
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	if (!rdls_name_eq(s->name, rdls_vet_journal(v)->host))
		return rdls_vet_refuse(v, "apply publishes only the host the journal is for (%s)",
			      rdls_vet_journal(v)->host);
	return true;
}

const struct resource_ops res_lspublish_ops = {
	.kind = "lspublish",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.journal_check = journal_check,
};
