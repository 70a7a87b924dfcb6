/*
 * regacl: sets or probes the security of an HKLM key, for the Wine tests' genuine faults
 * (a hardening baseline that leaves a key read-only).
 *
 *   regacl set KEY SDDL     create KEY if needed, then RegSetKeySecurity(DACL) from SDDL,
 *                           e.g. "D:P(A;;KR;;;WD)": everyone may read, nobody may write
 *   regacl probe KEY        RegOpenKeyExW(KEY_SET_VALUE) and print its result
 *
 * KEY is relative to HKEY_LOCAL_MACHINE. Prints "API status=N"; exits 0 when the last call
 * returned ERROR_SUCCESS, 1 otherwise, 2 on a usage error.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <sddl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#ifndef PROTECTED_DACL_SECURITY_INFORMATION /* missing from Wine's headers */
#define PROTECTED_DACL_SECURITY_INFORMATION 0x80000000L
#endif

static int report(const char *api, LONG st)
{
	printf("%s status=%ld\n", api, (long)st);
	return st == ERROR_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
	HKEY key = NULL;
	LONG st;

	if (argc == 3 && !strcmp(argv[1], "probe")) {
		st = RegOpenKeyExW(HKEY_LOCAL_MACHINE, w16(argv[2]), 0, KEY_SET_VALUE, &key);
		if (st == ERROR_SUCCESS)
			RegCloseKey(key);
		return report("RegOpenKeyExW(KEY_SET_VALUE)", st);
	}
	if (argc == 4 && !strcmp(argv[1], "set")) {
		PSECURITY_DESCRIPTOR sd = NULL;
		if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
			    w16(argv[3]), SDDL_REVISION_1, &sd, NULL))
			return report("ConvertStringSecurityDescriptorToSecurityDescriptorW",
				      (LONG)GetLastError());
		st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, w16(argv[2]), 0, NULL, 0,
				     KEY_READ | WRITE_DAC, NULL, &key, NULL);
		if (st != ERROR_SUCCESS) {
			LocalFree(sd);
			return report("RegCreateKeyExW", st);
		}
		st = RegSetKeySecurity(key, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, sd);
		RegCloseKey(key);
		LocalFree(sd);
		return report("RegSetKeySecurity", st);
	}
	fprintf(stderr, "usage: regacl set KEY SDDL | regacl probe KEY\n");
	return 2;
}
