/*
 * Test driver for the NETWORK SERVICE credential helper (src/win32/cred.c and
 * helper_*.c), run under Wine by tests/wine/helper-test.sh. It is also the helper
 * service's executable: started by the SCM with the helper flag, it runs
 * w32_helper_service_main like rdlsctl.exe does.
 *
 *   helpertest put TARGET USER [CHECK]     password from RDLS_TEST_PASSWORD
 *   helpertest get TARGET
 *   helpertest del TARGET
 *   helpertest cycle TARGET USER CHECK     put, get, del, get through one helper
 *   helpertest crash TARGET                get, then exit without shutting down
 *   helpertest kill TARGET                 get, kill the helper, get (fails), get (new helper)
 *   helpertest hold TARGET MS              get, wait MS milliseconds, get (same helper)
 *   helpertest plant                       register a stale helper as a crashed run would
 *   helpertest sweep                       w32_helper_sweep
 *   helpertest dacl                        does this Wine enforce the pipe's DACL?
 *
 * Test hooks, read only by this driver when it runs as the helper service: the
 * file C:\rdlsctl-helpertest-mode.txt containing "exit-early" makes the helper
 * exit before contacting the SCM (a service that cannot start); "identity" makes
 * it record its token's user SID, and whether RDLS_TEST_PASSWORD is in its
 * environment, in C:\rdlsctl-helpertest-identity.txt.
 * Exit status: 0 ok, 1 an operation failed (message on stderr), 2 usage.
 */
#include "win32/w32.h"

#include <sddl.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/err.h"
#include "rdls/secret.h"

#define MODE_FILE "C:\\rdlsctl-helpertest-mode.txt"
#define IDENTITY_FILE "C:\\rdlsctl-helpertest-identity.txt"

static int fail(const rdls_err *e)
{
	char buf[1024];
	rdls_err_format(e, buf, sizeof(buf));
	fprintf(stderr, "error: %s\n", buf);
	return 1;
}

static void print_cred(const char *target, const rdls_cred *c)
{
	if (!c->present) {
		printf("get %s: absent\n", target);
		return;
	}
	printf("get %s: present type=%u persist=%u user=%s check=%s\n", target, (unsigned)c->type,
	       (unsigned)c->persist, c->user, c->check[0] ? c->check : "(none)");
}

/* Win32 file calls, not fopen: in a winegcc program fopen is glibc's, which
 * takes "C:\\x" for a relative Unix file name. */
static char *read_mode(void)
{
	static char mode[64];
	DWORD n = 0;
	mode[0] = '\0';
	HANDLE f = CreateFileA(MODE_FILE, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
	if (f != INVALID_HANDLE_VALUE) {
		if (!ReadFile(f, mode, sizeof(mode) - 1, &n, NULL))
			n = 0;
		mode[n] = '\0';
		CloseHandle(f);
		mode[strcspn(mode, "\r\n")] = '\0';
	}
	return mode;
}

/* Writes the token's user SID and whether it holds NETWORK SERVICE's SID. */
static void record_identity(void)
{
	HANDLE tok;
	BYTE buf[256];
	DWORD n = 0;
	LPWSTR sid = NULL;
	char line[512], *u = NULL;
	if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
		if (GetTokenInformation(tok, TokenUser, buf, sizeof(buf), &n) &&
		    ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &sid)) {
			u = w32_utf8(sid);
			LocalFree(sid);
		}
		CloseHandle(tok);
	}
	PSID ns = NULL;
	BOOL member = FALSE;
	if (ConvertStringSidToSidW(L"S-1-5-20", &ns)) {
		CheckTokenMembership(NULL, ns, &member);
		LocalFree(ns);
	}
	char probe[8];
	bool has_pw = GetEnvironmentVariableA("RDLS_TEST_PASSWORD", probe, sizeof(probe)) > 0;
	SecureZeroMemory(probe, sizeof(probe));
	int len = snprintf(line, sizeof(line),
			   "user=%s\nnetwork_service_member=%s\nenv_has_RDLS_TEST_PASSWORD=%s\n",
			   u ? u : "?", member ? "yes" : "no", has_pw ? "yes" : "no");
	free(u);
	HANDLE f = CreateFileA(IDENTITY_FILE, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (f != INVALID_HANDLE_VALUE) {
		WriteFile(f, line, (DWORD)len, &n, NULL);
		CloseHandle(f);
	}
}

