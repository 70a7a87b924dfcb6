/*
 * diagnose's license-server state, as the RD Licensing provider (TlsWmiProv, root\cimv2)
 * reports it: activation (Win32_TSLicenseServer.GetActivationStatus), the installed CAL
 * packs (Win32_TSLicenseKeyPack) against the profile's cal_version, the troubleshooting
 * document's two tables (compat.c), the licensing mode and the --warn-available
 * threshold, membership in the domain's "Terminal Server License Servers" group
 * (IsLSinTSLSGroup) and the "License server security group" policy
 * (IsLSSecGrpGPEnabled). The backend reports the provider's numbers; what they mean is
 * decided here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rdls/lswmi.h"

#define MAX_PACKS 64
#define MAX_GROUPS 16

/* A failed call: "the role is not installed" when the class is missing (the error names the
 * call), else "<what> could not be read: <error>". */
static void wmi_not_run(struct dctx *c, const char *check, const char *what, const rdls_err *e)
{
	if (!rdls_lswmi_class_missing(e->code)) {
		diag_not_run_err(c, check, NULL, what, e);
		return;
	}
	rdls_errmsg m;
	struct rdls_dresult *r = diag_not_run(c, check, NULL);
	SET(r, reason, "the RD Licensing role is not installed (%s)", rdls_errmsg_of(e, &m));
}

/* This license server's Windows: the running one, else the profile's os =. */
static bool this_os(const struct dctx *c, enum rdls_os *os)
{
	if (c->d->have_os && c->d->os.server && rdls_os_from_version(&c->d->os, os))
		return true;
	if (c->ls) {
		*os = c->ls->os;
		return true;
	}
	return false;
}

/* --- activation: GetActivationStatus([out] uint32 ActivationStatus). */
void diag_check_ls_activation(struct dctx *c)
{
	const char *check = "ls-activation";
	if (!c->sys->ops->ls_activation_get) {
		diag_not_run_missing_op(c, check, NULL, "ls_activation_get");
		return;
	}
	uint32_t st = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->ls_activation_get(c->sys->ctx, &st, &e) != 0) {
		wmi_not_run(c, check, "Win32_TSLicenseServer.GetActivationStatus", &e);
		return;
	}
	if (st == RDLS_LS_ACTIVATED) {
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "the license server '%s' is activated", c->d->host);
		SET(r, evidence, "Win32_TSLicenseServer.GetActivationStatus: ActivationStatus 0 (activated)");
		return;
	}
	bool unknown = st != RDLS_LS_NOT_ACTIVATED;
	struct rdls_dresult *r = diag_finding(c, unknown ? RDLS_DSEV_WARNING : RDLS_DSEV_ERROR, check,
					      unknown ? "ls-activation-unknown" : "ls-not-activated",
					      c->d->host);
	if (unknown)
		SET(r, title, "the license server '%s' cannot tell whether it is activated", c->d->host);
	else
		SET(r, title, "the license server '%s' is not activated", c->d->host);
	SET(r, evidence, "Win32_TSLicenseServer.GetActivationStatus: ActivationStatus %lu (%s)",
	    (unsigned long)st, unknown ? "an unknown error occurred" : "not activated");
	SET(r, cause, "an unactivated license server cannot install CAL packs and issues only "
		      "temporary licenses; when they expire, clients are refused with \"no Remote "
		      "Desktop license servers available\"");
	SET(r, remedy, "activate it: RD Licensing Manager (licmgr.exe), right-click '%s', Activate "
		       "Server (the Activate Server Wizard: automatic connection, web browser or "
		       "telephone), then install the CAL packs",
	    c->d->host);
}

/* ---------------------------------------------------------------- CAL packs */

/* What a pack is, read from the provider's fields. */
struct pack {
	const rdls_keypack *k;
	bool counted;     /* an RDS CAL pack of a known version and type */
	enum rdls_cal cal;
};

