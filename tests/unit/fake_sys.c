/*
 * The in-memory Windows machine of fake_sys.h. Tables are plain arrays scanned
 * linearly: a host's plan touches at most about a thousand resources, and a
 * linear scan over that many entries costs far less than the planner's own work.
 * Every failure goes through rdls_err_set with the API name, object and code the
 * Win32 backend reports for the same situation.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_sys.h"
#include "resource.h"
#include "posix/crypto.h"
#include "testutil.h"

/* Win32 codes and HRESULTs the backend returns. */
enum {
	W_ACCESS_DENIED = 5,
	W_INVALID_HANDLE = 6,
	W_NOT_ENOUGH_MEMORY = 8,
	W_INVALID_PARAMETER = 87,
	W_MORE_DATA = 234,
	W_NOT_FOUND = 1168,
	W_NO_SUCH_ALIAS = 1376,
	W_MEMBER_NOT_IN_ALIAS = 1377,
	W_MEMBER_IN_ALIAS = 1378,
	W_ALIAS_EXISTS = 1379,
	W_NO_SUCH_MEMBER = 1387,
	NERR_GROUP_NOT_FOUND = 2220,
	NERR_USER_NOT_FOUND = 2221,
	NERR_GROUP_EXISTS = 2223,
	NERR_USER_EXISTS = 2224,
};
#define WBEM_E_INVALID_CLASS 0x80041010u
#define WBEM_E_NOT_FOUND 0x80041002u
#define WBEM_E_INVALID_NAMESPACE 0x8004100Eu
#define WBEM_E_INVALID_METHOD 0x8004102Eu
#define W_INSUFFICIENT_BUFFER 122u
#define WSA_HOST_NOT_FOUND 11001u
#define W_SERVICE_DOES_NOT_EXIST 1060u
#define STATUS_INVALID_PARAMETER 0xC000000Du /* CNG's answer to bad arguments */
#define LS_NOT_CONNECTABLE 6u /* diagnose.h's RDLS_LS_NOT_CONNECTABLE */
#define W_EVT_CHANNEL_NOT_FOUND 15007u /* ERROR_EVT_CHANNEL_NOT_FOUND */
#define W_EVT_MESSAGE_NOT_FOUND 15027u /* ERROR_EVT_MESSAGE_NOT_FOUND */

/* Every operation of struct rdls_sys_ops, in its order there. */
enum op {
	OP_USER_GET, OP_USER_ADD, OP_USER_DEL, OP_GROUP_GET, OP_GROUP_ADD, OP_GROUP_DEL,
	OP_MEMBER_GET, OP_MEMBER_ADD, OP_MEMBER_DEL, OP_ACCOUNT_LOOKUP,
	OP_REG_GET, OP_REG_SET, OP_REG_DEL, OP_CRED_GET, OP_CRED_PUT, OP_CRED_DEL,
	OP_LS_PUB_GET, OP_LS_PUB_SET, OP_LS_ON_DC,
	OP_HOST_NAME, OP_OS_INFO, OP_IS_ELEVATED, OP_LOCK_ACQUIRE, OP_LOCK_RELEASE, OP_RANDOM,
	OP_ENV_SECRET, OP_PROMPT_SECRET, OP_JOURNAL_DIR, OP_FILE_OPEN, OP_FILE_SYNC,
	OP_NAME_RESOLVE, OP_TCP_PROBE, OP_TS_GRACE_DAYS, OP_TS_FIND_LS, OP_TS_CONNECTIVITY,
	OP_TS_PING_LS, OP_REG_KEY_GET, OP_REG_KEY_CREATE, OP_REG_KEY_DEL,
	OP_SERVICE_EXISTS, OP_CRED_PERSIST_MAX,
	OP_PBKDF2_SHA256,
	OP_DATA_DIR, OP_EXE_DIR, OP_PATH_SEC, OP_FILE_SEC, OP_FILE_CREATE_NEW, OP_DIR_CREATE,
	OP_DIR_LIST, OP_PATH_RENAME, OP_LOCK_OWNER,
	OP_SHA256,
	OP_GPO_DIR, OP_FILE_READ, OP_FILE_WRITE, OP_FILE_DELETE, OP_GPO_DOMAIN_SETTINGS,
	OP_USER_SET_PASSWORD, OP_PROCESS_USER, OP_EVENT_REGISTER, OP_EVENT_WRITE,
	OP_LS_ACTIVATION_GET, OP_LS_KEYPACKS_GET, OP_LS_IN_TSLS_GROUP, OP_LS_SECGRP_GP,
	OP_PIPE_PROBE, OP_TS_LICENSING, OP_TS_SPECIFIED_LS,
	OP_CLOCK_NOW, OP_ENV_GET, OP_PROCESS_KILL,
	OP_EVENT_QUERY,
	OP_COUNT,
	OP_WRITE = OP_COUNT, /* fake_fail_nth's "write": any changing operation */
};

static const struct {
	const char *name;
	bool write;
} op_info[OP_COUNT] = {
	[OP_USER_GET] = { "user_get", false },       [OP_USER_ADD] = { "user_add", true },
	[OP_USER_DEL] = { "user_del", true },        [OP_GROUP_GET] = { "group_get", false },
	[OP_GROUP_ADD] = { "group_add", true },      [OP_GROUP_DEL] = { "group_del", true },
	[OP_MEMBER_GET] = { "member_get", false },   [OP_MEMBER_ADD] = { "member_add", true },
	[OP_MEMBER_DEL] = { "member_del", true },    [OP_ACCOUNT_LOOKUP] = { "account_lookup", false },
	[OP_REG_GET] = { "reg_get", false },         [OP_REG_SET] = { "reg_set", true },
	[OP_REG_DEL] = { "reg_del", true },          [OP_CRED_GET] = { "cred_get", false },
	[OP_CRED_PUT] = { "cred_put", true },        [OP_CRED_DEL] = { "cred_del", true },
	[OP_LS_PUB_GET] = { "ls_pub_get", false },   [OP_LS_PUB_SET] = { "ls_pub_set", true },
	[OP_LS_ON_DC] = { "ls_on_dc", false },       [OP_HOST_NAME] = { "host_name", false },
	[OP_OS_INFO] = { "os_info", false },         [OP_IS_ELEVATED] = { "is_elevated", false },
	[OP_LOCK_ACQUIRE] = { "lock_acquire", false }, [OP_LOCK_RELEASE] = { "lock_release", false },
	[OP_RANDOM] = { "random", false },           [OP_ENV_SECRET] = { "env_secret", false },
	[OP_PROMPT_SECRET] = { "prompt_secret", false }, [OP_JOURNAL_DIR] = { "journal_dir", false },
	[OP_FILE_OPEN] = { "file_open", false },     [OP_FILE_SYNC] = { "file_sync", false },
	[OP_NAME_RESOLVE] = { "name_resolve", false }, [OP_TCP_PROBE] = { "tcp_probe", false },
	[OP_TS_GRACE_DAYS] = { "ts_grace_days", false }, [OP_TS_FIND_LS] = { "ts_find_ls", false },
	[OP_TS_CONNECTIVITY] = { "ts_connectivity", false }, [OP_TS_PING_LS] = { "ts_ping_ls", false },
	[OP_REG_KEY_GET] = { "reg_key_get", false }, [OP_REG_KEY_CREATE] = { "reg_key_create", true },
	[OP_REG_KEY_DEL] = { "reg_key_del", true },
	[OP_SERVICE_EXISTS] = { "service_exists", false },
	[OP_CRED_PERSIST_MAX] = { "cred_persist_max", false },
	[OP_PBKDF2_SHA256] = { "pbkdf2_sha256", false },
	/* rdlsctl's own files, like file_open: not changes of the machine */
	[OP_DATA_DIR] = { "data_dir", false },       [OP_EXE_DIR] = { "exe_dir", false },
	[OP_PATH_SEC] = { "path_sec", false },       [OP_FILE_SEC] = { "file_sec", false },
	[OP_FILE_CREATE_NEW] = { "file_create_new", false },
	[OP_DIR_CREATE] = { "dir_create", false },   [OP_DIR_LIST] = { "dir_list", false },
	[OP_PATH_RENAME] = { "path_rename", false }, [OP_LOCK_OWNER] = { "lock_owner", false },
	[OP_SHA256] = { "sha256", false },
	[OP_GPO_DIR] = { "gpo_dir", false },         [OP_FILE_READ] = { "file_read", false },
	[OP_FILE_WRITE] = { "file_write", true },    [OP_FILE_DELETE] = { "file_delete", true },
	[OP_GPO_DOMAIN_SETTINGS] = { "gpo_domain_settings", false },
	[OP_USER_SET_PASSWORD] = { "user_set_password", true },
	[OP_PROCESS_USER] = { "process_user", false },
	/* The event log is no state apply manages: events are not writes (fake_sys.h). */
	[OP_EVENT_REGISTER] = { "event_register", false },
	[OP_EVENT_WRITE] = { "event_write", false },
	[OP_LS_ACTIVATION_GET] = { "ls_activation_get", false },
	[OP_LS_KEYPACKS_GET] = { "ls_keypacks_get", false },
	[OP_LS_IN_TSLS_GROUP] = { "ls_in_tsls_group", false },
	[OP_LS_SECGRP_GP] = { "ls_secgrp_gp", false },
	[OP_PIPE_PROBE] = { "pipe_probe", false },
	[OP_TS_LICENSING] = { "ts_licensing", false },
	[OP_TS_SPECIFIED_LS] = { "ts_specified_ls", false },
	[OP_CLOCK_NOW] = { "clock_now", false },     [OP_ENV_GET] = { "env_get", false },
	[OP_PROCESS_KILL] = { "process_kill", false },
	[OP_EVENT_QUERY] = { "event_query", false },
};

struct f_user {
	char *name;
	char *password;
};
struct f_member {
	char *group;
	char *member; /* normalised: "DOMAIN\name" */
};
struct f_reg {
	char *key;
	char *name;
	rdls_regval v;
};
struct f_cred {
	char *target;
	rdls_cred c;
	char *password; /* NULL: seeded with fake_set_cred, password unknown */
};
struct f_env {
	char *name;
	char *value;
};
struct f_lookup {
	char *name; /* normalised */
	enum rdls_sid_use use;
};
struct f_port {
	char *host;
	uint16_t port;
};
struct f_sec {
	char *path;
	rdls_file_sec sec;
};
struct f_event {
	uint16_t type;
	uint32_t id;
	char **strings;
	size_t n;
};
struct f_pipe {
	char *host;
	uint32_t code; /* WaitNamedPipeW's: 0 a free instance */
};
/* An event in one of the machine's logs, for event_query. */
struct f_logevt {
	char *channel;
	char *provider;
	uint32_t id;
	uint64_t time; /* FILETIME */
	char *text;    /* NULL: its message cannot be formatted */
};
struct f_tsserver {
	char *server;
	uint32_t connectivity;
	bool ping_valid;
};

struct f_file {
	char *path;
	unsigned char *data;
	size_t len;
};

/* A growable array of fixed-size elements. */
struct vec {
	void *v;
	size_t n, cap;
};

struct fake_sys {
	struct rdls_sys_ops ops; /* this machine's interface: fake_drop_op can clear entries */
	char *host;
	struct vec users;   /* struct f_user */
	struct vec groups;  /* char * */
	struct vec members; /* struct f_member */
	struct vec regs;    /* struct f_reg */
	struct vec keys;    /* char *: every registry key that exists, each with all its parents */
	struct vec creds;   /* struct f_cred */
	struct vec envs;    /* struct f_env */
	struct vec lookups; /* struct f_lookup */
	struct vec denied;  /* char * */
	struct vec dns;     /* struct f_env: name -> address */
	struct vec ports;   /* struct f_port: open TCP ports */
	struct vec ts_ls;   /* rdls_ts_ls: FindLicenseServers' answer */
	struct vec ts_srv;  /* struct f_tsserver */
	uint32_t ts_wmi_hr; /* 0, or the code every ts_* op fails with */
	struct vec services; /* char *: the services that exist */
	struct vec files;    /* struct f_file: the local Group Policy object's files */
	struct vec gpo_set;  /* rdls_gpo_setting: what RSOP says domain GPOs set */
	struct vec pipes;    /* struct f_pipe: pipe_probe's answers by host */
	bool ts_type_set;    /* ts_licensing answers ts_type/ts_source, not the registry's mode */
	uint32_t ts_type, ts_source;
	bool ts_list_set;    /* ts_specified_ls answers ts_list, not the registry's lists */
	char *ts_list;       /* comma-separated */
	uint32_t cred_persist; /* cred_persist_max's answer */
	uint32_t grace_days;
	enum rdls_ls_pub ls_pub;
	bool on_dc, elevated, lock_busy, lock_held;
	rdls_osinfo os;
	char *prompt_answer;
	char *journal_dir;
	bool journal_dir_ours; /* created by the fake: removed by fake_sys_free */
	char *root;            /* the fake's own directory (journal_dir_ours), holding it */
	struct vec secs;       /* struct f_sec: path_sec / file_sec answers seeded by tests */
	char *lock_squatter;   /* the lock is held through an object this account owns */
	uint64_t rng_seed, rng_counter;
	unsigned calls[OP_COUNT];
	unsigned writes;
	/* failure injection */
	unsigned fail_n, fail_seen;
	int fail_op;
	uint32_t fail_code;
	/* the Application event log and who runs the program */
	struct vec events;  /* struct f_event, in the order written */
	int64_t now;        /* clock_now: fixed, fake_set_now */
	bool killed;        /* process_kill was called ... */
	uint32_t kill_code; /* ... with this exit code */
	bool event_registered;
	char *process_user; /* NULL: "<host>\\Administrator" */
	/* the license server's state (Win32_TSLicenseServer, Win32_TSLicenseKeyPack) */
	uint32_t ls_activation; /* GetActivationStatus: RDLS_LS_ACTIVATED by default */
	struct vec keypacks;    /* rdls_keypack: the installed CAL packs */
	bool in_tsls, secgrp_gp;
	/* the logs event_query reads */
	struct vec logevts;  /* struct f_logevt */
	struct vec channels; /* char *: the channels that exist */
	uint32_t last_event_days;
};

/* ---------------------------------------------------------------- helpers */

