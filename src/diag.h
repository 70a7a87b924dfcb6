/*
 * Inside diagnose: the check table, the context every check reads and writes, and the
 * helpers that record results. Not a public header: only src/diag_*.c include it.
 *
 * Adding a check takes:
 *   1. a function `void diag_check_NAME(struct dctx *c)` in the diag_*.c file of its host
 *      role (diag_sh.c session host, diag_ls.c license server, diag_ts.c reachability and
 *      Remote Desktop Services' WMI view, diag_plan.c the profile comparison, diag_lsstate.c
 *      the license server's activation, CAL packs and groups, diag_events.c the event log)
 *      that records
 *      exactly one of passed / finding / not run for each subject it looks at;
 *   2. one row in the table of diag_core.c: its id (the results' `check`), the roles it
 *      concerns, whether `status` runs it, the checks whose context it reads (deps);
 *   3. a unit test through the fake and a row in docs/diagnose.md (and new finding ids in
 *      docs/schema/diagnose.schema.json).
 */
#ifndef RDLS_DIAG_H
#define RDLS_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdls/diagnose.h"
#include "rdls/regval.h" /* a value's type name, DWORD, string and description */
#include "rdls/util.h"

#define WBEM_E_NOT_FOUND_ 0x80041002u
#define WBEM_E_INVALID_NAMESPACE_ 0x8004100Eu
#define WBEM_E_INVALID_CLASS_ 0x80041010u

/* Licensing mode values: the policy "Set the Remote Desktop licensing mode"
 * (terminalserver.admx, TS_LICENSING_MODE: REG_DWORD LicensingMode, Per Device = 2,
 * Per User = 4, AAD Per User = 6 in recent templates) and the local setting under
 * RCM\Licensing Core (Microsoft's unattend reference for
 * Microsoft-Windows-TerminalServices-RemoteConnectionManager LicensingMode: 2 per device,
 * 4 per user, 5 not configured). */
enum { MODE_PER_DEVICE = 2, MODE_PER_USER = 4, MODE_NOT_CONFIGURED = 5, MODE_AAD_PER_USER = 6 };

#define MAX_SERVERS 64
#define MAX_FOUND 32

/* What ls-resolve learnt of one server, for ls-rpc. */
enum diag_resolved { DIAG_RES_NONE = 0, DIAG_RES_FAILED, DIAG_RES_NOT_FOUND, DIAG_RES_OK };

struct dctx {
	struct rdls_sys *sys;
	const struct rdls_diagnose_opts *o;
	struct rdls_diagnosis *d;
	const struct rdls_model *m;
	const struct rdls_license_server *ls; /* this host in the profile */
	const struct rdls_session_host *sh;
	/* License servers named by this host's configuration, trimmed, without duplicates:
	 * first the session host's lists (n_sh_servers of them), then a license server's peers. */
	char *servers[MAX_SERVERS];
	size_t n_servers;
	size_t n_sh_servers;
	bool servers_read;    /* the session-host lists were read (even if empty) */
	bool peers_collected; /* a license server's peers were added */
	enum diag_resolved resolved[MAX_SERVERS];
	char addr[MAX_SERVERS][128];
	/* Win32_TSLicenseServer as observed once (ls_pub_get). */
	bool role_observed, role_ok;
	enum rdls_ls_pub role;
	rdls_err role_err;
	/* Remote Desktop Services' view: -1 unknown, 0 no usable license server, 1 one is usable. */
	int usable;
	char usable_name[RDLS_TS_NAME_MAX];
};

/* Which hosts a check concerns; DIAG_ANY: every host. */
enum { DIAG_ANY = 0, DIAG_SH = 1u << 0, DIAG_LS = 1u << 1 };
/* Row flags. */
enum {
	DIAG_SAY_NA = 1u << 0,        /* on a host of another role: "not run: not applicable" */
	DIAG_PROFILE_HOST = 1u << 1,  /* runs only with a profile that describes this host */
};

struct diag_check {
	const char *id;        /* the results' check name */
	unsigned roles;        /* DIAG_SH, DIAG_LS or DIAG_ANY */
	unsigned status_roles; /* status runs it on these roles (0: not part of status) */
	unsigned flags;
	void (*run)(struct dctx *c);
	const char *deps[4];   /* checks whose context it reads, run first */
};

/* The table (diag_core.c), in the order diagnose runs it. */
extern const struct diag_check diag_checks[];
extern const size_t diag_n_checks;

