/*
 * An in-memory machine implementing the system interface (include/rdls/sys.h)
 * with the same results and error codes as the Win32 backend, plus failure
 * injection and a canonical snapshot for "the machine equals its state before".
 */
#ifndef RDLS_FAKE_SYS_H
#define RDLS_FAKE_SYS_H

#include <stdbool.h>
#include <stdint.h>

#include "rdls/sys.h"

struct fake_sys;

struct fake_sys *fake_sys_new(const char *hostname);
void fake_sys_free(struct fake_sys *f);
/* The interface to hand to the core; valid while f lives. */
struct rdls_sys fake_sys_iface(struct fake_sys *f);

/* --- seeding the machine (all names case-insensitive, as on Windows) --- */
void fake_add_user(struct fake_sys *f, const char *user, const char *password);
void fake_add_group(struct fake_sys *f, const char *group);
void fake_add_member(struct fake_sys *f, const char *group, const char *member);
void fake_set_reg(struct fake_sys *f, const char *key, const char *name, const rdls_regval *v);
void fake_set_reg_sz(struct fake_sys *f, const char *key, const char *name, uint32_t type,
		     const char *s);
void fake_set_reg_dword(struct fake_sys *f, const char *key, const char *name, uint32_t d);
void fake_set_cred(struct fake_sys *f, const char *target, const char *user, const char *check);
void fake_set_ls_pub(struct fake_sys *f, enum rdls_ls_pub state);
void fake_set_on_dc(struct fake_sys *f, bool on_dc);
void fake_set_elevated(struct fake_sys *f, bool elevated);
void fake_set_os(struct fake_sys *f, const rdls_osinfo *os);
void fake_set_env(struct fake_sys *f, const char *name, const char *value);
void fake_set_prompt_answer(struct fake_sys *f, const char *answer); /* NULL: prompt fails */
void fake_set_lock_busy(struct fake_sys *f, bool busy);
/* Makes a registry key read-only (reg_set/reg_del under it fail with 5, access denied). */
void fake_deny_key(struct fake_sys *f, const char *key);
/* Makes `name` resolve with account_lookup to `use` (groups resolve to ALIAS by default). */
void fake_set_lookup(struct fake_sys *f, const char *name, enum rdls_sid_use use);

/* --- inspecting it --- */
bool fake_has_user(struct fake_sys *f, const char *user);
const char *fake_user_password(struct fake_sys *f, const char *user); /* NULL if no user */
bool fake_has_group(struct fake_sys *f, const char *group);
bool fake_is_member(struct fake_sys *f, const char *group, const char *member);
/* Borrowed pointer into the fake, or NULL when absent. */
const rdls_regval *fake_get_reg(struct fake_sys *f, const char *key, const char *name);
const rdls_cred *fake_get_cred(struct fake_sys *f, const char *target);
/* The password last written for target, or NULL. */
const char *fake_cred_password(struct fake_sys *f, const char *target);
enum rdls_ls_pub fake_get_ls_pub(struct fake_sys *f);

/*
 * The whole machine as canonical text (sorted, names case-folded, registry data
 * in hex, credential passwords included): two machines are equal iff their
 * snapshots are. Caller frees.
 */
char *fake_snapshot(struct fake_sys *f);

/* --- counting and failure injection --- */
/* Calls of one operation by its sys.h name ("reg_set", "cred_put", ...). */
unsigned fake_calls(struct fake_sys *f, const char *op);
/* Calls of every operation that changes the machine (add/del/set/put/publish). */
unsigned fake_writes(struct fake_sys *f);
/*
 * The n-th (1-based, counted from now) call of `op` fails with Win32 error
 * `code` and changes nothing. op "write" means any changing operation.
 * One injection at a time; n = 0 clears it.
 */
void fake_fail_nth(struct fake_sys *f, const char *op, unsigned n, uint32_t code);

