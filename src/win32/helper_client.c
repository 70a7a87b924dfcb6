/*
 * The NETWORK SERVICE credential helper, rdlsctl's side.
 *
 * CredWriteW stores a credential in the logon session of the calling token, and
 * the licensing service reads its peers' credentials from NT AUTHORITY\NETWORK
 * SERVICE's. Microsoft's procedure therefore runs cmdkey under psexec as NETWORK
 * SERVICE. rdlsctl does the same with its own executable: for the length of one
 * run it registers itself as a demand-start service with account
 * "NT AUTHORITY\NetworkService" and a random name, and talks to that process over
 * a named pipe that only NETWORK SERVICE and SYSTEM may open. The code is cut
 * where the process boundary is: this file runs in rdlsctl; helper_service.c is
 * all that runs as NETWORK SERVICE (and says what it trusts); helper_proto.c and
 * helper_proto.h are the messages both exchange; helper_copy.c makes the private
 * copy the service runs.
 *
 * rdlsctl (the server end of the pipe):
 *   1. deletes helpers and private copies left behind by crashed runs, only those whose
 *      owning rdlsctl process (id and creation time, on the command line and in the
 *      copy's folder name) is gone, whatever their state (w32_helper_sweep);
 *   2. creates \\.\pipe\rdlsctl-<random> with an explicit DACL, one instance,
 *      FILE_FLAG_FIRST_PIPE_INSTANCE (fails if anyone squats the name) and
 *      PIPE_REJECT_REMOTE_CLIENTS;
 *   3. copies this executable into %ProgramData%\rdlsctl\helper\<owner>-<random>
 *      (helper_copy.c: NETWORK SERVICE may not be able to read where rdlsctl was
 *      started from), CreateServiceW of that copy (display name and description say
 *      what it is) + StartServiceW, and DeleteService at once: the SCM removes a
 *      service marked for deletion as soon as it stops and its handles are closed,
 *      so even a crash of rdlsctl after this point leaves nothing registered;
 *   4. waits (overlapped ConnectNamedPipe, 30 s) for the client and accepts it only
 *      if it is the service's own process (GetNamedPipeClientProcessId against
 *      QueryServiceStatusEx);
 *   5. sends requests (w32_helper_call) until w32_helper_shutdown sends QUIT, waits
 *      for SERVICE_STOPPED, closes everything and deletes the copy.
 * The helper (helper_service.c, the client end, running as NETWORK SERVICE) opens
 * the pipe, checks that the server is the rdlsctl process named on its command line
 * (GetNamedPipeServerProcessId), answers requests with CredReadW / CredWriteW /
 * CredDeleteW (a put first asks CredGetSessionTypes whether this computer stores
 * domain passwords at all), and stops on QUIT, on SERVICE_CONTROL_STOP or when the
 * pipe breaks or is disconnected (rdlsctl exited or crashed): all normal ends.
 *
 * The secret crosses only the pipe: the service's command line holds the pipe's
 * name and rdlsctl's process id, nothing else, and the service has no
 * environment of rdlsctl's.
 *
 * Measured under Wine 8.0 (Debian 12) with tests/wine/helpertest.c and
 * tests/wine/t_credhelper.sh (the service side's findings are in helper_service.c):
 *   - the service starts this executable through its Windows path, and the run
 *     works end to end: put / get / del through one helper per run, the credential
 *     seen from another process (type 2, persist 3, user), nothing registered after
 *     the run, nor after rdlsctl crashed (the helper's pipe breaks, it stops, the SCM
 *     removes the service marked for deletion), after the helper was killed, or after
 *     a helper that could not start (StartServiceW returned 1053 in about 0.5 s);
 *   - Wine does not check a named pipe's DACL at all: a process of the same user
 *     opened a pipe whose DACL grants only NS and SY, and one whose DACL is empty.
 *     That is why the helper (the Wine user) can connect under Wine; on Windows only
 *     NETWORK SERVICE and SYSTEM can. The DACL is not relaxed for Wine, and its effect
 *     is not tested there;
 *   - FILE_FLAG_FIRST_PIPE_INSTANCE is honoured (a second instance: error 231);
 *     PIPE_REJECT_REMOTE_CLIENTS is accepted (Wine has no remote pipes to reject);
 *   - overlapped ReadFile into glibc malloc memory fails with 1784 (see hp_buf in
 *     helper_proto.c);
 *   - Wine's SCM may leave a service whose process ended after a stop control in
 *     STOP_PENDING (see wait_stopped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <sddl.h>

#include "win32/helper_proto.h"

#define HP_CONNECT_TIMEOUT_MS 30000u /* the SCM's own start timeout is 30 s too */
#define HP_QUIT_TIMEOUT_MS 5000u
#define HP_STOP_TIMEOUT_MS 10000u
#define HP_POLL_MS 100u

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008 /* winbase.h; missing from Wine 8's headers */
#endif

