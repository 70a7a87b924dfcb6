/*
 * The profile loader (profile.c + model.c): malformed profiles, each with the
 * exact line and message it must produce; limits of the text (long lines, NUL
 * bytes, encodings, line ends); the model built from valid profiles; the name
 * rules. Messages are compared in full: they are the user interface.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <ini.h>

#include "rdls/model.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

struct loaded {
	struct rdls_diags d;
	struct rdls_model *m;
};

static void load_n(struct loaded *l, const char *text, size_t len)
{
	FILE *f = tu_tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	rewind(f);
	rdls_diags_init(&l->d, "t.ini");
	l->m = rdls_model_load(f, "t.ini", &l->d);
	fclose(f);
}

static void load(struct loaded *l, const char *text)
{
	load_n(l, text, strlen(text));
}

static void unload(struct loaded *l)
{
	rdls_model_free(l->m);
	rdls_diags_release(&l->d);
}

static void dump(const struct loaded *l)
{
	print_message("diags of the profile (%zu, %zu errors):\n", l->d.n, l->d.n_errors);
	for (size_t i = 0; i < l->d.n; i++)
		print_message("  %d: %s%s\n", l->d.v[i].line,
			      l->d.v[i].sev == RDLS_SEV_WARNING ? "warning: " : "", l->d.v[i].msg);
}

/* The size of the line buffer ini_parse_stream hands to its reader, which is what
 * profile.c measures lines against. Asked at run time because only Debian's
 * libinih exports it (as ini_max_line); upstream inih, as MSYS2 ships it, has just
 * the INI_MAX_LINE its library was built with. */
static char *probe_reader(char *str, int num, void *stream)
{
	(void)str;
	*(int *)stream = num;
	return NULL;
}

static int probe_handler(void *user, const char *section, const char *name, const char *value)
{
	(void)user;
	(void)section;
	(void)name;
	(void)value;
	return 1;
}

static int inih_line_buffer(void)
{
	int num = 0;
	ini_parse_stream(probe_reader, &num, probe_handler, NULL);
	return num;
}

struct exp {
	int line;
	const char *msg;
};

/* The errors of l, in order, are exactly e[0..n). Warnings are not compared. */
static void assert_errors(const struct loaded *l, const struct exp *e, size_t n)
{
	size_t k = 0;
	bool ok = l->d.n_errors == n && l->m == NULL;
	for (size_t i = 0; ok && i < l->d.n; i++) {
		if (l->d.v[i].sev != RDLS_SEV_ERROR)
			continue;
		if (k >= n || l->d.v[i].line != e[k].line || strcmp(l->d.v[i].msg, e[k].msg) != 0)
			ok = false;
		k++;
	}
	if (!ok) {
		dump(l);
		for (size_t i = 0; i < n; i++)
			print_message("expected %d: %s\n", e[i].line, e[i].msg);
		fail_msg("errors differ from the expected ones (see above)");
	}
}

/* The profile has exactly one error: line, msg. */
static void expect1(const char *text, int line, const char *msg)
{
	struct loaded l;
	load(&l, text);
	struct exp e = { line, msg };
	assert_errors(&l, &e, 1);
	unload(&l);
}

static void assert_valid(const struct loaded *l)
{
	if (!l->m || l->d.n_errors) {
		dump(l);
		fail_msg("profile rejected with %zu errors", l->d.n_errors);
	}
}

static bool has_warning(const struct loaded *l, int line, const char *prefix)
{
	for (size_t i = 0; i < l->d.n; i++)
		if (l->d.v[i].sev == RDLS_SEV_WARNING && l->d.v[i].line == line &&
		    strncmp(l->d.v[i].msg, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* A valid workgroup profile; its line numbers are used below. */
#define L_DEP "[deployment]\n"                            /* 1 */
#define L_MEM "membership = workgroup\n"                  /* 2 */
#define L_MODE "licensing_mode = per_device\n"            /* 3 */
#define L_CAL "cal_version = 2019\n"                      /* 4 */
#define L_PEER "[peering]\n"                              /* 5 */
#define L_ACC "account = rdls-peer\n"                     /* 6 */
#define L_GRP "group = RDLS Peers\n"                      /* 7 */
#define L_PWD "password = env:RDLS_PEER_PASSWORD\n"       /* 8 */
#define L_LS1 "[license_server LICSVR1]\nos = 2019\n"     /* 9, 10 */
#define L_LS2 "[license_server LICSVR2]\nos = 2019\n"     /* 11, 12 */
#define WG L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2

/* A valid domain profile. */
#define DOM                                                                                \
	"[deployment]\n"                 /* 1 */                                           \
	"membership = domain\n"          /* 2 */                                           \
	"licensing_mode = per_user\n"    /* 3 */                                           \
	"cal_version = 2019\n"           /* 4 */                                           \
	"[discovery]\n"                  /* 5 */                                           \
	"method = publish\n"             /* 6 */                                           \
	"[license_server LICSVR1]\n"     /* 7 */                                           \
	"os = 2019\n"                    /* 8 */                                           \
	"[license_server LICSVR2]\n"     /* 9 */                                           \
	"os = 2022\n"                    /* 10 */

#define OS_LIST "2008 | 2008r2 | 2012 | 2012r2 | 2016 | 2019 | 2022 | 2025"
#define CAL_LIST "2008r2 | 2012 | 2016 | 2019 | 2022 | 2025"
#define WARN_WG "Microsoft does not recommend multiple license servers in a workgroup"

/* ------------------------------------------------------ the base profiles */

static void test_profile_base_workgroup_valid(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, WG);
	assert_valid(&l);
	assert_true(has_warning(&l, 2, WARN_WG));
	assert_int_equal(l.d.n, 1);
	const struct rdls_model *m = l.m;
	assert_int_equal(m->membership, RDLS_WORKGROUP);
	assert_int_equal(m->licensing_mode, RDLS_PER_DEVICE);
	assert_int_equal(m->cal, RDLS_CAL_2019);
	assert_true(m->has_peering);
	assert_string_equal(m->peering.account, "rdls-peer");
	assert_string_equal(m->peering.group, "RDLS Peers");
	assert_int_equal(m->peering.src, RDLS_SECRET_ENV);
	assert_string_equal(m->peering.secret_ref, "RDLS_PEER_PASSWORD");
	assert_int_equal(m->peering.line, 5);
	assert_int_equal(m->n_ls, 2);
	assert_string_equal(m->ls[0].name, "LICSVR1");
	assert_string_equal(m->ls[0].dns, "LICSVR1");
	assert_int_equal(m->ls[0].os, RDLS_OS_2019);
	assert_int_equal(m->ls[0].line, 9);
	assert_string_equal(m->ls[1].name, "LICSVR2");
	assert_int_equal(m->ls[1].line, 11);
	assert_int_equal(m->n_sh, 0);
	assert_string_equal(m->path, "t.ini");
	unload(&l);
}

static void test_profile_base_domain_valid(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, DOM);
	assert_valid(&l);
	assert_int_equal(l.d.n, 0);
	assert_int_equal(l.m->membership, RDLS_DOMAIN);
	assert_int_equal(l.m->licensing_mode, RDLS_PER_USER);
	assert_int_equal(l.m->discovery, RDLS_DISC_PUBLISH);
	assert_false(l.m->has_peering);
	assert_int_equal(l.m->ls[1].os, RDLS_OS_2022);
	unload(&l);
}

/* A profile with every key of the README's "Profile reference" and an inline comment after
 * each value, made consistent (a workgroup profile has no [discovery]). */
static void test_profile_design_example_inline_comments(void **state)
{
	(void)state;
	struct loaded l;
	load(&l,
	     "[deployment]\n"
	     "membership     = workgroup        ; workgroup | domain\n"
	     "licensing_mode = per_device       ; per_device | per_user (workgroup requires per_device)\n"
	     "cal_version    = 2019             ; 2008r2 | 2012 | 2016 | 2019 | 2022 | 2025\n"
	     "\n"
	     "[peering]                         ; workgroup: how license servers authenticate to each other\n"
	     "account  = rdls-peer              ; local user created on every license server\n"
	     "group    = RDLS Peers             ; local group registered with the licensing service\n"
	     "password = env:RDLS_PEER_PASSWORD ; env:NAME | file:PATH | prompt   (never the secret itself)\n"
	     "\n"
	     "[license_server LICSVR1]\n"
	     "os  = 2019                        ; 2008 | 2008r2 | 2012 | 2012r2 | 2016 | 2019 | 2022 | 2025\n"
	     "dns = licsvr1.corp.example        ; optional; default: the section name\n"
	     "\n"
	     "[license_server LICSVR2]\n"
	     "os = 2019\n"
	     "\n"
	     "[session_host RDSH1]\n"
	     "os = 2019\n"
	     "license_servers = LICSVR1, LICSVR2   ; default: every license server in the profile\n"
	     "credentials     = no                 ; workgroup: also store NETWORK SERVICE credentials for them\n");
	assert_valid(&l);
	const struct rdls_model *m = l.m;
	assert_string_equal(m->peering.group, "RDLS Peers");
	assert_string_equal(m->peering.secret_ref, "RDLS_PEER_PASSWORD");
	assert_string_equal(m->ls[0].dns, "licsvr1.corp.example");
	assert_string_equal(m->ls[1].dns, "LICSVR2");
	assert_int_equal(m->n_sh, 1);
	assert_int_equal(m->sh[0].n_ls, 2);
	assert_int_equal(m->sh[0].ls[0], 0);
	assert_int_equal(m->sh[0].ls[1], 1);
	assert_false(m->sh[0].credentials);
	unload(&l);
}

/* ------------------------------------------- malformed: sections and keys */

static void test_profile_unknown_key_did_you_mean(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER "acount = rdls-peer\n" L_GRP L_PWD L_LS1 L_LS2);
	const struct exp e[] = {
		{ 5, "missing key 'account' in [peering] (a local user name, e.g. rdls-peer)" },
		{ 6, "unknown key 'acount' in [peering] (did you mean 'account'?)" },
	};
	assert_errors(&l, e, 2);
	unload(&l);
}

