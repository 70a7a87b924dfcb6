/*
 * The local Group Policy object: the PReg reader and writer (preg.h), gpt.ini's merge
 * (gptini.h), and plan / apply / rollback of a session host's two policies through
 * the fake (Registry.pol and gpt.ini in C:\Windows\System32\GroupPolicy). Every
 * malformed case of the reader is checked with its byte offset.
 * Run from the repository root (make unit does): profiles are read from profiles/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_sys.h"
#include "rdls/cli.h"
#include "rdls/gptini.h"
#include "rdls/plan.h"
#include "rdls/preg.h"
#include "rdls/regpaths.h"
#include "resource.h"
#include "testutil.h"

#define TS "Software\\Policies\\Microsoft\\Windows NT\\Terminal Services"
#define SH "profiles/session-hosts.ini"

/* ------------------------------------------------- a PReg file built by hand */

struct bytes {
	unsigned char b[4096];
	size_t n;
};

static void raw(struct bytes *x, const void *p, size_t n)
{
	assert_true(x->n + n <= sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void u16(struct bytes *x, unsigned u)
{
	unsigned char c[2] = { (unsigned char)(u & 0xFF), (unsigned char)(u >> 8) };
	raw(x, c, 2);
}

static void le32(struct bytes *x, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	raw(x, c, 4);
}

/* ASCII as UTF-16LE with its NUL */
static void wstr(struct bytes *x, const char *s)
{
	for (; *s; s++)
		u16(x, (unsigned char)*s);
	u16(x, 0);
}

static void header(struct bytes *x)
{
	x->n = 0;
	raw(x, "PReg", 4);
	le32(x, 1);
}

static void entry_dword(struct bytes *x, const char *key, const char *value, uint32_t d)
{
	u16(x, '[');
	wstr(x, key);
	u16(x, ';');
	wstr(x, value);
	u16(x, ';');
	le32(x, RDLS_REG_DWORD);
	u16(x, ';');
	le32(x, 4);
	u16(x, ';');
	le32(x, d);
	u16(x, ']');
}

static void entry_sz(struct bytes *x, const char *key, const char *value, const char *sz)
{
	u16(x, '[');
	wstr(x, key);
	u16(x, ';');
	wstr(x, value);
	u16(x, ';');
	le32(x, RDLS_REG_SZ);
	u16(x, ';');
	le32(x, (uint32_t)(2 * (strlen(sz) + 1)));
	u16(x, ';');
	wstr(x, sz);
	u16(x, ']');
}

/* An unrelated policy gpedit.msc would have written: Windows Update's NoAutoUpdate. */
#define WU_KEY "Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"
static void unrelated(struct bytes *x)
{
	header(x);
	entry_dword(x, WU_KEY, "NoAutoUpdate", 1);
}

static void expect_bad(const struct bytes *x, size_t off, const char *why)
{
	struct rdls_preg p;
	size_t got = 99999;
	const char *w = NULL;
	if (rdls_preg_parse(x->b, x->n, &p, &got, &w) == 0)
		fail_msg("parsed a damaged file (expected '%s' at %zu)", why, off);
	if (got != off || !w || !strstr(w, why))
		fail_msg("got '%s' at offset %zu, expected '%s' at %zu", w ? w : "(null)", got, why,
			 off);
}

/* ------------------------------------------------------------ PReg reader */

static void test_preg_parse_entries(void **state)
{
	(void)state;
	struct bytes x;
	unrelated(&x);
	size_t second = x.n;
	entry_sz(&x, TS, "LicenseServers", "LICSVR1,LICSVR2");
	struct rdls_preg p;
	size_t off;
	const char *why;
	assert_int_equal(rdls_preg_parse(x.b, x.n, &p, &off, &why), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.e[0].key, WU_KEY);
	assert_string_equal(p.e[0].value, "NoAutoUpdate");
	assert_int_equal(p.e[0].type, RDLS_REG_DWORD);
	assert_int_equal(p.e[0].size, 4);
	assert_int_equal(p.e[0].off, 8);
	assert_int_equal(p.e[1].off, second);
	assert_int_equal(p.e[1].off + p.e[1].len, x.n);
	const struct rdls_preg_entry *e = rdls_preg_find(&p, "software\\policies\\microsoft\\"
							     "windows nt\\terminal services",
							 "licenseservers");
	assert_non_null(e);
	char *sz = rdls_preg_sz(e);
	assert_string_equal(sz, "LICSVR1,LICSVR2");
	free(sz);
	rdls_preg_release(&p);
	/* only a header: no entries, valid */
	header(&x);
	assert_int_equal(rdls_preg_parse(x.b, x.n, &p, &off, &why), 0);
	assert_int_equal(p.n, 0);
}

static void test_preg_malformed_offsets(void **state)
{
	(void)state;
	struct bytes x;
	x.n = 0;
	expect_bad(&x, 0, "shorter than the PReg header");
	raw(&x, "PReg\x01", 5);
	expect_bad(&x, 4, "shorter than the PReg header");
	x.n = 0;
	raw(&x, "Preg\x01\0\0\0", 8);
	expect_bad(&x, 0, "signature");
	x.n = 0;
	raw(&x, "PReg\x02\0\0\0", 8);
	expect_bad(&x, 4, "version is not 1");

	/* a second entry that starts wrong: the offset is its first byte */
	unrelated(&x);
	size_t at = x.n;
	u16(&x, '(');
	expect_bad(&x, at, "expected '['");
	/* a lone byte after the last entry */
	unrelated(&x);
	at = x.n;
	raw(&x, "[", 1);
	expect_bad(&x, at, "ends inside an entry");
	/* the key never ends */
	header(&x);
	u16(&x, '[');
	u16(&x, 'S');
	expect_bad(&x, 12, "ends inside an entry");
	/* an empty key */
	header(&x);
	u16(&x, '[');
	u16(&x, 0);
	expect_bad(&x, 10, "empty key");
	/* no ';' after the key */
	header(&x);
	u16(&x, '[');
	wstr(&x, "K");
	u16(&x, ',');
	expect_bad(&x, 14, "';' after the key");
	/* no ';' after the value name */
	header(&x);
	u16(&x, '[');
	wstr(&x, "K");
	u16(&x, ';');
	wstr(&x, "V");
	u16(&x, ']');
	expect_bad(&x, 20, "';' after the value name");
	/* no ';' after the type */
	header(&x);
	u16(&x, '[');
	wstr(&x, "K");
	u16(&x, ';');
	wstr(&x, "V");
	u16(&x, ';');
	le32(&x, 4);
	u16(&x, ':');
	expect_bad(&x, 26, "';' after the type");
	/* a size past the end: the offset is the size field */
	header(&x);
	u16(&x, '[');
	wstr(&x, "K");
	u16(&x, ';');
	wstr(&x, "V");
	u16(&x, ';');
	le32(&x, 4);
	u16(&x, ';');
	le32(&x, 0x7FFFFFFF);
	u16(&x, ';');
	le32(&x, 1);
	u16(&x, ']');
	expect_bad(&x, 28, "size runs past the end");
	/* no ';' after the size */
	x.n = 32;
	u16(&x, '!');
	expect_bad(&x, 32, "';' after the size");
	/* no ']' after the data */
	header(&x);
	entry_dword(&x, "K", "V", 1);
	x.b[x.n - 2] = ')';
	expect_bad(&x, x.n - 2, "expected ']'");
	/* an unpaired surrogate in the value name */
	header(&x);
	u16(&x, '[');
	wstr(&x, "K");
	u16(&x, ';');
	u16(&x, 0xD800);
	u16(&x, 'x');
	u16(&x, 0);
	expect_bad(&x, 16, "surrogate");
}

/* ------------------------------------------------------------ PReg writer */

static const struct rdls_preg_value two[2] = {
	{ TS, "LicenseServers", RDLS_REG_SZ, "LICSVR1,LICSVR2", 0 },
	{ TS, "LicensingMode", RDLS_REG_DWORD, NULL, 2 },
};

static void test_preg_set_new_and_round_trip(void **state)
{
	(void)state;
	unsigned char *d = NULL;
	size_t n = 0;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_preg_set(NULL, 0, "t", two, 2, &d, &n, &e), 0);
	/* byte for byte what a hand-built file holds */
	struct bytes x;
	header(&x);
	entry_sz(&x, TS, "LicenseServers", "LICSVR1,LICSVR2");
	entry_dword(&x, TS, "LicensingMode", 2);
	assert_int_equal(n, x.n);
	assert_memory_equal(d, x.b, n);
	/* setting the same values again changes nothing */
	unsigned char *d2 = NULL;
	size_t n2 = 0;
	assert_int_equal(rdls_preg_set(d, n, "t", two, 2, &d2, &n2, &e), 0);
	assert_int_equal(n2, n);
	assert_memory_equal(d2, d, n);
	free(d);
	free(d2);
	/* non-ASCII survives UTF-8 -> UTF-16 -> UTF-8 (a surrogate pair too) */
	const struct rdls_preg_value u = { "K\xc3\xa9", "V", RDLS_REG_SZ, "s\xf0\x9f\x98\x80", 0 };
	assert_int_equal(rdls_preg_set(NULL, 0, "t", &u, 1, &d, &n, &e), 0);
	struct rdls_preg p;
	size_t off;
	const char *why;
	assert_int_equal(rdls_preg_parse(d, n, &p, &off, &why), 0);
	assert_string_equal(p.e[0].key, "K\xc3\xa9");
	char *sz = rdls_preg_sz(&p.e[0]);
	assert_string_equal(sz, "s\xf0\x9f\x98\x80");
	free(sz);
	rdls_preg_release(&p);
	free(d);
	/* invalid UTF-8 is refused, not written */
	const struct rdls_preg_value bad = { TS, "LicenseServers", RDLS_REG_SZ, "\xff", 0 };
	assert_int_equal(rdls_preg_set(NULL, 0, "t", &bad, 1, &d, &n, &e), -1);
	assert_null(d);
}

/* Other entries keep their place and bytes; ours are replaced where they were. */
static void test_preg_set_keeps_other_entries(void **state)
{
	(void)state;
	struct bytes x;
	unrelated(&x);
	size_t first_end = x.n;
	entry_dword(&x, TS, "licensingmode", 4); /* ours, other case, other value */
	size_t mid = x.n;
	entry_sz(&x, WU_KEY, "WUServer", "http://wsus");
	size_t mid_end = x.n;
	/* "**del.LicenseServers": the policy set to Disabled; ours replaces it */
	u16(&x, '[');
	wstr(&x, TS);
	u16(&x, ';');
	wstr(&x, "**del.LicenseServers");
	u16(&x, ';');
	le32(&x, RDLS_REG_SZ);
	u16(&x, ';');
	le32(&x, 2);
	u16(&x, ';');
	u16(&x, 0);
	u16(&x, ']');
	entry_dword(&x, TS, "LicensingMode", 2); /* a later duplicate of ours: dropped */
	unsigned char *d = NULL;
	size_t n = 0;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_preg_set(x.b, x.n, "t", two, 2, &d, &n, &e), 0);
	struct rdls_preg p;
	size_t off;
	const char *why;
	assert_int_equal(rdls_preg_parse(d, n, &p, &off, &why), 0);
	assert_int_equal(p.n, 4);
	assert_memory_equal(d, x.b, first_end); /* header and the first entry, exactly */
	assert_string_equal(p.e[1].value, "LicensingMode");
	assert_int_equal(p.e[1].data[0], 2);
	assert_int_equal(p.e[2].len, mid_end - mid);
	assert_memory_equal(d + p.e[2].off, x.b + mid, mid_end - mid);
	assert_string_equal(p.e[3].value, "LicenseServers");
	rdls_preg_release(&p);
	free(d);
	/* a damaged old file is refused with its offset */
	x.b[first_end] = 'X';
	assert_int_equal(rdls_preg_set(x.b, x.n, "Registry.pol", two, 2, &d, &n, &e), -1);
	char want[64];
	snprintf(want, sizeof(want), "byte offset %zu", first_end);
	if (!strstr(e.text, want))
		fail_msg("'%s' does not name %s", e.text, want);
}