/* The process of the (first) running rdlsctl-helper-* service, or 0. */
static DWORD running_helper_pid(void)
{
	DWORD pid = 0, needed = 0, count = 0, resume = 0;
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
	static BYTE buf[256 * 1024];
	if (!scm)
		return 0;
	if (EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, buf,
				  sizeof(buf), &needed, &count, &resume, NULL)) {
		ENUM_SERVICE_STATUS_PROCESSW *s = (ENUM_SERVICE_STATUS_PROCESSW *)buf;
		for (DWORD i = 0; i < count; i++)
			if (CompareStringOrdinal(s[i].lpServiceName, 15, L"rdlsctl-helper-", 15, TRUE) ==
			    CSTR_EQUAL)
				pid = s[i].ServiceStatusProcess.dwProcessId;
	}
	CloseServiceHandle(scm);
	return pid;
}

/* RDLS_TEST_PASSWORD as UTF-8 (the A functions would give the ANSI code page). */
static rdls_secret *test_password(void)
{
	WCHAR w[1024];
	char u[4096];
	DWORD n = GetEnvironmentVariableW(L"RDLS_TEST_PASSWORD", w, 1024);
	if (n == 0 || n >= 1024)
		return NULL;
	int un = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, u, sizeof(u), NULL, NULL);
	rdls_secret *s = un > 0 ? rdls_secret_new(u, (size_t)un) : NULL;
	SecureZeroMemory(w, sizeof(w));
	SecureZeroMemory(u, sizeof(u));
	return s;
}

/* Registers a helper service the way a run that crashed right after
 * CreateServiceW leaves it: never deleted, its rdlsctl process gone. */
static int plant(void)
{
	WCHAR exe[MAX_PATH + 8], cmd[2 * MAX_PATH];
	DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
	if (!n)
		return 1;
	lstrcatW(exe, L".so");
	lstrcpyW(cmd, L"\"");
	lstrcatW(cmd, exe);
	lstrcatW(cmd, L"\" --rdlsctl-credential-helper \\\\.\\pipe\\rdlsctl-00000000000000000000000000000000 4294967280");
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
	if (!scm)
		return 1;
	static const WCHAR *names[] = { L"rdlsctl-helper-0000000000000001",
					L"rdlsctl-helper-0000000000000002" };
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		SC_HANDLE svc = CreateServiceW(scm, names[i], names[i], SERVICE_ALL_ACCESS,
					       SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
					       SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL,
					       L"NT AUTHORITY\\NetworkService", L"");
		if (!svc) {
			fprintf(stderr, "CreateServiceW: %lu\n", (unsigned long)GetLastError());
			rc = 1;
			continue;
		}
		/* The second one has run: its helper found no pipe and stopped. */
		if (i == 1 && !StartServiceW(svc, 0, NULL))
			fprintf(stderr, "StartServiceW: %lu\n", (unsigned long)GetLastError());
		CloseServiceHandle(svc);
	}
	CloseServiceHandle(scm);
	if (rc == 0)
		printf("planted 2 stale helper services\n");
	return rc;
}

