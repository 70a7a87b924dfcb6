/*
 * The NETWORK SERVICE side of the credential helper: all the code of this
 * project that runs as NT AUTHORITY\NETWORK SERVICE is in this file, except the
 * few shared routines named below. (rdlsctl's side, which creates, starts and
 * sweeps the service and serves the pipe, is helper_client.c; the overall design
 * is described there.)
 *
 * What runs as NETWORK SERVICE. The SCM starts a private copy of rdlsctl.exe
 * (helper_copy.c) with the command line
 *   "<copy>" --rdlsctl-credential-helper \\.\pipe\rdlsctl-<random> <pid> <created>
 * main() (src/main.c) calls rdls_platform_harden (later DLLs from System32 only)
 * and then rdls_platform_helper_main (platform.c), which hands that command line
 * to w32_helper_service_main below before any option, profile or environment
 * variable is read; the process ends when it returns. Besides this file the
 * process runs only helper_proto.c (hp_buf and hp_msg_send / hp_msg_recv: the
 * encoding and framing of messages), hp_owner_parse (helper_copy.c: the digits of
 * the command line) and w32_wide (utf.c). It opens the pipe as its client and
 * answers each request with one call on a CRED_TYPE_DOMAIN_PASSWORD credential of
 * its own logon session: CredReadW (HP_GET), CredGetSessionTypes then CredWriteW
 * (HP_PUT), CredDeleteW (HP_DEL). It stops on HP_QUIT, on SERVICE_CONTROL_STOP or
 * _SHUTDOWN, or when the pipe breaks or is disconnected (rdlsctl exited or
 * crashed): all normal ends.
 *
 * What it trusts:
 *   - its command line, which rdlsctl wrote with CreateServiceW: the pipe name
 *     must start with \\.\pipe\rdlsctl- and the owner must be a process id (and a
 *     16-digit creation time, checked for form only); it holds no secret;
 *   - the pipe's server only if it is that process (GetNamedPipeServerProcessId):
 *     the pipe's name is on the command line for anyone to read, and another
 *     process could create it after rdlsctl exited. The pipe is opened with
 *     SECURITY_IDENTIFICATION, so that rdlsctl may identify this process but not
 *     act as NETWORK SERVICE through it;
 *   - the requests of that server, rdlsctl running as an administrator, which
 *     decides which credentials to read, write or delete. Every request is parsed
 *     within bounds (HP_MSG_MAX, HP_WSTR_MAX, exactly to its end); a malformed one
 *     is answered ERROR_INVALID_DATA and changes nothing.
 * No answer carries a password: a credential blob CredReadW returns is wiped
 * (do_get), and the password of HP_PUT is wiped once CredWriteW returned.
 *
 * Measured under Wine 8.0 (Debian 12) with tests/wine/helpertest.c and
 * tests/wine/t_credhelper.sh:
 *   - Wine runs the service as the Wine user (token user S-1-5-21-0-0-0-1000, not
 *     S-1-5-20): it does not separate accounts, so "NETWORK SERVICE's credentials"
 *     are the Wine user's there;
 *   - the helper's environment is built by Wine's SCM, not inherited from the
 *     process that started the wineserver (a variable of that process was absent);
 *   - CredWriteW drops credential attributes, and CredReadW returns a domain
 *     password's blob to the caller (see comment_check and do_get).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <wincred.h>

#include "rdls/cred_check.h"
#include "win32/helper_proto.h"

struct helper_service {
	wchar_t *pipe_name;
	DWORD server_pid;
	SERVICE_STATUS_HANDLE status_handle;
	CRITICAL_SECTION lock; /* status: the control handler runs on another thread */
	SERVICE_STATUS status;
	HANDLE stop_event;
	DWORD exit_code;
};

/*
 * ServiceMain receives no context pointer, so the dispatcher's one service reaches
 * its state through this variable, set once before StartServiceCtrlDispatcherW in
 * the helper process only (never in a normal rdlsctl run).
 */
static struct helper_service *the_service;

static void report_status(struct helper_service *hs, DWORD state, DWORD exit_code)
{
	EnterCriticalSection(&hs->lock);
	/* A stop control arriving as the service ends must not undo SERVICE_STOPPED. */
	if (hs->status.dwCurrentState == SERVICE_STOPPED ||
	    (state == SERVICE_STOP_PENDING && hs->status.dwCurrentState != SERVICE_RUNNING)) {
		LeaveCriticalSection(&hs->lock);
		return;
	}
	hs->status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	hs->status.dwCurrentState = state;
	hs->status.dwControlsAccepted =
		state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
	hs->status.dwWin32ExitCode = exit_code;
	hs->status.dwServiceSpecificExitCode = 0;
	hs->status.dwCheckPoint = 0;
	hs->status.dwWaitHint = state == SERVICE_STOP_PENDING ? 5000 : 0;
	SetServiceStatus(hs->status_handle, &hs->status);
	LeaveCriticalSection(&hs->lock);
}

