/*
 * cmd_validate on the fake system: exit codes, the exact text on stdout and
 * stderr, and the --json document (compared byte for byte, so its escaping is
 * checked too).
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
#include <unistd.h>

#include "fake_sys.h"
#include "rdls/cli.h"
#include "testutil.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif
/* The envelope's start for validate (docs/schema/validate.schema.json). */
#define HEAD "{\"format_version\":3,\"command\":\"validate\",\"tool_version\":\"" RDLS_VERSION \
	     "\",\"host\":null,"

struct env {
	struct fake_sys *fake;
	struct rdls_sys sys;
	struct rdls_opts o;
	struct tu_capture out, err;
	char path[TU_PATH_MAX]; /* temporary profile, "" when none */
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	e->fake = fake_sys_new("LICSVR1");
	e->sys = fake_sys_iface(e->fake);
	e->o.command = "validate";
	assert_int_equal(tu_capture_begin(&e->out), 0);
	assert_int_equal(tu_capture_begin(&e->err), 0);
	e->o.out = e->out.fp;
	e->o.err = e->err.fp;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	free(tu_capture_end(&e->out, NULL));
	free(tu_capture_end(&e->err, NULL));
	if (e->path[0])
		unlink(e->path);
	fake_sys_free(e->fake);
	free(e);
	return 0;
}

static void write_profile(struct env *e, const char *text)
{
	int rc = tu_temp_file(e->path, sizeof(e->path), "rdls-validate-", text, strlen(text));
	assert_int_equal(rc, 0);
	e->o.profile = e->path;
}

static int run(struct env *e)
{
	int rc = cmd_validate(&e->o, &e->sys);
	fflush(e->o.out);
	fflush(e->o.err);
	return rc;
}

static const char *out(struct env *e)
{
	return tu_capture_text(&e->out);
}

static const char *err(struct env *e)
{
	return tu_capture_text(&e->err);
}

#define WARN_WG                                                                              \
	"Microsoft does not recommend multiple license servers in a workgroup and may remove " \
	"support for them in a future version of Windows (\\\"Use multiple remote desktop "     \
	"license servers\\\", Workgroup-joined deployment)"

static void test_validate_example_profile_text(void **state)
{
	struct env *e = *state;
	e->o.profile = "profiles/workgroup-two-servers.ini";
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_string_equal(out(e), "profiles/workgroup-two-servers.ini: valid (workgroup, "
				    "per_device, CAL 2019; 2 license servers, 0 session hosts)\n");
	assert_string_equal(err(e),
			    "profiles/workgroup-two-servers.ini:17: warning: Microsoft does not "
			    "recommend multiple license servers in a workgroup and may remove "
			    "support for them in a future version of Windows (\"Use multiple "
			    "remote desktop license servers\", Workgroup-joined deployment)\n");
	/* validate reads the profile and nothing else of the machine */
	assert_int_equal(fake_calls(e->fake, "file_open"), 1);
	assert_int_equal(fake_writes(e->fake), 0);
	assert_int_equal(fake_calls(e->fake, "env_secret"), 0);
}

static void test_validate_session_hosts_summary(void **state)
{
	struct env *e = *state;
	e->o.profile = "profiles/session-hosts.ini";
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_string_equal(out(e), "profiles/session-hosts.ini: valid (workgroup, per_device, "
				    "CAL 2019; 2 license servers, 4 session hosts)\n");
}

static void test_validate_every_example_profile(void **state)
{
	struct env *e = *state;
	DIR *dir = opendir("profiles");
	if (!dir)
		fail_msg("cannot open directory 'profiles' (run the tests from the repository root)");
	struct dirent *d;
	int n = 0;
	while ((d = readdir(dir))) {
		size_t len = strlen(d->d_name);
		if (len < 5 || strcmp(d->d_name + len - 4, ".ini") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "profiles/%s", d->d_name);
		e->o.profile = path;
		int rc = run(e);
		if (rc != RDLS_EXIT_OK)
			fail_msg("validate %s exited %d:\n%s", path, rc, err(e));
		n++;
	}
	closedir(dir);
	assert_true(n >= 5);
}