static void die(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2), noreturn))
#endif
	;
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fake_sys: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static char *dup_or_null(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* For seeding: a test cannot go on without the memory. */
static char *xdup(const char *s)
{
	char *d = dup_or_null(s ? s : "");
	if (!d)
		die("out of memory");
	return d;
}

static void free_secret_str(char *s)
{
	if (!s)
		return;
	rdls_secure_zero(s, strlen(s));
	free(s);
}

/* Windows compares account and computer names with ASCII case folding. */
static int fold(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static bool ieq_n(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return false;
	return true;
}

static bool ieq(const char *a, const char *b)
{
	return ieq_n(a, strlen(a), b, strlen(b));
}

static void *vec_push(struct vec *v, size_t elsz)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *nv = realloc(v->v, cap * elsz);
		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	void *p = (char *)v->v + v->n * elsz;
	memset(p, 0, elsz);
	v->n++;
	return p;
}

/* Order does not matter (the snapshot sorts): move the last element into slot i. */
static void vec_remove(struct vec *v, size_t i, size_t elsz)
{
	char *base = v->v;
	if (i + 1 != v->n)
		memcpy(base + i * elsz, base + (v->n - 1) * elsz, elsz);
	v->n--;
}

#define AT(vec, type, i) (((type *)(vec).v)[i])

/* "DOMAIN\name" -> domain and name; without a backslash the domain is the host. */
struct acct {
	const char *dom;
	size_t dom_n;
	const char *name;
};

static struct acct split_account(const struct fake_sys *f, const char *s)
{
	struct acct a;
	const char *bs = strchr(s, '\\');
	if (bs) {
		a.dom = s;
		a.dom_n = (size_t)(bs - s);
		a.name = bs + 1;
	} else {
		a.dom = f->host;
		a.dom_n = strlen(f->host);
		a.name = s;
	}
	return a;
}

static bool acct_is_local(const struct fake_sys *f, struct acct a)
{
	return ieq_n(a.dom, a.dom_n, f->host, strlen(f->host));
}

static bool acct_eq(const struct fake_sys *f, const char *x, const char *y)
{
	struct acct a = split_account(f, x), b = split_account(f, y);
	return ieq_n(a.dom, a.dom_n, b.dom, b.dom_n) && ieq(a.name, b.name);
}

/* "HOST\name" for "name"; NULL on out-of-memory. */
static char *normalise_account(const struct fake_sys *f, const char *s)
{
	if (strchr(s, '\\'))
		return dup_or_null(s);
	size_t hn = strlen(f->host), sn = strlen(s);
	char *d = malloc(hn + 1 + sn + 1);
	if (!d)
		return NULL;
	memcpy(d, f->host, hn);
	d[hn] = '\\';
	memcpy(d + hn + 1, s, sn + 1);
	return d;
}

/* FormatMessageW's text for the codes the fake returns (first letter lowered, no period). */
static const char *code_text(uint32_t code)
{
	switch (code) {
	case 2: return "the system cannot find the file specified";
	case 3: return "the system cannot find the path specified";
	case W_ACCESS_DENIED: return "access is denied";
	case W_INVALID_HANDLE: return "the handle is invalid";
	case W_NOT_ENOUGH_MEMORY: return "not enough memory resources are available to process this command";
	case 80: return "the file exists";
	case W_INVALID_PARAMETER: return "the parameter is incorrect";
	case 112: return "there is not enough space on the disk";
	case W_MORE_DATA: return "more data is available";
	case W_NOT_FOUND: return "element not found";
	case W_NO_SUCH_ALIAS: return "the specified local group does not exist";
	case W_MEMBER_NOT_IN_ALIAS: return "the specified account name is not a member of the group";
	case W_MEMBER_IN_ALIAS: return "the specified account name is already a member of the group";
	case W_ALIAS_EXISTS: return "the specified local group already exists";
	case W_NO_SUCH_MEMBER: return "a new member could not be added to or removed from the local group because the member does not exist";
	case NERR_GROUP_NOT_FOUND: return "the group name could not be found";
	case NERR_USER_NOT_FOUND: return "the user name could not be found";
	case NERR_GROUP_EXISTS: return "the group already exists";
	case NERR_USER_EXISTS: return "the account already exists";
	case WBEM_E_INVALID_CLASS: return "invalid class";
	case WBEM_E_NOT_FOUND: return "not found";
	case WBEM_E_INVALID_NAMESPACE: return "invalid namespace";
	case WBEM_E_INVALID_METHOD: return "invalid method";
	case W_INSUFFICIENT_BUFFER: return "the data area passed to a system call is too small";
	case WSA_HOST_NOT_FOUND: return "no such host is known";
	case W_SERVICE_DOES_NOT_EXIST: return "the specified service does not exist as an installed service";
	case STATUS_INVALID_PARAMETER: return "an invalid parameter was passed to a service or function";
	case W_EVT_CHANNEL_NOT_FOUND: return "the specified channel could not be found";
	case W_EVT_MESSAGE_NOT_FOUND: return "the message resource is present but the message was not found in the message table";
	default: return "error injected by the fake system";
	}
}

static int fail(rdls_err *err, const char *api, const char *object, uint32_t code)
{
	return rdls_err_set(err, api, object, code, "%s", code_text(code));
}

/*
 * Counts a call of `op` and fires an injected failure. Returns -1 (err filled,
 * nothing to change) when this call is the one to fail.
 */
static int enter(struct fake_sys *f, enum op op, const char *api, const char *object,
		 rdls_err *err)
{
	f->calls[op]++;
	if (op_info[op].write)
		f->writes++;
	if (f->fail_n && (f->fail_op == (int)op || (f->fail_op == OP_WRITE && op_info[op].write))) {
		if (++f->fail_seen == f->fail_n) {
			uint32_t code = f->fail_code;
			f->fail_n = 0;
			f->fail_seen = 0;
			return fail(err, api, object, code);
		}
	}
	return 0;
}

static int find_op(const char *name)
{
	if (strcmp(name, "write") == 0)
		return OP_WRITE;
	for (int i = 0; i < OP_COUNT; i++)
		if (strcmp(op_info[i].name, name) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------ table lookups */

static struct f_user *find_user(struct fake_sys *f, const char *name, size_t *idx)
{
	for (size_t i = 0; i < f->users.n; i++)
		if (ieq(AT(f->users, struct f_user, i).name, name)) {
			if (idx)
				*idx = i;
			return &AT(f->users, struct f_user, i);
		}
	return NULL;
}

static bool find_group(struct fake_sys *f, const char *name, size_t *idx)
{
	for (size_t i = 0; i < f->groups.n; i++)
		if (ieq(AT(f->groups, char *, i), name)) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

static bool find_member(struct fake_sys *f, const char *group, const char *member, size_t *idx)
{
	for (size_t i = 0; i < f->members.n; i++) {
		struct f_member *m = &AT(f->members, struct f_member, i);
		if (ieq(m->group, group) && acct_eq(f, m->member, member)) {
			if (idx)
				*idx = i;
			return true;
		}
	}
	return false;
}

static void member_free(struct f_member *m)
{
	free(m->group);
	free(m->member);
}

/* Windows drops an account's memberships when the account or the group is deleted. */
static void drop_memberships(struct fake_sys *f, const char *group, const char *member)
{
	for (size_t i = f->members.n; i-- > 0;) {
		struct f_member *m = &AT(f->members, struct f_member, i);
		if ((group && ieq(m->group, group)) || (member && acct_eq(f, m->member, member))) {
			member_free(m);
			vec_remove(&f->members, i, sizeof(struct f_member));
		}
	}
}

static struct f_reg *find_reg(struct fake_sys *f, const char *key, const char *name, size_t *idx)
{
	for (size_t i = 0; i < f->regs.n; i++) {
		struct f_reg *r = &AT(f->regs, struct f_reg, i);
		if (ieq(r->key, key) && ieq(r->name, name)) {
			if (idx)
				*idx = i;
			return r;
		}
	}
	return NULL;
}

static bool key_denied(struct fake_sys *f, const char *key)
{
	for (size_t i = 0; i < f->denied.n; i++)
		if (ieq(AT(f->denied, char *, i), key))
			return true;
	return false;
}

/* Registry keys: case-insensitive, as on Windows. */
static bool find_key(struct fake_sys *f, const char *key, size_t *idx)
{
	for (size_t i = 0; i < f->keys.n; i++)
		if (ieq(AT(f->keys, char *, i), key)) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

/* Whether `path` is strictly below `key` ("key\\..."). */
static bool key_below(const char *path, const char *key)
{
	size_t n = strlen(key);
	return strlen(path) > n && path[n] == '\\' && ieq_n(path, n, key, n);
}

/* A value or a subkey lives in `key`. */
static bool key_has_content(struct fake_sys *f, const char *key)
{
	for (size_t i = 0; i < f->regs.n; i++)
		if (ieq(AT(f->regs, struct f_reg, i).key, key))
			return true;
	for (size_t i = 0; i < f->keys.n; i++)
		if (key_below(AT(f->keys, char *, i), key))
			return true;
	return false;
}

/* Creates `key` and every missing parent, as RegCreateKeyExW does. -1: out of memory. */
static int key_create_path(struct fake_sys *f, const char *key)
{
	size_t n = strlen(key);
	char *level = dup_or_null(key);
	if (!level)
		return -1;
	for (size_t end = 1; end <= n; end++) {
		if (end < n && key[end] != '\\')
			continue;
		level[end] = '\0';
		if (!find_key(f, level, NULL)) {
			char *d = dup_or_null(level);
			char **slot = d ? vec_push(&f->keys, sizeof(char *)) : NULL;
			if (!slot) {
				free(d);
				free(level);
				return -1;
			}
			*slot = d;
		}
		level[end] = key[end];
	}
	free(level);
	return 0;
}

static struct f_cred *find_cred(struct fake_sys *f, const char *target, size_t *idx)
{
	for (size_t i = 0; i < f->creds.n; i++)
		if (ieq(AT(f->creds, struct f_cred, i).target, target)) {
			if (idx)
				*idx = i;
			return &AT(f->creds, struct f_cred, i);
		}
	return NULL;
}

static void cred_free(struct f_cred *c)
{
	free(c->target);
	free_secret_str(c->password);
	rdls_secure_zero(c, sizeof(*c));
}

static struct f_env *find_env(struct fake_sys *f, const char *name)
{
	for (size_t i = 0; i < f->envs.n; i++)
		if (ieq(AT(f->envs, struct f_env, i).name, name)) /* Windows: case-insensitive */
			return &AT(f->envs, struct f_env, i);
	return NULL;
}

/* ------------------------------------------------------- local accounts ops */

#define CTX struct fake_sys *f = ctx
#define OBJ(buf, ...) snprintf(buf, sizeof(buf), __VA_ARGS__)
#define OBJ_MAX RDLS_ERR_OBJ_MAX

static int f_user_get(void *ctx, const char *user, bool *exists, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "user '%s'", user);
	if (enter(f, OP_USER_GET, "NetUserGetInfo", o, err))
		return -1;
	*exists = find_user(f, user, NULL) != NULL;
	return 0;
}

static int f_user_add(void *ctx, const char *user, const rdls_secret *password, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "user '%s'", user);
	if (enter(f, OP_USER_ADD, "NetUserAdd", o, err))
		return -1;
	if (find_user(f, user, NULL))
		return fail(err, "NetUserAdd", o, NERR_USER_EXISTS);
	/* Users and local groups share one name space in the account database. */
	if (find_group(f, user, NULL))
		return fail(err, "NetUserAdd", o, NERR_GROUP_EXISTS);
	char *name = dup_or_null(user);
	char *pw = dup_or_null(rdls_secret_str(password));
	struct f_user *u = (name && pw) ? vec_push(&f->users, sizeof(*u)) : NULL;
	if (!u) {
		free(name);
		free_secret_str(pw);
		return fail(err, "NetUserAdd", o, W_NOT_ENOUGH_MEMORY);
	}
	u->name = name;
	u->password = pw;
	return 0;
}

static int f_user_del(void *ctx, const char *user, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "user '%s'", user);
	if (enter(f, OP_USER_DEL, "NetUserDel", o, err))
		return -1;
	size_t i;
	struct f_user *u = find_user(f, user, &i);
	if (!u)
		return 0; /* as the backend: removing what is gone succeeds (sys.h) */
	free(u->name);
	free_secret_str(u->password);
	vec_remove(&f->users, i, sizeof(struct f_user));
	drop_memberships(f, NULL, user);
	return 0;
}

static int f_group_get(void *ctx, const char *group, bool *exists, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "group '%s'", group);
	if (enter(f, OP_GROUP_GET, "NetLocalGroupGetInfo", o, err))
		return -1;
	*exists = find_group(f, group, NULL);
	return 0;
}

static int f_group_add(void *ctx, const char *group, const char *comment, rdls_err *err)
{
	CTX;
	(void)comment;
	char o[OBJ_MAX];
	OBJ(o, "group '%s'", group);
	if (enter(f, OP_GROUP_ADD, "NetLocalGroupAdd", o, err))
		return -1;
	if (find_group(f, group, NULL))
		return fail(err, "NetLocalGroupAdd", o, W_ALIAS_EXISTS);
	if (find_user(f, group, NULL))
		return fail(err, "NetLocalGroupAdd", o, NERR_USER_EXISTS);
	char *name = dup_or_null(group);
	char **slot = name ? vec_push(&f->groups, sizeof(char *)) : NULL;
	if (!slot) {
		free(name);
		return fail(err, "NetLocalGroupAdd", o, W_NOT_ENOUGH_MEMORY);
	}
	*slot = name;
	return 0;
}

static int f_group_del(void *ctx, const char *group, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "group '%s'", group);
	if (enter(f, OP_GROUP_DEL, "NetLocalGroupDel", o, err))
		return -1;
	size_t i;
	if (!find_group(f, group, &i))
		return 0; /* as the backend: removing what is gone succeeds (sys.h) */
	drop_memberships(f, group, NULL);
	free(AT(f->groups, char *, i));
	vec_remove(&f->groups, i, sizeof(char *));
	return 0;
}

static int f_member_get(void *ctx, const char *group, const char *member, bool *is_member,
			rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "group '%s'", group);
	if (enter(f, OP_MEMBER_GET, "NetLocalGroupGetMembers", o, err))
		return -1;
	*is_member = find_member(f, group, member, NULL);
	return 0;
}

static int f_member_add(void *ctx, const char *group, const char *member, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "group '%s' member '%s'", group, member);
	if (enter(f, OP_MEMBER_ADD, "NetLocalGroupAddMembers", o, err))
		return -1;
	if (!find_group(f, group, NULL))
		return fail(err, "NetLocalGroupAddMembers", o, W_NO_SUCH_ALIAS);
	struct acct a = split_account(f, member);
	if (acct_is_local(f, a) && !find_user(f, a.name, NULL))
		return fail(err, "NetLocalGroupAddMembers", o, W_NO_SUCH_MEMBER);
	if (find_member(f, group, member, NULL))
		return 0; /* ERROR_MEMBER_IN_ALIAS: already a member is success (sys.h) */
	char *g = dup_or_null(group);
	char *m = normalise_account(f, member);
	struct f_member *slot = (g && m) ? vec_push(&f->members, sizeof(*slot)) : NULL;
	if (!slot) {
		free(g);
		free(m);
		return fail(err, "NetLocalGroupAddMembers", o, W_NOT_ENOUGH_MEMORY);
	}
	slot->group = g;
	slot->member = m;
	return 0;
}