static void test_profile_unknown_key_no_suggestion(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL "colour = red\n" L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 5,
		"unknown key 'colour' in [deployment] (expected membership, licensing_mode or "
		"cal_version)");
}

static void test_profile_unknown_key_license_server(void **state)
{
	(void)state;
	expect1(WG "dnsname = x.example\n", 13,
		"unknown key 'dnsname' in [license_server LICSVR2] (expected os or dns)");
}

static void test_profile_unknown_key_session_host_typo(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_server = LICSVR1\n", 15,
		"unknown key 'license_server' in [session_host RDSH1] (did you mean "
		"'license_servers'?)");
}

static void test_profile_unknown_section_did_you_mean(void **state)
{
	(void)state;
	expect1(WG "[discovry]\nmethod = publish\n", 13,
		"unknown section [discovry] (did you mean [discovery]?)");
}

static void test_profile_unknown_section_named_typo(void **state)
{
	(void)state;
	expect1(WG "[licence_server LICSVR3]\nos = 2019\n", 13,
		"unknown section [licence_server LICSVR3] (did you mean [license_server "
		"LICSVR3]?)");
}

static void test_profile_unknown_section_two_words(void **state)
{
	(void)state;
	expect1(WG "[session host RDSH1]\nos = 2019\n", 13,
		"unknown section [session host RDSH1] (did you mean [session_host RDSH1]?)");
}

static void test_profile_unknown_section_no_suggestion(void **state)
{
	(void)state;
	expect1("[global]\nx = 1\n" WG, 1,
		"unknown section [global] (expected [deployment], [peering], [discovery], "
		"[license_server NAME] or [session_host NAME])");
}

static void test_profile_duplicate_key(void **state)
{
	(void)state;
	expect1(WG "os = 2016\n", 13,
		"duplicate key 'os' in [license_server LICSVR2] (first at line 12)");
}

static void test_profile_duplicate_key_case_insensitive(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM "Membership = domain\n" L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1
		L_LS2, 3, "duplicate key 'membership' in [deployment] (first at line 2)");
}

static void test_profile_duplicate_section(void **state)
{
	(void)state;
	expect1(WG "[peering]\naccount = other\n", 13,
		"duplicate section [peering] (first at line 5)");
}

static void test_profile_duplicate_license_server_case(void **state)
{
	(void)state;
	expect1(WG "[license_server licsvr1]\nos = 2019\n", 13,
		"duplicate license server 'licsvr1' (first at line 9; computer names compare "
		"case-insensitively)");
}

static void test_profile_duplicate_session_host(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\n[session_host rdsh1]\nos = 2019\n", 15,
		"duplicate session host 'rdsh1' (first at line 13; computer names compare "
		"case-insensitively)");
}

static void test_profile_section_needs_name(void **state)
{
	(void)state;
	expect1(WG "[session_host]\nos = 2019\n", 13,
		"section [session_host] needs a computer name: [session_host NAME]");
}

static void test_profile_section_takes_no_name(void **state)
{
	(void)state;
	expect1("[deployment main]\n" L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 1,
		"unexpected name 'main' in [deployment main] (write [deployment])");
}

static void test_profile_missing_membership(void **state)
{
	(void)state;
	expect1(L_DEP L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 1,
		"missing key 'membership' in [deployment] (workgroup | domain)");
}

static void test_profile_missing_licensing_mode(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 1,
		"missing key 'licensing_mode' in [deployment] (per_device | per_user)");
}

static void test_profile_missing_cal_version(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 1,
		"missing key 'cal_version' in [deployment] (" CAL_LIST ")");
}

static void test_profile_missing_os(void **state)
{
	(void)state;
	expect1(WG "[license_server LICSVR3]\ndns = licsvr3.example\n", 13,
		"missing key 'os' in [license_server LICSVR3] (" OS_LIST ")");
}

static void test_profile_missing_password(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_LS1 L_LS2, 5,
		"missing key 'password' in [peering] (env:NAME | file:PATH | prompt)");
}

static void test_profile_missing_group(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_PWD L_LS1 L_LS2, 5,
		"missing key 'group' in [peering] (a local group name, e.g. RDLS Peers)");
}

static void test_profile_missing_method(void **state)
{
	(void)state;
	expect1("[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = "
		"2019\n[discovery]\n[license_server A]\nos = 2019\n[license_server B]\nos = 2019\n",
		5,
		"missing key 'method' in [discovery] (publish | specified | both; there is no "
		"default: publish writes to Active Directory, specified to each server's "
		"registry)");
}

static void test_profile_missing_deployment(void **state)
{
	(void)state;
	expect1(L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 0,
		"missing section [deployment] (membership, licensing_mode, cal_version)");
}

static void test_profile_empty_file(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "");
	const struct exp e[] = {
		{ 0, "missing section [deployment] (membership, licensing_mode, cal_version)" },
		{ 0, "no [license_server NAME] section: rdlsctl needs at least two license "
		     "servers" },
	};
	assert_errors(&l, e, 2);
	unload(&l);
}

/* ------------------------------------------------------- malformed: values */

