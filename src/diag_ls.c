/*
 * diagnose's license-server checks: the role, the values the licensing service reads
 * (WorkgroupLicenseServerAccountsGroup, the leading-space mistakes,
 * DisableWorkgroupAuthEnforcement), the peer account and its credentials, publication or
 * SpecifiedLicenseServers in a domain, and whether Windows stores credentials at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rdls/precond.h"
#include "rdls/regpaths.h"

void diag_check_ls_role(struct dctx *c)
{
	diag_observe_ls_role(c);
	bool ok = c->role_ok;
	enum rdls_ls_pub st = c->role;
	const rdls_err *e = &c->role_err;
	if (!c->sys->ops->ls_pub_get) {
		diag_not_run_missing_op(c, "ls-role", NULL, "ls_pub_get");
		return;
	}
	if (!ok) {
		diag_not_run_err(c, "ls-role", NULL, "Win32_TSLicenseServer (root\\cimv2)", e);
		return;
	}
	if (st == RDLS_LS_ROLE_ABSENT && c->ls) {
		char cmd[600];
		diag_apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ls-role", "ls-role-absent", c->d->host);
		SET(r, title, "the RD Licensing role is not installed, but the profile makes '%s' a license "
			      "server", c->d->host);
		SET(r, evidence, "WMI root\\cimv2: the class Win32_TSLicenseServer does not exist; %s: "
				 "[license_server %s]", c->o->profile_path, c->ls->name);
		SET(r, cause, "without the role this machine issues no licenses: session hosts pointed at "
			      "it find no license server, and its peers cannot return licenses to it");
		SET(r, remedy, "install the role (PowerShell as administrator: Install-WindowsFeature "
			       "RDS-Licensing -IncludeManagementTools), activate the license server and "
			       "install its CALs in RD Licensing Manager, then run '%s'", cmd);
		return;
	}
	struct rdls_dresult *r = diag_passed(c, "ls-role", c->d->host);
	if (st == RDLS_LS_ROLE_ABSENT) {
		SET(r, title, "the RD Licensing role is not installed (this host is not a license server)");
		SET(r, evidence, "WMI root\\cimv2: the class Win32_TSLicenseServer does not exist");
	} else {
		SET(r, title, "the RD Licensing role is installed");
		SET(r, evidence, "Win32_TSLicenseServer.IsLSPublished: %s",
		    st == RDLS_LS_PUBLISHED ? "published in AD DS" : "not published");
	}
}

/* --- license server: values created with the published commands' leading space. */
void diag_check_leading_space(struct dctx *c)
{
	static const char *const names[] = { "WorkgroupLicenseServerAccountsGroup",
					     "SpecifiedLicenseServers" };
	bool any = false;
	for (int i = 0; i < 2; i++) {
		char spaced[64];
		snprintf(spaced, sizeof(spaced), " %s", names[i]);
		rdls_regval bad = { 0 }, good = { 0 };
		if (diag_read_value(c, "leading-space", RDLS_KEY_LICENSING, spaced, &bad) != 0)
			return;
		if (!bad.present)
			continue;
		any = true;
		if (diag_read_value(c, "leading-space", RDLS_KEY_LICENSING, names[i], &good) != 0) {
			rdls_regval_release(&bad);
			return;
		}
		char bad_s[600], good_s[600], cmd[600] = "";
		rdls_regval_describe_n(&bad, bad_s, sizeof(bad_s));
		rdls_regval_describe_n(&good, good_s, sizeof(good_s));
		if (diag_have_profile(c))
			diag_apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = diag_finding(c, good.present ? RDLS_DSEV_WARNING : RDLS_DSEV_ERROR,
						 "leading-space", "leading-space-value", names[i]);
		SET(r, title, "value '%s' is named with a leading space", spaced);
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value '%s': %s; value '%s': %s", spaced,
		    bad_s, names[i], good_s);
		SET(r, cause, "it was created with the published Set-ItemProperty command, whose -Name "
			      "has a leading space; the licensing service reads '%s' without the space "
			      "and never sees this value%s",
		    names[i], good.present ? "" : ", so the setting is missing altogether");
		if (*cmd)
			SET(r, remedy, "%s (removes the misnamed value and writes '%s')", cmd, names[i]);
		else
			SET(r, remedy, "reg delete \"HKLM\\" RDLS_KEY_LICENSING "\" /v \"%s\" /f, then "
				       "create '%s' without the space (or describe this license server "
				       "in a profile and run 'rdlsctl apply PROFILE')",
			    spaced, names[i]);
		rdls_regval_release(&bad);
		rdls_regval_release(&good);
	}
	if (!any) {
		struct rdls_dresult *r = diag_passed(c, "leading-space", NULL);
		SET(r, title, "no value named with a leading space");
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " values ' WorkgroupLicenseServerAccountsGroup' "
				 "and ' SpecifiedLicenseServers': absent");
	}
}