static int f_member_del(void *ctx, const char *group, const char *member, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "group '%s' member '%s'", group, member);
	if (enter(f, OP_MEMBER_DEL, "NetLocalGroupDelMembers", o, err))
		return -1;
	if (!find_group(f, group, NULL))
		return 0; /* as the backend: no group, no membership to remove */
	/* ERROR_NO_SUCH_MEMBER (a local user that is gone) and ERROR_MEMBER_NOT_IN_ALIAS:
	 * the membership is already gone, which is success (sys.h), as in the backend. */
	size_t i;
	if (!find_member(f, group, member, &i))
		return 0;
	member_free(&AT(f->members, struct f_member, i));
	vec_remove(&f->members, i, sizeof(struct f_member));
	return 0;
}

static const struct {
	const char *dom, *name;
	enum rdls_sid_use use;
} well_known[] = {
	{ "NT AUTHORITY", "NETWORK SERVICE", RDLS_SID_WELL_KNOWN_GROUP },
	{ "NT AUTHORITY", "SYSTEM", RDLS_SID_WELL_KNOWN_GROUP },
	{ "NT AUTHORITY", "LOCAL SERVICE", RDLS_SID_WELL_KNOWN_GROUP },
	{ "BUILTIN", "Administrators", RDLS_SID_ALIAS },
	{ "BUILTIN", "Users", RDLS_SID_ALIAS },
	{ "", "Everyone", RDLS_SID_WELL_KNOWN_GROUP },
};

static int f_account_lookup(void *ctx, const char *name, enum rdls_sid_use *use, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "account '%s'", name);
	if (enter(f, OP_ACCOUNT_LOOKUP, "LookupAccountNameW", o, err))
		return -1;
	for (size_t i = 0; i < f->lookups.n; i++) {
		struct f_lookup *l = &AT(f->lookups, struct f_lookup, i);
		if (acct_eq(f, l->name, name)) {
			*use = l->use;
			return 0;
		}
	}
	*use = RDLS_SID_NONE;
	bool qualified = strchr(name, '\\') != NULL;
	struct acct a = split_account(f, name);
	if (acct_is_local(f, a)) {
		if (find_group(f, a.name, NULL)) {
			*use = RDLS_SID_ALIAS;
			return 0;
		}
		if (find_user(f, a.name, NULL)) {
			*use = RDLS_SID_USER;
			return 0;
		}
		if (!qualified && ieq(name, f->host)) {
			*use = RDLS_SID_DOMAIN;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++) {
		bool dom_ok = qualified ? ieq_n(a.dom, a.dom_n, well_known[i].dom, strlen(well_known[i].dom))
					: true;
		if (dom_ok && ieq(a.name, well_known[i].name)) {
			*use = well_known[i].use;
			return 0;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ registry ops */

/* sys.h's encoding rules; the backend cannot convert a value that breaks them. */
static bool regval_well_formed(const rdls_regval *v)
{
	if (!v->present || (v->len && !v->data))
		return false;
	switch (v->type) {
	case RDLS_REG_SZ:
	case RDLS_REG_EXPAND_SZ:
		return v->len >= 1 && v->data[v->len - 1] == '\0' &&
		       memchr(v->data, '\0', v->len) == v->data + v->len - 1;
	case RDLS_REG_MULTI_SZ:
		if (v->len == 1)
			return v->data[0] == '\0';
		return v->len >= 2 && v->data[v->len - 1] == '\0' && v->data[v->len - 2] == '\0' &&
		       v->data[0] != '\0';
	case RDLS_REG_DWORD:
		return v->len == 4;
	case RDLS_REG_QWORD:
		return v->len == 8;
	default:
		return true;
	}
}

static int f_reg_get(void *ctx, const char *key, const char *name, rdls_regval *out,
		     rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "HKLM\\%s value '%s'", key, name);
	memset(out, 0, sizeof(*out));
	if (enter(f, OP_REG_GET, "RegGetValueW", o, err))
		return -1;
	struct f_reg *r = find_reg(f, key, name, NULL);
	if (r && rdls_regval_copy(out, &r->v) != 0)
		return fail(err, "RegGetValueW", o, W_NOT_ENOUGH_MEMORY);
	return 0;
}

static int f_reg_set(void *ctx, const char *key, const char *name, const rdls_regval *v,
		     rdls_err *err)
{
	CTX;
	char o[OBJ_MAX], ko[OBJ_MAX];
	OBJ(o, "HKLM\\%s value '%s'", key, name);
	OBJ(ko, "HKLM\\%s", key);
	if (enter(f, OP_REG_SET, "RegSetValueExW", o, err))
		return -1;
	/* The backend opens (or creates) the key with RegCreateKeyExW(KEY_SET_VALUE). */
	if (key_denied(f, key))
		return fail(err, "RegCreateKeyExW", ko, W_ACCESS_DENIED);
	if (!regval_well_formed(v))
		return fail(err, "RegSetValueExW", o, W_INVALID_PARAMETER);
	/* RegCreateKeyExW creates a missing key and its missing parents on the way. */
	if (key_create_path(f, key) != 0)
		return fail(err, "RegCreateKeyExW", ko, W_NOT_ENOUGH_MEMORY);
	rdls_regval copy;
	if (rdls_regval_copy(&copy, v) != 0)
		return fail(err, "RegSetValueExW", o, W_NOT_ENOUGH_MEMORY);
	struct f_reg *r = find_reg(f, key, name, NULL);
	if (r) {
		rdls_regval_release(&r->v);
		r->v = copy;
		return 0;
	}
	char *k = dup_or_null(key), *n = dup_or_null(name);
	r = (k && n) ? vec_push(&f->regs, sizeof(*r)) : NULL;
	if (!r) {
		free(k);
		free(n);
		rdls_regval_release(&copy);
		return fail(err, "RegSetValueExW", o, W_NOT_ENOUGH_MEMORY);
	}
	r->key = k;
	r->name = n;
	r->v = copy;
	return 0;
}

static void reg_free(struct f_reg *r)
{
	free(r->key);
	free(r->name);
	rdls_regval_release(&r->v);
}

static int f_reg_del(void *ctx, const char *key, const char *name, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX], ko[OBJ_MAX];
	OBJ(o, "HKLM\\%s value '%s'", key, name);
	OBJ(ko, "HKLM\\%s", key);
	if (enter(f, OP_REG_DEL, "RegDeleteValueW", o, err))
		return -1;
	if (key_denied(f, key))
		return fail(err, "RegOpenKeyExW", ko, W_ACCESS_DENIED);
	size_t i;
	struct f_reg *r = find_reg(f, key, name, &i);
	if (r) {
		reg_free(r);
		vec_remove(&f->regs, i, sizeof(struct f_reg));
	}
	return 0;
}

static int f_reg_key_get(void *ctx, const char *key, bool *exists, rdls_err *err)
{
	CTX;
	char ko[OBJ_MAX];
	OBJ(ko, "HKLM\\%s", key);
	*exists = false;
	if (enter(f, OP_REG_KEY_GET, "RegOpenKeyExW", ko, err))
		return -1;
	*exists = find_key(f, key, NULL);
	return 0;
}

/* The parent of a missing key must allow creating subkeys: a read-only one does not. */
static int f_reg_key_create(void *ctx, const char *key, rdls_err *err)
{
	CTX;
	char ko[OBJ_MAX];
	OBJ(ko, "HKLM\\%s", key);
	if (enter(f, OP_REG_KEY_CREATE, "RegCreateKeyExW", ko, err))
		return -1;
	if (find_key(f, key, NULL))
		return 0;
	const char *bs = strrchr(key, '\\');
	if (bs) {
		char *parent = dup_or_null(key);
		if (!parent)
			return fail(err, "RegCreateKeyExW", ko, W_NOT_ENOUGH_MEMORY);
		parent[bs - key] = '\0';
		bool denied = key_denied(f, parent);
		free(parent);
		if (denied)
			return fail(err, "RegCreateKeyExW", ko, W_ACCESS_DENIED);
	}
	if (key_create_path(f, key) != 0)
		return fail(err, "RegCreateKeyExW", ko, W_NOT_ENOUGH_MEMORY);
	return 0;
}

/* As the backend: RegQueryInfoKeyW first, so a key with values or subkeys stays. */
static int f_reg_key_del(void *ctx, const char *key, bool *not_empty, rdls_err *err)
{
	CTX;
	char ko[OBJ_MAX];
	OBJ(ko, "HKLM\\%s", key);
	*not_empty = false;
	if (enter(f, OP_REG_KEY_DEL, "RegDeleteKeyExW", ko, err))
		return -1;
	size_t i;
	if (!find_key(f, key, &i))
		return 0; /* already gone */
	if (key_has_content(f, key)) {
		*not_empty = true;
		return 0;
	}
	if (key_denied(f, key)) /* a read-only DACL grants no DELETE */
		return fail(err, "RegDeleteKeyExW", ko, W_ACCESS_DENIED);
	free(AT(f->keys, char *, i));
	vec_remove(&f->keys, i, sizeof(char *));
	return 0;
}

/* ---------------------------------------------------------- credential ops */

/* CREDENTIALW's limit for a domain credential's target, checked by the backend first. */
#define CRED_TARGET_MAX 337u
static size_t utf16_units(const char *s);

static int bad_target(const char *target, const char *o, rdls_err *err)
{
	size_t n = utf16_units(target);
	if (n == 0 || n > CRED_TARGET_MAX)
		return rdls_err_set(err, "", o, W_INVALID_PARAMETER,
				    "the target name must have 1 to %u characters", CRED_TARGET_MAX);
	return 0;
}

static int f_cred_get(void *ctx, const char *target, rdls_cred *out, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "credential '%s'", target);
	memset(out, 0, sizeof(*out));
	if (bad_target(target, o, err) || enter(f, OP_CRED_GET, "CredReadW", o, err))
		return -1;
	struct f_cred *c = find_cred(f, target, NULL);
	if (c)
		*out = c->c;
	return 0;
}

/* Length in UTF-16 code units of UTF-8 text (as MultiByteToWideChar counts it). */
static size_t utf16_units(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			n += (*p >= 0xF0) ? 2 : 1;
	}
	return n;
}

static int f_cred_put(void *ctx, const char *target, const char *user, const rdls_secret *pw,
		      const char *check, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "credential '%s'", target);
	if (bad_target(target, o, err) || enter(f, OP_CRED_PUT, "CredWriteW", o, err))
		return -1;
	if (!check)
		check = "";
	const char *pws = rdls_secret_str(pw);
	/* CRED_TYPE_DOMAIN_PASSWORD blobs hold at most 512 bytes of UTF-16. */
	if (strlen(user) >= RDLS_CRED_USER_MAX || strlen(check) >= RDLS_CRED_CHECK_MAX ||
	    utf16_units(pws) * 2 > 512)
		return fail(err, "CredWriteW", o, W_INVALID_PARAMETER);
	char *pcopy = dup_or_null(pws);
	if (!pcopy)
		return fail(err, "CredWriteW", o, W_NOT_ENOUGH_MEMORY);
	struct f_cred *c = find_cred(f, target, NULL);
	if (!c) {
		char *t = dup_or_null(target);
		c = t ? vec_push(&f->creds, sizeof(*c)) : NULL;
		if (!c) {
			free(t);
			free_secret_str(pcopy);
			return fail(err, "CredWriteW", o, W_NOT_ENOUGH_MEMORY);
		}
		c->target = t;
	}
	free_secret_str(c->password);
	c->password = pcopy;
	c->c.present = true;
	c->c.type = RDLS_CRED_TYPE_DOMAIN_PASSWORD;
	c->c.persist = RDLS_CRED_PERSIST_ENTERPRISE;
	snprintf(c->c.user, sizeof(c->c.user), "%s", user);
	snprintf(c->c.check, sizeof(c->c.check), "%s", check);
	return 0;
}

static int f_cred_del(void *ctx, const char *target, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "credential '%s'", target);
	if (bad_target(target, o, err) || enter(f, OP_CRED_DEL, "CredDeleteW", o, err))
		return -1;
	size_t i;
	struct f_cred *c = find_cred(f, target, &i);
	if (c) {
		cred_free(c);
		vec_remove(&f->creds, i, sizeof(struct f_cred));
	}
	return 0;
}

/* ----------------------------------------------------------------- WMI ops */

#define LS_OBJ "WMI root\\cimv2 Win32_TSLicenseServer=@"
#define LS_ABSENT_TEXT                                                                      \
	"the Remote Desktop Licensing role is not installed on this server: the WMI class " \
	"Win32_TSLicenseServer does not exist"

static int f_ls_pub_get(void *ctx, enum rdls_ls_pub *state, rdls_err *err)
{
	CTX;
	if (enter(f, OP_LS_PUB_GET, "Win32_TSLicenseServer.IsLSPublished", LS_OBJ, err))
		return -1;
	*state = f->ls_pub;
	return 0;
}

static int f_ls_pub_set(void *ctx, bool publish, rdls_err *err)
{
	CTX;
	const char *api = publish ? "Win32_TSLicenseServer.PublishLS" : "Win32_TSLicenseServer.UnpublishLS";
	if (enter(f, OP_LS_PUB_SET, api, LS_OBJ, err))
		return -1;
	if (f->ls_pub == RDLS_LS_ROLE_ABSENT)
		return rdls_err_set(err, api, LS_OBJ, WBEM_E_INVALID_CLASS, LS_ABSENT_TEXT);
	f->ls_pub = publish ? RDLS_LS_PUBLISHED : RDLS_LS_UNPUBLISHED;
	return 0;
}

static int f_ls_on_dc(void *ctx, bool *on_dc, rdls_err *err)
{
	CTX;
	if (enter(f, OP_LS_ON_DC, "Win32_TSLicenseServer.IsLSonDC", LS_OBJ, err))
		return -1;
	if (f->ls_pub == RDLS_LS_ROLE_ABSENT)
		return rdls_err_set(err, "Win32_TSLicenseServer.IsLSonDC", LS_OBJ, WBEM_E_INVALID_CLASS,
				    LS_ABSENT_TEXT);
	*on_dc = f->on_dc;
	return 0;
}

/* The license server's state: the class is missing where the role is (ls_pub). */
static int ls_state_enter(struct fake_sys *f, enum op op, const char *api, rdls_err *err)
{
	if (enter(f, op, api, LS_OBJ, err))
		return -1;
	if (f->ls_pub == RDLS_LS_ROLE_ABSENT)
		return rdls_err_set(err, api, LS_OBJ, WBEM_E_INVALID_CLASS, LS_ABSENT_TEXT);
	return 0;
}

static int f_ls_activation_get(void *ctx, uint32_t *status, rdls_err *err)
{
	CTX;
	*status = RDLS_LS_ACTIVATION_UNKNOWN;
	if (ls_state_enter(f, OP_LS_ACTIVATION_GET, "Win32_TSLicenseServer.GetActivationStatus", err))
		return -1;
	*status = f->ls_activation;
	return 0;
}