/* ---------------------------------------------------------------- gpt.ini */

#define CSE_REG RDLS_GPO_CSE_REGISTRY
#define TOOL RDLS_GPO_TOOL_ADMX
#define SCRIPTS "[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]"

static char *update(const char *in, bool present)
{
	unsigned char *d = NULL;
	size_t n = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_gptini_update((const unsigned char *)in, in ? strlen(in) : 0, present, "gpt.ini", &d,
			       &n, &e) != 0)
		fail_msg("update: %s", e.text);
	char *s = calloc(1, n + 1);
	memcpy(s, d, n);
	free(d);
	return s;
}

static void test_gptini_update(void **state)
{
	(void)state;
	char *s = update(NULL, false);
	assert_string_equal(s, "[General]\r\ngPCMachineExtensionNames=[" CSE_REG TOOL "]\r\n"
			       "Version=1\r\n");
	free(s);
	/* gpedit.msc's file with a startup script: merged in sorted order, Version raised */
	s = update("[General]\r\ngPCMachineExtensionNames=" SCRIPTS "\r\nVersion=2\r\n", true);
	assert_string_equal(s, "[General]\r\ngPCMachineExtensionNames=[" CSE_REG TOOL "]" SCRIPTS
			       "\r\nVersion=3\r\n");
	free(s);
	/* already listed (lower case): no duplicate; the user part of Version kept; other
	 * lines and sections kept byte for byte */
	s = update("[General]\r\ngPCFunctionalityVersion=2\r\n"
		   "gPCMachineExtensionNames=[{35378eac-683f-11d2-a89a-00c04fbbcfa2}"
		   "{d02b1f72-3407-48ae-ba88-e8213c6761f1}]\r\n"
		   "Version=131077\r\ngPCUserExtensionNames=[" CSE_REG
		   "{D02B1F73-3407-48AE-BA88-E8213C6761F1}]\r\n[Other]\r\nx=1\r\n",
		   true);
	assert_string_equal(s, "[General]\r\ngPCFunctionalityVersion=2\r\n"
			       "gPCMachineExtensionNames=[{35378eac-683f-11d2-a89a-00c04fbbcfa2}"
			       "{d02b1f72-3407-48ae-ba88-e8213c6761f1}]\r\n"
			       "Version=131078\r\ngPCUserExtensionNames=[" CSE_REG
			       "{D02B1F73-3407-48AE-BA88-E8213C6761F1}]\r\n[Other]\r\nx=1\r\n");
	free(s);
	/* the registry CSE with another tool: the Administrative Templates tool joins it */
	s = update("[General]\nVersion=4\ngPCMachineExtensionNames=[" CSE_REG
		   "{FFFFFFFF-0000-0000-0000-000000000000}]",
		   true);
	assert_string_equal(s, "[General]\nVersion=5\ngPCMachineExtensionNames=[" CSE_REG TOOL
			       "{FFFFFFFF-0000-0000-0000-000000000000}]");
	free(s);
	/* no [General]: one is added after what is there; no Version: 1 */
	s = update("[Other]\r\nx=1", true);
	assert_string_equal(s, "[Other]\r\nx=1\r\n[General]\r\ngPCMachineExtensionNames=[" CSE_REG TOOL
			       "]\r\nVersion=1\r\n");
	free(s);
	/* the computer part wraps to 1, never to 0 nor into the user part */
	assert_int_equal(rdls_gptini_bump(0x0003FFFFu), 0x00030001u);
	assert_int_equal(rdls_gptini_bump(0x00030004u), 0x00030005u);
}

