/*
 * A file of the local Group Policy object (%SystemRoot%\System32\GroupPolicy):
 * Machine\Registry.pol, which holds the two session host policies as gpedit.msc
 * stores them, and gpt.ini, whose Version tells the Group Policy engine that the
 * computer part changed. The state is the whole file (policy files hold no secret),
 * so the journal has the prior content and undo gives it back byte for byte (or
 * deletes a file apply created); only gpt.ini's Version is never lowered: undo raises
 * it once more, so that clients read the restored policy again.
 */
#include <stdlib.h>
#include <string.h>

#include "rdls/gptini.h"
#include "rdls/preg.h"
#include "rdls/regval.h"
#include "rdls/regpaths.h"
#include "rdls/writable.h"
#include "resource.h"

#define PATH_MAX_GPO 1024

bool rdls_gpo_file_known(const char *name)
{
	return name && (rdls_name_eq(name, RDLS_GPO_REGPOL) || rdls_name_eq(name, RDLS_GPO_GPTINI));
}

static bool is_regpol(const struct rdls_step *s)
{
	return rdls_name_eq(s->name, RDLS_GPO_REGPOL);
}

static int full_path(const struct rdls_step *s, const struct rdls_rctx *c, char *buf,
		     size_t n, rdls_err *err)
{
	if (!rdls_gpo_file_known(s->name))
		return rdls_err_set(err, NULL, NULL, 0,
				    "'%s' is not a Group Policy file rdlsctl writes; left alone",
				    s->name);
	if (!c->sys->ops->gpo_dir)
		return rdls_err_set(err, NULL, s->name, 0,
				    "this system cannot locate the local Group Policy object");
	if (c->sys->ops->gpo_dir(c->sys->ctx, buf, n, err) != 0)
		return -1;
	size_t len = strlen(buf);
	if (len + 1 + strlen(s->name) + 1 > n)
		return rdls_err_set(err, NULL, buf, 0, "the Group Policy path is too long");
	snprintf(buf + len, n - len, "\\%s", s->name);
	return 0;
}

static int observe(const struct rdls_step *s, const struct rdls_rctx *c, struct rdls_state *out,
		   rdls_err *err)
{
	char path[PATH_MAX_GPO];
	if (full_path(s, c, path, sizeof(path), err) != 0)
		return -1;
	unsigned char *data = NULL;
	size_t len = 0;
	bool exists = false;
	if (c->sys->ops->file_read(c->sys->ctx, path, RDLS_PREG_MAX_FILE, &data, &len, &exists,
				   err) != 0)
		return -1;
	out->present = exists;
	if (!exists) {
		free(data);
		return 0;
	}
	if (!data && !(data = malloc(1)))
		return rdls_err_set(err, NULL, path, 0, "out of memory");
	out->data = data;
	out->len = len;
	return 0;
}

static bool compare(const struct rdls_step *s, const struct rdls_rctx *c,
		    const struct rdls_state *have)
{
	(void)c;
	return rdls_state_equal(have, &s->want);
}

static int write_state(const struct rdls_step *s, const struct rdls_rctx *c, bool present,
		       const unsigned char *data, size_t len, rdls_err *err)
{
	char path[PATH_MAX_GPO];
	if (full_path(s, c, path, sizeof(path), err) != 0)
		return -1;
	if (!present)
		return c->sys->ops->file_delete(c->sys->ctx, path, err);
	return c->sys->ops->file_write(c->sys->ctx, path, data, len, err);
}

static int change(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	return write_state(s, c, s->want.present, s->want.data, s->want.len, err);
}

/* The Version undo writes: one more than apply's, so that it only ever grows. */
static int undo_version(const struct rdls_step *s, uint32_t *v, rdls_err *err)
{
	bool found = false;
	if (rdls_gptini_version(s->want.data, s->want.len, s->name, v, &found, err) != 0)
		return -1;
	*v = rdls_gptini_bump(*v);
	return 0;
}

