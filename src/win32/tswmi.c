/*
 * What Remote Desktop Services itself says about licensing, through
 * Win32_TerminalServiceSetting in root\CIMv2\TerminalServices (TSCfgWmi). Microsoft's
 * documentation of its methods: "To connect to the \root\CIMV2\TerminalServices
 * namespace, the authentication level must include packet privacy", i.e.
 * RPC_C_AUTHN_LEVEL_PKT_PRIVACY on the proxy. Methods used (signatures from the same
 * documentation):
 *   uint32 GetGracePeriodDays([out] uint32 DaysLeft);
 *   uint32 FindLicenseServers([out] Win32_TSDiscoveredLicenseServer LicenseServersList[],
 *                             [out] uint32 Count);
 *   uint32 GetTStoLSConnectivityStatus([in] string ServerName,
 *                                      [out] uint32 TStoLSConnectivityStatus);
 *   uint32 PingLicenseServer([in] string ServerName);  (Windows Server 2008 only)
 *   uint32 GetSpecifiedLicenseServerList([out] string SpecifiedLSList[]);  (2008 R2 and later)
 * and the properties LicensingType and PolicySourceLicensingType of the instance.
 *
 * Each call connects, calls and releases: diagnose makes a handful of calls, and
 * nothing stays connected. COM is initialised the way wmi.c does it (com_ready /
 * com_uninit in struct w32_ctx), so w32_wmi_release balances it when the system
 * interface is freed. Read-only: only Get* / Find* methods are called and properties read.
 */
#define COBJMACROS
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>

#define TS_NS L"ROOT\\CIMV2\\TerminalServices"
#define TS_CLASS L"Win32_TerminalServiceSetting"
#define TS_NS_OBJ "WMI root\\CIMv2\\TerminalServices"
#define TS_OBJ "WMI root\\CIMv2\\TerminalServices Win32_TerminalServiceSetting"

struct ts_conn {
	IWbemServices *svc;
	BSTR path; /* the (single) instance's __PATH */
};

static void ts_close(struct ts_conn *t)
{
	if (t->path)
		SysFreeString(t->path);
	if (t->svc)
		IWbemServices_Release(t->svc);
	memset(t, 0, sizeof(*t));
}

/* Connects with packet privacy and finds the instance's path; *inst (when asked for)
 * receives the instance itself, to be released by the caller. */