static DWORD WINAPI service_control(DWORD control, DWORD type, void *data, void *context)
{
	struct helper_service *hs = context;
	(void)type;
	(void)data;
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		report_status(hs, SERVICE_STOP_PENDING, NO_ERROR);
		SetEvent(hs->stop_event);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

static void put_api(struct hp_buf *resp, DWORD code, const wchar_t *api)
{
	hp_put_u32(resp, code);
	if (code == ERROR_SUCCESS)
		hp_put_wstr(resp, L"", 0);
	else
		hp_put_wstr(resp, api, (size_t)lstrlenW(api));
}

/*
 * The check string is kept twice: in the attribute HP_CHECK_KEYWORD, where
 * Microsoft puts application data and where it is read first, and in the
 * credential's Comment. Wine 8.0 persists Comment but silently drops attributes
 * (dlls/advapi32/cred.c: "FIXME: Attributes"; measured: CredReadW returns
 * AttributeCount 0 after a CredWriteW with one), so without the copy a credential
 * written under Wine would never look converged. The Comment is used only when it
 * is a well-formed check string, so a comment someone else wrote is never
 * mistaken for one. It reveals nothing the attribute does not.
 */
static bool comment_check(const wchar_t *comment, char *out, size_t n)
{
	size_t len = comment ? (size_t)lstrlenW(comment) : 0;
	size_t plen = sizeof(RDLS_CRED_CHECK_PREFIX) - 1;
	if (len <= plen || len >= n)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (comment[i] < 0x21 || comment[i] > 0x7E)
			return false;
		out[i] = (char)comment[i];
	}
	out[len] = '\0';
	return memcmp(out, RDLS_CRED_CHECK_PREFIX, plen) == 0;
}

static void do_get(struct hp_buf *req, struct hp_buf *resp)
{
	wchar_t *target = NULL;
	PCREDENTIALW c = NULL;

	if (!hp_get_wstr(req, &target, NULL) || req->pos != req->len) {
		put_api(resp, ERROR_INVALID_DATA, L"rdlsctl helper protocol");
		goto out;
	}
	if (!CredReadW(target, CRED_TYPE_DOMAIN_PASSWORD, 0, &c)) {
		DWORD code = GetLastError();
		if (code != ERROR_NOT_FOUND) {
			put_api(resp, code, L"CredReadW");
			goto out;
		}
		put_api(resp, ERROR_SUCCESS, NULL);
		hp_put_u32(resp, 0);
		hp_put_u32(resp, 0);
		hp_put_u32(resp, 0);
		hp_put_wstr(resp, L"", 0);
		hp_put_bytes(resp, "", 0);
		goto out;
	}
	/* Windows hands a domain password's blob only to authentication packages;
	 * should an implementation return it anyway, it goes no further than here. */
	if (c->CredentialBlob && c->CredentialBlobSize)
		SecureZeroMemory(c->CredentialBlob, c->CredentialBlobSize);

	const unsigned char *check = NULL;
	size_t check_len = 0;
	for (DWORD i = 0; i < c->AttributeCount; i++) {
		const CREDENTIAL_ATTRIBUTEW *a = &c->Attributes[i];
		if (a->Keyword && CompareStringOrdinal(a->Keyword, -1, HP_CHECK_KEYWORD, -1, TRUE) ==
		                          CSTR_EQUAL) {
			check = a->Value;
			check_len = a->Value ? a->ValueSize : 0;
			break;
		}
	}
	char from_comment[CRED_MAX_STRING_LENGTH + 1];
	if (!check && comment_check(c->Comment, from_comment, sizeof(from_comment))) {
		check = (const unsigned char *)from_comment;
		check_len = strlen(from_comment);
	}
	put_api(resp, ERROR_SUCCESS, NULL);
	hp_put_u32(resp, 1);
	hp_put_u32(resp, c->Type);
	hp_put_u32(resp, c->Persist);
	hp_put_wstr(resp, c->UserName ? c->UserName : L"",
		    c->UserName ? (size_t)lstrlenW(c->UserName) : 0);
	hp_put_bytes(resp, check ? (const void *)check : "", check_len);
out:
	if (c)
		CredFree(c);
	free(target);
}

