/*
 * diagnose's reachability checks and Remote Desktop Services' own view: every license
 * server this host names is resolved (GetAddrInfoW) and probed at the RPC endpoint mapper
 * (TCP 135) and at its licensing pipe \\SERVER\pipe\HydraLsPipe; a session host's
 * licensing component is asked through Win32_TerminalServiceSetting
 * (root\CIMv2\TerminalServices).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/regpaths.h"
#include "diag.h"

static const char *conn_status_name(uint32_t s)
{
	switch (s) {
	case RDLS_LS_CONNECTABLE_UNKNOWN: return "LS_CONNECTABLE_UNKNOWN";
	case RDLS_LS_CONNECTABLE_VALID_WS08R2: return "LS_CONNECTABLE_VALID_WS08R2";
	case RDLS_LS_CONNECTABLE_VALID_WS08: return "LS_CONNECTABLE_VALID_WS08";
	case RDLS_LS_CONNECTABLE_BETA_RTM_MISMATCH: return "LS_CONNECTABLE_BETA_RTM_MISMATCH";
	case RDLS_LS_CONNECTABLE_LOWER_VERSION: return "LS_CONNECTABLE_LOWER_VERSION";
	case RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP: return "LS_CONNECTABLE_NOT_IN_TSCGROUP";
	case RDLS_LS_NOT_CONNECTABLE: return "LS_NOT_CONNECTABLE";
	case RDLS_LS_CONNECTABLE_UNKNOWN_VALIDITY: return "LS_CONNECTABLE_UNKNOWN_VALIDITY";
	case RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED: return "LS_CONNECTABLE_BUT_ACCESS_DENIED";
	case RDLS_LS_CONNECTABLE_VALID_WS08R2_VDI: return "LS_CONNECTABLE_VALID_WS08R2_VDI";
	case RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED: return "LS_CONNECTABLE_FEATURE_NOT_SUPPORTED";
	case RDLS_LS_CONNECTABLE_VALID_LS: return "LS_CONNECTABLE_VALID_LS";
	default: return "an undocumented status";
	}
}

static bool conn_status_valid(uint32_t s)
{
	return s == RDLS_LS_CONNECTABLE_VALID_WS08R2 || s == RDLS_LS_CONNECTABLE_VALID_WS08 ||
	       s == RDLS_LS_CONNECTABLE_VALID_WS08R2_VDI || s == RDLS_LS_CONNECTABLE_VALID_LS;
}
static void collect_ls_peers(struct dctx *c)
{
	if (c->m && c->ls) {
		for (size_t i = 0; i < c->m->n_ls; i++)
			if (&c->m->ls[i] != c->ls)
				diag_add_server(c, c->m->ls[i].dns, strlen(c->m->ls[i].dns));
	}
	if (!c->sys->ops->reg_get)
		return;
	rdls_regval v = { 0 };
	rdls_err e;
	rdls_err_clear(&e);
	if (c->sys->ops->reg_get(c->sys->ctx, RDLS_KEY_LICENSING, "SpecifiedLicenseServers", &v, &e) == 0 &&
	    v.present && v.type == RDLS_REG_MULTI_SZ) {
		const char *p;
		size_t len;
		struct rdls_split items;
		rdls_split_init(&items, (const char *)v.data, v.len, '\0');
		while (rdls_split_next(&items, &p, &len) && len) {
			rdls_trim(&p, &len);
			diag_add_server(c, p, len);
		}
	}
	rdls_regval_release(&v);
}

/* The servers this host names: the session host's lists (license-servers ran first), then
 * a license server's peers. */
static void collect_servers(struct dctx *c)
{
	if (c->peers_collected)
		return;
	c->peers_collected = true;
	c->n_sh_servers = c->n_servers;
	if (c->d->is_license_server)
		collect_ls_peers(c);
}

/* How many of c->servers are the session host's own. */
static size_t sh_servers(const struct dctx *c)
{
	return c->peers_collected ? c->n_sh_servers : c->n_servers;
}

