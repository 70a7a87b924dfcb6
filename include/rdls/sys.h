/*
 * The system interface: the only door between rdlsctl's portable core and the
 * operating system. The Win32 backend (src/win32/) implements it for real; the
 * fake in tests/unit/ implements it in memory. No <windows.h> here: every string
 * is UTF-8, and the backend converts to UTF-16 at this door and nowhere else.
 *
 * Conventions for every operation:
 *   - returns 0 on success, -1 on failure with *err filled (rdls_err_set);
 *   - "does not exist", "already a member", "not a member" are states reported
 *     through out-parameters, never failures;
 *   - removing something that is already gone succeeds (user_del, group_del,
 *     member_del, reg_del, reg_key_del, cred_del), and member_add of a member succeeds
 *     (ERROR_MEMBER_IN_ALIAS): undo must be idempotent. Adding a user or group
 *     that exists fails (NERR_UserExists 2224; NetLocalGroupAdd: ERROR_ALIAS_EXISTS
 *     1379 or NERR_GroupExists 2223);
 *   - observe operations (get/lookup/query) never change anything.
 */
#ifndef RDLS_SYS_H
#define RDLS_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdls/err.h"
#include "rdls/secret.h"

/* Registry value types: the Windows REG_* numbers. */
enum {
	RDLS_REG_NONE = 0,
	RDLS_REG_SZ = 1,
	RDLS_REG_EXPAND_SZ = 2,
	RDLS_REG_BINARY = 3,
	RDLS_REG_DWORD = 4,
	RDLS_REG_MULTI_SZ = 7,
	RDLS_REG_QWORD = 11,
};

/*
 * A registry value as observed or desired.
 *   present == false: the value does not exist (type/data unused).
 *   REG_SZ, REG_EXPAND_SZ: data is UTF-8 including one terminating NUL.
 *   REG_MULTI_SZ: UTF-8 strings, each NUL-terminated, then one more NUL
 *                 (an empty list is a single NUL).
 *   REG_DWORD: 4 bytes little-endian.  Any other type: the raw bytes.
 * data is owned (malloc) by the struct; release with rdls_regval_release.
 */
typedef struct rdls_regval {
	bool present;
	uint32_t type;
	unsigned char *data;
	size_t len;
} rdls_regval;

void rdls_regval_release(rdls_regval *v);
int rdls_regval_copy(rdls_regval *dst, const rdls_regval *src); /* 0 or -1 (ENOMEM) */
bool rdls_regval_equal(const rdls_regval *a, const rdls_regval *b);
int rdls_regval_set_sz(rdls_regval *v, uint32_t type, const char *s);
int rdls_regval_set_dword(rdls_regval *v, uint32_t d);
/* strs: n UTF-8 strings. */
int rdls_regval_set_multi(rdls_regval *v, const char *const *strs, size_t n);

/* CRED_TYPE_DOMAIN_PASSWORD and CRED_PERSIST_ENTERPRISE (what cmdkey /add uses). */
#define RDLS_CRED_TYPE_DOMAIN_PASSWORD 2u
#define RDLS_CRED_PERSIST_ENTERPRISE 3u
#define RDLS_CRED_PERSIST_NONE 0u /* CredGetSessionTypes: this type cannot be stored at all */
#define RDLS_CRED_USER_MAX 514
#define RDLS_CRED_CHECK_MAX 256

/*
 * A credential in the NETWORK SERVICE logon context, as CredReadW shows it:
 * never the password. `check` is the value of rdlsctl's own credential
 * attribute (a salted, deliberately slow hash of the secret, see cred_check.h),
 * empty if the credential has none.
 */
typedef struct rdls_cred {
	bool present;
	uint32_t type;
	uint32_t persist;
	char user[RDLS_CRED_USER_MAX];
	char check[RDLS_CRED_CHECK_MAX];
} rdls_cred;

/* Win32_TSLicenseServer publication state. */
enum rdls_ls_pub {
	RDLS_LS_ROLE_ABSENT = 0, /* the class is missing: RD Licensing role not installed */
	RDLS_LS_UNPUBLISHED = 1,
	RDLS_LS_PUBLISHED = 2,
};

