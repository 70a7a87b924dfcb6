/*
 * diagnose's event log checks: what the RD Licensing service (license servers) and Remote
 * Desktop Services' connection manager (session hosts) reported in the last --days days.
 * The backend only runs the query (event_query); this file decides which events matter,
 * counts them, keeps the newest one's time and message, and says what to do about them.
 * Channels, providers and event ids: docs/diagnose.md, with their sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Past this many matching events a channel's count is a lower bound ("at least"). */
#define EVT_MAX_EVENTS 100000u
/* The newest event's message in the evidence: at most this many bytes (events carry no
 * secret, but a message with many insertion strings can be long). */
#define EVT_TEXT_MAX 300
#define EVT_GROUP_IDS 4

/* One finding: events that share a cause and a remedy. */
struct evt_group {
	const char *finding;
	uint32_t ids[EVT_GROUP_IDS]; /* 0 ends the list */
	const char *title;
	const char *cause;
	/* The remedy, into buf; c for the profile and the host's membership. */
	void (*remedy)(const struct dctx *c, char *buf, size_t n);
};

/* One log the check reads. */
struct evt_source {
	const char *channel;
	const char *providers[2];
	size_t n_providers;
};

static bool domain_member(const struct dctx *c)
{
	if (c->m)
		return c->m->membership == RDLS_DOMAIN;
	return c->d->have_os && c->d->os.domain_joined;
}

static void remedy_peer_auth(const struct dctx *c, char *buf, size_t n)
{
	char cmd[600] = "rdlsctl apply PROFILE";
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));
	if (domain_member(c))
		snprintf(buf, n, "run '%s' on every license server: it publishes each license server "
				 "in Active Directory (PublishLS) or lists the others in "
				 "SpecifiedLicenseServers, as the profile's [discovery] says; then "
				 "'rdlsctl status' on each shows whether the licensing service accepts them",
			 cmd);
	else
		snprintf(buf, n, "run '%s' on every license server: it creates the peer account and "
				 "group, sets WorkgroupLicenseServerAccountsGroup and stores a NETWORK "
				 "SERVICE credential for each other license server (the steps Microsoft "
				 "documents after the CVE-2024-38231 update); then 'rdlsctl status' on "
				 "each shows whether the licensing service accepts them",
			 cmd);
}

static void remedy_activation(const struct dctx *c, char *buf, size_t n)
{
	(void)c;
	snprintf(buf, n, "activate the license server (RD Licensing Manager: right-click the "
			 "server, Activate Server), or reactivate it when its certificate is damaged "
			 "or expired (Advanced, Reactivate Server); a server that is not activated "
			 "issues only temporary licenses");
}

static void remedy_no_licenses(const struct dctx *c, char *buf, size_t n)
{
	if (c->m)
		snprintf(buf, n, "install Remote Desktop Services CALs for Windows Server %s, %s, "
				 "on this license server (RD Licensing Manager: Install Licenses), "
				 "enough for every %s",
			 rdls_cal_name(c->m->cal),
			 c->m->licensing_mode == RDLS_PER_USER ? "per user" : "per device",
			 c->m->licensing_mode == RDLS_PER_USER ? "user" : "device");
	else
		snprintf(buf, n, "install Remote Desktop Services CALs of the session hosts' "
				 "licensing mode (per device or per user) and of their Windows Server "
				 "version or newer (RD Licensing Manager: Install Licenses)");
}

static void remedy_ad_attributes(const struct dctx *c, char *buf, size_t n)
{
	(void)c;
	snprintf(buf, n, "add this license server's computer account to the 'Terminal Server "
			 "License Servers' group of every domain whose users connect (RD Licensing "
			 "Manager: Review Configuration, Add to Group), and where that is not "
			 "enough also to the 'Windows Authorization Access Group'; then restart "
			 "the Remote Desktop Licensing service");
}

static void remedy_sh_not_configured(const struct dctx *c, char *buf, size_t n)
{
	if (diag_have_profile(c)) {
		char cmd[600];
		diag_apply_cmd(c, cmd, sizeof(cmd));
		snprintf(buf, n, "run '%s' on this session host: it sets the policies 'Use the "
				 "specified Remote Desktop license servers' and 'Set the Remote Desktop "
				 "licensing mode' (see the licensing-mode and license-servers checks)",
			 cmd);
	} else {
		snprintf(buf, n, "set the policies 'Use the specified Remote Desktop license "
				 "servers' and 'Set the Remote Desktop licensing mode' on this session "
				 "host ('rdlsctl apply PROFILE' with a profile that describes it, or "
				 "gpedit.msc: Computer Configuration, Administrative Templates, Windows "
				 "Components, Remote Desktop Services, Remote Desktop Session Host, "
				 "Licensing)");
	}
}