/* --- every named license server: name resolution (GetAddrInfoW). */
void diag_check_resolve(struct dctx *c)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	char cmd[600] = "";
	collect_servers(c);
	if (diag_have_profile(c))
		diag_apply_cmd(c, cmd, sizeof(cmd));
	for (size_t i = 0; i < c->n_servers; i++) {
		const char *name = c->servers[i];
		c->resolved[i] = DIAG_RES_FAILED;
		if (!ops->name_resolve) {
			diag_not_run_missing_op(c, "ls-resolve", name, "name_resolve");
			continue;
		}
		bool found = false;
		rdls_err e;
		rdls_err_clear(&e);
		if (ops->name_resolve(c->sys->ctx, name, &found, c->addr[i], sizeof(c->addr[i]), &e) != 0) {
			diag_not_run_err(c, "ls-resolve", name, "the name's address", &e);
			continue;
		}
		if (!found) {
			c->resolved[i] = DIAG_RES_NOT_FOUND;
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ls-resolve",
							      "license-server-unresolved", name);
			SET(r, title, "license server '%s' does not resolve", name);
			SET(r, evidence, "GetAddrInfoW('%s'): no such host", name);
			SET(r, cause, "this machine cannot reach a license server whose name has no address");
			SET(r, remedy, "register '%s' in DNS (or the hosts file) or correct the name%s%s",
			    name, *cmd ? ": fix the profile's dns = and run " : "", cmd);
			continue;
		}
		c->resolved[i] = DIAG_RES_OK;
		struct rdls_dresult *r = diag_passed(c, "ls-resolve", name);
		SET(r, title, "license server '%s' resolves", name);
		SET(r, evidence, "GetAddrInfoW('%s') -> %s", name, c->addr[i]);
	}
}

/* --- every resolved license server: the RPC endpoint mapper (TCP 135), which RD
 * Licensing's RPC goes through first. */
void diag_check_rpc(struct dctx *c)
{
	const struct rdls_sys_ops *ops = c->sys->ops;
	for (size_t i = 0; i < c->n_servers; i++) {
		const char *name = c->servers[i];
		const char *addr = c->addr[i];
		if (c->resolved[i] != DIAG_RES_OK) {
			struct rdls_dresult *r = diag_not_run(c, "ls-rpc", name);
			if (!ops->name_resolve)
				SET(r, reason, "this build of rdlsctl cannot read it (the system interface "
					       "has no 'tcp_probe' here)");
			else
				SET(r, reason, "the name '%s' %s", name,
				    c->resolved[i] == DIAG_RES_NOT_FOUND ? "does not resolve"
									 : "could not be resolved");
			continue;
		}
		if (!ops->tcp_probe) {
			diag_not_run_missing_op(c, "ls-rpc", name, "tcp_probe");
			continue;
		}
		bool open = false;
		rdls_err e;
		rdls_err_clear(&e);
		if (ops->tcp_probe(c->sys->ctx, name, c->o->rpc_port, c->o->probe_timeout_ms, &open,
				   &e) != 0) {
			diag_not_run_err(c, "ls-rpc", name, "the RPC endpoint mapper", &e);
			continue;
		}
		if (!open) {
			struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ls-rpc",
							      "license-server-unreachable", name);
			SET(r, title, "license server '%s' does not answer on TCP %u (RPC endpoint "
				      "mapper)", name, (unsigned)c->o->rpc_port);
			SET(r, evidence, "TCP connect to %s (%s) port %u: refused or no answer within "
					 "%u ms", name, addr, (unsigned)c->o->rpc_port,
			    (unsigned)c->o->probe_timeout_ms);
			SET(r, cause, "RD Licensing is reached over RPC, which starts at the endpoint "
				      "mapper on TCP 135: the server is off, or a firewall between here "
				      "and there blocks TCP 135 (and the dynamic RPC ports after it)");
			SET(r, remedy, "on '%s': make sure it runs and that its firewall allows the "
				       "'Remote Desktop Licensing Server' inbound rules (TCP 135 and the "
				       "RPC dynamic ports); also check firewalls on the way (manual step)",
			    name);
			continue;
		}
		struct rdls_dresult *r = diag_passed(c, "ls-rpc", name);
		SET(r, title, "license server '%s' answers on TCP %u", name, (unsigned)c->o->rpc_port);
		SET(r, evidence, "TCP connect to %s (%s) port %u succeeded", name, addr,
		    (unsigned)c->o->rpc_port);
	}
}

