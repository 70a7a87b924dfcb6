/*
 * The fake system (fake_sys.c): every operation's states and Win32 error codes,
 * failure injection, counting, and the snapshot other suites compare machines with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake_sys.h"

#define HOST "LICSVR1"
#define KEY "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing\\Parameters"
#define VAL "WorkgroupLicenseServerAccountsGroup"

struct t {
	struct fake_sys *f;
	struct rdls_sys sys;
	const struct rdls_sys_ops *op;
	void *ctx;
	rdls_err err;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->f = fake_sys_new(HOST);
	t->sys = fake_sys_iface(t->f);
	t->op = t->sys.ops;
	t->ctx = t->sys.ctx;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	fake_sys_free(t->f);
	free(t);
	return 0;
}

/* rc must be -1 with err naming api and code; the message shows what came instead. */
static void check_fail_(int rc, const rdls_err *e, const char *api, uint32_t code, const char *what,
			int line)
{
	char buf[1600];
	rdls_err_format(e, buf, sizeof(buf));
	if (rc != -1 || strcmp(e->api, api) != 0 || e->code != code)
		fail_msg("line %d: %s: want -1 from %s with %u (0x%08x), got rc %d: %s", line, what, api,
			 (unsigned)code, (unsigned)code, rc, rc ? buf : "(success)");
	if (!e->text[0] || !e->object[0])
		fail_msg("line %d: %s: error lacks text or object: %s", line, what, buf);
}
#define check_fail(rc, t, api, code) check_fail_((rc), &(t)->err, (api), (code), #rc, __LINE__)

static void check_ok_(int rc, const rdls_err *e, const char *what, int line)
{
	if (rc != 0) {
		char buf[1600];
		rdls_err_format(e, buf, sizeof(buf));
		fail_msg("line %d: %s failed: %s", line, what, buf);
	}
}
#define check_ok(rc, t) check_ok_((rc), &(t)->err, #rc, __LINE__)

static rdls_secret *sec(const char *s)
{
	rdls_secret *x = rdls_secret_new(s, strlen(s));
	assert_non_null(x);
	return x;
}

/* --- users --------------------------------------------------------------- */

static void test_fake_sys_users(void **state)
{
	struct t *t = *state;
	bool exists = true;
	rdls_secret *pw = sec("pw-1");

	check_ok(t->op->user_get(t->ctx, "rdls-peer", &exists, &t->err), t);
	assert_false(exists);

	check_ok(t->op->user_add(t->ctx, "rdls-peer", pw, &t->err), t);
	check_ok(t->op->user_get(t->ctx, "RDLS-PEER", &exists, &t->err), t);
	assert_true(exists);
	assert_true(fake_has_user(t->f, "Rdls-Peer"));
	assert_string_equal(fake_user_password(t->f, "rdls-peer"), "pw-1");

	check_fail(t->op->user_add(t->ctx, "RDLS-Peer", pw, &t->err), t, "NetUserAdd", 2224);
	assert_string_equal(t->err.object, "user 'RDLS-Peer'");
	assert_string_equal(fake_user_password(t->f, "rdls-peer"), "pw-1");

	check_ok(t->op->user_del(t->ctx, "rdls-PEER", &t->err), t);
	assert_false(fake_has_user(t->f, "rdls-peer"));
	assert_null(fake_user_password(t->f, "rdls-peer"));
	/* removing what is gone succeeds, as in the backend (sys.h) */
	check_ok(t->op->user_del(t->ctx, "rdls-peer", &t->err), t);
	rdls_secret_free(pw);
}

static void test_fake_sys_groups(void **state)
{
	struct t *t = *state;
	bool exists = true;

	check_ok(t->op->group_get(t->ctx, "RDLS Peers", &exists, &t->err), t);
	assert_false(exists);
	check_ok(t->op->group_add(t->ctx, "RDLS Peers", "peers", &t->err), t);
	check_ok(t->op->group_get(t->ctx, "rdls peers", &exists, &t->err), t);
	assert_true(exists);
	check_fail(t->op->group_add(t->ctx, "rdls PEERS", NULL, &t->err), t, "NetLocalGroupAdd", 1379);
	assert_string_equal(t->err.object, "group 'rdls PEERS'");

	check_ok(t->op->group_del(t->ctx, "RDLS PEERS", &t->err), t);
	assert_false(fake_has_group(t->f, "RDLS Peers"));
	check_ok(t->op->group_del(t->ctx, "RDLS Peers", &t->err), t); /* already gone: success */
}

/* Users and local groups share the account database's name space. */
static void test_fake_sys_user_group_name_clash(void **state)
{
	struct t *t = *state;
	rdls_secret *pw = sec("x");
	fake_add_group(t->f, "peers");
	fake_add_user(t->f, "alice", "a");
	check_fail(t->op->user_add(t->ctx, "PEERS", pw, &t->err), t, "NetUserAdd", 2223);
	check_fail(t->op->group_add(t->ctx, "Alice", NULL, &t->err), t, "NetLocalGroupAdd", 2224);
	assert_false(fake_has_user(t->f, "peers"));
	assert_false(fake_has_group(t->f, "alice"));
	rdls_secret_free(pw);
}

/* --- memberships ---------------------------------------------------------- */

static void test_fake_sys_members(void **state)
{
	struct t *t = *state;
	bool is = true;

	/* missing group: a state for get, 1376 for add, nothing to remove for del */
	check_ok(t->op->member_get(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &is, &t->err), t);
	assert_false(is);
	check_fail(t->op->member_add(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &t->err), t,
		   "NetLocalGroupAddMembers", 1376);
	check_ok(t->op->member_del(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &t->err), t);

	fake_add_group(t->f, "RDLS Peers");
	/* a local account that does not exist */
	check_fail(t->op->member_add(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &t->err), t,
		   "NetLocalGroupAddMembers", 1387);
	/* ... whose membership is therefore gone: removing it succeeds (Windows: 1387,
	 * which src/win32/netapi.c treats as success) and changes nothing */
	unsigned before = fake_writes(t->f);
	char *snap = fake_snapshot(t->f);
	check_ok(t->op->member_del(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &t->err), t);
	char *after = fake_snapshot(t->f);
	assert_string_equal(after, snap);
	assert_int_equal(fake_writes(t->f), before + 1);
	free(snap);
	free(after);

	fake_add_user(t->f, "rdls-peer", "pw");
	check_ok(t->op->member_add(t->ctx, "rdls peers", "licsvr1\\RDLS-PEER", &t->err), t);
	check_ok(t->op->member_get(t->ctx, "RDLS PEERS", HOST "\\rdls-peer", &is, &t->err), t);
	assert_true(is);
	/* "user" means this host's account */
	check_ok(t->op->member_get(t->ctx, "RDLS Peers", "rdls-peer", &is, &t->err), t);
	assert_true(is);
	assert_true(fake_is_member(t->f, "rdls peers", "rdls-peer"));
	/* another domain's account of the same name is someone else */
	check_ok(t->op->member_get(t->ctx, "RDLS Peers", "LICSVR2\\rdls-peer", &is, &t->err), t);
	assert_false(is);

	/* already a member (ERROR_MEMBER_IN_ALIAS in Windows) is success, as in the backend */
	check_ok(t->op->member_add(t->ctx, "RDLS Peers", "rdls-peer", &t->err), t);
	assert_true(fake_is_member(t->f, "rdls peers", "rdls-peer"));

	check_ok(t->op->member_del(t->ctx, "RDLS Peers", HOST "\\Rdls-Peer", &t->err), t);
	assert_false(fake_is_member(t->f, "RDLS Peers", HOST "\\rdls-peer"));
	check_ok(t->op->member_del(t->ctx, "RDLS Peers", HOST "\\rdls-peer", &t->err), t);

	/* accounts of other domains are not checked for existence */
	check_ok(t->op->member_add(t->ctx, "RDLS Peers", "CORP\\someone", &t->err), t);
	assert_true(fake_is_member(t->f, "RDLS Peers", "corp\\SOMEONE"));
}

