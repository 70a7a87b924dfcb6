/*
 * diagnose's network checks: does a license server's name resolve (GetAddrInfoW),
 * and does it answer on the RPC endpoint mapper (a TCP connect with a timeout:
 * non-blocking connect, then select). Winsock is started and cleaned up on every
 * call and every path, so nothing outlives the call.
 */
/* Under winegcc the C library is glibc, whose u_int / u_short (used by Wine's
 * winsock2.h) hide behind _DEFAULT_SOURCE when _POSIX_C_SOURCE is set. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#ifndef WSANO_DATA
#define WSANO_DATA 11004
#endif

static bool not_found(int rc)
{
	return rc == WSAHOST_NOT_FOUND || rc == WSANO_DATA;
}

/* Resolves `name` for TCP; 0 with *res (FreeAddrInfoW) or *res = NULL when it does not
 * exist; -1 with err. Winsock must be started. */
static int resolve(const char *name, const char *obj, ADDRINFOW **res, rdls_err *err)
{
	*res = NULL;
	wchar_t *w = w32_wide(name);
	if (!w)
		return w32_fail(err, "MultiByteToWideChar", obj, ERROR_NO_UNICODE_TRANSLATION);
	ADDRINFOW hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	int rc = GetAddrInfoW(w, NULL, &hints, res);
	free(w);
	if (rc == 0)
		return 0;
	*res = NULL;
	if (not_found(rc))
		return 0;
	return w32_fail(err, "GetAddrInfoW", obj, (DWORD)rc);
}

int w32_name_resolve(void *ctx, const char *name, bool *found, char *addr, size_t n,
		     rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "name '%s'", name);
	*found = false;
	if (n)
		addr[0] = '\0';
	WSADATA wd;
	int e = WSAStartup(MAKEWORD(2, 2), &wd);
	if (e != 0)
		return w32_fail(err, "WSAStartup", obj, (DWORD)e);
	ADDRINFOW *res = NULL;
	int rc = resolve(name, obj, &res, err);
	if (rc == 0 && res) {
		*found = true;
		wchar_t host[NI_MAXHOST];
		int g = GetNameInfoW(res->ai_addr, (socklen_t)res->ai_addrlen, host, NI_MAXHOST, NULL, 0,
				     NI_NUMERICHOST);
		if (g == 0) {
			char *u = w32_utf8(host);
			if (u && n)
				snprintf(addr, n, "%s", u);
			free(u);
		} else if (n) {
			snprintf(addr, n, "an address");
		}
		FreeAddrInfoW(res);
	}
	WSACleanup();
	return rc;
}

static void set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)(void *)sa)->sin_port = htons(port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port = htons(port);
}

/* One connect attempt within timeout_ms: 1 connected, 0 refused or timed out, -1 error. */
static int try_connect(const ADDRINFOW *ai, uint16_t port, uint32_t timeout_ms, int *wsa)
{
	SOCKET s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (s == INVALID_SOCKET) {
		*wsa = WSAGetLastError();
		return -1;
	}
	int result = 0;
	u_long nonblocking = 1;
	if (ioctlsocket(s, FIONBIO, &nonblocking) != 0) {
		*wsa = WSAGetLastError();
		result = -1;
		goto out;
	}
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	size_t len = ai->ai_addrlen < sizeof(ss) ? ai->ai_addrlen : sizeof(ss);
	memcpy(&ss, ai->ai_addr, len);
	set_port((struct sockaddr *)&ss, port);
	if (connect(s, (struct sockaddr *)&ss, (int)len) == 0) {
		result = 1;
		goto out;
	}
	int e = WSAGetLastError();
	if (e != WSAEWOULDBLOCK && e != WSAEINPROGRESS)
		goto out; /* refused at once, unreachable: closed */
	fd_set wr, ex;
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(s, &wr);
	FD_SET(s, &ex);
	struct timeval tv;
	tv.tv_sec = (long)(timeout_ms / 1000);
	tv.tv_usec = (long)(timeout_ms % 1000) * 1000;
	int r = select(0, NULL, &wr, &ex, &tv);
	if (r == SOCKET_ERROR) {
		*wsa = WSAGetLastError();
		result = -1;
	} else if (r > 0 && FD_ISSET(s, &wr)) {
		int soerr = 0;
		int sl = (int)sizeof(soerr);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &sl) == 0 && soerr == 0)
			result = 1;
	}
out:
	closesocket(s);
	return result;
}

int w32_tcp_probe(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms, bool *open,
		  rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "%s port %u", host, (unsigned)port);
	*open = false;
	WSADATA wd;
	int e = WSAStartup(MAKEWORD(2, 2), &wd);
	if (e != 0)
		return w32_fail(err, "WSAStartup", obj, (DWORD)e);
	ADDRINFOW *res = NULL;
	int rc = resolve(host, obj, &res, err);
	if (rc == 0 && !res)
		rc = w32_fail(err, "GetAddrInfoW", obj, WSAHOST_NOT_FOUND);
	if (rc == 0) {
		int tried = 0, failed = 0, wsa = 0;
		/* At most four addresses: a name with many must not stall diagnose. */
		for (const ADDRINFOW *ai = res; ai && tried < 4 && !*open; ai = ai->ai_next) {
			if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
				continue;
			tried++;
			int t = try_connect(ai, port, timeout_ms, &wsa);
			if (t > 0)
				*open = true;
			else if (t < 0)
				failed++;
		}
		if (!*open && tried > 0 && failed == tried)
			rc = w32_fail(err, "connect", obj, (DWORD)wsa);
		FreeAddrInfoW(res);
	}
	WSACleanup();
	return rc;
}

/* Whether \\server\pipe\name has a free instance: WaitNamedPipeW only waits for one and
 * opens nothing, so the service behind the pipe sees no client. Its code goes to the core
 * unjudged (sys.h). */
int w32_pipe_probe(void *ctx, const char *server, const char *pipe, uint32_t timeout_ms,
		   rdls_err *err)
{
	(void)ctx;
	char path[RDLS_ERR_OBJ_MAX];
	int k = snprintf(path, sizeof(path), "\\\\%s\\pipe\\%s", server, pipe);
	if (k < 0 || (size_t)k >= sizeof(path))
		return w32_fail(err, "WaitNamedPipeW", server, ERROR_INVALID_NAME);
	wchar_t *w = w32_wide(path);
	if (!w)
		return w32_fail(err, "MultiByteToWideChar", path, ERROR_NO_UNICODE_TRANSLATION);
	/* 0 would be NMPWAIT_USE_DEFAULT_WAIT (the server's default), not "at once". */
	BOOL ok = WaitNamedPipeW(w, timeout_ms ? (DWORD)timeout_ms : 1);
	DWORD e = ok ? 0 : GetLastError();
	free(w);
	if (ok)
		return 0;
	return w32_fail(err, "WaitNamedPipeW", path, e);
}