/*
 * The pack's CAL version: ProductVersion ("Windows Server 2019"; "Windows Server 7" is
 * 2008 R2 on Microsoft's class page), else ProductVersionID as the Install*LicenseKeyPack
 * pages number it (2 2008/2008 R2, 3 2008 R2, 4 2012, 5 2016, 6 2019). RDS 2008 CALs
 * count in the tables' "2008 R2 and earlier" column. false: not a version of the tables
 * (the built-in pack for Windows 2000 clients, a future version).
 */
static bool pack_cal(const rdls_keypack *k, enum rdls_cal *cal)
{
	static const struct {
		const char *word;
		enum rdls_cal cal;
	} words[] = {
		{ "2025", RDLS_CAL_2025 }, { "2022", RDLS_CAL_2022 }, { "2019", RDLS_CAL_2019 },
		{ "2016", RDLS_CAL_2016 }, { "2012", RDLS_CAL_2012 }, { "2008", RDLS_CAL_2008R2 },
		{ "Server 7", RDLS_CAL_2008R2 },
	};
	char v[RDLS_KEYPACK_STR_MAX];
	diag_copy_str(v, sizeof(v), k->version);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(v, words[i].word)) {
			*cal = words[i].cal;
			return true;
		}
	switch (k->version_id) {
	case 2:
	case 3: *cal = RDLS_CAL_2008R2; return true;
	case 4: *cal = RDLS_CAL_2012; return true;
	case 5: *cal = RDLS_CAL_2016; return true;
	case 6: *cal = RDLS_CAL_2019; return true;
	default: return false;
	}
}

static const char *product_type_name(uint32_t t)
{
	return t == 0 ? "per device" : t == 1 ? "per user" : "not a valid product type";
}

static const char *keypack_type_name(uint32_t t)
{
	static const char *const names[] = { "unknown", "retail", "volume", "concurrent",
					     "temporary", "open license", "not supported" };
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "not a documented type";
}

/* Installed packs of one CAL version and product type, summed. */
struct group {
	enum rdls_cal cal;
	uint32_t product_type;
	unsigned long long total, issued, available;
	char ids[160]; /* "KeyPackId 3, 7" */
};

static void describe_pack(const rdls_keypack *k, char *buf, size_t n)
{
	char d[RDLS_KEYPACK_STR_MAX], v[RDLS_KEYPACK_STR_MAX], t[RDLS_KEYPACK_STR_MAX];
	diag_copy_str(d, sizeof(d), k->description);
	diag_copy_str(v, sizeof(v), k->version);
	diag_copy_str(t, sizeof(t), k->type_model);
	snprintf(buf, n, "KeyPackId %lu '%s' (%s; ProductVersion '%s', ProductVersionID %lu, "
			 "ProductType %lu %s, KeyPackType %lu %s): total %lu, issued %lu, available %lu",
		 (unsigned long)k->id, d, *t ? t : "no TypeAndModel", v, (unsigned long)k->version_id,
		 (unsigned long)k->product_type, product_type_name(k->product_type),
		 (unsigned long)k->type, keypack_type_name(k->type), (unsigned long)k->total,
		 (unsigned long)k->issued, (unsigned long)k->available);
}

/* Every pack, described, joined with "; " (bounded). */
static void describe_all(const rdls_keypack *k, size_t n, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off + 1 < size; i++) {
		char one[800];
		describe_pack(&k[i], one, sizeof(one));
		int w = snprintf(buf + off, size - off, "%s%s", i ? "; " : "", one);
		off += w > 0 ? (size_t)w : 0;
	}
}

static void group_name(const struct group *g, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s CALs", rdls_cal_display(g->cal), product_type_name(g->product_type));
}

/* The profile's session hosts that cannot use CALs of version cal (the document's
 * table "RDS CAL vs RD Session Host"), joined into buf; how many. */
