/*
 * diagnose's session-host checks: the licensing mode, the license server lists (policy and
 * Connection Broker), and CAL compatibility of this host's Windows version (both roles).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/regpaths.h"
#include "diag.h"

#define MODE_EVIDENCE                                                                          \
	"HKLM\\" RDLS_KEY_TS_POLICY " value 'LicensingMode' (the policy 'Set the Remote Desktop " \
	"licensing mode'): %s; HKLM\\" RDLS_KEY_RCM_LICENSING " value 'LicensingMode' (local "   \
	"setting): %s"

/* --- session host: licensing mode (troubleshooting document, "Set the Remote Desktop
 * licensing mode"; policy TS_LICENSING_MODE of terminalserver.admx). */
void diag_check_licensing_mode(struct dctx *c)
{
	rdls_regval pol = { 0 }, loc = { 0 };
	bool pol_ok = diag_read_value(c, "licensing-mode", RDLS_KEY_TS_POLICY, "LicensingMode", &pol) == 0;
	if (!pol_ok)
		return;
	bool loc_ok = diag_read_value(c, "licensing-mode", RDLS_KEY_RCM_LICENSING, "LicensingMode", &loc) == 0;
	char pol_s[128], loc_s[128], cmd[600] = "";
	rdls_regval_describe_n(&pol, pol_s, sizeof(pol_s));
	if (loc_ok)
		rdls_regval_describe_n(&loc, loc_s, sizeof(loc_s));
	else
		snprintf(loc_s, sizeof(loc_s), "not readable");
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));

	uint32_t pv = 0, lv = 0, mode = 0;
	bool pol_valid = rdls_regval_dword(&pol, &pv) &&
			 (pv == MODE_PER_DEVICE || pv == MODE_PER_USER || pv == MODE_AAD_PER_USER);
	bool loc_valid = loc_ok && rdls_regval_dword(&loc, &lv) && (lv == MODE_PER_DEVICE || lv == MODE_PER_USER);
	const char *source = NULL;
	if (pol_valid) {
		mode = pv;
		source = "the policy";
	} else if (loc_valid) {
		mode = lv;
		source = "the local setting";
	}
	const char *gp = "gpedit.msc > Computer Configuration > Administrative Templates > Windows "
			 "Components > Remote Desktop Services > Remote Desktop Session Host > "
			 "Licensing > 'Set the Remote Desktop licensing mode': Enabled, Per Device "
			 "(with a Connection Broker: Server Manager > Remote Desktop Services > "
			 "Overview > Edit Deployment Properties > RD Licensing)";

	if (pol.present && !pol_valid) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-invalid", "LicensingMode");
		SET(r, title, "the licensing mode policy value is not a licensing mode");
		SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
		SET(r, cause, "the policy writes LicensingMode as REG_DWORD 2 (per device) or 4 (per "
			      "user); Remote Desktop Services does not understand %s",
		    pol_s);
		if (*cmd)
			SET(r, remedy, "%s (writes REG_DWORD %d)", cmd,
			    c->m->licensing_mode == RDLS_PER_USER ? 4 : 2);
		else
			SET(r, remedy, "%s; or describe this host in a profile and run 'rdlsctl apply "
				       "PROFILE'", gp);
	}
	if (!mode) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-unset", NULL);
		SET(r, title, "the Remote Desktop licensing mode is not configured");
		SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
		SET(r, cause, "the session host does not know whether to request per-device or per-user "
			      "CALs (RD Licensing Diagnoser: 'the licensing mode for the Remote Desktop "
			      "Session Host server is not configured'); once the grace period ends, "
			      "clients are refused with 'no Remote Desktop License Servers available'");
		if (*cmd)
			SET(r, remedy, "%s (sets the policy value LicensingMode = %d, %s)", cmd,
			    c->m->licensing_mode == RDLS_PER_USER ? 4 : 2,
			    c->m->licensing_mode == RDLS_PER_USER ? "per user" : "per device");
		else
			SET(r, remedy, "%s; or describe this host in a profile ([session_host %s]) and "
				       "run 'rdlsctl apply PROFILE'",
			    gp, c->d->host);
		goto out;
	}
	/* The profile's mode, as the policy (which wins over the local setting) holds it. */
	bool differs = false;
	if (c->sh && c->m) {
		uint32_t want = c->m->licensing_mode == RDLS_PER_USER ? MODE_PER_USER : MODE_PER_DEVICE;
		if (!pol_valid || pv != want) {
			differs = true;
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "licensing-mode",
							      "licensing-mode-not-profile",
							      "LicensingMode");
			SET(r, title, "the licensing mode policy is %s, the profile wants %s",
			    pol.present ? pol_s : "not set", diag_mode_name(want));
			SET(r, evidence, MODE_EVIDENCE "; %s: licensing_mode = %s", pol_s, loc_s,
			    c->o->profile_path, want == MODE_PER_USER ? "per_user" : "per_device");
			SET(r, cause, "the session host requests %s CALs, but the license servers hold "
				      "the profile's kind; the policy value is what Remote Desktop "
				      "Services reads first",
			    diag_mode_name(mode));
			SET(r, remedy, "%s (sets the policy value LicensingMode = %u)", cmd, (unsigned)want);
		}
	}
	if (mode == MODE_PER_USER && c->d->have_os && !c->d->os.domain_joined &&
	    !c->d->os.domain_controller) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "licensing-mode",
						 "licensing-mode-per-user-workgroup", NULL);
		SET(r, title, "per-user licensing on a session host in a workgroup");
		SET(r, evidence, "%s: LicensingMode = 4 (per user) in %s; RtlGetVersion/membership: "
				 "workgroup",
		    source, mode == pv ? "HKLM\\" RDLS_KEY_TS_POLICY : "HKLM\\" RDLS_KEY_RCM_LICENSING);
		SET(r, cause, "the troubleshooting document: 'If you use workgroup servers for your RDS "
			      "deployment, you have to use Per Device CALs. In that case, Per User CALs "
			      "are not permitted.'");
		if (*cmd && c->m->licensing_mode == RDLS_PER_DEVICE)
			SET(r, remedy, "%s (sets LicensingMode = 2, per device)", cmd);
		else
			SET(r, remedy, "switch to per-device licensing and per-device CALs: set "
				       "licensing_mode = per_device in the profile and run 'rdlsctl "
				       "apply PROFILE', or by hand: %s",
			    gp);
		goto out;
	}
	if (differs)
		goto out;
	struct rdls_dresult *r = diag_passed(c, "licensing-mode", NULL);
	SET(r, title, "licensing mode: %s (%s)", diag_mode_name(mode), source);
	SET(r, evidence, MODE_EVIDENCE, pol_s, loc_s);
	if (!c->d->have_os && mode == MODE_PER_USER)
		SET(r, title, "licensing mode: per user (%s); workgroup membership unknown", source);
