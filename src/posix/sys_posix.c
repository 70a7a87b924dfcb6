/*
 * The system interface of the native Linux build. rdlsctl configures Windows;
 * here only files, the host name and secrets work (validate, help, and the
 * core's own tests need no more). Everything else fails plainly with
 * "this command needs Windows" (api "", so the message has no API in it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "posix/crypto.h"
#include "rdls/sys.h"

int rdls_sys_posix_new(struct rdls_sys *out, rdls_err *err);
void rdls_sys_posix_free(struct rdls_sys *sys);

static int needs_windows(rdls_err *err, const char *what)
{
	return rdls_err_set(err, "", what, 0, "this command needs Windows");
}

static int px_user_get(void *c, const char *u, bool *e, rdls_err *err)
{ (void)c; (void)u; *e = false; return needs_windows(err, "local users"); }
static int px_user_add(void *c, const char *u, const rdls_secret *p, rdls_err *err)
{ (void)c; (void)u; (void)p; return needs_windows(err, "local users"); }
static int px_user_del(void *c, const char *u, rdls_err *err)
{ (void)c; (void)u; return needs_windows(err, "local users"); }
static int px_group_get(void *c, const char *g, bool *e, rdls_err *err)
{ (void)c; (void)g; *e = false; return needs_windows(err, "local groups"); }
static int px_group_add(void *c, const char *g, const char *cm, rdls_err *err)
{ (void)c; (void)g; (void)cm; return needs_windows(err, "local groups"); }
static int px_group_del(void *c, const char *g, rdls_err *err)
{ (void)c; (void)g; return needs_windows(err, "local groups"); }
static int px_member_get(void *c, const char *g, const char *m, bool *is, rdls_err *err)
{ (void)c; (void)g; (void)m; *is = false; return needs_windows(err, "local groups"); }
static int px_member_add(void *c, const char *g, const char *m, rdls_err *err)
{ (void)c; (void)g; (void)m; return needs_windows(err, "local groups"); }
static int px_member_del(void *c, const char *g, const char *m, rdls_err *err)
{ (void)c; (void)g; (void)m; return needs_windows(err, "local groups"); }
static int px_account_lookup(void *c, const char *n, enum rdls_sid_use *u, rdls_err *err)
{ (void)c; (void)n; *u = RDLS_SID_NONE; return needs_windows(err, "account lookup"); }
static int px_reg_get(void *c, const char *k, const char *n, rdls_regval *o, rdls_err *err)
{ (void)c; (void)k; (void)n; memset(o, 0, sizeof(*o)); return needs_windows(err, "the registry"); }
static int px_reg_set(void *c, const char *k, const char *n, const rdls_regval *v, rdls_err *err)
{ (void)c; (void)k; (void)n; (void)v; return needs_windows(err, "the registry"); }
static int px_reg_del(void *c, const char *k, const char *n, rdls_err *err)
{ (void)c; (void)k; (void)n; return needs_windows(err, "the registry"); }
static int px_reg_key_get(void *c, const char *k, bool *e, rdls_err *err)
{ (void)c; (void)k; *e = false; return needs_windows(err, "the registry"); }
static int px_reg_key_create(void *c, const char *k, rdls_err *err)
{ (void)c; (void)k; return needs_windows(err, "the registry"); }
static int px_reg_key_del(void *c, const char *k, bool *ne, rdls_err *err)
{ (void)c; (void)k; *ne = false; return needs_windows(err, "the registry"); }
static int px_cred_get(void *c, const char *t, rdls_cred *o, rdls_err *err)
{ (void)c; (void)t; memset(o, 0, sizeof(*o)); return needs_windows(err, "credentials"); }
static int px_cred_put(void *c, const char *t, const char *u, const rdls_secret *p,
		       const char *chk, rdls_err *err)
{ (void)c; (void)t; (void)u; (void)p; (void)chk; return needs_windows(err, "credentials"); }
static int px_cred_del(void *c, const char *t, rdls_err *err)
{ (void)c; (void)t; return needs_windows(err, "credentials"); }
static int px_ls_pub_get(void *c, enum rdls_ls_pub *s, rdls_err *err)
{ (void)c; *s = RDLS_LS_ROLE_ABSENT; return needs_windows(err, "Win32_TSLicenseServer"); }
static int px_ls_pub_set(void *c, bool p, rdls_err *err)
{ (void)c; (void)p; return needs_windows(err, "Win32_TSLicenseServer"); }
static int px_ls_on_dc(void *c, bool *d, rdls_err *err)
{ (void)c; *d = false; return needs_windows(err, "Win32_TSLicenseServer"); }
static int px_service_exists(void *c, const char *n, bool *e, rdls_err *err)
{ (void)c; (void)n; *e = false; return needs_windows(err, "services"); }
static int px_os_info(void *c, rdls_osinfo *o, rdls_err *err)
{ (void)c; memset(o, 0, sizeof(*o)); return needs_windows(err, "the Windows version"); }
static int px_is_elevated(void *c, bool *e, rdls_err *err)
{ (void)c; *e = false; return needs_windows(err, "elevation"); }
static int px_lock_acquire(void *c, bool *b, rdls_err *err)
{ (void)c; *b = false; return needs_windows(err, "the apply lock"); }
static void px_lock_release(void *c) { (void)c; }
static int px_random(void *c, void *b, size_t n, rdls_err *err)
{ (void)c; (void)b; (void)n; return needs_windows(err, "the system RNG"); }
static int px_journal_dir(void *c, char *b, size_t n, rdls_err *err)
{ (void)c; if (n) b[0] = '\0'; return needs_windows(err, "the journal directory"); }
static int px_gpo_dir(void *c, char *b, size_t n, rdls_err *err)
{ (void)c; if (n) b[0] = '\0'; return needs_windows(err, "the local Group Policy object"); }
static int px_file_read(void *c, const char *p, size_t max, unsigned char **d, size_t *len,
			bool *e, rdls_err *err)
{
	(void)c; (void)p; (void)max; *d = NULL; *len = 0; *e = false;
	return needs_windows(err, "the local Group Policy object");
}
static int px_file_write(void *c, const char *p, const void *d, size_t len, rdls_err *err)
{ (void)c; (void)p; (void)d; (void)len; return needs_windows(err, "the local Group Policy object"); }
static int px_file_delete(void *c, const char *p, rdls_err *err)
{ (void)c; (void)p; return needs_windows(err, "the local Group Policy object"); }

/* NetBIOS-like: the host name up to the first dot, upper-cased. */
static int px_host_name(void *c, char *buf, size_t n, rdls_err *err)
{
	(void)c;
	char h[256];
	if (gethostname(h, sizeof(h)) != 0)
		return rdls_err_set(err, "gethostname", "the host name", (uint32_t)errno, "%s",
				    strerror(errno));
	h[sizeof(h) - 1] = '\0';
	char *dot = strchr(h, '.');
	if (dot)
		*dot = '\0';
	for (char *p = h; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (strlen(h) >= n)
		return rdls_err_set(err, "", "the host name", 0, "buffer too small");
	strcpy(buf, h);
	return 0;
}

static int px_env_secret(void *c, const char *name, rdls_secret **out, bool *found,
			 rdls_err *err)
{
	(void)c;
	*out = NULL;
	*found = false;
	const char *v = getenv(name);
	if (!v)
		return 0;
	*out = rdls_secret_new(v, strlen(v));
	if (!*out)
		return rdls_err_set(err, "", name, ENOMEM, "out of memory");
	*found = true;
	return 0;
}

static int px_prompt_secret(void *c, const char *prompt, rdls_secret **out, rdls_err *err)
{
	(void)c;
	char buf[1024];
	size_t len = 0;
	struct termios old, noecho;
	bool restore = false;
	int rc = -1;

	*out = NULL;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return rdls_err_set(err, "open", "/dev/tty", (uint32_t)errno, "%s", strerror(errno));
	if (tcgetattr(fd, &old) != 0) {
		rdls_err_set(err, "tcgetattr", "/dev/tty", (uint32_t)errno, "%s", strerror(errno));
		goto out;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0) {
		rdls_err_set(err, "tcsetattr", "/dev/tty", (uint32_t)errno, "%s", strerror(errno));
		goto out;
	}
	restore = true;
	if (prompt && write(fd, prompt, strlen(prompt)) < 0) {
		rdls_err_set(err, "write", "/dev/tty", (uint32_t)errno, "%s", strerror(errno));
		goto out;
	}
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rdls_err_set(err, "read", "/dev/tty", (uint32_t)errno, "%s", strerror(errno));
			goto out;
		}
		if (r == 0 || ch == '\n')
			break;
		if (len + 1 >= sizeof(buf)) {
			rdls_err_set(err, "", "/dev/tty", 0, "the secret is too long");
			goto out;
		}
		buf[len++] = ch;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	*out = rdls_secret_new(buf, len);
	if (!*out) {
		rdls_err_set(err, "", "/dev/tty", ENOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	rdls_secure_zero(buf, sizeof(buf));
	close(fd);
	return rc;
}

static FILE *px_file_open(void *c, const char *path, const char *mode, rdls_err *err)
{
	(void)c;
	FILE *f = fopen(path, mode);
	if (!f)
		rdls_err_set(err, "fopen", path, (uint32_t)errno, "%s", strerror(errno));
	return f;
}

static int px_file_sync(void *c, FILE *f, const char *path, rdls_err *err)
{
	(void)c;
	if (fflush(f) != 0)
		return rdls_err_set(err, "fflush", path, (uint32_t)errno, "%s", strerror(errno));
	if (fsync(fileno(f)) != 0)
		return rdls_err_set(err, "fsync", path, (uint32_t)errno, "%s", strerror(errno));
	return 0;
}


/* --- trust facts, the POSIX way: owner uid, mode bits, lstat for links --- */

static int px_data_dir(void *c, char *b, size_t n, rdls_err *err)
{ (void)c; if (n) b[0] = '\0'; return needs_windows(err, "the journal directory"); }
static int px_lock_owner(void *c, enum rdls_who *w, char *name, size_t n, rdls_err *err)
{ (void)c; *w = RDLS_WHO_OTHER; if (n) name[0] = '\0'; return needs_windows(err, "the apply lock"); }

static int px_errno(rdls_err *err, const char *api, const char *obj)
{
	int e = errno;
	return rdls_err_set(err, api, obj, (uint32_t)e, "%s", strerror(e));
}

/* root stands for Administrators, this user for itself; group and others' read and
 * write bits become allow ACEs of "group <gid>" and "others". */
static void px_ace(rdls_file_sec *out, mode_t mode, mode_t r, mode_t w, const char *name)
{
	if (!(mode & (r | w)))
		return;
	rdls_sec_ace *a = &out->aces[out->n_aces++];
	a->who = RDLS_WHO_OTHER;
	a->mask = (mode & r ? RDLS_ACCESS_READ_DATA : 0) | (mode & w ? RDLS_ACCESS_WRITE_DATA : 0);
	snprintf(a->name, sizeof(a->name), "%s", name);
}

static void px_facts(const struct stat *st, rdls_file_sec *out)
{
	char group[64];
	memset(out, 0, sizeof(*out));
	out->exists = true;
	out->reparse = S_ISLNK(st->st_mode);
	out->directory = S_ISDIR(st->st_mode);
	out->state = RDLS_SEC_KNOWN;
	/* The native build changes no system; its files are its user's own. */
	out->one_account = true;
	out->owner = st->st_uid == 0 ? RDLS_WHO_ADMINS
		     : st->st_uid == geteuid() ? RDLS_WHO_SELF : RDLS_WHO_OTHER;
	snprintf(out->owner_name, sizeof(out->owner_name), "uid %lu", (unsigned long)st->st_uid);
	snprintf(group, sizeof(group), "group %lu", (unsigned long)st->st_gid);
	px_ace(out, st->st_mode, S_IRGRP, S_IWGRP, group);
	px_ace(out, st->st_mode, S_IROTH, S_IWOTH, "others");
}

static int px_path_sec(void *c, const char *path, rdls_file_sec *out, rdls_err *err)
{
	(void)c;
	struct stat st;
	memset(out, 0, sizeof(*out));
	if (lstat(path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : px_errno(err, "lstat", path);
	px_facts(&st, out);
	return 0;
}

static int px_file_sec(void *c, FILE *f, const char *path, rdls_file_sec *out, rdls_err *err)
{
	(void)c;
	struct stat st;
	memset(out, 0, sizeof(*out));
	if (fstat(fileno(f), &st) != 0)
		return px_errno(err, "fstat", path);
	px_facts(&st, out);
	return 0;
}

static FILE *px_file_create_new(void *c, const char *path, bool *exists, rdls_err *err)
{
	(void)c;
	*exists = false;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			*exists = true;
		else
			px_errno(err, "open", path);
		return NULL;
	}
	FILE *f = fdopen(fd, "ab");
	if (!f) {
		px_errno(err, "fdopen", path);
		close(fd);
	}
	return f;
}

static int px_dir_create(void *c, const char *path, bool *exists, rdls_err *err)
{
	(void)c;
	*exists = false;
	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return px_errno(err, "mkdir", path);
	*exists = true;
	return 0;
}

static int px_dir_list(void *c, const char *path, char ***names, size_t *n, rdls_err *err)
{
	(void)c;
	*names = NULL;
	*n = 0;
	DIR *d = opendir(path);
	if (!d)
		return px_errno(err, "opendir", path);
	char **v = NULL;
	size_t count = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **nv = realloc(v, (count + 1) * sizeof(*nv));
		char *name = nv ? strdup(de->d_name) : NULL;
		if (nv)
			v = nv;
		if (!name) {
			rc = rdls_err_set(err, "readdir", path, ENOMEM, "out of memory");
			break;
		}
		v[count++] = name;
	}
	closedir(d);
	if (rc != 0) {
		for (size_t i = 0; i < count; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*names = v;
	*n = count;
	return 0;
}

static int px_path_rename(void *c, const char *from, const char *to, rdls_err *err)
{
	(void)c;
	struct stat st;
	if (lstat(to, &st) == 0)
		return rdls_err_set(err, "rename", to, EEXIST, "%s", strerror(EEXIST));
	if (rename(from, to) != 0)
		return px_errno(err, "rename", from);
	return 0;
}

static int px_exe_dir(void *c, char *buf, size_t n, rdls_err *err)
{
	(void)c;
	char p[4096];
	ssize_t len = readlink("/proc/self/exe", p, sizeof(p) - 1);
	if (len < 0)
		return px_errno(err, "readlink", "/proc/self/exe");
	p[len] = '\0';
	char *slash = strrchr(p, '/');
	if (slash)
		*(slash == p ? slash + 1 : slash) = '\0';
	if (strlen(p) >= n)
		return rdls_err_set(err, "", p, 0, "buffer too small");
	strcpy(buf, p);
	return 0;
}

static int px_user_set_password(void *c, const char *u, const rdls_secret *p, rdls_err *err)
{ (void)c; (void)u; (void)p; return needs_windows(err, "local users"); }

static int px_clock_now(void *c, int64_t *secs, rdls_err *err)
{
	(void)c;
	time_t t = time(NULL);
	*secs = 0;
	if (t == (time_t)-1)
		return px_errno(err, "time", "the system clock");
	*secs = (int64_t)t;
	return 0;
}

static int px_env_get(void *c, const char *name, char *buf, size_t n, bool *found,
		      rdls_err *err)
{
	(void)c;
	const char *v = getenv(name);
	*found = false;
	if (n)
		buf[0] = '\0';
	if (!v)
		return 0;
	if (strlen(v) + 1 > n)
		return rdls_err_set(err, "getenv", name, ERANGE, "the value is too long");
	memcpy(buf, v, strlen(v) + 1);
	*found = true;
	return 0;
}

static void px_process_kill(void *c, uint32_t code)
{
	(void)c;
	(void)code; /* SIGKILL's status is the signal's */
	raise(SIGKILL);
}

/* process_user, event_register, event_write: NULL, no event log here (audit.c writes none). */
static const struct rdls_sys_ops posix_ops = {
	.user_get = px_user_get,
	.user_add = px_user_add,
	.user_del = px_user_del,
	.group_get = px_group_get,
	.group_add = px_group_add,
	.group_del = px_group_del,
	.member_get = px_member_get,
	.member_add = px_member_add,
	.member_del = px_member_del,
	.account_lookup = px_account_lookup,
	.reg_get = px_reg_get,
	.reg_set = px_reg_set,
	.reg_del = px_reg_del,
	.cred_get = px_cred_get,
	.cred_put = px_cred_put,
	.cred_del = px_cred_del,
	.ls_pub_get = px_ls_pub_get,
	.ls_pub_set = px_ls_pub_set,
	.ls_on_dc = px_ls_on_dc,
	.host_name = px_host_name,
	.os_info = px_os_info,
	.is_elevated = px_is_elevated,
	.lock_acquire = px_lock_acquire,
	.lock_release = px_lock_release,
	.random = px_random,
	.env_secret = px_env_secret,
	.prompt_secret = px_prompt_secret,
	.journal_dir = px_journal_dir,
	.file_open = px_file_open,
	.file_sync = px_file_sync,
	.reg_key_get = px_reg_key_get,
	.reg_key_create = px_reg_key_create,
	.reg_key_del = px_reg_key_del,
	.service_exists = px_service_exists,
	.pbkdf2_sha256 = rdls_posix_pbkdf2_sha256,
	.data_dir = px_data_dir,
	.exe_dir = px_exe_dir,
	.path_sec = px_path_sec,
	.file_sec = px_file_sec,
	.file_create_new = px_file_create_new,
	.dir_create = px_dir_create,
	.dir_list = px_dir_list,
	.path_rename = px_path_rename,
	.lock_owner = px_lock_owner,
	.sha256 = rdls_posix_sha256,
	.gpo_dir = px_gpo_dir,
	.file_read = px_file_read,
	.file_write = px_file_write,
	.file_delete = px_file_delete,
	/* gpo_domain_settings: none (NULL): there is no RSOP natively */
	.user_set_password = px_user_set_password,
	/* ls_activation_get, ls_keypacks_get, ls_in_tsls_group, ls_secgrp_gp: none (NULL):
	 * there is no RD Licensing natively, and diagnose reports those checks as not run */
	/* pipe_probe, ts_licensing, ts_specified_ls: none (NULL), like the other diagnose
	 * sources here; diagnose reports those checks as not run */
	.clock_now = px_clock_now,
	.env_get = px_env_get,
	.process_kill = px_process_kill,
	/* event_query: none (NULL): there is no Windows event log natively; diagnose reports
	 * its event log checks as not run */
};

int rdls_sys_posix_new(struct rdls_sys *out, rdls_err *err)
{
	(void)err;
	out->ops = &posix_ops;
	out->ctx = NULL;
	return 0;
}

void rdls_sys_posix_free(struct rdls_sys *sys)
{
	if (sys)
		sys->ctx = NULL;
}