static void test_profile_bad_membership(void **state)
{
	(void)state;
	expect1(L_DEP "membership = wrkgroup\n" L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2,
		2, "invalid membership 'wrkgroup' in [deployment] (expected workgroup | domain)");
}

static void test_profile_bad_licensing_mode(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM "licensing_mode = per_seat\n" L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1
		L_LS2, 3,
		"invalid licensing_mode 'per_seat' in [deployment] (expected per_device | "
		"per_user)");
}

static void test_profile_bad_cal_version(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE "cal_version = 2020\n" L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2, 4,
		"invalid cal_version '2020' in [deployment] (expected " CAL_LIST ")");
}

static void test_profile_cal_version_2012r2_hint(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE "cal_version = 2012R2\n" L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2,
		4,
		"invalid cal_version '2012R2' in [deployment] (expected " CAL_LIST
		"; there is no 2012 R2 CAL: 2012 R2 uses RDS 2012 CALs)");
}

static void test_profile_bad_os(void **state)
{
	(void)state;
	expect1(WG "[license_server LICSVR3]\nos = 2003\n", 14,
		"invalid os '2003' in [license_server LICSVR3] (expected " OS_LIST ")");
}

static void test_profile_hash_comment_hint(void **state)
{
	(void)state;
	expect1(WG "[license_server LICSVR3]\nos = 2019   # the new one\n", 14,
		"invalid os '2019   # the new one' in [license_server LICSVR3] (expected " OS_LIST
		"; a comment after a value starts with ';')");
}

static void test_profile_bad_method(void **state)
{
	(void)state;
	expect1("[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = "
		"2019\n[discovery]\nmethod = publishls\n[license_server A]\nos = "
		"2019\n[license_server B]\nos = 2019\n",
		6,
		"invalid method 'publishls' in [discovery] (expected publish | specified | both)");
}

static void test_profile_bad_credentials(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\ncredentials = maybe\n", 15,
		"invalid credentials 'maybe' in [session_host RDSH1] (expected yes | no)");
}

static void test_profile_empty_value(void **state)
{
	(void)state;
	expect1(WG "[license_server LICSVR3]\nos =\n", 14,
		"missing value for 'os' in [license_server LICSVR3] (expected " OS_LIST ")");
}

static void test_profile_quoted_value(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = \"RDLS Peers\"\n" L_PWD L_LS1 L_LS2,
		7, "value of 'group' in [peering] is in quotes; write it without them");
}

/* ------------------------------------------------------ malformed: names */

static void test_profile_computer_name_too_long(void **state)
{
	(void)state;
	expect1(WG "[license_server LICENSESERVER01X]\nos = 2019\n", 13,
		"invalid computer name 'LICENSESERVER01X': more than 15 characters (16)");
}

static void test_profile_computer_name_bad_char(void **state)
{
	(void)state;
	expect1(WG "[session_host RD*SH1]\nos = 2019\n", 13,
		"invalid computer name 'RD*SH1': contains '*'");
}

static void test_profile_computer_name_backslash(void **state)
{
	(void)state;
	expect1(WG "[session_host CORP\\RDSH1]\nos = 2019\n", 13,
		"invalid computer name 'CORP\\RDSH1': contains '\\'");
}

static void test_profile_computer_name_leading_period(void **state)
{
	(void)state;
	expect1(WG "[session_host .RDSH1]\nos = 2019\n", 13,
		"invalid computer name '.RDSH1': starts with a period");
}

static void test_profile_computer_name_space(void **state)
{
	(void)state;
	expect1(WG "[session_host RD SH1]\nos = 2019\n", 13,
		"invalid computer name 'RD SH1': contains a space");
}

static void test_profile_account_too_long(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER "account = rdls-peer-account-0001\n" L_GRP L_PWD
		L_LS1 L_LS2, 6,
		"invalid account 'rdls-peer-account-0001': more than 20 characters (22) (local "
		"user names have at most 20 characters, none of \" / \\ [ ] : ; | = , + * ? < > @)");
}

static void test_profile_account_at_sign(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER "account = peer@corp\n" L_GRP L_PWD L_LS1 L_LS2, 6,
		"invalid account 'peer@corp': contains '@' (local user names have at most 20 "
		"characters, none of \" / \\ [ ] : ; | = , + * ? < > @)");
}

static void test_profile_account_trailing_period(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER "account = rdls.\n" L_GRP L_PWD L_LS1 L_LS2, 6,
		"invalid account 'rdls.': ends with a period (local user names have at most 20 "
		"characters, none of \" / \\ [ ] : ; | = , + * ? < > @)");
}

static void test_profile_account_builtin(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER "account = administrator\n" L_GRP L_PWD L_LS1
		L_LS2, 6,
		"account 'administrator' is a built-in Windows account; use a dedicated account, "
		"as the document recommends");
}

static void test_profile_group_bad_char(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = RDLS;Peers\n" L_PWD L_LS1 L_LS2, 7,
		"invalid group 'RDLS;Peers': contains ';' (local group names have at most 256 "
		"characters, none of \" / \\ [ ] : ; | = , + * ? < >)");
}

static void test_profile_group_may_contain_at(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = peers@rdls\n" L_PWD L_LS1 L_LS2);
	assert_valid(&l);
	assert_string_equal(l.m->peering.group, "peers@rdls");
	unload(&l);
}

static void test_profile_group_builtin(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = Administrators\n" L_PWD L_LS1 L_LS2,
		7,
		"group 'Administrators' is a built-in Windows group: the peer account would gain "
		"its rights; use a dedicated group such as 'RDLS Peers'");
}

static void test_profile_group_equals_account(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = RDLS-PEER\n" L_PWD L_LS1 L_LS2, 7,
		"group 'RDLS-PEER' has the name of account 'rdls-peer': Windows keeps local users "
		"and groups in one namespace, so they must differ");
}

static void test_profile_dns_empty_label(void **state)
{
	(void)state;
	expect1(WG "dns = licsvr2..corp.example\n", 13,
		"invalid DNS name 'licsvr2..corp.example' in [license_server LICSVR2]: has an "
		"empty label (two periods in a row, or a leading period)");
}

static void test_profile_dns_hyphen(void **state)
{
	(void)state;
	expect1(WG "dns = licsvr2-.corp.example\n", 13,
		"invalid DNS name 'licsvr2-.corp.example' in [license_server LICSVR2]: label "
		"'licsvr2-' starts or ends with a hyphen");
}

static void test_profile_dns_bad_char(void **state)
{
	(void)state;
	expect1(WG "dns = licsvr2.corp.example/x\n", 13,
		"invalid DNS name 'licsvr2.corp.example/x' in [license_server LICSVR2]: contains "
		"'/'");
}

static void test_profile_dns_default_invalid_in_domain(void **state)
{
	(void)state;
	expect1(DOM "[license_server LIC!3]\nos = 2019\n", 11,
		"computer name 'LIC!3' is not a valid DNS name (contains '!'); add dns = its DNS "
		"host name");
}

static void test_profile_dns_duplicate(void **state)
{
	(void)state;
	expect1(DOM "dns = licsvr1\n", 11,
		"license server 'LICSVR2' has the same DNS name 'licsvr1' as license server "
		"'LICSVR1' (line 7)");
}

/* ---------------------------------------------------- malformed: password */

#define LITERAL "S3cr3t-Hunter2!"

static void test_profile_password_literal_refused_not_echoed(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = " LITERAL "\n" L_LS1 L_LS2);
	const struct exp e[] = {
		{ 8, "password must be env:NAME, file:PATH or prompt, not the password itself: the "
		     "profile is copied to every server and anyone who can read it would learn it "
		     "(the value is not shown here)" },
	};
	assert_errors(&l, e, 1);
	for (size_t i = 0; i < l.d.n; i++)
		if (strstr(l.d.v[i].msg, "Hunter2"))
			fail_msg("the literal password appears in diag %zu: %s", i, l.d.v[i].msg);
	unload(&l);
}