/* LookupAccountNameW's SID_NAME_USE, 0 when the name does not map. */
enum rdls_sid_use {
	RDLS_SID_NONE = 0,
	RDLS_SID_USER = 1,
	RDLS_SID_GROUP = 2,
	RDLS_SID_DOMAIN = 3,
	RDLS_SID_ALIAS = 4,
	RDLS_SID_WELL_KNOWN_GROUP = 5,
	RDLS_SID_OTHER = 99,
};

/* The running Windows, from RtlGetVersion and the product type. */
typedef struct rdls_osinfo {
	uint32_t major, minor, build;
	bool server;          /* VER_NT_SERVER or VER_NT_DOMAIN_CONTROLLER */
	bool domain_controller;
	bool domain_joined;
} rdls_osinfo;

/*
 * One license server as Win32_TerminalServiceSetting.FindLicenseServers reports it
 * (a Win32_TSDiscoveredLicenseServer object).
 */
#define RDLS_TS_NAME_MAX 256
typedef struct rdls_ts_ls {
	char name[RDLS_TS_NAME_MAX]; /* LicenseServer */
	uint32_t available;          /* IsLSAvailable: 0 not available, 1 available (RPC works) */
	uint32_t issuing;            /* IssuingCALs: 0 not allowed, 1 allowed, 2 unknown */
	uint32_t admin;              /* IsAdminOnLS: 0 no, 1 yes, 2 unknown */
} rdls_ts_ls;

/*
 * --- who owns and who may change a file or directory: facts for the core's trust
 * decisions (src/trust.c); the backends decide nothing ---
 */
/* What a SID is, as far as trust goes. */
enum rdls_who {
	RDLS_WHO_OTHER = 0,
	RDLS_WHO_ADMINS,            /* BUILTIN\Administrators (S-1-5-32-544) */
	RDLS_WHO_SYSTEM,            /* NT AUTHORITY\SYSTEM (S-1-5-18) */
	RDLS_WHO_TRUSTED_INSTALLER, /* NT SERVICE\TrustedInstaller (runs as SYSTEM) */
	RDLS_WHO_SELF,              /* this process's user (the token's TokenUser) */
	RDLS_WHO_CREATOR,           /* CREATOR OWNER / CREATOR GROUP (S-1-3-0, S-1-3-1) */
	RDLS_WHO_OWNER_RIGHTS,      /* OWNER RIGHTS (S-1-3-4): whoever owns the object */
};

/* Whether a descriptor could be read at all. */
enum rdls_sec_state {
	RDLS_SEC_KNOWN = 0,       /* owner and ACEs below are the object's own */
	RDLS_SEC_UNSUPPORTED = 1, /* the file system keeps no security (no FILE_PERSISTENT_ACLS) */
	RDLS_SEC_UNAVAILABLE = 2, /* it should, yet no owner came back (an empty descriptor) */
};

/* ACCESS_MASK bits (Windows' numbers) that change a file or a directory's entries. */
#define RDLS_ACCESS_WRITE_DATA 0x00000002u   /* FILE_WRITE_DATA, FILE_ADD_FILE */
#define RDLS_ACCESS_APPEND_DATA 0x00000004u  /* FILE_APPEND_DATA, FILE_ADD_SUBDIRECTORY */
#define RDLS_ACCESS_DELETE_CHILD 0x00000040u /* FILE_DELETE_CHILD */
#define RDLS_ACCESS_DELETE 0x00010000u
#define RDLS_ACCESS_WRITE_DAC 0x00040000u
#define RDLS_ACCESS_WRITE_OWNER 0x00080000u
#define RDLS_ACCESS_GENERIC_ALL 0x10000000u
#define RDLS_ACCESS_GENERIC_WRITE 0x40000000u
/* ... and the bits that read a file (who else may read a password file, trust.c). */
#define RDLS_ACCESS_READ_DATA 0x00000001u /* FILE_READ_DATA */
#define RDLS_ACCESS_GENERIC_READ 0x80000000u

#define RDLS_SEC_NAME_MAX 256
#define RDLS_SEC_ACES_MAX 16

