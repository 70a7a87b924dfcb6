/*
 * The one place where Win32 error codes and HRESULTs become text. Every wrapper
 * reports through w32_fail(err, api, object, code); this file asks the system
 * (FormatMessageW, also from netmsg.dll for NERR_*, wmiutils.dll for WBEM_E_* and
 * ntdll.dll for CNG's NTSTATUS codes)
 * and falls back to its own table for codes the system may not know (Wine has
 * no netmsg.dll messages, WMI provider return values have no message table).
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

struct known_code {
	DWORD code;
	const char *text;
};

/* Used only when the system has no message for the code. */
static const struct known_code known_codes[] = {
	{ 1376, "the specified local group does not exist" },       /* ERROR_NO_SUCH_ALIAS */
	{ 1377, "the specified account name is not a member of the group" },
	{ 1378, "the specified account name is already a member of the group" },
	{ 1379, "the specified local group already exists" },       /* ERROR_ALIAS_EXISTS */
	{ 1332, "no mapping between account names and security IDs was done" },
	{ 2220, "the group name could not be found" },              /* NERR_GroupNotFound */
	{ 2221, "the user name could not be found" },               /* NERR_UserNotFound */
	{ 2223, "the group already exists" },                       /* NERR_GroupExists */
	{ 2224, "the account already exists" },                     /* NERR_UserExists */
	{ 2245, "the password does not meet the password policy requirements" },
	{ 0x80041001u, "generic WMI failure" },                     /* WBEM_E_FAILED */
	{ 0x80041002u, "not found" },                               /* WBEM_E_NOT_FOUND */
	{ 0x80041003u, "access denied" },                           /* WBEM_E_ACCESS_DENIED */
	{ 0x8004100Eu, "invalid namespace" },                       /* WBEM_E_INVALID_NAMESPACE */
	{ 0x80041010u, "invalid class" },                           /* WBEM_E_INVALID_CLASS */
	{ 0x80041008u, "invalid parameter" },                       /* WBEM_E_INVALID_PARAMETER */
	{ 0x8004100Cu, "not supported" },                           /* WBEM_E_NOT_SUPPORTED */
	{ 0x80041013u, "the WMI provider could not be loaded" },    /* WBEM_E_PROVIDER_LOAD_FAILURE */
	{ 0x80041017u, "invalid query" },                           /* WBEM_E_INVALID_QUERY */
	{ 0x8004102Eu, "invalid method" },                          /* WBEM_E_INVALID_METHOD */
	{ 0x80041055u, "the method is not implemented" },           /* WBEM_E_METHOD_NOT_IMPLEMENTED */
	{ 15007, "the specified channel could not be found" },     /* ERROR_EVT_CHANNEL_NOT_FOUND */
	{ 15002, "the publisher metadata cannot be found in the resource" }, /* ..._PUBLISHER_METADATA_NOT_FOUND */
	{ 15027, "the message resource is present but the message was not found in the message table" },
	{ 0xC0000002u, "the requested operation is not implemented" }, /* STATUS_NOT_IMPLEMENTED */
	{ 0xC0000008u, "an invalid handle was specified" },         /* STATUS_INVALID_HANDLE */
	{ 0xC000000Du, "an invalid parameter was passed to a service or function" }, /* STATUS_INVALID_PARAMETER */
	{ 0xC0000017u, "not enough virtual memory or paging file quota is available" }, /* STATUS_NO_MEMORY */
	{ 0xC0000023u, "the buffer is too small to contain the entry" }, /* STATUS_BUFFER_TOO_SMALL */
	{ 0xC00000BBu, "the request is not supported" },            /* STATUS_NOT_SUPPORTED */
	{ 0xC0000225u, "the object was not found" },                /* STATUS_NOT_FOUND */
};

/* FormatMessageW's text for code (LocalFree it), or NULL. */
static wchar_t *format_text(DWORD flags, HMODULE mod, DWORD code)
{
	wchar_t *msg = NULL;
	flags |= FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS;
	DWORD n = FormatMessageW(flags, mod, code, 0, (LPWSTR)&msg, 0, NULL);
	if (n == 0) {
		if (msg)
			LocalFree(msg);
		return NULL;
	}
	return msg;
}