/* --- license server: WorkgroupLicenseServerAccountsGroup, as the licensing service reads
 * it (RegGetValueW restricted to REG_SZ, then a name-to-SID lookup that must yield a group
 * or alias: docs/contract.md, "Steps apply performs"). */
void diag_check_accounts_group(struct dctx *c)
{
	const char *check = "accounts-group";
	const char *vname = "WorkgroupLicenseServerAccountsGroup";
	rdls_regval v = { 0 };
	if (diag_read_value(c, check, RDLS_KEY_LICENSING, vname, &v) != 0)
		return;
	char cmd[600] = "", v_s[600];
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));
	rdls_regval_describe_n(&v, v_s, sizeof(v_s));
	const char *where = "HKLM\\" RDLS_KEY_LICENSING " value 'WorkgroupLicenseServerAccountsGroup'";
	bool wg_ls = c->m && c->ls && c->m->membership == RDLS_WORKGROUP;
	char want[600] = "";
	if (wg_ls && c->m->has_peering)
		snprintf(want, sizeof(want), "%s\\%s", c->d->host, c->m->peering.group);

	if (!v.present) {
		if (wg_ls) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "accounts-group-missing",
							 vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup is not set");
			SET(r, evidence, "%s: absent; %s: workgroup, [license_server %s]", where,
			    c->o->profile_path, c->ls->name);
			SET(r, cause, "the licensing service does not recognise the other license servers' "
				      "accounts, so they cannot return or exchange licenses with it");
			SET(r, remedy, "%s (sets it to REG_SZ '%s')", cmd, want);
		} else {
			struct rdls_dresult *r = diag_passed(c, check, vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup is not set (needed only by "
				      "license servers of a workgroup that exchange licenses)");
			SET(r, evidence, "%s: absent", where);
		}
		rdls_regval_release(&v);
		return;
	}
	bool bad = false;
	if (v.type != RDLS_REG_SZ) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "accounts-group-wrong-type",
						 vname);
		SET(r, title, "WorkgroupLicenseServerAccountsGroup is %s, not REG_SZ",
		    rdls_regval_type_name(v.type, "an unusual type"));
		SET(r, evidence, "%s: %s", where, v_s);
		SET(r, cause, "the licensing service reads this value with RegGetValueW restricted to "
			      "REG_SZ and ignores a value of any other type");
		if (*cmd)
			SET(r, remedy, "%s (rewrites it as REG_SZ)", cmd);
		else
			SET(r, remedy, "reg add \"HKLM\\" RDLS_KEY_LICENSING "\" /v %s /t REG_SZ /d "
				       "\"%s\" /f (or describe this license server in a profile and run "
				       "'rdlsctl apply PROFILE')",
			    vname, rdls_regval_is_string(&v) ? (const char *)v.data : "HOST\\GROUP");
	}
	if (!rdls_regval_is_string(&v)) {
		rdls_regval_release(&v);
		return;
	}
	const char *full = (const char *)v.data;
	const char *bs = strrchr(full, '\\');
	const char *group = bs ? bs + 1 : full;
	if (bs) {
		char dom[300];
		snprintf(dom, sizeof(dom), "%.*s", (int)(bs - full), full);
		if (!rdls_name_eq(dom, c->d->host) && !rdls_name_eq(dom, "BUILTIN")) {
			bad = true;
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
							 "accounts-group-other-host", vname);
			SET(r, title, "WorkgroupLicenseServerAccountsGroup names a group of '%s', not of "
				      "this computer '%s'", dom, c->d->host);
			SET(r, evidence, "%s: %s", where, v_s);
			SET(r, cause, "the value must name a local group of this license server (%s\\GROUP): "
				      "a value copied from another server names that server's group",
			    c->d->host);
			if (*cmd)
				SET(r, remedy, "%s (sets it to '%s')", cmd, want);
			else
				SET(r, remedy, "set it to '%s\\%s'", c->d->host, group);
		}
	}
	if (*want && !rdls_name_eq(group, c->m->peering.group)) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
						      "accounts-group-not-profile", vname);
		SET(r, title, "WorkgroupLicenseServerAccountsGroup names the group '%s', the profile's "
			      "group is '%s'", group, c->m->peering.group);
		SET(r, evidence, "%s: %s; %s: [peering] group = %s", where, v_s, c->o->profile_path,
		    c->m->peering.group);
		SET(r, cause, "the peers' account is a member of the profile's group; the licensing "
			      "service recognises only members of the group this value names");
		SET(r, remedy, "%s (sets it to '%s')", cmd, want);
	}
	bool exists = true, exists_known = false;
	if (c->sys->ops->group_get) {
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->group_get(c->sys->ctx, group, &exists, &e) != 0) {
			char what[400];
			snprintf(what, sizeof(what), "local group '%s'", group);
			diag_not_run_err(c, check, "group", what, &e);
		} else {
			exists_known = true;
		}
	} else {
		diag_not_run_missing_op(c, check, "group", "group_get");
	}
	if (exists_known && !exists) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "accounts-group-no-such-group",
						 group);
		SET(r, title, "the group '%s' named by WorkgroupLicenseServerAccountsGroup does not exist",
		    group);
		SET(r, evidence, "%s: %s; NetLocalGroupGetInfo('%s'): no such group", where, v_s, group);
		SET(r, cause, "the licensing service recognises peer license servers by membership in "
			      "this group; a missing group recognises no one");
		if (*cmd)
			SET(r, remedy, "%s (creates the group and adds the peer account)", cmd);
		else
			SET(r, remedy, "create it (PowerShell: New-LocalGroup -Name '%s') and add the peer "
				       "account (Add-LocalGroupMember), or describe this license server in "
				       "a profile and run 'rdlsctl apply PROFILE'",
			    group);
	}
	if (!(exists_known && !exists)) {
		if (!c->sys->ops->account_lookup) {
			diag_not_run_missing_op(c, check, "lookup", "account_lookup");
		} else {
			enum rdls_sid_use use = RDLS_SID_NONE;
			rdls_err e;
			rdls_err_clear(&e);
			if (c->sys->ops->account_lookup(c->sys->ctx, full, &use, &e) != 0) {
				char what[700];
				snprintf(what, sizeof(what), "the account '%s'", full);
				diag_not_run_err(c, check, "lookup", what, &e);
			} else if (use != RDLS_SID_GROUP && use != RDLS_SID_ALIAS) {
				bad = true;
				static const char *const kinds[] = { "nothing (ERROR_NONE_MAPPED)", "a user",
								     "a group", "a domain", "an alias",
								     "a well-known group" };
				const char *kind = (unsigned)use < 6 ? kinds[use] : "another kind of account";
				struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check,
								 "accounts-group-not-a-group", vname);
				SET(r, title, "'%s' does not resolve to a group", full);
				SET(r, evidence, "%s: %s; LookupAccountNameW('%s'): %s", where, v_s, full,
				    kind);
				SET(r, cause, "the licensing service resolves the value with a name-to-SID "
					      "lookup that must yield a group or alias");
				if (*want && rdls_name_eq(full, want))
					SET(r, remedy, "the value and the group are as the profile wants, yet "
						       "the name does not resolve: look for a user or computer "
						       "of the same name, and check the lookup (PowerShell: "
						       "([Security.Principal.NTAccount]'%s').Translate("
						       "[Security.Principal.SecurityIdentifier]))", full);
				else if (*cmd)
					SET(r, remedy, "%s (sets it to '%s' and creates that group)", cmd, want);
				else
					SET(r, remedy, "set it to HOST\\GROUP of an existing local group of "
						       "this computer");
			}
		}
	}
	if (!bad) {
		struct rdls_dresult *r = diag_passed(c, check, vname);
		SET(r, title, "WorkgroupLicenseServerAccountsGroup names the local group '%s'", group);
		SET(r, evidence, "%s: %s; the group exists and resolves to a group", where, v_s);
	}
	rdls_regval_release(&v);
}