/* --- every resolved license server: its licensing RPC pipe \\SERVER\pipe\HydraLsPipe,
 * reached over SMB (TCP 445), the other way RD Licensing's RPC goes besides TCP. The backend
 * only waits for a free instance (WaitNamedPipeW) and reports the code; what the code means
 * is decided here. */
#define LS_PIPE "HydraLsPipe"

/* WaitNamedPipeW's answers (Windows' error numbers). */
enum {
	W_FILE_NOT_FOUND = 2, W_PATH_NOT_FOUND = 3, W_ACCESS_DENIED = 5, W_REM_NOT_LIST = 51,
	W_BAD_NETPATH = 53, W_NETNAME_DELETED = 64, W_BAD_NET_NAME = 67, W_SEM_TIMEOUT = 121,
	W_SESSION_CREDENTIAL_CONFLICT = 1219, W_NO_NET_OR_BAD_PATH = 1203, W_NO_NETWORK = 1222,
	W_CONNECTION_REFUSED = 1225, W_NETWORK_UNREACHABLE = 1231, W_HOST_UNREACHABLE = 1232,
	W_LOGON_FAILURE = 1326, W_ACCOUNT_RESTRICTION = 1327, W_PASSWORD_EXPIRED = 1330,
	W_ACCOUNT_DISABLED = 1331, W_LOGON_TYPE_NOT_GRANTED = 1385, W_NO_LOGON_SERVERS = 1311,
	W_PASSWORD_MUST_CHANGE = 1907, W_ACCOUNT_LOCKED_OUT = 1909,
};

enum pipe_verdict { PIPE_OPEN, PIPE_MISSING, PIPE_UNREACHABLE, PIPE_LOGON, PIPE_UNKNOWN };

static enum pipe_verdict pipe_verdict_of(uint32_t code)
{
	switch (code) {
	case 0:
	case W_SEM_TIMEOUT:  /* it exists, every instance is busy */
	case W_ACCESS_DENIED: /* the server answered and refused this account: reached */
		return PIPE_OPEN;
	case W_FILE_NOT_FOUND:
		return PIPE_MISSING;
	case W_PATH_NOT_FOUND: case W_REM_NOT_LIST: case W_BAD_NETPATH: case W_NETNAME_DELETED:
	case W_BAD_NET_NAME: case W_NO_NET_OR_BAD_PATH: case W_NO_NETWORK:
	case W_CONNECTION_REFUSED: case W_NETWORK_UNREACHABLE: case W_HOST_UNREACHABLE:
		return PIPE_UNREACHABLE;
	case W_SESSION_CREDENTIAL_CONFLICT: case W_LOGON_FAILURE: case W_ACCOUNT_RESTRICTION:
	case W_PASSWORD_EXPIRED: case W_ACCOUNT_DISABLED: case W_LOGON_TYPE_NOT_GRANTED:
	case W_NO_LOGON_SERVERS: case W_PASSWORD_MUST_CHANGE: case W_ACCOUNT_LOCKED_OUT:
		return PIPE_LOGON;
	default:
		return PIPE_UNKNOWN;
	}
}