/* Only NETWORK SERVICE and SYSTEM may open the pipe; "P" blocks inherited ACEs. */
#define HP_PIPE_SDDL L"D:P(A;;GA;;;NS)(A;;GA;;;SY)"
/* Exactly this spelling: the SCM does not accept localized account names. */
#define HP_ACCOUNT L"NT AUTHORITY\\NetworkService"

struct w32_helper {
	SC_HANDLE scm;
	SC_HANDLE svc;
	HANDLE pipe;
	HANDLE io_event;
	DWORD pid;         /* the helper's process */
	bool deleted;      /* DeleteService already succeeded */
	struct hc_copy copy; /* the private copy the service runs (helper_copy.c) */
	char name[96];     /* service name, UTF-8, for messages */
	char pipe_name[96];
};

/* ---------------------------------------------------------- the rdlsctl side -- */

static void hex(char *out, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool query_status(SC_HANDLE svc, SERVICE_STATUS_PROCESS *ssp)
{
	DWORD needed = 0;
	memset(ssp, 0, sizeof(*ssp));
	return QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)ssp, sizeof(*ssp), &needed);
}

static bool process_exited(DWORD pid)
{
	HANDLE p = pid ? OpenProcess(SYNCHRONIZE, FALSE, pid) : NULL;
	if (!p)
		return pid != 0 && GetLastError() == ERROR_INVALID_PARAMETER; /* no such process */
	bool exited = WaitForSingleObject(p, 0) == WAIT_OBJECT_0;
	CloseHandle(p);
	return exited;
}

/*
 * Waits until the service reports SERVICE_STOPPED or its process is gone (Wine's
 * SCM leaves a service that ended after a stop control in STOP_PENDING); false on
 * timeout.
 */
static bool wait_stopped(SC_HANDLE svc, DWORD timeout_ms)
{
	ULONGLONG deadline = GetTickCount64() + timeout_ms;
	SERVICE_STATUS_PROCESS ssp;
	for (;;) {
		if (!query_status(svc, &ssp))
			return GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST;
		if (ssp.dwCurrentState == SERVICE_STOPPED || process_exited(ssp.dwProcessId))
			return true;
		if (GetTickCount64() >= deadline)
			return false;
		Sleep(HP_POLL_MS);
	}
}

/*
 * OpenProcess(PROCESS_TERMINATE) on a NETWORK SERVICE process: its DACL does not
 * grant that to Administrators, so SeDebugPrivilege (which an elevated administrator
 * holds, disabled) is enabled for this one call and restored afterwards. Without it
 * (a token that lacks the privilege) the open fails: the helper, marked for deletion,
 * then stays until it ends by itself, which it does as soon as its pipe breaks, i.e.
 * when this rdlsctl exits; its private copy is left to the next run's sweep.
 */
