/*
 * w32probe: calls the Win32 backend's operations directly and prints what they
 * return, so that each one can be checked under Wine from a shell, one process
 * per step (the registry, the lock and WMI are observed across processes).
 *
 *   w32probe reg-get KEY NAME
 *   w32probe reg-set KEY NAME sz|expand|multi|dword|binary VALUE...
 *   w32probe reg-del KEY NAME
 *   w32probe reg-deny KEY            test fixture: DACL "read only" (RegSetKeySecurity)
 *   w32probe reg-raw KEY NAME TYPE HEX  test fixture: exact bytes with RegSetValueExW
 *   w32probe net USER GROUP MEMBER   user_get, group_get, member_get, account_lookup
 *   w32probe useradd USER | userdel USER | groupadd GROUP | groupdel GROUP
 *   w32probe memberadd GROUP MEMBER | memberdel GROUP MEMBER
 *                                    (useradd's password: $RDLS_PEER_PASSWORD via env_secret)
 *   w32probe lookup NAME
 *   w32probe wmi                     ls_pub_get, ls_on_dc, ls_pub_set(true)
 *   w32probe host                    host_name, os_info, is_elevated, random, journal_dir
 *   w32probe env NAME                env_secret (prints only the length)
 *   w32probe lock SECONDS            acquire, hold SECONDS, release
 *   w32probe args ...                rdls_platform_args
 *   w32probe file PATH               file_open "w", write, file_sync, reopen "r"
 *   w32probe pbkdf2                  pbkdf2_sha256 (CNG) against tests/unit/pbkdf2_vectors.h,
 *                                    the check strings of older versions through
 *                                    cred_check.c, and iterations 0 (must fail)
 *   w32probe sha256                  sha256 (CNG) against tests/unit/sha256_vectors.h
 *
 * Build under Wine (-fshort-wchar: 16-bit L""; lean windows.h: see w32.h):
 *   winegcc -std=c11 -fshort-wchar -DUNICODE -D_UNICODE -DWIN32_LEAN_AND_MEAN -Iinclude -Isrc \
 *     -mconsole -o w32probe.exe tests/wine/w32probe.c src/win32/\*.c src/err.c src/regval.c \
 *     src/secret.c src/cred_check.c -lnetapi32 -ladvapi32 -lole32 -loleaut32 -luuid \
 *     -lwbemuuid -lbcrypt -lshell32 -luser32 -lws2_32
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cred_check.h"
#include "rdls/platform.h"
#include "win32/w32.h"

#include "../unit/pbkdf2_vectors.h"
#include "../unit/sha256_vectors.h"

#include <sddl.h>


static int fail(const rdls_err *e)
{
	char buf[1200];
	rdls_err_format(e, buf, sizeof(buf));
	printf("error: %s\n", buf);
	return 1;
}

static void print_regval(const rdls_regval *v)
{
	if (!v->present) {
		printf("absent\n");
		return;
	}
	printf("type=%u len=%lu", (unsigned)v->type, (unsigned long)v->len);
	if (v->type == RDLS_REG_SZ || v->type == RDLS_REG_EXPAND_SZ) {
		printf(" sz=\"%s\"", (const char *)v->data);
	} else if (v->type == RDLS_REG_MULTI_SZ) {
		printf(" multi=[");
		for (const char *p = (const char *)v->data; *p; p += strlen(p) + 1)
			printf("\"%s\" ", p);
		printf("]");
	}
	printf(" hex=");
	for (size_t i = 0; i < v->len; i++)
		printf("%02x", v->data[i]);
	printf("\n");
}

static int cmd_reg(struct rdls_sys *s, int argc, char **argv)
{
	rdls_err e;
	rdls_regval v;
	memset(&v, 0, sizeof(v));
	rdls_err_clear(&e);
	if (!strcmp(argv[1], "reg-get") && argc == 4) {
		if (s->ops->reg_get(s->ctx, argv[2], argv[3], &v, &e))
			return fail(&e);
		print_regval(&v);
		rdls_regval_release(&v);
		return 0;
	}
	if (!strcmp(argv[1], "reg-del") && argc == 4) {
		if (s->ops->reg_del(s->ctx, argv[2], argv[3], &e))
			return fail(&e);
		printf("deleted\n");
		return 0;
	}
	if (!strcmp(argv[1], "reg-set") && argc >= 5) {
		const char *t = argv[4];
		int r = 0;
		if (argc == 5 && strcmp(t, "multi"))
			return 2;
		if (!strcmp(t, "sz"))
			r = rdls_regval_set_sz(&v, RDLS_REG_SZ, argv[5]);
		else if (!strcmp(t, "expand"))
			r = rdls_regval_set_sz(&v, RDLS_REG_EXPAND_SZ, argv[5]);
		else if (!strcmp(t, "multi"))
			r = rdls_regval_set_multi(&v, (const char *const *)argv + 5, (size_t)(argc - 5));
		else if (!strcmp(t, "dword"))
			r = rdls_regval_set_dword(&v, (uint32_t)strtoul(argv[5], NULL, 0));
		else if (!strcmp(t, "binary")) {
			r = rdls_regval_set_sz(&v, RDLS_REG_BINARY, argv[5]);
			v.len--; /* without the NUL */
		} else
			return 2;
		if (r)
			return 1;
		if (s->ops->reg_set(s->ctx, argv[2], argv[3], &v, &e)) {
			rdls_regval_release(&v);
			return fail(&e);
		}
		rdls_regval_release(&v);
		printf("set\n");
		return 0;
	}
	return 2;
}

