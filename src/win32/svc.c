/*
 * Services the preconditions look for (the RD Licensing role is the TermServLicensing
 * service): whether one is installed, asked of the service control manager with the
 * least access that answers it.
 */
#include <stdlib.h>

#include "win32/w32.h"

int w32_service_exists(void *ctx, const char *name, bool *exists, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "service '%s'", name);
	*exists = false;
	wchar_t *wname = w32_wide(name);
	if (!wname)
		return w32_fail_text(err, "", obj, 0, "name is not valid UTF-8 or out of memory");
	int rc = 0;
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (!scm) {
		rc = w32_fail(err, "OpenSCManagerW", "the service control manager", GetLastError());
		goto out;
	}
	SC_HANDLE svc = OpenServiceW(scm, wname, SERVICE_QUERY_STATUS);
	if (svc) {
		*exists = true;
		CloseServiceHandle(svc);
	} else {
		DWORD code = GetLastError();
		if (code != ERROR_SERVICE_DOES_NOT_EXIST)
			rc = w32_fail(err, "OpenServiceW", obj, code);
	}
	CloseServiceHandle(scm);
out:
	free(wname);
	return rc;
}