static void test_validate_invalid_text(void **state)
{
	struct env *e = *state;
	write_profile(e, "[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
			 "cal_version = 2019\n[peering]\nacount = rdls-peer\ngroup = RDLS Peers\n"
			 "password = env:P\n[license_server LICSVR1]\nos = 2019\n");
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	assert_string_equal(out(e), "");
	char want[2048 + 4 * TU_PATH_MAX];
	/* no "%1$s": mingw-w64's printf has no numbered arguments */
	snprintf(want, sizeof(want),
		 "%s:5: missing key 'account' in [peering] (a local user name, e.g. rdls-peer)\n"
		 "%s:6: unknown key 'acount' in [peering] (did you mean 'account'?)\n"
		 "%s:9: only one license server: rdlsctl makes two or more license servers "
		 "trust each other (add another [license_server NAME])\n"
		 "error: profile '%s' is not valid: 3 errors, 0 warnings\n",
		 e->path, e->path, e->path, e->path);
	assert_string_equal(err(e), want);
}

static void test_validate_quiet(void **state)
{
	struct env *e = *state;
	e->o.quiet = true;
	e->o.profile = "profiles/domain-publish.ini";
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_string_equal(out(e), "");
	assert_string_equal(err(e), "");
}

static void test_validate_json_valid(void **state)
{
	struct env *e = *state;
	e->o.json = true;
	e->o.profile = "profiles/workgroup-two-servers.ini";
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_string_equal(out(e), HEAD "\"profile\":"
				    "\"profiles/workgroup-two-servers.ini\",\"valid\":true,"
				    "\"errors\":[],\"warnings\":[{\"message\":\"" WARN_WG
				    "\",\"file\":\"profiles/workgroup-two-servers.ini\",\"line\":17}],"
				    "\"exit_code\":0}\n");
	assert_string_equal(err(e), "");
}

static void test_validate_json_invalid_escaped(void **state)
{
	struct env *e = *state;
	e->o.json = true;
	/* Messages with a backslash and double quotes in them. */
	write_profile(e, "[deployment]\nmembership = domain\nlicensing_mode = per_user\n"
			 "cal_version = 2019\n[discovery]\nmethod = publish\n"
			 "[license_server CORP\\LS1]\nos = 2019\n[license_server LS2]\nos = 2019\n"
			 "dns = \"ls2.example\"\n");
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	char want[4096 + 4 * TU_PATH_MAX];
	snprintf(want, sizeof(want),
		 HEAD "\"profile\":\"%s\",\"valid\":false,"
		 "\"errors\":[{\"message\":\"invalid computer name 'CORP\\\\LS1': "
		 "contains '\\\\'\",\"file\":\"%s\",\"line\":7},{\"message\":\"value of 'dns' in "
		 "[license_server LS2] is in quotes; write it without them\",\"file\":\"%s\","
		 "\"line\":11}],\"warnings\":[],\"exit_code\":1}\n",
		 e->path, e->path, e->path);
	assert_string_equal(out(e), want);
	assert_string_equal(err(e), "");
}

static void test_validate_missing_file(void **state)
{
	struct env *e = *state;
	e->o.profile = "/nonexistent/site.ini";
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	assert_string_equal(out(e), "");
	assert_string_equal(err(e), "error: cannot open profile '/nonexistent/site.ini': _wfopen "
				    "on file '/nonexistent/site.ini' returned 2 (No such file or "
				    "directory)\n");
}

static void test_validate_missing_file_json(void **state)
{
	struct env *e = *state;
	e->o.json = true;
	e->o.profile = "/nonexistent/site.ini";
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	assert_string_equal(out(e), HEAD "\"profile\":"
				    "\"/nonexistent/site.ini\",\"valid\":false,\"errors\":[{"
				    "\"message\":\"cannot open the profile: _wfopen on file "
				    "'/nonexistent/site.ini' returned 2 (No such file or "
				    "directory)\",\"file\":\"/nonexistent/site.ini\"}],\"warnings\":[],"
				    "\"exit_code\":1}\n");
	assert_string_equal(err(e), "");
}