/* Deleting the account or the group drops the membership, as Windows does. */
static void test_fake_sys_delete_drops_memberships(void **state)
{
	struct t *t = *state;
	fake_add_user(t->f, "u1", "p");
	fake_add_user(t->f, "u2", "p");
	fake_add_group(t->f, "g1");
	fake_add_group(t->f, "g2");
	check_ok(t->op->member_add(t->ctx, "g1", "u1", &t->err), t);
	check_ok(t->op->member_add(t->ctx, "g1", "u2", &t->err), t);
	check_ok(t->op->member_add(t->ctx, "g2", "u1", &t->err), t);

	check_ok(t->op->user_del(t->ctx, "U1", &t->err), t);
	assert_false(fake_is_member(t->f, "g1", "u1"));
	assert_false(fake_is_member(t->f, "g2", "u1"));
	assert_true(fake_is_member(t->f, "g1", "u2"));
	/* re-creating the user does not bring the membership back */
	rdls_secret *pw = sec("p");
	check_ok(t->op->user_add(t->ctx, "u1", pw, &t->err), t);
	assert_false(fake_is_member(t->f, "g1", "u1"));
	rdls_secret_free(pw);

	check_ok(t->op->group_del(t->ctx, "G1", &t->err), t);
	check_ok(t->op->group_add(t->ctx, "g1", NULL, &t->err), t);
	assert_false(fake_is_member(t->f, "g1", "u2"));
}

static void test_fake_sys_account_lookup(void **state)
{
	struct t *t = *state;
	enum rdls_sid_use use;
	fake_add_group(t->f, "RDLS Peers");
	fake_add_user(t->f, "rdls-peer", "p");

	static const struct {
		const char *name;
		enum rdls_sid_use use;
	} cases[] = {
		{ HOST "\\RDLS Peers", RDLS_SID_ALIAS },
		{ "licsvr1\\rdls peers", RDLS_SID_ALIAS },
		{ "RDLS Peers", RDLS_SID_ALIAS },
		{ HOST "\\rdls-peer", RDLS_SID_USER },
		{ HOST "\\nobody", RDLS_SID_NONE },
		{ "LICSVR2\\RDLS Peers", RDLS_SID_NONE },
		{ HOST, RDLS_SID_DOMAIN },
		{ "NT AUTHORITY\\NETWORK SERVICE", RDLS_SID_WELL_KNOWN_GROUP },
		{ "BUILTIN\\Administrators", RDLS_SID_ALIAS },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		use = (enum rdls_sid_use)77;
		check_ok(t->op->account_lookup(t->ctx, cases[i].name, &use, &t->err), t);
		if (use != cases[i].use)
			fail_msg("lookup '%s': got %d, want %d", cases[i].name, use, cases[i].use);
	}
	/* an override, e.g. Wine's lookup that maps no local group */
	fake_set_lookup(t->f, HOST "\\RDLS Peers", RDLS_SID_NONE);
	check_ok(t->op->account_lookup(t->ctx, "licsvr1\\rdls peers", &use, &t->err), t);
	assert_int_equal(use, RDLS_SID_NONE);
	fake_set_lookup(t->f, "RDLS Peers", RDLS_SID_GROUP);
	check_ok(t->op->account_lookup(t->ctx, HOST "\\RDLS Peers", &use, &t->err), t);
	assert_int_equal(use, RDLS_SID_GROUP);
}

/* --- registry -------------------------------------------------------------- */

static void test_fake_sys_registry(void **state)
{
	struct t *t = *state;
	rdls_regval v = { 0 }, got;

	check_ok(t->op->reg_get(t->ctx, KEY, VAL, &got, &t->err), t);
	assert_false(got.present);
	check_ok(t->op->reg_get(t->ctx, "SOFTWARE\\Nope", "x", &got, &t->err), t);
	assert_false(got.present);

	assert_int_equal(rdls_regval_set_sz(&v, RDLS_REG_SZ, "LICSVR1\\RDLS Peers"), 0);
	check_ok(t->op->reg_set(t->ctx, KEY, VAL, &v, &t->err), t);
	/* key and name compare case-insensitively */
	check_ok(t->op->reg_get(t->ctx, "system\\currentcontrolset\\services\\termservlicensing\\parameters",
				"WORKGROUPLICENSESERVERACCOUNTSGROUP", &got, &t->err), t);
	assert_true(rdls_regval_equal(&got, &v));
	assert_int_equal(got.type, RDLS_REG_SZ);
	assert_string_equal((const char *)got.data, "LICSVR1\\RDLS Peers");
	rdls_regval_release(&got);

	/* a value of another type replaces the old one entirely */
	rdls_regval d = { 0 };
	assert_int_equal(rdls_regval_set_dword(&d, 2), 0);
	check_ok(t->op->reg_set(t->ctx, KEY, VAL, &d, &t->err), t);
	const rdls_regval *in = fake_get_reg(t->f, KEY, VAL);
	assert_non_null(in);
	assert_int_equal(in->type, RDLS_REG_DWORD);
	assert_int_equal(in->len, 4);

	const char *list[] = { "licsvr1.corp.example", "licsvr2.corp.example" };
	rdls_regval m = { 0 };
	assert_int_equal(rdls_regval_set_multi(&m, list, 2), 0);
	check_ok(t->op->reg_set(t->ctx, KEY, "SpecifiedLicenseServers", &m, &t->err), t);
	check_ok(t->op->reg_get(t->ctx, KEY, "specifiedlicenseservers", &got, &t->err), t);
	assert_true(rdls_regval_equal(&got, &m));
	rdls_regval_release(&got);
	/* the empty list is one NUL */
	rdls_regval e = { 0 };
	assert_int_equal(rdls_regval_set_multi(&e, NULL, 0), 0);
	check_ok(t->op->reg_set(t->ctx, KEY, "Empty", &e, &t->err), t);

	check_ok(t->op->reg_del(t->ctx, KEY, "workgroupLicenseServerAccountsGroup", &t->err), t);
	assert_null(fake_get_reg(t->f, KEY, VAL));
	check_ok(t->op->reg_del(t->ctx, KEY, VAL, &t->err), t);             /* missing value */
	check_ok(t->op->reg_del(t->ctx, "SOFTWARE\\Nope", VAL, &t->err), t); /* missing key */

	rdls_regval_release(&v);
	rdls_regval_release(&d);
	rdls_regval_release(&m);
	rdls_regval_release(&e);
}