static size_t hosts_refusing(const struct dctx *c, enum rdls_cal cal, char *buf, size_t n)
{
	size_t k = 0, off = 0;
	buf[0] = '\0';
	for (size_t i = 0; c->m && i < c->m->n_sh; i++) {
		const struct rdls_session_host *sh = &c->m->sh[i];
		if (rdls_compat_session_host(sh->os, cal))
			continue;
		if (off + 1 < n) {
			int w = snprintf(buf + off, n - off, "%s%s (Windows Server %s)", k ? ", " : "",
					 sh->name, rdls_os_name(sh->os));
			off += w > 0 ? (size_t)w : 0;
		}
		k++;
	}
	return k;
}

static void finding_version(struct dctx *c, const struct group *g, const char *packs)
{
	char name[160], refusing[1024];
	group_name(g, name, sizeof(name));
	size_t n_ref = hosts_refusing(c, g->cal, refusing, sizeof(refusing));
	enum rdls_os os;
	bool have_os = this_os(c, &os);
	bool ls_cannot = have_os && !rdls_compat_license_server(os, g->cal);
	struct rdls_dresult *r = diag_finding(c, n_ref || ls_cannot ? RDLS_DSEV_ERROR : RDLS_DSEV_WARNING,
					      "cal-packs", "cal-pack-version-mismatch", name);
	SET(r, title, "%s are installed, the profile's cal_version is %s", name,
	    rdls_cal_name(c->m->cal));
	SET(r, evidence, "Win32_TSLicenseKeyPack: %s (%s); %s: cal_version = %s", g->ids, packs,
	    c->o->profile_path, rdls_cal_name(c->m->cal));
	if (ls_cannot)
		SET(r, cause, "the troubleshooting document's table \"RDS CAL vs license server\": a "
			      "license server on Windows Server %s cannot issue %s CALs",
		    rdls_os_name(os), rdls_cal_display(g->cal));
	else if (n_ref)
		SET(r, cause, "the troubleshooting document's table \"RDS CAL vs RD Session Host\": %s "
			      "CALs do not license the profile's session hosts %s, which then find no "
			      "license", rdls_cal_display(g->cal), refusing);
	else
		SET(r, cause, "the deployment is described with %s CALs; these packs are of another "
			      "version than the profile says (the tables allow them for its session "
			      "hosts, but validate checked the profile's version)",
		    rdls_cal_display(c->m->cal));
	SET(r, remedy, "install %s CAL packs in RD Licensing Manager (Install Licenses), or set "
		       "cal_version in %s to the version bought and run 'rdlsctl validate %s'",
	    rdls_cal_display(c->m->cal), c->o->profile_path, c->o->profile_path);
}

static void finding_type(struct dctx *c, const struct group *g, uint32_t want, bool none_right,
			 const char *packs)
{
	char name[160];
	group_name(g, name, sizeof(name));
	struct rdls_dresult *r = diag_finding(c, none_right ? RDLS_DSEV_ERROR : RDLS_DSEV_WARNING,
					      "cal-packs", "cal-pack-type-mismatch", name);
	SET(r, title, "%s are installed, the licensing mode is %s", name, product_type_name(want));
	SET(r, evidence, "Win32_TSLicenseKeyPack: %s (%s); %s: licensing_mode = %s", g->ids, packs,
	    c->o->profile_path, want == 0 ? "per_device" : "per_user");
	SET(r, cause, "session hosts in %s mode ask for %s CALs only; these %s CALs are never "
		      "issued%s",
	    product_type_name(want), product_type_name(want), product_type_name(g->product_type),
	    none_right ? ", and no pack of the right type is installed: clients get temporary "
			 "licenses, then none" : "");
	SET(r, remedy, "install %s CALs (or convert these in RD Licensing Manager: right-click the "
		       "pack, Convert Licenses), or, if %s is intended, set licensing_mode in %s and "
		       "run 'rdlsctl apply %s' on the session hosts",
	    product_type_name(want), product_type_name(g->product_type), c->o->profile_path,
	    c->o->profile_path);
}