static HANDLE open_to_terminate(DWORD pid)
{
	HANDLE token = NULL;
	TOKEN_PRIVILEGES tp, old;
	DWORD old_len = 0;
	bool adjusted = false;

	memset(&tp, 0, sizeof(tp));
	memset(&old, 0, sizeof(old));
	if (OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token) &&
	    LookupPrivilegeValueW(NULL, SE_DEBUG_NAME, &tp.Privileges[0].Luid)) {
		tp.PrivilegeCount = 1;
		tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
		/* Succeeds with ERROR_NOT_ALL_ASSIGNED when the token lacks the privilege. */
		adjusted = AdjustTokenPrivileges(token, FALSE, &tp, sizeof(old), &old, &old_len) &&
			   GetLastError() == ERROR_SUCCESS;
	}
	HANDLE proc = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid);
	DWORD open_error = GetLastError();
	if (adjusted)
		AdjustTokenPrivileges(token, FALSE, &old, 0, NULL, NULL); /* as it was */
	if (token)
		CloseHandle(token);
	SetLastError(open_error);
	return proc;
}

/* Stops (politely, then by force) and deletes one helper service. Best effort. */
static void stop_and_delete(SC_HANDLE svc, bool already_deleted)
{
	SERVICE_STATUS_PROCESS ssp;
	if (query_status(svc, &ssp) && ssp.dwCurrentState != SERVICE_STOPPED) {
		SERVICE_STATUS st;
		ControlService(svc, SERVICE_CONTROL_STOP, &st);
		if (!wait_stopped(svc, HP_STOP_TIMEOUT_MS) && query_status(svc, &ssp) &&
		    ssp.dwProcessId) {
			HANDLE proc = open_to_terminate(ssp.dwProcessId);
			if (proc) {
				TerminateProcess(proc, ERROR_SERVICE_REQUEST_TIMEOUT);
				WaitForSingleObject(proc, HP_STOP_TIMEOUT_MS);
				CloseHandle(proc);
			}
			wait_stopped(svc, HP_STOP_TIMEOUT_MS);
		}
	}
	if (!already_deleted)
		DeleteService(svc); /* ERROR_SERVICE_MARKED_FOR_DELETE is fine too */
}

static void helper_destroy(struct w32_helper *h)
{
	if (!h)
		return;
	if (h->pipe != INVALID_HANDLE_VALUE && h->pipe) {
		DisconnectNamedPipe(h->pipe); /* the helper's next read fails: it exits */
		CloseHandle(h->pipe);
	}
	if (h->svc) {
		stop_and_delete(h->svc, h->deleted);
		CloseServiceHandle(h->svc);
	}
	if (h->scm)
		CloseServiceHandle(h->scm);
	if (h->io_event)
		CloseHandle(h->io_event);
	hc_copy_remove(&h->copy); /* after the service stopped: its image is unmapped */
	free(h);
}

static int fail_service(rdls_err *err, const char *api, const struct w32_helper *h, DWORD code)
{
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "service '%s'", h->name);
	return w32_fail(err, api, obj, code);
}

static int fail_pipe(rdls_err *err, const char *api, const struct w32_helper *h, DWORD code)
{
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "pipe '%s' of the credential helper '%s'", h->pipe_name,
		 h->name);
	return w32_fail(err, api, obj, code);
}

/* The helper stopped before it connected: say so, with its exit code's text. */
static int fail_early_stop(rdls_err *err, const struct w32_helper *h,
			   const SERVICE_STATUS_PROCESS *ssp)
{
	DWORD code = ssp->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR
			     ? ssp->dwServiceSpecificExitCode
			     : ssp->dwWin32ExitCode;
	rdls_err why;
	rdls_err_clear(&why);
	w32_fail(&why, "", "", code);
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "service '%s'", h->name);
	return rdls_err_set(err, "", obj, code,
			    "the NETWORK SERVICE credential helper stopped before it connected to "
			    "pipe '%s' (exit code %lu: %s)",
			    h->pipe_name, (unsigned long)code, why.text);
}

/* Waits for the helper to connect, watching the service so that one that dies
 * early is reported at once rather than after the timeout. */