void diag_check_pipe(struct dctx *c)
{
	const char *check = "ls-pipe";
	const struct rdls_sys_ops *ops = c->sys->ops;
	for (size_t i = 0; i < c->n_servers; i++) {
		const char *name = c->servers[i];
		const char *host = c->o->pipe_server ? c->o->pipe_server : name;
		if (c->resolved[i] != DIAG_RES_OK) {
			struct rdls_dresult *r = diag_not_run(c, check, name);
			SET(r, reason, "the name '%s' %s", name,
			    c->resolved[i] == DIAG_RES_NOT_FOUND ? "does not resolve"
								 : "could not be resolved");
			continue;
		}
		if (!ops->pipe_probe) {
			diag_not_run_missing_op(c, check, name, "pipe_probe");
			continue;
		}
		rdls_err e;
		rdls_err_clear(&e);
		int rc = ops->pipe_probe(c->sys->ctx, host, LS_PIPE, c->o->probe_timeout_ms, &e);
		rdls_errmsg m = { "" };
		const char *msg = rc != 0 ? rdls_errmsg_of(&e, &m) : m.s;
		enum pipe_verdict v = rc == 0 ? PIPE_OPEN : pipe_verdict_of(e.code);
		if (rc != 0 && !e.code)
			v = PIPE_UNKNOWN; /* the call itself could not be made */
		char path[RDLS_TS_NAME_MAX + 32];
		snprintf(path, sizeof(path), "\\\\%s\\pipe\\" LS_PIPE, host);
		struct rdls_dresult *r;
		switch (v) {
		case PIPE_OPEN:
			r = diag_passed(c, check, name);
			SET(r, title, "license server '%s' answers at %s", name, path);
			if (rc == 0)
				SET(r, evidence, "WaitNamedPipeW('%s', %u ms): an instance is free", path,
				    (unsigned)c->o->probe_timeout_ms);
			else
				SET(r, evidence, "%s (%s: the pipe is there)", msg,
				    e.code == W_SEM_TIMEOUT ? "every instance busy"
							    : "the server refused this account");
			break;
		case PIPE_MISSING:
			r = diag_finding(c, RDLS_DSEV_ERROR, check, "ls-pipe-missing", name);
			SET(r, title, "license server '%s' has no licensing pipe %s", name, path);
			SET(r, evidence, "%s", msg);
			SET(r, cause, "the server answers over SMB, but nothing serves " LS_PIPE ": the "
				      "Remote Desktop Licensing service (TermServLicensing) is not running "
				      "there, or the RD Licensing role is not installed");
			SET(r, remedy, "on '%s': start the Remote Desktop Licensing service (services.msc, "
				       "or 'sc \\\\%s start TermServLicensing') and set it to start "
				       "automatically; install the RD Licensing role if it is missing "
				       "(manual step)", name, name);
			break;
		case PIPE_UNREACHABLE:
			r = diag_finding(c, RDLS_DSEV_ERROR, check, "ls-pipe-unreachable", name);
			SET(r, title, "license server '%s' cannot be reached at %s", name, path);
			SET(r, evidence, "%s", msg);
			SET(r, cause, "named pipes travel over SMB (TCP 445): it is blocked by a firewall "
				      "between here and there, the Server service (LanmanServer) does not "
				      "run on '%s', or the name leads elsewhere; RD Licensing's RPC can "
				      "use this pipe besides TCP 135", name);
			SET(r, remedy, "on '%s': allow 'File and Printer Sharing (SMB-In)' (TCP 445) from "
				       "this host in its firewall and make sure the Server service runs; "
				       "also check firewalls on the way (manual step)", name);
			break;
		case PIPE_LOGON:
			r = diag_finding(c, RDLS_DSEV_INFO, check, "ls-pipe-logon-refused", name);
			SET(r, title, "license server '%s' answers over SMB but refused this account's "
				      "logon, so %s could not be checked", name, path);
			SET(r, evidence, "%s", msg);
			SET(r, cause, "the server is reachable; SMB did not accept the account diagnose "
				      "runs as (in a workgroup: no account of the same name and password "
				      "there)");
			SET(r, remedy, "to check the pipe too, run diagnose as an account '%s' accepts "
				       "(in a workgroup, one with the same name and password on both); "
				       "see ts-connectivity for the session host's own view", name);
			break;
		default:
			diag_not_run_err(c, check, name, "the licensing pipe", &e);
			break;
		}
	}
}

static const char *ts_missing_hint(const rdls_err *e)
{
	if (e->code == WBEM_E_INVALID_NAMESPACE_ || e->code == WBEM_E_INVALID_CLASS_ ||
	    e->code == WBEM_E_NOT_FOUND_)
		return " (the namespace root\\CIMv2\\TerminalServices or the class is missing: Remote "
		       "Desktop Services is not installed here)";
	return "";
}

static void ts_not_run(struct dctx *c, const char *check, const char *subject, const char *method,
		       const rdls_err *e)
{
	rdls_errmsg m;
	struct rdls_dresult *r = diag_not_run(c, check, subject);
	SET(r, reason, "Win32_TerminalServiceSetting.%s could not be called: %s%s", method,
	    rdls_errmsg_of(e, &m), ts_missing_hint(e));
}

void diag_ts_not_run(struct dctx *c, const char *check, const char *subject, const char *what,
		     const rdls_err *e)
{
	ts_not_run(c, check, subject, what, e);
}