/* Whether the pipe DACL keeps out a process of the same (Wine) user. */
static int dacl(void)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;GA;;;NS)(A;;GA;;;SY)",
								  SDDL_REVISION_1, &sd, NULL))
		return 1;
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	const WCHAR *name = L"\\\\.\\pipe\\rdlsctl-dacl-probe";
	HANDLE srv = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
				      PIPE_TYPE_BYTE | PIPE_WAIT | 0x8 /* REJECT_REMOTE */, 1, 4096,
				      4096, 0, &sa);
	LocalFree(sd);
	if (srv == INVALID_HANDLE_VALUE) {
		printf("CreateNamedPipeW: %lu\n", (unsigned long)GetLastError());
		return 1;
	}
	HANDLE second = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
					 PIPE_TYPE_BYTE, 2, 4096, 4096, 0, NULL);
	printf("second instance with FILE_FLAG_FIRST_PIPE_INSTANCE: %s (%lu)\n",
	       second == INVALID_HANDLE_VALUE ? "refused" : "created",
	       (unsigned long)(second == INVALID_HANDLE_VALUE ? GetLastError() : 0));
	if (second != INVALID_HANDLE_VALUE)
		CloseHandle(second);
	HANDLE cli = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
	printf("client open by the same user, DACL NS+SY only: %s (%lu)\n",
	       cli == INVALID_HANDLE_VALUE ? "denied" : "ALLOWED",
	       (unsigned long)(cli == INVALID_HANDLE_VALUE ? GetLastError() : 0));
	if (cli != INVALID_HANDLE_VALUE)
		CloseHandle(cli);
	CloseHandle(srv);

	/* The same with a DACL that grants nobody anything. */
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P", SDDL_REVISION_1, &sd, NULL))
		return 1;
	sa.lpSecurityDescriptor = sd;
	srv = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0,
			       &sa);
	LocalFree(sd);
	cli = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
	printf("client open by the same user, empty DACL: %s (%lu)\n",
	       cli == INVALID_HANDLE_VALUE ? "denied" : "ALLOWED",
	       (unsigned long)(cli == INVALID_HANDLE_VALUE ? GetLastError() : 0));
	if (cli != INVALID_HANDLE_VALUE)
		CloseHandle(cli);
	if (srv != INVALID_HANDLE_VALUE)
		CloseHandle(srv);

	PSID ns = NULL;
	BOOL member = FALSE;
	if (ConvertStringSidToSidW(L"S-1-5-20", &ns)) {
		CheckTokenMembership(NULL, ns, &member);
		LocalFree(ns);
	}
	printf("this token holds NETWORK SERVICE's SID: %s\n", member ? "yes" : "no");
	return 0;
}