static int await_client(struct w32_helper *h, rdls_err *err)
{
	OVERLAPPED ov;
	memset(&ov, 0, sizeof(ov));
	ov.hEvent = h->io_event;
	ResetEvent(h->io_event);
	if (!ConnectNamedPipe(h->pipe, &ov)) {
		DWORD code = GetLastError();
		if (code == ERROR_IO_PENDING) {
			ULONGLONG deadline = GetTickCount64() + HP_CONNECT_TIMEOUT_MS;
			for (;;) {
				DWORD w = WaitForSingleObject(h->io_event, HP_POLL_MS);
				if (w == WAIT_OBJECT_0)
					break;
				DWORD why = w == WAIT_TIMEOUT ? WAIT_TIMEOUT : GetLastError();
				SERVICE_STATUS_PROCESS ssp;
				bool stopped = query_status(h->svc, &ssp) &&
					       ssp.dwCurrentState == SERVICE_STOPPED;
				if (w != WAIT_TIMEOUT || stopped || GetTickCount64() >= deadline) {
					DWORD ignored;
					CancelIoEx(h->pipe, &ov);
					GetOverlappedResult(h->pipe, &ov, &ignored, TRUE);
					if (stopped)
						return fail_early_stop(err, h, &ssp);
					return fail_pipe(err, "ConnectNamedPipe", h, why);
				}
			}
			DWORD ignored;
			if (!GetOverlappedResult(h->pipe, &ov, &ignored, FALSE))
				return fail_pipe(err, "ConnectNamedPipe", h, GetLastError());
		} else if (code != ERROR_PIPE_CONNECTED) {
			return fail_pipe(err, "ConnectNamedPipe", h, code);
		}
	}

	/* Only the service's own process may talk to us over this pipe. */
	SERVICE_STATUS_PROCESS ssp;
	if (!query_status(h->svc, &ssp))
		return fail_service(err, "QueryServiceStatusEx", h, GetLastError());
	ULONG client = 0;
	if (!GetNamedPipeClientProcessId(h->pipe, &client))
		return fail_pipe(err, "GetNamedPipeClientProcessId", h, GetLastError());
	if (ssp.dwProcessId == 0 || client != ssp.dwProcessId) {
		char obj[RDLS_ERR_OBJ_MAX];
		snprintf(obj, sizeof(obj), "pipe '%s'", h->pipe_name);
		return rdls_err_set(err, "", obj, ERROR_ACCESS_DENIED,
				    "the client (process %lu) is not the helper service '%s' "
				    "(process %lu); refusing to send it credentials",
				    (unsigned long)client, h->name, (unsigned long)ssp.dwProcessId);
	}
	h->pid = ssp.dwProcessId;
	return 0;
}

#if defined(RDLS_CRASHPOINTS)
/*
 * Test builds only (build/win-crash, tests/wine/t_helper_copy.sh and t_two_plans.sh):
 * RDLS_HELPER_HOLD=<point>:<Windows path> makes rdlsctl wait at <point> ("created":
 * between CreateServiceW and StartServiceW; "connected": the helper is running and
 * connected) for as long as that file exists (at most 120 s), saying so on stderr,
 * so that a test can look at the registered service or start a second run then.
 */
static void test_hold(const char *point)
{
	char buf[512];
	DWORD n = GetEnvironmentVariableA("RDLS_HELPER_HOLD", buf, sizeof(buf));
	size_t pl = strlen(point);
	if (n == 0 || n >= sizeof(buf) || strncmp(buf, point, pl) != 0 || buf[pl] != ':')
		return;
	fprintf(stderr, "rdlsctl: test build: holding at helper point '%s' while '%s' exists\n",
		point, buf + pl + 1);
	fflush(stderr);
	ULONGLONG deadline = GetTickCount64() + 120000;
	while (GetFileAttributesA(buf + pl + 1) != INVALID_FILE_ATTRIBUTES &&
	       GetTickCount64() < deadline)
		Sleep(HP_POLL_MS);
}
#else
#define test_hold(point) ((void)0)
#endif