out:
	rdls_regval_release(&pol);
	rdls_regval_release(&loc);
}

/* One list entry's whitespace. */
static void check_entry_space(struct dctx *c, const char *where, const char *entry, size_t len,
			      const char *whole)
{
	const char *t = entry;
	size_t n = len;
	rdls_trim(&t, &n);
	bool lead = len && rdls_is_space(entry[0]);
	bool trail = len && rdls_is_space(entry[len - 1]);
	bool empty = n == 0;
	if (!lead && !trail && !empty)
		return;
	char name[RDLS_TS_NAME_MAX];
	snprintf(name, sizeof(name), "%.*s", (int)n, t);
	char cmd[600] = "";
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));
	struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "license-servers",
					 "license-server-whitespace", empty ? "(empty)" : name);
	if (empty)
		SET(r, title, "an empty entry in the license server list");
	else
		SET(r, title, "license server name '%s' carries stray whitespace", name);
	SET(r, evidence, "%s = '%s': entry '%.*s'", where, whole, (int)len, entry);
	SET(r, cause, "the session host looks names up as written: '%.*s' is not the name '%s'; the "
		      "policy's editor separates names with commas only",
	    (int)len, entry, name);
	if (*cmd)
		SET(r, remedy, "%s (rewrites the list without whitespace)", cmd);
	else
		SET(r, remedy, "rewrite the list without spaces (gpedit.msc > ... > Licensing > 'Use the "
			       "specified Remote Desktop license servers'), or describe this host in a "
			       "profile and run 'rdlsctl apply PROFILE'");
}

/* --- session host: the license server lists ("Use the specified Remote Desktop license
 * servers": policy TS_LICENSE_SERVERS of terminalserver.admx, REG_SZ LicenseServers,
 * names separated by commas; and what Server Manager writes on a Connection Broker
 * deployment, REG_MULTI_SZ SpecifiedLicenseServers under TermService\Parameters). */