static int undo(const struct rdls_step *s, const struct rdls_rctx *c, rdls_err *err)
{
	/* A file apply created goes again: with no local policy file left, the engine
	 * reads the local GPO as gone, whatever Version it had. */
	if (is_regpol(s) || !s->prior.present)
		return write_state(s, c, s->prior.present, s->prior.data, s->prior.len, err);
	uint32_t v = 0;
	unsigned char *d = NULL;
	size_t n = 0;
	if (undo_version(s, &v, err) != 0 ||
	    rdls_gptini_restore(s->prior.data, s->prior.len, s->prior.present, v, s->name, &d, &n,
				err) != 0)
		return -1;
	int rc = write_state(s, c, true, d, n, err);
	free(d);
	return rc;
}

/* ------------------------------------------------------ apply's contents */

static int state_take(struct rdls_state *want, unsigned char *d, size_t n)
{
	memset(want, 0, sizeof(*want));
	want->present = true;
	want->data = d;
	want->len = n;
	return 0;
}

int rdls_gpo_regpol_want(const struct rdls_state *prior, const char *servers, uint32_t mode,
			 struct rdls_state *want, rdls_err *err)
{
	const struct rdls_preg_value vals[2] = {
		{ RDLS_GPO_POLICY_KEY, "LicenseServers", RDLS_REG_SZ, servers, 0 },
		{ RDLS_GPO_POLICY_KEY, "LicensingMode", RDLS_REG_DWORD, NULL, mode },
	};
	unsigned char *d = NULL;
	size_t n = 0;
	if (rdls_preg_set(prior->present ? prior->data : NULL, prior->present ? prior->len : 0,
			  "%SystemRoot%\\System32\\GroupPolicy\\" RDLS_GPO_REGPOL, vals, 2, &d, &n,
			  err) != 0)
		return -1;
	return state_take(want, d, n);
}

int rdls_gpo_gptini_want(const struct rdls_state *prior, struct rdls_state *want,
			 rdls_err *err)
{
	unsigned char *d = NULL;
	size_t n = 0;
	if (rdls_gptini_update(prior->data, prior->len, prior->present,
			       "%SystemRoot%\\System32\\GroupPolicy\\" RDLS_GPO_GPTINI, &d, &n,
			       err) != 0)
		return -1;
	return state_take(want, d, n);
}

bool rdls_gpo_record_plausible(const struct rdls_step *s, char *why, size_t n)
{
	struct rdls_state again;
	rdls_err e;
	rdls_err_clear(&e);
	memset(&again, 0, sizeof(again));
	if (!s->want.present) {
		snprintf(why, n, "apply never deletes a Group Policy file");
		return false;
	}
	int rc;
	if (is_regpol(s)) {
		/* The values apply set, read back from its own file, must make it from prior. */
		struct rdls_preg p;
		size_t off = 0;
		const char *bad = NULL;
		if (rdls_preg_parse(s->want.data, s->want.len, &p, &off, &bad) != 0) {
			snprintf(why, n, "the file apply left is not a Registry Policy file (offset "
					 "%zu: %s)",
				 off, bad);
			return false;
		}
		const struct rdls_preg_entry *srv =
			rdls_preg_find(&p, RDLS_GPO_POLICY_KEY, "LicenseServers");
		const struct rdls_preg_entry *mode =
			rdls_preg_find(&p, RDLS_GPO_POLICY_KEY, "LicensingMode");
		char *servers = srv && srv->type == RDLS_REG_SZ ? rdls_preg_sz(srv) : NULL;
		uint32_t m = 0;
		if (mode && mode->type == RDLS_REG_DWORD && mode->size == 4)
			m = rdls_regval_le32(mode->data);
		rdls_preg_release(&p);
		if (!servers || (m != 2 && m != 4)) {
			free(servers);
			snprintf(why, n, "the file apply left lacks LicenseServers (REG_SZ) or "
					 "LicensingMode (REG_DWORD 2 or 4)");
			return false;
		}
		rc = rdls_gpo_regpol_want(&s->prior, servers, m, &again, &e);
		free(servers);
	} else {
		rc = rdls_gpo_gptini_want(&s->prior, &again, &e);
	}
	if (rc != 0) {
		snprintf(why, n, "its prior content is not what apply could have read: %s", e.text);
		return false;
	}
	bool same = rdls_state_equal(&again, &s->want);
	rdls_state_release(&again);
	if (!same)
		snprintf(why, n, "the content it says apply left is not what apply makes of the "
				 "prior content");
	return same;
}

