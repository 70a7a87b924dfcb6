/*
 * The license server's own state for diagnose (src/diag_lsstate.c decides what it means):
 * Win32_TSLicenseServer's GetActivationStatus, IsLSinTSLSGroup and IsLSSecGrpGPEnabled,
 * called through wmi.c's w32_ls_exec (one place decides class or instance path), and the
 * instances of Win32_TSLicenseKeyPack (root\cimv2, TlsWmiProv; signatures and property
 * names from Microsoft's class pages). Read-only. Where the RD Licensing role is not
 * installed the classes are missing and each call fails with the WBEM code
 * (0x80041010 / 0x80041002) and says so.
 */
#define COBJMACROS
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"
#include "rdls/lswmi.h"

#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>

#define KP_CLASS L"Win32_TSLicenseKeyPack"
#define KP_OBJ "WMI root\\cimv2 Win32_TSLicenseKeyPack"

/* A Win32_TSLicenseServer method with one out-parameter. */
static int ls_method(void *ctx, const char *method, bool with_in, const wchar_t *out_name,
		     uint32_t *out, rdls_err *err)
{
	bool absent = false;
	*out = 0;
	if (w32_ls_exec(ctx, method, with_in, out_name, out, &absent, err) != 0)
		return -1;
	if (absent) {
		char api[RDLS_ERR_API_MAX];
		snprintf(api, sizeof(api), "Win32_TSLicenseServer.%s", method);
		return w32_ls_role_absent(err, api);
	}
	return 0;
}

int w32_ls_activation_get(void *ctx, uint32_t *status, rdls_err *err)
{
	return ls_method(ctx, "GetActivationStatus", false, L"ActivationStatus", status, err);
}

int w32_ls_in_tsls_group(void *ctx, bool *member, rdls_err *err)
{
	uint32_t v = 0;
	int rc = ls_method(ctx, "IsLSinTSLSGroup", true, L"IsMember", &v, err);
	*member = rc == 0 && v != 0;
	return rc;
}

int w32_ls_secgrp_gp(void *ctx, bool *enabled, rdls_err *err)
{
	uint32_t v = 0;
	int rc = ls_method(ctx, "IsLSSecGrpGPEnabled", false, L"Enabled", &v, err);
	*enabled = rc == 0 && v != 0;
	return rc;
}

/* One instance's properties; a property that is missing or NULL stays 0 / "". */
static void read_keypack(IWbemClassObject *o, rdls_keypack *k)
{
	static const struct {
		const wchar_t *prop;
		size_t off;
	} nums[] = {
		{ L"KeyPackId", offsetof(rdls_keypack, id) },
		{ L"KeyPackType", offsetof(rdls_keypack, type) },
		{ L"ProductType", offsetof(rdls_keypack, product_type) },
		{ L"ProductVersionID", offsetof(rdls_keypack, version_id) },
		{ L"TotalLicenses", offsetof(rdls_keypack, total) },
		{ L"IssuedLicenses", offsetof(rdls_keypack, issued) },
		{ L"AvailableLicenses", offsetof(rdls_keypack, available) },
	};
	static const struct {
		const wchar_t *prop;
		size_t off;
	} strs[] = {
		{ L"ProductVersion", offsetof(rdls_keypack, version) },
		{ L"Description", offsetof(rdls_keypack, description) },
		{ L"TypeAndModel", offsetof(rdls_keypack, type_model) },
	};
	VARIANT v;
	memset(k, 0, sizeof(*k));
	k->product_type = 2; /* "not valid" until the provider says otherwise */
	VariantInit(&v);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint32_t x;
		if (SUCCEEDED(IWbemClassObject_Get(o, nums[i].prop, 0, &v, NULL, NULL)) &&
		    w32_variant_u32(&v, &x))
			memcpy((char *)k + nums[i].off, &x, sizeof(x));
		VariantClear(&v);
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (SUCCEEDED(IWbemClassObject_Get(o, strs[i].prop, 0, &v, NULL, NULL)) &&
		    V_VT(&v) == VT_BSTR && V_BSTR(&v)) {
			char *u = w32_utf8(V_BSTR(&v));
			if (u)
				snprintf((char *)k + strs[i].off, RDLS_KEYPACK_STR_MAX, "%s", u);
			free(u);
		}
		VariantClear(&v);
	}
}

int w32_ls_keypacks_get(void *ctx, rdls_keypack *out, size_t max, size_t *count, rdls_err *err)
{
	IWbemServices *svc = NULL;
	IWbemClassObject *cls = NULL;
	IEnumWbemClassObject *en = NULL;
	BSTR cname = NULL, lang = NULL, query = NULL;
	int rc = -1;

	*count = 0;
	if (w32_wmi_cimv2(ctx, &svc, err) != 0)
		return -1;
	cname = SysAllocString(KP_CLASS);
	lang = SysAllocString(L"WQL");
	query = SysAllocString(L"SELECT * FROM Win32_TSLicenseKeyPack");
	if (!cname || !lang || !query) {
		w32_fail(err, "SysAllocString", KP_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	/* The class first: where the role is missing, that is the answer (its WBEM code). */
	HRESULT hr = IWbemServices_GetObject(svc, cname, 0, NULL, &cls, NULL);
	if (FAILED(hr)) {
		cls = NULL;
		if (rdls_lswmi_class_missing((uint32_t)hr))
			w32_fail_text(err, "IWbemServices::GetObject", KP_OBJ, (DWORD)hr,
				      "the class Win32_TSLicenseKeyPack does not exist: the Remote "
				      "Desktop Licensing role is not installed");
		else
			w32_fail(err, "IWbemServices::GetObject", KP_OBJ, (DWORD)hr);
		goto out;
	}
	hr = IWbemServices_ExecQuery(svc, lang, query,
				     WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &en);
	if (FAILED(hr)) {
		en = NULL;
		w32_fail(err, "IWbemServices::ExecQuery", KP_OBJ, (DWORD)hr);
		goto out;
	}
	for (;;) {
		IWbemClassObject *obj = NULL;
		ULONG got = 0;
		hr = IEnumWbemClassObject_Next(en, (LONG)WBEM_INFINITE, 1, &obj, &got);
		if (FAILED(hr)) {
			w32_fail(err, "IEnumWbemClassObject::Next", KP_OBJ, (DWORD)hr);
			goto out;
		}
		if (got == 0 || !obj)
			break; /* WBEM_S_FALSE: no more */
		if (*count < max)
			read_keypack(obj, &out[*count]);
		(*count)++;
		IWbemClassObject_Release(obj);
	}
	rc = 0;
out:
	if (en)
		IEnumWbemClassObject_Release(en);
	if (cls)
		IWbemClassObject_Release(cls);
	if (query)
		SysFreeString(query);
	if (lang)
		SysFreeString(lang);
	if (cname)
		SysFreeString(cname);
	return rc;
}