void diag_check_license_servers(struct dctx *c)
{
	rdls_regval pol = { 0 }, brk = { 0 };
	if (diag_read_value(c, "license-servers", RDLS_KEY_TS_POLICY, "LicenseServers", &pol) != 0)
		return;
	if (diag_read_value(c, "license-servers", RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &brk) != 0) {
		rdls_regval_release(&pol);
		return;
	}
	c->servers_read = true;
	char pol_s[1024], brk_s[1024], cmd[600] = "";
	rdls_regval_describe_n(&pol, pol_s, sizeof(pol_s));
	rdls_regval_describe_n(&brk, brk_s, sizeof(brk_s));
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));
	const char *pol_where = "HKLM\\" RDLS_KEY_TS_POLICY " value 'LicenseServers'";
	const char *brk_where = "HKLM\\" RDLS_KEY_TS_BROKER_LS " value 'SpecifiedLicenseServers'";

	if (pol.present && !rdls_regval_is_string(&pol)) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "license-servers",
						 "license-servers-wrong-type", "LicenseServers");
		SET(r, title, "the license server policy value has the wrong type");
		SET(r, evidence, "%s: %s", pol_where, pol_s);
		SET(r, cause, "the policy 'Use the specified Remote Desktop license servers' writes "
			      "LicenseServers as REG_SZ, names separated by commas; a value of another "
			      "type is not a list of names");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "delete the value and set the policy again with gpedit.msc, or "
				       "describe this host in a profile and run 'rdlsctl apply PROFILE'");
	} else if (pol.present && pol.type == RDLS_REG_EXPAND_SZ) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "license-servers",
						 "license-servers-wrong-type", "LicenseServers");
		SET(r, title, "the license server policy value is REG_EXPAND_SZ, not REG_SZ");
		SET(r, evidence, "%s: %s", pol_where, pol_s);
		SET(r, cause, "the policy writes REG_SZ; a hand-made REG_EXPAND_SZ may not be read the "
			      "same way");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "set the policy again with gpedit.msc (it writes REG_SZ)");
	}
	if (rdls_regval_is_string(&pol)) {
		const char *s = (const char *)pol.data, *p;
		size_t len;
		struct rdls_split items;
		rdls_split_init(&items, s, strlen(s), ',');
		while (rdls_split_next(&items, &p, &len)) {
			check_entry_space(c, pol_where, p, len, s);
			rdls_trim(&p, &len);
			diag_add_server(c, p, len);
		}
	}
	if (brk.present && brk.type == RDLS_REG_MULTI_SZ) {
		const char *p;
		size_t len;
		struct rdls_split items;
		rdls_split_init(&items, (const char *)brk.data, brk.len, '\0');
		while (rdls_split_next(&items, &p, &len) && len) {
			check_entry_space(c, brk_where, p, len, p);
			rdls_trim(&p, &len);
			diag_add_server(c, p, len);
		}
	}
	bool differs = false;
	if (c->sh && c->m) {
		const char *want[MAX_SERVERS];
		size_t nw = 0;
		for (size_t i = 0; i < c->sh->n_ls && nw < MAX_SERVERS; i++) {
			const struct rdls_license_server *ls = &c->m->ls[c->sh->ls[i]];
			want[nw++] = ls->dns ? ls->dns : ls->name;
		}
		const char *s = rdls_regval_is_string(&pol) ? (const char *)pol.data : "";
		if (pol.type != RDLS_REG_SZ || !diag_same_names(s, strlen(s), ',', want, nw)) {
			differs = true;
			char list[1024];
			diag_join(want, nw, ",", "", list, sizeof(list));
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "license-servers",
							      "license-servers-not-profile",
							      "LicenseServers");
			SET(r, title, "the license server policy does not list the profile's license "
				      "servers");
			SET(r, evidence, "%s: %s; the profile wants REG_SZ '%s'", pol_where, pol_s, list);
			SET(r, cause, "the session host asks the servers the policy names (in any order), "
				      "not the ones the profile describes");
			SET(r, remedy, "%s (sets the policy value LicenseServers)", cmd);
		}
	}
	if (c->n_servers == 0) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "license-servers",
						 "license-servers-none", NULL);
		SET(r, title, "no license server is specified");
		SET(r, evidence, "%s: %s; %s: %s", pol_where, pol_s, brk_where, brk_s);
		SET(r, cause, "the session host then relies on automatic license server discovery, a "
			      "mechanism abandoned starting with Windows Server 2008 R2; it finds no "
			      "license server and refuses clients once the grace period ends");
		if (*cmd)
			SET(r, remedy, "%s (sets the policy value LicenseServers)", cmd);
		else
			SET(r, remedy, "gpedit.msc > Computer Configuration > Administrative Templates > "
				       "Windows Components > Remote Desktop Services > Remote Desktop "
				       "Session Host > Licensing > 'Use the specified Remote Desktop "
				       "license servers': Enabled, names separated by commas; or describe "
				       "this host in a profile and run 'rdlsctl apply PROFILE'");
	} else if (!differs) {
		struct rdls_dresult *r = diag_passed(c, "license-servers", NULL);
		SET(r, title, "%lu license server%s specified", (unsigned long)c->n_servers, c->n_servers == 1 ? "" : "s");
		SET(r, evidence, "%s: %s; %s: %s", pol_where, pol_s, brk_where, brk_s);
	}
	rdls_regval_release(&pol);
	rdls_regval_release(&brk);
}

/* Peers a license server talks to: the profile's other license servers, and the
 * domain list under TermServLicensing\Parameters. */
