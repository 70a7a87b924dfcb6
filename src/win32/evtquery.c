/*
 * event_query (diagnose's event log checks): one XPath query of one channel with EvtQuery,
 * newest first, each event's EventID and TimeCreated with EvtRender (the system context),
 * and, when the core asks, its message with EvtOpenPublisherMetadata + EvtFormatMessage.
 * The core (src/diag_events.c) decides what the events mean; this file only reads them.
 * Every handle is closed with EvtClose; variable-size results use one grow-and-retry loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32/w32.h"

#include <winevt.h>

#ifdef __WINE__
/*
 * Wine 8's winevt.h declares neither EvtQuery nor EvtNext (its wevtapi exports both) nor
 * these constants, whose values are those of the Windows SDK's winevt.h; and its wevtapi
 * has EvtCreateRenderContext, EvtRender, EvtOpenPublisherMetadata and EvtFormatMessage
 * only as stubs outside the import library, so those four are looked up at run time.
 */
enum { EvtQueryChannelPath = 0x1, EvtQueryReverseDirection = 0x200 };
enum { EvtRenderContextSystem = 1, EvtRenderEventValues = 0, EvtFormatMessageEvent = 1 };
enum { EvtSystemProviderName = 0, EvtSystemEventID = 2, EvtSystemTimeCreated = 8 };
EVT_HANDLE WINAPI EvtQuery(EVT_HANDLE session, LPCWSTR path, LPCWSTR query, DWORD flags);
BOOL WINAPI EvtNext(EVT_HANDLE results, DWORD n, EVT_HANDLE *events, DWORD timeout, DWORD flags,
		    DWORD *returned);
#endif

typedef EVT_HANDLE(WINAPI *render_context_fn)(DWORD, LPCWSTR *, DWORD);
typedef BOOL(WINAPI *render_fn)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PVOID, PDWORD, PDWORD);
typedef EVT_HANDLE(WINAPI *open_publisher_fn)(EVT_HANDLE, LPCWSTR, LPCWSTR, LCID, DWORD);
typedef BOOL(WINAPI *format_fn)(EVT_HANDLE, EVT_HANDLE, DWORD, DWORD, PEVT_VARIANT, DWORD, DWORD,
				LPWSTR, PDWORD);

struct evt_api {
	render_context_fn render_context;
	render_fn render;
	open_publisher_fn open_publisher;
	format_fn format;
};

#ifdef __WINE__
static int lookup(HMODULE m, const char *name, FARPROC *out, rdls_err *err)
{
	*out = m ? GetProcAddress(m, name) : NULL;
	if (*out)
		return 0;
	char obj[128];
	snprintf(obj, sizeof(obj), "wevtapi.dll function '%s'", name);
	return w32_fail(err, "GetProcAddress", obj, m ? GetLastError() : ERROR_MOD_NOT_FOUND);
}

static int load_api(struct evt_api *a, rdls_err *err)
{
	HMODULE m = GetModuleHandleW(L"wevtapi.dll");
	FARPROC p[4];
	if (lookup(m, "EvtCreateRenderContext", &p[0], err) || lookup(m, "EvtRender", &p[1], err) ||
	    lookup(m, "EvtOpenPublisherMetadata", &p[2], err) ||
	    lookup(m, "EvtFormatMessage", &p[3], err))
		return -1;
	memcpy(&a->render_context, &p[0], sizeof(p[0]));
	memcpy(&a->render, &p[1], sizeof(p[1]));
	memcpy(&a->open_publisher, &p[2], sizeof(p[2]));
	memcpy(&a->format, &p[3], sizeof(p[3]));
	return 0;
}
#else
static int load_api(struct evt_api *a, rdls_err *err)
{
	(void)err;
	a->render_context = EvtCreateRenderContext;
	a->render = EvtRender;
	a->open_publisher = EvtOpenPublisherMetadata;
	a->format = EvtFormatMessage;
	return 0;
}
#endif

/* A name the query quotes: no quote of either kind, not empty. */
static bool quotable(const char *s)
{
	return s && *s && !strpbrk(s, "'\"");
}