static void test_profile_password_literal_with_comment_not_echoed(void **state)
{
	(void)state;
	/* Every way a password line can fail must keep the value out of the messages. */
	const char *lines[] = {
		"password = " LITERAL " ; the real one\n",
		"password = \"" LITERAL "\"\n",
		"pasword = " LITERAL "\n",
		"password " LITERAL "\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		char text[1024];
		snprintf(text, sizeof(text), "%s%s%s", L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP,
			 lines[i], L_LS1 L_LS2);
		struct loaded l;
		load(&l, text);
		if (l.d.n_errors == 0)
			fail_msg("case %zu accepted", i);
		for (size_t k = 0; k < l.d.n; k++)
			if (strstr(l.d.v[k].msg, "Hunter2"))
				fail_msg("case %zu: the password appears in: %s", i, l.d.v[k].msg);
		unload(&l);
	}
}

static void test_profile_password_env_without_name(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = env:\n" L_LS1 L_LS2, 8,
		"password = env: needs the name of an environment variable (env:NAME)");
}

static void test_profile_password_file_without_path(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = file:\n" L_LS1 L_LS2, 8,
		"password = file: needs a path (file:PATH)");
}

static void test_profile_password_sources(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = FILE:/etc/rdls/peer\n"
		 L_LS1 L_LS2);
	assert_valid(&l);
	assert_int_equal(l.m->peering.src, RDLS_SECRET_FILE);
	assert_string_equal(l.m->peering.secret_ref, "/etc/rdls/peer");
	unload(&l);

	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = prompt\n" L_LS1 L_LS2);
	assert_valid(&l);
	assert_int_equal(l.m->peering.src, RDLS_SECRET_PROMPT);
	assert_null(l.m->peering.secret_ref);
	unload(&l);

	/* A relative path is accepted with a warning: it is not relative to the profile. */
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP "password = file:peer.txt\n" L_LS1
		 L_LS2);
	assert_valid(&l);
	assert_true(has_warning(&l, 8, "password file 'peer.txt' is a relative path: it is read "
				       "from the current directory, not the profile's"));
	unload(&l);

	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP
		 "password = file:C:\\ProgramData\\rdls\\peer.txt\n" L_LS1 L_LS2);
	assert_valid(&l);
	assert_string_equal(l.m->peering.secret_ref, "C:\\ProgramData\\rdls\\peer.txt");
	assert_int_equal(l.d.n, 1); /* only the workgroup warning */
	unload(&l);
}

/* ------------------------------------------------- malformed: deployment */

static void test_profile_per_user_in_workgroup(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM "licensing_mode = per_user\n" L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1
		L_LS2, 3,
		"licensing_mode = per_user cannot be used in a workgroup: \"If you use workgroup "
		"servers for your RDS deployment, you have to use Per Device CALs\" "
		"(troubleshooting document \"Cannot connect to RDS because there are no RD "
		"Licensing servers available to issue licenses\"); use per_device");
}

static void test_profile_peering_in_domain(void **state)
{
	(void)state;
	expect1(DOM L_PEER L_ACC L_GRP L_PWD, 11,
		"[peering] is for workgroup profiles, but membership = domain (line 2); domain "
		"license servers recognise each other through [discovery]");
}

static void test_profile_discovery_in_workgroup(void **state)
{
	(void)state;
	expect1(WG "[discovery]\nmethod = publish\n", 13,
		"[discovery] is for domain profiles, but membership = workgroup (line 2); "
		"workgroup license servers recognise each other through [peering]");
}

static void test_profile_workgroup_without_peering(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_LS1 L_LS2, 2,
		"membership = workgroup needs a [peering] section (account, group, password)");
}

static void test_profile_domain_without_discovery(void **state)
{
	(void)state;
	expect1("[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = "
		"2019\n[license_server A]\nos = 2019\n[license_server B]\nos = 2019\n",
		2,
		"membership = domain needs a [discovery] section (method = publish | specified | "
		"both)");
}

static void test_profile_one_license_server(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1, 9,
		"only one license server: rdlsctl makes two or more license servers trust each "
		"other (add another [license_server NAME])");
}

static void test_profile_no_license_server(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD, 1,
		"no [license_server NAME] section: rdlsctl needs at least two license servers");
}

static void test_profile_credentials_in_domain(void **state)
{
	(void)state;
	expect1(DOM "[session_host RDSH1]\nos = 2019\ncredentials = yes\n", 13,
		"credentials = yes is for workgroup profiles (in a domain, session hosts reach "
		"license servers with their computer accounts)");
}

/* ------------------------------------------- malformed: session host lists */

static void test_profile_session_host_unknown_license_server(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_servers = LICSVR1, LICSVR3\n", 15,
		"license_servers of [session_host RDSH1] names 'LICSVR3', which has no "
		"[license_server] section (did you mean 'LICSVR1'?)");
}

static void test_profile_session_host_unknown_no_suggestion(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_servers = BACKUP\n", 15,
		"license_servers of [session_host RDSH1] names 'BACKUP', which has no "
		"[license_server] section");
}

static void test_profile_session_host_names_itself_not_ls(void **state)
{
	(void)state;
	/* A session host is not a license server just because it has a section. */
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_servers = RDSH1\n", 15,
		"license_servers of [session_host RDSH1] names 'RDSH1', which has no "
		"[license_server] section");
}

static void test_profile_session_host_duplicate_entry(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_servers = LICSVR1, licsvr1\n", 15,
		"license_servers of [session_host RDSH1] names 'licsvr1' twice");
}

static void test_profile_session_host_empty_entry(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1]\nos = 2019\nlicense_servers = LICSVR1,,LICSVR2\n", 15,
		"license_servers of [session_host RDSH1] has an empty entry (separate names with "
		"single commas)");
}

/* ------------------------------------------------- malformed: compatibility */

static void test_profile_compat_session_host_too_new(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE "cal_version = 2016\n" L_PEER L_ACC L_GRP L_PWD L_LS1 L_LS2
		"[session_host RDSH1]\nos = 2019\n", 14,
		"session host 'RDSH1' runs Windows Server 2019, which cannot use RDS 2016 CALs: a "
		"session host needs a CAL of at least its own version (\"session host\" table of "
		"the troubleshooting document)");
}

static void test_profile_compat_license_server_too_old(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1
		"[license_server LICSVR2]\nos = 2012r2\n", 12,
		"license server 'LICSVR2' runs Windows Server 2012 R2, which cannot issue RDS 2019 "
		"CALs: a license server issues CALs up to its own version (\"license server\" table "
		"of the troubleshooting document)");
}

static void test_profile_compat_extension_named(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE "cal_version = 2025\n" L_PEER L_ACC L_GRP L_PWD
		 "[license_server LICSVR1]\nos = 2025\n[license_server LICSVR2]\nos = 2022\n"
		 "[session_host RDSH1]\nos = 2008r2\n");
	const struct exp e[] = {
		{ 12, "license server 'LICSVR2' runs Windows Server 2022, which cannot issue RDS "
		      "2025 CALs: a license server issues CALs up to its own version (\"license "
		      "server\" table of the troubleshooting document, extended to 2022 and 2025 "
		      "by its rule)" },
	};
	assert_errors(&l, e, 1);
	unload(&l);
}