typedef struct rdls_sec_ace {
	enum rdls_who who;
	char name[RDLS_SEC_NAME_MAX]; /* "DOMAIN\name", or "S-1-..." when it maps to no account */
	uint32_t mask;
	bool inherit_only;            /* INHERIT_ONLY_ACE: applies to children only */
} rdls_sec_ace;

typedef struct rdls_file_sec {
	bool exists;    /* path_sec: false when nothing is there (nothing below is set) */
	bool reparse;   /* FILE_ATTRIBUTE_REPARSE_POINT: a junction or a symbolic link */
	bool directory; /* FILE_ATTRIBUTE_DIRECTORY */
	enum rdls_sec_state state;
	enum rdls_who owner;
	char owner_name[RDLS_SEC_NAME_MAX];
	bool null_dacl;        /* no DACL: everyone may do everything */
	/* The platform runs every process as one account (Wine): there the process's own
	 * user owns everything rdlsctl made, and counts as trusted. On Windows it does not:
	 * rdlsctl's files are owned by Administrators (O:BA), and a file owned by the user
	 * who runs rdlsctl may come from that user's unelevated processes. */
	bool one_account;
	size_t n_aces;         /* ACCESS_ALLOWED ACEs of the DACL, in order */
	bool more_aces;        /* it has more than RDLS_SEC_ACES_MAX of them: aces[] is partial */
	rdls_sec_ace aces[RDLS_SEC_ACES_MAX];
} rdls_file_sec;

/* A policy value that a domain GPO sets and that wins (RSOP precedence 1). */
#define RDLS_GPO_NAME_MAX 256
typedef struct rdls_gpo_setting {
	char value[RDLS_GPO_NAME_MAX]; /* valueName */
	char gpo[RDLS_GPO_NAME_MAX];   /* the GPO's display name (RSOP_GPO.name), or its id */
} rdls_gpo_setting;

/*
 * One Win32_TSLicenseKeyPack instance (an installed CAL pack) as the provider reports it;
 * the core interprets the numbers (diag_lsstate.c). Strings are UTF-8, truncated to fit.
 */
#define RDLS_KEYPACK_STR_MAX 128
typedef struct rdls_keypack {
	uint32_t id;                /* KeyPackId */
	uint32_t type;              /* KeyPackType: 0 unknown, 1 retail, 2 volume, 3 concurrent,
				     * 4 temporary, 5 open license, 6 not supported */
	uint32_t product_type;      /* ProductType: 0 per device, 1 per user, 2 not valid */
	uint32_t version_id;        /* ProductVersionID */
	uint32_t total, issued, available; /* TotalLicenses, IssuedLicenses, AvailableLicenses */
	char version[RDLS_KEYPACK_STR_MAX];     /* ProductVersion, e.g. "Windows Server 2019" */
	char description[RDLS_KEYPACK_STR_MAX]; /* Description */
	char type_model[RDLS_KEYPACK_STR_MAX];  /* TypeAndModel, e.g. "RDS Per User CAL" */
} rdls_keypack;

/* GetActivationStatus's ActivationStatus. */
enum { RDLS_LS_ACTIVATED = 0, RDLS_LS_NOT_ACTIVATED = 1, RDLS_LS_ACTIVATION_UNKNOWN = 2 };

/*
 * One event that event_query found (diagnose's event log checks): its EventID and
 * TimeCreated (a FILETIME: 100-ns intervals since 1601-01-01 UTC). text is the event's
 * message (EvtFormatMessage, UTF-8) only in the second call for an event whose first call
 * asked for it; text_err says why that message could not be formatted (then text is NULL).
 */
typedef struct rdls_logevt {
	uint32_t id;
	uint64_t time;
	const char *text;
	const rdls_err *text_err;
} rdls_logevt;
/* What event_query's callback answers: go on, give me this event's message, stop. */
enum { RDLS_LOGEVT_NEXT = 0, RDLS_LOGEVT_TEXT = 1, RDLS_LOGEVT_STOP = 2 };
typedef int (*rdls_logevt_fn)(void *arg, const rdls_logevt *ev);
/* ERROR_EVT_CHANNEL_NOT_FOUND: the channel does not exist on this computer. */
#define RDLS_LOGEVT_CHANNEL_NOT_FOUND 15007u
#define RDLS_LOGEVT_DAYS_MAX 365u