/* Exhausted or below the threshold (--warn-available N, default 10% of the total). */
static bool finding_stock(struct dctx *c, const struct group *g, const char *packs)
{
	unsigned long long limit = c->o->warn_available_set ? c->o->warn_available : g->total / 10;
	char name[160], why[200];
	group_name(g, name, sizeof(name));
	if (c->o->warn_available_set)
		snprintf(why, sizeof(why), "--warn-available %lu", (unsigned long)c->o->warn_available);
	else
		snprintf(why, sizeof(why), "the default threshold, 10%% of %llu = %llu", g->total, limit);
	if (g->total > 0 && g->available == 0) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "cal-packs",
						      "cal-pack-exhausted", name);
		SET(r, title, "no %s are left: all %llu are issued", name, g->total);
		SET(r, evidence, "Win32_TSLicenseKeyPack: %s (%s): total %llu, issued %llu, available 0",
		    g->ids, packs, g->total, g->issued);
		SET(r, cause, "a new client of this type gets a temporary license at most, then is "
			      "refused with \"no Remote Desktop license servers available\"");
		SET(r, remedy, "buy and install more %s in RD Licensing Manager (Install Licenses), "
			       "or revoke CALs of devices no longer used (Revoke License)", name);
		return true;
	}
	if (g->available <= limit && g->total > 0) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "cal-packs", "cal-pack-low",
						      name);
		SET(r, title, "only %llu of %llu %s are left", g->available, g->total, name);
		SET(r, evidence, "Win32_TSLicenseKeyPack: %s (%s): available %llu <= %llu (%s)", g->ids,
		    packs, g->available, limit, why);
		SET(r, cause, "when they run out, new clients of this type get no license");
		SET(r, remedy, "install more %s in RD Licensing Manager before they run out (change "
			       "the threshold with diagnose --warn-available N)", name);
		return true;
	}
	return false;
}

static void add_to_group(struct group *gs, size_t *ng, const struct pack *p, bool *full)
{
	struct group *g = NULL;
	for (size_t i = 0; i < *ng && !g; i++)
		if (gs[i].cal == p->cal && gs[i].product_type == p->k->product_type)
			g = &gs[i];
	if (!g) {
		if (*ng == MAX_GROUPS) {
			*full = true;
			return;
		}
		g = &gs[(*ng)++];
		memset(g, 0, sizeof(*g));
		g->cal = p->cal;
		g->product_type = p->k->product_type;
	}
	g->total += p->k->total;
	g->issued += p->k->issued;
	g->available += p->k->available;
	size_t off = strlen(g->ids);
	if (off + 1 < sizeof(g->ids))
		snprintf(g->ids + off, sizeof(g->ids) - off, "%s%lu", off ? ", " : "KeyPackId ",
			 (unsigned long)p->k->id);
}