static void test_profile_compat_every_host_named(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE "cal_version = 2012\n" L_PEER L_ACC L_GRP L_PWD
		 "[license_server LICSVR1]\nos = 2008\n[license_server LICSVR2]\nos = 2012\n"
		 "[session_host RDSH1]\nos = 2016\n[session_host RDSH2]\nos = 2012r2\n"
		 "[session_host RDSH3]\nos = 2022\n");
	const struct exp e[] = {
		{ 10, "license server 'LICSVR1' runs Windows Server 2008, which cannot issue RDS "
		      "2012 CALs: a license server issues CALs up to its own version (\"license "
		      "server\" table of the troubleshooting document)" },
		{ 14, "session host 'RDSH1' runs Windows Server 2016, which cannot use RDS 2012 "
		      "CALs: a session host needs a CAL of at least its own version (\"session "
		      "host\" table of the troubleshooting document)" },
		{ 18, "session host 'RDSH3' runs Windows Server 2022, which cannot use RDS 2012 "
		      "CALs: a session host needs a CAL of at least its own version (\"session "
		      "host\" table of the troubleshooting document, extended to 2022 and 2025 by "
		      "its rule)" },
	};
	assert_errors(&l, e, 3);
	unload(&l);
}

/* ---------------------------------------------------- malformed: syntax */

static void test_profile_missing_bracket(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1\nos = 2019\n", 13,
		"missing ']' at the end of the section header");
}

static void test_profile_text_after_bracket(void **state)
{
	(void)state;
	expect1(WG "[session_host RDSH1] os = 2019\n", 13,
		"unexpected text after ']' (a comment starts with ';')");
}

static void test_profile_empty_section_header(void **state)
{
	(void)state;
	expect1(WG "[]\nos = 2019\n", 13, "empty section header '[]'");
}

static void test_profile_key_before_section(void **state)
{
	(void)state;
	expect1("membership = workgroup\n" WG, 1,
		"key 'membership' comes before the first [section]");
}

static void test_profile_line_without_equals(void **state)
{
	(void)state;
	expect1(WG "os 2019\n", 13, "expected 'key = value', a [section] or a ';' comment");
}

static void test_profile_indented_line_is_no_continuation(void **state)
{
	(void)state;
	expect1(L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC "group = RDLS\n    Peers\n" L_PWD L_LS1
		L_LS2, 8,
		"expected 'key = value' (an indented line does not continue the value above)");
}

static void test_profile_missing_key_name(void **state)
{
	(void)state;
	expect1(WG "= 2019\n", 13, "missing key name before '='");
}

/* All errors of a file are reported, sorted by line, whatever their kind. */
static void test_profile_all_errors_sorted(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "[deployment]\n"                     /* 1 */
		 "membership = workgroup\n"           /* 2 */
		 "licensing_mode = per_user\n"        /* 3 */
		 "cal_version = 2019\n"               /* 4 */
		 "[peering]\n"                        /* 5 */
		 "account = rdls-peer\n"              /* 6 */
		 "group = RDLS Peers\n"               /* 7 */
		 "password = env:P\n"                 /* 8 */
		 "extra = 1\n"                        /* 9 */
		 "[license_server LICSVR1]\n"         /* 10 */
		 "os = 2016\n"                        /* 11 */
		 "[license_server LICSVR2]\n"         /* 12 */
		 "os = 2019\n"                        /* 13 */
		 "[session_host RDSH1]\n"             /* 14 */
		 "os = 2019\n"                        /* 15 */
		 "license_servers = LICSVR9\n"        /* 16 */
		 "bogus\n");                          /* 17 */
	const struct exp e[] = {
		{ 3, "licensing_mode = per_user cannot be used in a workgroup: \"If you use "
		     "workgroup servers for your RDS deployment, you have to use Per Device CALs\" "
		     "(troubleshooting document \"Cannot connect to RDS because there are no RD "
		     "Licensing servers available to issue licenses\"); use per_device" },
		{ 9, "unknown key 'extra' in [peering] (expected account, group or password)" },
		{ 11, "license server 'LICSVR1' runs Windows Server 2016, which cannot issue RDS "
		      "2019 CALs: a license server issues CALs up to its own version (\"license "
		      "server\" table of the troubleshooting document)" },
		{ 16, "license_servers of [session_host RDSH1] names 'LICSVR9', which has no "
		      "[license_server] section (did you mean 'LICSVR1'?)" },
		{ 17, "expected 'key = value', a [section] or a ';' comment" },
	};
	assert_errors(&l, e, 5);
	unload(&l);
}

/* ------------------------------------------------------------------ limits */

static void test_profile_limit_10000_sections(void **state)
{
	(void)state;
	size_t cap = 1u << 20, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "%s",
				"[deployment]\nmembership = domain\nlicensing_mode = "
				"per_user\ncal_version = 2025\n[discovery]\nmethod = both\n");
	for (int i = 0; i < 5000; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[license_server LS%05d]\nos = 2025\ndns = ls%05d.corp.example\n",
					i, i);
	for (int i = 0; i < 4998; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[session_host SH%05d]\nos = 2022\n", i);
	assert_true(len < cap - 1);
	struct loaded l;
	load_n(&l, text, len);
	assert_valid(&l);
	assert_int_equal(l.m->n_ls, 5000);
	assert_int_equal(l.m->n_sh, 4998);
	const struct rdls_license_server *ls = rdls_model_find_ls(l.m, "ls04321");
	assert_non_null(ls);
	assert_string_equal(ls->name, "LS04321");
	assert_string_equal(ls->dns, "ls04321.corp.example");
	const struct rdls_session_host *sh = rdls_model_find_sh(l.m, "sh04997");
	assert_non_null(sh);
	assert_int_equal(sh->n_ls, 5000);
	assert_int_equal(sh->ls[4999], 4999);
	assert_null(rdls_model_find_sh(l.m, "SH04998"));
	unload(&l);

	/* The same number of sections, each with an error: all reported, in order. */
	len = 0;
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(text + len, cap - len, "[bogus%d]\n", i);
	load_n(&l, text, len);
	assert_int_equal(l.d.n_errors, 10002);
	assert_int_equal(l.d.v[2].line, 1);
	assert_int_equal(l.d.v[10001].line, 10000);
	unload(&l);
	free(text);
}

static char *long_line_profile(size_t value_len, const char *prefix, size_t *out_len)
{
	size_t cap = value_len + 1024;
	char *t = malloc(cap);
	assert_non_null(t);
	size_t n = (size_t)snprintf(t, cap, "%s%s", WG, prefix);
	memset(t + n, 'x', value_len);
	n += value_len;
	n += (size_t)snprintf(t + n, cap - n, "\nbogus\n");
	*out_len = n;
	return t;
}

static void test_profile_limit_64k_value_line(void **state)
{
	(void)state;
	size_t len;
	char *t = long_line_profile(65536, "dns = ", &len);
	struct loaded l;
	load_n(&l, t, len);
	char msg[128];
	snprintf(msg, sizeof(msg),
		 "line too long: key and value take 65540 bytes, inih reads at most %d (a ';' "
		 "comment and blanks around '=' do not count)",
		 inih_line_buffer() - 2);
	/* The line after it keeps its number: nothing was split off and parsed. */
	const struct exp e[] = {
		{ 13, msg },
		{ 14, "expected 'key = value', a [section] or a ';' comment" },
	};
	assert_errors(&l, e, 2);
	unload(&l);
	free(t);
}

static void test_profile_limit_64k_comment_line(void **state)
{
	(void)state;
	size_t len;
	char *t = long_line_profile(65536, "; ", &len);
	t[len - 6] = '\0'; /* drop "bogus\n" */
	struct loaded l;
	load_n(&l, t, len - 6);
	assert_valid(&l);
	unload(&l);
	free(t);
}