/* --- CAL version against the real Windows version (the troubleshooting document's tables). */
void diag_check_cal(struct dctx *c)
{
	if (!c->m) {
		struct rdls_dresult *r = diag_not_run(c, "cal-compat", NULL);
		SET(r, reason, "needs a profile: the CAL version is the profile's cal_version");
		return;
	}
	if (!c->ls && !c->sh) {
		struct rdls_dresult *r = diag_not_run(c, "cal-compat", NULL);
		SET(r, reason, "the profile does not describe this host");
		return;
	}
	if (!c->d->have_os) {
		struct rdls_dresult *r = diag_not_run(c, "cal-compat", NULL);
		SET(r, reason, "the Windows version could not be read (see os-version)");
		return;
	}
	enum rdls_os real;
	if (!c->d->os.server || !rdls_os_from_version(&c->d->os, &real)) {
		struct rdls_dresult *r = diag_not_run(c, "cal-compat", NULL);
		SET(r, reason, "Windows %u.%u build %u%s is not a Windows Server version the tables "
			       "cover", (unsigned)c->d->os.major, (unsigned)c->d->os.minor,
		    (unsigned)c->d->os.build, c->d->os.server ? "" : " (not a server)");
		return;
	}
	struct {
		const char *role;
		bool is;
		enum rdls_os declared;
		bool (*ok)(enum rdls_os, enum rdls_cal);
		const char *table;
	} roles[2] = {
		{ "session host", c->sh != NULL, c->sh ? c->sh->os : real, rdls_compat_session_host,
		  "RDS CAL vs RD Session Host" },
		{ "license server", c->ls != NULL, c->ls ? c->ls->os : real, rdls_compat_license_server,
		  "RDS CAL vs license server" },
	};
	for (int i = 0; i < 2; i++) {
		if (!roles[i].is)
			continue;
		const char *sect = i == 0 ? "session_host" : "license_server";
		if (roles[i].declared != real) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "cal-compat",
							 "os-differs-from-profile", roles[i].role);
			SET(r, title, "the profile says Windows Server %s, this %s runs Windows Server %s",
			    rdls_os_name(roles[i].declared), roles[i].role, rdls_os_name(real));
			SET(r, evidence, "%s: [%s %s] os = %s; RtlGetVersion: %u.%u build %u",
			    c->o->profile_path, sect, c->d->host, rdls_os_name(roles[i].declared),
			    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build);
			SET(r, cause, "'rdlsctl validate' checks CAL compatibility with the os the profile "
				      "declares, so it checked the wrong version");
			SET(r, remedy, "set os = %s in [%s %s] of %s and run 'rdlsctl validate %s'",
			    rdls_os_name(real), sect, c->d->host, c->o->profile_path, c->o->profile_path);
		}
		if (!roles[i].ok(real, c->m->cal)) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "cal-compat", "cal-incompatible",
							 roles[i].role);
			SET(r, title, "RDS %s CALs do not work with this %s (Windows Server %s)",
			    rdls_cal_name(c->m->cal), roles[i].role, rdls_os_name(real));
			SET(r, evidence, "RtlGetVersion: %u.%u build %u = Windows Server %s; %s: "
					 "cal_version = %s; the troubleshooting document's table %s",
			    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build,
			    rdls_os_name(real), c->o->profile_path, rdls_cal_name(c->m->cal),
			    roles[i].table);
			SET(r, cause, i == 0 ? "a session host accepts only CALs of its own version or "
					       "newer: clients get no license"
					     : "a license server cannot hold or issue CALs newer than "
					       "its own version");
			SET(r, remedy, "%s, set cal_version in %s, and run 'rdlsctl validate %s'",
			    i == 0 ? "install CALs at least as new as this session host's Windows"
				   : "move the CALs to a license server at least as new as the CALs",
			    c->o->profile_path, c->o->profile_path);
			continue;
		}
		struct rdls_dresult *r = diag_passed(c, "cal-compat", roles[i].role);
		SET(r, title, "RDS %s CALs work with this %s (Windows Server %s)", rdls_cal_name(c->m->cal),
		    roles[i].role, rdls_os_name(real));
		SET(r, evidence, "RtlGetVersion: %u.%u build %u; %s: cal_version = %s",
		    (unsigned)c->d->os.major, (unsigned)c->d->os.minor, (unsigned)c->d->os.build,
		    c->o->profile_path, rdls_cal_name(c->m->cal));
	}
}


/* The values Remote Desktop Services keeps under RCM once a license server has given this
 * session host its certificate (Microsoft's support article "Cannot connect to RDS because no
 * RD Licensing servers are available", symptom "Access was denied because of a security
 * error": back up the key, delete these values and restart the server). */
static const char *const rcm_cert_values[] = { "X509 Certificate", "X509 Certificate ID",
					       "X509 Certificate2" };

#define RCM_REFRESH                                                                            \
	"only if clients are refused with 'Access was denied because of a security error': back " \
	"up the key (reg export \"HKLM\\" RDLS_KEY_RCM "\" rcm-backup.reg), delete the values "   \
	"Certificate, X509 Certificate, X509 Certificate ID and X509 Certificate2 there, and "    \
	"restart the server, which requests a new certificate (the documented refresh; diagnose " \
	"never does it)"

/* --- session host: the license server's certificate under RCM. */
void diag_check_sh_certificate(struct dctx *c)
{
	const char *check = "sh-certificate";
	char ev[1024] = "";
	size_t off = 0, present = 0, n = sizeof(rcm_cert_values) / sizeof(rcm_cert_values[0]);
	for (size_t i = 0; i < n; i++) {
		rdls_regval v = { 0 };
		if (diag_read_value(c, check, RDLS_KEY_RCM, rcm_cert_values[i], &v) != 0)
			return;
		present += v.present;
		if (off < sizeof(ev)) {
			int k = snprintf(ev + off, sizeof(ev) - off, "%s'%s': %s", i ? ", " : "",
					 rcm_cert_values[i],
					 !v.present ? "absent"
						    : rdls_regval_type_name(v.type, "an unusual type"));
			off += k > 0 ? (size_t)k : 0;
		}
		rdls_regval_release(&v);
	}
	struct rdls_dresult *r;
	if (present == 0) {
		r = diag_finding(c, RDLS_DSEV_INFO, check, "sh-certificate-absent", NULL);
		SET(r, title, "this session host holds no license server certificate");
		SET(r, evidence, "HKLM\\" RDLS_KEY_RCM " values %s", ev);
		SET(r, cause, "the certificate is written when a license server first issues this "
			      "session host a license: it has never obtained one (new, or no license "
			      "server was ever reachable); clients connect on the grace period until it "
			      "does");
		SET(r, remedy, "fix the license server findings above (licensing-mode, "
			       "license-servers, ls-rpc, ts-*); the certificate then arrives by itself");
		return;
	}
	if (present < n) {
		r = diag_finding(c, RDLS_DSEV_WARNING, check, "sh-certificate-incomplete", NULL);
		SET(r, title, "the license server certificate under RCM is incomplete");
		SET(r, evidence, "HKLM\\" RDLS_KEY_RCM " values %s", ev);
		SET(r, cause, "Remote Desktop Services writes the X509 values together; a partial set "
			      "is the damaged state behind 'Access was denied because of a security "
			      "error'");
		SET(r, remedy, "%s", RCM_REFRESH);
		return;
	}
	r = diag_passed(c, check, NULL);
	SET(r, title, "this session host holds a license server certificate (if clients are "
		      "refused with 'Access was denied because of a security error': docs/diagnose.md, "
		      "sh-certificate, the documented refresh)");
	SET(r, evidence, "HKLM\\" RDLS_KEY_RCM " values %s", ev);
}