static void test_gptini_refuses_unreadable(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[General]\r\nVersion=abc\r\n",
		"[General]\r\nVersion=99999999999\r\n",
		"[General]\r\ngPCMachineExtensionNames=[{oops}]\r\nVersion=1\r\n",
		"[General]\r\ngPCMachineExtensionNames=" SCRIPTS "x\r\n",
		"\xff\xfe[\0G\0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *d = NULL;
		size_t n = 0;
		rdls_err e;
		rdls_err_clear(&e);
		size_t len = i == 4 ? 6 : strlen(bad[i]);
		if (rdls_gptini_update((const unsigned char *)bad[i], len, true, "gpt.ini", &d, &n, &e) ==
		    0)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(d);
		if (i < 4 && !strstr(e.text, "line 2"))
			fail_msg("'%s' does not name line 2", e.text);
	}
}

static void test_gptini_restore(void **state)
{
	(void)state;
	static const char prior[] = "[General]\r\ngPCMachineExtensionNames=" SCRIPTS "\r\nVersion=2\r\n";
	unsigned char *d = NULL;
	size_t n = 0;
	rdls_err e;
	rdls_err_clear(&e);
	assert_int_equal(rdls_gptini_restore((const unsigned char *)prior, strlen(prior), true, 4,
					     "gpt.ini", &d, &n, &e),
			 0);
	static const char want[] = "[General]\r\ngPCMachineExtensionNames=" SCRIPTS "\r\nVersion=4\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(d, want, n);
	free(d);
}

