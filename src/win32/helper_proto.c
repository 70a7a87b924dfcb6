/*
 * The wire protocol between rdlsctl (helper_client.c, cred.c) and its NETWORK
 * SERVICE credential helper (helper_service.c): the message buffer, its field
 * encoding and decoding, and the framing of a message on the overlapped pipe.
 * The format is in helper_proto.h. Both processes run this code; it makes no
 * decision of its own beyond the size limits there.
 */
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include "win32/helper_proto.h"

/* ---------------------------------------------------------------- messages -- */

/*
 * Message buffers come from the process heap, not malloc: under Wine a winegcc
 * program's malloc is glibc's, whose memory Wine does not know, and an overlapped
 * ReadFile into it fails with ERROR_INVALID_USER_BUFFER (measured: 1784 for a
 * malloc'd buffer, success for stack and HeapAlloc'd ones). On Windows both work.
 */
void hp_buf_release(struct hp_buf *b)
{
	if (!b)
		return;
	if (b->p) {
		SecureZeroMemory(b->p, b->cap);
		HeapFree(GetProcessHeap(), 0, b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* Grows by copying, wiping the old block: a realloc could leave the secret behind. */
static bool hp_reserve(struct hp_buf *b, size_t more)
{
	if (b->bad)
		return false;
	if (more > HP_MSG_MAX || b->len + more > HP_MSG_MAX) {
		b->bad = true;
		return false;
	}
	if (b->len + more <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	unsigned char *p = HeapAlloc(GetProcessHeap(), 0, cap);
	if (!p) {
		b->bad = true;
		return false;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		SecureZeroMemory(b->p, b->cap);
		HeapFree(GetProcessHeap(), 0, b->p);
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void hp_put_u32(struct hp_buf *b, uint32_t v)
{
	if (!hp_reserve(b, 4))
		return;
	for (int i = 0; i < 4; i++)
		b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

void hp_put_bytes(struct hp_buf *b, const void *data, size_t n)
{
	if (n > HP_MSG_MAX) {
		b->bad = true;
		return;
	}
	hp_put_u32(b, (uint32_t)n);
	if (!hp_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void hp_put_wstr(struct hp_buf *b, const wchar_t *s, size_t n)
{
	if (n > HP_WSTR_MAX) {
		b->bad = true;
		return;
	}
	hp_put_u32(b, (uint32_t)n);
	if (!hp_reserve(b, 2 * n))
		return;
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = (unsigned char)((unsigned)s[i] & 0xFF);
		b->p[b->len++] = (unsigned char)(((unsigned)s[i] >> 8) & 0xFF);
	}
}

bool hp_get_u32(struct hp_buf *b, uint32_t *v)
{
	if (b->bad || b->len - b->pos < 4) {
		b->bad = true;
		return false;
	}
	*v = 0;
	for (int i = 0; i < 4; i++)
		*v |= (uint32_t)b->p[b->pos++] << (8 * i);
	return true;
}

bool hp_get_bytes(struct hp_buf *b, const unsigned char **data, size_t *n)
{
	uint32_t len;
	if (!hp_get_u32(b, &len))
		return false;
	if (len > b->len - b->pos) {
		b->bad = true;
		return false;
	}
	*data = b->p + b->pos;
	*n = len;
	b->pos += len;
	return true;
}

bool hp_get_wstr(struct hp_buf *b, wchar_t **s, size_t *n)
{
	uint32_t len;
	*s = NULL;
	if (!hp_get_u32(b, &len))
		return false;
	if (len > HP_WSTR_MAX || 2 * (size_t)len > b->len - b->pos) {
		b->bad = true;
		return false;
	}
	wchar_t *w = malloc(((size_t)len + 1) * sizeof(wchar_t));
	if (!w) {
		b->bad = true;
		return false;
	}
	for (uint32_t i = 0; i < len; i++) {
		w[i] = (wchar_t)(b->p[b->pos] | (b->p[b->pos + 1] << 8));
		b->pos += 2;
	}
	w[len] = 0;
	*s = w;
	if (n)
		*n = len;
	return true;
}

/* ------------------------------------------------------------ pipe transfer -- */

/*
 * Reads or writes exactly len bytes on an overlapped pipe handle, waiting at most
 * timeout_ms in all (INFINITE: no limit) and giving up when `stop` (optional) is
 * signalled. Returns a Win32 error code: WAIT_TIMEOUT on timeout,
 * ERROR_OPERATION_ABORTED on stop, ERROR_BROKEN_PIPE when the other end went away.
 * A cancelled transfer is waited for before returning, so buf may be freed then.
 */
static DWORD pipe_xfer(HANDLE pipe, HANDLE ev, HANDLE stop, bool write, void *buf, DWORD len,
		       DWORD timeout_ms)
{
	ULONGLONG deadline = GetTickCount64() + timeout_ms;
	unsigned char *p = buf;

	while (len) {
		OVERLAPPED ov;
		memset(&ov, 0, sizeof(ov));
		ov.hEvent = ev;
		ResetEvent(ev);
		BOOL ok = write ? WriteFile(pipe, p, len, NULL, &ov) : ReadFile(pipe, p, len, NULL, &ov);
		if (!ok && GetLastError() != ERROR_IO_PENDING)
			return GetLastError();
		if (!ok) {
			DWORD wait_ms = INFINITE;
			if (timeout_ms != INFINITE) {
				ULONGLONG now = GetTickCount64();
				wait_ms = now >= deadline ? 0 : (DWORD)(deadline - now);
			}
			HANDLE hs[2] = { ev, stop };
			DWORD w = WaitForMultipleObjects(stop ? 2 : 1, hs, FALSE, wait_ms);
			if (w != WAIT_OBJECT_0) {
				DWORD why = w == WAIT_OBJECT_0 + 1 ? ERROR_OPERATION_ABORTED
				            : w == WAIT_TIMEOUT     ? WAIT_TIMEOUT
				                                    : GetLastError();
				DWORD ignored;
				CancelIoEx(pipe, &ov);
				GetOverlappedResult(pipe, &ov, &ignored, TRUE);
				return why;
			}
		}
		DWORD done = 0;
		if (!GetOverlappedResult(pipe, &ov, &done, FALSE))
			return GetLastError();
		if (done == 0 && !write)
			return ERROR_BROKEN_PIPE;
		p += done;
		len -= done;
	}
	return ERROR_SUCCESS;
}

DWORD hp_msg_send(HANDLE pipe, HANDLE ev, HANDLE stop, struct hp_buf *msg, DWORD timeout_ms)
{
	if (msg->bad)
		return ERROR_NOT_ENOUGH_MEMORY;
	unsigned char hdr[4];
	for (int i = 0; i < 4; i++)
		hdr[i] = (unsigned char)(msg->len >> (8 * i));
	DWORD rc = pipe_xfer(pipe, ev, stop, true, hdr, 4, timeout_ms);
	if (rc == ERROR_SUCCESS && msg->len)
		rc = pipe_xfer(pipe, ev, stop, true, msg->p, (DWORD)msg->len, timeout_ms);
	return rc;
}

DWORD hp_msg_recv(HANDLE pipe, HANDLE ev, HANDLE stop, struct hp_buf *msg, DWORD timeout_ms)
{
	unsigned char hdr[4];
	hp_buf_release(msg);
	DWORD rc = pipe_xfer(pipe, ev, stop, false, hdr, 4, timeout_ms);
	if (rc != ERROR_SUCCESS)
		return rc;
	uint32_t len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
	               (uint32_t)hdr[3] << 24;
	if (len > HP_MSG_MAX)
		return ERROR_INVALID_DATA;
	if (!hp_reserve(msg, len ? len : 1))
		return ERROR_NOT_ENOUGH_MEMORY;
	if (len)
		rc = pipe_xfer(pipe, ev, stop, false, msg->p, len, timeout_ms);
	msg->len = rc == ERROR_SUCCESS ? len : 0;
	return rc;
}