static void test_profile_limit_long_inline_comment(void **state)
{
	(void)state;
	/* 300 bytes of comment after a short value: inih's 200-byte buffer would cut
	 * the line; the loader passes it without the comment instead. */
	char t[2048];
	char comment[301];
	memset(comment, 'c', 300);
	comment[300] = '\0';
	snprintf(t, sizeof(t), "%s[license_server LICSVR3]\nos = 2022   ; %s\ndns = ls3.example\n",
		 WG, comment);
	struct loaded l;
	load(&l, t);
	assert_valid(&l);
	assert_int_equal(l.m->ls[2].os, RDLS_OS_2022);
	assert_string_equal(l.m->ls[2].dns, "ls3.example");
	unload(&l);
}

static void test_profile_limit_line_length_boundary(void **state)
{
	(void)state;
	/* "dns=value" of exactly the longest length inih takes, and one byte more;
	 * the blanks around '=' and the comment are not passed to inih. */
	int max = inih_line_buffer() - 2;
	char value[512], t[1024];
	size_t vlen = (size_t)max - strlen("dns=");
	for (size_t i = 0; i < vlen; i++)
		value[i] = (i % 50 == 49) ? '.' : 'a';
	value[vlen] = '\0';
	snprintf(t, sizeof(t), "%sdns = %s    ; a comment\n", WG, value);
	struct loaded l;
	load(&l, t);
	assert_valid(&l);
	assert_string_equal(l.m->ls[1].dns, value);
	unload(&l);

	snprintf(t, sizeof(t), "%sdns = %sb\n", WG, value);
	load(&l, t);
	char msg[128];
	snprintf(msg, sizeof(msg),
		 "line too long: key and value take %d bytes, inih reads at most %d (a ';' "
		 "comment and blanks around '=' do not count)",
		 max + 1, max);
	struct exp e = { 13, msg };
	assert_errors(&l, &e, 1);
	unload(&l);
}

static void test_profile_limit_long_section_name(void **state)
{
	(void)state;
	/* inih keeps only 49 bytes of a section name; the loader sees all of it. */
	expect1(WG "[session_host RDSH1234567890123456789012345678901234567890123456789]\nos = "
		   "2019\n",
		13,
		"invalid computer name 'RDSH1234567890123456789012345678901234567890123456789': "
		"more than 15 characters (53)");
}

static void test_profile_limit_nul_byte(void **state)
{
	(void)state;
	static const char t[] = WG "[session_host RD\0SH1]\nos = 2019\n";
	struct loaded l;
	load_n(&l, t, sizeof(t) - 1);
	struct exp e = { 13, "NUL byte at byte 17 of the line (save the profile as UTF-8 text)" };
	assert_errors(&l, &e, 1);
	unload(&l);
}

static void test_profile_limit_invalid_utf8(void **state)
{
	(void)state;
	/* Latin-1 'e acute', an overlong '/', a surrogate, a truncated sequence. */
	const char *bad[] = { "group = Caf\xE9\n", "group = a\xC0\xAF\n", "group = \xED\xA0\x80\n",
			      "group = ab\xE2\x82\n" };
	const int col[] = { 12, 10, 9, 11 };
	for (size_t i = 0; i < 4; i++) {
		char t[512], msg[128];
		snprintf(t, sizeof(t), "%s%s%s%s", L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC, bad[i],
			 L_PWD, L_LS1 L_LS2);
		snprintf(msg, sizeof(msg),
			 "invalid UTF-8 at byte %d of the line (save the profile as UTF-8)", col[i]);
		struct loaded l;
		load(&l, t);
		/* The group line is dropped, so [peering] also misses its group. */
		const struct exp e[] = {
			{ 5, "missing key 'group' in [peering] (a local group name, e.g. RDLS Peers)" },
			{ 7, msg },
		};
		assert_errors(&l, e, 2);
		unload(&l);
	}
}

static void test_profile_limit_valid_utf8_names(void **state)
{
	(void)state;
	struct loaded l;
	/* 15 characters, 30 bytes: counted as characters. */
	load(&l, WG "[session_host \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
		    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9]\nos = 2019\n");
	assert_valid(&l);
	assert_int_equal(l.m->n_sh, 1);
	unload(&l);
}

static void test_profile_limit_crlf(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "[deployment]\r\nmembership = workgroup\r\nlicensing_mode = per_device\r\n"
		 "cal_version = 2019\r\n[peering]\r\naccount = rdls-peer\r\ngroup = RDLS Peers\r\n"
		 "password = env:RDLS_PEER_PASSWORD\r\n[license_server LICSVR1]\r\nos = 2019\r\n"
		 "[license_server LICSVR2]\r\nos = 2019\r\nbogus\r\n");
	struct exp e = { 13, "expected 'key = value', a [section] or a ';' comment" };
	assert_errors(&l, &e, 1);
	unload(&l);

	load(&l, "[deployment]\r\nmembership = workgroup\r\nlicensing_mode = per_device\r\n"
		 "cal_version = 2019\r\n[peering]\r\naccount = rdls-peer\r\ngroup = RDLS Peers\r\n"
		 "password = env:RDLS_PEER_PASSWORD\r\n[license_server LICSVR1]\r\nos = 2019\r\n"
		 "[license_server LICSVR2]\r\nos = 2019\r\n");
	assert_valid(&l);
	assert_string_equal(l.m->peering.group, "RDLS Peers");
	assert_string_equal(l.m->peering.secret_ref, "RDLS_PEER_PASSWORD");
	unload(&l);
}

static void test_profile_limit_stray_cr(void **state)
{
	(void)state;
	expect1(WG "dns = a\rb\n", 13, "control character 0x0D at byte 8 of the line (only tab is allowed)");
}

static void test_profile_limit_control_character(void **state)
{
	(void)state;
	expect1(WG "; a bell \a in a comment\n", 13,
		"control character 0x07 at byte 10 of the line (only tab is allowed)");
}

static void test_profile_limit_utf8_bom(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "\xEF\xBB\xBF" WG "bogus\n");
	struct exp e = { 13, "expected 'key = value', a [section] or a ';' comment" };
	assert_errors(&l, &e, 1);
	unload(&l);
	load(&l, "\xEF\xBB\xBF" WG);
	assert_valid(&l);
	unload(&l);
}

static void test_profile_limit_utf16_refused(void **state)
{
	(void)state;
	static const char t[] = "\xFF\xFE[\0d\0e\0p\0]\0\n\0";
	struct loaded l;
	load_n(&l, t, sizeof(t) - 1);
	const struct exp e[] = {
		{ 0, "missing section [deployment] (membership, licensing_mode, cal_version)" },
		{ 0, "no [license_server NAME] section: rdlsctl needs at least two license servers" },
		{ 1, "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8" },
	};
	assert_errors(&l, e, 3);
	unload(&l);
}

static void test_profile_limit_no_trailing_newline(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, L_DEP L_MEM L_MODE L_CAL L_PEER L_ACC L_GRP L_PWD L_LS1
		 "[license_server LICSVR2]\nos = 2022");
	assert_valid(&l);
	assert_int_equal(l.m->ls[1].os, RDLS_OS_2022);
	unload(&l);
	expect1(WG "bogus", 13, "expected 'key = value', a [section] or a ';' comment");
}

/* -------------------------------------------------------- syntax accepted */

