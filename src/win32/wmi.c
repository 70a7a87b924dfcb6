/*
 * Win32_TSLicenseServer (root\cimv2). Its methods are called as Microsoft calls them,
 * on the class path (static methods), and on the singleton instance path
 * "Win32_TSLicenseServer=@" only when the provider rejects the class path; the
 * decision and the words of a failure are the portable core's (rdls/lswmi.h). The
 * class exists only where the RD Licensing role is installed: GetObject on the class
 * answers WBEM_E_NOT_FOUND or WBEM_E_INVALID_CLASS otherwise, which ls_pub_get
 * reports as the state RDLS_LS_ROLE_ABSENT so that plan can say so before anything
 * changes. A class that exists but whose method fails is reported as that, with the
 * TermServLicensing service's state, never as a missing role.
 *
 * COM is initialised on the first WMI operation only (a workgroup profile never
 * pays for it) and released by w32_wmi_release when the system interface is freed.
 */
#define COBJMACROS
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>

#include "rdls/lswmi.h"

#define LS_CLASS L"Win32_TSLicenseServer"
#define LS_OBJ "WMI root\\cimv2 Win32_TSLicenseServer"

static bool class_missing(HRESULT hr)
{
	return rdls_lswmi_class_missing((uint32_t)hr);
}

/* Connects to WMI namespace `ns` (named `ns_obj` in errors) with the given
 * authentication level, initialising COM on first use. */
int w32_wmi_connect(struct w32_ctx *c, const wchar_t *ns_name, const char *ns_obj,
		    unsigned long authn_level, IWbemServices **out, rdls_err *err)
{
	IWbemLocator *loc = NULL;
	BSTR ns = NULL;
	int rc = -1;

	*out = NULL;
	if (!c->com_ready) {
		HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
		if (SUCCEEDED(hr))
			c->com_uninit = true; /* S_OK or S_FALSE: balance with CoUninitialize */
		else if (hr != RPC_E_CHANGED_MODE) /* initialised differently by someone else: usable */
			return w32_fail(err, "CoInitializeEx", "COM", (DWORD)hr);
		c->com_ready = true;
		hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT,
					  RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE, NULL);
		if (FAILED(hr) && hr != RPC_E_TOO_LATE)
			return w32_fail(err, "CoInitializeSecurity", "COM", (DWORD)hr);
	}
	HRESULT hr = CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER,
				      &IID_IWbemLocator, (void **)&loc);
	if (FAILED(hr)) {
		w32_fail(err, "CoCreateInstance", "WbemLocator", (DWORD)hr);
		goto out;
	}
	ns = SysAllocString(ns_name);
	if (!ns) {
		w32_fail(err, "SysAllocString", ns_obj, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	IWbemServices *s = NULL;
	hr = IWbemLocator_ConnectServer(loc, ns, NULL, NULL, NULL, 0, NULL, NULL, &s);
	if (FAILED(hr)) {
		w32_fail(err, "IWbemLocator::ConnectServer", ns_obj, (DWORD)hr);
		goto out;
	}
	hr = CoSetProxyBlanket((IUnknown *)s, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL,
			       (DWORD)authn_level, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE);
	if (FAILED(hr)) {
		IWbemServices_Release(s);
		w32_fail(err, "CoSetProxyBlanket", ns_obj, (DWORD)hr);
		goto out;
	}
	*out = s;
	rc = 0;
out:
	if (ns)
		SysFreeString(ns);
	if (loc)
		IWbemLocator_Release(loc);
	return rc;
}

/* root\cimv2, connected once per run. */
int w32_wmi_cimv2(struct w32_ctx *c, IWbemServices **svc, rdls_err *err)
{
	if (!c->wbem_services) {
		IWbemServices *s = NULL;
		if (w32_wmi_connect(c, L"ROOT\\CIMV2", "WMI root\\cimv2", RPC_C_AUTHN_LEVEL_CALL,
				    &s, err) != 0)
			return -1;
		c->wbem_services = s;
	}
	*svc = c->wbem_services;
	return 0;
}

/* Whether the class exists: GetObject on the class itself; *cls (may be NULL) receives
 * the class object when it does (release it). */
static int ls_class_present(IWbemServices *svc, bool *present, IWbemClassObject **out,
			    rdls_err *err)
{
	IWbemClassObject *cls = NULL;
	BSTR name = SysAllocString(LS_CLASS);
	if (out)
		*out = NULL;
	if (!name)
		return w32_fail(err, "SysAllocString", LS_OBJ, (DWORD)E_OUTOFMEMORY);
	HRESULT hr = IWbemServices_GetObject(svc, name, 0, NULL, &cls, NULL);
	SysFreeString(name);
	if (SUCCEEDED(hr) && out && cls) {
		*out = cls;
		cls = NULL;
	}
	if (cls)
		IWbemClassObject_Release(cls);
	if (class_missing(hr)) {
		*present = false;
		return 0;
	}
	if (FAILED(hr))
		return w32_fail(err, "IWbemServices::GetObject", "WMI class Win32_TSLicenseServer",
				(DWORD)hr);
	*present = true;
	return 0;
}

/* A WMI integer property or out-parameter, whichever integer VARIANT type the provider
 * chose; false for anything else (NULL, a string). */
bool w32_variant_u32(const VARIANT *v, uint32_t *out)
{
	switch (V_VT(v)) {
	case VT_I4: *out = (uint32_t)V_I4(v); return true;
	case VT_UI4: *out = (uint32_t)V_UI4(v); return true;
	case VT_INT: *out = (uint32_t)V_INT(v); return true;
	case VT_UINT: *out = (uint32_t)V_UINT(v); return true;
	case VT_I2: *out = (uint32_t)(LONG)V_I2(v); return true;
	case VT_UI2: *out = (uint32_t)V_UI2(v); return true;
	case VT_UI1: *out = (uint32_t)V_UI1(v); return true;
	case VT_BOOL: *out = V_BOOL(v) ? 1u : 0u; return true;
	default: return false;
	}
}

/* The TermServLicensing service's state in words, for the message of a failed call. */
static void licensing_service_state(char *buf, size_t n)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (!scm) {
		snprintf(buf, n, "not known (OpenSCManagerW returned %lu)",
			 (unsigned long)GetLastError());
		return;
	}
	SC_HANDLE svc = OpenServiceW(scm, L"TermServLicensing", SERVICE_QUERY_STATUS);
	if (!svc) {
		DWORD e = GetLastError();
		if (e == ERROR_SERVICE_DOES_NOT_EXIST)
			snprintf(buf, n, "not installed (OpenServiceW returned %lu)", (unsigned long)e);
		else
			snprintf(buf, n, "not known (OpenServiceW returned %lu)", (unsigned long)e);
		CloseServiceHandle(scm);
		return;
	}
	SERVICE_STATUS st;
	if (QueryServiceStatus(svc, &st))
		snprintf(buf, n, "%s", rdls_lswmi_service_state(st.dwCurrentState));
	else
		snprintf(buf, n, "not known (QueryServiceStatus returned %lu)",
			 (unsigned long)GetLastError());
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
}