static int f_ls_keypacks_get(void *ctx, rdls_keypack *out, size_t max, size_t *count,
			     rdls_err *err)
{
	CTX;
	*count = 0;
	if (enter(f, OP_LS_KEYPACKS_GET, "IWbemServices::ExecQuery",
		  "WMI root\\cimv2 Win32_TSLicenseKeyPack", err))
		return -1;
	if (f->ls_pub == RDLS_LS_ROLE_ABSENT)
		return rdls_err_set(err, "IWbemServices::ExecQuery", "WMI root\\cimv2 Win32_TSLicenseKeyPack",
				    WBEM_E_INVALID_CLASS, "invalid class");
	for (size_t i = 0; i < f->keypacks.n && i < max; i++)
		out[i] = AT(f->keypacks, rdls_keypack, i);
	*count = f->keypacks.n;
	return 0;
}

static int f_ls_in_tsls_group(void *ctx, bool *member, rdls_err *err)
{
	CTX;
	*member = false;
	if (ls_state_enter(f, OP_LS_IN_TSLS_GROUP, "Win32_TSLicenseServer.IsLSinTSLSGroup", err))
		return -1;
	*member = f->in_tsls;
	return 0;
}

static int f_ls_secgrp_gp(void *ctx, bool *enabled, rdls_err *err)
{
	CTX;
	*enabled = false;
	if (ls_state_enter(f, OP_LS_SECGRP_GP, "Win32_TSLicenseServer.IsLSSecGrpGPEnabled", err))
		return -1;
	*enabled = f->secgrp_gp;
	return 0;
}

/* ------------------------------------------------------ preconditions ops */

static bool find_service(struct fake_sys *f, const char *name, size_t *idx)
{
	for (size_t i = 0; i < f->services.n; i++)
		if (ieq(AT(f->services, char *, i), name)) { /* service names ignore case */
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

static int f_service_exists(void *ctx, const char *name, bool *exists, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "service '%s'", name);
	*exists = false;
	if (enter(f, OP_SERVICE_EXISTS, "OpenServiceW", o, err))
		return -1;
	*exists = find_service(f, name, NULL);
	return 0;
}

static int f_cred_persist_max(void *ctx, uint32_t *persist, rdls_err *err)
{
	CTX;
	*persist = RDLS_CRED_PERSIST_NONE;
	if (enter(f, OP_CRED_PERSIST_MAX, "CredGetSessionTypes", "CRED_TYPE_DOMAIN_PASSWORD", err))
		return -1;
	*persist = f->cred_persist;
	return 0;
}

/* ---------------------------------------------------------------- host ops */

static int f_host_name(void *ctx, char *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_HOST_NAME, "GetComputerNameW", "the computer name", err))
		return -1;
	size_t len = strlen(f->host);
	if (len + 1 > n)
		return fail(err, "", "the computer name", W_INSUFFICIENT_BUFFER);
	memcpy(buf, f->host, len + 1);
	return 0;
}

static int f_os_info(void *ctx, rdls_osinfo *out, rdls_err *err)
{
	CTX;
	if (enter(f, OP_OS_INFO, "RtlGetVersion", "the Windows version", err))
		return -1;
	*out = f->os;
	return 0;
}

static int f_is_elevated(void *ctx, bool *elevated, rdls_err *err)
{
	CTX;
	if (enter(f, OP_IS_ELEVATED, "CheckTokenMembership", "BUILTIN\\Administrators", err))
		return -1;
	*elevated = f->elevated;
	return 0;
}

static int f_lock_acquire(void *ctx, bool *busy, rdls_err *err)
{
	CTX;
	if (enter(f, OP_LOCK_ACQUIRE, "CreateMutexW", "mutex 'Global\\rdlsctl-apply'", err))
		return -1;
	*busy = f->lock_busy;
	if (!f->lock_busy)
		f->lock_held = true;
	return 0;
}

static void f_lock_release(void *ctx)
{
	CTX;
	f->calls[OP_LOCK_RELEASE]++;
	f->lock_held = false;
}

/* splitmix64 over a counter: reproducible bytes, different per call. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int f_random(void *ctx, void *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_RANDOM, "BCryptGenRandom", "the system RNG", err))
		return -1;
	unsigned char *p = buf;
	while (n) {
		uint64_t r = mix64(f->rng_seed + ++f->rng_counter * 0x9E3779B97F4A7C15ull);
		for (int i = 0; i < 8 && n; i++, n--) {
			*p++ = (unsigned char)(r & 0xff);
			r >>= 8;
		}
	}
	return 0;
}

static int f_env_secret(void *ctx, const char *name, rdls_secret **out, bool *found,
			rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "environment variable '%s'", name);
	*out = NULL;
	*found = false;
	if (enter(f, OP_ENV_SECRET, "GetEnvironmentVariableW", o, err))
		return -1;
	struct f_env *e = find_env(f, name);
	if (!e)
		return 0;
	*out = rdls_secret_new(e->value, strlen(e->value));
	if (!*out)
		return fail(err, "GetEnvironmentVariableW", o, W_NOT_ENOUGH_MEMORY);
	*found = true;
	return 0;
}

static int f_prompt_secret(void *ctx, const char *prompt, rdls_secret **out, rdls_err *err)
{
	CTX;
	(void)prompt;
	*out = NULL;
	if (enter(f, OP_PROMPT_SECRET, "ReadConsoleW", "the console (CONIN$)", err))
		return -1;
	if (!f->prompt_answer)
		return fail(err, "ReadConsoleW", "the console (CONIN$)", W_INVALID_HANDLE);
	*out = rdls_secret_new(f->prompt_answer, strlen(f->prompt_answer));
	if (!*out)
		return fail(err, "ReadConsoleW", "the console (CONIN$)", W_NOT_ENOUGH_MEMORY);
	return 0;
}

static uint32_t errno_to_win32(int e)
{
	switch (e) {
	case ENOENT: return 2;
	case ENOTDIR: return 3;
	case EACCES:
	case EPERM: return W_ACCESS_DENIED;
	case EEXIST: return 80;
	case ENOMEM: return W_NOT_ENOUGH_MEMORY;
	case ENOSPC: return 112;
	default: return 31; /* ERROR_GEN_FAILURE */
	}
}

/* The fake's directories: by default <tmp>/rdls-fake-journal-XXXX/rdlsctl/journal,
 * decided (not yet created) on first use. */
static int fake_paths(struct fake_sys *f, rdls_err *err)
{
	if (f->journal_dir)
		return 0;
	char tmpl[4096];
	if (tu_mkdtemp(tmpl, sizeof(tmpl), "rdls-fake-journal-") != 0) {
		int e = errno;
		return rdls_err_set(err, "CreateDirectoryW", tmpl, errno_to_win32(e), "%s", strerror(e));
	}
	size_t n = strlen(tmpl) + sizeof("/rdlsctl/journal");
	f->root = dup_or_null(tmpl);
	f->journal_dir = malloc(n);
	if (!f->root || !f->journal_dir) {
		rmdir(tmpl);
		free(f->root);
		free(f->journal_dir);
		f->root = f->journal_dir = NULL;
		return fail(err, "SHGetKnownFolderPath", "FOLDERID_ProgramData", W_NOT_ENOUGH_MEMORY);
	}
	snprintf(f->journal_dir, n, "%s/rdlsctl/journal", tmpl);
	f->journal_dir_ours = true;
	return 0;
}

/* Writes dir's parent (dir without its last component) to buf. */
static int parent_of(const char *dir, char *buf, size_t n, rdls_err *err)
{
	const char *slash = strrchr(dir, '/');
	size_t len = slash && slash != dir ? (size_t)(slash - dir) : strlen(dir);
	if (len + 1 > n)
		return fail(err, "", dir, W_INSUFFICIENT_BUFFER);
	memcpy(buf, dir, len);
	buf[len] = '\0';
	return 0;
}

static int f_journal_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_JOURNAL_DIR, "SHGetKnownFolderPath", "FOLDERID_ProgramData", err))
		return -1;
	if (fake_paths(f, err) != 0)
		return -1;
	if (f->journal_dir_ours) {
		/* "created if missing", as sys.h says */
		char parent[4096];
		if (parent_of(f->journal_dir, parent, sizeof(parent), err) != 0)
			return -1;
		if ((tu_mkdir(parent) != 0 && errno != EEXIST) ||
		    (tu_mkdir(f->journal_dir) != 0 && errno != EEXIST)) {
			int e = errno;
			return rdls_err_set(err, "CreateDirectoryW", f->journal_dir, errno_to_win32(e),
					    "%s", strerror(e));
		}
	}
	size_t len = strlen(f->journal_dir);
	if (len + 1 > n)
		return fail(err, "", f->journal_dir, W_INSUFFICIENT_BUFFER);
	memcpy(buf, f->journal_dir, len + 1);
	return 0;
}

static FILE *f_file_open(void *ctx, const char *path, const char *mode, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "file '%s'", path);
	if (enter(f, OP_FILE_OPEN, "_wfopen", o, err))
		return NULL;
	FILE *fp = fopen(path, mode);
	if (!fp) {
		int e = errno;
		rdls_err_set(err, "_wfopen", o, errno_to_win32(e), "%s", strerror(e));
	}
	return fp;
}

static int f_file_sync(void *ctx, FILE *fp, const char *path, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "file '%s'", path);
	if (enter(f, OP_FILE_SYNC, "FlushFileBuffers", o, err))
		return -1;
	if (tu_fsync(fp) != 0) {
		int e = errno;
		return rdls_err_set(err, "FlushFileBuffers", o, errno_to_win32(e), "%s", strerror(e));
	}
	return 0;
}

/* ------------------------------------------------------ trust in files */

static void *xpush(struct vec *v, size_t elsz);

static int f_data_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_DATA_DIR, "SHGetKnownFolderPath", "FOLDERID_ProgramData", err))
		return -1;
	if (fake_paths(f, err) != 0)
		return -1;
	return parent_of(f->journal_dir, buf, n, err);
}

static int f_exe_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_EXE_DIR, "GetModuleFileNameW", "this program", err))
		return -1;
	if (fake_paths(f, err) != 0)
		return -1;
	/* <root>/bin, made on first use (a fake set with fake_set_journal_dir: its parent) */
	char dir[4096];
	const char *base = f->root ? f->root : f->journal_dir;
	snprintf(dir, sizeof(dir), "%s/bin", base);
	if (tu_mkdir(dir) != 0 && errno != EEXIST) {
		int e = errno;
		return rdls_err_set(err, "GetModuleFileNameW", dir, errno_to_win32(e), "%s", strerror(e));
	}
	if (strlen(dir) + 1 > n)
		return fail(err, "", dir, W_INSUFFICIENT_BUFFER);
	memcpy(buf, dir, strlen(dir) + 1);
	return 0;
}

void fake_file_sec_default(rdls_file_sec *s, bool directory)
{
	memset(s, 0, sizeof(*s));
	s->exists = true;
	s->directory = directory;
	s->state = RDLS_SEC_KNOWN;
	s->owner = RDLS_WHO_ADMINS;
	snprintf(s->owner_name, sizeof(s->owner_name), "BUILTIN\\Administrators");
	s->n_aces = 2;
	s->aces[0] = (rdls_sec_ace){ .who = RDLS_WHO_ADMINS, .mask = 0x1f01ffu };
	snprintf(s->aces[0].name, sizeof(s->aces[0].name), "BUILTIN\\Administrators");
	s->aces[1] = (rdls_sec_ace){ .who = RDLS_WHO_SYSTEM, .mask = 0x1f01ffu };
	snprintf(s->aces[1].name, sizeof(s->aces[1].name), "NT AUTHORITY\\SYSTEM");
}

static struct f_sec *find_sec(struct fake_sys *f, const char *path, size_t *at)
{
	for (size_t i = 0; i < f->secs.n; i++)
		if (strcmp(AT(f->secs, struct f_sec, i).path, path) == 0) {
			if (at)
				*at = i;
			return &AT(f->secs, struct f_sec, i);
		}
	return NULL;
}

static void drop_sec(struct fake_sys *f, const char *path)
{
	size_t i;
	if (find_sec(f, path, &i)) {
		free(AT(f->secs, struct f_sec, i).path);
		vec_remove(&f->secs, i, sizeof(struct f_sec));
	}
}

/* What is on disk (lstat: a symbolic link is a reparse point), then what a test seeded. */
static int sec_of(struct fake_sys *f, const char *path, const char *api, const char *o,
		  rdls_file_sec *out, rdls_err *err)
{
	bool exists, dir, link;
	memset(out, 0, sizeof(*out));
	if (tu_path_kind(path, &exists, &dir, &link) != 0) {
		int e = errno;
		return rdls_err_set(err, api, o, errno_to_win32(e), "%s", strerror(e));
	}
	if (!exists)
		return 0;
	struct f_sec *seeded = find_sec(f, path, NULL);
	if (seeded) {
		*out = seeded->sec;
		out->directory = seeded->sec.directory || dir;
	} else {
		fake_file_sec_default(out, dir);
	}
	out->exists = true;
	out->reparse = out->reparse || link;
	return 0;
}

static int f_path_sec(void *ctx, const char *path, rdls_file_sec *out, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "file '%s'", path);
	memset(out, 0, sizeof(*out));
	if (enter(f, OP_PATH_SEC, "CreateFileW", o, err))
		return -1;
	return sec_of(f, path, "CreateFileW", o, out, err);
}

static int f_file_sec(void *ctx, FILE *fp, const char *path, rdls_file_sec *out, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "file '%s'", path);
	memset(out, 0, sizeof(*out));
	if (enter(f, OP_FILE_SEC, "GetSecurityInfo", o, err))
		return -1;
	if (!fp)
		return fail(err, "GetSecurityInfo", o, W_INVALID_HANDLE);
	return sec_of(f, path, "GetSecurityInfo", o, out, err);
}

static FILE *f_file_create_new(void *ctx, const char *path, bool *exists, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "file '%s'", path);
	*exists = false;
	if (enter(f, OP_FILE_CREATE_NEW, "CreateFileW", o, err))
		return NULL;
	FILE *fp = tu_create_excl(path);
	if (!fp) {
		int e = errno;
		if (e == EEXIST) {
			*exists = true;
			return NULL;
		}
		rdls_err_set(err, "CreateFileW", o, errno_to_win32(e), "%s", strerror(e));
		return NULL;
	}
	drop_sec(f, path); /* a new file: the admin-only descriptor, whatever was seeded */
	return fp;
}

static int f_dir_create(void *ctx, const char *path, bool *exists, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "directory '%s'", path);
	*exists = false;
	if (enter(f, OP_DIR_CREATE, "CreateDirectoryW", o, err))
		return -1;
	if (tu_mkdir(path) != 0) {
		int e = errno;
		if (e == EEXIST) {
			*exists = true;
			return 0;
		}
		return rdls_err_set(err, "CreateDirectoryW", o, errno_to_win32(e), "%s", strerror(e));
	}
	drop_sec(f, path);
	return 0;
}

