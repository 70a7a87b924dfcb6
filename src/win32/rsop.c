/*
 * Resultant Set of Policy of the computer (WMI root\rsop\computer): which GPO sets a
 * registry policy value and wins. RSOP_RegistryPolicySetting rows with precedence 1
 * under the key, from a GPO other than the local one ("LocalGPO"); the GPO's display
 * name from RSOP_GPO. The namespace needs an administrator and holds data only after
 * the Group Policy engine has logged a refresh.
 */
#define COBJMACROS
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>

#define RSOP_NS L"root\\rsop\\computer"
#define RSOP_OBJ "WMI root\\rsop\\computer"

/* WQL string literal content: backslashes and quotes escaped. */
static BSTR wql_query(const wchar_t *head, const char *literal)
{
	wchar_t *w = w32_wide(literal);
	if (!w)
		return NULL;
	size_t hl = (size_t)lstrlenW(head), n = (size_t)lstrlenW(w);
	wchar_t *q = malloc((hl + 2 * n + 2) * sizeof(wchar_t));
	BSTR b = NULL;
	if (q) {
		size_t k = 0;
		for (size_t i = 0; i < hl; i++)
			q[k++] = head[i];
		for (size_t i = 0; i < n; i++) {
			if (w[i] == L'\\' || w[i] == L'\'')
				q[k++] = L'\\';
			q[k++] = w[i];
		}
		q[k++] = L'\'';
		q[k] = L'\0';
		b = SysAllocString(q);
		free(q);
	}
	free(w);
	return b;
}

static int run_query(IWbemServices *svc, BSTR q, IEnumWbemClassObject **en, rdls_err *err)
{
	BSTR lang = SysAllocString(L"WQL");
	if (!lang)
		return w32_fail(err, "SysAllocString", RSOP_OBJ, (DWORD)E_OUTOFMEMORY);
	HRESULT hr = IWbemServices_ExecQuery(svc, lang, q,
					     WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY,
					     NULL, en);
	SysFreeString(lang);
	if (FAILED(hr)) {
		*en = NULL;
		return w32_fail(err, "IWbemServices::ExecQuery", RSOP_OBJ, (DWORD)hr);
	}
	return 0;
}

/* A string property as UTF-8 into buf; "" when null. */
static int get_str(IWbemClassObject *o, const wchar_t *prop, const char *pname, char *buf,
		   size_t n, rdls_err *err)
{
	VARIANT v;
	VariantInit(&v);
	HRESULT hr = IWbemClassObject_Get(o, prop, 0, &v, NULL, NULL);
	if (FAILED(hr))
		return w32_fail(err, "IWbemClassObject::Get", pname, (DWORD)hr);
	buf[0] = '\0';
	int rc = 0;
	if (V_VT(&v) == VT_BSTR && V_BSTR(&v)) {
		char *u = w32_utf8(V_BSTR(&v));
		if (!u)
			rc = w32_fail(err, "WideCharToMultiByte", pname, ERROR_NO_UNICODE_TRANSLATION);
		else
			snprintf(buf, n, "%s", u);
		free(u);
	}
	VariantClear(&v);
	return rc;
}

/* RSOP_GPO.name of the GPO with id `id`; the id itself when there is no such row. */
static int gpo_name(IWbemServices *svc, const char *id, char *buf, size_t n, rdls_err *err)
{
	snprintf(buf, n, "%s", id);
	BSTR q = wql_query(L"SELECT name FROM RSOP_GPO WHERE id = '", id);
	if (!q)
		return w32_fail(err, "SysAllocString", RSOP_OBJ, (DWORD)E_OUTOFMEMORY);
	IEnumWbemClassObject *en = NULL;
	int rc = run_query(svc, q, &en, err);
	SysFreeString(q);
	if (rc != 0)
		return -1;
	IWbemClassObject *o = NULL;
	ULONG got = 0;
	HRESULT hr = IEnumWbemClassObject_Next(en, (LONG)WBEM_INFINITE, 1, &o, &got);
	if (FAILED(hr)) {
		rc = w32_fail(err, "IEnumWbemClassObject::Next", "RSOP_GPO", (DWORD)hr);
	} else if (got == 1 && o) {
		char name[RDLS_GPO_NAME_MAX];
		rc = get_str(o, L"name", "RSOP_GPO.name", name, sizeof(name), err);
		if (rc == 0 && name[0])
			snprintf(buf, n, "%s", name);
	}
	if (o)
		IWbemClassObject_Release(o);
	IEnumWbemClassObject_Release(en);
	return rc;
}

int w32_gpo_domain_settings(void *ctx, const char *key, rdls_gpo_setting *out, size_t max,
			    size_t *count, rdls_err *err)
{
	struct w32_ctx *c = ctx;
	IWbemServices *svc = NULL;
	IEnumWbemClassObject *en = NULL;
	*count = 0;
	if (w32_wmi_connect(c, RSOP_NS, RSOP_OBJ, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, &svc, err) != 0)
		return -1;
	int rc = -1;
	BSTR q = wql_query(L"SELECT GPOID, valueName FROM RSOP_RegistryPolicySetting WHERE "
			   L"precedence = 1 AND registryKey = '",
			   key);
	if (!q) {
		w32_fail(err, "SysAllocString", RSOP_OBJ, (DWORD)E_OUTOFMEMORY);
		goto out;
	}
	rc = run_query(svc, q, &en, err);
	SysFreeString(q);
	if (rc != 0)
		goto out;
	rc = -1;
	for (;;) {
		IWbemClassObject *o = NULL;
		ULONG got = 0;
		HRESULT hr = IEnumWbemClassObject_Next(en, (LONG)WBEM_INFINITE, 1, &o, &got);
		if (FAILED(hr)) {
			w32_fail(err, "IEnumWbemClassObject::Next", "RSOP_RegistryPolicySetting",
				 (DWORD)hr);
			goto out;
		}
		if (got == 0 || !o)
			break;
		char id[RDLS_GPO_NAME_MAX], value[RDLS_GPO_NAME_MAX];
		int r = get_str(o, L"GPOID", "RSOP_RegistryPolicySetting.GPOID", id, sizeof(id), err);
		if (r == 0)
			r = get_str(o, L"valueName", "RSOP_RegistryPolicySetting.valueName", value,
				    sizeof(value), err);
		IWbemClassObject_Release(o);
		if (r != 0)
			goto out;
		if (lstrcmpiA(id, "LocalGPO") == 0)
			continue;
		if (*count < max) {
			snprintf(out[*count].value, sizeof(out[*count].value), "%s", value);
			if (gpo_name(svc, id, out[*count].gpo, sizeof(out[*count].gpo), err) != 0)
				goto out;
		}
		(*count)++;
	}
	rc = 0;
out:
	if (en)
		IEnumWbemClassObject_Release(en);
	IWbemServices_Release(svc);
	return rc;
}