#define CONN_EVIDENCE "Win32_TerminalServiceSetting.GetTStoLSConnectivityStatus('%s') = %u (%s)"

/* --- session host: what Remote Desktop Services itself reports, through
 * Win32_TerminalServiceSetting (root\CIMv2\TerminalServices). */
#define TS_LOCALS                                  \
	const struct rdls_sys_ops *ops = c->sys->ops; \
	void *x = c->sys->ctx;                        \
	rdls_err e;                                   \
	size_t n_servers = sh_servers(c)

/* GetTStoLSConnectivityStatus for each license server the session host names. */
void diag_check_ts_connectivity(struct dctx *c)
{
	TS_LOCALS;
	for (size_t i = 0; i < n_servers; i++) {
		const char *name = c->servers[i];
		if (!ops->ts_connectivity) {
			diag_not_run_missing_op(c, "ts-connectivity", name, "ts_connectivity");
			continue;
		}
		uint32_t st = 0;
		rdls_err_clear(&e);
		if (ops->ts_connectivity(x, name, &st, &e) != 0) {
			ts_not_run(c, "ts-connectivity", name, "GetTStoLSConnectivityStatus", &e);
			continue;
		}
		if (c->usable < 0)
			c->usable = 0;
		if (conn_status_valid(st)) {
			c->usable = 1;
			diag_copy_str(c->usable_name, sizeof(c->usable_name), name);
			struct rdls_dresult *r = diag_passed(c, "ts-connectivity", name);
			SET(r, title, "Remote Desktop Services can use license server '%s'", name);
			SET(r, evidence, CONN_EVIDENCE, name, (unsigned)st, conn_status_name(st));
			continue;
		}
		enum rdls_dsev sev = RDLS_DSEV_ERROR;
		const char *id = "ts-ls-not-connectable", *cause = NULL, *remedy = NULL;
		switch (st) {
		case RDLS_LS_CONNECTABLE_LOWER_VERSION:
			id = "ts-ls-incompatible";
			cause = "Remote Desktop Services reaches the license server, but the license "
				"server and this session host are incompatible: a license server cannot "
				"serve a session host of a newer Windows version";
			remedy = "use a license server whose Windows version is at least this session "
				 "host's (the troubleshooting document's tables)";
			break;
		case RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP:
			id = "ts-ls-not-in-group";
			cause = "the 'License server security group' policy is enabled on the license "
				"server and this session host is not a member of its group";
			remedy = "on the license server, add this computer to the RDS Endpoint Servers "
				 "(Terminal Server Computers) group, or disable that policy";
			break;
		case RDLS_LS_NOT_CONNECTABLE:
			cause = "Remote Desktop Services cannot connect to the license server";
			remedy = "check the name, the server and its firewall (see the ls-resolve and "
				 "ls-rpc checks of this server)";
			break;
		case RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED:
			sev = RDLS_DSEV_WARNING;
			id = "ts-ls-access-denied";
			cause = "the license server answers, but the account running diagnose is not an "
				"administrator there, so its validity could not be checked";
			remedy = "run diagnose as an account that administers the license server too, "
				 "or check the server in RD Licensing Manager";
			break;
		case RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED:
			sev = RDLS_DSEV_INFO;
			id = "ts-ls-feature-not-supported";
			cause = "Remote Desktop Services reports the check as not supported";
			remedy = "none needed; see the other checks of this server";
			break;
		default: /* unknown, unknown validity, beta/RTM mismatch, undocumented */
			sev = RDLS_DSEV_WARNING;
			id = "ts-ls-unknown";
			cause = "Remote Desktop Services cannot tell whether it can use this license "
				"server";
			remedy = "open RD Licensing Diagnoser on this host for details, and check the "
				 "license server is activated and has CALs installed";
			break;
		}
		struct rdls_dresult *r = diag_finding(c, sev, "ts-connectivity", id, name);
		SET(r, title, "Remote Desktop Services reports license server '%s' as %s", name,
		    conn_status_name(st));
		SET(r, evidence, CONN_EVIDENCE, name, (unsigned)st, conn_status_name(st));
		SET(r, cause, "%s", cause);
		SET(r, remedy, "%s", remedy);
	}

}

