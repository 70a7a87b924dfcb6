/*
 * The credential operations of the system interface. Each one is a request
 * (helper_client.c) to this run's NETWORK SERVICE helper (helper_service.c),
 * which makes the actual CredReadW / CredWriteW / CredDeleteW calls in NETWORK
 * SERVICE's logon session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <wincred.h>

#include "win32/helper_proto.h"

/* CREDENTIALW's documented limit for the blob. Newer SDK headers (and Wine's)
 * define CRED_MAX_CREDENTIAL_BLOB_SIZE as 5 * 512, mingw-w64's as 512; a domain
 * password is held to the documented 512 bytes (256 UTF-16 code units). */
#define DOMAIN_PASSWORD_BLOB_MAX 512u

static void cred_object(char *obj, size_t n, const char *target)
{
	snprintf(obj, n, "credential '%s'", target ? target : "");
}

static int oom(rdls_err *err, const char *obj)
{
	return rdls_err_set(err, "", obj, ERROR_NOT_ENOUGH_MEMORY, "out of memory");
}

/* The target as UTF-16, checked against CREDENTIALW's limit for domain credentials. */
static wchar_t *wide_target(const char *target, size_t *n, const char *obj, rdls_err *err)
{
	wchar_t *w = target ? w32_wide_n(target, strlen(target), n) : NULL;
	if (!w) {
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER, "the target name is not valid UTF-8");
		return NULL;
	}
	if (*n == 0 || *n > CRED_MAX_DOMAIN_TARGET_NAME_LENGTH) {
		free(w);
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER,
			     "the target name must have 1 to %u characters",
			     (unsigned)CRED_MAX_DOMAIN_TARGET_NAME_LENGTH);
		return NULL;
	}
	return w;
}

/* Reads the common head of a response: the helper's code and the API that set it. */
static int response_head(struct hp_buf *resp, const char *obj, rdls_err *err)
{
	uint32_t code = 0;
	wchar_t *api = NULL;
	if (!hp_get_u32(resp, &code) || !hp_get_wstr(resp, &api, NULL)) {
		free(api);
		return rdls_err_set(err, "", obj, ERROR_INVALID_DATA,
				    "the credential helper sent a malformed response");
	}
	if (code != ERROR_SUCCESS) {
		char *u = w32_utf8(api);
		if (code == HP_NO_CRED_STORAGE && u && strcmp(u, "CredGetSessionTypes") == 0)
			w32_fail_text(err, u, obj, code, HP_NO_CRED_STORAGE_TEXT);
		else
			w32_fail(err, u && *u ? u : "credential helper", obj, code);
		free(u);
		free(api);
		return -1;
	}
	free(api);
	return 0;
}

int w32_cred_get(void *vctx, const char *target, rdls_cred *out, rdls_err *err)
{
	struct w32_ctx *ctx = vctx;
	char obj[RDLS_ERR_OBJ_MAX];
	struct hp_buf req = { 0 }, resp = { 0 };
	wchar_t *wtarget = NULL, *user = NULL;
	char *user8 = NULL;
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	cred_object(obj, sizeof(obj), target);
	wtarget = wide_target(target, &n, obj, err);
	if (!wtarget)
		goto out;
	hp_put_u32(&req, HP_GET);
	hp_put_wstr(&req, wtarget, n);
	if (w32_helper_call(ctx, &req, &resp, err) != 0 || response_head(&resp, obj, err) != 0)
		goto out;

	uint32_t present = 0, type = 0, persist = 0;
	const unsigned char *check = NULL;
	size_t check_len = 0;
	if (!hp_get_u32(&resp, &present) || !hp_get_u32(&resp, &type) ||
	    !hp_get_u32(&resp, &persist) || !hp_get_wstr(&resp, &user, NULL) ||
	    !hp_get_bytes(&resp, &check, &check_len)) {
		rdls_err_set(err, "", obj, ERROR_INVALID_DATA,
			     "the credential helper sent a malformed response");
		goto out;
	}
	out->present = present != 0;
	out->type = type;
	out->persist = persist;
	user8 = w32_utf8(user);
	if (!user8) {
		oom(err, obj);
		goto out;
	}
	if (strlen(user8) >= sizeof(out->user)) {
		rdls_err_set(err, "", obj, ERROR_INSUFFICIENT_BUFFER,
			     "the stored user name is longer than %u bytes",
			     (unsigned)sizeof(out->user) - 1);
		goto out;
	}
	memcpy(out->user, user8, strlen(user8) + 1);
	/* An attribute that is not a check string rdlsctl could have written (too long,
	 * embedded NUL) counts as none: the planner then sees an unknown secret. */
	if (check_len < sizeof(out->check) && !memchr(check, '\0', check_len)) {
		memcpy(out->check, check, check_len);
		out->check[check_len] = '\0';
	}
	rc = 0;
out:
	hp_buf_release(&req);
	hp_buf_release(&resp);
	free(wtarget);
	free(user);
	free(user8);
	return rc;
}