int main(int argc_ansi, char **argv_ansi)
{
	/* UTF-8 arguments from the wide command line, as platform.c gives rdlsctl. */
	(void)argc_ansi;
	(void)argv_ansi;
	int argc = 0;
	LPWSTR *wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
	char **argv = wargv ? calloc((size_t)argc + 1, sizeof(char *)) : NULL;
	for (int i = 0; argv && i < argc; i++)
		if (!(argv[i] = w32_utf8(wargv[i])))
			return 2;
	if (!argv)
		return 2;

	if (argc >= 2 && strcmp(argv[1], "--rdlsctl-credential-helper") == 0) {
		const char *mode = read_mode();
		if (strcmp(mode, "exit-early") == 0)
			return 7;
		if (strcmp(mode, "identity") == 0)
			record_identity();
		return w32_helper_service_main(argc, argv);
	}
	if (argc < 2)
		goto usage;

	struct w32_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	rdls_err e;
	rdls_err_clear(&e);
	rdls_cred c;
	const char *cmd = argv[1];
	int rc = 0;

	if (strcmp(cmd, "put") == 0 && (argc == 4 || argc == 5)) {
		rdls_secret *pw = test_password();
		if (!pw) {
			fprintf(stderr, "RDLS_TEST_PASSWORD is not set\n");
			return 2;
		}
		if (w32_cred_put(&ctx, argv[2], argv[3], pw, argc == 5 ? argv[4] : "", &e) != 0)
			rc = fail(&e);
		else
			printf("put %s: ok\n", argv[2]);
		rdls_secret_free(pw);
	} else if (strcmp(cmd, "get") == 0 && argc == 3) {
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			rc = fail(&e);
		else
			print_cred(argv[2], &c);
	} else if (strcmp(cmd, "del") == 0 && argc == 3) {
		if (w32_cred_del(&ctx, argv[2], &e) != 0)
			rc = fail(&e);
		else
			printf("del %s: ok\n", argv[2]);
	} else if (strcmp(cmd, "cycle") == 0 && argc == 5) {
		rdls_secret *pw = test_password();
		if (!pw) {
			fprintf(stderr, "RDLS_TEST_PASSWORD is not set\n");
			return 2;
		}
		const void *first = NULL;
		bool same = true;
		if (w32_cred_put(&ctx, argv[2], argv[3], pw, argv[4], &e) != 0)
			rc = fail(&e);
		first = ctx.helper;
		if (!rc && w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			rc = fail(&e);
		if (!rc)
			print_cred(argv[2], &c);
		same = same && ctx.helper == first;
		if (!rc && w32_cred_del(&ctx, argv[2], &e) != 0)
			rc = fail(&e);
		same = same && ctx.helper == first;
		if (!rc && w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			rc = fail(&e);
		if (!rc)
			print_cred(argv[2], &c);
		same = same && ctx.helper == first;
		if (!rc && w32_cred_del(&ctx, argv[2], &e) != 0) /* absent: still succeeds */
			rc = fail(&e);
		printf("one helper for all operations: %s\n", same && first ? "yes" : "no");
		rdls_secret_free(pw);
	} else if (strcmp(cmd, "crash") == 0 && argc == 3) {
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			return fail(&e);
		print_cred(argv[2], &c);
		printf("helper process %lu running; exiting without shutdown\n",
		       (unsigned long)running_helper_pid());
		fflush(stdout);
		ExitProcess(3);
	} else if (strcmp(cmd, "kill") == 0 && argc == 3) {
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			return fail(&e);
		DWORD pid = running_helper_pid();
		HANDLE p = pid ? OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid) : NULL;
		if (!p || !TerminateProcess(p, 9)) {
			fprintf(stderr, "cannot kill the helper (pid %lu)\n", (unsigned long)pid);
			return 1;
		}
		WaitForSingleObject(p, 10000);
		CloseHandle(p);
		printf("killed helper process %lu\n", (unsigned long)pid);
		if (w32_cred_get(&ctx, argv[2], &c, &e) == 0) {
			printf("get after kill unexpectedly succeeded\n");
			rc = 1;
		} else {
			char buf[1024];
			rdls_err_format(&e, buf, sizeof(buf));
			printf("get after kill failed as expected: %s\n", buf);
		}
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			rc = fail(&e);
		else
			printf("get with a new helper: %s\n", c.present ? "present" : "absent");
	} else if (strcmp(cmd, "hold") == 0 && argc == 4) {
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			return fail(&e);
		const void *first = ctx.helper;
		printf("holding helper process %lu\n", (unsigned long)running_helper_pid());
		fflush(stdout);
		Sleep((DWORD)strtoul(argv[3], NULL, 10));
		if (w32_cred_get(&ctx, argv[2], &c, &e) != 0)
			rc = fail(&e);
		else
			printf("get after holding, same helper: %s\n", ctx.helper == first ? "yes" : "no");
	} else if (strcmp(cmd, "plant") == 0 && argc == 2) {
		return plant();
	} else if (strcmp(cmd, "sweep") == 0 && argc == 2) {
		w32_helper_sweep();
		printf("swept\n");
	} else if (strcmp(cmd, "dacl") == 0 && argc == 2) {
		return dacl();
	} else {
		goto usage;
	}
	w32_helper_shutdown(&ctx);
	return rc;
usage:
	fprintf(stderr, "usage: helpertest put|get|del|cycle|crash|kill|plant|sweep|dacl ...\n");
	return 2;
}