static void remedy_sh_license(const struct dctx *c, char *buf, size_t n)
{
	(void)c;
	snprintf(buf, n, "make sure this session host reaches a license server that has CALs of "
			 "its licensing mode (see this diagnosis's ls-resolve, ls-rpc and "
			 "ts-connectivity checks) and run 'rdlsctl diagnose' on that license "
			 "server; a client whose stored license is damaged gets a new one after "
			 "its MSLicensing key is removed on the client");
}

static const struct evt_group ls_groups[] = {
	{ "event-ls-peer-auth", { 7, 8, 15, 16 },
	  "the license server could not talk to the other license servers",
	  "license servers that do not authenticate each other (since the CVE-2024-38231 update "
	  "also in a workgroup) cannot notify each other or return licenses, so session hosts "
	  "find no license server with CALs", remedy_peer_auth },
	{ "event-ls-activation", { 17, 18, 19 },
	  "the license server is not activated or its certificate is not valid",
	  "a license server that is not activated, or whose certificate is expired or damaged, "
	  "issues no permanent CALs", remedy_activation },
	{ "event-ls-no-licenses", { 20, 21 },
	  "the license server ran out of licenses",
	  "with no CALs of the requested type left the license server issues none (or only "
	  "temporary ones), and clients are refused after their grace period",
	  remedy_no_licenses },
	{ "event-ls-ad-attributes", { 4105 },
	  "the license server could not update users' license attributes in Active Directory",
	  "per-user CALs are tracked in the users' Active Directory attributes; a license "
	  "server outside the Terminal Server License Servers group may not write them",
	  remedy_ad_attributes },
};

static const struct evt_group sh_groups[] = {
	{ "event-sh-not-configured", { 1068, 1069, 1130 },
	  "Remote Desktop Services reported that licensing is not configured",
	  "without a licensing mode and a license server the session host requests no CALs, "
	  "and refuses connections when its grace period ends", remedy_sh_not_configured },
	{ "event-sh-license", { 1004, 1011, 1028 },
	  "Remote Desktop Services could not issue or renew client licenses",
	  "the session host could not get a CAL for a client from a license server (none "
	  "reachable, none with CALs of its mode, or the client's license is damaged)",
	  remedy_sh_license },
};

/* The licensing service logs to System; on current Windows its provider is named
 * Microsoft-Windows-TerminalServices-Licensing, its classic event source TermServLicensing. */
static const struct evt_source ls_sources[] = {
	{ "System", { "Microsoft-Windows-TerminalServices-Licensing", "TermServLicensing" }, 2 },
};

/* The connection manager logs to its Admin and Operational channels; older releases log the
 * licensing events to System under the service's name, TermService. */
#define RCM "Microsoft-Windows-TerminalServices-RemoteConnectionManager"
static const struct evt_source sh_sources[] = {
	{ RCM "/Admin", { RCM }, 1 },
	{ RCM "/Operational", { RCM }, 1 },
	{ "System", { "TermService", RCM }, 2 },
};

struct group_state {
	uint32_t count[EVT_GROUP_IDS];
	uint32_t total;
	bool have_newest;
	uint64_t newest;
	uint32_t newest_id;
	const char *newest_channel;
	char text[EVT_TEXT_MAX + 4];
	rdls_errmsg text_why; /* why there is no text */
};

struct evt_run {
	const struct evt_group *groups;
	size_t n_groups;
	struct group_state *st;
	const char *channel; /* the channel being read */
	uint32_t seen;       /* in this channel */
	bool capped;
	size_t asked;        /* the group whose newest event's message was asked for */
};

static bool group_of(const struct evt_run *r, uint32_t id, size_t *g, size_t *k)
{
	for (size_t i = 0; i < r->n_groups; i++)
		for (size_t j = 0; j < EVT_GROUP_IDS && r->groups[i].ids[j]; j++)
			if (r->groups[i].ids[j] == id) {
				*g = i;
				*k = j;
				return true;
			}
	return false;
}

/* The message on one line: whitespace runs become one space, control characters (C0, DEL
 * and C1: insertion strings such as a client's name come from other machines, and a
 * terminal would act on them) go, and the text is cut (at a UTF-8 character boundary) to
 * EVT_TEXT_MAX bytes with "...". */