/* ------------------------------------------------- plan, apply, rollback */

/* command on RDSH1 with SH, --yes. */
static int cmd(struct tu_cmd *r, const char *command, bool json)
{
	r->o = (struct rdls_opts){ .command = command, .profile = SH, .host = "RDSH1", .yes = true,
				   .json = json };
	return tu_cmd_run(r);
}

/* RDSH1: a session host, without the RD Licensing role. */
static void run_init(struct tu_cmd *r)
{
	tu_cmd_init(r, "RDSH1");
	fake_set_ls_pub(r->f, RDLS_LS_ROLE_ABSENT);
	fake_set_service(r->f, "TermServLicensing", false);
}

static void expect_rc(struct tu_cmd *r, int got, int want, const char *what)
{
	if (got != want)
		fail_msg("%s: exit %d, expected %d\n--- out\n%s--- err\n%s", what, got, want,
			 r->out_text, r->err_text);
}

#define INI_BEFORE "[General]\r\ngPCMachineExtensionNames=" SCRIPTS "\r\nVersion=2\r\n"

/*
 * The administrator's own policy is in Registry.pol before apply: apply keeps it
 * byte for byte, adds both policies, raises Version; a second plan is converged;
 * rollback gives Registry.pol back byte for byte and gpt.ini except a higher Version.
 */
