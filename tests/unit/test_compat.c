/*
 * compat.c against the troubleshooting document's two tables, typed in here a
 * second time from the document ("Yes"/"No" as printed), every cell; and the
 * extension to 2022 and 2025 against the rule the document's cells follow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rdls/model.h"

/* Columns as in the document: RDS 2008 R2 and earlier CAL, RDS 2012 CAL,
 * RDS 2016 CAL, RDS 2019 CAL. */
static const enum rdls_cal doc_cols[4] = { RDLS_CAL_2008R2, RDLS_CAL_2012, RDLS_CAL_2016,
					   RDLS_CAL_2019 };

struct doc_row {
	const char *label; /* the row header in the document */
	enum rdls_os os[2];
	size_t n_os;       /* "2008, 2008 R2" is one row for two versions */
	const char *cells[4];
};

static const struct doc_row session_host_doc[] = {
	{ "2008, 2008 R2 session host", { RDLS_OS_2008, RDLS_OS_2008R2 }, 2, { "Yes", "Yes", "Yes", "Yes" } },
	{ "2012 session host", { RDLS_OS_2012 }, 1, { "No", "Yes", "Yes", "Yes" } },
	{ "2012 R2 session host", { RDLS_OS_2012R2 }, 1, { "No", "Yes", "Yes", "Yes" } },
	{ "2016 session host", { RDLS_OS_2016 }, 1, { "No", "No", "Yes", "Yes" } },
	{ "2019 session host", { RDLS_OS_2019 }, 1, { "No", "No", "No", "Yes" } },
};

static const struct doc_row license_server_doc[] = {
	{ "2008, 2008 R2 license server", { RDLS_OS_2008, RDLS_OS_2008R2 }, 2, { "Yes", "No", "No", "No" } },
	{ "2012 license server", { RDLS_OS_2012 }, 1, { "Yes", "Yes", "No", "No" } },
	{ "2012 R2 license server", { RDLS_OS_2012R2 }, 1, { "Yes", "Yes", "No", "No" } },
	{ "2016 license server", { RDLS_OS_2016 }, 1, { "Yes", "Yes", "Yes", "No" } },
	{ "2019 license server", { RDLS_OS_2019 }, 1, { "Yes", "Yes", "Yes", "Yes" } },
};

static void check_doc(const struct doc_row *rows, size_t n, bool (*fn)(enum rdls_os, enum rdls_cal),
		      const char *table)
{
	size_t cells = 0;
	for (size_t r = 0; r < n; r++)
		for (size_t o = 0; o < rows[r].n_os; o++)
			for (size_t c = 0; c < 4; c++) {
				bool want = strcmp(rows[r].cells[c], "Yes") == 0;
				bool got = fn(rows[r].os[o], doc_cols[c]);
				if (got != want)
					fail_msg("%s table, row \"%s\" (os %s), column %s CAL: "
						 "document says %s, compat.c says %s",
						 table, rows[r].label, rdls_os_name(rows[r].os[o]),
						 rdls_cal_display(doc_cols[c]), rows[r].cells[c],
						 got ? "Yes" : "No");
				if (!rdls_compat_documented(rows[r].os[o], doc_cols[c]))
					fail_msg("%s table, os %s, CAL %s: a documented cell is not "
						 "marked as documented",
						 table, rdls_os_name(rows[r].os[o]),
						 rdls_cal_name(doc_cols[c]));
				cells++;
			}
	/* 6 OS versions (2008 and 2008 R2 share a row) x 4 CAL versions */
	assert_int_equal(cells, 24);
}

static void test_compat_session_host_document(void **state)
{
	(void)state;
	check_doc(session_host_doc, 5, rdls_compat_session_host, "\"session host\"");
}

static void test_compat_license_server_document(void **state)
{
	(void)state;
	check_doc(license_server_doc, 5, rdls_compat_license_server, "\"license server\"");
}

/* The version of an OS's release, as a number to compare (2008 and 2008 R2 are
 * both "2008 R2 and earlier"). */
static int year_of_os(enum rdls_os o)
{
	static const int y[RDLS_OS_COUNT] = { 2008, 2008, 2012, 2012, 2016, 2019, 2022, 2025 };
	return y[o];
}