/* A call of method that failed with code (ExecMethod's HRESULT, or the method's
 * ReturnValue when return_value): the class exists, so never "role not installed". */
static int call_failed(rdls_err *err, const char *api, enum rdls_lswmi_path path,
		       const char *method, uint32_t code, bool return_value)
{
	char state[160], text[RDLS_ERR_TEXT_MAX], obj[RDLS_ERR_OBJ_MAX];
	licensing_service_state(state, sizeof(state));
	rdls_lswmi_call_failed(text, sizeof(text), method, code, return_value, state);
	snprintf(obj, sizeof(obj), "WMI root\\cimv2 %s", rdls_lswmi_path(path));
	return w32_fail_text(err, api, obj, code, text);
}

/*
 * Calls Win32_TSLicenseServer.<method>() on the class path, or on the instance path
 * Win32_TSLicenseServer=@ when the provider rejects the class path (rdls_lswmi_next
 * decides); checks ReturnValue and, when out_name is set, reads that boolean or integer
 * out-parameter into *out_val (a boolean as 0 or 1). with_in: the method has
 * in-parameters; an instance of its in-signature is passed with none of them set (for
 * IsLSinTSLSGroup: no Domain, i.e. the license server's own). *absent = true (and 0
 * returned) when the class does not exist: the RD Licensing role is not installed.
 */