static void test_gpo_apply_rollback_keeps_foreign_policy(void **state)
{
	(void)state;
	struct tu_cmd r;
	run_init(&r);
	struct bytes pol;
	unrelated(&pol);
	fake_set_file(r.f, FAKE_GPO_REGPOL, pol.b, pol.n);
	fake_set_file(r.f, FAKE_GPO_GPTINI, INI_BEFORE, strlen(INI_BEFORE));

	expect_rc(&r, cmd(&r, "plan", false), RDLS_EXIT_PENDING, "plan");
	if (!strstr(r.out_text, "local Group Policy file %SystemRoot%\\System32\\GroupPolicy\\"
			   "Machine\\Registry.pol"))
		fail_msg("plan does not show Registry.pol:\n%s", r.out_text);
	expect_rc(&r, cmd(&r, "apply", false), RDLS_EXIT_OK, "apply");
	size_t n = 0;
	const unsigned char *d = fake_get_file(r.f, FAKE_GPO_REGPOL, &n);
	assert_non_null(d);
	struct bytes want;
	unrelated(&want);
	entry_sz(&want, TS, "LicenseServers", "LICSVR1,LICSVR2");
	entry_dword(&want, TS, "LicensingMode", 2);
	assert_int_equal(n, want.n);
	assert_memory_equal(d, want.b, n);
	d = fake_get_file(r.f, FAKE_GPO_GPTINI, &n);
	static const char ini_after[] = "[General]\r\ngPCMachineExtensionNames=[" CSE_REG TOOL "]" SCRIPTS
					"\r\nVersion=3\r\n";
	assert_int_equal(n, strlen(ini_after));
	assert_memory_equal(d, ini_after, n);
	assert_non_null(fake_get_reg(r.f, RDLS_KEY_TS_POLICY, "LicenseServers"));

	unsigned writes = fake_writes(r.f);
	expect_rc(&r, cmd(&r, "plan", false), RDLS_EXIT_OK, "plan after apply");
	expect_rc(&r, cmd(&r, "apply", false), RDLS_EXIT_OK, "apply again");
	assert_int_equal(fake_writes(r.f), writes); /* converged: zero writes */

	expect_rc(&r, cmd(&r, "rollback", false), RDLS_EXIT_OK, "rollback");
	d = fake_get_file(r.f, FAKE_GPO_REGPOL, &n);
	assert_int_equal(n, pol.n);
	assert_memory_equal(d, pol.b, n);
	d = fake_get_file(r.f, FAKE_GPO_GPTINI, &n);
	static const char ini_rolled[] = "[General]\r\ngPCMachineExtensionNames=" SCRIPTS
					 "\r\nVersion=4\r\n"; /* never lower than apply's 3 */
	assert_int_equal(n, strlen(ini_rolled));
	assert_memory_equal(d, ini_rolled, n);
	assert_null(fake_get_reg(r.f, RDLS_KEY_TS_POLICY, "LicenseServers"));
	tu_cmd_release(&r);
}

