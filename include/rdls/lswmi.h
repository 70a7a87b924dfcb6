/*
 * How rdlsctl calls the methods of Win32_TSLicenseServer (root\cimv2), and what it says
 * when a call fails. The Win32 backend (src/win32/wmi.c) makes the calls; the decisions
 * and the words are here, in the portable core, so that the unit tests cover each.
 *
 * Microsoft's PublishLS page calls the method on the class (`Invoke-WmiMethod -Class
 * Win32_TSLicenseServer -Name PublishLS`), and its support scripts use
 * `[wmiclass]"Win32_TSLicenseServer"`, which exposes only static methods. So every
 * method (IsLSPublished, PublishLS, UnpublishLS, IsLSonDC) is called on the class path
 * first, and on the singleton instance path `Win32_TSLicenseServer=@` only when the
 * provider rejects the class path (rdls_lswmi_next, the one place that decides).
 */
#ifndef RDLS_LSWMI_H
#define RDLS_LSWMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rdls_lswmi_path {
	RDLS_LSWMI_CLASS = 0,    /* "Win32_TSLicenseServer" */
	RDLS_LSWMI_INSTANCE = 1, /* "Win32_TSLicenseServer=@" */
};

enum rdls_lswmi_next {
	RDLS_LSWMI_DONE = 0,           /* the call went through: read its ReturnValue */
	RDLS_LSWMI_TRY_INSTANCE = 1,   /* the provider rejected the class path */
	RDLS_LSWMI_FAILED = 2,         /* report it (rdls_lswmi_call_failed) */
};

/* The object path of p, as ExecMethod takes it. */
const char *rdls_lswmi_path(enum rdls_lswmi_path p);

/* What to do after IWbemServices::ExecMethod on path `tried` returned hr (an HRESULT). */
enum rdls_lswmi_next rdls_lswmi_next(enum rdls_lswmi_path tried, uint32_t hr);

/* WBEM_E_NOT_FOUND or WBEM_E_INVALID_CLASS from GetObject on the class: the class does
 * not exist, i.e. the RD Licensing role is not installed. */
bool rdls_lswmi_class_missing(uint32_t hr);

/* WBEM_E_ACCESS_DENIED, E_ACCESSDENIED, or ERROR_ACCESS_DENIED as a method's ReturnValue. */
bool rdls_lswmi_access_denied(uint32_t code);

/* The state of a service (SERVICE_STATUS.dwCurrentState, 1..7) as words. */
const char *rdls_lswmi_service_state(uint32_t state);

/*
 * The explanation of a failed call of `method`, for rdls_err's text:
 *   return_value: code is the method's nonzero ReturnValue (a "Remote Desktop Services
 *                 WMI Provider Error Code"); otherwise ExecMethod's HRESULT;
 *   service:      the TermServLicensing service's state ("running", "stopped", or why it
 *                 could not be read), since the class exists and the role is installed.
 * An access-denied code names who may run the method.
 */
void rdls_lswmi_call_failed(char *buf, size_t n, const char *method, uint32_t code,
			    bool return_value, const char *service);

/* Who may call `method`: PublishLS and UnpublishLS need an Enterprise Admin of the forest. */
const char *rdls_lswmi_who_may(const char *method);

#endif