struct rdls_sys_ops {
	/* --- local accounts (netapi32) --- */
	int (*user_get)(void *ctx, const char *user, bool *exists, rdls_err *err);
	/* USER_INFO_1, USER_PRIV_USER, UF_SCRIPT|UF_DONT_EXPIRE_PASSWD|UF_PASSWD_CANT_CHANGE */
	int (*user_add)(void *ctx, const char *user, const rdls_secret *password, rdls_err *err);
	int (*user_del)(void *ctx, const char *user, rdls_err *err);
	int (*group_get)(void *ctx, const char *group, bool *exists, rdls_err *err);
	int (*group_add)(void *ctx, const char *group, const char *comment, rdls_err *err);
	int (*group_del)(void *ctx, const char *group, rdls_err *err);
	/* member is "HOST\user". A missing group yields *is_member = false, not an error. */
	int (*member_get)(void *ctx, const char *group, const char *member, bool *is_member,
			  rdls_err *err);
	int (*member_add)(void *ctx, const char *group, const char *member, rdls_err *err);
	int (*member_del)(void *ctx, const char *group, const char *member, rdls_err *err);
	/* LookupAccountNameW: what kind of account `name` ("HOST\group") resolves to. */
	int (*account_lookup)(void *ctx, const char *name, enum rdls_sid_use *use, rdls_err *err);

	/* --- registry, always HKEY_LOCAL_MACHINE; key is "SYSTEM\\..." --- */
	/* A missing key or value yields out->present = false. */
	int (*reg_get)(void *ctx, const char *key, const char *name, rdls_regval *out,
		       rdls_err *err);
	/* Creates the key if needed. */
	int (*reg_set)(void *ctx, const char *key, const char *name, const rdls_regval *v,
		       rdls_err *err);
	/* Deleting a value that does not exist succeeds. */
	int (*reg_del)(void *ctx, const char *key, const char *name, rdls_err *err);

	/* --- credentials in the NT AUTHORITY\NETWORK SERVICE logon context --- */
	int (*cred_get)(void *ctx, const char *target, rdls_cred *out, rdls_err *err);
	/* Writes CRED_TYPE_DOMAIN_PASSWORD, CRED_PERSIST_ENTERPRISE, with `check` as attribute. */
	int (*cred_put)(void *ctx, const char *target, const char *user, const rdls_secret *pw,
			const char *check, rdls_err *err);
	/* Deleting a credential that does not exist succeeds. */
	int (*cred_del)(void *ctx, const char *target, rdls_err *err);

	/* --- Win32_TSLicenseServer (WMI root\cimv2) --- */
	int (*ls_pub_get)(void *ctx, enum rdls_ls_pub *state, rdls_err *err);
	int (*ls_pub_set)(void *ctx, bool publish, rdls_err *err); /* PublishLS / UnpublishLS */
	int (*ls_on_dc)(void *ctx, bool *on_dc, rdls_err *err);    /* IsLSonDC */

	/* --- the host --- */
	int (*host_name)(void *ctx, char *buf, size_t n, rdls_err *err); /* NetBIOS name */
	int (*os_info)(void *ctx, rdls_osinfo *out, rdls_err *err);
	int (*is_elevated)(void *ctx, bool *elevated, rdls_err *err);
	/* System-wide lock for apply/rollback: *busy = true if another holder exists. */
	int (*lock_acquire)(void *ctx, bool *busy, rdls_err *err);
	void (*lock_release)(void *ctx);
	int (*random)(void *ctx, void *buf, size_t n, rdls_err *err);
	/* The environment variable `name` as a secret; *found = false if it is not set. */
	int (*env_secret)(void *ctx, const char *name, rdls_secret **out, bool *found,
			  rdls_err *err);
	/* Reads a secret from the console without echo. */
	int (*prompt_secret)(void *ctx, const char *prompt, rdls_secret **out, rdls_err *err);
	/* %ProgramData%\rdlsctl\journal (created if missing), as a path fopen accepts. */
	int (*journal_dir)(void *ctx, char *buf, size_t n, rdls_err *err);

