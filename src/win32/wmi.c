/*
 * Win32_TSLicenseServer (root\cimv2), a singleton: methods are called on the
 * path "Win32_TSLicenseServer=@" through IWbemServices::ExecMethod. The class
 * exists only where the RD Licensing role is installed; WMI then answers
 * WBEM_E_NOT_FOUND or WBEM_E_INVALID_CLASS, which ls_pub_get reports as the state
 * RDLS_LS_ROLE_ABSENT so that plan can say so before anything changes.
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

#define LS_CLASS L"Win32_TSLicenseServer"
#define LS_PATH L"Win32_TSLicenseServer=@"
#define LS_OBJ "WMI root\\cimv2 Win32_TSLicenseServer=@"

static bool class_missing(HRESULT hr)
{
	return hr == (HRESULT)WBEM_E_NOT_FOUND || hr == (HRESULT)WBEM_E_INVALID_CLASS;
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
static int wbem_connect(struct w32_ctx *c, IWbemServices **svc, rdls_err *err)
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

/* Whether the class exists: GetObject on the class itself. */
static int ls_class_present(IWbemServices *svc, bool *present, rdls_err *err)
{
	IWbemClassObject *cls = NULL;
	BSTR name = SysAllocString(LS_CLASS);
	if (!name)
		return w32_fail(err, "SysAllocString", LS_OBJ, (DWORD)E_OUTOFMEMORY);
	HRESULT hr = IWbemServices_GetObject(svc, name, 0, NULL, &cls, NULL);
	SysFreeString(name);
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

static bool variant_u32(const VARIANT *v, DWORD *out)
{
	switch (V_VT(v)) {
	case VT_I4: *out = (DWORD)V_I4(v); return true;
	case VT_UI4: *out = (DWORD)V_UI4(v); return true;
	case VT_INT: *out = (DWORD)V_INT(v); return true;
	case VT_UINT: *out = (DWORD)V_UINT(v); return true;
	case VT_I2: *out = (DWORD)(LONG)V_I2(v); return true;
	case VT_UI2: *out = (DWORD)V_UI2(v); return true;
	case VT_UI1: *out = (DWORD)V_UI1(v); return true;
	default: return false;
	}
}

/*
 * Calls Win32_TSLicenseServer=@.<method>(); checks ReturnValue and, when
 * out_name is set, reads that boolean out-parameter into *out_bool.
 * *absent = true (and 0 returned) when the class does not exist.
 */
static int ls_exec(struct w32_ctx *c, const wchar_t *method, const char *method_name,
		   const wchar_t *out_name, bool *out_bool, bool *absent, rdls_err *err)
{
	IWbemServices *svc = NULL;
	IWbemClassObject *outp = NULL;
	BSTR path = NULL, meth = NULL;
	VARIANT v;
	char api[RDLS_ERR_API_MAX];
	int rc = -1;

	VariantInit(&v);
	*absent = false;
	snprintf(api, sizeof(api), "Win32_TSLicenseServer.%s", method_name);
	if (wbem_connect(c, &svc, err) != 0)
		return -1;
	path = SysAllocString(LS_PATH);
	meth = SysAllocString(method);
	if (!path || !meth) {
		w32_fail(err, "SysAllocString", LS_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	HRESULT hr = IWbemServices_ExecMethod(svc, path, meth, 0, NULL, NULL, &outp, NULL);
	if (class_missing(hr)) {
		*absent = true;
		rc = 0;
		goto out;
	}
	if (FAILED(hr)) {
		/* Wine answers a method call on a missing class with WBEM_E_INVALID_QUERY;
		 * whatever the code, a class that is not there means the role is absent. */
		bool present = true;
		rdls_err ignored;
		if (ls_class_present(svc, &present, &ignored) == 0 && !present) {
			*absent = true;
			rc = 0;
			goto out;
		}
		w32_fail(err, "IWbemServices::ExecMethod", api, (DWORD)hr);
		goto out;
	}
	if (!outp) {
		w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_FAILED, "the method returned no result");
		goto out;
	}
	hr = IWbemClassObject_Get(outp, L"ReturnValue", 0, &v, NULL, NULL);
	DWORD ret = 0;
	if (FAILED(hr)) {
		w32_fail(err, "IWbemClassObject::Get", "ReturnValue", (DWORD)hr);
		goto out;
	}
	if (!variant_u32(&v, &ret)) {
		w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_TYPE_MISMATCH,
			      "ReturnValue is not an integer");
		goto out;
	}
	VariantClear(&v);
	if (ret != 0) {
		/* A code from "Remote Desktop Services WMI Provider Error Codes": no
		 * system message table has it. */
		char text[RDLS_ERR_TEXT_MAX];
		snprintf(text, sizeof(text),
			 "the method failed with Remote Desktop Services WMI provider error %lu%s",
			 (unsigned long)ret,
			 strstr(method_name, "ublishLS") /* PublishLS, UnpublishLS */
				 ? "; publishing needs an enterprise administrator of the forest"
				 : "");
		w32_fail_text(err, api, LS_OBJ, ret, text);
		goto out;
	}
	if (out_name) {
		hr = IWbemClassObject_Get(outp, out_name, 0, &v, NULL, NULL);
		if (FAILED(hr)) {
			w32_fail(err, "IWbemClassObject::Get", api, (DWORD)hr);
			goto out;
		}
		if (V_VT(&v) == VT_BOOL) {
			*out_bool = V_BOOL(&v) != VARIANT_FALSE;
		} else {
			DWORD n = 0;
			if (!variant_u32(&v, &n)) {
				w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_TYPE_MISMATCH,
					      "the out-parameter is not a boolean");
				goto out;
			}
			*out_bool = n != 0;
		}
	}
	rc = 0;
out:
	VariantClear(&v);
	if (outp)
		IWbemClassObject_Release(outp);
	if (path)
		SysFreeString(path);
	if (meth)
		SysFreeString(meth);
	return rc;
}