/* Says what the service is, for the Services console and the System log (event 7045). */
static int describe_service(struct w32_helper *h, const struct hp_owner *self, rdls_err *err)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "Short-lived helper of rdlsctl (process %lu): reads and stores the credentials "
		 "that Remote Desktop license servers use for each other in NETWORK SERVICE's "
		 "logon session. rdlsctl starts it from a private copy in %%ProgramData%%\\rdlsctl"
		 "\\helper and removes both when its run ends.",
		 (unsigned long)self->pid);
	wchar_t *w = w32_wide(text);
	if (!w)
		return rdls_err_set(err, "", "credential helper", ERROR_NOT_ENOUGH_MEMORY,
				    "out of memory");
	SERVICE_DESCRIPTIONW d = { w };
	BOOL ok = ChangeServiceConfig2W(h->svc, SERVICE_CONFIG_DESCRIPTION, &d);
	DWORD e = GetLastError();
	free(w);
	return ok ? 0 : fail_service(err, "ChangeServiceConfig2W", h, e);
}

static int helper_start(struct w32_ctx *ctx, struct w32_helper **out, rdls_err *err)
{
	struct w32_helper *h = calloc(1, sizeof(*h));
	wchar_t *cmd = NULL, *wname = NULL, *wdisplay = NULL, *wpipe = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	struct hp_owner self;
	int rc = -1;

	*out = NULL;
	if (!h)
		return rdls_err_set(err, "", "credential helper", ERROR_NOT_ENOUGH_MEMORY,
				    "out of memory");
	h->pipe = INVALID_HANDLE_VALUE;
	h->copy.top = h->copy.helper = h->copy.leaf = h->copy.file = INVALID_HANDLE_VALUE;

	w32_helper_sweep();

	if (hp_self(&self, err) != 0)
		goto out;
	unsigned char rnd[32];
	if (w32_random(ctx, rnd, sizeof(rnd), err) != 0)
		goto out;
	char rhex[2 * sizeof(rnd) + 1], display[128];
	hex(rhex, rnd, 8);
	snprintf(h->name, sizeof(h->name), "rdlsctl-helper-%s", rhex);
	/* The display name must be unique as well (ERROR_DUPLICATE_SERVICE_NAME when two
	 * runs overlap): it carries the random part of the name. */
	snprintf(display, sizeof(display), "rdlsctl credential helper %s", rhex);
	hex(rhex, rnd + 8, 16);
	snprintf(h->pipe_name, sizeof(h->pipe_name), "\\\\.\\pipe\\rdlsctl-%s", rhex);
	hex(rhex, rnd + 24, 8);
	SecureZeroMemory(rnd, sizeof(rnd));
	wname = w32_wide(h->name);
	wdisplay = w32_wide(display);
	wpipe = w32_wide(h->pipe_name);
	h->io_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!wname || !wdisplay || !wpipe || !h->io_event) {
		rdls_err_set(err, "", "credential helper", ERROR_NOT_ENOUGH_MEMORY, "out of memory");
		goto out;
	}
	/* The service runs a private copy, never the file rdlsctl was started from. */
	if (hc_copy_create(&h->copy, &self, rhex, err) != 0)
		goto out;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(HP_PIPE_SDDL, SDDL_REVISION_1, &sd,
								  NULL)) {
		fail_pipe(err, "ConvertStringSecurityDescriptorToSecurityDescriptorW", h,
			  GetLastError());
		goto out;
	}
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	h->pipe = CreateNamedPipeW(wpipe,
				   PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED |
					   FILE_FLAG_FIRST_PIPE_INSTANCE,
				   PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
					   PIPE_REJECT_REMOTE_CLIENTS,
				   1, 4096, 4096, 0, &sa);
	DWORD pipe_error = GetLastError(); /* before LocalFree can touch it */
	LocalFree(sd);
	if (h->pipe == INVALID_HANDLE_VALUE) {
		fail_pipe(err, "CreateNamedPipeW", h, pipe_error);
		goto out;
	}

	h->scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
	if (!h->scm) {
		w32_fail(err, "OpenSCManagerW", "the service control manager", GetLastError());
		goto out;
	}

	/* "<copy>" --rdlsctl-credential-helper \\.\pipe\rdlsctl-<hex> <pid> <created>:
	 * no secret */
	char tail[192], owner[48];
	hp_owner_format(&self, owner, sizeof(owner));
	snprintf(tail, sizeof(tail), " %s %s %s", HP_FLAG, h->pipe_name, owner);
	wchar_t *wtail = w32_wide(tail);
	const wchar_t *exe = h->copy.exe;
	size_t exe_len = (size_t)lstrlenW(exe);
	size_t tail_len = wtail ? (size_t)lstrlenW(wtail) : 0;
	cmd = wtail ? malloc((exe_len + 2 + tail_len + 1) * sizeof(wchar_t)) : NULL;
	if (!cmd) {
		free(wtail);
		rdls_err_set(err, "", "credential helper", ERROR_NOT_ENOUGH_MEMORY, "out of memory");
		goto out;
	}
	cmd[0] = L'"';
	memcpy(cmd + 1, exe, exe_len * sizeof(wchar_t));
	cmd[1 + exe_len] = L'"';
	memcpy(cmd + 2 + exe_len, wtail, (tail_len + 1) * sizeof(wchar_t));
	free(wtail);

	h->svc = CreateServiceW(h->scm, wname, wdisplay,
				SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS |
					SERVICE_CHANGE_CONFIG | DELETE,
				SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
				SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, HP_ACCOUNT, L"");
	if (!h->svc) {
		fail_service(err, "CreateServiceW", h, GetLastError());
		goto out;
	}
	if (describe_service(h, &self, err) != 0)
		goto out;
	test_hold("created");
	if (!StartServiceW(h->svc, 0, NULL)) {
		fail_service(err, "StartServiceW", h, GetLastError());
		goto out;
	}
	/* Marked for deletion now, removed by the SCM when it stops: nothing can be
	 * left registered after this point, whatever happens to rdlsctl. */
	if (!DeleteService(h->svc)) {
		fail_service(err, "DeleteService", h, GetLastError());
		goto out;
	}
	h->deleted = true;

	if (await_client(h, err) != 0)
		goto out;
	test_hold("connected");
	*out = h;
	h = NULL;
	rc = 0;