/* --- peer credentials in the NETWORK SERVICE context (source document 1, workgroup). */
void diag_check_peer_creds(struct dctx *c)
{
	const char *check = "peer-credentials";
	if (!c->m) {
		struct rdls_dresult *r = diag_not_run(c, check, NULL);
		SET(r, reason, "needs a profile: it names the peers and the account");
		return;
	}
	if (c->m->membership != RDLS_WORKGROUP || !c->m->has_peering) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: only workgroup license servers (and session hosts with "
			       "credentials = yes) store peer credentials");
		return;
	}
	const char *targets[MAX_SERVERS];
	size_t nt = 0;
	if (c->ls) {
		for (size_t i = 0; i < c->m->n_ls && nt < MAX_SERVERS; i++)
			if (&c->m->ls[i] != c->ls)
				targets[nt++] = c->m->ls[i].name;
	}
	if (c->sh && c->sh->credentials) {
		for (size_t i = 0; i < c->sh->n_ls && nt < MAX_SERVERS; i++) {
			const char *t = c->m->ls[c->sh->ls[i]].name;
			bool dup = false;
			for (size_t j = 0; j < nt; j++)
				dup |= rdls_name_eq(targets[j], t);
			if (!dup)
				targets[nt++] = t;
		}
	}
	if (nt == 0) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: the profile gives this host no peer license server to "
			       "store a credential for");
		return;
	}
	char cmd[600];
	diag_apply_cmd(c, cmd, sizeof(cmd));
	for (size_t i = 0; i < nt; i++) {
		const char *p = targets[i];
		if (!c->sys->ops->cred_get) {
			diag_not_run_missing_op(c, check, p, "cred_get");
			continue;
		}
		rdls_cred cr;
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->cred_get(c->sys->ctx, p, &cr, &e) != 0) {
			char what[300];
			snprintf(what, sizeof(what), "the NETWORK SERVICE credential '%s'", p);
			diag_not_run_err(c, check, p, what, &e);
			continue;
		}
		char want[600];
		snprintf(want, sizeof(want), "%s\\%s", p, c->m->peering.account);
		if (!cr.present) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "peer-credential-missing", p);
			SET(r, title, "no credential for '%s' in the NETWORK SERVICE context", p);
			SET(r, evidence, "CredReadW('%s', CRED_TYPE_DOMAIN_PASSWORD) as NT AUTHORITY\\NETWORK "
					 "SERVICE: not found", p);
			SET(r, cause, "the licensing service runs as NETWORK SERVICE and authenticates to "
				      "'%s' with this credential; without it the connection to the peer "
				      "fails", p);
			SET(r, remedy, "%s (stores it through rdlsctl's NETWORK SERVICE helper); by hand: "
				       "psexec -i -u \"NT AUTHORITY\\NETWORK SERVICE\" cmd.exe, then cmdkey "
				       "/add:%s /user:%s /pass", cmd, p, want);
			continue;
		}
		if (!rdls_name_eq(cr.user, want) || cr.type != RDLS_CRED_TYPE_DOMAIN_PASSWORD) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check,
							 "peer-credential-wrong-user", p);
			SET(r, title, "the NETWORK SERVICE credential for '%s' is for '%s', not '%s'", p,
			    cr.user, want);
			SET(r, evidence, "CredReadW('%s') as NETWORK SERVICE: type %u, user '%s'", p,
			    (unsigned)cr.type, cr.user);
			SET(r, cause, "'%s' expects its peers to sign in as its account '%s'", p, want);
			SET(r, remedy, "%s --rotate (rewrites the credential)", cmd);
			continue;
		}
		struct rdls_dresult *r = diag_passed(c, check, p);
		SET(r, title, "NETWORK SERVICE holds a credential for '%s' as '%s'", p, cr.user);
		SET(r, evidence, "CredReadW('%s') as NETWORK SERVICE: CRED_TYPE_DOMAIN_PASSWORD, user '%s'",
		    p, cr.user);
	}
}

