/* The peering password from env:NAME, file:PATH or prompt (see secret_src.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/secret_src.h"
#include "rdls/trust.h"

/* Longest first line kept: 256 UTF-16 units are at most 768 bytes of UTF-8. */
#define FILE_LINE_MAX 1024

/* UTF-16 units of s, or -1 if s is not valid UTF-8. */
static long utf16_units(const unsigned char *s, size_t len)
{
	long units = 0;
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xBF;
		if (c < 0x80)
			n = 0;
		else if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else
			return -1;
		if (n && i + n >= len)
			return -1; /* truncated sequence */
		for (size_t k = 1; k <= n; k++) {
			unsigned b = s[i + k];
			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
				return -1;
		}
		units += n == 3 ? 2 : 1;
		i += n + 1;
	}
	return units;
}

int rdls_secret_check(const rdls_secret *s, const char *source, rdls_err *err)
{
	const unsigned char *p = (const unsigned char *)rdls_secret_str(s);
	size_t len = rdls_secret_len(s);
	if (len == 0)
		return rdls_err_set(err, "", source, 0, "the password is empty");
	if (memchr(p, '\0', len))
		return rdls_err_set(err, "", source, 0, "the password contains a NUL byte");
	if (memchr(p, '\n', len) || memchr(p, '\r', len))
		return rdls_err_set(err, "", source, 0, "the password contains a line break");
	long units = utf16_units(p, len);
	if (units < 0)
		return rdls_err_set(err, "", source, 0, "the password is not valid UTF-8");
	if (units > RDLS_SECRET_MAX_UTF16)
		return rdls_err_set(err, "", source, 0,
				    "the password is too long: %ld UTF-16 characters, Windows "
				    "stores at most %d (512 bytes) in a domain-password credential",
				    units, RDLS_SECRET_MAX_UTF16);
	return 0;
}

/* Who else may read the file is the core's rule (rdls_trust_readers) on the backend's
 * facts (file_sec: the DACL on Windows, the mode bits natively). */
static void warn_if_shared(struct rdls_sys *sys, FILE *fp, const char *path, FILE *warn)
{
	rdls_file_sec s;
	char who[RDLS_SEC_NAME_MAX + 64];
	rdls_err e;
	rdls_err_clear(&e);
	if (!warn || !sys->ops->file_sec)
		return;
	if (sys->ops->file_sec(sys->ctx, fp, path, &s, &e) != 0) {
		rdls_errmsg em;
		rdls_warning_to(warn, "cannot tell who can read password file '%s': %s", path,
				rdls_errmsg_of(&e, &em));
	} else if (s.state == RDLS_SEC_UNAVAILABLE) {
		rdls_warning_to(warn,
				"cannot tell who can read password file '%s': its owner and "
				"permissions cannot be read",
				path);
	} else if (rdls_trust_readers(&s, who, sizeof(who))) {
		rdls_warning_to(warn,
				"password file '%s' can be read by other users (%s may read it); "
				"let only your account read it: on Windows icacls \"%s\" /inheritance:r "
				"/grant:r \"%%USERNAME%%:R\", elsewhere chmod 600",
				path, who, path);
	}
}

static int from_file(struct rdls_sys *sys, const char *path, FILE *warn, rdls_secret **out,
		     rdls_err *err)
{
	char src[RDLS_ERR_OBJ_MAX];
	snprintf(src, sizeof(src), "password file '%s'", path);
	FILE *fp = sys->ops->file_open(sys->ctx, path, "rb", err);
	if (!fp)
		return -1;
	warn_if_shared(sys, fp, path, warn);
	/* stdio's buffer would hold the secret after fclose: use one we can wipe. */
	char iobuf[4096];
	setvbuf(fp, iobuf, _IOFBF, sizeof(iobuf));

	unsigned char buf[FILE_LINE_MAX + 1];
	size_t len = 0;
	bool too_long = false;
	int c;
	while ((c = getc(fp)) != EOF && c != '\n') {
		if (len < FILE_LINE_MAX)
			buf[len++] = (unsigned char)c;
		else
			too_long = true;
	}
	bool read_error = ferror(fp) != 0;
	fclose(fp);
	rdls_secure_zero(iobuf, sizeof(iobuf));

	int rc = 0;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	size_t skip = len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0;
	if (read_error)
		rc = rdls_err_set(err, "", src, 0, "read error");
	else if (too_long)
		rc = rdls_err_set(err, "", src, 0,
				  "the first line is longer than %d bytes; a password has at most "
				  "%d UTF-16 characters",
				  FILE_LINE_MAX, RDLS_SECRET_MAX_UTF16);
	else if (len == skip)
		rc = rdls_err_set(err, "", src, 0,
				  "the first line is empty; it must hold the password");
	if (rc == 0) {
		*out = rdls_secret_new((const char *)buf + skip, len - skip);
		if (!*out)
			rc = rdls_err_set(err, "", src, 0, "out of memory");
	}
	rdls_secure_zero(buf, sizeof(buf));
	if (rc == 0 && rdls_secret_check(*out, src, err) != 0) {
		rdls_secret_free(*out);
		*out = NULL;
		rc = -1;
	}
	return rc;
}

int rdls_peer_secret_load(const struct rdls_model *m, struct rdls_sys *sys, FILE *warn,
			  rdls_secret **out, rdls_err *err)
{
	*out = NULL;
	if (!m || !m->has_peering)
		return rdls_err_set(err, "", "profile", 0,
				    "the profile has no [peering] section, so no password");
	const struct rdls_peering *p = &m->peering;
	char src[RDLS_ERR_OBJ_MAX];
	switch (p->src) {
	case RDLS_SECRET_ENV: {
		bool found = false;
		snprintf(src, sizeof(src), "environment variable '%s'", p->secret_ref);
		if (sys->ops->env_secret(sys->ctx, p->secret_ref, out, &found, err) != 0) {
			rdls_secret_free(*out);
			*out = NULL;
			return -1;
		}
		if (!found) {
			rdls_secret_free(*out);
			*out = NULL;
			return rdls_err_set(err, "", src, 0,
					    "not set (the profile says password = env:%s)",
					    p->secret_ref);
		}
		break;
	}
	case RDLS_SECRET_FILE:
		return from_file(sys, p->secret_ref, warn, out, err);
	case RDLS_SECRET_PROMPT: {
		char prompt[128];
		snprintf(prompt, sizeof(prompt), "Password of the peer account '%.40s': ",
			 p->account ? p->account : "?");
		snprintf(src, sizeof(src), "password prompt");
		if (sys->ops->prompt_secret(sys->ctx, prompt, out, err) != 0) {
			rdls_secret_free(*out);
			*out = NULL;
			return -1;
		}
		break;
	}
	default:
		return rdls_err_set(err, "", "profile", 0, "unknown password source");
	}
	if (!*out || rdls_secret_check(*out, src, err) != 0) {
		if (!*out)
			rdls_err_set(err, "", src, 0, "no password");
		rdls_secret_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
