/* Win32_TSLicenseServer: which path to call, and the words for a failure (lswmi.h). */
#include <stdio.h>
#include <string.h>

#include "rdls/lswmi.h"

/* The WBEM codes (wbemcli.h), here so the core needs no Windows header. */
#define WBEM_E_NOT_FOUND 0x80041002u
#define WBEM_E_ACCESS_DENIED 0x80041003u
#define WBEM_E_INVALID_PARAMETER 0x80041008u
#define WBEM_E_NOT_SUPPORTED 0x8004100Cu
#define WBEM_E_INVALID_CLASS 0x80041010u
#define WBEM_E_INVALID_OPERATION 0x80041016u
#define WBEM_E_PROVIDER_NOT_CAPABLE 0x80041024u
#define WBEM_E_INVALID_METHOD 0x8004102Eu
#define WBEM_E_INVALID_METHOD_PARAMETERS 0x8004102Fu
#define WBEM_E_INVALID_OBJECT_PATH 0x8004103Au
#define WBEM_E_METHOD_NOT_IMPLEMENTED 0x80041055u
#define E_ACCESSDENIED_HR 0x80070005u
#define ERROR_ACCESS_DENIED_CODE 5u

const char *rdls_lswmi_path(enum rdls_lswmi_path p)
{
	return p == RDLS_LSWMI_INSTANCE ? "Win32_TSLicenseServer=@" : "Win32_TSLicenseServer";
}

/*
 * The answers of a provider that will not run the method on the class path: the
 * method is not static there (invalid method, operation, parameters or path; not
 * supported or implemented), or it looked for an instance the class path does not
 * name (not found: the class itself was found before the call).
 */
static bool rejects_class_path(uint32_t hr)
{
	switch (hr) {
	case WBEM_E_NOT_FOUND:
	case WBEM_E_INVALID_PARAMETER:
	case WBEM_E_NOT_SUPPORTED:
	case WBEM_E_INVALID_OPERATION:
	case WBEM_E_PROVIDER_NOT_CAPABLE:
	case WBEM_E_INVALID_METHOD:
	case WBEM_E_INVALID_METHOD_PARAMETERS:
	case WBEM_E_INVALID_OBJECT_PATH:
	case WBEM_E_METHOD_NOT_IMPLEMENTED:
		return true;
	default:
		return false;
	}
}

enum rdls_lswmi_next rdls_lswmi_next(enum rdls_lswmi_path tried, uint32_t hr)
{
	if ((hr & 0x80000000u) == 0)
		return RDLS_LSWMI_DONE;
	if (tried == RDLS_LSWMI_CLASS && rejects_class_path(hr))
		return RDLS_LSWMI_TRY_INSTANCE;
	return RDLS_LSWMI_FAILED;
}

bool rdls_lswmi_class_missing(uint32_t hr)
{
	return hr == WBEM_E_NOT_FOUND || hr == WBEM_E_INVALID_CLASS;
}

bool rdls_lswmi_access_denied(uint32_t code)
{
	return code == WBEM_E_ACCESS_DENIED || code == E_ACCESSDENIED_HR ||
	       code == ERROR_ACCESS_DENIED_CODE;
}

const char *rdls_lswmi_service_state(uint32_t state)
{
	static const char *const names[] = {
		[1] = "stopped",         [2] = "start pending", [3] = "stop pending",
		[4] = "running",         [5] = "continue pending", [6] = "pause pending",
		[7] = "paused",
	};
	return state >= 1 && state <= 7 ? names[state] : "in an unknown state";
}

const char *rdls_lswmi_who_may(const char *method)
{
	if (strcmp(method, "PublishLS") == 0 || strcmp(method, "UnpublishLS") == 0)
		return "an Enterprise Admin of the forest (Microsoft's PublishLS page)";
	return "an administrator of this computer";
}

void rdls_lswmi_call_failed(char *buf, size_t n, const char *method, uint32_t code,
			    bool return_value, const char *service)
{
	char who[160] = "";
	if (rdls_lswmi_access_denied(code))
		snprintf(who, sizeof(who), "; access was denied: only %s may call %s",
			 rdls_lswmi_who_may(method), method);
	if (return_value)
		snprintf(buf, n,
			 "Win32_TSLicenseServer exists (the RD Licensing role is installed), but %s "
			 "failed with Remote Desktop Services WMI provider error %lu; the "
			 "TermServLicensing service is %s%s",
			 method, (unsigned long)code, service, who);
	else
		snprintf(buf, n,
			 "Win32_TSLicenseServer exists (the RD Licensing role is installed), but the "
			 "call of %s failed; the TermServLicensing service is %s%s",
			 method, service, who);
}