/* --- where NETWORK SERVICE must hold peer credentials (a workgroup license server, a session
 * host with credentials = yes): whether Windows stores them at all. The rule is precond.h's,
 * the one plan and apply refuse by. */
void diag_check_cred_storage(struct dctx *c)
{
	const char *check = "cred-storage";
	bool needed = false;
	if (c->m) {
		if (c->m->membership == RDLS_WORKGROUP && c->m->has_peering) {
			if (c->ls)
				needed = c->m->n_ls > 1;
			for (size_t i = 0; c->sh && c->sh->credentials && i < c->sh->n_ls; i++)
				needed |= !rdls_name_eq(c->m->ls[c->sh->ls[i]].name, c->d->host);
		}
	} else {
		/* No profile: a license server in a workgroup holds credentials for its peers. */
		needed = c->d->is_license_server && c->d->have_os && !c->d->os.domain_joined &&
			 !c->d->os.domain_controller;
	}
	if (!needed) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m ? "the profile gives this host no credential to store"
							 : "not a workgroup license server (give a profile to "
							   "check a session host with credentials = yes)");
		return;
	}
	struct rdls_cred_storage st;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_cred_storage_check(c->sys, &st, &e) != 0) {
		diag_not_run_err(c, check, NULL, "whether Windows stores domain credentials", &e);
		return;
	}
	if (st.verdict == RDLS_CRED_STORE_ALLOWED) {
		struct rdls_dresult *r = diag_passed(c, check, NULL);
		SET(r, title, "Windows allows NETWORK SERVICE to store the peer credentials");
		SET(r, evidence, "%s", st.evidence);
		return;
	}
	struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "cred-storage-disabled", NULL);
	SET(r, title, "Windows does not store the NETWORK SERVICE credentials this host needs");
	SET(r, evidence, "%s", st.evidence);
	SET(r, cause, "%s; the licensing service then cannot authenticate to its peers, and apply "
		      "refuses to start (as the documented cmdkey procedure fails)",
	    rdls_cred_storage_why(st.verdict));
	SET(r, remedy, "%s", rdls_cred_storage_remedy(st.verdict));
}