/* The profile's license servers for this session host (their DNS names), into want. */
static size_t profile_servers(const struct dctx *c, const char **want, size_t max)
{
	size_t nw = 0;
	for (size_t i = 0; c->sh && i < c->sh->n_ls && nw < max; i++) {
		const struct rdls_license_server *ls = &c->m->ls[c->sh->ls[i]];
		want[nw++] = ls->dns ? ls->dns : ls->name;
	}
	return nw;
}

#define GPO_LICENSING_PATH                                                                  \
	"Computer Configuration > Policies > Administrative Templates > Windows Components > " \
	"Remote Desktop Services > Remote Desktop Session Host > Licensing"

/* A domain GPO that sets either policy (RSOP): it rewrites the local value at every refresh.
 * Its value is the policy value in the registry now (as of the last refresh), compared with
 * the profile. Returns whether a finding needs action; *summary says what was seen. */
static bool sie_domain_gpo(struct dctx *c, const char *check, const rdls_regval *pm,
			   const rdls_regval *ps, const char *pm_s, const char *ps_s, char *summary,
			   size_t n)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	const char *subject = "domain GPO";
	if (!c->d->have_os) {
		snprintf(summary, n, "domain GPOs: not asked (membership unknown)");
		return false;
	}
	if (!c->d->os.domain_joined && !c->d->os.domain_controller) {
		snprintf(summary, n, "domain GPOs: none (workgroup)");
		return false;
	}
	snprintf(summary, n, "domain GPOs: not read");
	if (!ops->gpo_domain_settings) {
		struct rdls_dresult *r = diag_not_run(c, check, subject);
		SET(r, reason, "this host is a domain member, and this build of rdlsctl cannot read "
			       "the Resultant Set of Policy (the system interface has no "
			       "'gpo_domain_settings' here): run 'gpresult /h report.html' to see "
			       "whether a domain GPO sets the licensing policies");
		return false;
	}
	rdls_gpo_setting set[16];
	size_t count = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (ops->gpo_domain_settings(c->sys->ctx, RDLS_KEY_TS_POLICY, set,
				     sizeof(set) / sizeof(set[0]), &count, &e) != 0) {
		diag_not_run_err(c, check, subject,
				 "the Resultant Set of Policy (RSOP_RegistryPolicySetting in "
				 "root\\rsop\\computer; 'gpresult /h report.html' shows the same)", &e);
		return false;
	}
	size_t nset = count < sizeof(set) / sizeof(set[0]) ? count : sizeof(set) / sizeof(set[0]);
	bool action = false, any = false;
	for (size_t i = 0; i < nset; i++) {
		set[i].value[sizeof(set[i].value) - 1] = '\0';
		set[i].gpo[sizeof(set[i].gpo) - 1] = '\0';
		bool servers = rdls_name_eq(set[i].value, "LicenseServers");
		if (!servers && !rdls_name_eq(set[i].value, "LicensingMode"))
			continue;
		any = true;
		const char *policy = servers ? "Use the specified Remote Desktop license servers"
					     : "Set the Remote Desktop licensing mode";
		/* The profile's wish against the value the GPO left in the registry. */
		char want_s[1024] = "";
		int matches = -1; /* -1: no profile describes this session host */
		if (c->sh && c->m) {
			if (servers) {
				const char *want[MAX_SERVERS];
				size_t nw = profile_servers(c, want, MAX_SERVERS);
				char list[1000];
				diag_join(want, nw, ",", "", list, sizeof(list));
				snprintf(want_s, sizeof(want_s), "REG_SZ '%s'", list);
				const char *cur = rdls_regval_is_string(ps) ? (const char *)ps->data : "";
				matches = ps->type == RDLS_REG_SZ &&
					  diag_same_names(cur, strlen(cur), ',', want, nw);
			} else {
				uint32_t want = c->m->licensing_mode == RDLS_PER_USER ? MODE_PER_USER
										     : MODE_PER_DEVICE;
				uint32_t have = 0;
				snprintf(want_s, sizeof(want_s), "REG_DWORD %u (%s)", (unsigned)want,
					 diag_mode_name(want));
				matches = rdls_regval_dword(pm, &have) && have == want;
			}
		}
		enum rdls_dsev sev = matches == 1 ? RDLS_DSEV_INFO : RDLS_DSEV_WARNING;
		action |= sev != RDLS_DSEV_INFO;
		struct rdls_dresult *r = diag_finding(c, sev, check, "domain-gpo-sets-policy",
						      set[i].value);
		SET(r, title, "domain GPO '%s' sets %s (\"%s\"): it wins over the local policy at "
			      "the next refresh%s", set[i].gpo, set[i].value, policy,
		    matches == 1 ? "; it sets what the profile wants"
				 : matches == 0 ? "; the profile wants something else" : "");
		char prof[1200];
		if (matches >= 0)
			snprintf(prof, sizeof(prof), "; %s wants %s", c->o->profile_path, want_s);
		else
			snprintf(prof, sizeof(prof), "; no profile describes this session host to "
						     "compare with");
		SET(r, evidence, "RSOP_RegistryPolicySetting (root\\rsop\\computer): GPO '%s' sets "
				 "HKLM\\" RDLS_KEY_TS_POLICY " value '%s' with precedence 1; the value "
				 "now (as of the last refresh): %s%s",
		    set[i].gpo, set[i].value, servers ? ps_s : pm_s, prof);
		SET(r, cause, "the Group Policy engine applies domain GPOs after the local one and "
			      "writes their values again at every refresh (about every 90 minutes, and "
			      "at startup): a change made on this host (gpedit.msc, rdlsctl apply) lasts "
			      "only until then");
		if (matches == 1)
			SET(r, remedy, "none needed now; change the setting in GPO '%s' (Group Policy "
				       "Management), not on this host, when it should change", set[i].gpo);
		else
			SET(r, remedy, "in Group Policy Management, edit GPO '%s' > " GPO_LICENSING_PATH
				       " > '%s'%s%s, or remove the setting there so that the local "
				       "policy applies; then 'gpupdate /force' and diagnose again",
			    set[i].gpo, policy, *want_s ? " and set it to the profile's " : "", want_s);
	}
	snprintf(summary, n, "domain GPOs (RSOP): %s", any ? "see the findings"
							  : "none sets LicensingMode or LicenseServers");
	return action;
}