/*
 * Behaviour worth knowing (all as on Windows):
 *   - a new fake is Windows Server 2019 (10.0.17763), elevated, not on a DC, with
 *     the RD Licensing role installed and unpublished, lock free, no prompt answer;
 *   - members are "HOST\user"; a member without "HOST\" means this host's account;
 *     member_add of a local user that does not exist fails with 1387
 *     (ERROR_NO_SUCH_MEMBER), member_del of one succeeds (its membership is gone, as
 *     src/win32/netapi.c treats 1387); deleting a user or a group drops its memberships;
 *   - users and groups share one name space (user_add of a group's name: 2223,
 *     group_add of a user's name: 2224); fake_add_member creates a missing group;
 *   - ls_on_dc and ls_pub_set fail with 0x80041010 when the role is absent;
 *   - reg_set of a value that breaks sys.h's encoding rules fails with 87;
 *   - random is a counter-based generator: the same bytes in every run;
 *   - fake_calls(f, "write") == fake_writes(f); unknown op names abort the test.
 *
 * As src/win32/netapi.c and sys.h: removing what is already gone succeeds
 * (user_del, group_del, member_del of a non-member or of a missing group), and
 * member_add of a member succeeds (Windows' ERROR_MEMBER_IN_ALIAS); group_add of
 * an existing group fails with 1379 (ERROR_ALIAS_EXISTS), as NetLocalGroupAdd does.
 * A core that deletes what it did not create is caught by snapshot comparisons,
 * not by error codes the real backend never returns.
 * API names and objects in errors are the backend's, except reg_get's "RegGetValueW"
 * (the backend reports RegOpenKeyExW / RegQueryValueExW), kept because tests use it.
 */

/* journal_dir's answer. By default a directory made on first use under $TMPDIR
 * (or /tmp) and removed, with its files, by fake_sys_free; a directory set here
 * is left alone. NULL returns to the default. */
void fake_set_journal_dir(struct fake_sys *f, const char *dir);
/* true between a successful lock_acquire (not busy) and lock_release. */
bool fake_lock_held(struct fake_sys *f);

/*
 * --- diagnose's read-only operations ---
 * By default no name resolves, no port is open, Win32_TerminalServiceSetting is
 * there with a 120-day grace period and no discovered license server, every server
 * is LS_NOT_CONNECTABLE (6), and PingLicenseServer fails with 0x8004102E (invalid
 * method, from IWbemClassObject::GetMethod as in the backend) unless the OS is 6.0
 * (Windows Server 2008), where it answers not valid.
 * tcp_probe of a name that does not resolve fails with 11001 (WSAHOST_NOT_FOUND).
 */
void fake_set_dns(struct fake_sys *f, const char *name, const char *addr); /* NULL: unresolvable */
void fake_set_tcp_open(struct fake_sys *f, const char *host, uint16_t port, bool open);
/* 0: the class is there; otherwise every ts_* op fails with this code (e.g. 0x8004100E). */
void fake_set_ts_wmi(struct fake_sys *f, uint32_t hresult);
void fake_set_grace_days(struct fake_sys *f, uint32_t days);
void fake_add_ts_ls(struct fake_sys *f, const rdls_ts_ls *ls);
void fake_set_ts_connectivity(struct fake_sys *f, const char *server, uint32_t status);
void fake_set_ts_ping(struct fake_sys *f, const char *server, bool valid);
/*
 * pipe_probe answers WaitNamedPipeW's code seeded for the host (0: a free instance, 121
 * all busy, 2 no such pipe, 5 access denied, ...); an unseeded host fails with 53
 * (ERROR_BAD_NETPATH). ts_licensing answers the mode Remote Desktop Services would use
 * (the policy's LicensingMode, else RCM\Licensing Core's, else 5 not configured; source 1
 * from the policy), ts_specified_ls the policy's LicenseServers, else the Connection
 * Broker's SpecifiedLicenseServers, unless seeded below; both fail like every ts_* op
 * with fake_set_ts_wmi's code.
 */
void fake_set_pipe(struct fake_sys *f, const char *host, uint32_t code);
void fake_set_ts_licensing(struct fake_sys *f, uint32_t type, uint32_t policy_source);
/* Comma-separated names ("" none); NULL: back to the registry's lists. */
void fake_set_ts_specified(struct fake_sys *f, const char *list);
/* Makes this machine's interface lack `op` (NULL in its ops table), as a backend may. */
void fake_drop_op(struct fake_sys *f, const char *op);

/*
 * --- registry keys (reg_key_get, reg_key_create, reg_key_del) ---
 * Keys are tracked explicitly, as on Windows: a key exists once created (by
 * reg_key_create, by reg_set, which creates a missing key and its missing parents as
 * RegCreateKeyExW does, or by seeding) until reg_key_del deletes it, and deleting
 * its last value leaves it in place. A new fake has the keys every Windows Server has
 * (SYSTEM\CurrentControlSet\Services, SOFTWARE\Policies\Microsoft, and their
 * parents) and none of rdlsctl's below them. fake_snapshot lists every key, so an
 * empty key left behind makes two snapshots differ. reg_key_del leaves a key with a
 * value or a subkey (*not_empty), and fails with 5 on a key fake_deny_key made
 * read-only; reg_key_create fails with 5 under a read-only parent.
 */