/* *[System[Provider[@Name='A' or @Name='B'] and (EventID=7 or ...) and TimeCreated[...]]] */
static char *build_query(const char *const *providers, size_t n_providers, const uint32_t *ids,
			 size_t n_ids, uint32_t days)
{
	size_t cap = 128 + n_ids * 24;
	for (size_t i = 0; i < n_providers; i++)
		cap += strlen(providers[i]) + 16;
	char *q = malloc(cap);
	if (!q)
		return NULL;
	size_t o = 0;
#define PUT(...) o += (size_t)snprintf(q + o, cap - o, __VA_ARGS__)
	PUT("*[System[Provider[");
	for (size_t i = 0; i < n_providers; i++)
		PUT("%s@Name='%s'", i ? " or " : "", providers[i]);
	PUT("] and (");
	for (size_t i = 0; i < n_ids; i++)
		PUT("%sEventID=%lu", i ? " or " : "", (unsigned long)ids[i]);
	PUT(") and TimeCreated[timediff(@SystemTime) <= %llu]]]",
	    (unsigned long long)days * 86400000ull);
#undef PUT
	return q;
}

/* EvtRender of the system properties into *buf (grown as needed). */
static int render_system(const struct evt_api *a, EVT_HANDLE ctx, EVT_HANDLE ev, void **buf,
			 DWORD *size, rdls_err *err)
{
	for (;;) {
		DWORD used = 0, count = 0;
		if (a->render(ctx, ev, EvtRenderEventValues, *size, *buf, &used, &count))
			return 0;
		DWORD e = GetLastError();
		if (e != ERROR_INSUFFICIENT_BUFFER || used <= *size)
			return w32_fail(err, "EvtRender", "an event's system properties", e);
		void *nb = realloc(*buf, used);
		if (!nb)
			return w32_fail(err, "EvtRender", "an event's system properties",
					ERROR_NOT_ENOUGH_MEMORY);
		*buf = nb;
		*size = used;
	}
}

/* The event's message, UTF-8 (malloc), or NULL with err filled. */
static char *format_message(const struct evt_api *a, const wchar_t *provider, EVT_HANDLE ev,
			    rdls_err *err)
{
	char obj[RDLS_ERR_OBJ_MAX];
	char *prov8 = w32_utf8(provider);
	snprintf(obj, sizeof(obj), "an event of provider '%s'", prov8 ? prov8 : "?");
	free(prov8);
	EVT_HANDLE meta = a->open_publisher(NULL, provider, NULL, 0, 0);
	if (!meta) {
		w32_fail(err, "EvtOpenPublisherMetadata", obj, GetLastError());
		return NULL;
	}
	char *out = NULL;
	DWORD size = 512;
	wchar_t *buf = malloc(size * sizeof(wchar_t));
	for (;;) {
		if (!buf) {
			w32_fail(err, "EvtFormatMessage", obj, ERROR_NOT_ENOUGH_MEMORY);
			break;
		}
		DWORD used = 0;
		if (a->format(meta, ev, 0, 0, NULL, EvtFormatMessageEvent, size, buf, &used)) {
			buf[size - 1] = 0;
			out = w32_utf8(buf);
			if (!out)
				w32_fail(err, "WideCharToMultiByte", obj, ERROR_NO_UNICODE_TRANSLATION);
			break;
		}
		DWORD e = GetLastError();
		if (e != ERROR_INSUFFICIENT_BUFFER || used <= size) {
			w32_fail(err, "EvtFormatMessage", obj, e);
			break;
		}
		wchar_t *nb = realloc(buf, (size_t)used * sizeof(wchar_t));
		if (!nb)
			free(buf);
		buf = nb;
		size = used;
	}
	free(buf);
	if (!EvtClose(meta) && out) {
		free(out);
		out = NULL;
		w32_fail(err, "EvtClose", obj, GetLastError());
	}
	return out;
}

/* One event: its id and time to fn, then its message if fn asks. Returns fn's answer, or
 * -1 with err filled. */