static void test_profile_indented_keys_and_comments(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, "# a hash comment\n"
		 "; a semicolon comment\n"
		 "  [Deployment]   ; comment\n"
		 "\tMembership: Workgroup\n"
		 "   licensing_mode = PER_DEVICE\n"
		 "   cal_version = 2008R2\n"
		 "[peering]\n"
		 "  account = rdls-peer\n"
		 "  group = RDLS Peers ; the group\n"
		 "  password = env:X;Y\n"
		 "[LICENSE_SERVER LICSVR1]\n"
		 "   os = 2008\n"
		 "   dns = licsvr1.example\n"
		 "[license_server LICSVR2]\n"
		 "   os = 2008r2\n");
	assert_valid(&l);
	assert_int_equal(l.m->cal, RDLS_CAL_2008R2);
	assert_string_equal(l.m->peering.group, "RDLS Peers");
	assert_string_equal(l.m->peering.secret_ref, "X;Y"); /* ';' without a blank before it */
	assert_string_equal(l.m->ls[0].dns, "licsvr1.example");
	assert_int_equal(l.m->ls[1].os, RDLS_OS_2008R2);
	unload(&l);
}

/* ------------------------------------------------------------- the model */

static void test_profile_find_hosts_case_insensitive(void **state)
{
	(void)state;
	struct loaded l;
	load(&l, WG "[session_host LICSVR1]\nos = 2019\n[session_host rdsh1]\nos = 2019\n"
		    "license_servers = licsvr2\ncredentials = yes\n");
	assert_valid(&l);
	const struct rdls_model *m = l.m;
	assert_ptr_equal(rdls_model_find_ls(m, "licsvr1"), &m->ls[0]);
	assert_ptr_equal(rdls_model_find_ls(m, "LicSvr2"), &m->ls[1]);
	assert_ptr_equal(rdls_model_find_sh(m, "LICSVR1"), &m->sh[0]);
	assert_ptr_equal(rdls_model_find_sh(m, "RDSH1"), &m->sh[1]);
	assert_null(rdls_model_find_ls(m, "RDSH1"));
	assert_null(rdls_model_find_sh(m, "LICSVR2"));
	assert_null(rdls_model_find_ls(m, "LICSVR"));
	assert_null(rdls_model_find_ls(m, NULL));
	assert_int_equal(m->sh[0].n_ls, 2);
	assert_int_equal(m->sh[1].n_ls, 1);
	assert_int_equal(m->sh[1].ls[0], 1);
	assert_true(m->sh[1].credentials);
	assert_int_equal(m->sh[1].line, 15);
	unload(&l);
}

static void test_profile_example_profiles_load(void **state)
{
	(void)state;
	DIR *dir = opendir("profiles");
	if (!dir)
		fail_msg("cannot open directory 'profiles' (run the tests from the repository root)");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "profiles/%s", e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		struct loaded l;
		rdls_diags_init(&l.d, path);
		l.m = rdls_model_load(f, path, &l.d);
		fclose(f);
		if (!l.m || l.d.n_errors) {
			dump(&l);
			fail_msg("%s: %zu errors", path, l.d.n_errors);
		}
		print_message("%s: %zu license servers, %zu session hosts, %zu warnings\n", path,
			      l.m->n_ls, l.m->n_sh, l.d.n);
		unload(&l);
		n++;
	}
	closedir(dir);
	if (n < 5)
		fail_msg("only %d profiles in profiles/, expected at least 5", n);
}

static void test_profile_diags_sorted_stable(void **state)
{
	(void)state;
	struct rdls_diags d;
	rdls_diags_init(&d, "x.ini");
	for (int i = 0; i < 100; i++)
		rdls_diags_add(&d, i % 3 ? RDLS_SEV_ERROR : RDLS_SEV_WARNING, (i * 7) % 10, "m%d", i);
	rdls_diags_sort(&d);
	assert_int_equal(d.n, 100);
	for (size_t i = 1; i < d.n; i++) {
		assert_true(d.v[i - 1].line <= d.v[i].line);
		if (d.v[i - 1].line == d.v[i].line)
			assert_true(atoi(d.v[i - 1].msg + 1) < atoi(d.v[i].msg + 1));
	}
	assert_int_equal(d.n_errors, 66);
	rdls_diags_release(&d);
}

/* -------------------------------------------------------------- name rules */

static void test_profile_name_rules(void **state)
{
	(void)state;
	char w[128], s[300];
	assert_null(rdls_check_computer_name("ABCDEFGHIJKLMNO", w, sizeof(w)));
	assert_string_equal(rdls_check_computer_name("ABCDEFGHIJKLMNOP", w, sizeof(w)),
			    "more than 15 characters (16)");
	assert_string_equal(rdls_check_computer_name("", w, sizeof(w)), "empty");
	for (const char *p = "\\/:*?\"<>|"; *p; p++) {
		char name[8] = { 'A', *p, 'B', 0 }, exp[32];
		snprintf(exp, sizeof(exp), "contains '%c'", *p);
		assert_string_equal(rdls_check_computer_name(name, w, sizeof(w)), exp);
	}
	assert_string_equal(rdls_check_computer_name("A\tB", w, sizeof(w)),
			    "contains a control character");
	assert_null(rdls_check_computer_name("A.B", w, sizeof(w)));

	assert_null(rdls_check_user_name("abcdefghijklmnopqrst", w, sizeof(w)));
	assert_string_equal(rdls_check_user_name("abcdefghijklmnopqrstu", w, sizeof(w)),
			    "more than 20 characters (21)");
	for (const char *p = "\"/\\[]:;|=,+*?<>@"; *p; p++) {
		char name[8] = { 'a', *p, 'b', 0 }, exp[32];
		snprintf(exp, sizeof(exp), "contains '%c'", *p);
		assert_string_equal(rdls_check_user_name(name, w, sizeof(w)), exp);
	}
	assert_string_equal(rdls_check_user_name(". .", w, sizeof(w)), "ends with a period");
	assert_null(rdls_check_user_name(" . x", w, sizeof(w)));
	assert_string_equal(rdls_check_user_name(".. ", w, sizeof(w)),
			    "consists only of periods and spaces");

	memset(s, 'g', 256);
	s[256] = '\0';
	assert_null(rdls_check_group_name(s, w, sizeof(w)));
	s[256] = 'g';
	s[257] = '\0';
	assert_string_equal(rdls_check_group_name(s, w, sizeof(w)), "more than 256 characters (257)");
	assert_null(rdls_check_group_name("a@b", w, sizeof(w)));
	assert_string_equal(rdls_check_group_name("a\x01" "b", w, sizeof(w)),
			    "contains a control character");

	/* DNS: 63-byte labels, 253 bytes in all */
	memset(s, 'a', 63);
	s[63] = '\0';
	assert_null(rdls_check_dns_name(s, w, sizeof(w)));
	s[63] = 'a';
	s[64] = '\0';
	assert_string_equal(rdls_check_dns_name(s, w, sizeof(w)),
			    "label 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
			    "is longer than 63 characters");
	for (int i = 0; i < 253; i++)
		s[i] = i % 10 == 9 ? '.' : 'a';
	s[253] = '\0';
	assert_null(rdls_check_dns_name(s, w, sizeof(w)));
	s[253] = 'a';
	s[254] = '\0';
	assert_string_equal(rdls_check_dns_name(s, w, sizeof(w)), "more than 253 characters (254)");
	assert_string_equal(rdls_check_dns_name("a.example.", w, sizeof(w)), "ends with a period");
	assert_string_equal(rdls_check_dns_name("caf\xC3\xA9.example", w, sizeof(w)),
			    "contains a non-ASCII character (write the xn-- form)");
	assert_null(rdls_check_dns_name("ls_1.corp-2.example", w, sizeof(w)));
}