/* Values that break sys.h's encoding rules are refused like the backend would (87). */
static void test_fake_sys_registry_malformed(void **state)
{
	struct t *t = *state;
	unsigned char no_nul[] = { 'a', 'b' }, inner_nul[] = { 'a', 0, 'b', 0 },
		      multi_one[] = { 'a', 0 }, three[] = { 1, 2, 3 };
	const rdls_regval bad[] = {
		{ .present = false },
		{ .present = true, .type = RDLS_REG_SZ, .data = no_nul, .len = 2 },
		{ .present = true, .type = RDLS_REG_SZ, .data = inner_nul, .len = 4 },
		{ .present = true, .type = RDLS_REG_MULTI_SZ, .data = multi_one, .len = 2 },
		{ .present = true, .type = RDLS_REG_DWORD, .data = three, .len = 3 },
		{ .present = true, .type = RDLS_REG_SZ, .data = NULL, .len = 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = t->op->reg_set(t->ctx, KEY, "v", &bad[i], &t->err);
		if (rc != -1 || t->err.code != 87)
			fail_msg("malformed value %zu: rc %d code %u (want -1, 87)", i, rc,
				 (unsigned)t->err.code);
	}
	assert_null(fake_get_reg(t->f, KEY, "v"));
	/* any other type is raw bytes */
	const rdls_regval bin = { .present = true, .type = RDLS_REG_BINARY, .data = three, .len = 3 };
	check_ok(t->op->reg_set(t->ctx, KEY, "v", &bin, &t->err), t);
}

static void test_fake_sys_registry_denied_key(void **state)
{
	struct t *t = *state;
	rdls_regval v = { 0 }, got;
	assert_int_equal(rdls_regval_set_sz(&v, RDLS_REG_SZ, "x"), 0);
	fake_set_reg_sz(t->f, KEY, VAL, RDLS_REG_SZ, "old");
	fake_deny_key(t->f, "system\\CURRENTCONTROLSET\\services\\TermServLicensing\\parameters");

	/* as the backend reports it: reg_set opens the key with RegCreateKeyExW */
	check_fail(t->op->reg_set(t->ctx, KEY, VAL, &v, &t->err), t, "RegCreateKeyExW", 5);
	assert_string_equal(t->err.object, "HKLM\\" KEY);
	check_fail(t->op->reg_del(t->ctx, KEY, VAL, &t->err), t, "RegOpenKeyExW", 5);
	check_fail(t->op->reg_del(t->ctx, KEY, "missing", &t->err), t, "RegOpenKeyExW", 5);
	/* reading is allowed, and nothing changed */
	check_ok(t->op->reg_get(t->ctx, KEY, VAL, &got, &t->err), t);
	assert_string_equal((const char *)got.data, "old");
	rdls_regval_release(&got);
	/* only that exact key */
	check_ok(t->op->reg_set(t->ctx, KEY "\\Sub", VAL, &v, &t->err), t);
	check_ok(t->op->reg_set(t->ctx, "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing", VAL, &v,
				&t->err), t);
	rdls_regval_release(&v);
}

/* --- credentials ------------------------------------------------------------ */

static void test_fake_sys_creds(void **state)
{
	struct t *t = *state;
	rdls_cred c;
	rdls_secret *pw = sec("s3cret"), *pw2 = sec("other");

	memset(&c, 0x55, sizeof(c));
	check_ok(t->op->cred_get(t->ctx, "LICSVR2", &c, &t->err), t);
	assert_false(c.present);

	check_ok(t->op->cred_put(t->ctx, "LICSVR2", "LICSVR2\\rdls-peer", pw, "rdls1$x", &t->err), t);
	check_ok(t->op->cred_get(t->ctx, "licsvr2", &c, &t->err), t);
	assert_true(c.present);
	assert_int_equal(c.type, RDLS_CRED_TYPE_DOMAIN_PASSWORD);
	assert_int_equal(c.persist, RDLS_CRED_PERSIST_ENTERPRISE);
	assert_string_equal(c.user, "LICSVR2\\rdls-peer");
	assert_string_equal(c.check, "rdls1$x");
	assert_string_equal(fake_cred_password(t->f, "LICSVR2"), "s3cret");

	/* rewriting replaces everything; a NULL check is an empty attribute */
	check_ok(t->op->cred_put(t->ctx, "licsvr2", "LICSVR2\\other", pw2, NULL, &t->err), t);
	const rdls_cred *in = fake_get_cred(t->f, "LICSVR2");
	assert_non_null(in);
	assert_string_equal(in->user, "LICSVR2\\other");
	assert_string_equal(in->check, "");
	assert_string_equal(fake_cred_password(t->f, "LICSVR2"), "other");

	check_ok(t->op->cred_del(t->ctx, "LicSvr2", &t->err), t);
	assert_null(fake_get_cred(t->f, "LICSVR2"));
	assert_null(fake_cred_password(t->f, "LICSVR2"));
	check_ok(t->op->cred_del(t->ctx, "LICSVR2", &t->err), t); /* missing */

	/* seeded credentials exist with an unknown password */
	fake_set_cred(t->f, "LICSVR3", "LICSVR3\\rdls-peer", NULL);
	check_ok(t->op->cred_get(t->ctx, "LICSVR3", &c, &t->err), t);
	assert_true(c.present);
	assert_string_equal(c.check, "");
	assert_null(fake_cred_password(t->f, "LICSVR3"));
	rdls_secret_free(pw);
	rdls_secret_free(pw2);
}

static void test_fake_sys_creds_limits(void **state)
{
	struct t *t = *state;
	char big[600];
	/* 256 UTF-16 units (512 bytes) fit, 257 do not */
	memset(big, 'p', 256);
	big[256] = '\0';
	rdls_secret *ok = sec(big);
	check_ok(t->op->cred_put(t->ctx, "T", "T\\u", ok, "", &t->err), t);
	big[256] = 'p';
	big[257] = '\0';
	rdls_secret *too = sec(big);
	check_fail(t->op->cred_put(t->ctx, "T2", "T2\\u", too, "", &t->err), t, "CredWriteW", 87);
	/* U+1F600 is two UTF-16 units: 128 of them fill 512 bytes, 129 do not */
	big[0] = '\0';
	for (int i = 0; i < 129; i++)
		strcat(big, "\xF0\x9F\x98\x80");
	rdls_secret *emoji = sec(big);
	check_fail(t->op->cred_put(t->ctx, "T3", "T3\\u", emoji, "", &t->err), t, "CredWriteW", 87);
	big[128 * 4] = '\0';
	rdls_secret *emoji_ok = sec(big);
	check_ok(t->op->cred_put(t->ctx, "T3", "T3\\u", emoji_ok, "", &t->err), t);

	char check[RDLS_CRED_CHECK_MAX + 1];
	memset(check, 'c', RDLS_CRED_CHECK_MAX);
	check[RDLS_CRED_CHECK_MAX] = '\0';
	check_fail(t->op->cred_put(t->ctx, "T4", "T4\\u", ok, check, &t->err), t, "CredWriteW", 87);
	check_fail(t->op->cred_put(t->ctx, "", "u", ok, "", &t->err), t, "", 87);
	char target[400];
	memset(target, 'T', 337);
	target[337] = '\0';
	check_ok(t->op->cred_put(t->ctx, target, "u", ok, "", &t->err), t);
	target[337] = 'T';
	target[338] = '\0';
	check_fail(t->op->cred_put(t->ctx, target, "u", ok, "", &t->err), t, "", 87);
	rdls_cred c;
	check_fail(t->op->cred_get(t->ctx, target, &c, &t->err), t, "", 87);
	check_fail(t->op->cred_del(t->ctx, "", &t->err), t, "", 87);
	assert_null(fake_get_cred(t->f, "T2"));
	assert_null(fake_get_cred(t->f, "T4"));
	rdls_secret_free(ok);
	rdls_secret_free(too);
	rdls_secret_free(emoji);
	rdls_secret_free(emoji_ok);
}

/* --- WMI ------------------------------------------------------------------ */

static void test_fake_sys_ls_pub(void **state)
{
	struct t *t = *state;
	enum rdls_ls_pub st;
	bool on_dc = true;

	check_ok(t->op->ls_pub_get(t->ctx, &st, &t->err), t);
	assert_int_equal(st, RDLS_LS_UNPUBLISHED);
	check_ok(t->op->ls_pub_set(t->ctx, true, &t->err), t);
	check_ok(t->op->ls_pub_get(t->ctx, &st, &t->err), t);
	assert_int_equal(st, RDLS_LS_PUBLISHED);
	check_ok(t->op->ls_pub_set(t->ctx, false, &t->err), t);
	assert_int_equal(fake_get_ls_pub(t->f), RDLS_LS_UNPUBLISHED);
	check_ok(t->op->ls_on_dc(t->ctx, &on_dc, &t->err), t);
	assert_false(on_dc);
	fake_set_on_dc(t->f, true);
	check_ok(t->op->ls_on_dc(t->ctx, &on_dc, &t->err), t);
	assert_true(on_dc);

	fake_set_ls_pub(t->f, RDLS_LS_ROLE_ABSENT);
	check_ok(t->op->ls_pub_get(t->ctx, &st, &t->err), t);
	assert_int_equal(st, RDLS_LS_ROLE_ABSENT);
	check_fail(t->op->ls_pub_set(t->ctx, true, &t->err), t, "Win32_TSLicenseServer.PublishLS", 0x80041010u);
	assert_string_equal(t->err.object, "WMI root\\cimv2 Win32_TSLicenseServer=@");
	check_fail(t->op->ls_pub_set(t->ctx, false, &t->err), t, "Win32_TSLicenseServer.UnpublishLS",
		   0x80041010u);
	check_fail(t->op->ls_on_dc(t->ctx, &on_dc, &t->err), t, "Win32_TSLicenseServer.IsLSonDC", 0x80041010u);
	assert_int_equal(fake_get_ls_pub(t->f), RDLS_LS_ROLE_ABSENT);
}

/* --- host --------------------------------------------------------------------- */

static void test_fake_sys_host(void **state)
{
	struct t *t = *state;
	char name[16];
	rdls_osinfo os;
	bool b;

	check_ok(t->op->host_name(t->ctx, name, sizeof(name), &t->err), t);
	assert_string_equal(name, HOST);
	check_fail(t->op->host_name(t->ctx, name, strlen(HOST), &t->err), t, "", 122);

	check_ok(t->op->os_info(t->ctx, &os, &t->err), t);
	assert_int_equal(os.major, 10);
	assert_int_equal(os.build, 17763);
	assert_true(os.server);
	assert_false(os.domain_controller);
	rdls_osinfo dc = { .major = 6, .minor = 3, .build = 9600, .server = true, .domain_controller = true,
			   .domain_joined = true };
	fake_set_os(t->f, &dc);
	check_ok(t->op->os_info(t->ctx, &os, &t->err), t);
	assert_memory_equal(&os, &dc, sizeof(os));

	check_ok(t->op->is_elevated(t->ctx, &b, &t->err), t);
	assert_true(b);
	fake_set_elevated(t->f, false);
	check_ok(t->op->is_elevated(t->ctx, &b, &t->err), t);
	assert_false(b);
}

static void test_fake_sys_lock(void **state)
{
	struct t *t = *state;
	bool busy = true;
	check_ok(t->op->lock_acquire(t->ctx, &busy, &t->err), t);
	assert_false(busy);
	assert_true(fake_lock_held(t->f));
	t->op->lock_release(t->ctx);
	assert_false(fake_lock_held(t->f));
	assert_int_equal(fake_calls(t->f, "lock_release"), 1);

	fake_set_lock_busy(t->f, true);
	check_ok(t->op->lock_acquire(t->ctx, &busy, &t->err), t);
	assert_true(busy);
	assert_false(fake_lock_held(t->f));
}

static void test_fake_sys_random_deterministic(void **state)
{
	struct t *t = *state;
	unsigned char a[37], b[37], c[37];
	struct fake_sys *g = fake_sys_new(HOST);
	struct rdls_sys gs = fake_sys_iface(g);

	check_ok(t->op->random(t->ctx, a, sizeof(a), &t->err), t);
	check_ok(gs.ops->random(gs.ctx, b, sizeof(b), &t->err), t);
	assert_memory_equal(a, b, sizeof(a)); /* the same sequence on every machine, every run */
	check_ok(t->op->random(t->ctx, c, sizeof(c), &t->err), t);
	assert_memory_not_equal(a, c, sizeof(a)); /* but not the same bytes twice */
	fake_sys_free(g);

	/* not degenerate: all 16 salt bytes differ between consecutive draws */
	unsigned char s1[16], s2[16];
	check_ok(t->op->random(t->ctx, s1, 16, &t->err), t);
	check_ok(t->op->random(t->ctx, s2, 16, &t->err), t);
	int same = 0;
	for (int i = 0; i < 16; i++)
		same += s1[i] == s2[i];
	assert_in_range(same, 0, 3);
}

static void test_fake_sys_env_and_prompt(void **state)
{
	struct t *t = *state;
	rdls_secret *s = (rdls_secret *)1;
	bool found = true;

	check_ok(t->op->env_secret(t->ctx, "RDLS_PEER_PASSWORD", &s, &found, &t->err), t);
	assert_false(found);
	assert_null(s);
	fake_set_env(t->f, "RDLS_PEER_PASSWORD", "from-env");
	check_ok(t->op->env_secret(t->ctx, "rdls_peer_password", &s, &found, &t->err), t);
	assert_true(found);
	assert_string_equal(rdls_secret_str(s), "from-env");
	rdls_secret_free(s);
	fake_set_env(t->f, "RDLS_PEER_PASSWORD", NULL);
	check_ok(t->op->env_secret(t->ctx, "RDLS_PEER_PASSWORD", &s, &found, &t->err), t);
	assert_false(found);

	check_fail(t->op->prompt_secret(t->ctx, "Password: ", &s, &t->err), t, "ReadConsoleW", 6);
	assert_null(s);
	fake_set_prompt_answer(t->f, "typed");
	check_ok(t->op->prompt_secret(t->ctx, "Password: ", &s, &t->err), t);
	assert_string_equal(rdls_secret_str(s), "typed");
	rdls_secret_free(s);
}

static void test_fake_sys_files(void **state)
{
	struct t *t = *state;
	char dir[512], path[600], line[64];
	struct stat st;

	check_ok(t->op->journal_dir(t->ctx, dir, sizeof(dir), &t->err), t);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/j.ini", dir);
	FILE *fp = t->op->file_open(t->ctx, path, "w", &t->err);
	assert_non_null(fp);
	fputs("[record]\n", fp);
	check_ok(t->op->file_sync(t->ctx, fp, path, &t->err), t);
	fclose(fp);
	fp = t->op->file_open(t->ctx, path, "r", &t->err);
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_string_equal(line, "[record]\n");
	fclose(fp);

	snprintf(path, sizeof(path), "%s/missing/x", dir);
	fp = t->op->file_open(t->ctx, path, "r", &t->err);
	assert_null(fp);
	check_fail(-1, t, "_wfopen", 2);

	/* the fake's own directory goes away with it */
	fake_sys_free(t->f);
	t->f = fake_sys_new(HOST);
	t->sys = fake_sys_iface(t->f);
	t->op = t->sys.ops;
	t->ctx = t->sys.ctx;
	assert_int_equal(stat(dir, &st), -1);

	/* a directory set by the test is used and left alone */
	fake_set_journal_dir(t->f, "/tmp");
	check_ok(t->op->journal_dir(t->ctx, dir, sizeof(dir), &t->err), t);
	assert_string_equal(dir, "/tmp");
	check_fail(t->op->journal_dir(t->ctx, dir, 4, &t->err), t, "", 122);
}

/* --- counting and failure injection ------------------------------------------ */

static void test_fake_sys_counts(void **state)
{
	struct t *t = *state;
	bool b;
	rdls_regval v = { 0 }, got;
	assert_int_equal(rdls_regval_set_dword(&v, 1), 0);
	check_ok(t->op->user_get(t->ctx, "a", &b, &t->err), t);
	check_ok(t->op->group_get(t->ctx, "g", &b, &t->err), t);
	check_ok(t->op->reg_get(t->ctx, KEY, "x", &got, &t->err), t);
	assert_int_equal(fake_writes(t->f), 0);
	check_ok(t->op->reg_set(t->ctx, KEY, "x", &v, &t->err), t);
	check_ok(t->op->reg_set(t->ctx, KEY, "x", &v, &t->err), t);
	check_ok(t->op->reg_del(t->ctx, KEY, "x", &t->err), t);
	check_ok(t->op->group_del(t->ctx, "g", &t->err), t); /* already gone: success */
	assert_int_equal(fake_calls(t->f, "user_get"), 1);
	assert_int_equal(fake_calls(t->f, "reg_set"), 2);
	assert_int_equal(fake_calls(t->f, "reg_get"), 1);
	assert_int_equal(fake_calls(t->f, "cred_put"), 0);
	assert_int_equal(fake_writes(t->f), 4); /* failed calls count too */
	assert_int_equal(fake_calls(t->f, "write"), 4);
	rdls_regval_release(&v);
}

static void test_fake_sys_fail_nth(void **state)
{
	struct t *t = *state;
	rdls_secret *pw = sec("p");
	char *before;

	/* calls before the injection do not count */
	check_ok(t->op->group_add(t->ctx, "g0", NULL, &t->err), t);
	fake_fail_nth(t->f, "group_add", 2, 5);
	check_ok(t->op->group_add(t->ctx, "g1", NULL, &t->err), t);
	before = fake_snapshot(t->f);
	check_fail(t->op->group_add(t->ctx, "g2", NULL, &t->err), t, "NetLocalGroupAdd", 5);
	assert_string_equal(t->err.object, "group 'g2'");
	char *after = fake_snapshot(t->f);
	assert_string_equal(after, before); /* the failed call changed nothing */
	free(after);
	free(before);
	assert_false(fake_has_group(t->f, "g2"));
	/* it fires once */
	check_ok(t->op->group_add(t->ctx, "g2", NULL, &t->err), t);
	check_ok(t->op->group_add(t->ctx, "g3", NULL, &t->err), t);
	check_ok(t->op->group_add(t->ctx, "g4", NULL, &t->err), t);

	/* "write": the n-th changing call, whatever it is; reads pass through */
	bool b;
	fake_fail_nth(t->f, "write", 3, 1234);
	check_ok(t->op->user_add(t->ctx, "u", pw, &t->err), t);
	check_ok(t->op->user_get(t->ctx, "u", &b, &t->err), t);
	check_ok(t->op->member_add(t->ctx, "g1", "u", &t->err), t);
	check_fail(t->op->cred_put(t->ctx, "P", "P\\u", pw, "", &t->err), t, "CredWriteW", 1234);
	assert_null(fake_get_cred(t->f, "P"));
	check_ok(t->op->cred_put(t->ctx, "P", "P\\u", pw, "", &t->err), t);

	/* n = 0 clears */
	fake_fail_nth(t->f, "cred_del", 1, 5);
	fake_fail_nth(t->f, "cred_del", 0, 0);
	check_ok(t->op->cred_del(t->ctx, "P", &t->err), t);

	/* reads fail too, without touching their outputs beyond "absent" */
	fake_fail_nth(t->f, "reg_get", 1, 2);
	rdls_regval got;
	check_fail(t->op->reg_get(t->ctx, KEY, VAL, &got, &t->err), t, "RegGetValueW", 2);
	assert_false(got.present);
	assert_null(got.data);

	fake_fail_nth(t->f, "file_open", 1, 5);
	assert_null(t->op->file_open(t->ctx, "/dev/null", "r", &t->err));
	check_fail(-1, t, "_wfopen", 5);

	fake_fail_nth(t->f, "ls_pub_set", 1, 0x80041003u);
	check_fail(t->op->ls_pub_set(t->ctx, true, &t->err), t, "Win32_TSLicenseServer.PublishLS", 0x80041003u);
	assert_int_equal(fake_get_ls_pub(t->f), RDLS_LS_UNPUBLISHED);

	fake_fail_nth(t->f, "lock_acquire", 1, 5);
	check_fail(t->op->lock_acquire(t->ctx, &b, &t->err), t, "CreateMutexW", 5);
	assert_false(fake_lock_held(t->f));
	rdls_secret_free(pw);
}

/* --- snapshot --------------------------------------------------------------------- */

static void seed(struct fake_sys *f, bool upper)
{
	fake_add_user(f, upper ? "RDLS-PEER" : "rdls-peer", "pw");
	fake_add_member(f, upper ? "RDLS PEERS" : "rdls peers", upper ? "LICSVR1\\RDLS-PEER" : "rdls-peer");
	fake_set_reg_sz(f, upper ? KEY : "system\\currentcontrolset\\services\\termservlicensing\\parameters",
			VAL, RDLS_REG_SZ, "LICSVR1\\RDLS Peers");
	fake_set_reg_dword(f, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services",
			   upper ? "LICENSINGMODE" : "LicensingMode", 2);
	fake_set_cred(f, upper ? "LICSVR2" : "licsvr2", "LICSVR2\\rdls-peer", "rdls1$abc");
}

static void test_fake_sys_snapshot_equal(void **state)
{
	(void)state;
	struct fake_sys *a = fake_sys_new(HOST), *b = fake_sys_new(HOST);
	seed(a, false);
	/* the same state reached in another order and spelling */
	fake_set_cred(b, "LICSVR2", "licsvr2\\RDLS-PEER", "rdls1$abc");
	fake_set_reg_dword(b, "software\\policies\\microsoft\\windows nt\\terminal services", "licensingmode", 7);
	fake_set_reg_dword(b, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services", "LicensingMode", 2);
	seed(b, true);
	fake_add_group(b, "temp");
	struct rdls_sys sb = fake_sys_iface(b);
	rdls_err err;
	assert_int_equal(sb.ops->group_del(sb.ctx, "TEMP", &err), 0);

	char *sa = fake_snapshot(a), *ss = fake_snapshot(b);
	assert_string_equal(ss, sa);
	/* it shows what it holds */
	assert_non_null(strstr(sa, "user \"rdls-peer\" password \"pw\"\n"));
	assert_non_null(strstr(sa, "member \"rdls peers\" \"licsvr1\\x5crdls-peer\"\n"));
	assert_non_null(strstr(sa, "type 4 data 02000000\n"));
	assert_non_null(strstr(sa, "ls_pub unpublished\n"));
	free(sa);
	free(ss);
	fake_sys_free(a);
	fake_sys_free(b);
}

/* Each kind of difference shows in the snapshot. */
static void test_fake_sys_snapshot_differs(void **state)
{
	(void)state;
	struct fake_sys *base = fake_sys_new(HOST);
	seed(base, false);
	char *want = fake_snapshot(base);
	for (int k = 0; k < 10; k++) {
		struct fake_sys *f = fake_sys_new(HOST);
		seed(f, false);
		rdls_regval bin = { .present = true, .type = RDLS_REG_BINARY,
				    .data = (unsigned char *)"\x02\0\0\0", .len = 4 };
		switch (k) {
		case 0: fake_add_user(f, "rdls-peer", "pw2"); break;
		case 1: fake_add_group(f, "extra"); break;
		case 2: fake_add_member(f, "RDLS Peers", "CORP\\x"); break;
		case 3: fake_set_reg_sz(f, KEY, VAL, RDLS_REG_EXPAND_SZ, "LICSVR1\\RDLS Peers"); break;
		case 4: fake_set_reg_sz(f, KEY, VAL, RDLS_REG_SZ, "LICSVR1\\RDLS Peer"); break;
		case 5: fake_set_reg(f, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services",
				     "LicensingMode", &bin); break;
		case 6: fake_set_cred(f, "LICSVR2", "LICSVR2\\rdls-peer", "rdls1$abd"); break;
		case 7: {
			rdls_secret *pw = sec("pw");
			struct rdls_sys s = fake_sys_iface(f);
			rdls_err err;
			assert_int_equal(s.ops->cred_put(s.ctx, "LICSVR2", "LICSVR2\\rdls-peer", pw, "rdls1$abc",
							 &err), 0);
			rdls_secret_free(pw);
			break;
		}
		case 8: fake_set_ls_pub(f, RDLS_LS_PUBLISHED); break;
		case 9: fake_set_reg(f, KEY, VAL, &(rdls_regval){ .present = false }); break;
		}
		char *got = fake_snapshot(f);
		if (strcmp(got, want) == 0)
			fail_msg("change %d is invisible in the snapshot:\n%s", k, got);
		free(got);
		fake_sys_free(f);
	}
	free(want);
	fake_sys_free(base);
}

/* Doing and undoing every kind of change gives the snapshot back. */
static void test_fake_sys_snapshot_round_trip(void **state)
{
	struct t *t = *state;
	rdls_secret *pw = sec("p");
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_sz(&v, RDLS_REG_SZ, "x"), 0);
	fake_set_reg_sz(t->f, KEY, " WorkgroupLicenseServerAccountsGroup", RDLS_REG_SZ, "x");
	char *before = fake_snapshot(t->f);

	check_ok(t->op->user_add(t->ctx, "u", pw, &t->err), t);
	check_ok(t->op->group_add(t->ctx, "g", NULL, &t->err), t);
	check_ok(t->op->member_add(t->ctx, "g", HOST "\\u", &t->err), t);
	check_ok(t->op->reg_set(t->ctx, KEY, VAL, &v, &t->err), t);
	check_ok(t->op->reg_del(t->ctx, KEY, " WorkgroupLicenseServerAccountsGroup", &t->err), t);
	check_ok(t->op->cred_put(t->ctx, "LICSVR2", "LICSVR2\\u", pw, "c", &t->err), t);
	check_ok(t->op->ls_pub_set(t->ctx, true, &t->err), t);
	char *mid = fake_snapshot(t->f);
	assert_string_not_equal(mid, before);

	check_ok(t->op->ls_pub_set(t->ctx, false, &t->err), t);
	check_ok(t->op->cred_del(t->ctx, "LICSVR2", &t->err), t);
	check_ok(t->op->reg_set(t->ctx, KEY, " WorkgroupLicenseServerAccountsGroup", &v, &t->err), t);
	check_ok(t->op->reg_del(t->ctx, KEY, VAL, &t->err), t);
	check_ok(t->op->member_del(t->ctx, "g", HOST "\\u", &t->err), t);
	check_ok(t->op->group_del(t->ctx, "g", &t->err), t);
	check_ok(t->op->user_del(t->ctx, "u", &t->err), t);
	char *after = fake_snapshot(t->f);
	assert_string_equal(after, before);
	free(before);
	free(mid);
	free(after);
	rdls_regval_release(&v);
	rdls_secret_free(pw);
}

/* The fake's errors read like the Win32 backend's in rdls_err_format. */
static void test_fake_sys_error_text(void **state)
{
	struct t *t = *state;
	char buf[1600];
	fake_add_group(t->f, "RDLS Peers");
	assert_int_equal(t->op->group_add(t->ctx, "RDLS Peers", NULL, &t->err), -1);
	rdls_err_format(&t->err, buf, sizeof(buf));
	assert_string_equal(buf, "NetLocalGroupAdd on group 'RDLS Peers' returned 1379 (the specified local group already exists)");
	fake_set_ls_pub(t->f, RDLS_LS_ROLE_ABSENT);
	assert_int_equal(t->op->ls_pub_set(t->ctx, true, &t->err), -1);
	rdls_err_format(&t->err, buf, sizeof(buf));
	assert_string_equal(buf, "Win32_TSLicenseServer.PublishLS on WMI root\\cimv2 Win32_TSLicenseServer=@ "
				 "returned 0x80041010 (the Remote Desktop Licensing role is not installed "
				 "on this server: the WMI class Win32_TSLicenseServer does not exist)");
}

/* A plan-sized machine stays quick: a few thousand entries, a few thousand ops. */
static void test_fake_sys_many_entries(void **state)
{
	struct t *t = *state;
	char name[64];
	rdls_cred c;
	rdls_secret *pw = sec("p");
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "LICSVR%04d", i);
		check_ok(t->op->cred_put(t->ctx, name, name, pw, "", &t->err), t);
	}
	for (int i = 2999; i >= 0; i--) {
		snprintf(name, sizeof(name), "licsvr%04d", i);
		check_ok(t->op->cred_get(t->ctx, name, &c, &t->err), t);
		if (!c.present)
			fail_msg("credential '%s' missing", name);
	}
	char *snap = fake_snapshot(t->f);
	assert_non_null(strstr(snap, "cred \"licsvr0000\""));
	free(snap);
	rdls_secret_free(pw);
}