/* --- license server: the opt-out of workgroup authentication (DisableWorkgroupAuthEnforcement,
 * Microsoft's guidance for the CVE-2024-38099 / CVE-2024-38231 hardening advises against it). */
void diag_check_workgroup_auth(struct dctx *c)
{
	const char *check = "workgroup-auth";
	rdls_regval v = { 0 };
	if (diag_read_value(c, check, RDLS_KEY_LICENSING, "DisableWorkgroupAuthEnforcement", &v) != 0)
		return;
	char v_s[128];
	rdls_regval_describe_n(&v, v_s, sizeof(v_s));
	uint32_t dw = 0;
	if (rdls_regval_dword(&v, &dw) && dw != 0) {
		char cmd[600] = "";
		if (diag_have_profile(c))
			diag_apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_SECURITY, check,
						 "workgroup-auth-enforcement-disabled",
						 "DisableWorkgroupAuthEnforcement");
		SET(r, title, "workgroup authentication between license servers is switched off");
		SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value 'DisableWorkgroupAuthEnforcement': %s",
		    v_s);
		SET(r, cause, "this opts the license server out of the authentication that the "
			      "CVE-2024-38099 / CVE-2024-38231 updates enforce between workgroup "
			      "license servers; Microsoft advises against it");
		SET(r, remedy, "set up authenticated peering instead (%s%s), then reg delete \"HKLM\\"
			       RDLS_KEY_LICENSING "\" /v DisableWorkgroupAuthEnforcement /f and restart "
			       "the Remote Desktop Licensing service (net stop TermServLicensing && net "
			       "start TermServLicensing); rdlsctl does not remove it for you",
		    *cmd ? cmd : "describe the license servers in a profile and run 'rdlsctl apply "
				 "PROFILE'",
		    "");
		rdls_regval_release(&v);
		return;
	}
	struct rdls_dresult *r = diag_passed(c, check, "DisableWorkgroupAuthEnforcement");
	SET(r, title, "workgroup authentication between license servers is enforced");
	SET(r, evidence, "HKLM\\" RDLS_KEY_LICENSING " value 'DisableWorkgroupAuthEnforcement': %s", v_s);
	rdls_regval_release(&v);
}

/* Whether any session-host licensing value exists (for the role without a profile). */

/* Whether this host is a workgroup license server the profile gives a peering account. */
static bool wg_peering_ls(const struct dctx *c)
{
	return c->m && c->ls && c->m->membership == RDLS_WORKGROUP && c->m->has_peering;
}