int w32_ls_exec(struct w32_ctx *c, const char *method, bool with_in, const wchar_t *out_name,
		uint32_t *out_val, bool *absent, rdls_err *err)
{
	IWbemServices *svc = NULL;
	IWbemClassObject *outp = NULL, *cls = NULL, *in_def = NULL, *in = NULL;
	BSTR meth = NULL;
	VARIANT v;
	char api[RDLS_ERR_API_MAX];
	bool present = false;
	enum rdls_lswmi_path path = RDLS_LSWMI_CLASS;
	int rc = -1;

	VariantInit(&v);
	*absent = false;
	snprintf(api, sizeof(api), "Win32_TSLicenseServer.%s", method);
	if (w32_wmi_cimv2(c, &svc, err) != 0)
		return -1;
	if (ls_class_present(svc, &present, with_in ? &cls : NULL, err) != 0)
		return -1;
	if (!present) {
		*absent = true;
		return 0;
	}
	wchar_t *wmeth = w32_wide(method);
	meth = wmeth ? SysAllocString(wmeth) : NULL;
	free(wmeth);
	if (!meth) {
		w32_fail(err, "SysAllocString", LS_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	if (with_in) {
		HRESULT hr = cls ? IWbemClassObject_GetMethod(cls, meth, 0, &in_def, NULL)
				 : (HRESULT)WBEM_E_FAILED;
		if (FAILED(hr) || !in_def) {
			in_def = NULL;
			w32_fail(err, "IWbemClassObject::GetMethod", api,
				 FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_INVALID_METHOD);
			goto out;
		}
		hr = IWbemClassObject_SpawnInstance(in_def, 0, &in);
		if (FAILED(hr)) {
			in = NULL;
			w32_fail(err, "IWbemClassObject::SpawnInstance", api, (DWORD)hr);
			goto out;
		}
	}
	for (;;) {
		wchar_t *wpath = w32_wide(rdls_lswmi_path(path));
		BSTR bpath = wpath ? SysAllocString(wpath) : NULL;
		free(wpath);
		if (!bpath) {
			w32_fail(err, "SysAllocString", LS_OBJ, (DWORD)E_OUTOFMEMORY);
			goto out;
		}
		HRESULT hr = IWbemServices_ExecMethod(svc, bpath, meth, 0, NULL, in, &outp, NULL);
		SysFreeString(bpath);
		enum rdls_lswmi_next next = rdls_lswmi_next(path, (uint32_t)hr);
		if (next == RDLS_LSWMI_DONE)
			break;
		if (outp) {
			IWbemClassObject_Release(outp);
			outp = NULL;
		}
		if (next == RDLS_LSWMI_TRY_INSTANCE) {
			path = RDLS_LSWMI_INSTANCE;
			continue;
		}
		call_failed(err, "IWbemServices::ExecMethod", path, method, (uint32_t)hr, false);
		goto out;
	}
	if (!outp) {
		w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_FAILED, "the method returned no result");
		goto out;
	}
	HRESULT hr = IWbemClassObject_Get(outp, L"ReturnValue", 0, &v, NULL, NULL);
	uint32_t ret = 0;
	if (FAILED(hr)) {
		w32_fail(err, "IWbemClassObject::Get", "ReturnValue", (DWORD)hr);
		goto out;
	}
	if (!w32_variant_u32(&v, &ret)) {
		w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_TYPE_MISMATCH,
			      "ReturnValue is not an integer");
		goto out;
	}
	VariantClear(&v);
	if (ret != 0) {
		/* A code from "Remote Desktop Services WMI Provider Error Codes": no system
		 * message table has it. */
		call_failed(err, api, path, method, ret, true);
		goto out;
	}
	if (out_name) {
		hr = IWbemClassObject_Get(outp, out_name, 0, &v, NULL, NULL);
		if (FAILED(hr)) {
			w32_fail(err, "IWbemClassObject::Get", api, (DWORD)hr);
			goto out;
		}
		if (V_VT(&v) == VT_BOOL) {
			*out_val = V_BOOL(&v) != VARIANT_FALSE;
		} else {
			uint32_t n = 0;
			if (!w32_variant_u32(&v, &n)) {
				w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_TYPE_MISMATCH,
					      "the out-parameter is neither a boolean nor an integer");
				goto out;
			}
			*out_val = n;
		}
	}
	rc = 0;
out:
	VariantClear(&v);
	if (outp)
		IWbemClassObject_Release(outp);
	if (in)
		IWbemClassObject_Release(in);
	if (in_def)
		IWbemClassObject_Release(in_def);
	if (cls)
		IWbemClassObject_Release(cls);
	if (meth)
		SysFreeString(meth);
	return rc;
}

int w32_ls_role_absent(rdls_err *err, const char *api)
{
	return w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_INVALID_CLASS,
			     "the Remote Desktop Licensing role is not installed on this server: "
			     "the WMI class Win32_TSLicenseServer does not exist");
}

int w32_ls_pub_get(void *ctx, enum rdls_ls_pub *state, rdls_err *err)
{
	bool absent = false;
	uint32_t published = 0;

	*state = RDLS_LS_ROLE_ABSENT;
	if (w32_ls_exec(ctx, "IsLSPublished", false, L"Published", &published, &absent, err) != 0)
		return -1;
	if (!absent)
		*state = published ? RDLS_LS_PUBLISHED : RDLS_LS_UNPUBLISHED;
	return 0;
}

int w32_ls_pub_set(void *ctx, bool publish, rdls_err *err)
{
	bool absent = false;
	const char *name = publish ? "PublishLS" : "UnpublishLS";
	if (w32_ls_exec(ctx, name, false, NULL, NULL, &absent, err) != 0)
		return -1;
	if (absent) {
		char api[RDLS_ERR_API_MAX];
		snprintf(api, sizeof(api), "Win32_TSLicenseServer.%s", name);
		return w32_ls_role_absent(err, api);
	}
	return 0;
}

int w32_ls_on_dc(void *ctx, bool *on_dc, rdls_err *err)
{
	bool absent = false;
	uint32_t v = 0;
	*on_dc = false;
	if (w32_ls_exec(ctx, "IsLSonDC", false, L"OnDC", &v, &absent, err) != 0)
		return -1;
	if (absent)
		return w32_ls_role_absent(err, "Win32_TSLicenseServer.IsLSonDC");
	*on_dc = v != 0;
	return 0;
}

void w32_wmi_release(struct w32_ctx *c)
{
	if (c->wbem_services) {
		IWbemServices_Release((IWbemServices *)c->wbem_services);
		c->wbem_services = NULL;
	}
	if (c->com_uninit)
		CoUninitialize();
	c->com_uninit = false;
	c->com_ready = false;
}