static int f_dir_list(void *ctx, const char *path, char ***names, size_t *n, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "directory '%s'", path);
	*names = NULL;
	*n = 0;
	if (enter(f, OP_DIR_LIST, "FindFirstFileW", o, err))
		return -1;
	DIR *d = opendir(path);
	if (!d) {
		int e = errno;
		return rdls_err_set(err, "FindFirstFileW", o, errno_to_win32(e), "%s", strerror(e));
	}
	struct dirent *de;
	struct vec v = { 0 };
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **slot = vec_push(&v, sizeof(char *));
		if (!slot || !(*slot = dup_or_null(de->d_name))) {
			if (slot)
				v.n--;
			for (size_t i = 0; i < v.n; i++)
				free(AT(v, char *, i));
			free(v.v);
			closedir(d);
			return fail(err, "FindNextFileW", o, W_NOT_ENOUGH_MEMORY);
		}
	}
	closedir(d);
	*names = v.v;
	*n = v.n;
	return 0;
}

static int f_path_rename(void *ctx, const char *from, const char *to, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "'%s' to '%s'", from, to);
	if (enter(f, OP_PATH_RENAME, "MoveFileExW", o, err))
		return -1;
	bool exists, dir, link;
	if (tu_path_kind(to, &exists, &dir, &link) == 0 && exists)
		return fail(err, "MoveFileExW", o, 183); /* ERROR_ALREADY_EXISTS */
	if (rename(from, to) != 0) {
		int e = errno;
		return rdls_err_set(err, "MoveFileExW", o, errno_to_win32(e), "%s", strerror(e));
	}
	/* Seeded facts travel with what they describe. */
	size_t fl = strlen(from);
	for (size_t i = 0; i < f->secs.n; i++) {
		struct f_sec *e = &AT(f->secs, struct f_sec, i);
		if (strncmp(e->path, from, fl) != 0 || (e->path[fl] && e->path[fl] != '/'))
			continue;
		size_t n = strlen(to) + strlen(e->path + fl) + 1;
		char *np = malloc(n);
		if (!np)
			die("out of memory");
		snprintf(np, n, "%s%s", to, e->path + fl);
		free(e->path);
		e->path = np;
	}
	return 0;
}

static int f_lock_owner(void *ctx, enum rdls_who *who, char *name, size_t n, rdls_err *err)
{
	CTX;
	*who = RDLS_WHO_ADMINS;
	if (n)
		name[0] = '\0';
	if (enter(f, OP_LOCK_OWNER, "GetSecurityInfo", "the rdlsctl lock", err))
		return -1;
	if (f->lock_squatter) {
		*who = RDLS_WHO_OTHER;
		snprintf(name, n, "%s", f->lock_squatter);
	} else {
		snprintf(name, n, "BUILTIN\\Administrators");
	}
	return 0;
}

void fake_set_file_sec(struct fake_sys *f, const char *path, const rdls_file_sec *sec)
{
	struct f_sec *e = find_sec(f, path, NULL);
	if (!e) {
		e = xpush(&f->secs, sizeof(struct f_sec));
		e->path = xdup(path);
	}
	e->sec = *sec;
}

void fake_set_lock_squatter(struct fake_sys *f, const char *owner)
{
	free(f->lock_squatter);
	f->lock_squatter = owner ? xdup(owner) : NULL;
	f->lock_busy = owner != NULL;
}

/* ------------------------------------------------------------- diagnose ops */

static struct f_env *find_dns(struct fake_sys *f, const char *name)
{
	for (size_t i = 0; i < f->dns.n; i++)
		if (ieq(AT(f->dns, struct f_env, i).name, name))
			return &AT(f->dns, struct f_env, i);
	return NULL;
}

static struct f_tsserver *find_tsserver(struct fake_sys *f, const char *server)
{
	for (size_t i = 0; i < f->ts_srv.n; i++)
		if (ieq(AT(f->ts_srv, struct f_tsserver, i).server, server))
			return &AT(f->ts_srv, struct f_tsserver, i);
	return NULL;
}

static int f_name_resolve(void *ctx, const char *name, bool *found, char *addr, size_t n,
			  rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "name '%s'", name);
	*found = false;
	if (enter(f, OP_NAME_RESOLVE, "GetAddrInfoW", o, err))
		return -1;
	struct f_env *d = find_dns(f, name);
	if (!d)
		return 0;
	if (n)
		snprintf(addr, n, "%s", d->value); /* the backend truncates too */
	*found = true;
	return 0;
}

static int f_tcp_probe(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
		       bool *open, rdls_err *err)
{
	CTX;
	(void)timeout_ms;
	char o[OBJ_MAX];
	OBJ(o, "%s port %u", host, (unsigned)port);
	*open = false;
	if (enter(f, OP_TCP_PROBE, "connect", o, err))
		return -1;
	if (!find_dns(f, host))
		return fail(err, "GetAddrInfoW", o, WSA_HOST_NOT_FOUND);
	for (size_t i = 0; i < f->ports.n; i++) {
		struct f_port *p = &AT(f->ports, struct f_port, i);
		if (p->port == port && ieq(p->host, host))
			*open = true;
	}
	return 0;
}

#define TS_OBJ "WMI root\\CIMv2\\TerminalServices Win32_TerminalServiceSetting"