/* --- diagnose's read-only operations ------------------------------------------ */

static void test_fake_sys_network(void **state)
{
	struct t *t = *state;
	char addr[64];
	bool found = true, open = true;

	check_ok(t->op->name_resolve(t->ctx, "licsvr2", &found, addr, sizeof(addr), &t->err), t);
	assert_false(found);
	check_fail(t->op->tcp_probe(t->ctx, "licsvr2", 135, 100, &open, &t->err), t, "GetAddrInfoW", 11001);
	assert_false(open);

	fake_set_dns(t->f, "LICSVR2", "192.0.2.2");
	check_ok(t->op->name_resolve(t->ctx, "licsvr2", &found, addr, sizeof(addr), &t->err), t);
	assert_true(found);
	assert_string_equal(addr, "192.0.2.2");
	check_ok(t->op->name_resolve(t->ctx, "licsvr2", &found, addr, 6, &t->err), t);
	assert_string_equal(addr, "192.0"); /* truncated, as the backend does */

	check_ok(t->op->tcp_probe(t->ctx, "licsvr2", 135, 100, &open, &t->err), t);
	assert_false(open);
	fake_set_tcp_open(t->f, "LicSvr2", 135, true);
	check_ok(t->op->tcp_probe(t->ctx, "licsvr2", 135, 100, &open, &t->err), t);
	assert_true(open);
	check_ok(t->op->tcp_probe(t->ctx, "licsvr2", 136, 100, &open, &t->err), t);
	assert_false(open);
	fake_set_tcp_open(t->f, "LICSVR2", 135, false);
	check_ok(t->op->tcp_probe(t->ctx, "licsvr2", 135, 100, &open, &t->err), t);
	assert_false(open);
	fake_set_dns(t->f, "LICSVR2", NULL);
	check_ok(t->op->name_resolve(t->ctx, "licsvr2", &found, addr, sizeof(addr), &t->err), t);
	assert_false(found);
}