/* --- installed CAL packs: Win32_TSLicenseKeyPack, every instance. */
void diag_check_cal_packs(struct dctx *c)
{
	const char *check = "cal-packs";
	if (!c->sys->ops->ls_keypacks_get) {
		diag_not_run_missing_op(c, check, NULL, "ls_keypacks_get");
		return;
	}
	rdls_keypack *k = calloc(MAX_PACKS, sizeof(*k));
	if (!k) {
		c->d->oom = true;
		return;
	}
	size_t n = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->ls_keypacks_get(c->sys->ctx, k, MAX_PACKS, &n, &e) != 0) {
		wmi_not_run(c, check, "the instances of Win32_TSLicenseKeyPack", &e);
		free(k);
		return;
	}
	bool truncated = n > MAX_PACKS;
	if (truncated)
		n = MAX_PACKS;
	char *all = malloc(16384);
	if (!all) {
		c->d->oom = true;
		free(k);
		return;
	}
	describe_all(k, n, all, 16384);

	struct group gs[MAX_GROUPS];
	size_t ng = 0;
	bool full = false;
	for (size_t i = 0; i < n; i++) {
		struct pack p = { .k = &k[i] };
		/* Temporary packs and packs outside the tables (the built-in one for Windows 2000
		 * clients) are no CALs the deployment bought. */
		p.counted = k[i].product_type <= 1 && k[i].type != 4 && pack_cal(&k[i], &p.cal);
		if (p.counted)
			add_to_group(gs, &ng, &p, &full);
	}
	if (ng == 0) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "cal-pack-none", c->d->host);
		SET(r, title, "no RDS CAL pack is installed on '%s'", c->d->host);
		SET(r, evidence, "Win32_TSLicenseKeyPack: %s", n ? all : "no instances");
		SET(r, cause, "without CALs the license server issues temporary licenses only; when they "
			      "expire, clients are refused with \"no Remote Desktop license servers "
			      "available\"");
		SET(r, remedy, "install the CALs bought%s in RD Licensing Manager (licmgr.exe): "
			       "right-click the server, Install Licenses",
		    c->m ? "" : " (of the licensing mode the session hosts use)");
		free(all);
		free(k);
		return;
	}
	bool profile = diag_have_profile(c);
	uint32_t want = profile ? (c->m->licensing_mode == RDLS_PER_USER ? 1u : 0u) : 2u;
	bool right_type = false;
	for (size_t i = 0; i < ng; i++)
		right_type |= want == 2u || gs[i].product_type == want;
	bool bad = false;
	for (size_t i = 0; i < ng; i++) {
		const struct group *g = &gs[i];
		bool type_ok = want == 2u || g->product_type == want;
		if (!type_ok) {
			finding_type(c, g, want, !right_type, all);
			bad = true;
		}
		if (profile && g->cal != c->m->cal) {
			finding_version(c, g, all);
			bad = true;
		}
		if (type_ok && finding_stock(c, g, all))
			bad = true;
	}
	if (!bad) {
		char names[1024] = "";
		size_t off = 0;
		for (size_t i = 0; i < ng && off + 1 < sizeof(names); i++) {
			char one[160];
			group_name(&gs[i], one, sizeof(one));
			int w = snprintf(names + off, sizeof(names) - off, "%s%llu of %llu %s available",
					 i ? "; " : "", gs[i].available, gs[i].total, one);
			off += w > 0 ? (size_t)w : 0;
		}
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "the installed CAL packs suit the deployment: %s", names);
		SET(r, evidence, "Win32_TSLicenseKeyPack: %s%s%s%s", all, truncated ? " (and more)" : "",
		    full ? " (more kinds than counted)" : "",
		    profile ? "" : "; without a profile neither cal_version nor the licensing mode is "
				   "compared");
	}
	free(all);
	free(k);
}

/* ------------------------------------------------------------ domain groups */

static bool in_domain(const struct dctx *c)
{
	if (c->m && c->ls)
		return c->m->membership == RDLS_DOMAIN;
	return c->d->have_os && (c->d->os.domain_joined || c->d->os.domain_controller);
}