	/* --- files: UTF-8 paths (the backend converts for _wfopen) --- */
	FILE *(*file_open)(void *ctx, const char *path, const char *mode, rdls_err *err);
	/* fflush + fsync / FlushFileBuffers: the record is on disk when this returns 0. */
	int (*file_sync)(void *ctx, FILE *f, const char *path, rdls_err *err);
	/*
	 * --- diagnose (src/win32/netprobe.c, tswmi.c); read-only. A backend may leave
	 * any of these NULL: diagnose then reports the check as not run. ---
	 */
	/* GetAddrInfoW. A name that does not resolve (WSAHOST_NOT_FOUND, WSANO_DATA) is
	 * *found = false, not a failure; otherwise addr receives the first address as text. */
	int (*name_resolve)(void *ctx, const char *name, bool *found, char *addr, size_t n,
			    rdls_err *err);
	/* TCP connect to host:port (each address GetAddrInfoW gives, timeout_ms each).
	 * *open = false when refused or timed out; a name that does not resolve fails. */
	int (*tcp_probe)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
			 bool *open, rdls_err *err);
	/* Win32_TerminalServiceSetting in root\CIMv2\TerminalServices, connected with
	 * packet privacy. A missing namespace or class fails with the WBEM code
	 * (0x8004100E invalid namespace, 0x80041010 invalid class, 0x80041002 not found);
	 * a method's nonzero ReturnValue fails with that value. */
	int (*ts_grace_days)(void *ctx, uint32_t *days_left, rdls_err *err); /* GetGracePeriodDays */
	/* FindLicenseServers: writes at most max entries, *count = how many it found. */
	int (*ts_find_ls)(void *ctx, rdls_ts_ls *out, size_t max, size_t *count, rdls_err *err);
	/* GetTStoLSConnectivityStatus(ServerName): one of the LS_* values (diagnose.h). */
	int (*ts_connectivity)(void *ctx, const char *server, uint32_t *status, rdls_err *err);
	/* PingLicenseServer(ServerName): S_OK -> *valid = true, S_FALSE -> false. Windows
	 * Server 2008 only: Microsoft removed it (and CanAccessLicenseServer) in 2008 R2. */
	int (*ts_ping_ls)(void *ctx, const char *server, bool *valid, rdls_err *err);

	/*
	 * --- registry keys, HKEY_LOCAL_MACHINE, 64-bit view (res_regkey.c): apply creates
	 * the keys its values need as steps of their own, so that rollback can delete
	 * them again instead of leaving empty keys behind. ---
	 */
	/* RegOpenKeyExW(KEY_READ): a missing key (ERROR_FILE_NOT_FOUND) is *exists = false. */
	int (*reg_key_get)(void *ctx, const char *key, bool *exists, rdls_err *err);
	/* RegCreateKeyExW of `key` (its parent exists: the planner creates outer levels
	 * first). Creating a key that exists succeeds. */
	int (*reg_key_create)(void *ctx, const char *key, rdls_err *err);
	/*
	 * Deletes `key` only if it has no values and no subkeys (RegQueryInfoKeyW, then
	 * RegDeleteKeyExW). A key that is already gone succeeds. A key that is not empty
	 * is left as it is and reported through *not_empty = true, returning 0: nothing
	 * someone else put there is ever deleted with it.
	 */
	int (*reg_key_del)(void *ctx, const char *key, bool *not_empty, rdls_err *err);

	/*
	 * --- preconditions of plan and apply (src/precond.c) ---
	 */
	/* OpenSCManagerW(SC_MANAGER_CONNECT) + OpenServiceW(SERVICE_QUERY_STATUS) of the service
	 * `name`: ERROR_SERVICE_DOES_NOT_EXIST is *exists = false; any other failure fails. */
	int (*service_exists)(void *ctx, const char *name, bool *exists, rdls_err *err);
	/* CredGetSessionTypes in the NT AUTHORITY\NETWORK SERVICE logon context: the most
	 * persistent CRED_PERSIST_* value allowed for CRED_TYPE_DOMAIN_PASSWORD (*persist =
	 * RDLS_CRED_PERSIST_NONE: such credentials cannot be stored). Optional: NULL where the
	 * backend cannot ask; the core then judges by the policy value alone. */
	int (*cred_persist_max)(void *ctx, uint32_t *persist, rdls_err *err);

	/*
	 * --- cryptography from the platform (cred_check.c): CNG on Windows, OpenSSL's
	 * libcrypto natively; rdlsctl carries no hash code of its own. ---
	 * PBKDF2 with HMAC-SHA-256 (RFC 8018) of pw under salt: writes outlen bytes to out.
	 * Any bytes in pw and salt; pw and salt may be empty. iterations == 0 fails (CNG:
	 * STATUS_INVALID_PARAMETER 0xC000000D), and so does a length the platform's call
	 * cannot take (CNG: above 0xFFFFFFFF, 87 ERROR_INVALID_PARAMETER; OpenSSL: above
	 * INT_MAX, EINVAL). On failure out is zeroed.
	 */
	int (*pbkdf2_sha256)(void *ctx, const void *pw, size_t pwlen, const void *salt,
			     size_t saltlen, uint32_t iterations, void *out, size_t outlen,
			     rdls_err *err);

	/*
	 * --- trust in rdlsctl's own files (src/trust.c decides; these report facts).
	 * Paths are UTF-8, as file_open takes them. ---
	 */
	/* %ProgramData%\rdlsctl, the parent of the journal directory; nothing is created. */
	int (*data_dir)(void *ctx, char *buf, size_t n, rdls_err *err);
	/* The folder this program's executable was loaded from (GetModuleFileNameW). */
	int (*exe_dir)(void *ctx, char *buf, size_t n, rdls_err *err);
	/* Owner, DACL and attributes of `path` itself, opened without following a
	 * reparse point (CreateFileW, FILE_FLAG_OPEN_REPARSE_POINT |
	 * FILE_FLAG_BACKUP_SEMANTICS; GetFileInformationByHandle; GetSecurityInfo).
	 * Nothing there: out->exists = false, returning 0. */
	int (*path_sec)(void *ctx, const char *path, rdls_file_sec *out, rdls_err *err);
	/* The same for the open file f (named path in messages), from its handle. */
	int (*file_sec)(void *ctx, FILE *f, const char *path, rdls_file_sec *out, rdls_err *err);
	/* Creates `path` exclusively (CREATE_NEW) with the descriptor
	 * O:BAD:P(A;;FA;;;BA)(A;;FA;;;SY) and opens it for appending. A path that exists
	 * is *exists = true, returning NULL without an error. */
	FILE *(*file_create_new)(void *ctx, const char *path, bool *exists, rdls_err *err);
	/* CreateDirectoryW with O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY). One that exists is
	 * *exists = true and left exactly as it is. */
	int (*dir_create)(void *ctx, const char *path, bool *exists, rdls_err *err);
	/* The names in directory `path`, without "." and "..": *names (malloc'd, each
	 * and the array) holds *n of them. */
	int (*dir_list)(void *ctx, const char *path, char ***names, size_t *n, rdls_err *err);
	/* MoveFileExW(from, to, 0): renames, never replaces. */
	int (*path_rename)(void *ctx, const char *from, const char *to, rdls_err *err);
	/* After lock_acquire said busy: the owner of the lock object the other holder has
	 * (its security descriptor's owner). */
	int (*lock_owner)(void *ctx, enum rdls_who *who, char *name, size_t n, rdls_err *err);

	/*
	 * SHA-256 (FIPS 180-4) of len bytes at data into out (saved plans, planfile.c): CNG's
	 * BCryptHash on Windows, OpenSSL's EVP_Digest natively. len may be 0 (data may then be
	 * NULL); a length the platform's call cannot take fails (CNG: above 0xFFFFFFFF, 87
	 * ERROR_INVALID_PARAMETER). On failure out is zeroed.
	 */
	int (*sha256)(void *ctx, const void *data, size_t len, unsigned char out[32], rdls_err *err);

	/*
	 * --- the local Group Policy object (res_gpofile.c); paths are UTF-8 ---
	 */
	/* %SystemRoot%\System32\GroupPolicy (GetSystemDirectoryW), without a trailing
	 * separator; the directory need not exist. */
	int (*gpo_dir)(void *ctx, char *buf, size_t n, rdls_err *err);
	/* The whole file: *exists = false when it or its directory is missing
	 * (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND). A file larger than max fails with
	 * ERROR_FILE_TOO_LARGE (223). *data (malloc, NULL when empty) and *len. */
	int (*file_read)(void *ctx, const char *path, size_t max, unsigned char **data,
			 size_t *len, bool *exists, rdls_err *err);
	/* Replaces path atomically: a temporary file beside it, written and flushed, then
	 * MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH). The file's
	 * directory and its parent are created when missing (CreateDirectoryW). */
	int (*file_write)(void *ctx, const char *path, const void *data, size_t len,
			  rdls_err *err);
	/* DeleteFileW; a file that is already gone succeeds. */
	int (*file_delete)(void *ctx, const char *path, rdls_err *err);
	/* RSOP (WMI root\rsop\computer): the values under HKLM\key that a GPO other than
	 * the local one sets with precedence 1 (RSOP_RegistryPolicySetting), each with its
	 * GPO's name (RSOP_GPO). At most max entries, *count = how many there are.
	 * Optional (NULL: not available); it fails where there is no RSOP data. */
	int (*gpo_domain_settings)(void *ctx, const char *key, rdls_gpo_setting *out, size_t max,
				   size_t *count, rdls_err *err);

	/*
	 * --- password rotation (res_password.c) ---
	 * NetUserSetInfo level 1003 (USER_INFO_1003): sets the local user's password to pw.
	 * A missing user fails with NERR_UserNotFound (2221). Windows never reveals the old
	 * password, so this cannot be undone.
	 */
	int (*user_set_password)(void *ctx, const char *user, const rdls_secret *pw,
				 rdls_err *err);

	/*
	 * --- the audit trail in the Application event log (audit.c) ---
	 * Optional (NULL: no event log, as in the native build): the core then writes none.
	 */
	/* The account this process runs as, "DOMAIN\user" (the token user, LookupAccountSidW). */
	int (*process_user)(void *ctx, char *buf, size_t n, rdls_err *err);
	/* Registers the event source "rdlsctl" under HKLM\SYSTEM\CurrentControlSet\Services\
	 * EventLog\Application\rdlsctl (EventMessageFile: an admin-only copy of this program,
	 * which holds the message table; TypesSupported), unless it is registered so already.
	 * Needs elevation to register; never undone. */
	int (*event_register)(void *ctx, rdls_err *err);
	/* ReportEventW of event `id` (RDLS_EVT_* of audit.h) with type RDLS_EVENT_* and n UTF-8
	 * insertion strings (%1 ... %n of the message), under the source "rdlsctl". */
	int (*event_write)(void *ctx, uint16_t type, uint32_t id, const char *const *strings,
			   size_t n, rdls_err *err);

	/*
	 * --- the license server's own state (diag_lsstate.c); read-only. Win32_TSLicenseServer
	 * methods are called as wmi.c calls IsLSPublished (rdls/lswmi.h). Where the class is
	 * missing (the RD Licensing role is not installed) each fails with the WBEM code
	 * (0x80041010 invalid class, 0x80041002 not found); a method's nonzero ReturnValue
	 * fails with that value. Optional: NULL where the backend cannot ask. ---
	 */
	/* GetActivationStatus([out] uint32 ActivationStatus): RDLS_LS_ACTIVATED, ... */
	int (*ls_activation_get)(void *ctx, uint32_t *status, rdls_err *err);
	/* Every instance of Win32_TSLicenseKeyPack: writes at most max, *count = how many exist. */
	int (*ls_keypacks_get)(void *ctx, rdls_keypack *out, size_t max, size_t *count,
			       rdls_err *err);
	/* IsLSinTSLSGroup(Domain not given: the license server's own domain), [out] IsMember:
	 * membership in the domain's "Terminal Server License Servers" group. */
	int (*ls_in_tsls_group)(void *ctx, bool *member, rdls_err *err);
	/* IsLSSecGrpGPEnabled([out] Enabled): the "License server security group" policy. */
	int (*ls_secgrp_gp)(void *ctx, bool *enabled, rdls_err *err);

	/*
	 * --- diagnose: more read-only sources (src/win32/netprobe.c, tswmi.c). Optional: a
	 * backend may leave them NULL, and the check reports itself as not run. ---
	 */
	/* WaitNamedPipeW(\\server\pipe\name, timeout_ms), which waits for a free instance
	 * and never opens the pipe: 0 when one is free; otherwise -1 with the call's own code in
	 * err (ERROR_SEM_TIMEOUT every instance busy, ERROR_FILE_NOT_FOUND no such pipe,
	 * ERROR_BAD_NETPATH the server is not reached, ERROR_ACCESS_DENIED ...). The backend
	 * judges nothing: the core reads the code. timeout_ms 0 is taken as 1. */
	int (*pipe_probe)(void *ctx, const char *server, const char *pipe, uint32_t timeout_ms,
			  rdls_err *err);
	/* Win32_TerminalServiceSetting (as ts_grace_days): its LicensingType (0 personal RD
	 * Session Host, 1 Remote Desktop for Administration, 2 per device, 4 per user,
	 * 5 not configured) and PolicySourceLicensingType properties. */
	int (*ts_licensing)(void *ctx, uint32_t *type, uint32_t *policy_source, rdls_err *err);
	/* GetSpecifiedLicenseServerList: the names of SpecifiedLSList, at most max of them into
	 * out; *count = how many there are. */
	int (*ts_specified_ls)(void *ctx, char (*out)[RDLS_TS_NAME_MAX], size_t max, size_t *count,
			       rdls_err *err);

	/*
	 * --- the clock, the environment and the process: the core reads none of them
	 * itself (docs/HACKING.md, "The one rule") ---
	 */
	/* The time now, in seconds since 1970-01-01T00:00:00Z (GetSystemTimeAsFileTime). */
	int (*clock_now)(void *ctx, int64_t *secs, rdls_err *err);
	/* The environment variable `name` (GetEnvironmentVariableW), for the test switches of
	 * test builds; secrets go through env_secret. Not set: *found = false, returning 0;
	 * a value longer than n - 1 bytes fails (ERROR_INSUFFICIENT_BUFFER, 122). */
	int (*env_get)(void *ctx, const char *name, char *buf, size_t n, bool *found,
		       rdls_err *err);
	/* Ends this process at once with exit code `code`, as a power cut would: no
	 * handlers, no flushing (TerminateProcess; SIGKILL). Test builds' crash points only.
	 * Returns only where the process cannot be ended (the fake records the call). */
	void (*process_kill)(void *ctx, uint32_t code);

	/*
	 * --- diagnose's event log checks (src/diag_events.c); read-only. Optional (NULL:
	 * the checks are not run). ---
	 * EvtQuery of `channel` (EvtQueryChannelPath | EvtQueryReverseDirection: newest first)
	 * for the events of any of the n_providers providers (Provider/@Name) with any of the
	 * n_ids EventIDs created in the last `days` days (TimeCreated[timediff(@SystemTime) <=
	 * days * 86400000]); fn is called once for each (ev.text NULL) and, when it answers
	 * RDLS_LOGEVT_TEXT, once more with the event's message or the reason there is none; it
	 * ends the query early with RDLS_LOGEVT_STOP. A channel that does not exist fails with
	 * RDLS_LOGEVT_CHANNEL_NOT_FOUND; an empty name or one holding a quote fails with 87
	 * (ERROR_INVALID_PARAMETER), days outside 1..RDLS_LOGEVT_DAYS_MAX too.
	 */
	int (*event_query)(void *ctx, const char *channel, const char *const *providers,
			   size_t n_providers, const uint32_t *ids, size_t n_ids, uint32_t days,
			   rdls_logevt_fn fn, void *arg, rdls_err *err);
};

/* Event types: EVENTLOG_ERROR_TYPE, EVENTLOG_WARNING_TYPE, EVENTLOG_INFORMATION_TYPE. */
#define RDLS_EVENT_ERROR 0x0001u
#define RDLS_EVENT_WARNING 0x0002u
#define RDLS_EVENT_INFO 0x0004u

struct rdls_sys {
	const struct rdls_sys_ops *ops;
	void *ctx;
};

#endif