/* One presence question of peer-account; false when it could not be asked (not run). */
static bool ask(struct dctx *c, const char *what, const char *name,
		int (*get)(void *, const char *, bool *, rdls_err *), const char *op, bool *exists)
{
	if (!get) {
		diag_not_run_missing_op(c, "peer-account", name, op);
		return false;
	}
	rdls_err e;
	rdls_err_clear(&e);
	if (get(c->sys->ctx, name, exists, &e) != 0) {
		char w[400];
		snprintf(w, sizeof(w), "%s '%s'", what, name);
		diag_not_run_err(c, "peer-account", name, w, &e);
		return false;
	}
	return true;
}

/* --- workgroup license server: the account its peers sign in with exists and is a member
 * of the group WorkgroupLicenseServerAccountsGroup names (source document 1). */
void diag_check_peer_account(struct dctx *c)
{
	const char *check = "peer-account";
	if (!wg_peering_ls(c)) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m ? "the profile makes this host no workgroup "
							    "license server with [peering]"
							  : "needs a profile: it names the account and the group");
		return;
	}
	const struct rdls_peering *pe = &c->m->peering;
	char cmd[600], who[600];
	diag_apply_cmd(c, cmd, sizeof(cmd));
	snprintf(who, sizeof(who), "%s\\%s", c->d->host, pe->account);
	bool user = false, group = false, member = false, bad = false;
	if (!ask(c, "local user", pe->account, c->sys->ops->user_get, "user_get", &user) ||
	    !ask(c, "local group", pe->group, c->sys->ops->group_get, "group_get", &group))
		return;
	if (!user) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "peer-user-missing",
						      pe->account);
		SET(r, title, "the peer account '%s' does not exist", pe->account);
		SET(r, evidence, "NetUserGetInfo('%s'): no such user; %s: [peering] account = %s",
		    pe->account, c->o->profile_path, pe->account);
		SET(r, cause, "the other license servers sign in to this one as '%s'; without the "
			      "account their connections are refused", who);
		SET(r, remedy, "%s (creates the user with the profile's secret)", cmd);
	}
	if (!group) {
		bad = true;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "peer-group-missing",
						      pe->group);
		SET(r, title, "the peer group '%s' does not exist", pe->group);
		SET(r, evidence, "NetLocalGroupGetInfo('%s'): no such group; %s: [peering] group = %s",
		    pe->group, c->o->profile_path, pe->group);
		SET(r, cause, "the licensing service recognises its peers by membership in this group");
		SET(r, remedy, "%s (creates the group and adds '%s')", cmd, who);
	}
	if (user && group) {
		if (!c->sys->ops->member_get) {
			diag_not_run_missing_op(c, check, pe->group, "member_get");
			return;
		}
		rdls_err e;
		rdls_err_clear(&e);
		if (c->sys->ops->member_get(c->sys->ctx, pe->group, who, &member, &e) != 0) {
			char w[700];
			snprintf(w, sizeof(w), "the members of '%s'", pe->group);
			diag_not_run_err(c, check, pe->group, w, &e);
			return;
		}
		if (!member) {
			bad = true;
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check,
							      "peer-not-member", who);
			SET(r, title, "'%s' is not a member of '%s'", who, pe->group);
			SET(r, evidence, "NetLocalGroupGetMembers('%s'): '%s' not listed", pe->group, who);
			SET(r, cause, "the licensing service accepts a peer only as a member of the group "
				      "WorkgroupLicenseServerAccountsGroup names");
			SET(r, remedy, "%s (adds the member)", cmd);
		}
	}
	if (!bad) {
		struct rdls_dresult *r = diag_passed(c, check, who);
		SET(r, title, "the peer account '%s' exists and is a member of '%s'", who, pe->group);
		SET(r, evidence, "NetUserGetInfo('%s'): exists; NetLocalGroupGetInfo('%s'): exists; "
				 "NetLocalGroupGetMembers: '%s' listed", pe->account, pe->group, who);
	}
}

/* Whether this host is a domain license server whose profile uses this discovery method. */
static bool domain_ls(const struct dctx *c, unsigned method)
{
	return c->m && c->ls && c->m->membership == RDLS_DOMAIN && (c->m->discovery & method);
}

