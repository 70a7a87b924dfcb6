/*
 * The profile's rules across sections, run once every section is read (model.c):
 * license_servers references, what the membership asks of the other sections, the
 * CAL/OS compatibility and DNS names. Apart from the reader of sections so that
 * each rule is found by what it relates, not by where a key was parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/model.h"
#include "model_int.h"

/* license_servers of every session host -> indexes into m->ls. */
void model_resolve_session_hosts(struct ctx *c, const struct rdls_name_index *ix)
{
	struct rdls_model *m = c->m;
	size_t *seen = NULL; /* seen[ls] = 1 + the session host that listed it last */
	if (m->n_ls) {
		c->all_ls = malloc(m->n_ls * sizeof(size_t));
		seen = calloc(m->n_ls, sizeof(size_t));
		if (!c->all_ls || !seen) {
			free(seen);
			c->oom = true;
			return;
		}
		for (size_t i = 0; i < m->n_ls; i++)
			c->all_ls[i] = i;
	}
	const char **names = NULL; /* for suggestions */
	for (size_t h = 0; h < m->n_sh && !c->oom; h++) {
		struct rdls_session_host *sh = &m->sh[h];
		const struct rdls_ini_key *k = c->shx[h].ls_key;
		if (!k) {
			sh->ls = c->all_ls;
			sh->n_ls = m->n_ls;
			continue;
		}
		char hq[RDLS_QUOTE_MAX], q[RDLS_QUOTE_MAX];
		rdls_quote(hq, sh->name);
		size_t count = 1;
		for (const char *p = k->value; *p; p++)
			count += *p == ',';
		sh->ls = malloc(count * sizeof(size_t));
		if (!sh->ls) {
			c->oom = true;
			break;
		}
		bool empty_reported = false;
		struct rdls_split items;
		rdls_split_init(&items, k->value, strlen(k->value), ',');
		const char *b;
		size_t len;
		while (rdls_split_next(&items, &b, &len)) {
			rdls_trim(&b, &len);
			const char *e = b + len;
			char name[64];
			if (b == e) {
				if (!empty_reported)
					ERR(c, k->line, "license_servers of [session_host %s] has an "
							"empty entry (separate names with single commas)",
					    hq);
				empty_reported = true;
			} else if ((size_t)(e - b) >= sizeof(name)) {
				ERR(c, k->line, "license_servers of [session_host %s] names a license "
						"server with more than 63 bytes",
				    hq);
			} else {
				memcpy(name, b, (size_t)(e - b));
				name[e - b] = '\0';
				const struct slot *s = model_idx_find(ix, name);
				if (!s || s->ls == NONE) {
					const char *sug = NULL;
					if (c->suggestions_left && m->n_ls) {
						c->suggestions_left--;
						if (!names) {
							names = malloc(m->n_ls * sizeof(*names));
							for (size_t i = 0; names && i < m->n_ls; i++)
								names[i] = m->ls[i].name;
						}
						if (names)
							sug = model_suggest(name, names, m->n_ls);
					}
					if (sug)
						ERR(c, k->line, "license_servers of [session_host %s] "
								"names '%s', which has no "
								"[license_server] section (did you mean "
								"'%s'?)",
						    hq, rdls_quote(q, name), sug);
					else
						ERR(c, k->line, "license_servers of [session_host %s] "
								"names '%s', which has no "
								"[license_server] section",
						    hq, rdls_quote(q, name));
				} else if (seen[s->ls] == h + 1) {
					ERR(c, k->line, "license_servers of [session_host %s] names "
							"'%s' twice",
					    hq, rdls_quote(q, name));
				} else {
					seen[s->ls] = h + 1;
					sh->ls[sh->n_ls++] = s->ls;
				}
			}
		}
	}
	free(names);
	free(seen);
}

void model_compat(struct ctx *c)
{
	struct rdls_model *m = c->m;
	if (!c->cal_line)
		return;
	char q[RDLS_QUOTE_MAX];
	for (size_t i = 0; i < m->n_ls; i++) {
		const struct rdls_license_server *ls = &m->ls[i];
		if (!c->lsx[i].os_line || rdls_compat_license_server(ls->os, m->cal))
			continue;
		ERR(c, c->lsx[i].os_line,
		    "license server '%s' runs Windows Server %s, which cannot issue %s CALs: a "
		    "license server issues CALs up to its own version (\"license server\" table "
		    "of the troubleshooting document%s)",
		    rdls_quote(q, ls->name), rdls_os_display(ls->os), rdls_cal_display(m->cal),
		    rdls_compat_documented(ls->os, m->cal) ? ""
							   : ", extended to 2022 and 2025 by its rule");
	}
	for (size_t i = 0; i < m->n_sh; i++) {
		const struct rdls_session_host *sh = &m->sh[i];
		if (!c->shx[i].os_line || rdls_compat_session_host(sh->os, m->cal))
			continue;
		ERR(c, c->shx[i].os_line,
		    "session host '%s' runs Windows Server %s, which cannot use %s CALs: a session "
		    "host needs a CAL of at least its own version (\"session host\" table of the "
		    "troubleshooting document%s)",
		    rdls_quote(q, sh->name), rdls_os_display(sh->os), rdls_cal_display(m->cal),
		    rdls_compat_documented(sh->os, m->cal) ? ""
							   : ", extended to 2022 and 2025 by its rule");
	}
}

