/*
 * `rdlsctl diagnose`: the troubleshooting document ("no Remote Desktop License
 * Servers available") as read-only checks over the system interface. Each check
 * ends in one of three ways:
 *   - passed:   its source was read and nothing is wrong (the evidence says what was read);
 *   - finding:  something is wrong: severity, evidence, cause and remedy;
 *   - not run:  its source is missing or could not be read (no such WMI class,
 *               access denied, an operation this backend lacks), with the reason.
 * A check is never "passed" when its source was not read.
 *
 * The core is portable: the table of checks in src/diag_core.c and the checks in
 * src/diag_*.c decide; cmd_diagnose.c and cmd_status.c print (text or JSON).
 */
#ifndef RDLS_DIAGNOSE_H
#define RDLS_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdls/model.h"
#include "rdls/regpaths.h"
#include "rdls/sys.h"
#include "rdls/writable.h"

enum rdls_dstatus { RDLS_D_PASSED = 0, RDLS_D_FINDING = 1, RDLS_D_NOT_RUN = 2 };

/* Severity of a finding. error/warning/security need action (exit 2); info does not. */
enum rdls_dsev { RDLS_DSEV_ERROR = 0, RDLS_DSEV_WARNING, RDLS_DSEV_SECURITY, RDLS_DSEV_INFO };

struct rdls_dresult {
	enum rdls_dstatus status;
	enum rdls_dsev sev;   /* findings only */
	char *check;          /* the check, e.g. "licensing-mode" */
	char *id;             /* findings: what is wrong, e.g. "licensing-mode-unset" */
	char *subject;        /* the object checked ("LICSVR1"), or NULL */
	char *title;          /* one line: what was found / what was checked */
	char *evidence;       /* what was read, with the registry path or API */
	char *cause;          /* findings: why it breaks licensing */
	char *remedy;         /* findings: an rdlsctl command or the manual step */
	char *reason;         /* not run: why not */
	bool not_applicable;  /* not run because the check does not concern this host */
};

struct rdls_diagnosis {
	char host[256];            /* the host diagnosed (NetBIOS name or --host) */
	bool have_os;
	rdls_osinfo os;
	bool is_license_server;    /* this host's role, from the profile or as observed */
	bool is_session_host;
	bool roles_from_profile;
	struct rdls_dresult *v;
	size_t n, cap;
	bool oom;                  /* a result could not be recorded */
};

/* What diagnose is told besides the system. */
struct rdls_diagnose_opts {
	const struct rdls_model *model; /* the profile, or NULL */
	const char *profile_path;       /* as given on the command line (for remedies), or NULL */
	const char *host;               /* --host, or NULL: the computer's NetBIOS name */
	uint16_t rpc_port;              /* the RPC endpoint mapper's port: 135 (tests may change it) */
	uint32_t probe_timeout_ms;      /* per TCP connect attempt */
	uint32_t grace_warn_days;       /* grace period "running out" threshold */
	const char *only;               /* --check ID: this check and what it depends on, or NULL */
	bool status;                    /* only the checks `status` runs (the licensing service's) */
	/* cal-packs: warn when a kind of CAL has warn_available or fewer left (--warn-available
	 * N); unset: 10% of its total. */
	bool warn_available_set;
	uint32_t warn_available;
	/* ls-pipe asks \\pipe_server\pipe\HydraLsPipe instead of each server's own name
	 * (test builds only: "." under Wine, which has no SMB client); NULL: the server's. */
	const char *pipe_server;
	uint32_t event_days;            /* the event log checks look this many days back (1..365) */
};

/* Default options: rpc_port 135, 3000 ms, 30 days, events of the last 7 days. */
void rdls_diagnose_opts_init(struct rdls_diagnose_opts *o);

/*
 * Runs every check against sys. Read-only: calls only observe operations.
 * Returns 0, or -1 when the host itself could not be identified (err filled);
 * a failing source makes its check "not run", it does not fail the whole run.
 * Release d with rdls_diagnosis_release in every case.
 */
int rdls_diagnose(struct rdls_sys *sys, const struct rdls_diagnose_opts *o,
		  struct rdls_diagnosis *d, rdls_err *err);
void rdls_diagnosis_release(struct rdls_diagnosis *d);

/* Whether id names a check of the table (for --check); the i-th check's id, or NULL. */
bool rdls_diagnose_check_known(const char *id);
const char *rdls_diagnose_check_id(size_t i);

/* Counters over d. */
size_t rdls_diagnosis_count(const struct rdls_diagnosis *d, enum rdls_dstatus st);
size_t rdls_diagnosis_count_sev(const struct rdls_diagnosis *d, enum rdls_dsev sev);
/* true when a finding needs action (error, warning or security). */
bool rdls_diagnosis_needs_action(const struct rdls_diagnosis *d);
/* The first result with this finding id (and subject, unless NULL), or NULL. */
const struct rdls_dresult *rdls_diagnosis_find(const struct rdls_diagnosis *d, const char *id,
					       const char *subject);
/* The first result of this check (and subject, unless NULL), or NULL. */
const struct rdls_dresult *rdls_diagnosis_check(const struct rdls_diagnosis *d,
						const char *check, const char *subject);

const char *rdls_dsev_name(enum rdls_dsev s);       /* "error", "warning", "security", "info" */
const char *rdls_dstatus_name(enum rdls_dstatus s); /* "passed", "finding", "not_run" */

/* Maps a running Windows version to the profile's OS keyword. false when it is not a
 * Windows Server release the tables know (older than 6.0). Caller checks os->server. */
bool rdls_os_from_version(const rdls_osinfo *os, enum rdls_os *out);

/* GetTStoLSConnectivityStatus's TStoLSConnectivityStatus values (Microsoft's documentation). */
enum {
	RDLS_LS_CONNECTABLE_UNKNOWN = 0,
	RDLS_LS_CONNECTABLE_VALID_WS08R2 = 1,
	RDLS_LS_CONNECTABLE_VALID_WS08 = 2,
	RDLS_LS_CONNECTABLE_BETA_RTM_MISMATCH = 3,
	RDLS_LS_CONNECTABLE_LOWER_VERSION = 4,
	RDLS_LS_CONNECTABLE_NOT_IN_TSCGROUP = 5,
	RDLS_LS_NOT_CONNECTABLE = 6,
	RDLS_LS_CONNECTABLE_UNKNOWN_VALIDITY = 7,
	RDLS_LS_CONNECTABLE_BUT_ACCESS_DENIED = 8,
	RDLS_LS_CONNECTABLE_VALID_WS08R2_VDI = 9,
	RDLS_LS_CONNECTABLE_FEATURE_NOT_SUPPORTED = 10,
	RDLS_LS_CONNECTABLE_VALID_LS = 11,
};

#endif