/* The fault the integration test needs: a key whose DACL grants only read. */
static int cmd_reg_deny(const char *key)
{
	wchar_t *wkey = w32_wide(key);
	PSECURITY_DESCRIPTOR sd = NULL;
	HKEY hk = NULL;
	int rc = 1;
	LSTATUS st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, WRITE_DAC | KEY_WOW64_64KEY, &hk);
	if (st != ERROR_SUCCESS) {
		printf("RegOpenKeyExW(WRITE_DAC) failed: %ld\n", (long)st);
		goto out;
	}
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;KR;;;WD)(A;;KR;;;BA)",
								  SDDL_REVISION_1, &sd, NULL)) {
		printf("ConvertStringSecurityDescriptorToSecurityDescriptorW failed: %lu\n",
		       (unsigned long)GetLastError());
		goto out;
	}
	st = RegSetKeySecurity(hk, DACL_SECURITY_INFORMATION, sd);
	if (st != ERROR_SUCCESS) {
		printf("RegSetKeySecurity failed: %ld\n", (long)st);
		goto out;
	}
	printf("denied\n");
	rc = 0;
out:
	if (sd)
		LocalFree(sd);
	if (hk)
		RegCloseKey(hk);
	free(wkey);
	return rc;
}

/* Malformed data the backend must tolerate (no terminator, odd length...). */
static int cmd_reg_raw(const char *key, const char *name, const char *type, const char *hex)
{
	wchar_t *wkey = w32_wide(key), *wname = w32_wide(name);
	unsigned char data[256];
	size_t n = 0;
	HKEY hk = NULL;
	int rc = 1;
	for (const char *p = hex; p[0] && p[1] && n < sizeof(data); p += 2) {
		unsigned b = 0;
		if (sscanf(p, "%2x", &b) != 1)
			goto out;
		data[n++] = (unsigned char)b;
	}
	LSTATUS st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, NULL, 0,
				     KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &hk, NULL);
	if (st == ERROR_SUCCESS)
		st = RegSetValueExW(hk, wname, 0, (DWORD)strtoul(type, NULL, 0), data, (DWORD)n);
	if (st != ERROR_SUCCESS) {
		printf("RegSetValueExW failed: %ld\n", (long)st);
		goto out;
	}
	printf("raw set\n");
	rc = 0;
out:
	if (hk)
		RegCloseKey(hk);
	free(wkey);
	free(wname);
	return rc;
}

static const char *sid_use_name(enum rdls_sid_use u)
{
	switch (u) {
	case RDLS_SID_NONE: return "none";
	case RDLS_SID_USER: return "user";
	case RDLS_SID_GROUP: return "group";
	case RDLS_SID_DOMAIN: return "domain";
	case RDLS_SID_ALIAS: return "alias";
	case RDLS_SID_WELL_KNOWN_GROUP: return "well-known group";
	default: return "other";
	}
}

static int cmd_net(struct rdls_sys *s, const char *user, const char *group, const char *member)
{
	rdls_err e;
	bool b = false;
	enum rdls_sid_use u;
	rdls_err_clear(&e);
	if (s->ops->user_get(s->ctx, user, &b, &e))
		return fail(&e);
	printf("user_get '%s': exists=%d\n", user, b);
	if (s->ops->group_get(s->ctx, group, &b, &e))
		return fail(&e);
	printf("group_get '%s': exists=%d\n", group, b);
	if (s->ops->member_get(s->ctx, group, member, &b, &e))
		return fail(&e);
	printf("member_get '%s' in '%s': member=%d\n", member, group, b);
	if (s->ops->account_lookup(s->ctx, group, &u, &e))
		return fail(&e);
	printf("account_lookup '%s': %s\n", group, sid_use_name(u));
	return 0;
}