/* DNS names of license servers: valid (in a domain, where they are used) and unique. */
void model_dns_names(struct ctx *c, bool domain)
{
	struct rdls_model *m = c->m;
	struct rdls_name_index seen = { 0 };
	char q[RDLS_QUOTE_MAX], w[128];
	/* SpecifiedLicenseServers holds DNS host names: no NetBIOS name stands in for one. */
	bool specified = domain && (m->discovery & RDLS_DISC_SPECIFIED);
	for (size_t i = 0; i < m->n_ls && !c->oom; i++) {
		const struct rdls_license_server *ls = &m->ls[i];
		int line = c->lsx[i].dns_line ? c->lsx[i].dns_line : ls->line;
		if (!c->lsx[i].dns_line && specified) {
			char ex[64];
			size_t n = 0;
			for (const char *p = ls->name; *p && n + 1 < 16; p++)
				ex[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
			ex[n] = '\0';
			if (!c->lsx[i].name_ok || rdls_check_dns_name(ex, w, sizeof(w)))
				snprintf(ex, sizeof(ex), "licsvr%zu", i + 1);
			ERR(c, ls->line, "missing key 'dns' in [license_server %s]: method = %s writes "
					 "the license servers' DNS host names into "
					 "SpecifiedLicenseServers (add e.g. dns = %s.corp.example)",
			    rdls_quote(q, ls->name), rdls_discovery_name(m->discovery), ex);
		} else if (!c->lsx[i].dns_line && domain && c->lsx[i].name_ok) {
			const char *bad = rdls_check_dns_name(ls->name, w, sizeof(w));
			if (bad)
				ERR(c, ls->line, "computer name '%s' is not a valid DNS name (%s); "
						 "add dns = its DNS host name",
				    rdls_quote(q, ls->name), bad);
		}
		if (!ls->dns)
			continue;
		struct slot *s = model_idx_get(&seen, ls->dns);
		if (!s) {
			c->oom = true;
			break;
		}
		if (s->ls != NONE) {
			char q2[RDLS_QUOTE_MAX], q3[RDLS_QUOTE_MAX];
			ERR(c, line, "license server '%s' has the same DNS name '%s' as license "
				     "server '%s' (line %d)",
			    rdls_quote(q, ls->name), rdls_quote(q2, ls->dns),
			    rdls_quote(q3, m->ls[s->ls].name), m->ls[s->ls].line);
		}
		else
			s->ls = i;
	}
	free(seen.v);
}

void model_deployment_rules(struct ctx *c)
{
	struct rdls_model *m = c->m;
	if (!c->dep_line)
		ERR(c, 0, "missing section [deployment] (membership, licensing_mode, cal_version)");
	bool wg = c->mem_line && m->membership == RDLS_WORKGROUP;
	bool dom = c->mem_line && m->membership == RDLS_DOMAIN;

	if (wg) {
		if (!c->peer_line)
			ERR(c, c->mem_line, "membership = workgroup needs a [peering] section "
					    "(account, group, password)");
		if (c->disc_line)
			ERR(c, c->disc_line, "[discovery] is for domain profiles, but membership = "
					     "workgroup (line %d); workgroup license servers "
					     "recognise each other through [peering]",
			    c->mem_line);
		if (c->mode_line && m->licensing_mode == RDLS_PER_USER)
			ERR(c, c->mode_line,
			    "licensing_mode = per_user cannot be used in a workgroup: \"If you use "
			    "workgroup servers for your RDS deployment, you have to use Per Device "
			    "CALs\" (troubleshooting document \"Cannot connect to RDS because there "
			    "are no RD Licensing servers available to issue licenses\"); use "
			    "per_device");
		if (m->n_ls >= 2)
			WARN(c, c->mem_line,
			     "Microsoft does not recommend multiple license servers in a workgroup "
			     "and may remove support for them in a future version of Windows (\"Use "
			     "multiple remote desktop license servers\", Workgroup-joined deployment)");
	}
	if (dom) {
		if (c->peer_line)
			ERR(c, c->peer_line, "[peering] is for workgroup profiles, but membership = "
					     "domain (line %d); domain license servers recognise "
					     "each other through [discovery]",
			    c->mem_line);
		if (!c->disc_line)
			ERR(c, c->mem_line, "membership = domain needs a [discovery] section (method "
					    "= publish | specified | both)");
		for (size_t i = 0; i < m->n_sh; i++)
			if (c->shx[i].cred_line && m->sh[i].credentials)
				ERR(c, c->shx[i].cred_line,
				    "credentials = yes is for workgroup profiles (in a domain, "
				    "session hosts reach license servers with their computer "
				    "accounts)");
	}
	/* Required keys of [peering] / [discovery], unless the section is the wrong one. */
	if (c->peer_line && !dom) {
		static const char *const keys[] = { "account", "group", "password" };
		static const char *const hint[] = { "a local user name, e.g. rdls-peer",
						    "a local group name, e.g. RDLS Peers",
						    "env:NAME | file:PATH | prompt" };
		for (size_t i = 0; i < 3; i++)
			if (!(c->present_peer & (1u << i)))
				ERR(c, c->peer_line, "missing key '%s' in [peering] (%s)", keys[i],
				    hint[i]);
	}
	if (c->disc_line && !wg && !c->present_method)
		ERR(c, c->disc_line, "missing key 'method' in [discovery] (publish | specified | "
				     "both; there is no default: publish writes to Active "
				     "Directory, specified to each server's registry)");

	if (m->n_ls == 0)
		ERR(c, c->dep_line, "no [license_server NAME] section: rdlsctl needs at least two "
				    "license servers");
	else if (m->n_ls == 1)
		ERR(c, m->ls[0].line, "only one license server: rdlsctl makes two or more license "
				      "servers trust each other (add another [license_server NAME])");
	m->has_peering = wg && c->peer_line;
	if (!dom)
		m->discovery = 0;
}