/* No local GPO before: apply creates both files, rollback deletes both. */
static void test_gpo_fresh_files_removed_by_rollback(void **state)
{
	(void)state;
	struct tu_cmd r;
	run_init(&r);
	char *before = fake_snapshot(r.f);
	expect_rc(&r, cmd(&r, "apply", true), RDLS_EXIT_OK, "apply");
	if (!strstr(r.out_text, "\"kind\":\"gpofile\"") &&
	    !strstr(r.out_text, "\"kind\": \"gpofile\""))
		fail_msg("no gpofile step in the JSON:\n%s", r.out_text);
	size_t n = 0;
	assert_non_null(fake_get_file(r.f, FAKE_GPO_REGPOL, &n));
	assert_non_null(fake_get_file(r.f, FAKE_GPO_GPTINI, &n));
	expect_rc(&r, cmd(&r, "rollback", false), RDLS_EXIT_OK, "rollback");
	assert_null(fake_get_file(r.f, FAKE_GPO_REGPOL, &n));
	assert_null(fake_get_file(r.f, FAKE_GPO_GPTINI, &n));
	char *now = fake_snapshot(r.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	tu_cmd_release(&r);
}

/* A damaged Registry.pol: plan and apply exit 1 naming the byte offset, nothing written. */
static void test_gpo_damaged_regpol_refused(void **state)
{
	(void)state;
	struct tu_cmd r;
	run_init(&r);
	struct bytes pol;
	unrelated(&pol);
	pol.b[pol.n - 2] = 'X'; /* the first entry's ']' */
	fake_set_file(r.f, FAKE_GPO_REGPOL, pol.b, pol.n);
	char *before = fake_snapshot(r.f);
	char want[64];
	snprintf(want, sizeof(want), "byte offset %zu", pol.n - 2);
	expect_rc(&r, cmd(&r, "plan", false), RDLS_EXIT_ERROR, "plan");
	if (!strstr(r.err_text, want) || !strstr(r.err_text, "Registry.pol"))
		fail_msg("plan error does not name %s:\n%s", want, r.err_text);
	expect_rc(&r, cmd(&r, "apply", false), RDLS_EXIT_ERROR, "apply");
	if (!strstr(r.err_text, want))
		fail_msg("apply error does not name %s:\n%s", want, r.err_text);
	assert_int_equal(fake_writes(r.f), 0);
	char *now = fake_snapshot(r.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	tu_cmd_release(&r);
}

/* Writing gpt.ini fails: apply undoes Registry.pol and the values, exit 1. */
static void test_gpo_write_failure_rolls_back(void **state)
{
	(void)state;
	struct tu_cmd r;
	run_init(&r);
	struct bytes pol;
	unrelated(&pol);
	fake_set_file(r.f, FAKE_GPO_REGPOL, pol.b, pol.n);
	fake_set_file(r.f, FAKE_GPO_GPTINI, INI_BEFORE, strlen(INI_BEFORE));
	char *before = fake_snapshot(r.f);
	fake_fail_nth(r.f, "file_write", 2, 5);
	expect_rc(&r, cmd(&r, "apply", false), RDLS_EXIT_ERROR, "apply");
	if (!strstr(r.err_text, "MoveFileExW") || !strstr(r.err_text, "gpt.ini"))
		fail_msg("the error does not name MoveFileExW and gpt.ini:\n%s", r.err_text);
	char *now = fake_snapshot(r.f);
	assert_string_equal(now, before);
	free(now);
	free(before);
	size_t n = 0;
	const unsigned char *d = fake_get_file(r.f, FAKE_GPO_REGPOL, &n);
	assert_int_equal(n, pol.n);
	assert_memory_equal(d, pol.b, n);
	tu_cmd_release(&r);
}

static struct rdls_plan *plan_sh(struct tu_cmd *r)
{
	r->o = (struct rdls_opts){ .command = "plan", .profile = SH, .host = "RDSH1" };
	struct rdls_plan *p = tu_cmd_plan(r);
	assert_non_null(p);
	return p;
}

static size_t warnings_with(const struct rdls_plan *p, const char *text)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n_warnings; i++)
		k += strstr(p->warnings[i], text) != NULL;
	return k;
}