static int cmd_change(struct rdls_sys *s, int argc, char **argv)
{
	rdls_err e;
	int r = -1;
	rdls_err_clear(&e);
	if (!strcmp(argv[1], "useradd") && argc == 3) {
		rdls_secret *pw = NULL;
		bool found = false;
		if (s->ops->env_secret(s->ctx, "RDLS_PEER_PASSWORD", &pw, &found, &e))
			return fail(&e);
		if (!found) {
			printf("RDLS_PEER_PASSWORD is not set\n");
			return 2;
		}
		r = s->ops->user_add(s->ctx, argv[2], pw, &e);
		rdls_secret_free(pw);
	} else if (!strcmp(argv[1], "userdel") && argc == 3) {
		r = s->ops->user_del(s->ctx, argv[2], &e);
	} else if (!strcmp(argv[1], "groupadd") && argc == 3) {
		r = s->ops->group_add(s->ctx, argv[2], "probe", &e);
	} else if (!strcmp(argv[1], "groupdel") && argc == 3) {
		r = s->ops->group_del(s->ctx, argv[2], &e);
	} else if (!strcmp(argv[1], "memberadd") && argc == 4) {
		r = s->ops->member_add(s->ctx, argv[2], argv[3], &e);
	} else if (!strcmp(argv[1], "memberdel") && argc == 4) {
		r = s->ops->member_del(s->ctx, argv[2], argv[3], &e);
	} else {
		return 2;
	}
	if (r)
		return fail(&e);
	printf("%s: ok\n", argv[1]);
	return 0;
}

static int cmd_lookup(struct rdls_sys *s, const char *name)
{
	rdls_err e;
	enum rdls_sid_use u;
	rdls_err_clear(&e);
	if (s->ops->account_lookup(s->ctx, name, &u, &e))
		return fail(&e);
	printf("account_lookup '%s': %s\n", name, sid_use_name(u));
	return 0;
}

static int cmd_wmi(struct rdls_sys *s)
{
	rdls_err e;
	enum rdls_ls_pub st;
	bool b;
	rdls_err_clear(&e);
	if (s->ops->ls_pub_get(s->ctx, &st, &e))
		return fail(&e);
	printf("ls_pub_get: %s\n", st == RDLS_LS_ROLE_ABSENT ? "role absent"
				   : st == RDLS_LS_PUBLISHED ? "published" : "unpublished");
	if (s->ops->ls_on_dc(s->ctx, &b, &e))
		fail(&e);
	else
		printf("ls_on_dc: %d\n", b);
	if (s->ops->ls_pub_set(s->ctx, true, &e))
		fail(&e);
	else
		printf("ls_pub_set: ok\n");
	return 0;
}

static int cmd_host(struct rdls_sys *s)
{
	rdls_err e;
	char buf[512];
	rdls_osinfo os;
	bool b;
	unsigned char rnd[16];
	rdls_err_clear(&e);
	if (s->ops->host_name(s->ctx, buf, sizeof(buf), &e))
		return fail(&e);
	printf("host_name: %s\n", buf);
	if (s->ops->os_info(s->ctx, &os, &e))
		return fail(&e);
	printf("os_info: %u.%u.%u server=%d dc=%d domain_joined=%d\n", (unsigned)os.major,
	       (unsigned)os.minor, (unsigned)os.build, os.server, os.domain_controller,
	       os.domain_joined);
	if (s->ops->is_elevated(s->ctx, &b, &e))
		return fail(&e);
	printf("is_elevated: %d\n", b);
	if (s->ops->random(s->ctx, rnd, sizeof(rnd), &e))
		return fail(&e);
	printf("random: ");
	for (size_t i = 0; i < sizeof(rnd); i++)
		printf("%02x", rnd[i]);
	printf("\n");
	if (s->ops->journal_dir(s->ctx, buf, sizeof(buf), &e))
		return fail(&e);
	printf("journal_dir: %s\n", buf);
	if (s->ops->host_name(s->ctx, buf, 3, &e))
		fail(&e);
	return 0;
}