/* FindLicenseServers: what RDS discovers, compared with the names configured. */
void diag_check_ts_find(struct dctx *c)
{
	TS_LOCALS;
	if (!ops->ts_find_ls) {
		diag_not_run_missing_op(c, "ts-find", NULL, "ts_find_ls");
	} else {
		rdls_ts_ls found[MAX_FOUND];
		size_t count = 0;
		rdls_err_clear(&e);
		if (ops->ts_find_ls(x, found, MAX_FOUND, &count, &e) != 0) {
			ts_not_run(c, "ts-find", NULL, "FindLicenseServers", &e);
		} else {
			size_t nf = count < MAX_FOUND ? count : MAX_FOUND;
			char list[2048] = "";
			size_t off = 0;
			for (size_t i = 0; i < nf && off < sizeof(list); i++) {
				int k = snprintf(list + off, sizeof(list) - off,
						 "%s%s (IsLSAvailable=%u, IssuingCALs=%u)", i ? ", " : "",
						 found[i].name, (unsigned)found[i].available,
						 (unsigned)found[i].issuing);
				off += k > 0 ? (size_t)k : 0;
			}
			bool bad = false;
			if (c->usable < 0)
				c->usable = 0;
			for (size_t i = 0; i < nf; i++) {
				if (found[i].available == 1 && found[i].issuing == 1 && !c->usable_name[0]) {
					c->usable = 1;
					diag_copy_str(c->usable_name, sizeof(c->usable_name), found[i].name);
				}
				if (found[i].available == 1 && found[i].issuing == 1)
					c->usable = 1;
				if (found[i].available == 0) {
					bad = true;
					struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ts-find",
									 "ts-ls-unavailable", found[i].name);
					SET(r, title, "license server '%s' is not available to Remote Desktop "
						      "Services", found[i].name);
					SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
					    list);
					SET(r, cause, "IsLSAvailable = 0: no RPC connection can be made to it");
					SET(r, remedy, "start the Remote Desktop Licensing service on '%s' and "
						       "allow RPC (TCP 135 and the dynamic ports) through its "
						       "firewall", found[i].name);
				} else if (found[i].issuing == 0) {
					bad = true;
					struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ts-find",
									 "ts-ls-not-issuing", found[i].name);
					SET(r, title, "license server '%s' may not issue CALs to this session "
						      "host", found[i].name);
					SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
					    list);
					SET(r, cause, "IssuingCALs = 0: the license server is not allowed to "
						      "issue RDS CALs to this RD Session Host");
					SET(r, remedy, "on '%s': check it is activated and has CALs of the right "
						       "type and version, and the 'License server security "
						       "group' policy", found[i].name);
				}
			}
			for (size_t i = 0; i < n_servers; i++) {
				bool seen = false;
				for (size_t j = 0; j < nf; j++)
					if (rdls_name_eq(found[j].name, c->servers[i]))
						seen = true;
				if (seen)
					continue;
				bad = true;
				struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, "ts-find",
								 "ts-ls-not-found", c->servers[i]);
				SET(r, title, "Remote Desktop Services does not find the configured license "
					      "server '%s'", c->servers[i]);
				SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
				    nf ? list : "none");
				SET(r, cause, "the registry names it, but the licensing component of this "
					      "session host does not list it: it may not have read the "
					      "setting yet, or the name differs from the one it knows");
				SET(r, remedy, "run 'gpupdate /force' (policy) or restart the Remote Desktop "
					       "Services service outside working hours, then diagnose again");
			}
			if (!bad) {
				struct rdls_dresult *r = diag_passed(c, "ts-find", NULL);
				SET(r, title, "Remote Desktop Services finds %lu license server%s", (unsigned long)count,
				    count == 1 ? "" : "s");
				SET(r, evidence, "Win32_TerminalServiceSetting.FindLicenseServers: %s",
				    nf ? list : "none");
			}
		}
	}

}

/* PingLicenseServer: Windows Server 2008 only (Microsoft's documentation: no longer
 * available as of 2008 R2, like CanAccessLicenseServer). */