/*
 * FormatMessageW from the system, or from a message DLL when module_name is set:
 * netmsg.dll from System32 only (LOAD_LIBRARY_SEARCH_SYSTEM32), wmiutils.dll by its
 * full path in System32\\wbem (which the default search reaches only through PATH),
 * so that no DLL of the same name elsewhere is ever loaded, not even as data.
 */
static wchar_t *system_text(DWORD code, const wchar_t *module_name, bool in_wbem)
{
	if (!module_name)
		return format_text(FORMAT_MESSAGE_FROM_SYSTEM, NULL, code);
	HMODULE mod;
	if (in_wbem) {
		wchar_t path[MAX_PATH + 64];
		UINT n = GetSystemDirectoryW(path, MAX_PATH);
		if (n == 0 || n >= MAX_PATH)
			return NULL;
		lstrcatW(path, L"\\wbem\\");
		lstrcatW(path, module_name);
		mod = LoadLibraryExW(path, NULL, LOAD_LIBRARY_AS_DATAFILE);
	} else {
		mod = LoadLibraryExW(module_name, NULL,
				     LOAD_LIBRARY_SEARCH_SYSTEM32 | LOAD_LIBRARY_AS_DATAFILE);
	}
	if (!mod)
		return NULL;
	wchar_t *msg = format_text(FORMAT_MESSAGE_FROM_HMODULE, mod, code);
	FreeLibrary(mod);
	return msg;
}

/* An NTSTATUS error (CNG returns them): the messages are ntdll.dll's, which every
 * process has loaded, so nothing is searched for or loaded here. */
static wchar_t *ntstatus_text(DWORD code)
{
	HMODULE nt = GetModuleHandleW(L"ntdll.dll");
	return nt ? format_text(FORMAT_MESSAGE_FROM_HMODULE, nt, code) : NULL;
}

/* The system's text for code as UTF-8 in buf: trailing blanks and period removed,
 * a leading capital lowered when the word is not an acronym. */
static bool code_text(DWORD code, char *buf, size_t n)
{
	wchar_t *msg = system_text(code, NULL, false);
	if (!msg && code >= 2100 && code <= 2999)
		msg = system_text(code, L"netmsg.dll", false);
	if (!msg && (code & 0xFFFF0000u) == 0x80040000u)
		msg = system_text(code, L"wmiutils.dll", true);
	if (!msg && (code & 0xC0000000u) == 0xC0000000u)
		msg = ntstatus_text(code);
	if (!msg)
		return false;

	char *u = w32_utf8(msg);
	LocalFree(msg);
	if (!u)
		return false;
	size_t len = strlen(u);
	while (len && (u[len - 1] == '\r' || u[len - 1] == '\n' || u[len - 1] == ' ' ||
		       u[len - 1] == '.'))
		u[--len] = '\0';
	if (len == 0) {
		free(u);
		return false;
	}
	if (u[0] >= 'A' && u[0] <= 'Z' && u[1] >= 'a' && u[1] <= 'z')
		u[0] = (char)(u[0] - 'A' + 'a');
	/* Truncate on a UTF-8 character boundary. */
	if (len >= n) {
		len = n - 1;
		while (len && ((unsigned char)u[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(buf, u, len);
	buf[len] = '\0';
	free(u);
	return true;
}

int w32_fail_text(rdls_err *err, const char *api, const char *object, DWORD code,
		  const char *text)
{
	return rdls_err_set(err, api, object, (uint32_t)code, "%s", text ? text : "");
}

int w32_fail(rdls_err *err, const char *api, const char *object, DWORD code)
{
	char text[RDLS_ERR_TEXT_MAX];

	if (!code_text(code, text, sizeof(text))) {
		const char *known = NULL;
		for (size_t i = 0; i < sizeof(known_codes) / sizeof(known_codes[0]); i++)
			if (known_codes[i].code == code)
				known = known_codes[i].text;
		if (known)
			snprintf(text, sizeof(text), "%s", known);
		else
			snprintf(text, sizeof(text), "no system message for this code");
	}
	return w32_fail_text(err, api, object, code, text);
}