/* ----------------------------------------------------------- describing */

static void describe_regpol(const struct rdls_state *st, struct rdls_buf *b)
{
	struct rdls_preg p;
	size_t off = 0;
	const char *bad = NULL;
	if (rdls_preg_parse(st->data, st->len, &p, &off, &bad) != 0) {
		rdls_buf_printf(b, "%zu bytes, damaged at byte offset %zu (%s)", st->len, off, bad);
		return;
	}
	rdls_buf_printf(b, "%zu polic%s", p.n, p.n == 1 ? "y entry" : "y entries");
	const struct rdls_preg_entry *e = rdls_preg_find(&p, RDLS_GPO_POLICY_KEY, "LicenseServers");
	char *sz = e && e->type == RDLS_REG_SZ ? rdls_preg_sz(e) : NULL;
	if (sz) {
		rdls_buf_puts(b, ", LicenseServers ");
		rdls_buf_quote(b, sz, strlen(sz));
	}
	free(sz);
	e = rdls_preg_find(&p, RDLS_GPO_POLICY_KEY, "LicensingMode");
	if (e && e->type == RDLS_REG_DWORD && e->size == 4)
		rdls_buf_printf(b, ", LicensingMode %lu", (unsigned long)rdls_regval_le32(e->data));
	rdls_preg_release(&p);
}

static void describe_gptini(const struct rdls_state *st, struct rdls_buf *b)
{
	rdls_err e;
	uint32_t v = 0;
	bool found = false, admx = false;
	if (rdls_gptini_version(st->data, st->len, RDLS_GPO_GPTINI, &v, &found, &e) != 0 ||
	    rdls_gptini_has_admx(st->data, st->len, RDLS_GPO_GPTINI, &admx, &e) != 0) {
		rdls_buf_printf(b, "%zu bytes, unreadable (%s)", st->len, e.text);
		return;
	}
	if (found)
		rdls_buf_printf(b, "Version %lu (computer %lu, user %lu)", (unsigned long)v,
				(unsigned long)(v & 0xFFFFu), (unsigned long)(v >> 16));
	else
		rdls_buf_puts(b, "no Version");
	rdls_buf_puts(b, admx ? ", Administrative Templates listed"
			      : ", Administrative Templates not listed");
}

static void describe(const struct rdls_step *s, enum rdls_desc what, const struct rdls_state *st,
		     struct rdls_buf *b)
{
	switch (what) {
	case RDLS_DESC_OBJECT:
		rdls_buf_puts(b, "local Group Policy file ");
		break;
	case RDLS_DESC_STATE:
		if (!st->present)
			rdls_buf_puts(b, "absent");
		else if (is_regpol(s))
			describe_regpol(st, b);
		else
			describe_gptini(st, b);
		return;
	case RDLS_DESC_CHANGE:
		rdls_buf_puts(b, s->prior.present ? "update local Group Policy file "
						  : "create local Group Policy file ");
		break;
	case RDLS_DESC_UNDO:
		if (!s->prior.present)
			rdls_buf_puts(b, "delete local Group Policy file ");
		else
			rdls_buf_puts(b, is_regpol(s) ? "restore local Group Policy file "
						      : "restore (with a higher Version) local "
							"Group Policy file ");
		break;
	}
	rdls_buf_printf(b, "%%SystemRoot%%\\System32\\GroupPolicy\\%s", s->name);
}

/* Rollback: apply could have written this record for the journal's header. */
static bool journal_check(struct rdls_vet *v, const struct rdls_step *s)
{
	if (s->key || !rdls_gpo_file_known(s->name))
		return rdls_vet_refuse(v, "not a Group Policy file rdlsctl writes (only %s and "
				      "%s of the local Group Policy object)",
			      RDLS_GPO_REGPOL, RDLS_GPO_GPTINI);
	char why[256];
	if (!rdls_gpo_record_plausible(s, why, sizeof(why)))
		return rdls_vet_refuse(v, "%s", why);
	return true;
}

const struct resource_ops res_gpofile_ops = {
	.kind = "gpofile",
	.observe = observe,
	.compare = compare,
	.change = change,
	.undo = undo,
	.describe = describe,
	.journal_check = journal_check,
};