static int f_ts_grace_days(void *ctx, uint32_t *days_left, rdls_err *err)
{
	CTX;
	if (enter(f, OP_TS_GRACE_DAYS, "ExecMethod(GetGracePeriodDays)", TS_OBJ, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "ExecMethod(GetGracePeriodDays)", TS_OBJ, f->ts_wmi_hr);
	*days_left = f->grace_days;
	return 0;
}

static int f_ts_find_ls(void *ctx, rdls_ts_ls *out, size_t max, size_t *count, rdls_err *err)
{
	CTX;
	*count = 0;
	if (enter(f, OP_TS_FIND_LS, "ExecMethod(FindLicenseServers)", TS_OBJ, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "ExecMethod(FindLicenseServers)", TS_OBJ, f->ts_wmi_hr);
	for (size_t i = 0; i < f->ts_ls.n && i < max; i++)
		out[i] = AT(f->ts_ls, rdls_ts_ls, i);
	*count = f->ts_ls.n;
	return 0;
}

static int f_ts_connectivity(void *ctx, const char *server, uint32_t *status, rdls_err *err)
{
	CTX;
	const char *o = TS_OBJ;
	(void)server;
	if (enter(f, OP_TS_CONNECTIVITY, "ExecMethod(GetTStoLSConnectivityStatus)", o, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "ExecMethod(GetTStoLSConnectivityStatus)", o, f->ts_wmi_hr);
	struct f_tsserver *t = find_tsserver(f, server);
	*status = t ? t->connectivity : LS_NOT_CONNECTABLE;
	return 0;
}

static int f_ts_ping_ls(void *ctx, const char *server, bool *valid, rdls_err *err)
{
	CTX;
	const char *o = TS_OBJ;
	*valid = false;
	if (enter(f, OP_TS_PING_LS, "ExecMethod(PingLicenseServer)", o, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "ExecMethod(PingLicenseServer)", o, f->ts_wmi_hr);
	/* Windows Server 2008 (6.0) only: later versions lack the method. */
	if (!(f->os.major == 6 && f->os.minor == 0))
		return fail(err, "IWbemClassObject::GetMethod", o, WBEM_E_INVALID_METHOD);
	struct f_tsserver *t = find_tsserver(f, server);
	*valid = t && t->ping_valid;
	return 0;
}

/*
 * CNG's argument checks and codes (src/win32/crypto.c), then the native build's
 * OpenSSL wrapper computes: the unit tests' known answers check that wrapper.
 */
static int f_pbkdf2_sha256(void *ctx, const void *pw, size_t pwlen, const void *salt,
			   size_t saltlen, uint32_t iterations, void *out, size_t outlen,
			   rdls_err *err)
{
	CTX;
	int rc = -1;
	if (enter(f, OP_PBKDF2_SHA256, "BCryptDeriveKeyPBKDF2", "PBKDF2-HMAC-SHA256", err))
		goto out;
	if (pwlen > 0xFFFFFFFFu || saltlen > 0xFFFFFFFFu || outlen > 0xFFFFFFFFu) {
		fail(err, "BCryptDeriveKeyPBKDF2", "PBKDF2-HMAC-SHA256", W_INVALID_PARAMETER);
		goto out;
	}
	if (iterations == 0) {
		fail(err, "BCryptDeriveKeyPBKDF2", "PBKDF2-HMAC-SHA256", STATUS_INVALID_PARAMETER);
		goto out;
	}
	rc = rdls_posix_pbkdf2_sha256(NULL, pw, pwlen, salt, saltlen, iterations, out, outlen, err);
out:
	if (rc != 0 && out)
		memset(out, 0, outlen);
	return rc;
}

/* CNG's length check and code (src/win32/crypto.c), then OpenSSL computes. */
static int f_sha256(void *ctx, const void *data, size_t len, unsigned char out[32], rdls_err *err)
{
	CTX;
	int rc = -1;
	if (enter(f, OP_SHA256, "BCryptHash", "SHA256", err))
		goto out;
	if (len > 0xFFFFFFFFu) {
		fail(err, "BCryptHash", "SHA256", W_INVALID_PARAMETER);
		goto out;
	}
	rc = rdls_posix_sha256(NULL, data, len, out, err);
out:
	if (rc != 0)
		memset(out, 0, 32);
	return rc;
}

/* ------------------------------------------- the local Group Policy object */

#define W_FILE_NOT_FOUND 2u
#define W_FILE_TOO_LARGE 223u
#define FAKE_GPO_DIR "C:\\Windows\\System32\\GroupPolicy"

static struct f_file *find_file(struct fake_sys *f, const char *path, size_t *idx)
{
	for (size_t i = 0; i < f->files.n; i++)
		if (ieq(AT(f->files, struct f_file, i).path, path)) {
			if (idx)
				*idx = i;
			return &AT(f->files, struct f_file, i);
		}
	return NULL;
}

static void file_put(struct fake_sys *f, const char *path, const void *data, size_t len)
{
	struct f_file *x = find_file(f, path, NULL);
	if (!x) {
		x = vec_push(&f->files, sizeof(*x));
		x->path = xdup(path);
	} else {
		free(x->data);
	}
	x->data = malloc(len ? len : 1);
	if (!x->data)
		die("out of memory");
	if (len)
		memcpy(x->data, data, len);
	x->len = len;
}

static void file_drop(struct fake_sys *f, const char *path)
{
	size_t i;
	struct f_file *x = find_file(f, path, &i);
	if (!x)
		return;
	free(x->path);
	free(x->data);
	vec_remove(&f->files, i, sizeof(*x));
}

static int f_gpo_dir(void *ctx, char *buf, size_t n, rdls_err *err)
{
	struct fake_sys *f = ctx;
	if (enter(f, OP_GPO_DIR, "GetSystemDirectoryW", "the system directory", err) != 0)
		return -1;
	if (strlen(FAKE_GPO_DIR) >= n)
		return fail(err, "GetSystemDirectoryW", "the system directory", W_INSUFFICIENT_BUFFER);
	memcpy(buf, FAKE_GPO_DIR, strlen(FAKE_GPO_DIR) + 1);
	return 0;
}

static int f_file_read(void *ctx, const char *path, size_t max, unsigned char **data,
		       size_t *len, bool *exists, rdls_err *err)
{
	struct fake_sys *f = ctx;
	*data = NULL;
	*len = 0;
	*exists = false;
	if (enter(f, OP_FILE_READ, "CreateFileW", path, err) != 0)
		return -1;
	struct f_file *x = find_file(f, path, NULL);
	if (!x)
		return 0;
	if (x->len > max)
		return fail(err, "GetFileSizeEx", path, W_FILE_TOO_LARGE);
	if (x->len) {
		*data = malloc(x->len);
		if (!*data)
			die("out of memory");
		memcpy(*data, x->data, x->len);
	}
	*len = x->len;
	*exists = true;
	return 0;
}

static int f_file_write(void *ctx, const char *path, const void *data, size_t len,
			rdls_err *err)
{
	struct fake_sys *f = ctx;
	if (enter(f, OP_FILE_WRITE, "MoveFileExW", path, err) != 0)
		return -1;
	file_put(f, path, data, len);
	return 0;
}

static int f_file_delete(void *ctx, const char *path, rdls_err *err)
{
	struct fake_sys *f = ctx;
	if (enter(f, OP_FILE_DELETE, "DeleteFileW", path, err) != 0)
		return -1;
	file_drop(f, path);
	return 0;
}

static int f_gpo_domain_settings(void *ctx, const char *key, rdls_gpo_setting *out, size_t max,
				 size_t *count, rdls_err *err)
{
	struct fake_sys *f = ctx;
	*count = 0;
	if (enter(f, OP_GPO_DOMAIN_SETTINGS, "IWbemServices::ExecQuery", "WMI root\\rsop\\computer",
		  err) != 0)
		return -1;
	if (!ieq(key, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"))
		return 0;
	for (size_t i = 0; i < f->gpo_set.n; i++)
		if (i < max)
			out[i] = AT(f->gpo_set, rdls_gpo_setting, i);
	*count = f->gpo_set.n;
	return 0;
}

void fake_set_file(struct fake_sys *f, const char *path, const void *data, size_t len)
{
	if (data)
		file_put(f, path, data, len);
	else
		file_drop(f, path);
}

const unsigned char *fake_get_file(struct fake_sys *f, const char *path, size_t *len)
{
	struct f_file *x = find_file(f, path, NULL);
	*len = x ? x->len : 0;
	return x ? x->data : NULL;
}

void fake_seed_local_gpo(struct fake_sys *f, const char *servers, uint32_t mode)
{
	struct rdls_state none, pol, gpt;
	memset(&none, 0, sizeof(none));
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_gpo_regpol_want(&none, servers, mode, &pol, &e) != 0 ||
	    rdls_gpo_gptini_want(&none, &gpt, &e) != 0)
		die("fake_seed_local_gpo: %s", e.text);
	file_put(f, FAKE_GPO_REGPOL, pol.data, pol.len);
	file_put(f, FAKE_GPO_GPTINI, gpt.data, gpt.len);
	rdls_state_release(&pol);
	rdls_state_release(&gpt);
}

void fake_add_gpo_setting(struct fake_sys *f, const char *value, const char *gpo)
{
	rdls_gpo_setting *g = vec_push(&f->gpo_set, sizeof(*g));
	snprintf(g->value, sizeof(g->value), "%s", value);
	snprintf(g->gpo, sizeof(g->gpo), "%s", gpo);
}

/* ------------------------------------------ password rotation, event log */

static int f_user_set_password(void *ctx, const char *user, const rdls_secret *pw, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "user '%s'", user);
	if (enter(f, OP_USER_SET_PASSWORD, "NetUserSetInfo", o, err))
		return -1;
	struct f_user *u = find_user(f, user, NULL);
	if (!u)
		return fail(err, "NetUserSetInfo", o, NERR_USER_NOT_FOUND);
	char *npw = dup_or_null(rdls_secret_str(pw));
	if (!npw)
		return fail(err, "NetUserSetInfo", o, W_NOT_ENOUGH_MEMORY);
	free_secret_str(u->password);
	u->password = npw;
	return 0;
}

static int f_process_user(void *ctx, char *buf, size_t n, rdls_err *err)
{
	CTX;
	if (enter(f, OP_PROCESS_USER, "LookupAccountSidW", "this process's user", err))
		return -1;
	int len = f->process_user ? snprintf(buf, n, "%s", f->process_user)
				  : snprintf(buf, n, "%s\\Administrator", f->host);
	if (len < 0 || (size_t)len >= n)
		return fail(err, "LookupAccountSidW", "this process's user", W_INSUFFICIENT_BUFFER);
	return 0;
}

/* As the backend: registering needs elevation (RegCreateKeyExW: 5, access denied). */
static int f_event_register(void *ctx, rdls_err *err)
{
	CTX;
	const char *o = "event source 'rdlsctl'";
	if (enter(f, OP_EVENT_REGISTER, "RegCreateKeyExW", o, err))
		return -1;
	if (!f->event_registered && !f->elevated)
		return fail(err, "RegCreateKeyExW", o, W_ACCESS_DENIED);
	f->event_registered = true;
	return 0;
}

static int f_event_write(void *ctx, uint16_t type, uint32_t id, const char *const *strings,
			 size_t n, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "event %lu of source 'rdlsctl'", (unsigned long)id);
	if (enter(f, OP_EVENT_WRITE, "ReportEventW", o, err))
		return -1;
	if (n > 0xFFFF || (n && !strings))
		return fail(err, "ReportEventW", o, W_INVALID_PARAMETER);
	struct f_event *ev = vec_push(&f->events, sizeof(*ev));
	ev->type = type;
	ev->id = id;
	ev->n = n;
	ev->strings = n ? calloc(n, sizeof(char *)) : NULL;
	if (n && !ev->strings)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		ev->strings[i] = xdup(strings[i] ? strings[i] : "");
	return 0;
}

/* pipe_probe: WaitNamedPipeW's codes, as fake_set_pipe seeded them per host; an unseeded
 * host's pipe is not reached (53, ERROR_BAD_NETPATH, as for a name without SMB). */
static int f_pipe_probe(void *ctx, const char *server, const char *pipe, uint32_t timeout_ms,
			rdls_err *err)
{
	CTX;
	(void)timeout_ms;
	char o[OBJ_MAX];
	OBJ(o, "\\\\%s\\pipe\\%s", server, pipe);
	if (enter(f, OP_PIPE_PROBE, "WaitNamedPipeW", o, err))
		return -1;
	uint32_t code = 53;
	for (size_t i = 0; i < f->pipes.n; i++)
		if (ieq(AT(f->pipes, struct f_pipe, i).host, server))
			code = AT(f->pipes, struct f_pipe, i).code;
	return code ? fail(err, "WaitNamedPipeW", o, code) : 0;
}

#define TS_POLICY_KEY "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"

/* The mode Remote Desktop Services uses: the policy's, else RCM\Licensing Core's, else 5. */
static int f_ts_licensing(void *ctx, uint32_t *type, uint32_t *policy_source, rdls_err *err)
{
	CTX;
	*type = 0;
	*policy_source = 0;
	if (enter(f, OP_TS_LICENSING, "IWbemClassObject::Get(LicensingType)", TS_OBJ, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "IWbemServices::ExecQuery", TS_OBJ, f->ts_wmi_hr);
	if (f->ts_type_set) {
		*type = f->ts_type;
		*policy_source = f->ts_source;
		return 0;
	}
	*type = 5;
	const struct f_reg *pol = find_reg(f, TS_POLICY_KEY, "LicensingMode", NULL);
	const struct f_reg *loc = find_reg(
		f, "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core",
		"LicensingMode", NULL);
	const struct f_reg *from[2] = { pol, loc };
	for (int i = 0; i < 2; i++) {
		const rdls_regval *v = from[i] ? &from[i]->v : NULL;
		if (!v || !v->present || v->type != RDLS_REG_DWORD || v->len != 4)
			continue;
		uint32_t d = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 |
			     (uint32_t)v->data[2] << 16 | (uint32_t)v->data[3] << 24;
		if (d == 2 || d == 4 || (i == 0 && d == 6)) {
			*type = d;
			*policy_source = i == 0 ? 1 : 0;
			break;
		}
	}
	return 0;
}

/* Appends the names of list (split at sep, trimmed) to out. */
static void ts_names(const char *list, size_t len, char sep, char (*out)[RDLS_TS_NAME_MAX],
		     size_t max, size_t *count)
{
	const char *p = list, *end = list + len;
	while (p < end && *p) {
		const char *q = p;
		while (q < end && *q && *q != sep)
			q++;
		const char *a = p, *b = q;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			if (*count < max)
				snprintf(out[*count], RDLS_TS_NAME_MAX, "%.*s", (int)(b - a), a);
			(*count)++;
		}
		p = q + 1;
	}
}

/* The list Remote Desktop Services uses: the policy's LicenseServers, else the Connection
 * Broker's SpecifiedLicenseServers (or what fake_set_ts_specified seeded). */
static int f_ts_specified_ls(void *ctx, char (*out)[RDLS_TS_NAME_MAX], size_t max, size_t *count,
			     rdls_err *err)
{
	CTX;
	*count = 0;
	if (enter(f, OP_TS_SPECIFIED_LS, "ExecMethod(GetSpecifiedLicenseServerList)", TS_OBJ, err))
		return -1;
	if (f->ts_wmi_hr)
		return fail(err, "ExecMethod(GetSpecifiedLicenseServerList)", TS_OBJ, f->ts_wmi_hr);
	if (f->ts_list_set) {
		ts_names(f->ts_list, strlen(f->ts_list), ',', out, max, count);
		return 0;
	}
	const struct f_reg *pol = find_reg(f, TS_POLICY_KEY, "LicenseServers", NULL);
	if (pol && pol->v.present && pol->v.type == RDLS_REG_SZ && pol->v.len > 1) {
		ts_names((const char *)pol->v.data, pol->v.len, ',', out, max, count);
		if (*count)
			return 0;
	}
	const struct f_reg *brk = find_reg(
		f, "SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers",
		"SpecifiedLicenseServers", NULL);
	if (brk && brk->v.present && brk->v.type == RDLS_REG_MULTI_SZ) {
		const char *p = (const char *)brk->v.data, *end = p + brk->v.len;
		while (p < end && *p) {
			size_t l = strnlen(p, (size_t)(end - p));
			ts_names(p, l, '\0', out, max, count);
			p += l + 1;
		}
	}
	return 0;
}

/* ------------------------------------------- the clock, environment, process */

static int f_clock_now(void *ctx, int64_t *secs, rdls_err *err)
{
	CTX;
	*secs = 0;
	if (enter(f, OP_CLOCK_NOW, "GetSystemTimeAsFileTime", "the system clock", err))
		return -1;
	*secs = f->now;
	return 0;
}

static int f_env_get(void *ctx, const char *name, char *buf, size_t n, bool *found,
		     rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "environment variable '%s'", name);
	*found = false;
	if (n)
		buf[0] = '\0';
	if (enter(f, OP_ENV_GET, "GetEnvironmentVariableW", o, err))
		return -1;
	struct f_env *e = find_env(f, name);
	if (!e)
		return 0;
	if (strlen(e->value) + 1 > n)
		return fail(err, "GetEnvironmentVariableW", o, W_INSUFFICIENT_BUFFER);
	memcpy(buf, e->value, strlen(e->value) + 1);
	*found = true;
	return 0;
}

static void f_process_kill(void *ctx, uint32_t code)
{
	CTX;
	rdls_err ignored;
	if (enter(f, OP_PROCESS_KILL, "TerminateProcess", "this process", &ignored))
		return;
	f->killed = true;
	f->kill_code = code;
}

void fake_set_now(struct fake_sys *f, int64_t secs)
{
	f->now = secs;
}

bool fake_killed(struct fake_sys *f, uint32_t *code)
{
	if (code)
		*code = f->kill_code;
	return f->killed;
}

/* ------------------------------------------------------ reading the logs */

static bool channel_exists(struct fake_sys *f, const char *channel, size_t *idx)
{
	for (size_t i = 0; i < f->channels.n; i++)
		if (ieq(AT(f->channels, char *, i), channel)) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

/* The backend builds an XPath query from these: a quote would end its string literal. */
static bool xpath_safe(const char *s)
{
	return s && *s && !strpbrk(s, "'\"");
}

static int by_time_desc(const void *a, const void *b)
{
	const struct f_logevt *x = *(const struct f_logevt *const *)a;
	const struct f_logevt *y = *(const struct f_logevt *const *)b;
	return x->time < y->time ? 1 : x->time > y->time ? -1 : 0;
}

/* As the backend: EvtQuery (newest first) of the channel, then each match through fn. */
static int f_event_query(void *ctx, const char *channel, const char *const *providers,
			 size_t n_providers, const uint32_t *ids, size_t n_ids, uint32_t days,
			 rdls_logevt_fn fn, void *arg, rdls_err *err)
{
	CTX;
	char o[OBJ_MAX];
	OBJ(o, "channel '%s'", channel ? channel : "");
	if (enter(f, OP_EVENT_QUERY, "EvtQuery", o, err))
		return -1;
	f->last_event_days = days;
	bool ok = xpath_safe(channel) && n_providers && n_ids && fn && days >= 1 &&
		  days <= RDLS_LOGEVT_DAYS_MAX;
	for (size_t i = 0; ok && i < n_providers; i++)
		ok = xpath_safe(providers[i]);
	if (!ok)
		return fail(err, "EvtQuery", o, W_INVALID_PARAMETER);
	if (!channel_exists(f, channel, NULL))
		return fail(err, "EvtQuery", o, W_EVT_CHANNEL_NOT_FOUND);
	const uint64_t since = FAKE_EVENT_NOW - (uint64_t)days * 864000000000ull;
	struct f_logevt **hits = calloc(f->logevts.n + 1, sizeof(*hits));
	if (!hits)
		die("out of memory");
	size_t n = 0;
	for (size_t i = 0; i < f->logevts.n; i++) {
		struct f_logevt *le = &AT(f->logevts, struct f_logevt, i);
		bool prov = false, id = false;
		for (size_t k = 0; k < n_providers && !prov; k++)
			prov = strcmp(le->provider, providers[k]) == 0;
		for (size_t k = 0; k < n_ids && !id; k++)
			id = le->id == ids[k];
		if (ieq(le->channel, channel) && prov && id && le->time >= since && le->time <= FAKE_EVENT_NOW)
			hits[n++] = le;
	}
	qsort(hits, n, sizeof(*hits), by_time_desc);
	for (size_t i = 0; i < n; i++) {
		rdls_logevt ev = { .id = hits[i]->id, .time = hits[i]->time };
		int r = fn(arg, &ev);
		if (r == RDLS_LOGEVT_TEXT) {
			rdls_err te;
			rdls_err_clear(&te);
			if (hits[i]->text) {
				ev.text = hits[i]->text;
			} else {
				char mo[OBJ_MAX];
				OBJ(mo, "event %lu of provider '%s'", (unsigned long)hits[i]->id,
				    hits[i]->provider);
				fail(&te, "EvtFormatMessage", mo, W_EVT_MESSAGE_NOT_FOUND);
				ev.text_err = &te;
			}
			r = fn(arg, &ev);
		}
		if (r == RDLS_LOGEVT_STOP)
			break;
	}
	free(hits);
	return 0;
}

void fake_add_log_event(struct fake_sys *f, const char *channel, const char *provider,
			uint32_t id, uint64_t time, const char *text)
{
	struct f_logevt *le = vec_push(&f->logevts, sizeof(*le));
	if (!le)
		die("out of memory");
	le->channel = xdup(channel);
	le->provider = xdup(provider);
	le->id = id;
	le->time = time;
	le->text = text ? xdup(text) : NULL;
}

void fake_set_log_channel(struct fake_sys *f, const char *channel, bool exists)
{
	size_t i;
	bool has = channel_exists(f, channel, &i);
	if (exists && !has) {
		char **slot = vec_push(&f->channels, sizeof(char *));
		if (!slot)
			die("out of memory");
		*slot = xdup(channel);
	} else if (!exists && has) {
		free(AT(f->channels, char *, i));
		vec_remove(&f->channels, i, sizeof(char *));
	}
}

uint32_t fake_last_event_days(struct fake_sys *f)
{
	return f->last_event_days;
}

static const struct rdls_sys_ops fake_ops = {
	.user_get = f_user_get,
	.user_add = f_user_add,
	.user_del = f_user_del,
	.group_get = f_group_get,
	.group_add = f_group_add,
	.group_del = f_group_del,
	.member_get = f_member_get,
	.member_add = f_member_add,
	.member_del = f_member_del,
	.account_lookup = f_account_lookup,
	.reg_get = f_reg_get,
	.reg_set = f_reg_set,
	.reg_del = f_reg_del,
	.cred_get = f_cred_get,
	.cred_put = f_cred_put,
	.cred_del = f_cred_del,
	.ls_pub_get = f_ls_pub_get,
	.ls_pub_set = f_ls_pub_set,
	.ls_on_dc = f_ls_on_dc,
	.host_name = f_host_name,
	.os_info = f_os_info,
	.is_elevated = f_is_elevated,
	.lock_acquire = f_lock_acquire,
	.lock_release = f_lock_release,
	.random = f_random,
	.env_secret = f_env_secret,
	.prompt_secret = f_prompt_secret,
	.journal_dir = f_journal_dir,
	.file_open = f_file_open,
	.file_sync = f_file_sync,
	.name_resolve = f_name_resolve,
	.tcp_probe = f_tcp_probe,
	.ts_grace_days = f_ts_grace_days,
	.ts_find_ls = f_ts_find_ls,
	.ts_connectivity = f_ts_connectivity,
	.ts_ping_ls = f_ts_ping_ls,
	.reg_key_get = f_reg_key_get,
	.reg_key_create = f_reg_key_create,
	.reg_key_del = f_reg_key_del,
	.service_exists = f_service_exists,
	.cred_persist_max = f_cred_persist_max,
	.pbkdf2_sha256 = f_pbkdf2_sha256,
	.data_dir = f_data_dir,
	.exe_dir = f_exe_dir,
	.path_sec = f_path_sec,
	.file_sec = f_file_sec,
	.file_create_new = f_file_create_new,
	.dir_create = f_dir_create,
	.dir_list = f_dir_list,
	.path_rename = f_path_rename,
	.lock_owner = f_lock_owner,
	.sha256 = f_sha256,
	.gpo_dir = f_gpo_dir,
	.file_read = f_file_read,
	.file_write = f_file_write,
	.file_delete = f_file_delete,
	.gpo_domain_settings = f_gpo_domain_settings,
	.user_set_password = f_user_set_password,
	.process_user = f_process_user,
	.event_register = f_event_register,
	.event_write = f_event_write,
	.ls_activation_get = f_ls_activation_get,
	.ls_keypacks_get = f_ls_keypacks_get,
	.ls_in_tsls_group = f_ls_in_tsls_group,
	.ls_secgrp_gp = f_ls_secgrp_gp,
	.pipe_probe = f_pipe_probe,
	.ts_licensing = f_ts_licensing,
	.ts_specified_ls = f_ts_specified_ls,
	.clock_now = f_clock_now,
	.env_get = f_env_get,
	.process_kill = f_process_kill,
	.event_query = f_event_query,
};

/* --------------------------------------------------------------- lifetime */

struct fake_sys *fake_sys_new(const char *hostname)
{
	struct fake_sys *f = calloc(1, sizeof(*f));
	if (!f)
		die("out of memory");
	f->ops = fake_ops;
	f->host = xdup(hostname);
	f->ls_pub = RDLS_LS_UNPUBLISHED;
	f->ls_activation = RDLS_LS_ACTIVATED;
	f->in_tsls = true; /* a domain license server as RD Licensing Manager's Add to Group leaves it */
	f->grace_days = 120; /* a fresh session host's grace period */
	f->elevated = true;
	/* Windows Server 2019, a workgroup member server. */
	f->os = (rdls_osinfo){ .major = 10, .minor = 0, .build = 17763, .server = true };
	f->rng_seed = 0x5244534cull; /* "RDLS": the same bytes in every run */
	f->fail_op = -1;
	/* Keys every Windows Server has; rdlsctl's own keys below them are not there. */
	fake_add_reg_key(f, "SYSTEM\\CurrentControlSet\\Services");
	fake_add_reg_key(f, "SOFTWARE\\Policies\\Microsoft");
	/* The RD Licensing role's service, and Credential Manager as a member server has it. */
	fake_set_service(f, "TermServLicensing", true);
	f->cred_persist = RDLS_CRED_PERSIST_ENTERPRISE;
	f->now = FAKE_NOW;
	/* The event logs a Windows Server with Remote Desktop Services has, all empty. */
	fake_set_log_channel(f, "System", true);
	fake_set_log_channel(f, "Application", true);
	fake_set_log_channel(f, FAKE_RCM_ADMIN, true);
	fake_set_log_channel(f, FAKE_RCM_OPERATIONAL, true);
	return f;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			size_t n = strlen(dir) + 1 + strlen(de->d_name) + 1;
			char *p = malloc(n);
			if (p) {
				snprintf(p, n, "%s/%s", dir, de->d_name);
				if (unlink(p) != 0)
					remove_dir(p);
				free(p);
			}
		}
		closedir(d);
	}
	rmdir(dir);
}

void fake_sys_free(struct fake_sys *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->users.n; i++) {
		free(AT(f->users, struct f_user, i).name);
		free_secret_str(AT(f->users, struct f_user, i).password);
	}
	for (size_t i = 0; i < f->groups.n; i++)
		free(AT(f->groups, char *, i));
	for (size_t i = 0; i < f->members.n; i++)
		member_free(&AT(f->members, struct f_member, i));
	for (size_t i = 0; i < f->regs.n; i++)
		reg_free(&AT(f->regs, struct f_reg, i));
	for (size_t i = 0; i < f->keys.n; i++)
		free(AT(f->keys, char *, i));
	for (size_t i = 0; i < f->creds.n; i++)
		cred_free(&AT(f->creds, struct f_cred, i));
	for (size_t i = 0; i < f->envs.n; i++) {
		free(AT(f->envs, struct f_env, i).name);
		free_secret_str(AT(f->envs, struct f_env, i).value);
	}
	for (size_t i = 0; i < f->lookups.n; i++)
		free(AT(f->lookups, struct f_lookup, i).name);
	for (size_t i = 0; i < f->denied.n; i++)
		free(AT(f->denied, char *, i));
	for (size_t i = 0; i < f->dns.n; i++) {
		free(AT(f->dns, struct f_env, i).name);
		free(AT(f->dns, struct f_env, i).value);
	}
	for (size_t i = 0; i < f->ports.n; i++)
		free(AT(f->ports, struct f_port, i).host);
	for (size_t i = 0; i < f->ts_srv.n; i++)
		free(AT(f->ts_srv, struct f_tsserver, i).server);
	for (size_t i = 0; i < f->services.n; i++)
		free(AT(f->services, char *, i));
	for (size_t i = 0; i < f->files.n; i++) {
		free(AT(f->files, struct f_file, i).path);
		free(AT(f->files, struct f_file, i).data);
	}
	free(f->files.v);
	free(f->gpo_set.v);
	for (size_t i = 0; i < f->pipes.n; i++)
		free(AT(f->pipes, struct f_pipe, i).host);
	free(f->pipes.v);
	free(f->ts_list);
	free(f->services.v);
	for (size_t i = 0; i < f->events.n; i++) {
		struct f_event *ev = &AT(f->events, struct f_event, i);
		for (size_t k = 0; k < ev->n; k++)
			free(ev->strings[k]);
		free(ev->strings);
	}
	free(f->events.v);
	for (size_t i = 0; i < f->logevts.n; i++) {
		struct f_logevt *le = &AT(f->logevts, struct f_logevt, i);
		free(le->channel);
		free(le->provider);
		free(le->text);
	}
	free(f->logevts.v);
	for (size_t i = 0; i < f->channels.n; i++)
		free(AT(f->channels, char *, i));
	free(f->channels.v);
	free(f->process_user);
	free(f->dns.v);
	free(f->ports.v);
	free(f->ts_ls.v);
	free(f->keypacks.v);
	free(f->ts_srv.v);
	free(f->users.v);
	free(f->groups.v);
	free(f->members.v);
	free(f->regs.v);
	free(f->keys.v);
	free(f->creds.v);
	free(f->envs.v);
	free(f->lookups.v);
	free(f->denied.v);
	free_secret_str(f->prompt_answer);
	for (size_t i = 0; i < f->secs.n; i++)
		free(AT(f->secs, struct f_sec, i).path);
	free(f->secs.v);
	free(f->lock_squatter);
	if (f->journal_dir_ours)
		remove_dir(f->root);
	free(f->root);
	free(f->journal_dir);
	free(f->host);
	free(f);
}