static void test_fake_sys_ts_wmi(void **state)
{
	struct t *t = *state;
	uint32_t days = 0, status = 0;
	rdls_ts_ls ls[2];
	size_t count = 99;
	bool valid = true;

	check_ok(t->op->ts_grace_days(t->ctx, &days, &t->err), t);
	assert_int_equal(days, 120);
	fake_set_grace_days(t->f, 3);
	check_ok(t->op->ts_grace_days(t->ctx, &days, &t->err), t);
	assert_int_equal(days, 3);

	check_ok(t->op->ts_find_ls(t->ctx, ls, 2, &count, &t->err), t);
	assert_int_equal(count, 0);
	for (int i = 0; i < 3; i++) {
		rdls_ts_ls one = { .available = 1, .issuing = (uint32_t)i, .admin = 2 };
		snprintf(one.name, sizeof(one.name), "LICSVR%d", i + 1);
		fake_add_ts_ls(t->f, &one);
	}
	check_ok(t->op->ts_find_ls(t->ctx, ls, 2, &count, &t->err), t);
	assert_int_equal(count, 3); /* all found, two written */
	assert_string_equal(ls[1].name, "LICSVR2");
	assert_int_equal(ls[1].issuing, 1);

	check_ok(t->op->ts_connectivity(t->ctx, "LICSVR1", &status, &t->err), t);
	assert_int_equal(status, 6);
	fake_set_ts_connectivity(t->f, "licsvr1", 11);
	check_ok(t->op->ts_connectivity(t->ctx, "LICSVR1", &status, &t->err), t);
	assert_int_equal(status, 11);

	/* PingLicenseServer exists on Windows Server 2008 only */
	check_fail(t->op->ts_ping_ls(t->ctx, "LICSVR1", &valid, &t->err), t, "IWbemClassObject::GetMethod",
		   0x8004102Eu);
	rdls_osinfo w2008 = { .major = 6, .minor = 0, .build = 6002, .server = true };
	fake_set_os(t->f, &w2008);
	check_ok(t->op->ts_ping_ls(t->ctx, "LICSVR1", &valid, &t->err), t);
	assert_false(valid);
	fake_set_ts_ping(t->f, "LICSVR1", true);
	check_ok(t->op->ts_ping_ls(t->ctx, "licsvr1", &valid, &t->err), t);
	assert_true(valid);
	assert_int_equal(status, 11);
	check_ok(t->op->ts_connectivity(t->ctx, "LICSVR1", &status, &t->err), t);
	assert_int_equal(status, 11); /* setting ping kept connectivity */

	fake_set_ts_wmi(t->f, 0x8004100Eu);
	check_fail(t->op->ts_grace_days(t->ctx, &days, &t->err), t, "ExecMethod(GetGracePeriodDays)", 0x8004100Eu);
	check_fail(t->op->ts_find_ls(t->ctx, ls, 2, &count, &t->err), t, "ExecMethod(FindLicenseServers)",
		   0x8004100Eu);
	check_fail(t->op->ts_connectivity(t->ctx, "LICSVR1", &status, &t->err), t,
		   "ExecMethod(GetTStoLSConnectivityStatus)", 0x8004100Eu);
	check_fail(t->op->ts_ping_ls(t->ctx, "LICSVR1", &valid, &t->err), t, "ExecMethod(PingLicenseServer)",
		   0x8004100Eu);
	assert_int_equal(fake_calls(t->f, "ts_connectivity"), 4);
	assert_int_equal(fake_writes(t->f), 0);
}