/* --- domain license server, method = publish or both: IsLSPublished (AD DS). */
void diag_check_ls_publication(struct dctx *c)
{
	const char *check = "ls-publication";
	if (!domain_ls(c, RDLS_DISC_PUBLISH)) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m ? "the profile does not publish this host "
							    "in AD DS (domain, method = publish or both)"
							  : "needs a profile: it says whether to publish");
		return;
	}
	if (!c->sys->ops->ls_pub_get) {
		diag_not_run_missing_op(c, check, c->d->host, "ls_pub_get");
		return;
	}
	diag_observe_ls_role(c);
	if (!c->role_ok) {
		diag_not_run_err(c, check, c->d->host, "Win32_TSLicenseServer.IsLSPublished",
				 &c->role_err);
		return;
	}
	if (c->role == RDLS_LS_PUBLISHED) {
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "'%s' is published in AD DS", c->d->host);
		SET(r, evidence, "Win32_TSLicenseServer.IsLSPublished: true");
		return;
	}
	char cmd[600];
	diag_apply_cmd(c, cmd, sizeof(cmd));
	bool absent = c->role == RDLS_LS_ROLE_ABSENT;
	struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check, "ls-not-published", c->d->host);
	if (absent)
		SET(r, title, "'%s' is not published in AD DS: the Remote Desktop Licensing role is not "
			      "installed", c->d->host);
	else
		SET(r, title, "'%s' is not published in AD DS", c->d->host);
	SET(r, evidence, "%s; %s: [discovery] method includes publish",
	    absent ? "WMI root\\cimv2: no class Win32_TSLicenseServer"
		   : "Win32_TSLicenseServer.IsLSPublished: false",
	    c->o->profile_path);
	SET(r, cause, "session hosts and license servers of the domain find a license server by "
		      "its publication in AD DS; an unpublished one is not found");
	SET(r, remedy, "%s%s (PublishLS needs an Enterprise Admin of the forest)",
	    absent ? "install the RD Licensing role, then " : "", cmd);
}

/* --- domain license server, method = specified or both: SpecifiedLicenseServers lists
 * the other license servers' DNS names (REG_MULTI_SZ, as the licensing service reads it). */
void diag_check_specified_servers(struct dctx *c)
{
	const char *check = "specified-servers";
	if (!domain_ls(c, RDLS_DISC_SPECIFIED)) {
		struct rdls_dresult *r = diag_not_applicable(c, check, NULL);
		SET(r, reason, "not applicable: %s", c->m ? "the profile does not name this host's "
							    "peers (domain, method = specified or both)"
							  : "needs a profile: it names the peers");
		return;
	}
	const char *want[MAX_SERVERS];
	size_t nw = 0;
	for (size_t i = 0; i < c->m->n_ls && nw < MAX_SERVERS; i++)
		if (&c->m->ls[i] != c->ls)
			want[nw++] = c->m->ls[i].dns; /* validate requires dns = here */
	rdls_regval v = { 0 };
	if (diag_read_value(c, check, RDLS_KEY_LICENSING, "SpecifiedLicenseServers", &v) != 0)
		return;
	char v_s[1024];
	rdls_regval_describe_n(&v, v_s, sizeof(v_s));
	bool ok = v.present && v.type == RDLS_REG_MULTI_SZ &&
		  diag_same_names((const char *)v.data, v.len, '\0', want, nw);
	const char *where = "HKLM\\" RDLS_KEY_LICENSING " value 'SpecifiedLicenseServers'";
	if (ok) {
		struct rdls_dresult *r = diag_passed(c, check, "SpecifiedLicenseServers");
		SET(r, title, "SpecifiedLicenseServers lists the other license servers");
		SET(r, evidence, "%s: %s", where, v_s);
	} else {
		char cmd[600], list[1024];
		diag_join(want, nw, ", ", "'", list, sizeof(list));
		diag_apply_cmd(c, cmd, sizeof(cmd));
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, check,
						      "specified-servers-not-profile",
						      "SpecifiedLicenseServers");
		SET(r, title, "SpecifiedLicenseServers does not list the profile's other license servers");
		SET(r, evidence, "%s: %s; the profile wants REG_MULTI_SZ %s", where, v_s,
		    nw ? list : "(no other license server)");
		SET(r, cause, "the licensing service finds its peers in this list (REG_MULTI_SZ of DNS "
			      "names); a server missing from it is not found");
		SET(r, remedy, "%s (writes the list)", cmd);
	}
	rdls_regval_release(&v);
}