void diag_check_ts_ping(struct dctx *c)
{
	TS_LOCALS;
	bool ws2008 = c->d->have_os && c->d->os.major == 6 && c->d->os.minor == 0;
	if (!ws2008) {
		struct rdls_dresult *r = diag_not_run(c, "ts-ping", NULL);
		SET(r, reason, "Win32_TerminalServiceSetting.PingLicenseServer and CanAccessLicenseServer "
			       "are no longer available as of Windows Server 2008 R2 (Microsoft's "
			       "documentation)%s; GetTStoLSConnectivityStatus (ts-connectivity) checks "
			       "each server instead",
		    c->d->have_os ? "" : "; the Windows version is unknown");
	} else {
		for (size_t i = 0; i < n_servers; i++) {
			const char *name = c->servers[i];
			if (!ops->ts_ping_ls) {
				diag_not_run_missing_op(c, "ts-ping", name, "ts_ping_ls");
				continue;
			}
			bool valid = false;
			rdls_err_clear(&e);
			if (ops->ts_ping_ls(x, name, &valid, &e) != 0) {
				ts_not_run(c, "ts-ping", name, "PingLicenseServer", &e);
				continue;
			}
			if (valid) {
				c->usable = 1;
				struct rdls_dresult *r = diag_passed(c, "ts-ping", name);
				SET(r, title, "'%s' is a valid license server", name);
				SET(r, evidence, "Win32_TerminalServiceSetting.PingLicenseServer('%s') = S_OK",
				    name);
			} else {
				struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_ERROR, "ts-ping",
								 "ts-ls-ping-invalid", name);
				SET(r, title, "'%s' is not a valid license server", name);
				SET(r, evidence, "Win32_TerminalServiceSetting.PingLicenseServer('%s') = "
						 "S_FALSE", name);
				SET(r, cause, "the named machine does not answer as an RD license server");
				SET(r, remedy, "install and activate the RD Licensing role on '%s', or name "
					       "the right server", name);
			}
		}
	}

}

/* GetGracePeriodDays, judged against what ts-connectivity, ts-find and ts-ping found usable. */
void diag_check_ts_grace(struct dctx *c)
{
	TS_LOCALS;
	if (!ops->ts_grace_days) {
		diag_not_run_missing_op(c, "ts-grace", NULL, "ts_grace_days");
		return;
	}
	uint32_t days = 0;
	rdls_err_clear(&e);
	if (ops->ts_grace_days(x, &days, &e) != 0) {
		ts_not_run(c, "ts-grace", NULL, "GetGracePeriodDays", &e);
		return;
	}
	if (c->usable < 0 && n_servers == 0)
		c->usable = 0;
	char usable_s[RDLS_TS_NAME_MAX + 64];
	if (c->usable > 0)
		snprintf(usable_s, sizeof(usable_s), "usable license server: '%s'", c->usable_name);
	else if (c->usable == 0)
		snprintf(usable_s, sizeof(usable_s), "no usable license server (%s)",
			 n_servers ? "see ts-connectivity and ts-find" : "none specified");
	else
		snprintf(usable_s, sizeof(usable_s), "whether a license server is usable is unknown "
				    "(its checks did not run)");
	if (c->usable != 1 && days <= c->o->grace_warn_days) {
		bool over = days == 0;
		struct rdls_dresult *r = diag_finding(c, over ? RDLS_DSEV_ERROR : RDLS_DSEV_WARNING, "ts-grace",
						 over ? "grace-period-over" : "grace-period-running-out",
						 NULL);
		if (over)
			SET(r, title, "the licensing grace period is over and no license server is usable");
		else
			SET(r, title, "the licensing grace period ends in %u day%s and no license server "
				      "is usable", (unsigned)days, days == 1 ? "" : "s");
		SET(r, evidence, "Win32_TerminalServiceSetting.GetGracePeriodDays: DaysLeft = %u; %s",
		    (unsigned)days, usable_s);
		SET(r, cause, "during the grace period the session host accepts clients without CALs; "
			      "after it, every connection fails with 'no Remote Desktop License Servers "
			      "available to provide a license'");
		SET(r, remedy, "fix the findings about the licensing mode and the license servers above "
			       "before the grace period ends");
		return;
	}
	struct rdls_dresult *r = diag_passed(c, "ts-grace", NULL);
	SET(r, title, "grace period: %u day%s left; %s", (unsigned)days, days == 1 ? "" : "s", usable_s);
	SET(r, evidence, "Win32_TerminalServiceSetting.GetGracePeriodDays: DaysLeft = %u", (unsigned)days);
}

