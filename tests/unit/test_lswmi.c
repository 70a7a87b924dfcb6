/*
 * Win32_TSLicenseServer (lswmi.c): the class-path / instance-path decision the Win32
 * backend follows for IsLSPublished, PublishLS, UnpublishLS and IsLSonDC, and every
 * message of a failed call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "rdls/lswmi.h"

static void test_lswmi_paths(void **state)
{
	(void)state;
	assert_string_equal(rdls_lswmi_path(RDLS_LSWMI_CLASS), "Win32_TSLicenseServer");
	assert_string_equal(rdls_lswmi_path(RDLS_LSWMI_INSTANCE), "Win32_TSLicenseServer=@");
}

static void test_lswmi_next_success_on_class_path(void **state)
{
	(void)state;
	assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_CLASS, 0), RDLS_LSWMI_DONE);
	assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_CLASS, 1 /* WBEM_S_FALSE */), RDLS_LSWMI_DONE);
	assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_INSTANCE, 0), RDLS_LSWMI_DONE);
}

/* A provider that will not run the method statically: the instance path is tried. */
static void test_lswmi_next_class_path_rejected(void **state)
{
	(void)state;
	static const uint32_t rejected[] = {
		0x8004102Eu, /* WBEM_E_INVALID_METHOD */
		0x8004102Fu, /* WBEM_E_INVALID_METHOD_PARAMETERS */
		0x80041016u, /* WBEM_E_INVALID_OPERATION */
		0x8004100Cu, /* WBEM_E_NOT_SUPPORTED */
		0x8004103Au, /* WBEM_E_INVALID_OBJECT_PATH */
		0x80041055u, /* WBEM_E_METHOD_NOT_IMPLEMENTED */
		0x80041024u, /* WBEM_E_PROVIDER_NOT_CAPABLE */
		0x80041008u, /* WBEM_E_INVALID_PARAMETER */
		0x80041002u, /* WBEM_E_NOT_FOUND (the class was found before the call) */
	};
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		if (rdls_lswmi_next(RDLS_LSWMI_CLASS, rejected[i]) != RDLS_LSWMI_TRY_INSTANCE)
			fail_msg("class path, 0x%08lx: expected TRY_INSTANCE, got %d",
				 (unsigned long)rejected[i],
				 (int)rdls_lswmi_next(RDLS_LSWMI_CLASS, rejected[i]));
		/* ... and on the instance path, the same code is the failure to report */
		assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_INSTANCE, rejected[i]), RDLS_LSWMI_FAILED);
	}
}

/* Anything else is reported at once: the instance path would only hide it. */
static void test_lswmi_next_other_failures(void **state)
{
	(void)state;
	static const uint32_t failures[] = {
		0x80041003u, /* WBEM_E_ACCESS_DENIED */
		0x80070005u, /* E_ACCESSDENIED */
		0x80041001u, /* WBEM_E_FAILED */
		0x80041013u, /* WBEM_E_PROVIDER_LOAD_FAILURE */
		0x800706BAu, /* RPC server unavailable */
	};
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
		assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_CLASS, failures[i]), RDLS_LSWMI_FAILED);
		assert_int_equal(rdls_lswmi_next(RDLS_LSWMI_INSTANCE, failures[i]), RDLS_LSWMI_FAILED);
	}
}

static void test_lswmi_class_missing(void **state)
{
	(void)state;
	assert_true(rdls_lswmi_class_missing(0x80041002u));
	assert_true(rdls_lswmi_class_missing(0x80041010u));
	assert_false(rdls_lswmi_class_missing(0x80041003u));
	assert_false(rdls_lswmi_class_missing(0));
}

static void test_lswmi_service_state(void **state)
{
	(void)state;
	assert_string_equal(rdls_lswmi_service_state(1), "stopped");
	assert_string_equal(rdls_lswmi_service_state(4), "running");
	assert_string_equal(rdls_lswmi_service_state(7), "paused");
	assert_string_equal(rdls_lswmi_service_state(0), "in an unknown state");
	assert_string_equal(rdls_lswmi_service_state(8), "in an unknown state");
}