struct rdls_sys fake_sys_iface(struct fake_sys *f)
{
	return (struct rdls_sys){ .ops = &f->ops, .ctx = f };
}

/* ---------------------------------------------------------------- seeding */

static void *xpush(struct vec *v, size_t elsz)
{
	void *p = vec_push(v, elsz);
	if (!p)
		die("out of memory");
	return p;
}

void fake_add_user(struct fake_sys *f, const char *user, const char *password)
{
	struct f_user *u = find_user(f, user, NULL);
	if (!u) {
		u = xpush(&f->users, sizeof(*u));
		u->name = xdup(user);
	}
	free_secret_str(u->password);
	u->password = xdup(password);
}

void fake_set_service(struct fake_sys *f, const char *name, bool exists)
{
	size_t i;
	bool have = find_service(f, name, &i);
	if (exists && !have) {
		char **slot = xpush(&f->services, sizeof(char *));
		*slot = xdup(name);
	} else if (!exists && have) {
		free(AT(f->services, char *, i));
		AT(f->services, char *, i) = AT(f->services, char *, f->services.n - 1);
		f->services.n--;
	}
}

void fake_set_cred_persist(struct fake_sys *f, uint32_t persist)
{
	f->cred_persist = persist;
}

void fake_add_group(struct fake_sys *f, const char *group)
{
	if (find_group(f, group, NULL))
		return;
	char **slot = xpush(&f->groups, sizeof(char *));
	*slot = xdup(group);
}

void fake_add_member(struct fake_sys *f, const char *group, const char *member)
{
	fake_add_group(f, group);
	if (find_member(f, group, member, NULL))
		return;
	char *m = normalise_account(f, member);
	if (!m)
		die("out of memory");
	struct f_member *slot = xpush(&f->members, sizeof(*slot));
	slot->group = xdup(group);
	slot->member = m;
}

void fake_set_reg(struct fake_sys *f, const char *key, const char *name, const rdls_regval *v)
{
	size_t i;
	struct f_reg *r = find_reg(f, key, name, &i);
	if (!v || !v->present) {
		if (r) {
			reg_free(r);
			vec_remove(&f->regs, i, sizeof(struct f_reg));
		}
		return;
	}
	rdls_regval copy;
	if (rdls_regval_copy(&copy, v) != 0 || key_create_path(f, key) != 0)
		die("out of memory");
	if (!r) {
		r = xpush(&f->regs, sizeof(*r));
		r->key = xdup(key);
		r->name = xdup(name);
	}
	rdls_regval_release(&r->v);
	r->v = copy;
}

void fake_set_reg_sz(struct fake_sys *f, const char *key, const char *name, uint32_t type,
		     const char *s)
{
	rdls_regval v = { 0 };
	if (rdls_regval_set_sz(&v, type, s) != 0)
		die("out of memory");
	fake_set_reg(f, key, name, &v);
	rdls_regval_release(&v);
}

void fake_set_reg_dword(struct fake_sys *f, const char *key, const char *name, uint32_t d)
{
	rdls_regval v = { 0 };
	if (rdls_regval_set_dword(&v, d) != 0)
		die("out of memory");
	fake_set_reg(f, key, name, &v);
	rdls_regval_release(&v);
}

void fake_add_reg_key(struct fake_sys *f, const char *key)
{
	if (key_create_path(f, key) != 0)
		die("out of memory");
}

void fake_set_cred(struct fake_sys *f, const char *target, const char *user, const char *check)
{
	struct f_cred *c = find_cred(f, target, NULL);
	if (!c) {
		c = xpush(&f->creds, sizeof(*c));
		c->target = xdup(target);
	}
	free_secret_str(c->password);
	c->password = NULL;
	c->c.present = true;
	c->c.type = RDLS_CRED_TYPE_DOMAIN_PASSWORD;
	c->c.persist = RDLS_CRED_PERSIST_ENTERPRISE;
	snprintf(c->c.user, sizeof(c->c.user), "%s", user ? user : "");
	snprintf(c->c.check, sizeof(c->c.check), "%s", check ? check : "");
}

void fake_set_ls_pub(struct fake_sys *f, enum rdls_ls_pub state)
{
	f->ls_pub = state;
}

void fake_set_on_dc(struct fake_sys *f, bool on_dc)
{
	f->on_dc = on_dc;
}

void fake_set_elevated(struct fake_sys *f, bool elevated)
{
	f->elevated = elevated;
}

void fake_set_os(struct fake_sys *f, const rdls_osinfo *os)
{
	f->os = *os;
}

void fake_set_env(struct fake_sys *f, const char *name, const char *value)
{
	struct f_env *e = find_env(f, name);
	if (!value) {
		if (e) {
			size_t i = (size_t)(e - (struct f_env *)f->envs.v);
			free(e->name);
			free_secret_str(e->value);
			vec_remove(&f->envs, i, sizeof(struct f_env));
		}
		return;
	}
	if (!e) {
		e = xpush(&f->envs, sizeof(*e));
		e->name = xdup(name);
	}
	free_secret_str(e->value);
	e->value = xdup(value);
}

void fake_set_prompt_answer(struct fake_sys *f, const char *answer)
{
	free_secret_str(f->prompt_answer);
	f->prompt_answer = answer ? xdup(answer) : NULL;
}

void fake_set_lock_busy(struct fake_sys *f, bool busy)
{
	f->lock_busy = busy;
}

void fake_deny_key(struct fake_sys *f, const char *key)
{
	if (key_denied(f, key))
		return;
	char **slot = xpush(&f->denied, sizeof(char *));
	*slot = xdup(key);
}

void fake_set_lookup(struct fake_sys *f, const char *name, enum rdls_sid_use use)
{
	for (size_t i = 0; i < f->lookups.n; i++) {
		struct f_lookup *l = &AT(f->lookups, struct f_lookup, i);
		if (acct_eq(f, l->name, name)) {
			l->use = use;
			return;
		}
	}
	char *n = normalise_account(f, name);
	if (!n)
		die("out of memory");
	struct f_lookup *l = xpush(&f->lookups, sizeof(*l));
	l->name = n;
	l->use = use;
}

void fake_set_journal_dir(struct fake_sys *f, const char *dir)
{
	if (f->journal_dir_ours)
		remove_dir(f->root);
	free(f->root);
	f->root = NULL;
	free(f->journal_dir);
	f->journal_dir = dir ? xdup(dir) : NULL;
	f->journal_dir_ours = false;
}

void fake_set_dns(struct fake_sys *f, const char *name, const char *addr)
{
	struct f_env *d = find_dns(f, name);
	if (!addr) {
		if (d) {
			size_t i = (size_t)(d - (struct f_env *)f->dns.v);
			free(d->name);
			free(d->value);
			vec_remove(&f->dns, i, sizeof(struct f_env));
		}
		return;
	}
	if (!d) {
		d = xpush(&f->dns, sizeof(*d));
		d->name = xdup(name);
	}
	free(d->value);
	d->value = xdup(addr);
}

void fake_set_tcp_open(struct fake_sys *f, const char *host, uint16_t port, bool open)
{
	for (size_t i = 0; i < f->ports.n; i++) {
		struct f_port *p = &AT(f->ports, struct f_port, i);
		if (p->port == port && ieq(p->host, host)) {
			if (!open) {
				free(p->host);
				vec_remove(&f->ports, i, sizeof(struct f_port));
			}
			return;
		}
	}
	if (!open)
		return;
	struct f_port *p = xpush(&f->ports, sizeof(*p));
	p->host = xdup(host);
	p->port = port;
}

void fake_set_ts_wmi(struct fake_sys *f, uint32_t hresult)
{
	f->ts_wmi_hr = hresult;
}

void fake_set_ls_activation(struct fake_sys *f, uint32_t status)
{
	f->ls_activation = status;
}

void fake_add_keypack(struct fake_sys *f, const rdls_keypack *k)
{
	rdls_keypack *slot = xpush(&f->keypacks, sizeof(*slot));
	*slot = *k;
}

void fake_set_ls_tsls_group(struct fake_sys *f, bool member)
{
	f->in_tsls = member;
}

void fake_set_ls_secgrp_gp(struct fake_sys *f, bool enabled)
{
	f->secgrp_gp = enabled;
}

void fake_set_grace_days(struct fake_sys *f, uint32_t days)
{
	f->grace_days = days;
}

void fake_add_ts_ls(struct fake_sys *f, const rdls_ts_ls *ls)
{
	rdls_ts_ls *slot = xpush(&f->ts_ls, sizeof(*slot));
	*slot = *ls;
}

static struct f_tsserver *tsserver(struct fake_sys *f, const char *server)
{
	struct f_tsserver *t = find_tsserver(f, server);
	if (!t) {
		t = xpush(&f->ts_srv, sizeof(*t));
		t->server = xdup(server);
		t->connectivity = LS_NOT_CONNECTABLE;
	}
	return t;
}

void fake_set_ts_connectivity(struct fake_sys *f, const char *server, uint32_t status)
{
	tsserver(f, server)->connectivity = status;
}

void fake_set_ts_ping(struct fake_sys *f, const char *server, bool valid)
{
	tsserver(f, server)->ping_valid = valid;
}