static int role_absent(rdls_err *err, const char *api)
{
	return w32_fail_text(err, api, LS_OBJ, (DWORD)WBEM_E_INVALID_CLASS,
			     "the Remote Desktop Licensing role is not installed on this server: "
			     "the WMI class Win32_TSLicenseServer does not exist");
}

int w32_ls_pub_get(void *ctx, enum rdls_ls_pub *state, rdls_err *err)
{
	struct w32_ctx *c = ctx;
	IWbemServices *svc = NULL;
	bool present = false, absent = false, published = false;

	*state = RDLS_LS_ROLE_ABSENT;
	if (wbem_connect(c, &svc, err) != 0)
		return -1;
	if (ls_class_present(svc, &present, err) != 0)
		return -1;
	if (!present)
		return 0;
	if (ls_exec(c, L"IsLSPublished", "IsLSPublished", L"Published", &published, &absent,
		    err) != 0)
		return -1;
	if (!absent)
		*state = published ? RDLS_LS_PUBLISHED : RDLS_LS_UNPUBLISHED;
	return 0;
}

int w32_ls_pub_set(void *ctx, bool publish, rdls_err *err)
{
	bool absent = false;
	const char *name = publish ? "PublishLS" : "UnpublishLS";
	if (ls_exec(ctx, publish ? L"PublishLS" : L"UnpublishLS", name, NULL, NULL, &absent,
		    err) != 0)
		return -1;
	if (absent) {
		char api[RDLS_ERR_API_MAX];
		snprintf(api, sizeof(api), "Win32_TSLicenseServer.%s", name);
		return role_absent(err, api);
	}
	return 0;
}

int w32_ls_on_dc(void *ctx, bool *on_dc, rdls_err *err)
{
	bool absent = false;
	*on_dc = false;
	if (ls_exec(ctx, L"IsLSonDC", "IsLSonDC", L"OnDC", on_dc, &absent, err) != 0)
		return -1;
	if (absent)
		return role_absent(err, "Win32_TSLicenseServer.IsLSonDC");
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