static void test_validate_open_failure_injected(void **state)
{
	struct env *e = *state;
	e->o.profile = "profiles/domain-publish.ini";
	fake_fail_nth(e->fake, "file_open", 1, 5);
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	assert_non_null(strstr(err(e), "error: cannot open profile 'profiles/domain-publish.ini': "
				       "_wfopen on file 'profiles/domain-publish.ini' returned 5"));
}

static void test_validate_no_profile_is_usage(void **state)
{
	struct env *e = *state;
	e->o.profile = NULL;
	assert_int_equal(run(e), RDLS_EXIT_USAGE);
	assert_string_equal(err(e), "error: validate needs a profile: rdlsctl validate PROFILE\n");
	assert_string_equal(out(e), "");
}

static void test_validate_line_zero_has_no_number(void **state)
{
	struct env *e = *state;
	write_profile(e, "; nothing but a comment\n");
	assert_int_equal(run(e), RDLS_EXIT_ERROR);
	char want[1024 + 3 * TU_PATH_MAX];
	snprintf(want, sizeof(want),
		 "%s: missing section [deployment] (membership, licensing_mode, cal_version)\n"
		 "%s: no [license_server NAME] section: rdlsctl needs at least two license "
		 "servers\n"
		 "error: profile '%s' is not valid: 2 errors, 0 warnings\n",
		 e->path, e->path, e->path);
	assert_string_equal(err(e), want);
}

/* SpecifiedLicenseServers holds DNS host names: with specified or both every license
 * server needs dns =, refused at its own section's line; publish needs none. */
static void test_validate_specified_needs_dns(void **state)
{
	struct env *e = *state;
	static const char *const methods[] = { "specified", "both" };
	for (size_t i = 0; i < 2; i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 "[deployment]\nmembership = domain\nlicensing_mode = per_user\n"
			 "cal_version = 2019\n[discovery]\nmethod = %s\n"
			 "[license_server LICSVR1]\nos = 2019\ndns = licsvr1.corp.example\n"
			 "\n[license_server LICSVR2]\nos = 2019\n",
			 methods[i]);
		write_profile(e, text);
		assert_int_equal(run(e), RDLS_EXIT_ERROR);
		char want[1024 + 2 * TU_PATH_MAX];
		snprintf(want, sizeof(want),
			 "%s:11: missing key 'dns' in [license_server LICSVR2]: method = %s writes the "
			 "license servers' DNS host names into SpecifiedLicenseServers (add e.g. dns = "
			 "licsvr2.corp.example)\n"
			 "error: profile '%s' is not valid: 1 error, 0 warnings\n",
			 e->path, methods[i], e->path);
		assert_string_equal(err(e), want);
		assert_string_equal(out(e), "");
		unlink(e->path);
		e->path[0] = '\0';
		free(tu_capture_end(&e->err, NULL));
		assert_int_equal(tu_capture_begin(&e->err), 0);
		e->o.err = e->err.fp;
	}
	/* publish: the section name is used nowhere a DNS name is required */
	write_profile(e, "[deployment]\nmembership = domain\nlicensing_mode = per_user\n"
			 "cal_version = 2019\n[discovery]\nmethod = publish\n"
			 "[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\n");
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_string_equal(err(e), "");
}

static void test_validate_workgroup_needs_no_dns(void **state)
{
	struct env *e = *state;
	write_profile(e, "[deployment]\nmembership = workgroup\nlicensing_mode = per_device\n"
			 "cal_version = 2019\n[peering]\naccount = rdls-peer\ngroup = RDLS Peers\n"
			 "password = env:P\n[license_server LICSVR1]\nos = 2019\n"
			 "[license_server LICSVR2]\nos = 2019\n");
	assert_int_equal(run(e), RDLS_EXIT_OK);
	assert_null(strstr(err(e), "dns"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_validate_example_profile_text),
		T(test_validate_session_hosts_summary),
		T(test_validate_every_example_profile),
		T(test_validate_invalid_text),
		T(test_validate_quiet),
		T(test_validate_json_valid),
		T(test_validate_json_invalid_escaped),
		T(test_validate_missing_file),
		T(test_validate_missing_file_json),
		T(test_validate_open_failure_injected),
		T(test_validate_no_profile_is_usage),
		T(test_validate_line_zero_has_no_number),
		T(test_validate_specified_needs_dns),
		T(test_validate_workgroup_needs_no_dns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