/* ---- results (diag_core.c); each returns NULL when out of memory (d->oom is set) ---- */
#if defined(__GNUC__)
#define DIAG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DIAG_PRINTF(a, b)
#endif
struct rdls_dresult *diag_add(struct dctx *c, enum rdls_dstatus st, enum rdls_dsev sev,
			      const char *check, const char *id, const char *subject);
void diag_setf(struct dctx *c, char **field, const char *f, ...) DIAG_PRINTF(3, 4);
struct rdls_dresult *diag_passed(struct dctx *c, const char *check, const char *subject);
struct rdls_dresult *diag_finding(struct dctx *c, enum rdls_dsev sev, const char *check,
				  const char *id, const char *subject);
struct rdls_dresult *diag_not_run(struct dctx *c, const char *check, const char *subject);
/* Not run because the check does not concern this host (status leaves these out). */
struct rdls_dresult *diag_not_applicable(struct dctx *c, const char *check, const char *subject);
void diag_not_run_err(struct dctx *c, const char *check, const char *subject, const char *what,
		      const rdls_err *e);
void diag_not_run_missing_op(struct dctx *c, const char *check, const char *subject,
			     const char *op);

/* The result objects' text fields are set with these; r may be NULL (out of memory). */
#define SET(r, field, ...)                                       \
	do {                                                     \
		if (r)                                           \
			diag_setf(c, &(r)->field, __VA_ARGS__); \
	} while (0)

/* ---- helpers (diag_core.c) ---- */
size_t diag_bounded_len(const char *p, size_t max);
/* Reads one value; on failure records the check as not run and returns -1. */
int diag_read_value(struct dctx *c, const char *check, const char *key, const char *name,
		    rdls_regval *out);
void diag_copy_str(char *dst, size_t n, const char *src);
void diag_add_server(struct dctx *c, const char *name, size_t len);
/* "rdlsctl apply site.ini" (with --host when diagnose was given one). */
void diag_apply_cmd(const struct dctx *c, char *buf, size_t n);
bool diag_have_profile(const struct dctx *c);
const char *diag_mode_name(uint32_t m);
/* Win32_TSLicenseServer's state, observed once (role_* of c). */
void diag_observe_ls_role(struct dctx *c);
/* Splits a REG_SZ list (sep ',') or REG_MULTI_SZ (sep '\0') into trimmed names; false
 * when the two sets differ (case-insensitively, any order). */
bool diag_same_names(const char *list, size_t len, char sep, const char *const *want,
		     size_t n_want);

/* names joined with sep, each between quote characters (quote may be ""), into buf. */
void diag_join(const char *const *names, size_t n, const char *sep, const char *quote,
	       char *buf, size_t size);

/* ---- the checks ---- */
void diag_check_profile_host(struct dctx *c);
void diag_check_os(struct dctx *c);
/* diag_sh.c */
void diag_check_licensing_mode(struct dctx *c);
void diag_check_license_servers(struct dctx *c);
void diag_check_cal(struct dctx *c);
void diag_check_sh_certificate(struct dctx *c);
void diag_check_setting_in_effect(struct dctx *c);
/* diag_ts.c */
void diag_check_resolve(struct dctx *c);
void diag_check_rpc(struct dctx *c);
void diag_check_pipe(struct dctx *c);
void diag_check_ts_connectivity(struct dctx *c);
void diag_check_ts_find(struct dctx *c);
void diag_check_ts_ping(struct dctx *c);
void diag_check_ts_grace(struct dctx *c);
/* Records check as not run because a Win32_TerminalServiceSetting call failed (names a
 * missing namespace or class as such). */
void diag_ts_not_run(struct dctx *c, const char *check, const char *subject, const char *what,
		     const rdls_err *e);
/* diag_ls.c */
void diag_check_ls_role(struct dctx *c);
void diag_check_leading_space(struct dctx *c);
void diag_check_accounts_group(struct dctx *c);
void diag_check_peer_account(struct dctx *c);
void diag_check_peer_creds(struct dctx *c);
void diag_check_ls_publication(struct dctx *c);
void diag_check_specified_servers(struct dctx *c);
void diag_check_cred_storage(struct dctx *c);
void diag_check_workgroup_auth(struct dctx *c);
/* diag_plan.c */
void diag_check_plan(struct dctx *c);
/* diag_lsstate.c */
void diag_check_ls_activation(struct dctx *c);
void diag_check_cal_packs(struct dctx *c);
void diag_check_ls_tsls_group(struct dctx *c);
void diag_check_ls_secgrp_policy(struct dctx *c);
/* diag_events.c */
void diag_check_ls_events(struct dctx *c);
void diag_check_sh_events(struct dctx *c);

#endif