static void do_put(struct hp_buf *req, struct hp_buf *resp)
{
	wchar_t *target = NULL, *user = NULL, *password = NULL;
	size_t password_len = 0;
	const unsigned char *check = NULL;
	size_t check_len = 0;

	if (!hp_get_wstr(req, &target, NULL) || !hp_get_wstr(req, &user, NULL) ||
	    !hp_get_wstr(req, &password, &password_len) ||
	    !hp_get_bytes(req, &check, &check_len) || req->pos != req->len) {
		put_api(resp, ERROR_INVALID_DATA, L"rdlsctl helper protocol");
		goto out;
	}

	/* The Comment copy of the check (see comment_check): printable ASCII only. */
	wchar_t comment[CRED_MAX_STRING_LENGTH + 1];
	bool has_comment = check_len > 0 && check_len <= CRED_MAX_STRING_LENGTH;
	for (size_t i = 0; has_comment && i < check_len; i++) {
		has_comment = check[i] >= 0x21 && check[i] <= 0x7E;
		comment[i] = (wchar_t)check[i];
	}
	if (has_comment)
		comment[check_len] = 0;

	CREDENTIAL_ATTRIBUTEW attr;
	memset(&attr, 0, sizeof(attr));
	attr.Keyword = HP_CHECK_KEYWORD;
	attr.ValueSize = (DWORD)check_len;
	attr.Value = (LPBYTE)check;

	CREDENTIALW c;
	memset(&c, 0, sizeof(c));
	c.Type = CRED_TYPE_DOMAIN_PASSWORD;
	c.TargetName = target;
	c.UserName = user;
	c.Comment = has_comment ? comment : NULL;
	c.CredentialBlobSize = (DWORD)(password_len * sizeof(wchar_t)); /* no terminator */
	c.CredentialBlob = (LPBYTE)password;
	c.Persist = CRED_PERSIST_ENTERPRISE; /* what cmdkey /add uses */
	c.AttributeCount = check_len ? 1 : 0;
	c.Attributes = check_len ? &attr : NULL;

	/* With "Network access: Do not allow storage of passwords and credentials for
	 * network authentication" (Lsa DisableDomainCreds) CredWriteW fails with a code
	 * that does not say why; CredGetSessionTypes tells it first. */
	DWORD persist[CRED_TYPE_MAXIMUM];
	memset(persist, 0, sizeof(persist));
	if (!CredGetSessionTypes(CRED_TYPE_MAXIMUM, persist))
		put_api(resp, GetLastError(), L"CredGetSessionTypes");
	else if (persist[CRED_TYPE_DOMAIN_PASSWORD] == CRED_PERSIST_NONE)
		put_api(resp, HP_NO_CRED_STORAGE, L"CredGetSessionTypes");
	else if (!CredWriteW(&c, 0))
		put_api(resp, GetLastError(), L"CredWriteW");
	else
		put_api(resp, ERROR_SUCCESS, NULL);
	SecureZeroMemory(&c, sizeof(c));
out:
	if (password) {
		SecureZeroMemory(password, (password_len + 1) * sizeof(wchar_t));
		free(password);
	}
	free(user);
	free(target);
}

static void do_del(struct hp_buf *req, struct hp_buf *resp)
{
	wchar_t *target = NULL;
	if (!hp_get_wstr(req, &target, NULL) || req->pos != req->len)
		put_api(resp, ERROR_INVALID_DATA, L"rdlsctl helper protocol");
	else if (!CredDeleteW(target, CRED_TYPE_DOMAIN_PASSWORD, 0) &&
		 GetLastError() != ERROR_NOT_FOUND)
		put_api(resp, GetLastError(), L"CredDeleteW");
	else
		put_api(resp, ERROR_SUCCESS, NULL);
	free(target);
}

static bool normal_end(DWORD rc)
{
	return rc == ERROR_BROKEN_PIPE || rc == ERROR_PIPE_NOT_CONNECTED ||
	       rc == ERROR_OPERATION_ABORTED;
}