static int one_event(const struct evt_api *a, EVT_HANDLE ctx, EVT_HANDLE ev, void **buf,
		     DWORD *size, rdls_logevt_fn fn, void *arg, rdls_err *err)
{
	if (render_system(a, ctx, ev, buf, size, err) != 0)
		return -1;
	const EVT_VARIANT *v = *buf;
	if (v[EvtSystemEventID].Type != EvtVarTypeUInt16 ||
	    v[EvtSystemTimeCreated].Type != EvtVarTypeFileTime)
		return w32_fail(err, "EvtRender", "an event's EventID and TimeCreated",
				ERROR_INVALID_DATA);
	rdls_logevt e = { .id = v[EvtSystemEventID].UInt16Val,
			  .time = v[EvtSystemTimeCreated].FileTimeVal };
	int r = fn(arg, &e);
	if (r != RDLS_LOGEVT_TEXT)
		return r;
	rdls_err te;
	rdls_err_clear(&te);
	char *text = NULL;
	if (v[EvtSystemProviderName].Type == EvtVarTypeString && v[EvtSystemProviderName].StringVal)
		text = format_message(a, v[EvtSystemProviderName].StringVal, ev, &te);
	else
		w32_fail(&te, "EvtRender", "an event's provider name", ERROR_INVALID_DATA);
	e.text = text;
	e.text_err = text ? NULL : &te;
	r = fn(arg, &e);
	free(text);
	return r;
}

int w32_event_query(void *ctx, const char *channel, const char *const *providers,
		    size_t n_providers, const uint32_t *ids, size_t n_ids, uint32_t days,
		    rdls_logevt_fn fn, void *arg, rdls_err *err)
{
	(void)ctx;
	char obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "channel '%s'", channel ? channel : "");
	bool ok = quotable(channel) && providers && n_providers && ids && n_ids && n_ids <= 64 &&
		  fn && days >= 1 && days <= RDLS_LOGEVT_DAYS_MAX;
	for (size_t i = 0; ok && i < n_providers; i++)
		ok = quotable(providers[i]);
	if (!ok)
		return w32_fail(err, "EvtQuery", obj, ERROR_INVALID_PARAMETER);

	int rc = -1;
	char *q8 = build_query(providers, n_providers, ids, n_ids, days);
	wchar_t *path = w32_wide(channel), *query = q8 ? w32_wide(q8) : NULL;
	EVT_HANDLE results = NULL, rctx = NULL;
	void *buf = NULL;
	DWORD size = 0;
	struct evt_api api;
	if (!path || !query) {
		w32_fail(err, "EvtQuery", obj, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	SetLastError(ERROR_SUCCESS);
	results = EvtQuery(NULL, path, query, EvtQueryChannelPath | EvtQueryReverseDirection);
	if (!results) {
		DWORD e = GetLastError();
		/* Wine 8's EvtQuery is a stub that returns NULL and sets no error code. */
		if (e == ERROR_SUCCESS)
			w32_fail_text(err, "EvtQuery", obj, 0,
				      "no query handle and no error code: this system's event log "
				      "API does not run queries");
		else
			w32_fail(err, "EvtQuery", obj, e);
		goto out;
	}
	if (load_api(&api, err) != 0)
		goto out;
	rctx = api.render_context(0, NULL, EvtRenderContextSystem);
	if (!rctx) {
		w32_fail(err, "EvtCreateRenderContext", "the system properties", GetLastError());
		goto out;
	}
	size = 4096;
	buf = malloc(size);
	if (!buf) {
		w32_fail(err, "EvtRender", obj, ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	bool stop = false;
	while (!stop) {
		EVT_HANDLE evs[16];
		DWORD got = 0;
		if (!EvtNext(results, 16, evs, INFINITE, 0, &got)) {
			DWORD e = GetLastError();
			if (e == ERROR_NO_MORE_ITEMS)
				break;
			w32_fail(err, "EvtNext", obj, e);
			goto out;
		}
		int r = RDLS_LOGEVT_NEXT;
		for (DWORD i = 0; i < got; i++) {
			if (!stop && r >= 0) {
				r = one_event(&api, rctx, evs[i], &buf, &size, fn, arg, err);
				stop = r != RDLS_LOGEVT_NEXT && r != RDLS_LOGEVT_TEXT;
			}
			EvtClose(evs[i]); /* every handle, also after a stop or a failure */
		}
		if (r < 0)
			goto out;
	}
	rc = 0;
out:
	if (rctx)
		EvtClose(rctx);
	if (results)
		EvtClose(results);
	free(buf);
	free(path);
	free(query);
	free(q8);
	return rc;
}