static void one_line(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	bool space = false, cut = false;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		if (*p == ' ' || (*p >= '\t' && *p <= '\r')) {
			space = o > 0;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			continue;
		if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			p++; /* U+0080..U+009F */
			continue;
		}
		size_t need = (space ? 1 : 0) + 1;
		if (o + need > EVT_TEXT_MAX || o + need + 1 > n) {
			cut = true;
			break;
		}
		if (space)
			dst[o++] = ' ';
		space = false;
		dst[o++] = (char)*p;
	}
	if (cut) {
		while (o > 0 && ((unsigned char)dst[o - 1] & 0xC0) == 0x80)
			o--; /* continuation bytes of a character cut short */
		if (o > 0 && ((unsigned char)dst[o - 1] & 0xC0) == 0xC0)
			o--; /* its lead byte */
		if (o + 4 <= n) {
			memcpy(dst + o, "...", 3);
			o += 3;
		}
	}
	dst[o] = '\0';
}

static int on_event(void *arg, const rdls_logevt *ev)
{
	struct evt_run *r = arg;
	size_t g, k;
	if (!group_of(r, ev->id, &g, &k))
		return RDLS_LOGEVT_NEXT; /* not asked for: the backend's filter is not trusted */
	struct group_state *s = &r->st[g];
	if (ev->text || ev->text_err) {
		/* The message of the event the first call made the group's newest. */
		if (g != r->asked || !s->have_newest || s->newest != ev->time || s->newest_id != ev->id)
			return RDLS_LOGEVT_NEXT;
		if (ev->text) {
			one_line(s->text, sizeof(s->text), ev->text);
			s->text_why.s[0] = '\0';
		} else {
			rdls_errmsg_of(ev->text_err, &s->text_why);
			s->text[0] = '\0';
		}
		return RDLS_LOGEVT_NEXT;
	}
	if (++r->seen > EVT_MAX_EVENTS) {
		r->capped = true;
		return RDLS_LOGEVT_STOP;
	}
	s->count[k]++;
	s->total++;
	if (s->have_newest && ev->time <= s->newest)
		return RDLS_LOGEVT_NEXT;
	s->have_newest = true;
	s->newest = ev->time;
	s->newest_id = ev->id;
	s->newest_channel = r->channel;
	s->text[0] = '\0';
	snprintf(s->text_why.s, sizeof(s->text_why.s), "its message was not read");
	r->asked = g;
	return RDLS_LOGEVT_TEXT;
}

/* A FILETIME as "YYYY-MM-DD HH:MM:SS UTC" (days from civil: H. Hinnant's algorithm). */
static void utc_time(uint64_t ft, char *buf, size_t n)
{
	const uint64_t epoch_diff = 11644473600ull; /* 1601-01-01 to 1970-01-01, seconds */
	uint64_t secs = ft / 10000000u;
	if (secs < epoch_diff) {
		snprintf(buf, n, "before 1970 (FILETIME %llu)", (unsigned long long)ft);
		return;
	}
	uint64_t t = secs - epoch_diff;
	uint64_t days = t / 86400u, rem = t % 86400u;
	int64_t z = (int64_t)days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	snprintf(buf, n, "%04lld-%02lld-%02lld %02u:%02u:%02u UTC", (long long)y, (long long)m,
		 (long long)d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

static void join_ids(const uint32_t *ids, size_t n, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++) {
		int k = snprintf(buf + off, size - off, "%s%u", i ? ", " : "", (unsigned)ids[i]);
		off += k > 0 ? (size_t)k : 0;
	}
}

static void source_name(const struct evt_source *s, char *buf, size_t size)
{
	char prov[256];
	diag_join(s->providers, s->n_providers, " or ", "", prov, sizeof(prov));
	snprintf(buf, size, "log '%s' (provider %s)", s->channel, prov);
}

static void report_group(struct dctx *c, const char *check, const struct evt_group *g,
			 const struct group_state *s, bool capped)
{
	char counts[256] = "", when[64], remedy[1024];
	size_t off = 0;
	for (size_t j = 0; j < EVT_GROUP_IDS && g->ids[j] && off < sizeof(counts); j++) {
		if (!s->count[j])
			continue;
		int k = snprintf(counts + off, sizeof(counts) - off, "%sevent %u %u time%s",
				 off ? ", " : "", (unsigned)g->ids[j], (unsigned)s->count[j],
				 s->count[j] == 1 ? "" : "s");
		off += k > 0 ? (size_t)k : 0;
	}
	utc_time(s->newest, when, sizeof(when));
	g->remedy(c, remedy, sizeof(remedy));
	struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check, g->finding, NULL);
	SET(r, title, "%s (%u event%s in the last %u days)", g->title, (unsigned)s->total,
	    s->total == 1 ? "" : "s", (unsigned)c->o->event_days);
	if (s->text[0])
		SET(r, evidence, "EvtQuery, last %u days: %s%s; newest: event %u in '%s' at %s: \"%s\"",
		    (unsigned)c->o->event_days, capped ? "at least " : "", counts,
		    (unsigned)s->newest_id, s->newest_channel, when, s->text);
	else
		SET(r, evidence, "EvtQuery, last %u days: %s%s; newest: event %u in '%s' at %s "
				 "(no message text: %s)",
		    (unsigned)c->o->event_days, capped ? "at least " : "", counts,
		    (unsigned)s->newest_id, s->newest_channel, when, s->text_why.s);
	SET(r, cause, "%s; the events are history: the other checks of this diagnosis show "
		      "whether the cause is still there", g->cause);
	SET(r, remedy, "%s", remedy);
}