static int cmd_env(struct rdls_sys *s, const char *name)
{
	rdls_err e;
	rdls_secret *sec = NULL;
	bool found = false;
	rdls_err_clear(&e);
	if (s->ops->env_secret(s->ctx, name, &sec, &found, &e))
		return fail(&e);
	printf("env_secret '%s': found=%d len=%lu\n", name, found,
	       (unsigned long)rdls_secret_len(sec));
	rdls_secret_free(sec);
	return 0;
}

static int cmd_lock(struct rdls_sys *s, int seconds)
{
	rdls_err e;
	bool busy = false;
	rdls_err_clear(&e);
	if (s->ops->lock_acquire(s->ctx, &busy, &e))
		return fail(&e);
	printf("lock_acquire: busy=%d\n", busy);
	fflush(stdout);
	if (!busy && seconds > 0)
		Sleep((DWORD)seconds * 1000);
	s->ops->lock_release(s->ctx);
	return busy ? 3 : 0;
}

static int cmd_file(struct rdls_sys *s, const char *path)
{
	rdls_err e;
	char line[128] = "";
	rdls_err_clear(&e);
	FILE *f = s->ops->file_open(s->ctx, path, "w", &e);
	if (!f)
		return fail(&e);
	fprintf(f, "record 1\n");
	if (s->ops->file_sync(s->ctx, f, path, &e)) {
		fclose(f);
		return fail(&e);
	}
	fclose(f);
	f = s->ops->file_open(s->ctx, path, "r", &e);
	if (!f)
		return fail(&e);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	printf("file: wrote, synced, read back: %s", line);
	return 0;
}

/* Every known answer through the backend's operation, one line each, then a count. */
static int cmd_pbkdf2(struct rdls_sys *s)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = sizeof(pbkdf2_vectors) / sizeof(pbkdf2_vectors[0]), wrong = 0;
	rdls_err e;
	for (size_t i = 0; i < n; i++) {
		const struct pbkdf2_vector *v = &pbkdf2_vectors[i];
		unsigned char dk[64];
		char hex[129];
		rdls_err_clear(&e);
		if (v->dklen > sizeof(dk) ||
		    s->ops->pbkdf2_sha256(s->ctx, v->pw, v->pwlen, v->salt, v->saltlen, v->iterations,
					  dk, v->dklen, &e)) {
			printf("pbkdf2 %s: ", v->name);
			fail(&e);
			wrong++;
			continue;
		}
		for (size_t j = 0; j < v->dklen; j++) {
			hex[2 * j] = hx[dk[j] >> 4];
			hex[2 * j + 1] = hx[dk[j] & 15];
		}
		hex[2 * v->dklen] = '\0';
		if (strcmp(hex, v->dk_hex) == 0) {
			printf("pbkdf2 %s: ok\n", v->name);
		} else {
			printf("pbkdf2 %s: got %s, expected %s\n", v->name, hex, v->dk_hex);
			wrong++;
		}
	}
	printf("pbkdf2: %lu known answers, %lu wrong\n", (unsigned long)n, (unsigned long)wrong);

	size_t nl = sizeof(legacy_checks) / sizeof(legacy_checks[0]), bad = 0;
	for (size_t i = 0; i < nl; i++) {
		const struct legacy_check *l = &legacy_checks[i];
		rdls_secret *right = rdls_secret_new(l->secret, strlen(l->secret));
		rdls_secret *other = rdls_secret_new("not the secret", 14);
		bool m_right = false, m_other = true;
		rdls_err_clear(&e);
		int r1 = right && other ? rdls_cred_check_verify(s, right, l->check, &m_right, &e) : -1;
		if (r1 != 0)
			fail(&e);
		int r2 = right && other ? rdls_cred_check_verify(s, other, l->check, &m_other, &e) : -1;
		if (r2 != 0)
			fail(&e);
		printf("legacy check %lu: right secret %d, other secret %d\n", (unsigned long)i,
		       m_right, m_other);
		if (r1 || r2 || !m_right || m_other)
			bad++;
		rdls_secret_free(right);
		rdls_secret_free(other);
	}
	printf("legacy: %lu check strings, %lu wrong\n", (unsigned long)nl, (unsigned long)bad);

	unsigned char dk[32];
	rdls_err_clear(&e);
	if (s->ops->pbkdf2_sha256(s->ctx, "p", 1, "s", 1, 0, dk, sizeof(dk), &e) == 0) {
		printf("pbkdf2 with 0 iterations: succeeded\n");
		bad++;
	} else {
		printf("pbkdf2 with 0 iterations: ");
		fail(&e);
	}
	return wrong || bad ? 1 : 0;
}