out:
	helper_destroy(h);
	free(cmd);
	free(wname);
	free(wdisplay);
	free(wpipe);
	return rc;
}

int w32_helper_call(struct w32_ctx *ctx, struct hp_buf *req, struct hp_buf *resp,
		    rdls_err *err)
{
	if (req->bad)
		return rdls_err_set(err, "", "credential helper request", ERROR_NOT_ENOUGH_MEMORY,
				    "out of memory or a field too long");
	if (!ctx->helper && helper_start(ctx, &ctx->helper, err) != 0)
		return -1;

	struct w32_helper *h = ctx->helper;
	DWORD rc = hp_msg_send(h->pipe, h->io_event, NULL, req, HP_CALL_TIMEOUT_MS);
	const char *api = "WriteFile";
	if (rc == ERROR_SUCCESS) {
		api = "ReadFile";
		rc = hp_msg_recv(h->pipe, h->io_event, NULL, resp, HP_CALL_TIMEOUT_MS);
	}
	if (rc != ERROR_SUCCESS) {
		/* A helper that stopped answering is of no further use: remove it now. */
		fail_pipe(err, api, h, rc);
		ctx->helper = NULL;
		helper_destroy(h);
		return -1;
	}
	return 0;
}

void w32_helper_shutdown(struct w32_ctx *ctx)
{
	struct w32_helper *h = ctx ? ctx->helper : NULL;
	if (!h)
		return;
	ctx->helper = NULL;

	struct hp_buf quit = { 0 }, resp = { 0 };
	hp_put_u32(&quit, HP_QUIT);
	if (hp_msg_send(h->pipe, h->io_event, NULL, &quit, HP_QUIT_TIMEOUT_MS) == ERROR_SUCCESS)
		hp_msg_recv(h->pipe, h->io_event, NULL, &resp, HP_QUIT_TIMEOUT_MS);
	hp_buf_release(&quit);
	hp_buf_release(&resp);
	if (h->svc)
		wait_stopped(h->svc, HP_STOP_TIMEOUT_MS);
	helper_destroy(h); /* forces a stop if QUIT did not, and deletes if not yet */
}