int w32_cred_put(void *vctx, const char *target, const char *user, const rdls_secret *pw,
		 const char *check, rdls_err *err)
{
	struct w32_ctx *ctx = vctx;
	char obj[RDLS_ERR_OBJ_MAX];
	struct hp_buf req = { 0 }, resp = { 0 };
	wchar_t *wtarget = NULL, *wuser = NULL, *wpw = NULL;
	size_t tn = 0, un = 0, pn = 0;
	int rc = -1;

	cred_object(obj, sizeof(obj), target);
	if (!check)
		check = "";
	wtarget = wide_target(target, &tn, obj, err);
	if (!wtarget)
		goto out;
	wuser = user ? w32_wide_n(user, strlen(user), &un) : NULL;
	if (!wuser || un == 0 || un > CRED_MAX_USERNAME_LENGTH) {
		rdls_err_set(err, "", obj, ERROR_BAD_USERNAME,
			     "the user name must be valid UTF-8 of 1 to %u characters",
			     (unsigned)CRED_MAX_USERNAME_LENGTH);
		goto out;
	}
	/* CRED_TYPE_DOMAIN_PASSWORD: the blob is the UTF-16 password, no terminator. */
	wpw = w32_wide_n(rdls_secret_str(pw), rdls_secret_len(pw), &pn);
	if (!wpw) {
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER, "the password is not valid UTF-8");
		goto out;
	}
	if (pn * sizeof(wchar_t) > DOMAIN_PASSWORD_BLOB_MAX) {
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER,
			     "the password has %u UTF-16 code units; a stored credential holds at "
			     "most %u",
			     (unsigned)pn, (unsigned)(DOMAIN_PASSWORD_BLOB_MAX / sizeof(wchar_t)));
		goto out;
	}
	/* Stored as its ASCII bytes, not UTF-16 as the attribute convention suggests:
	 * a default check string is about 125 characters, and CRED_MAX_VALUE_SIZE is
	 * 256 bytes. */
	size_t cn = strlen(check);
	if (cn > CRED_MAX_VALUE_SIZE || cn >= RDLS_CRED_CHECK_MAX) {
		rdls_err_set(err, "", obj, ERROR_INVALID_PARAMETER,
			     "the check string has %u bytes; a credential attribute holds at most %u",
			     (unsigned)cn, (unsigned)RDLS_CRED_CHECK_MAX - 1);
		goto out;
	}

	hp_put_u32(&req, HP_PUT);
	hp_put_wstr(&req, wtarget, tn);
	hp_put_wstr(&req, wuser, un);
	hp_put_wstr(&req, wpw, pn);
	hp_put_bytes(&req, check, cn);
	if (w32_helper_call(ctx, &req, &resp, err) != 0 || response_head(&resp, obj, err) != 0)
		goto out;
	rc = 0;
out:
	hp_buf_release(&req); /* wipes the password's copy */
	hp_buf_release(&resp);
	if (wpw) {
		SecureZeroMemory(wpw, (pn + 1) * sizeof(wchar_t));
		free(wpw);
	}
	free(wtarget);
	free(wuser);
	return rc;
}

int w32_cred_del(void *vctx, const char *target, rdls_err *err)
{
	struct w32_ctx *ctx = vctx;
	char obj[RDLS_ERR_OBJ_MAX];
	struct hp_buf req = { 0 }, resp = { 0 };
	size_t n = 0;
	int rc = -1;

	cred_object(obj, sizeof(obj), target);
	wchar_t *wtarget = wide_target(target, &n, obj, err);
	if (!wtarget)
		goto out;
	hp_put_u32(&req, HP_DEL);
	hp_put_wstr(&req, wtarget, n);
	if (w32_helper_call(ctx, &req, &resp, err) != 0 || response_head(&resp, obj, err) != 0)
		goto out;
	rc = 0;
out:
	hp_buf_release(&req);
	hp_buf_release(&resp);
	free(wtarget);
	return rc;
}