/* Creates key and its missing parents (seeding; fake_set_reg creates the key too). */
void fake_add_reg_key(struct fake_sys *f, const char *key);
bool fake_has_reg_key(struct fake_sys *f, const char *key);

/*
 * --- preconditions (service_exists, cred_persist_max) ---
 * A new fake has the service TermServLicensing (the RD Licensing role; independent of
 * fake_set_ls_pub, which is its WMI class) and answers CRED_PERSIST_ENTERPRISE for domain
 * passwords. service_exists of a missing service is *exists = false (the backend's
 * ERROR_SERVICE_DOES_NOT_EXIST, 1060); DisableDomainCreds is an ordinary registry value:
 * seed it with fake_set_reg_dword.
 */
void fake_set_service(struct fake_sys *f, const char *name, bool exists);
void fake_set_cred_persist(struct fake_sys *f, uint32_t persist);

/*
 * --- pbkdf2_sha256 ---
 * CNG's argument checks and codes (iterations 0: 0xC000000D STATUS_INVALID_PARAMETER
 * from "BCryptDeriveKeyPBKDF2"; a length above 32 bits: 87), then the native build's
 * OpenSSL wrapper (src/posix/crypto.c) computes, so the answers are real. Not a write;
 * fake_fail_nth(f, "pbkdf2_sha256", n, code) and fake_drop_op apply as to every op.
 *
 * --- sha256 ---
 * CNG's length check (above 32 bits: 87 from "BCryptHash"), then OpenSSL's EVP_Digest
 * computes (the same wrapper as the native build). Not a write; failure injection as above.
 */

/*
 * --- trust in rdlsctl's own files (data_dir, exe_dir, path_sec, file_sec,
 * file_create_new, dir_create, dir_list, path_rename, lock_owner) ---
 * The directories are real ones: data_dir is journal_dir's parent (by default
 * <tmp>/rdls-fake-journal-XXXX/rdlsctl, journal_dir below it as "journal"; nothing is
 * created until asked), exe_dir is <that tmp dir>/bin. path_sec and file_sec answer
 * from the disk (lstat: a missing path does not exist, a symbolic link is a reparse
 * point) with fake_file_sec_default's facts, unless a test seeded a path's facts with
 * fake_set_file_sec (its `exists` is still the disk's). file_create_new and dir_create
 * drop a seeded entry of what they create; path_rename moves the entries of what it
 * renames. None of them counts as a write (they are rdlsctl's bookkeeping, like
 * file_open), and fake_snapshot does not show files.
 */
/* Owner Administrators; Administrators and SYSTEM full control (0x1f01ff). */
void fake_file_sec_default(rdls_file_sec *sec, bool directory);
void fake_set_file_sec(struct fake_sys *f, const char *path, const rdls_file_sec *sec);
/* The lock is busy, held through an object `owner` (an ordinary account) owns;
 * lock_owner names it. NULL: lock free again. */
void fake_set_lock_squatter(struct fake_sys *f, const char *owner);

/*
 * --- the local Group Policy object (gpo_dir, file_read, file_write, file_delete,
 * gpo_domain_settings) ---
 * gpo_dir is C:\Windows\System32\GroupPolicy; files are kept by their full path
 * (compared ignoring case); a new fake has none. file_read of a file above max fails
 * with 223 (ERROR_FILE_TOO_LARGE) from GetFileSizeEx; file_write and file_delete are
 * writes (fake_fail_nth's "write" includes them). fake_snapshot lists every file in
 * hex, except that a gpt.ini's Version value is masked: it only ever grows.
 * gpo_domain_settings answers what fake_add_gpo_setting seeded, for the session host
 * policy key only; fake_drop_op(f, "gpo_domain_settings") makes RSOP unavailable.
 */
#define FAKE_GPO_REGPOL "C:\\Windows\\System32\\GroupPolicy\\Machine\\Registry.pol"
#define FAKE_GPO_GPTINI "C:\\Windows\\System32\\GroupPolicy\\gpt.ini"
/* data NULL: the file does not exist. */
void fake_set_file(struct fake_sys *f, const char *path, const void *data, size_t len);
/* Borrowed, or NULL when the file does not exist. */
const unsigned char *fake_get_file(struct fake_sys *f, const char *path, size_t *len);
void fake_add_gpo_setting(struct fake_sys *f, const char *value, const char *gpo);
/* Both files as apply writes them into an empty local GPO: LicenseServers = servers,
 * LicensingMode = mode (a session host converged in its local GPO). */