static const char *ts_type_name(uint32_t t)
{
	switch (t) {
	case 0: return "a personal RD Session Host";
	case 1: return "Remote Desktop for Administration (no licensing mode)";
	default: return diag_mode_name(t);
	}
}

/* Splits a REG_SZ list (sep ',') or a REG_MULTI_SZ into pointers/lengths of trimmed names,
 * joined with ',' into out. */
static void names_joined(const rdls_regval *v, char *out, size_t n)
{
	size_t off = 0;
	out[0] = '\0';
	if (!v->present || v->len == 0)
		return;
	bool multi = v->type == RDLS_REG_MULTI_SZ;
	if (!multi && !rdls_regval_is_string(v))
		return;
	const char *data = (const char *)v->data, *p;
	size_t len;
	struct rdls_split items;
	rdls_split_init(&items, data, multi ? v->len : strnlen(data, v->len), multi ? '\0' : ',');
	while (rdls_split_next(&items, &p, &len)) {
		if (multi && len == 0)
			break; /* the empty string that ends a REG_MULTI_SZ */
		rdls_trim(&p, &len);
		if (len > 0 && off < n) {
			int k = snprintf(out + off, n - off, "%s%.*s", off ? "," : "", (int)len, p);
			off += k > 0 ? (size_t)k : 0;
		}
	}
}

/* What Remote Desktop Services itself reports (Win32_TerminalServiceSetting): the mode it
 * uses and its specified license servers, against what the registry says should be in
 * effect. Returns whether a finding needs action; *summary says what was seen. */