/* ------------------------------------------------------------------- sweep -- */

/* The rdlsctl process that owns a helper, from its command line (pid 0: none). */
static void helper_owner(SC_HANDLE svc, struct hp_owner *o)
{
	DWORD needed = 0;
	memset(o, 0, sizeof(*o));
	QueryServiceConfigW(svc, NULL, 0, &needed);
	if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || needed == 0)
		return;
	QUERY_SERVICE_CONFIGW *cfg = malloc(needed);
	if (cfg && QueryServiceConfigW(svc, cfg, needed, &needed) && cfg->lpBinaryPathName) {
		char *cmd = w32_utf8(cfg->lpBinaryPathName);
		const char *flag = cmd ? strstr(cmd, " " HP_FLAG " ") : NULL;
		const char *pid = flag ? strchr(flag + 1 + strlen(HP_FLAG) + 1, ' ') : NULL;
		const char *created = pid ? strchr(pid + 1, ' ') : NULL;
		if (pid && !hp_owner_parse(pid + 1, created ? created + 1 : NULL, o))
			memset(o, 0, sizeof(*o));
		free(cmd);
	}
	free(cfg);
}

/*
 * A helper is left registered only if rdlsctl died between CreateServiceW and
 * DeleteService; its private copy, if rdlsctl died before deleting it. A helper
 * or copy whose owning rdlsctl process still runs belongs to a concurrent plan,
 * status or diagnose and is left alone whatever its state: between CreateServiceW
 * and StartServiceW a live run's helper is STOPPED too. Only one whose owner is
 * known to be gone (hp_owner_alive), or that names no owner, is deleted.
 */
void w32_helper_sweep(void)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE);
	if (!scm)
		goto copies;
	DWORD resume = 0;
	BYTE *buf = NULL;
	DWORD cap = 64 * 1024;
	for (;;) {
		DWORD needed = 0, count = 0;
		free(buf);
		buf = malloc(cap);
		if (!buf)
			break;
		BOOL ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32,
						SERVICE_STATE_ALL, buf, cap, &needed, &count, &resume,
						NULL);
		DWORD code = ok ? ERROR_SUCCESS : GetLastError();
		if (!ok && code != ERROR_MORE_DATA)
			break;
		ENUM_SERVICE_STATUS_PROCESSW *s = (ENUM_SERVICE_STATUS_PROCESSW *)buf;
		for (DWORD i = 0; i < count; i++) {
			int plen = lstrlenW(HP_SERVICE_PREFIX);
			if (!s[i].lpServiceName || lstrlenW(s[i].lpServiceName) <= plen ||
			    CompareStringOrdinal(s[i].lpServiceName, plen, HP_SERVICE_PREFIX, plen,
						 TRUE) != CSTR_EQUAL)
				continue;
			SC_HANDLE svc = OpenServiceW(scm, s[i].lpServiceName,
						     SERVICE_STOP | SERVICE_QUERY_STATUS |
							     SERVICE_QUERY_CONFIG | DELETE);
			if (!svc)
				continue;
			struct hp_owner o;
			helper_owner(svc, &o);
			if (!hp_owner_alive(&o))
				stop_and_delete(svc, false);
			CloseServiceHandle(svc);
		}
		if (ok)
			break;
		if (needed > cap)
			cap = needed;
	}
	free(buf);
	CloseServiceHandle(scm);
copies:
	hc_copy_sweep();
}