/* Serves requests until QUIT, a stop control, or a broken pipe. */
static DWORD serve(struct helper_service *hs)
{
	HANDLE pipe = INVALID_HANDLE_VALUE;
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
	struct hp_buf req = { 0 }, resp = { 0 };
	DWORD rc = ERROR_SUCCESS;

	if (!ev)
		return GetLastError();
	for (int attempt = 0;; attempt++) {
		/* SECURITY_IDENTIFICATION: rdlsctl may identify this process but not act
		 * as NETWORK SERVICE through the pipe. */
		pipe = CreateFileW(hs->pipe_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
				   FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT |
					   SECURITY_IDENTIFICATION,
				   NULL);
		if (pipe != INVALID_HANDLE_VALUE)
			break;
		rc = GetLastError();
		if (rc != ERROR_PIPE_BUSY || attempt == 3 || !WaitNamedPipeW(hs->pipe_name, 5000))
			goto out;
	}
	/* The pipe's name is on our command line for anyone to read; make sure we talk
	 * to the rdlsctl that started us, not to a process that created the name after
	 * it exited. */
	ULONG server_pid = 0;
	if (!GetNamedPipeServerProcessId(pipe, &server_pid)) {
		rc = GetLastError();
		goto out;
	}
	if (server_pid != hs->server_pid) {
		rc = ERROR_ACCESS_DENIED;
		goto out;
	}

	for (;;) {
		rc = hp_msg_recv(pipe, ev, hs->stop_event, &req, INFINITE);
		/* rdlsctl went away (its DisconnectNamedPipe gives ERROR_PIPE_NOT_CONNECTED,
		 * its exit ERROR_BROKEN_PIPE), or the SCM stopped us: a normal end, which
		 * must not show as an error exit (System log event 7024). */
		if (normal_end(rc)) {
			rc = ERROR_SUCCESS;
			break;
		}
		if (rc != ERROR_SUCCESS)
			break;
		uint32_t op = 0;
		hp_get_u32(&req, &op);
		hp_buf_release(&resp);
		switch (op) {
		case HP_GET: do_get(&req, &resp); break;
		case HP_PUT: do_put(&req, &resp); break;
		case HP_DEL: do_del(&req, &resp); break;
		case HP_QUIT: put_api(&resp, ERROR_SUCCESS, NULL); break;
		default: put_api(&resp, ERROR_INVALID_FUNCTION, L"rdlsctl helper protocol"); break;
		}
		hp_buf_release(&req);
		rc = hp_msg_send(pipe, ev, hs->stop_event, &resp, HP_CALL_TIMEOUT_MS);
		if (rc != ERROR_SUCCESS || op == HP_QUIT) {
			if (normal_end(rc))
				rc = ERROR_SUCCESS;
			break;
		}
	}
out:
	hp_buf_release(&req);
	hp_buf_release(&resp);
	if (pipe != INVALID_HANDLE_VALUE) {
		FlushFileBuffers(pipe);
		CloseHandle(pipe);
	}
	CloseHandle(ev);
	return rc;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
	struct helper_service *hs = the_service;

	/* For a SERVICE_WIN32_OWN_PROCESS service the name is not checked. */
	hs->status_handle = RegisterServiceCtrlHandlerExW(argc ? argv[0] : L"", service_control, hs);
	if (!hs->status_handle) {
		hs->exit_code = GetLastError();
		return;
	}
	hs->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!hs->stop_event) {
		hs->exit_code = GetLastError();
		report_status(hs, SERVICE_STOPPED, hs->exit_code);
		return;
	}
	/* RUNNING before connecting: rdlsctl reads our process id from the SCM to check
	 * who connected, and the SCM's id is reliable from RUNNING on. */
	report_status(hs, SERVICE_RUNNING, NO_ERROR);
	hs->exit_code = serve(hs);
	/* The stop event stays open: the control handler may still SetEvent it until
	 * SERVICE_STOPPED is reported; w32_helper_service_main closes it once the
	 * dispatcher (the handler's thread) has returned. */
	report_status(hs, SERVICE_STOPPED, hs->exit_code);
}

int w32_helper_service_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], HP_FLAG) != 0)
		return -1;
	if (argc != 5)
		return 2;

	struct helper_service hs;
	memset(&hs, 0, sizeof(hs));
	hs.status.dwCurrentState = SERVICE_START_PENDING;
	char *end = NULL;
	unsigned long pid = strtoul(argv[3], &end, 10);
	hs.pipe_name = w32_wide(argv[2]);
	struct hp_owner owner;
	if (!hs.pipe_name || !end || *end || pid == 0 || pid > 0xFFFFFFFFul ||
	    !hp_owner_parse(argv[3], argv[4], &owner) ||
	    CompareStringOrdinal(hs.pipe_name, lstrlenW(HP_PIPE_PREFIX), HP_PIPE_PREFIX, -1, TRUE) !=
		    CSTR_EQUAL) {
		free(hs.pipe_name);
		return 2;
	}
	hs.server_pid = (DWORD)pid;
	InitializeCriticalSection(&hs.lock);

	wchar_t empty[] = L"";
	SERVICE_TABLE_ENTRYW table[] = { { empty, service_main }, { NULL, NULL } };
	the_service = &hs;
	int code;
	if (!StartServiceCtrlDispatcherW(table)) {
		/* ERROR_FAILED_SERVICE_CONTROLLER_CONNECT: started from a console. */
		fprintf(stderr, "rdlsctl: %s is used only by the service control manager "
				"(StartServiceCtrlDispatcherW returned %lu)\n",
			HP_FLAG, (unsigned long)GetLastError());
		code = 2;
	} else {
		code = hs.exit_code == ERROR_SUCCESS ? 0 : 1;
	}
	the_service = NULL;
	if (hs.stop_event)
		CloseHandle(hs.stop_event);
	DeleteCriticalSection(&hs.lock);
	free(hs.pipe_name);
	return code;
}