/* A machine can lack an operation, as a backend may; other machines keep theirs. */
static void test_fake_sys_drop_op(void **state)
{
	struct t *t = *state;
	struct fake_sys *g = fake_sys_new("OTHER");
	fake_drop_op(t->f, "ts_ping_ls");
	fake_drop_op(t->f, "tcp_probe");
	assert_null(fake_sys_iface(t->f).ops->ts_ping_ls);
	assert_null(fake_sys_iface(t->f).ops->tcp_probe);
	assert_non_null(fake_sys_iface(t->f).ops->ts_connectivity);
	assert_non_null(fake_sys_iface(t->f).ops->name_resolve);
	assert_non_null(fake_sys_iface(g).ops->ts_ping_ls);
	assert_non_null(fake_sys_iface(g).ops->tcp_probe);
	fake_sys_free(g);
}

/* --- registry keys ----------------------------------------------------------------- */

#define POLICY "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"
#define WNT "SOFTWARE\\Policies\\Microsoft\\Windows NT"

/* Keys exist on their own, as on Windows: RegCreateKeyExW (reg_set) makes a missing key and
 * its parents, deleting the last value leaves the key, and reg_key_del deletes only an
 * empty key. */
static void test_fake_sys_reg_keys(void **state)
{
	struct t *t = *state;
	bool exists = false, not_empty = true;
	rdls_regval v = { 0 };
	assert_int_equal(rdls_regval_set_dword(&v, 2), 0);

	/* a new fake: the keys every Windows Server has, not rdlsctl's */
	check_ok(t->op->reg_key_get(t->ctx, "system\\currentcontrolset\\SERVICES", &exists, &t->err), t);
	assert_true(exists);
	check_ok(t->op->reg_key_get(t->ctx, "SOFTWARE\\Policies", &exists, &t->err), t);
	assert_true(exists); /* a parent of a key that exists */
	check_ok(t->op->reg_key_get(t->ctx, KEY, &exists, &t->err), t);
	assert_false(exists);
	check_ok(t->op->reg_key_get(t->ctx, WNT, &exists, &t->err), t);
	assert_false(exists);
	char *fresh = fake_snapshot(t->f);

	/* reg_set creates the key and its missing parents; deleting the value leaves them */
	check_ok(t->op->reg_set(t->ctx, POLICY, "LicensingMode", &v, &t->err), t);
	assert_true(fake_has_reg_key(t->f, POLICY));
	assert_true(fake_has_reg_key(t->f, WNT));
	check_ok(t->op->reg_del(t->ctx, POLICY, "LicensingMode", &t->err), t);
	assert_true(fake_has_reg_key(t->f, POLICY));
	char *left = fake_snapshot(t->f);
	if (strcmp(left, fresh) == 0 || !strstr(left, "key \"software\\x5cpolicies\\x5cmicrosoft\\x5cwindows nt\"\n"))
		fail_msg("an empty key left behind does not show in the snapshot:\n%s", left);
	free(left);

	/* reg_key_del: a key with a subkey or a value stays (*not_empty), an empty one goes */
	check_ok(t->op->reg_key_del(t->ctx, WNT, &not_empty, &t->err), t);
	assert_true(not_empty);
	assert_true(fake_has_reg_key(t->f, WNT));
	check_ok(t->op->reg_set(t->ctx, POLICY, "x", &v, &t->err), t);
	check_ok(t->op->reg_key_del(t->ctx, POLICY, &not_empty, &t->err), t);
	assert_true(not_empty);
	assert_non_null(fake_get_reg(t->f, POLICY, "x")); /* nothing deleted with it */
	check_ok(t->op->reg_del(t->ctx, POLICY, "x", &t->err), t);
	check_ok(t->op->reg_key_del(t->ctx, "software\\policies\\microsoft\\windows nt\\terminal services",
				       &not_empty, &t->err), t);
	assert_false(not_empty);
	assert_false(fake_has_reg_key(t->f, POLICY));
	check_ok(t->op->reg_key_del(t->ctx, WNT, &not_empty, &t->err), t);
	assert_false(not_empty);
	/* already gone: success */
	check_ok(t->op->reg_key_del(t->ctx, WNT, &not_empty, &t->err), t);
	assert_false(not_empty);
	char *back = fake_snapshot(t->f);
	assert_string_equal(back, fresh);
	free(back);

	/* reg_key_create: one key under an existing parent; again is success */
	check_ok(t->op->reg_key_create(t->ctx, WNT, &t->err), t);
	check_ok(t->op->reg_key_create(t->ctx, WNT, &t->err), t);
	check_ok(t->op->reg_key_get(t->ctx, WNT, &exists, &t->err), t);
	assert_true(exists);
	assert_int_equal(fake_calls(t->f, "reg_key_create"), 2);

	/* a read-only key: no subkey under it, and it cannot be deleted */
	fake_deny_key(t->f, WNT);
	check_fail(t->op->reg_key_create(t->ctx, POLICY, &t->err), t, "RegCreateKeyExW", 5);
	assert_string_equal(t->err.object, "HKLM\\" POLICY);
	assert_false(fake_has_reg_key(t->f, POLICY));
	check_fail(t->op->reg_key_del(t->ctx, WNT, &not_empty, &t->err), t, "RegDeleteKeyExW", 5);
	assert_true(fake_has_reg_key(t->f, WNT));

	/* injected failures change nothing; create and delete count as writes, get does not */
	unsigned w = fake_writes(t->f);
	check_ok(t->op->reg_key_get(t->ctx, WNT, &exists, &t->err), t);
	assert_int_equal(fake_writes(t->f), w);
	fake_fail_nth(t->f, "reg_key_get", 1, 5);
	check_fail(t->op->reg_key_get(t->ctx, WNT, &exists, &t->err), t, "RegOpenKeyExW", 5);
	assert_false(exists);
	fake_fail_nth(t->f, "write", 1, 1117);
	check_fail(t->op->reg_key_create(t->ctx, KEY, &t->err), t, "RegCreateKeyExW", 1117);
	assert_false(fake_has_reg_key(t->f, KEY));
	assert_int_equal(fake_writes(t->f), w + 1);

	/* seeding */
	fake_add_reg_key(t->f, KEY);
	assert_true(fake_has_reg_key(t->f, "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing"));
	free(fresh);
	rdls_regval_release(&v);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fake_sys_users),
		T(test_fake_sys_groups),
		T(test_fake_sys_user_group_name_clash),
		T(test_fake_sys_members),
		T(test_fake_sys_delete_drops_memberships),
		T(test_fake_sys_account_lookup),
		T(test_fake_sys_registry),
		T(test_fake_sys_registry_malformed),
		T(test_fake_sys_registry_denied_key),
		T(test_fake_sys_creds),
		T(test_fake_sys_creds_limits),
		T(test_fake_sys_ls_pub),
		T(test_fake_sys_host),
		T(test_fake_sys_lock),
		T(test_fake_sys_random_deterministic),
		T(test_fake_sys_env_and_prompt),
		T(test_fake_sys_files),
		T(test_fake_sys_counts),
		T(test_fake_sys_fail_nth),
		cmocka_unit_test(test_fake_sys_snapshot_equal),
		cmocka_unit_test(test_fake_sys_snapshot_differs),
		T(test_fake_sys_snapshot_round_trip),
		T(test_fake_sys_error_text),
		T(test_fake_sys_many_entries),
		T(test_fake_sys_network),
		T(test_fake_sys_ts_wmi),
		T(test_fake_sys_drop_op),
		T(test_fake_sys_reg_keys),
	};
	return cmocka_run_group_tests_name("fake_sys", tests, NULL, NULL);
}
