/*
 * Looks at credentials and helper services from a process of its own, the way a
 * test checks what rdlsctl left behind. It never prints a password: for a
 * credential it shows target, type, persistence, user name and whether rdlsctl's
 * check string is there (in the attribute and/or the Comment copy), and only
 * whether the system handed out the blob at all.
 *
 *   credprobe get TARGET      exit 0 present, 1 absent, 2 error
 *   credprobe [list [FILTER]] CredEnumerateW (FILTER like "LICSVR*"); the default
 *   credprobe services        rdlsctl-helper-* services; exit 1 if there is any
 *
 * Under Wine every process runs as the same user, so this process sees the
 * credentials the NETWORK SERVICE helper wrote. On Windows it would have to run
 * as NETWORK SERVICE itself (psexec -u "NT AUTHORITY\NETWORK SERVICE") to see them.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN /* no winsock.h: it does not build under winegcc -std=c11 */
#endif
#include <windows.h>
#include <wincred.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void utf8(const WCHAR *w, char *out, int n)
{
	out[0] = '\0';
	if (w && !WideCharToMultiByte(CP_UTF8, 0, w, -1, out, n, NULL, NULL))
		snprintf(out, (size_t)n, "?");
}

static void show(const CREDENTIALW *c)
{
	char target[1024], user[1024];
	bool attr = false, comment = false;
	utf8(c->TargetName, target, sizeof(target));
	utf8(c->UserName, user, sizeof(user));
	for (DWORD i = 0; i < c->AttributeCount; i++)
		if (c->Attributes[i].Keyword &&
		    CompareStringOrdinal(c->Attributes[i].Keyword, -1, L"rdlsctl_check", -1, TRUE) ==
			    CSTR_EQUAL)
			attr = c->Attributes[i].ValueSize > 0;
	if (c->Comment)
		comment = CompareStringOrdinal(c->Comment, 20, L"rdls1$pbkdf2-sha256$", 20, FALSE) ==
			  CSTR_EQUAL;
	printf("target=%s type=%lu persist=%lu user=%s attributes=%lu check_attribute=%s "
	       "check_comment=%s blob=%s\n",
	       target, (unsigned long)c->Type, (unsigned long)c->Persist, user,
	       (unsigned long)c->AttributeCount, attr ? "yes" : "no", comment ? "yes" : "no",
	       c->CredentialBlobSize ? "returned-to-caller" : "withheld");
}

static int get(const char *target8)
{
	WCHAR target[512];
	PCREDENTIALW c = NULL;
	if (!MultiByteToWideChar(CP_UTF8, 0, target8, -1, target, 512))
		return 2;
	if (!CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &c)) {
		DWORD e = GetLastError();
		if (e == ERROR_NOT_FOUND) {
			printf("target=%s absent\n", target8);
			return 1;
		}
		fprintf(stderr, "CredReadW on credential '%s' returned %lu\n", target8,
			(unsigned long)e);
		return 2;
	}
	if (c->CredentialBlob && c->CredentialBlobSize)
		SecureZeroMemory(c->CredentialBlob, c->CredentialBlobSize);
	show(c);
	CredFree(c);
	return 0;
}

static int list(const char *filter8)
{
	WCHAR filter[512];
	DWORD count = 0;
	PCREDENTIALW *all = NULL;
	if (filter8 && !MultiByteToWideChar(CP_UTF8, 0, filter8, -1, filter, 512))
		return 2;
	if (!CredEnumerateW(filter8 ? filter : NULL, 0, &count, &all)) {
		DWORD e = GetLastError();
		if (e == ERROR_NOT_FOUND) {
			printf("no credentials\n");
			return 0;
		}
		fprintf(stderr, "CredEnumerateW returned %lu\n", (unsigned long)e);
		return 2;
	}
	for (DWORD i = 0; i < count; i++) {
		if (all[i]->CredentialBlob && all[i]->CredentialBlobSize)
			SecureZeroMemory(all[i]->CredentialBlob, all[i]->CredentialBlobSize);
		show(all[i]);
	}
	CredFree(all);
	return 0;
}

static int services(void)
{
	static BYTE buf[256 * 1024];
	DWORD needed = 0, count = 0, resume = 0, found = 0;
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
	if (!scm) {
		fprintf(stderr, "OpenSCManagerW returned %lu\n", (unsigned long)GetLastError());
		return 2;
	}
	if (!EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL, buf,
				   sizeof(buf), &needed, &count, &resume, NULL)) {
		fprintf(stderr, "EnumServicesStatusExW returned %lu\n", (unsigned long)GetLastError());
		CloseServiceHandle(scm);
		return 2;
	}
	ENUM_SERVICE_STATUS_PROCESSW *s = (ENUM_SERVICE_STATUS_PROCESSW *)buf;
	for (DWORD i = 0; i < count; i++) {
		if (CompareStringOrdinal(s[i].lpServiceName, 15, L"rdlsctl-helper-", 15, TRUE) !=
		    CSTR_EQUAL)
			continue;
		char name[512];
		utf8(s[i].lpServiceName, name, sizeof(name));
		printf("helper service %s state=%lu pid=%lu\n", name,
		       (unsigned long)s[i].ServiceStatusProcess.dwCurrentState,
		       (unsigned long)s[i].ServiceStatusProcess.dwProcessId);
		found++;
	}
	CloseServiceHandle(scm);
	printf("helper services registered: %lu (of %lu services)\n", (unsigned long)found,
	       (unsigned long)count);
	return found ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "get") == 0)
		return get(argv[2]);
	if (argc == 1)
		return list(NULL);
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "list") == 0)
		return list(argc == 3 ? argv[2] : NULL);
	if (argc == 2 && strcmp(argv[1], "services") == 0)
		return services();
	fprintf(stderr, "usage: credprobe [get TARGET | list [FILTER] | services]\n");
	return 2;
}