void fake_drop_op(struct fake_sys *f, const char *op)
{
	static const size_t offs[OP_COUNT] = {
#define OFF(e, m) [e] = offsetof(struct rdls_sys_ops, m)
		OFF(OP_USER_GET, user_get), OFF(OP_USER_ADD, user_add), OFF(OP_USER_DEL, user_del),
		OFF(OP_GROUP_GET, group_get), OFF(OP_GROUP_ADD, group_add), OFF(OP_GROUP_DEL, group_del),
		OFF(OP_MEMBER_GET, member_get), OFF(OP_MEMBER_ADD, member_add),
		OFF(OP_MEMBER_DEL, member_del), OFF(OP_ACCOUNT_LOOKUP, account_lookup),
		OFF(OP_REG_GET, reg_get), OFF(OP_REG_SET, reg_set), OFF(OP_REG_DEL, reg_del),
		OFF(OP_CRED_GET, cred_get), OFF(OP_CRED_PUT, cred_put), OFF(OP_CRED_DEL, cred_del),
		OFF(OP_LS_PUB_GET, ls_pub_get), OFF(OP_LS_PUB_SET, ls_pub_set), OFF(OP_LS_ON_DC, ls_on_dc),
		OFF(OP_HOST_NAME, host_name), OFF(OP_OS_INFO, os_info), OFF(OP_IS_ELEVATED, is_elevated),
		OFF(OP_LOCK_ACQUIRE, lock_acquire), OFF(OP_LOCK_RELEASE, lock_release),
		OFF(OP_RANDOM, random), OFF(OP_ENV_SECRET, env_secret),
		OFF(OP_PROMPT_SECRET, prompt_secret), OFF(OP_JOURNAL_DIR, journal_dir),
		OFF(OP_FILE_OPEN, file_open), OFF(OP_FILE_SYNC, file_sync),
		OFF(OP_NAME_RESOLVE, name_resolve), OFF(OP_TCP_PROBE, tcp_probe),
		OFF(OP_TS_GRACE_DAYS, ts_grace_days), OFF(OP_TS_FIND_LS, ts_find_ls),
		OFF(OP_TS_CONNECTIVITY, ts_connectivity), OFF(OP_TS_PING_LS, ts_ping_ls),
		OFF(OP_REG_KEY_GET, reg_key_get), OFF(OP_REG_KEY_CREATE, reg_key_create),
		OFF(OP_REG_KEY_DEL, reg_key_del),
		OFF(OP_SERVICE_EXISTS, service_exists), OFF(OP_CRED_PERSIST_MAX, cred_persist_max),
		OFF(OP_PBKDF2_SHA256, pbkdf2_sha256),
		OFF(OP_DATA_DIR, data_dir), OFF(OP_EXE_DIR, exe_dir), OFF(OP_PATH_SEC, path_sec),
		OFF(OP_FILE_SEC, file_sec), OFF(OP_FILE_CREATE_NEW, file_create_new),
		OFF(OP_DIR_CREATE, dir_create), OFF(OP_DIR_LIST, dir_list),
		OFF(OP_PATH_RENAME, path_rename), OFF(OP_LOCK_OWNER, lock_owner),
		OFF(OP_SHA256, sha256),
		OFF(OP_GPO_DIR, gpo_dir), OFF(OP_FILE_READ, file_read), OFF(OP_FILE_WRITE, file_write),
		OFF(OP_FILE_DELETE, file_delete), OFF(OP_GPO_DOMAIN_SETTINGS, gpo_domain_settings),
		OFF(OP_USER_SET_PASSWORD, user_set_password), OFF(OP_PROCESS_USER, process_user),
		OFF(OP_EVENT_REGISTER, event_register), OFF(OP_EVENT_WRITE, event_write),
		OFF(OP_LS_ACTIVATION_GET, ls_activation_get), OFF(OP_LS_KEYPACKS_GET, ls_keypacks_get),
		OFF(OP_LS_IN_TSLS_GROUP, ls_in_tsls_group), OFF(OP_LS_SECGRP_GP, ls_secgrp_gp),
		OFF(OP_PIPE_PROBE, pipe_probe), OFF(OP_TS_LICENSING, ts_licensing),
		OFF(OP_TS_SPECIFIED_LS, ts_specified_ls),
		OFF(OP_CLOCK_NOW, clock_now), OFF(OP_ENV_GET, env_get),
		OFF(OP_PROCESS_KILL, process_kill),
		OFF(OP_EVENT_QUERY, event_query),
#undef OFF
	};
	int i = find_op(op);
	if (i < 0 || i == OP_WRITE)
		die("fake_drop_op: unknown operation '%s'", op);
	/* Every member is a function pointer; a null one reads as "not implemented". */
	void (*none)(void) = NULL;
	memcpy((char *)&f->ops + offs[i], &none, sizeof(none));
}

/* ------------------------------------------------------------- inspecting */

bool fake_has_user(struct fake_sys *f, const char *user)
{
	return find_user(f, user, NULL) != NULL;
}

const char *fake_user_password(struct fake_sys *f, const char *user)
{
	struct f_user *u = find_user(f, user, NULL);
	return u ? u->password : NULL;
}

bool fake_has_group(struct fake_sys *f, const char *group)
{
	return find_group(f, group, NULL);
}

bool fake_is_member(struct fake_sys *f, const char *group, const char *member)
{
	return find_member(f, group, member, NULL);
}

const rdls_regval *fake_get_reg(struct fake_sys *f, const char *key, const char *name)
{
	struct f_reg *r = find_reg(f, key, name, NULL);
	return r ? &r->v : NULL;
}

bool fake_has_reg_key(struct fake_sys *f, const char *key)
{
	return find_key(f, key, NULL);
}

const rdls_cred *fake_get_cred(struct fake_sys *f, const char *target)
{
	struct f_cred *c = find_cred(f, target, NULL);
	return c ? &c->c : NULL;
}

const char *fake_cred_password(struct fake_sys *f, const char *target)
{
	struct f_cred *c = find_cred(f, target, NULL);
	return c ? c->password : NULL;
}

enum rdls_ls_pub fake_get_ls_pub(struct fake_sys *f)
{
	return f->ls_pub;
}

bool fake_lock_held(struct fake_sys *f)
{
	return f->lock_held;
}

/* ---------------------------------------------------------------- snapshot */

/* A growing string; on out-of-memory the test cannot continue. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_putc(struct sbuf *b, char c)
{
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *ns = realloc(b->s, cap);
		if (!ns)
			die("out of memory");
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	while (*s)
		sb_putc(b, *s++);
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_puts(b, tmp);
}

/* A quoted string, optionally case-folded, with anything unusual as \xNN. */
static void sb_quoted(struct sbuf *b, const char *s, bool folded)
{
	static const char hex[] = "0123456789abcdef";
	sb_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int c = folded ? fold(*p) : *p;
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, 'x');
			sb_putc(b, hex[c >> 4]);
			sb_putc(b, hex[c & 15]);
		} else {
			sb_putc(b, (char)c);
		}
	}
	sb_putc(b, '"');
}

static void sb_hex(struct sbuf *b, const unsigned char *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (!n)
		sb_putc(b, '-');
	for (size_t i = 0; i < n; i++) {
		sb_putc(b, hex[d[i] >> 4]);
		sb_putc(b, hex[d[i] & 15]);
	}
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fake_snapshot(struct fake_sys *f)
{
	static const char *const pub_names[] = { "role-absent", "unpublished", "published" };
	size_t n = f->users.n + f->groups.n + f->members.n + f->regs.n + f->keys.n + f->creds.n +
		   f->files.n + 1;
	char **lines = calloc(n, sizeof(char *));
	if (!lines)
		die("out of memory");
	size_t k = 0;
	struct sbuf b;

#define LINE_BEGIN() memset(&b, 0, sizeof(b))
#define LINE_END() (lines[k++] = b.s)
	for (size_t i = 0; i < f->users.n; i++) {
		struct f_user *u = &AT(f->users, struct f_user, i);
		LINE_BEGIN();
		sb_puts(&b, "user ");
		sb_quoted(&b, u->name, true);
		sb_puts(&b, " password ");
		sb_quoted(&b, u->password, false);
		LINE_END();
	}
	for (size_t i = 0; i < f->groups.n; i++) {
		LINE_BEGIN();
		sb_puts(&b, "group ");
		sb_quoted(&b, AT(f->groups, char *, i), true);
		LINE_END();
	}
	for (size_t i = 0; i < f->members.n; i++) {
		struct f_member *m = &AT(f->members, struct f_member, i);
		LINE_BEGIN();
		sb_puts(&b, "member ");
		sb_quoted(&b, m->group, true);
		sb_putc(&b, ' ');
		sb_quoted(&b, m->member, true);
		LINE_END();
	}
	for (size_t i = 0; i < f->regs.n; i++) {
		struct f_reg *r = &AT(f->regs, struct f_reg, i);
		LINE_BEGIN();
		sb_puts(&b, "reg ");
		sb_quoted(&b, r->key, true);
		sb_putc(&b, ' ');
		sb_quoted(&b, r->name, true);
		sb_printf(&b, " type %u data ", (unsigned)r->v.type);
		sb_hex(&b, r->v.data, r->v.len);
		LINE_END();
	}
	for (size_t i = 0; i < f->keys.n; i++) {
		LINE_BEGIN();
		sb_puts(&b, "key ");
		sb_quoted(&b, AT(f->keys, char *, i), true);
		LINE_END();
	}
	for (size_t i = 0; i < f->creds.n; i++) {
		struct f_cred *c = &AT(f->creds, struct f_cred, i);
		LINE_BEGIN();
		sb_puts(&b, "cred ");
		sb_quoted(&b, c->target, true);
		sb_puts(&b, " user ");
		sb_quoted(&b, c->c.user, true);
		sb_printf(&b, " type %u persist %u check ", (unsigned)c->c.type,
			  (unsigned)c->c.persist);
		sb_quoted(&b, c->c.check, false);
		sb_puts(&b, " password ");
		if (c->password)
			sb_quoted(&b, c->password, false);
		else
			sb_puts(&b, "unknown");
		LINE_END();
	}
	for (size_t i = 0; i < f->files.n; i++) {
		struct f_file *x = &AT(f->files, struct f_file, i);
		size_t pl = strlen(x->path);
		bool gpt = pl >= 7 && ieq(x->path + pl - 7, "gpt.ini");
		LINE_BEGIN();
		sb_puts(&b, "file ");
		sb_quoted(&b, x->path, true);
		sb_puts(&b, " data ");
		if (!gpt) {
			sb_hex(&b, x->data, x->len);
		} else {
			/* gpt.ini's Version only ever grows (rollback raises it too): masked */
			for (size_t j = 0; j < x->len; j++) {
				sb_printf(&b, "%02x", x->data[j]);
				bool bol = j == 0 || x->data[j - 1] == '\n';
				if (bol && x->len - j > 8 && memcmp(x->data + j, "Version=", 8) == 0) {
					sb_puts(&b, "<Version=*>");
					j += 8;
					while (j < x->len && x->data[j] >= '0' && x->data[j] <= '9')
						j++;
					j--;
				}
			}
		}
		LINE_END();
	}
	LINE_BEGIN();
	sb_puts(&b, "ls_pub ");
	sb_puts(&b, pub_names[f->ls_pub <= RDLS_LS_PUBLISHED ? f->ls_pub : 0]);
	LINE_END();
#undef LINE_BEGIN
#undef LINE_END

	qsort(lines, k, sizeof(char *), cmp_lines);
	memset(&b, 0, sizeof(b));
	sb_puts(&b, "");
	for (size_t i = 0; i < k; i++) {
		sb_puts(&b, lines[i]);
		sb_putc(&b, '\n');
		rdls_secure_zero(lines[i], strlen(lines[i]));
		free(lines[i]);
	}
	free(lines);
	if (!b.s) { /* unreachable: there is always the ls_pub line */
		b.s = xdup("");
	}
	return b.s;
}

/* ------------------------------------------------------ counting, failures */

unsigned fake_calls(struct fake_sys *f, const char *op)
{
	int i = find_op(op);
	if (i < 0)
		die("fake_calls: unknown operation '%s'", op);
	return i == OP_WRITE ? f->writes : f->calls[i];
}

unsigned fake_writes(struct fake_sys *f)
{
	return f->writes;
}

void fake_fail_nth(struct fake_sys *f, const char *op, unsigned n, uint32_t code)
{
	int i = find_op(op);
	if (i < 0)
		die("fake_fail_nth: unknown operation '%s'", op);
	f->fail_op = n ? i : -1;
	f->fail_n = n;
	f->fail_seen = 0;
	f->fail_code = code;
}

/* ------------------------------------------------------------ event log */

size_t fake_event_count(struct fake_sys *f)
{
	return f->events.n;
}

static const struct f_event *event_at(struct fake_sys *f, size_t i)
{
	if (i >= f->events.n)
		die("fake_event: event %zu of %zu", i, f->events.n);
	return &AT(f->events, struct f_event, i);
}

uint32_t fake_event_id(struct fake_sys *f, size_t i)
{
	return event_at(f, i)->id;
}

uint16_t fake_event_type(struct fake_sys *f, size_t i)
{
	return event_at(f, i)->type;
}

size_t fake_event_nstrings(struct fake_sys *f, size_t i)
{
	return event_at(f, i)->n;
}

const char *fake_event_string(struct fake_sys *f, size_t i, size_t k)
{
	const struct f_event *ev = event_at(f, i);
	if (k >= ev->n)
		die("fake_event_string: event %zu has %zu strings, not %zu", i, ev->n, k + 1);
	return ev->strings[k];
}

char *fake_event_ids(struct fake_sys *f)
{
	size_t cap = f->events.n * 12 + 1, len = 0;
	char *t = malloc(cap);
	if (!t)
		die("out of memory");
	t[0] = '\0';
	for (size_t i = 0; i < f->events.n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%s%lu", i ? " " : "",
					(unsigned long)AT(f->events, struct f_event, i).id);
	return t;
}

bool fake_event_registered(struct fake_sys *f)
{
	return f->event_registered;
}

void fake_set_event_registered(struct fake_sys *f, bool registered)
{
	f->event_registered = registered;
}

void fake_set_process_user(struct fake_sys *f, const char *user)
{
	free(f->process_user);
	f->process_user = user ? xdup(user) : NULL;
}

void fake_set_pipe(struct fake_sys *f, const char *host, uint32_t code)
{
	for (size_t i = 0; i < f->pipes.n; i++)
		if (ieq(AT(f->pipes, struct f_pipe, i).host, host)) {
			AT(f->pipes, struct f_pipe, i).code = code;
			return;
		}
	struct f_pipe *p = xpush(&f->pipes, sizeof(*p));
	p->host = xdup(host);
	p->code = code;
}

void fake_set_ts_licensing(struct fake_sys *f, uint32_t type, uint32_t policy_source)
{
	f->ts_type_set = true;
	f->ts_type = type;
	f->ts_source = policy_source;
}

void fake_set_ts_specified(struct fake_sys *f, const char *list)
{
	free(f->ts_list);
	f->ts_list = list ? xdup(list) : NULL;
	f->ts_list_set = list != NULL;
}