void fake_seed_local_gpo(struct fake_sys *f, const char *servers, uint32_t mode);

/*
 * --- password rotation and the Application event log ---
 * user_set_password (a write) replaces a user's password (fake_user_password shows it);
 * a missing user fails with 2221 (NERR_UserNotFound) from "NetUserSetInfo".
 * process_user answers "<host>\\Administrator" unless set. event_register succeeds when
 * elevated or already registered, else fails with 5 from "RegCreateKeyExW"; event_write
 * records every event in order. Neither event op counts as a write (the event log is not
 * state apply manages, and fake_snapshot does not show it); both can be failed with
 * fake_fail_nth like every op.
 */
size_t fake_event_count(struct fake_sys *f);
uint32_t fake_event_id(struct fake_sys *f, size_t i);   /* 0-based, in the order written */
uint16_t fake_event_type(struct fake_sys *f, size_t i); /* RDLS_EVENT_* */
size_t fake_event_nstrings(struct fake_sys *f, size_t i);
const char *fake_event_string(struct fake_sys *f, size_t i, size_t k); /* %k+1 */
/* "1000 1001 1003": every event's id, space-separated. Caller frees. */
char *fake_event_ids(struct fake_sys *f);
bool fake_event_registered(struct fake_sys *f);

/*
 * --- the clock, the environment, the process ---
 * clock_now answers FAKE_NOW (2024-07-03T12:00:00Z) until fake_set_now, so no test
 * depends on the clock. env_get reads what fake_set_env set (the same variables as
 * env_secret). process_kill ends nothing: it records the call, fake_killed tells it.
 */
#define FAKE_NOW INT64_C(1720008000)
void fake_set_now(struct fake_sys *f, int64_t secs);
bool fake_killed(struct fake_sys *f, uint32_t *code);
void fake_set_event_registered(struct fake_sys *f, bool registered);
void fake_set_process_user(struct fake_sys *f, const char *user); /* NULL: the default */

/*
 * --- the license server's state (ls_activation_get, ls_keypacks_get, ls_in_tsls_group,
 * ls_secgrp_gp) ---
 * A new fake is activated (RDLS_LS_ACTIVATED), has no CAL pack, is a member of the domain's
 * Terminal Server License Servers group, and the "License server security group" policy is
 * not enabled. With fake_set_ls_pub(RDLS_LS_ROLE_ABSENT) every one of them fails with
 * 0x80041010 (WBEM_E_INVALID_CLASS), as where the role is not installed.
 */
void fake_set_ls_activation(struct fake_sys *f, uint32_t status); /* RDLS_LS_ACTIVATED, ... */
void fake_add_keypack(struct fake_sys *f, const rdls_keypack *k);
void fake_set_ls_tsls_group(struct fake_sys *f, bool member);
void fake_set_ls_secgrp_gp(struct fake_sys *f, bool enabled);

/*
 * --- the logs event_query reads (diagnose's event log checks) ---
 * The fake event time base is FAKE_EVENT_NOW (a FILETIME: 2026-12-01 12:00:00 UTC): the
 * window of event_query's days ends there (what timediff(@SystemTime) measures against on
 * Windows), so a test never depends on the real clock; it is only the event logs' "now".
 * FAKE_EVENT_DAYS_AGO(d) is d days before it. Channels
 * System, Application and RemoteConnectionManager's Admin and Operational exist at first
 * (fake_set_log_channel adds or removes one); a query of another fails with 15007
 * (ERROR_EVT_CHANNEL_NOT_FOUND) from "EvtQuery", a quote in a name or days outside
 * 1..365 with 87. Matches come newest first; an event added with text NULL has a message
 * EvtFormatMessage cannot format (15027). fake_last_event_days: the last query's days.
 */
#define FAKE_EVENT_NOW 134406000000000000ull
#define FAKE_EVENT_DAYS_AGO(d) (FAKE_EVENT_NOW - (uint64_t)(d) * 864000000000ull)
#define FAKE_RCM_ADMIN "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Admin"
#define FAKE_RCM_OPERATIONAL "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational"
void fake_add_log_event(struct fake_sys *f, const char *channel, const char *provider,
			uint32_t id, uint64_t time, const char *text);
void fake_set_log_channel(struct fake_sys *f, const char *channel, bool exists);
uint32_t fake_last_event_days(struct fake_sys *f);

#endif