/* --- domain license server: IsLSinTSLSGroup (Domain not given: its own domain). */
void diag_check_ls_tsls_group(struct dctx *c)
{
	const char *check = "ls-tsls-group";
	if (!in_domain(c)) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m && c->ls ? "the profile's membership is workgroup"
								 : "this computer is in a workgroup");
		return;
	}
	if (!c->sys->ops->ls_in_tsls_group) {
		diag_not_run_missing_op(c, check, NULL, "ls_in_tsls_group");
		return;
	}
	bool member = false;
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->ls_in_tsls_group(c->sys->ctx, &member, &e) != 0) {
		wmi_not_run(c, check, "Win32_TSLicenseServer.IsLSinTSLSGroup", &e);
		return;
	}
	if (member) {
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "'%s' is a member of the domain's Terminal Server License Servers group",
		    c->d->host);
		SET(r, evidence, "Win32_TSLicenseServer.IsLSinTSLSGroup: IsMember true");
		return;
	}
	bool per_user = c->m && c->m->licensing_mode == RDLS_PER_USER;
	bool per_device = c->m && c->m->licensing_mode == RDLS_PER_DEVICE;
	struct rdls_dresult *r = diag_finding(c, per_device ? RDLS_DSEV_INFO : RDLS_DSEV_WARNING, check,
					      "ls-not-in-tsls-group", c->d->host);
	SET(r, title, "'%s' is not a member of the domain's Terminal Server License Servers group",
	    c->d->host);
	SET(r, evidence, "Win32_TSLicenseServer.IsLSinTSLSGroup: IsMember false%s%s",
	    c->m ? "; licensing_mode = " : "", per_user ? "per_user" : per_device ? "per_device" : "");
	SET(r, cause, "a license server outside this group cannot write the per-user CAL it issues "
		      "into the user's account in AD DS: per-user license tracking and reporting do "
		      "not work (Microsoft's IsLSinTSLSGroup page; event 4105)%s",
	    per_device ? "; per-device licensing, which this profile uses, does not need it" : "");
	SET(r, remedy, "as a Domain Admin: RD Licensing Manager (licmgr.exe), right-click '%s', "
		       "Review Configuration, Add to Group (or add the computer account %s$ to "
		       "'Terminal Server License Servers' in Active Directory Users and Computers)",
	    c->d->host, c->d->host);
}

/* --- any license server: IsLSSecGrpGPEnabled, the "License server security group"
 * policy. Enabled, the server answers only session hosts whose computer accounts are in
 * its local group "Terminal Server Computers" (Microsoft's IsLSSecGrpGPEnabled page). */
void diag_check_ls_secgrp_policy(struct dctx *c)
{
	const char *check = "ls-secgrp-policy";
	if (!c->sys->ops->ls_secgrp_gp) {
		diag_not_run_missing_op(c, check, NULL, "ls_secgrp_gp");
		return;
	}
	bool enabled = false;
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->ls_secgrp_gp(c->sys->ctx, &enabled, &e) != 0) {
		wmi_not_run(c, check, "Win32_TSLicenseServer.IsLSSecGrpGPEnabled", &e);
		return;
	}
	const char *policy = "'License server security group' (Computer Configuration\\Administrative "
			     "Templates\\Windows Components\\Remote Desktop Services\\Remote Desktop "
			     "Licensing)";
	if (!enabled) {
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "the license server answers every session host (the policy 'License "
			      "server security group' is not enabled)");
		SET(r, evidence, "Win32_TSLicenseServer.IsLSSecGrpGPEnabled: Enabled false");
		return;
	}
	bool workgroup = !in_domain(c);
	struct rdls_dresult *r = diag_finding(c, workgroup ? RDLS_DSEV_ERROR : RDLS_DSEV_WARNING, check,
					      "ls-secgrp-policy-enabled", c->d->host);
	SET(r, title, "the license server answers only session hosts in its local group 'Terminal "
		      "Server Computers'");
	SET(r, evidence, "Win32_TSLicenseServer.IsLSSecGrpGPEnabled: Enabled true; this host is %s",
	    workgroup ? "in a workgroup" : "in a domain");
	SET(r, cause, "the policy %s is enabled: a session host whose computer account is not a "
		      "member of 'Terminal Server Computers' on this server gets no CAL%s",
	    policy, workgroup ? "; in a workgroup no other computer's account can be a member, so no "
				"session host gets one" : "");
	SET(r, remedy, "%s: gpedit.msc (or the domain GPO that sets it: gpresult /h), set %s to "
		       "Not configured or Disabled, then gpupdate /force",
	    workgroup ? "disable the policy" : "add every session host's computer account to the local "
					       "group 'Terminal Server Computers', or disable the policy",
	    policy);
}