/* SHA-256's known answers through the backend's operation, one line each, then a count. */
static int cmd_sha256(struct rdls_sys *s)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = sizeof(sha256_vectors) / sizeof(sha256_vectors[0]), wrong = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sha256_vector *v = &sha256_vectors[i];
		size_t len = v->len * v->repeat;
		char *msg = malloc(len ? len : 1);
		unsigned char md[32];
		char hex[65];
		rdls_err e;
		rdls_err_clear(&e);
		if (!msg) {
			printf("sha256 %s: out of memory\n", v->name);
			wrong++;
			continue;
		}
		for (size_t r = 0; r < v->repeat; r++)
			memcpy(msg + r * v->len, v->msg, v->len);
		int rc = s->ops->sha256(s->ctx, msg, len, md, &e);
		free(msg);
		if (rc != 0) {
			printf("sha256 %s: ", v->name);
			fail(&e);
			wrong++;
			continue;
		}
		for (size_t j = 0; j < 32; j++) {
			hex[2 * j] = hx[md[j] >> 4];
			hex[2 * j + 1] = hx[md[j] & 15];
		}
		hex[64] = '\0';
		if (strcmp(hex, v->hex) == 0) {
			printf("sha256 %s: ok\n", v->name);
		} else {
			printf("sha256 %s: got %s, expected %s\n", v->name, hex, v->hex);
			wrong++;
		}
	}
	printf("sha256: %lu known answers, %lu wrong\n", (unsigned long)n, (unsigned long)wrong);
	return wrong ? 1 : 0;
}

static int probe_main(int argc, char **argv);

/* Arguments through rdls_platform_args, as main.c gets them: the argv Wine (or a
 * CRT) passes to main() is in the ANSI code page and mangles non-ASCII text. */
int main(int argc, char **argv)
{
	int n = 0;
	char **v = NULL;
	if (rdls_platform_args(argc, argv, &n, &v))
		return 1;
	int rc = probe_main(n, v);
	rdls_platform_args_free(n, v);
	return rc;
}

static int probe_main(int argc, char **argv)
{
	struct rdls_sys s;
	rdls_err e;
	int rc = 2;

	rdls_err_clear(&e);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "reg-deny") && argc == 3)
		return cmd_reg_deny(argv[2]);
	if (!strcmp(argv[1], "reg-raw") && argc == 6)
		return cmd_reg_raw(argv[2], argv[3], argv[4], argv[5]);
	if (!strcmp(argv[1], "args")) {
		for (int i = 0; i < argc; i++)
			printf("arg[%d]=%s\n", i, argv[i]);
		return 0;
	}
	if (rdls_platform_sys_new(&s, &e))
		return fail(&e);
	if (!strncmp(argv[1], "reg-", 4))
		rc = cmd_reg(&s, argc, argv);
	else if (!strcmp(argv[1], "net") && argc == 5)
		rc = cmd_net(&s, argv[2], argv[3], argv[4]);
	else if (!strcmp(argv[1], "useradd") || !strcmp(argv[1], "userdel") ||
		 !strcmp(argv[1], "groupadd") || !strcmp(argv[1], "groupdel") ||
		 !strcmp(argv[1], "memberadd") || !strcmp(argv[1], "memberdel"))
		rc = cmd_change(&s, argc, argv);
	else if (!strcmp(argv[1], "lookup") && argc == 3)
		rc = cmd_lookup(&s, argv[2]);
	else if (!strcmp(argv[1], "wmi"))
		rc = cmd_wmi(&s);
	else if (!strcmp(argv[1], "host"))
		rc = cmd_host(&s);
	else if (!strcmp(argv[1], "env") && argc == 3)
		rc = cmd_env(&s, argv[2]);
	else if (!strcmp(argv[1], "lock") && argc == 3)
		rc = cmd_lock(&s, atoi(argv[2]));
	else if (!strcmp(argv[1], "file") && argc == 3)
		rc = cmd_file(&s, argv[2]);
	else if (!strcmp(argv[1], "pbkdf2") && argc == 2)
		rc = cmd_pbkdf2(&s);
	else if (!strcmp(argv[1], "sha256") && argc == 2)
		rc = cmd_sha256(&s);
	rdls_platform_sys_free(&s);
	return rc;
}