/* On a domain member a domain GPO that sets a policy wins: plan names it. */
static void test_gpo_domain_gpo_warning(void **state)
{
	(void)state;
	struct tu_cmd r;
	run_init(&r);
	fake_add_gpo_setting(r.f, "LicenseServers", "RDS Licensing (domain)");
	fake_add_gpo_setting(r.f, "LicensingMode", "RDS Licensing (domain)");
	fake_add_gpo_setting(r.f, "fDenyTSConnections", "Lockdown");
	/* not domain-joined: RSOP is not even asked */
	struct rdls_plan *p = plan_sh(&r);
	assert_int_equal(warnings_with(p, "domain GPO"), 0);
	assert_int_equal(fake_calls(r.f, "gpo_domain_settings"), 0);
	rdls_plan_free(p);

	rdls_osinfo os = { .major = 10, .build = 17763, .server = true, .domain_joined = true };
	fake_set_os(r.f, &os);
	p = plan_sh(&r);
	assert_int_equal(warnings_with(p, "domain GPO 'RDS Licensing (domain)' sets LicenseServers"), 1);
	assert_int_equal(warnings_with(p, "domain GPO 'RDS Licensing (domain)' sets LicensingMode"), 1);
	assert_int_equal(warnings_with(p, "wins over the local Group Policy object at the next "
					  "refresh"),
			 2);
	assert_int_equal(warnings_with(p, "Lockdown"), 0); /* not one of the two policies */
	rdls_plan_free(p);

	/* RSOP failing, and RSOP missing: said, not hidden */
	fake_fail_nth(r.f, "gpo_domain_settings", 1, 0x8004100Eu);
	p = plan_sh(&r);
	assert_int_equal(warnings_with(p, "cannot be told"), 1);
	assert_int_equal(warnings_with(p, "IWbemServices::ExecQuery"), 1);
	rdls_plan_free(p);
	fake_drop_op(r.f, "gpo_domain_settings");
	p = plan_sh(&r);
	assert_int_equal(warnings_with(p, "Resultant Set of Policy is not available"), 1);
	rdls_plan_free(p);
	tu_cmd_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preg_parse_entries),
		cmocka_unit_test(test_preg_malformed_offsets),
		cmocka_unit_test(test_preg_set_new_and_round_trip),
		cmocka_unit_test(test_preg_set_keeps_other_entries),
		cmocka_unit_test(test_gptini_update),
		cmocka_unit_test(test_gptini_refuses_unreadable),
		cmocka_unit_test(test_gptini_restore),
		cmocka_unit_test(test_gpo_apply_rollback_keeps_foreign_policy),
		cmocka_unit_test(test_gpo_fresh_files_removed_by_rollback),
		cmocka_unit_test(test_gpo_damaged_regpol_refused),
		cmocka_unit_test(test_gpo_write_failure_rolls_back),
		cmocka_unit_test(test_gpo_domain_gpo_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