static int year_of_cal(enum rdls_cal c)
{
	static const int y[RDLS_CAL_COUNT] = { 2008, 2012, 2016, 2019, 2022, 2025 };
	return y[c];
}

/* Cells outside the document: rdlsctl's extension, by the document's rule. */
static void test_compat_extension_2022_2025(void **state)
{
	(void)state;
	size_t cells = 0;
	for (int o = 0; o < RDLS_OS_COUNT; o++)
		for (int c = 0; c < RDLS_CAL_COUNT; c++) {
			if (o <= RDLS_OS_2019 && c <= RDLS_CAL_2019)
				continue;
			enum rdls_os os = (enum rdls_os)o;
			enum rdls_cal cal = (enum rdls_cal)c;
			bool sh_want = year_of_cal(cal) >= year_of_os(os);
			bool ls_want = year_of_cal(cal) <= year_of_os(os);
			if (rdls_compat_session_host(os, cal) != sh_want)
				fail_msg("session host %s with CAL %s: want %s", rdls_os_name(os),
					 rdls_cal_name(cal), sh_want ? "Yes" : "No");
			if (rdls_compat_license_server(os, cal) != ls_want)
				fail_msg("license server %s with CAL %s: want %s", rdls_os_name(os),
					 rdls_cal_name(cal), ls_want ? "Yes" : "No");
			if (rdls_compat_documented(os, cal))
				fail_msg("os %s, CAL %s is an extension cell but marked documented",
					 rdls_os_name(os), rdls_cal_name(cal));
			cells++;
		}
	/* 8 x 6 cells in all, 6 x 4 of them documented (2008 counted twice) */
	assert_int_equal(cells, 8 * 6 - 6 * 4);
}

/* The document's own cells follow the same rule: the extension is consistent. */
static void test_compat_document_follows_rule(void **state)
{
	(void)state;
	for (int o = 0; o <= RDLS_OS_2019; o++)
		for (int c = 0; c <= RDLS_CAL_2019; c++) {
			enum rdls_os os = (enum rdls_os)o;
			enum rdls_cal cal = (enum rdls_cal)c;
			assert_int_equal(rdls_compat_session_host(os, cal),
					 year_of_cal(cal) >= year_of_os(os));
			assert_int_equal(rdls_compat_license_server(os, cal),
					 year_of_cal(cal) <= year_of_os(os));
		}
}

static void test_compat_out_of_range(void **state)
{
	(void)state;
	assert_false(rdls_compat_session_host(RDLS_OS_COUNT, RDLS_CAL_2019));
	assert_false(rdls_compat_license_server(RDLS_OS_2019, RDLS_CAL_COUNT));
	assert_false(rdls_compat_documented(RDLS_OS_COUNT, RDLS_CAL_2008R2));
}

static void test_compat_cal_of_os(void **state)
{
	(void)state;
	static const enum rdls_cal want[RDLS_OS_COUNT] = {
		RDLS_CAL_2008R2, RDLS_CAL_2008R2, RDLS_CAL_2012, RDLS_CAL_2012,
		RDLS_CAL_2016,   RDLS_CAL_2019,   RDLS_CAL_2022, RDLS_CAL_2025,
	};
	for (int o = 0; o < RDLS_OS_COUNT; o++) {
		enum rdls_cal got = rdls_cal_of_os((enum rdls_os)o);
		if (got != want[o])
			fail_msg("rdls_cal_of_os(%s) = %s, want %s", rdls_os_name((enum rdls_os)o),
				 rdls_cal_name(got), rdls_cal_name(want[o]));
		/* It is the boundary of both tables. */
		assert_true(rdls_compat_session_host((enum rdls_os)o, got));
		assert_true(rdls_compat_license_server((enum rdls_os)o, got));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_session_host_document),
		cmocka_unit_test(test_compat_license_server_document),
		cmocka_unit_test(test_compat_extension_2022_2025),
		cmocka_unit_test(test_compat_document_follows_rule),
		cmocka_unit_test(test_compat_out_of_range),
		cmocka_unit_test(test_compat_cal_of_os),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