static void test_profile_keywords(void **state)
{
	(void)state;
	for (int c = 0; c < RDLS_CAL_COUNT; c++) {
		enum rdls_cal back;
		assert_true(rdls_cal_from_name(rdls_cal_name((enum rdls_cal)c), &back));
		assert_int_equal(back, c);
	}
	for (int o = 0; o < RDLS_OS_COUNT; o++) {
		enum rdls_os back;
		assert_true(rdls_os_from_name(rdls_os_name((enum rdls_os)o), &back));
		assert_int_equal(back, o);
	}
	enum rdls_cal c;
	assert_false(rdls_cal_from_name("2012r2", &c));
	assert_true(rdls_name_eq("LICSVR1", "licsvr1"));
	assert_false(rdls_name_eq("LICSVR1", "licsvr"));
	assert_string_equal(rdls_os_display(RDLS_OS_2012R2), "2012 R2");
	assert_string_equal(rdls_cal_display(RDLS_CAL_2008R2), "RDS 2008 R2 and earlier");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_base_workgroup_valid),
		cmocka_unit_test(test_profile_base_domain_valid),
		cmocka_unit_test(test_profile_design_example_inline_comments),
		cmocka_unit_test(test_profile_unknown_key_did_you_mean),
		cmocka_unit_test(test_profile_unknown_key_no_suggestion),
		cmocka_unit_test(test_profile_unknown_key_license_server),
		cmocka_unit_test(test_profile_unknown_key_session_host_typo),
		cmocka_unit_test(test_profile_unknown_section_did_you_mean),
		cmocka_unit_test(test_profile_unknown_section_named_typo),
		cmocka_unit_test(test_profile_unknown_section_two_words),
		cmocka_unit_test(test_profile_unknown_section_no_suggestion),
		cmocka_unit_test(test_profile_duplicate_key),
		cmocka_unit_test(test_profile_duplicate_key_case_insensitive),
		cmocka_unit_test(test_profile_duplicate_section),
		cmocka_unit_test(test_profile_duplicate_license_server_case),
		cmocka_unit_test(test_profile_duplicate_session_host),
		cmocka_unit_test(test_profile_section_needs_name),
		cmocka_unit_test(test_profile_section_takes_no_name),
		cmocka_unit_test(test_profile_missing_membership),
		cmocka_unit_test(test_profile_missing_licensing_mode),
		cmocka_unit_test(test_profile_missing_cal_version),
		cmocka_unit_test(test_profile_missing_os),
		cmocka_unit_test(test_profile_missing_password),
		cmocka_unit_test(test_profile_missing_group),
		cmocka_unit_test(test_profile_missing_method),
		cmocka_unit_test(test_profile_missing_deployment),
		cmocka_unit_test(test_profile_empty_file),
		cmocka_unit_test(test_profile_bad_membership),
		cmocka_unit_test(test_profile_bad_licensing_mode),
		cmocka_unit_test(test_profile_bad_cal_version),
		cmocka_unit_test(test_profile_cal_version_2012r2_hint),
		cmocka_unit_test(test_profile_bad_os),
		cmocka_unit_test(test_profile_hash_comment_hint),
		cmocka_unit_test(test_profile_bad_method),
		cmocka_unit_test(test_profile_bad_credentials),
		cmocka_unit_test(test_profile_empty_value),
		cmocka_unit_test(test_profile_quoted_value),
		cmocka_unit_test(test_profile_computer_name_too_long),
		cmocka_unit_test(test_profile_computer_name_bad_char),
		cmocka_unit_test(test_profile_computer_name_backslash),
		cmocka_unit_test(test_profile_computer_name_leading_period),
		cmocka_unit_test(test_profile_computer_name_space),
		cmocka_unit_test(test_profile_account_too_long),
		cmocka_unit_test(test_profile_account_at_sign),
		cmocka_unit_test(test_profile_account_trailing_period),
		cmocka_unit_test(test_profile_account_builtin),
		cmocka_unit_test(test_profile_group_bad_char),
		cmocka_unit_test(test_profile_group_may_contain_at),
		cmocka_unit_test(test_profile_group_builtin),
		cmocka_unit_test(test_profile_group_equals_account),
		cmocka_unit_test(test_profile_dns_empty_label),
		cmocka_unit_test(test_profile_dns_hyphen),
		cmocka_unit_test(test_profile_dns_bad_char),
		cmocka_unit_test(test_profile_dns_default_invalid_in_domain),
		cmocka_unit_test(test_profile_dns_duplicate),
		cmocka_unit_test(test_profile_password_literal_refused_not_echoed),
		cmocka_unit_test(test_profile_password_literal_with_comment_not_echoed),
		cmocka_unit_test(test_profile_password_env_without_name),
		cmocka_unit_test(test_profile_password_file_without_path),
		cmocka_unit_test(test_profile_password_sources),
		cmocka_unit_test(test_profile_per_user_in_workgroup),
		cmocka_unit_test(test_profile_peering_in_domain),
		cmocka_unit_test(test_profile_discovery_in_workgroup),
		cmocka_unit_test(test_profile_workgroup_without_peering),
		cmocka_unit_test(test_profile_domain_without_discovery),
		cmocka_unit_test(test_profile_one_license_server),
		cmocka_unit_test(test_profile_no_license_server),
		cmocka_unit_test(test_profile_credentials_in_domain),
		cmocka_unit_test(test_profile_session_host_unknown_license_server),
		cmocka_unit_test(test_profile_session_host_unknown_no_suggestion),
		cmocka_unit_test(test_profile_session_host_names_itself_not_ls),
		cmocka_unit_test(test_profile_session_host_duplicate_entry),
		cmocka_unit_test(test_profile_session_host_empty_entry),
		cmocka_unit_test(test_profile_compat_session_host_too_new),
		cmocka_unit_test(test_profile_compat_license_server_too_old),
		cmocka_unit_test(test_profile_compat_extension_named),
		cmocka_unit_test(test_profile_compat_every_host_named),
		cmocka_unit_test(test_profile_missing_bracket),
		cmocka_unit_test(test_profile_text_after_bracket),
		cmocka_unit_test(test_profile_empty_section_header),
		cmocka_unit_test(test_profile_key_before_section),
		cmocka_unit_test(test_profile_line_without_equals),
		cmocka_unit_test(test_profile_indented_line_is_no_continuation),
		cmocka_unit_test(test_profile_missing_key_name),
		cmocka_unit_test(test_profile_all_errors_sorted),
		cmocka_unit_test(test_profile_limit_10000_sections),
		cmocka_unit_test(test_profile_limit_64k_value_line),
		cmocka_unit_test(test_profile_limit_64k_comment_line),
		cmocka_unit_test(test_profile_limit_long_inline_comment),
		cmocka_unit_test(test_profile_limit_line_length_boundary),
		cmocka_unit_test(test_profile_limit_long_section_name),
		cmocka_unit_test(test_profile_limit_nul_byte),
		cmocka_unit_test(test_profile_limit_invalid_utf8),
		cmocka_unit_test(test_profile_limit_valid_utf8_names),
		cmocka_unit_test(test_profile_limit_crlf),
		cmocka_unit_test(test_profile_limit_stray_cr),
		cmocka_unit_test(test_profile_limit_control_character),
		cmocka_unit_test(test_profile_limit_utf8_bom),
		cmocka_unit_test(test_profile_limit_utf16_refused),
		cmocka_unit_test(test_profile_limit_no_trailing_newline),
		cmocka_unit_test(test_profile_indented_keys_and_comments),
		cmocka_unit_test(test_profile_find_hosts_case_insensitive),
		cmocka_unit_test(test_profile_example_profiles_load),
		cmocka_unit_test(test_profile_diags_sorted_stable),
		cmocka_unit_test(test_profile_name_rules),
		cmocka_unit_test(test_profile_keywords),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