static void test_lswmi_message_hresult(void **state)
{
	(void)state;
	char buf[512];
	rdls_lswmi_call_failed(buf, sizeof(buf), "IsLSPublished", 0x80041013u, false, "stopped");
	assert_string_equal(buf, "Win32_TSLicenseServer exists (the RD Licensing role is installed), "
				 "but the call of IsLSPublished failed; the TermServLicensing service "
				 "is stopped");
	assert_null(strstr(buf, "not installed"));
}

static void test_lswmi_message_return_value(void **state)
{
	(void)state;
	char buf[512];
	rdls_lswmi_call_failed(buf, sizeof(buf), "IsLSonDC", 2, true, "running");
	assert_string_equal(buf, "Win32_TSLicenseServer exists (the RD Licensing role is installed), "
				 "but IsLSonDC failed with Remote Desktop Services WMI provider error "
				 "2; the TermServLicensing service is running");
}

static void test_lswmi_message_publish_access_denied(void **state)
{
	(void)state;
	char buf[512];
	rdls_lswmi_call_failed(buf, sizeof(buf), "PublishLS", 0x80041003u, false, "running");
	assert_string_equal(buf, "Win32_TSLicenseServer exists (the RD Licensing role is installed), "
				 "but the call of PublishLS failed; the TermServLicensing service is "
				 "running; access was denied: only an Enterprise Admin of the forest "
				 "(Microsoft's PublishLS page) may call PublishLS");
	rdls_lswmi_call_failed(buf, sizeof(buf), "UnpublishLS", 0x80070005u, false, "running");
	assert_non_null(strstr(buf, "only an Enterprise Admin of the forest"));
	rdls_lswmi_call_failed(buf, sizeof(buf), "UnpublishLS", 5, true, "running");
	assert_non_null(strstr(buf, "WMI provider error 5; the TermServLicensing service is "
				    "running; access was denied: only an Enterprise Admin"));
}

static void test_lswmi_message_query_access_denied(void **state)
{
	(void)state;
	char buf[512];
	rdls_lswmi_call_failed(buf, sizeof(buf), "IsLSPublished", 0x80041003u, false,
			       "running");
	assert_non_null(strstr(buf, "access was denied: only an administrator of this computer "
				    "may call IsLSPublished"));
	assert_string_equal(rdls_lswmi_who_may("IsLSonDC"), "an administrator of this computer");
	assert_string_equal(rdls_lswmi_who_may("PublishLS"),
			    "an Enterprise Admin of the forest (Microsoft's PublishLS page)");
}

/* A service state that could not be read is passed through as its reason. */
static void test_lswmi_message_service_unknown(void **state)
{
	(void)state;
	char buf[512];
	rdls_lswmi_call_failed(buf, sizeof(buf), "IsLSPublished", 0x80041001u, false,
			       "not known (OpenServiceW returned 5)");
	assert_non_null(strstr(buf, "the TermServLicensing service is not known (OpenServiceW "
				    "returned 5)"));
	/* a short buffer is cut, never overrun */
	char small[16];
	rdls_lswmi_call_failed(small, sizeof(small), "PublishLS", 5, true, "running");
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lswmi_paths),
		cmocka_unit_test(test_lswmi_next_success_on_class_path),
		cmocka_unit_test(test_lswmi_next_class_path_rejected),
		cmocka_unit_test(test_lswmi_next_other_failures),
		cmocka_unit_test(test_lswmi_class_missing),
		cmocka_unit_test(test_lswmi_service_state),
		cmocka_unit_test(test_lswmi_message_hresult),
		cmocka_unit_test(test_lswmi_message_return_value),
		cmocka_unit_test(test_lswmi_message_publish_access_denied),
		cmocka_unit_test(test_lswmi_message_query_access_denied),
		cmocka_unit_test(test_lswmi_message_service_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