static int ts_open_inst(struct w32_ctx *c, struct ts_conn *t, IWbemClassObject **inst,
			rdls_err *err)
{
	IEnumWbemClassObject *en = NULL;
	IWbemClassObject *obj = NULL;
	BSTR lang = NULL, query = NULL;
	VARIANT v;
	int rc = -1;
	HRESULT hr;

	memset(t, 0, sizeof(*t));
	VariantInit(&v);
	lang = SysAllocString(L"WQL");
	query = SysAllocString(L"SELECT * FROM Win32_TerminalServiceSetting");
	if (!lang || !query) {
		w32_fail(err, "SysAllocString", TS_NS_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	/* The namespace refuses anything below packet privacy. */
	if (w32_wmi_connect(c, TS_NS, TS_NS_OBJ, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, &t->svc, err) != 0)
		goto out;
	hr = IWbemServices_ExecQuery(t->svc, lang, query,
				     WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &en);
	if (FAILED(hr)) {
		en = NULL;
		w32_fail(err, "IWbemServices::ExecQuery", TS_OBJ, (DWORD)hr);
		goto out;
	}
	hr = CoSetProxyBlanket((IUnknown *)en, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL,
			       RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
			       EOAC_NONE);
	if (FAILED(hr) && hr != E_NOINTERFACE) {
		w32_fail(err, "CoSetProxyBlanket", TS_OBJ, (DWORD)hr);
		goto out;
	}
	ULONG got = 0;
	hr = IEnumWbemClassObject_Next(en, (LONG)WBEM_INFINITE, 1, &obj, &got);
	if (FAILED(hr)) {
		obj = NULL;
		w32_fail(err, "IEnumWbemClassObject::Next", TS_OBJ, (DWORD)hr);
		goto out;
	}
	if (got == 0 || !obj) {
		obj = NULL;
		w32_fail_text(err, "IEnumWbemClassObject::Next", TS_OBJ, (DWORD)WBEM_E_NOT_FOUND,
			      "there is no instance of Win32_TerminalServiceSetting");
		goto out;
	}
	hr = IWbemClassObject_Get(obj, L"__PATH", 0, &v, NULL, NULL);
	if (FAILED(hr) || V_VT(&v) != VT_BSTR || !V_BSTR(&v)) {
		w32_fail(err, "IWbemClassObject::Get(__PATH)", TS_OBJ,
			 (FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_TYPE_MISMATCH));
		goto out;
	}
	t->path = SysAllocString(V_BSTR(&v));
	if (!t->path) {
		w32_fail(err, "SysAllocString", TS_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	rc = 0;
	if (inst) {
		*inst = obj;
		obj = NULL;
	}
out:
	VariantClear(&v);
	if (obj)
		IWbemClassObject_Release(obj);
	if (en)
		IEnumWbemClassObject_Release(en);
	if (query)
		SysFreeString(query);
	if (lang)
		SysFreeString(lang);
	if (rc != 0)
		ts_close(t);
	return rc;
}

static int ts_open(struct w32_ctx *c, struct ts_conn *t, rdls_err *err)
{
	return ts_open_inst(c, t, NULL, err);
}

/*
 * Calls method on the instance, with the string in-parameter in_name = in_value when
 * in_name is set. Returns the out-parameters object (release it) with ReturnValue in
 * *ret; a failed call is -1 with err.
 */
static int ts_call(struct ts_conn *t, const wchar_t *method, const char *mname,
		   const wchar_t *in_name, const char *in_value, IWbemClassObject **outp,
		   uint32_t *ret, rdls_err *err)
{
	IWbemClassObject *cls = NULL, *in_def = NULL, *in = NULL;
	BSTR cname = NULL, meth = NULL;
	VARIANT v;
	char api[RDLS_ERR_API_MAX];
	int rc = -1;

	*outp = NULL;
	VariantInit(&v);
	snprintf(api, sizeof(api), "ExecMethod(%s)", mname);
	meth = SysAllocString(method);
	if (!meth) {
		w32_fail(err, "SysAllocString", TS_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	if (in_name) {
		cname = SysAllocString(TS_CLASS);
		if (!cname) {
			w32_fail(err, "SysAllocString", TS_OBJ, (DWORD)E_OUTOFMEMORY);
			goto out;
		}
		HRESULT hr = IWbemServices_GetObject(t->svc, cname, 0, NULL, &cls, NULL);
		if (FAILED(hr)) {
			cls = NULL;
			w32_fail(err, "IWbemServices::GetObject", TS_OBJ, (DWORD)hr);
			goto out;
		}
		hr = IWbemClassObject_GetMethod(cls, method, 0, &in_def, NULL);
		if (FAILED(hr) || !in_def) {
			in_def = NULL;
			w32_fail(err, "IWbemClassObject::GetMethod", TS_OBJ,
				 (FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_INVALID_METHOD));
			goto out;
		}
		hr = IWbemClassObject_SpawnInstance(in_def, 0, &in);
		if (FAILED(hr)) {
			in = NULL;
			w32_fail(err, "IWbemClassObject::SpawnInstance", TS_OBJ, (DWORD)hr);
			goto out;
		}
		wchar_t *w = w32_wide(in_value);
		if (!w) {
			w32_fail(err, "MultiByteToWideChar", TS_OBJ, ERROR_NO_UNICODE_TRANSLATION);
			goto out;
		}
		V_VT(&v) = VT_BSTR;
		V_BSTR(&v) = SysAllocString(w);
		free(w);
		if (!V_BSTR(&v)) {
			V_VT(&v) = VT_EMPTY;
			w32_fail(err, "SysAllocString", TS_OBJ, (DWORD)E_OUTOFMEMORY);
			goto out;
		}
		hr = IWbemClassObject_Put(in, in_name, 0, &v, 0);
		if (FAILED(hr)) {
			w32_fail(err, "IWbemClassObject::Put", TS_OBJ, (DWORD)hr);
			goto out;
		}
		VariantClear(&v);
	}
	HRESULT hr = IWbemServices_ExecMethod(t->svc, t->path, meth, 0, NULL, in, outp, NULL);
	if (FAILED(hr)) {
		*outp = NULL;
		w32_fail(err, api, TS_OBJ, (DWORD)hr);
		goto out;
	}
	if (!*outp) {
		w32_fail_text(err, api, TS_OBJ, (DWORD)WBEM_E_FAILED, "the method returned no result");
		goto out;
	}
	hr = IWbemClassObject_Get(*outp, L"ReturnValue", 0, &v, NULL, NULL);
	if (FAILED(hr) || !w32_variant_u32(&v, ret)) {
		w32_fail(err, api, TS_OBJ, (FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_TYPE_MISMATCH));
		goto out;
	}
	rc = 0;
out:
	VariantClear(&v);
	if (rc != 0 && *outp) {
		IWbemClassObject_Release(*outp);
		*outp = NULL;
	}
	if (in)
		IWbemClassObject_Release(in);
	if (in_def)
		IWbemClassObject_Release(in_def);
	if (cls)
		IWbemClassObject_Release(cls);
	if (cname)
		SysFreeString(cname);
	if (meth)
		SysFreeString(meth);
	return rc;
}

static int method_failed(rdls_err *err, const char *mname, uint32_t ret)
{
	char api[RDLS_ERR_API_MAX];
	snprintf(api, sizeof(api), "ExecMethod(%s)", mname);
	return w32_fail_text(err, api, TS_OBJ, ret,
			     "the method returned this code (see Microsoft's \"Remote Desktop "
			     "Services WMI Provider Error Codes\")");
}

static int get_u32(IWbemClassObject *o, const wchar_t *prop, const char *mname, uint32_t *out,
		   rdls_err *err)
{
	VARIANT v;
	VariantInit(&v);
	HRESULT hr = IWbemClassObject_Get(o, prop, 0, &v, NULL, NULL);
	bool ok = SUCCEEDED(hr) && w32_variant_u32(&v, out);
	VariantClear(&v);
	if (ok)
		return 0;
	char api[RDLS_ERR_API_MAX];
	snprintf(api, sizeof(api), "ExecMethod(%s)", mname);
	return w32_fail(err, api, TS_OBJ, (FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_TYPE_MISMATCH));
}

int w32_ts_grace_days(void *ctx, uint32_t *days_left, rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *out = NULL;
	uint32_t ret = 0;
	*days_left = 0;
	if (ts_open(ctx, &t, err) != 0)
		return -1;
	int rc = ts_call(&t, L"GetGracePeriodDays", "GetGracePeriodDays", NULL, NULL, &out, &ret, err);
	if (rc == 0 && ret != 0)
		rc = method_failed(err, "GetGracePeriodDays", ret);
	if (rc == 0)
		rc = get_u32(out, L"DaysLeft", "GetGracePeriodDays", days_left, err);
	if (out)
		IWbemClassObject_Release(out);
	ts_close(&t);
	return rc;
}

/* One Win32_TSDiscoveredLicenseServer (an embedded object in the out-array). */
static void read_discovered(IUnknown *unk, rdls_ts_ls *o)
{
	IWbemClassObject *obj = NULL;
	memset(o, 0, sizeof(*o));
	o->available = 0;
	o->issuing = 2;
	o->admin = 2;
	if (!unk || FAILED(IUnknown_QueryInterface(unk, &IID_IWbemClassObject, (void **)&obj)) || !obj)
		return;
	VARIANT v;
	VariantInit(&v);
	if (SUCCEEDED(IWbemClassObject_Get(obj, L"LicenseServer", 0, &v, NULL, NULL)) &&
	    V_VT(&v) == VT_BSTR && V_BSTR(&v)) {
		char *u = w32_utf8(V_BSTR(&v));
		if (u)
			snprintf(o->name, sizeof(o->name), "%s", u);
		free(u);
	}
	VariantClear(&v);
	static const struct {
		const wchar_t *prop;
		size_t off;
	} props[] = {
		{ L"IsLSAvailable", offsetof(rdls_ts_ls, available) },
		{ L"IssuingCALs", offsetof(rdls_ts_ls, issuing) },
		{ L"IsAdminOnLS", offsetof(rdls_ts_ls, admin) },
	};
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		uint32_t x;
		if (SUCCEEDED(IWbemClassObject_Get(obj, props[i].prop, 0, &v, NULL, NULL)) &&
		    w32_variant_u32(&v, &x))
			memcpy((char *)o + props[i].off, &x, sizeof(x));
		VariantClear(&v);
	}
	IWbemClassObject_Release(obj);
}

int w32_ts_find_ls(void *ctx, rdls_ts_ls *out_ls, size_t max, size_t *count, rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *out = NULL;
	uint32_t ret = 0;
	VARIANT v;
	VariantInit(&v);
	*count = 0;
	if (ts_open(ctx, &t, err) != 0)
		return -1;
	int rc = ts_call(&t, L"FindLicenseServers", "FindLicenseServers", NULL, NULL, &out, &ret, err);
	if (rc == 0 && ret != 0)
		rc = method_failed(err, "FindLicenseServers", ret);
	if (rc == 0) {
		HRESULT hr = IWbemClassObject_Get(out, L"LicenseServersList", 0, &v, NULL, NULL);
		if (FAILED(hr)) {
			rc = w32_fail(err, "ExecMethod(FindLicenseServers)", TS_OBJ, (DWORD)hr);
		} else if ((V_VT(&v) & VT_ARRAY) && V_ARRAY(&v)) {
			SAFEARRAY *sa = V_ARRAY(&v);
			VARTYPE vt = (VARTYPE)(V_VT(&v) & ~VT_ARRAY);
			LONG lo = 0, hi = -1;
			if (SafeArrayGetLBound(sa, 1, &lo) == S_OK && SafeArrayGetUBound(sa, 1, &hi) == S_OK &&
			    (vt == VT_UNKNOWN || vt == VT_DISPATCH)) {
				for (LONG i = lo; i <= hi; i++) {
					IUnknown *unk = NULL;
					if (FAILED(SafeArrayGetElement(sa, &i, &unk)))
						continue;
					if (*count < max)
						read_discovered(unk, &out_ls[*count]);
					(*count)++;
					if (unk)
						IUnknown_Release(unk);
				}
			}
		} /* VT_NULL or VT_EMPTY: none found */
	}
	VariantClear(&v);
	if (out)
		IWbemClassObject_Release(out);
	ts_close(&t);
	return rc;
}

int w32_ts_connectivity(void *ctx, const char *server, uint32_t *status, rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *out = NULL;
	uint32_t ret = 0;
	*status = 0;
	if (ts_open(ctx, &t, err) != 0)
		return -1;
	int rc = ts_call(&t, L"GetTStoLSConnectivityStatus", "GetTStoLSConnectivityStatus",
			 L"ServerName", server, &out, &ret, err);
	if (rc == 0 && ret != 0)
		rc = method_failed(err, "GetTStoLSConnectivityStatus", ret);
	if (rc == 0)
		rc = get_u32(out, L"TStoLSConnectivityStatus", "GetTStoLSConnectivityStatus", status, err);
	if (out)
		IWbemClassObject_Release(out);
	ts_close(&t);
	return rc;
}

int w32_ts_ping_ls(void *ctx, const char *server, bool *valid, rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *out = NULL;
	uint32_t ret = 0;
	*valid = false;
	if (ts_open(ctx, &t, err) != 0)
		return -1;
	int rc = ts_call(&t, L"PingLicenseServer", "PingLicenseServer", L"ServerName", server, &out,
			 &ret, err);
	/* Documented returns: S_OK, a valid license server; S_FALSE, not valid. */
	if (rc == 0 && ret == (uint32_t)S_OK)
		*valid = true;
	else if (rc == 0 && ret != (uint32_t)S_FALSE)
		rc = method_failed(err, "PingLicenseServer", ret);
	if (out)
		IWbemClassObject_Release(out);
	ts_close(&t);
	return rc;
}

/* The instance's LicensingType and PolicySourceLicensingType properties (read-only). */
int w32_ts_licensing(void *ctx, uint32_t *type, uint32_t *policy_source, rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *inst = NULL;
	*type = 0;
	*policy_source = 0;
	if (ts_open_inst(ctx, &t, &inst, err) != 0)
		return -1;
	static const struct {
		const wchar_t *prop;
		const char *name;
	} props[] = { { L"LicensingType", "LicensingType" },
		      { L"PolicySourceLicensingType", "PolicySourceLicensingType" } };
	uint32_t *outs[] = { type, policy_source };
	int rc = 0;
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]) && rc == 0; i++) {
		VARIANT v;
		VariantInit(&v);
		HRESULT hr = IWbemClassObject_Get(inst, props[i].prop, 0, &v, NULL, NULL);
		if (FAILED(hr) || !w32_variant_u32(&v, outs[i])) {
			char api[RDLS_ERR_API_MAX];
			snprintf(api, sizeof(api), "IWbemClassObject::Get(%s)", props[i].name);
			rc = w32_fail(err, api, TS_OBJ,
				      FAILED(hr) ? (DWORD)hr : (DWORD)WBEM_E_TYPE_MISMATCH);
		}
		VariantClear(&v);
	}
	IWbemClassObject_Release(inst);
	ts_close(&t);
	return rc;
}

int w32_ts_specified_ls(void *ctx, char (*names)[RDLS_TS_NAME_MAX], size_t max, size_t *count,
			rdls_err *err)
{
	struct ts_conn t;
	IWbemClassObject *out = NULL;
	uint32_t ret = 0;
	VARIANT v;
	VariantInit(&v);
	*count = 0;
	if (ts_open(ctx, &t, err) != 0)
		return -1;
	int rc = ts_call(&t, L"GetSpecifiedLicenseServerList", "GetSpecifiedLicenseServerList", NULL,
			 NULL, &out, &ret, err);
	if (rc == 0 && ret != 0)
		rc = method_failed(err, "GetSpecifiedLicenseServerList", ret);
	if (rc == 0) {
		HRESULT hr = IWbemClassObject_Get(out, L"SpecifiedLSList", 0, &v, NULL, NULL);
		if (FAILED(hr)) {
			rc = w32_fail(err, "ExecMethod(GetSpecifiedLicenseServerList)", TS_OBJ, (DWORD)hr);
		} else if (V_VT(&v) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&v)) {
			SAFEARRAY *sa = V_ARRAY(&v);
			LONG lo = 0, hi = -1;
			if (SafeArrayGetLBound(sa, 1, &lo) == S_OK && SafeArrayGetUBound(sa, 1, &hi) == S_OK) {
				for (LONG i = lo; i <= hi; i++) {
					BSTR b = NULL;
					if (FAILED(SafeArrayGetElement(sa, &i, &b)))
						continue;
					char *u = b ? w32_utf8(b) : NULL;
					if (b)
						SysFreeString(b);
					if (!u)
						continue;
					if (*count < max)
						snprintf(names[*count], RDLS_TS_NAME_MAX, "%s", u);
					(*count)++;
					free(u);
				}
			}
		} else if (V_VT(&v) != VT_NULL && V_VT(&v) != VT_EMPTY) {
			rc = w32_fail(err, "ExecMethod(GetSpecifiedLicenseServerList)", TS_OBJ,
				      (DWORD)WBEM_E_TYPE_MISMATCH);
		} /* VT_NULL or VT_EMPTY: the list is empty */
	}
	VariantClear(&v);
	if (out)
		IWbemClassObject_Release(out);
	ts_close(&t);
	return rc;
}