static void run_events(struct dctx *c, const char *check, const struct evt_group *groups,
		       size_t n_groups, const struct evt_source *sources, size_t n_sources)
{
	if (!c->sys->ops->event_query) {
		diag_not_run_missing_op(c, check, NULL, "event_query");
		return;
	}
	uint32_t ids[16];
	size_t n_ids = 0;
	for (size_t i = 0; i < n_groups; i++)
		for (size_t j = 0; j < EVT_GROUP_IDS && groups[i].ids[j]; j++)
			if (n_ids < sizeof(ids) / sizeof(ids[0]))
				ids[n_ids++] = groups[i].ids[j];
	char id_list[128];
	join_ids(ids, n_ids, id_list, sizeof(id_list));

	struct group_state st[8];
	memset(st, 0, sizeof(st));
	struct evt_run run = { .groups = groups, .n_groups = n_groups, .st = st };
	bool capped = false;
	bool read[8] = { false };
	uint32_t seen[8] = { 0 };
	for (size_t i = 0; i < n_sources && i < sizeof(read) / sizeof(read[0]); i++) {
		const struct evt_source *src = &sources[i];
		char what[400];
		source_name(src, what, sizeof(what));
		run.channel = src->channel;
		run.seen = 0;
		run.capped = false;
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->event_query(c->sys->ctx, src->channel, src->providers, src->n_providers,
					     ids, n_ids, c->o->event_days, on_event, &run, &e) != 0) {
			if (e.code == RDLS_LOGEVT_CHANNEL_NOT_FOUND && e.api[0]) {
				rdls_errmsg em;
				struct rdls_dresult *r = diag_not_run(c, check, src->channel);
				SET(r, reason, "the event log channel '%s' does not exist on this host "
					       "(%s)", src->channel, rdls_errmsg_of(&e, &em));
			} else {
				diag_not_run_err(c, check, src->channel, what, &e);
			}
			continue;
		}
		read[i] = true;
		seen[i] = run.seen;
		capped = capped || run.capped;
	}
	for (size_t g = 0; g < n_groups; g++)
		if (st[g].total)
			report_group(c, check, &groups[g], &st[g], capped);
	/* Each log read with none of the events: passed for that log (never for one unread). */
	for (size_t i = 0; i < n_sources && i < sizeof(read) / sizeof(read[0]); i++) {
		if (!read[i] || seen[i])
			continue;
		char what[400];
		source_name(&sources[i], what, sizeof(what));
		struct rdls_dresult *r = diag_passed(c, check, sources[i].channel);
		SET(r, title, "no licensing event in the last %u days", (unsigned)c->o->event_days);
		SET(r, evidence, "EvtQuery of the %s: no event %s in the last %u days", what, id_list,
		    (unsigned)c->o->event_days);
	}
}

void diag_check_ls_events(struct dctx *c)
{
	run_events(c, "ls-events", ls_groups, sizeof(ls_groups) / sizeof(ls_groups[0]),
		   ls_sources, sizeof(ls_sources) / sizeof(ls_sources[0]));
}

void diag_check_sh_events(struct dctx *c)
{
	run_events(c, "sh-events", sh_groups, sizeof(sh_groups) / sizeof(sh_groups[0]),
		   sh_sources, sizeof(sh_sources) / sizeof(sh_sources[0]));
}