static bool sie_ts_wmi(struct dctx *c, const char *check, const rdls_regval *pm,
		       const rdls_regval *lm, const rdls_regval *ps, const rdls_regval *bs,
		       char *summary, size_t n)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	const char *subject = "Win32_TerminalServiceSetting";
	snprintf(summary, n, "Win32_TerminalServiceSetting: not read");
	if (!ops->ts_licensing) {
		diag_not_run_missing_op(c, check, subject, "ts_licensing");
		return false;
	}
	uint32_t type = 0, source = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (ops->ts_licensing(c->sys->ctx, &type, &source, &e) != 0) {
		diag_ts_not_run(c, check, subject, "LicensingType", &e);
		return false;
	}
	/* The registry's answer: the policy wins over RCM\Licensing Core. */
	uint32_t p = 0, l = 0, eff = MODE_NOT_CONFIGURED;
	const char *eff_from = "neither the policy nor RCM\\Licensing Core sets a mode";
	if (rdls_regval_dword(pm, &p) && (p == MODE_PER_DEVICE || p == MODE_PER_USER || p == MODE_AAD_PER_USER)) {
		eff = p;
		eff_from = "the policy value LicensingMode";
	} else if (rdls_regval_dword(lm, &l) && (l == MODE_PER_DEVICE || l == MODE_PER_USER)) {
		eff = l;
		eff_from = "RCM\\Licensing Core's LicensingMode (no policy is set)";
	}
	bool action = false;
	if (type != eff) {
		action = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
						      "ts-licensing-type-conflict", "LicensingType");
		SET(r, title, "Remote Desktop Services uses %s, the registry says %s: what it uses "
			      "wins until it reads the setting again", ts_type_name(type),
		    diag_mode_name(eff));
		SET(r, evidence, "Win32_TerminalServiceSetting.LicensingType = %u (%s), "
				 "PolicySourceLicensingType = %u; %s: %s",
		    (unsigned)type, ts_type_name(type), (unsigned)source, eff_from, diag_mode_name(eff));
		if (type == 1)
			SET(r, cause, "the session host runs in Remote Desktop for Administration mode: "
				      "the RD Session Host role service is not installed (or not yet "
				      "active), so it requests no CAL whatever the registry says");
		else
			SET(r, cause, "Remote Desktop Services reads the licensing mode when Group Policy "
				      "refreshes and when it starts: until it has read the registry's "
				      "value it keeps the mode it reports, and clients get CALs of that "
				      "kind");
		if (type == 1)
			SET(r, remedy, "install the Remote Desktop Session Host role service (Server "
				       "Manager, or Install-WindowsFeature RDS-RD-Server) and restart");
		else
			SET(r, remedy, "run 'gpupdate /force', or restart the Remote Desktop Services "
				       "service (TermService) outside working hours, then diagnose again; "
				       "if it still differs, a setting this host does not show wins (a "
				       "domain GPO: 'gpresult /h report.html')");
	}
	char wmi_list[1024] = "(not read)";
	if (!ops->ts_specified_ls) {
		diag_not_run_missing_op(c, check, subject, "ts_specified_ls");
	} else {
		char (*names)[RDLS_TS_NAME_MAX] = calloc(MAX_SERVERS, sizeof(*names));
		size_t count = 0;
		rdls_err_clear(&e);
		if (!names) {
			c->d->oom = true;
		} else if (ops->ts_specified_ls(c->sys->ctx, names, MAX_SERVERS, &count, &e) != 0) {
			diag_ts_not_run(c, check, subject, "GetSpecifiedLicenseServerList", &e);
		} else {
			size_t nn = count < MAX_SERVERS ? count : MAX_SERVERS;
			const char *ptrs[MAX_SERVERS];
			for (size_t i = 0; i < nn; i++) {
				names[i][RDLS_TS_NAME_MAX - 1] = '\0';
				ptrs[i] = names[i];
			}
			diag_join(ptrs, nn, ",", "", wmi_list, sizeof(wmi_list));
			/* The registry's list in effect: the policy's, else the broker's. */
			char reg_list[1024];
			const char *reg_from = "the policy value LicenseServers";
			names_joined(ps, reg_list, sizeof(reg_list));
			if (!reg_list[0]) {
				names_joined(bs, reg_list, sizeof(reg_list));
				reg_from = reg_list[0] ? "the Connection Broker's SpecifiedLicenseServers "
							 "(no policy list is set)"
						       : "neither the policy nor the Connection Broker "
							 "names a license server";
			}
			if (count > MAX_SERVERS ||
			    !diag_same_names(reg_list, strlen(reg_list), ',', ptrs, nn)) {
				action = true;
				struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
								      "ts-license-servers-conflict",
								      "LicenseServers");
				SET(r, title, "Remote Desktop Services names other license servers than "
					      "the registry: its own list wins until it reads the "
					      "setting again");
				SET(r, evidence, "Win32_TerminalServiceSetting.GetSpecifiedLicenseServerList: "
						 "'%s'; %s: '%s'", wmi_list, reg_from, reg_list);
				SET(r, cause, "Remote Desktop Services asks the license servers it lists; "
					      "it reads the policy when Group Policy refreshes and when it "
					      "starts, so a list changed since is not in use yet");
				SET(r, remedy, "run 'gpupdate /force', or restart the Remote Desktop "
					       "Services service (TermService) outside working hours, then "
					       "diagnose again; with a Connection Broker, set the list there "
					       "(Server Manager > Remote Desktop Services > Overview > Edit "
					       "Deployment Properties > RD Licensing, or "
					       "Set-RDLicenseConfiguration)");
			}
		}
		free(names);
	}
	snprintf(summary, n, "Win32_TerminalServiceSetting: LicensingType %u (%s), specified "
			     "license servers '%s'", (unsigned)type, ts_type_name(type), wmi_list);
	return action;
}

/* --- session host: which of the places that set the licensing mode and servers is in
 * effect. The policy (local or domain GPO) wins over the local RCM\Licensing Core setting and
 * over what Server Manager writes on a Connection Broker deployment; a domain GPO wins over
 * the local one at the next refresh; Win32_TerminalServiceSetting shows what Remote Desktop
 * Services uses now. */
void diag_check_setting_in_effect(struct dctx *c)
{
	const char *check = "setting-in-effect";
	rdls_regval pm = { 0 }, lm = { 0 }, ps = { 0 }, bs = { 0 };
	if (diag_read_value(c, check, RDLS_KEY_TS_POLICY, "LicensingMode", &pm) != 0)
		return;
	if (diag_read_value(c, check, RDLS_KEY_RCM_LICENSING, "LicensingMode", &lm) != 0 ||
	    diag_read_value(c, check, RDLS_KEY_TS_POLICY, "LicenseServers", &ps) != 0 ||
	    diag_read_value(c, check, RDLS_KEY_TS_BROKER_LS, "SpecifiedLicenseServers", &bs) != 0)
		goto out;
	char pm_s[128], lm_s[128], ps_s[1024], bs_s[1024];
	rdls_regval_describe_n(&pm, pm_s, sizeof(pm_s));
	rdls_regval_describe_n(&lm, lm_s, sizeof(lm_s));
	rdls_regval_describe_n(&ps, ps_s, sizeof(ps_s));
	rdls_regval_describe_n(&bs, bs_s, sizeof(bs_s));
	bool bad = false;
	uint32_t p = 0, l = 0;
	if (rdls_regval_dword(&pm, &p) && rdls_regval_dword(&lm, &l) && p != l &&
	    (l == MODE_PER_DEVICE || l == MODE_PER_USER)) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
						      "licensing-mode-conflict", "LicensingMode");
		SET(r, title, "the licensing mode is %s in the policy and %s in RCM\\Licensing Core: "
			      "the policy wins", diag_mode_name(p), diag_mode_name(l));
		SET(r, evidence, "HKLM\\" RDLS_KEY_TS_POLICY " value 'LicensingMode': %s; HKLM\\"
				 RDLS_KEY_RCM_LICENSING " value 'LicensingMode': %s", pm_s, lm_s);
		SET(r, cause, "Remote Desktop Services uses the policy value and ignores the local "
			      "setting while the policy is set; whoever changed the local setting "
			      "(Server Manager, Set-RDLicenseConfiguration, a script) expects the other mode");
		SET(r, remedy, "decide on one mode: set it in the policy (gpedit.msc > ... > Licensing > "
			       "'Set the Remote Desktop licensing mode', or the profile's licensing_mode "
			       "and rdlsctl apply); with a Connection Broker, also in Server Manager > "
			       "Remote Desktop Services > Overview > Edit Deployment Properties > RD "
			       "Licensing (or Set-RDLicenseConfiguration on the broker)");
	}
	bool broker = bs.present && bs.type == RDLS_REG_MULTI_SZ && bs.len > 1 && bs.data[0];
	if (broker && rdls_regval_is_string(&ps) && ((const char *)ps.data)[0]) {
		/* Compare the two sets: the broker's entries against the policy's. */
		const char *names[MAX_SERVERS];
		size_t nn = 0;
		const char *q = (const char *)bs.data, *end = q + bs.len;
		while (q < end && *q && nn < MAX_SERVERS) {
			names[nn++] = q;
			q += diag_bounded_len(q, (size_t)(end - q)) + 1;
		}
		const char *pl = (const char *)ps.data;
		if (!diag_same_names(pl, strlen(pl), ',', names, nn)) {
			bad = true;
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
							      "license-servers-conflict", "LicenseServers");
			SET(r, title, "the policy and the Connection Broker's setting name different "
				      "license servers: the policy wins");
			SET(r, evidence, "HKLM\\" RDLS_KEY_TS_POLICY " value 'LicenseServers': %s; HKLM\\"
					 RDLS_KEY_TS_BROKER_LS " value 'SpecifiedLicenseServers': %s",
			    ps_s, bs_s);
			SET(r, cause, "Remote Desktop Services asks the servers the policy names; the "
				      "deployment's own setting (Server Manager) is not used while the "
				      "policy is set");
			SET(r, remedy, "name the same servers in both: the policy (gpedit.msc or rdlsctl "
				       "apply) and, on the Connection Broker, Server Manager > Remote "
				       "Desktop Services > Overview > Edit Deployment Properties > RD "
				       "Licensing or Set-RDLicenseConfiguration -LicenseServer");
		}
	}
	if (broker) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_INFO, check,
						      "connection-broker-deployment", NULL);
		SET(r, title, "this session host belongs to a deployment with an RD Connection Broker");
		SET(r, evidence, "HKLM\\" RDLS_KEY_TS_BROKER_LS " value 'SpecifiedLicenseServers': %s "
				 "(written by Server Manager for the deployment)", bs_s);
		SET(r, cause, "the documented way to configure licensing for such a deployment is on "
			      "the broker, for all its session hosts at once");
		SET(r, remedy, "on the RD Connection Broker: Server Manager > Remote Desktop Services > "
			       "Overview > Edit Deployment Properties > RD Licensing, or PowerShell "
			       "Set-RDLicenseConfiguration -Mode PerDevice|PerUser -LicenseServer NAMES "
			       "-ConnectionBroker BROKER");
	}
	char gpo_sum[256], wmi_sum[1400];
	bad |= sie_domain_gpo(c, check, &pm, &ps, pm_s, ps_s, gpo_sum, sizeof(gpo_sum));
	bad |= sie_ts_wmi(c, check, &pm, &lm, &ps, &bs, wmi_sum, sizeof(wmi_sum));
	if (!bad) {
		struct rdls_dresult *r = diag_passed(c, check, NULL);
		SET(r, title, "no other setting contradicts the policy");
		SET(r, evidence, "HKLM\\" RDLS_KEY_TS_POLICY ": LicensingMode %s, LicenseServers %s; "
				 "RCM\\Licensing Core LicensingMode %s; Connection Broker "
				 "SpecifiedLicenseServers %s; %s; %s", pm_s, ps_s, lm_s, bs_s, gpo_sum,
		    wmi_sum);
	}
out:
	rdls_regval_release(&pm);
	rdls_regval_release(&lm);
	rdls_regval_release(&ps);
	rdls_regval_release(&bs);
}
