/* Portable test helpers: see testutil.h. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <direct.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "rdls/planrun.h"
#include "testutil.h"

static void die(const char *what)
{
	fprintf(stderr, "testutil: %s\n", what);
	fflush(stderr);
	abort();
}

FILE *tu_strin(const char *text)
{
	return tu_memin(text, strlen(text));
}

char *tu_take(FILE *f)
{
	if (fflush(f) != 0)
		die("cannot flush the output");
	long n = ftell(f);
	if (n < 0)
		die("cannot tell the output's length");
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	if (!s)
		die("out of memory");
	if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
		die("cannot read back the output");
	rewind(f);
#ifdef _WIN32
	if (_chsize(_fileno(f), 0) != 0)
#else
	if (ftruncate(fileno(f), 0) != 0)
#endif
		die("cannot empty the output file");
	return s;
}

#ifdef _WIN32

FILE *tu_tmpfile(void)
{
	wchar_t dir[MAX_PATH + 1], path[MAX_PATH + 1];
	DWORD n = GetTempPathW(MAX_PATH + 1, dir);
	if (n == 0 || n > MAX_PATH || !GetTempFileNameW(dir, L"rdl", 0, path))
		return tmpfile();
	/* D: _O_TEMPORARY, deleted when closed (or when the process ends); T: short-lived */
	FILE *f = _wfopen(path, L"w+bTD");
	if (!f) {
		DeleteFileW(path);
		return tmpfile();
	}
	return f;
}

FILE *tu_memin(const void *data, size_t len)
{
	FILE *f = tu_tmpfile();
	if (!f)
		return NULL;
	if ((len && fwrite(data, 1, len, f) != len) || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

int tu_capture_begin(struct tu_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = tu_tmpfile();
	return c->fp ? 0 : -1;
}

const char *tu_capture_text(struct tu_capture *c)
{
	if (fflush(c->fp) != 0 || fseek(c->fp, 0, SEEK_END) != 0)
		die("cannot read back a capture");
	long n = ftell(c->fp);
	if (n < 0 || fseek(c->fp, 0, SEEK_SET) != 0)
		die("cannot read back a capture");
	char *b = realloc(c->buf, (size_t)n + 1);
	if (!b)
		die("out of memory");
	c->buf = b;
	c->len = fread(b, 1, (size_t)n, c->fp);
	b[c->len] = '\0';
	/* what the code under test writes next goes after it */
	if (fseek(c->fp, 0, SEEK_END) != 0)
		die("cannot read back a capture");
	return b;
}

char *tu_capture_end(struct tu_capture *c, size_t *len)
{
	tu_capture_text(c);
	fclose(c->fp);
	c->fp = NULL;
	char *s = c->buf;
	if (len)
		*len = c->len;
	c->buf = NULL;
	c->len = 0;
	return s;
}

const char *tu_tmpdir(void)
{
	static char dir[MAX_PATH + 1];
	if (!dir[0]) {
		DWORD n = GetTempPathA(sizeof(dir), dir);
		if (n == 0 || n >= sizeof(dir))
			snprintf(dir, sizeof(dir), ".");
		/* '/' for '\\' (Windows takes both): a path then reads the same in the
		 * text output and, unescaped, in the JSON output the tests compare */
		for (char *p = dir; *p; p++)
			if (*p == '\\')
				*p = '/';
		size_t l = strlen(dir);
		while (l > 1 && dir[l - 1] == '/')
			dir[--l] = '\0';
	}
	return dir;
}

/* tu_tmpdir()/<prefix><process id>-<sequence>: unique within the process, and
 * the sequence moves on past names that exist (left by an earlier process). */
static int next_name(char *buf, size_t n, const char *prefix)
{
	static unsigned seq;
	int w = snprintf(buf, n, "%s/%s%lu-%u", tu_tmpdir(), prefix,
			 (unsigned long)GetCurrentProcessId(), seq++);
	if (w < 0 || (size_t)w >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int tu_mkdtemp(char *buf, size_t n, const char *prefix)
{
	for (int tries = 0; tries < 10000; tries++) {
		if (next_name(buf, n, prefix) != 0)
			return -1;
		if (_mkdir(buf) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int tu_temp_file(char *buf, size_t n, const char *prefix, const void *data, size_t len)
{
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 10000; tries++) {
		if (next_name(buf, n, prefix) != 0)
			return -1;
		fd = _open(buf, _O_CREAT | _O_EXCL | _O_WRONLY | _O_BINARY, _S_IREAD | _S_IWRITE);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len) {
		unsigned chunk = len > 65536 ? 65536u : (unsigned)len;
		int w = _write(fd, p, chunk);
		if (w <= 0) {
			int e = errno;
			_close(fd);
			_unlink(buf);
			errno = e;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return _close(fd);
}

int tu_fsync(FILE *fp)
{
	if (fflush(fp) != 0)
		return -1;
	return _commit(_fileno(fp));
}

static int put_env(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);
	if (!s)
		die("out of memory");
	snprintf(s, n, "%s=%s", name, value);
	int rc = _putenv(s); /* the C runtime keeps a copy */
	free(s);
	return rc == 0 ? 0 : -1;
}

int tu_setenv(const char *name, const char *value)
{
	return put_env(name, value);
}

int tu_unsetenv(const char *name)
{
	return put_env(name, "");
}

int tu_path_kind(const char *path, bool *exists, bool *dir, bool *link)
{
	DWORD a = GetFileAttributesA(path);
	*exists = *dir = *link = false;
	if (a == INVALID_FILE_ATTRIBUTES) {
		DWORD e = GetLastError();
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			return 0;
		errno = EIO;
		return -1;
	}
	*exists = true;
	*dir = (a & FILE_ATTRIBUTE_DIRECTORY) != 0;
	*link = (a & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
	return 0;
}

FILE *tu_create_excl(const char *path)
{
	int fd = _open(path, _O_WRONLY | _O_CREAT | _O_EXCL | _O_APPEND | _O_BINARY, _S_IREAD | _S_IWRITE);
	if (fd < 0)
		return NULL;
	FILE *f = _fdopen(fd, "ab");
	if (!f)
		_close(fd);
	return f;
}

int tu_mkdir(const char *path)
{
	return _mkdir(path);
}

#else /* POSIX */

static char *empty_string(void)
{
	char *s = calloc(1, 1);
	if (!s)
		die("out of memory");
	return s;
}

FILE *tu_tmpfile(void)
{
	return tmpfile();
}

FILE *tu_memin(const void *data, size_t len)
{
	/* fmemopen of size 0 fails on older C libraries */
	return len ? fmemopen((void *)data, len, "rb") : fopen("/dev/null", "rb");
}

int tu_capture_begin(struct tu_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	return c->fp ? 0 : -1;
}

const char *tu_capture_text(struct tu_capture *c)
{
	if (fflush(c->fp) != 0)
		die("cannot flush a capture");
	return c->buf ? c->buf : "";
}

char *tu_capture_end(struct tu_capture *c, size_t *len)
{
	fclose(c->fp);
	c->fp = NULL;
	char *s = c->buf ? c->buf : empty_string();
	if (len)
		*len = c->buf ? c->len : 0;
	c->buf = NULL;
	c->len = 0;
	return s;
}

const char *tu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

static int template(char *buf, size_t n, const char *prefix)
{
	int w = snprintf(buf, n, "%s/%sXXXXXX", tu_tmpdir(), prefix);
	if (w < 0 || (size_t)w >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int tu_mkdtemp(char *buf, size_t n, const char *prefix)
{
	if (template(buf, n, prefix) != 0)
		return -1;
	return mkdtemp(buf) ? 0 : -1;
}

int tu_temp_file(char *buf, size_t n, const char *prefix, const void *data, size_t len)
{
	if (template(buf, n, prefix) != 0)
		return -1;
	int fd = mkstemp(buf);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(buf);
			errno = e;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

int tu_fsync(FILE *fp)
{
	if (fflush(fp) != 0)
		return -1;
	return fsync(fileno(fp));
}

int tu_setenv(const char *name, const char *value)
{
	return setenv(name, value, 1);
}

int tu_unsetenv(const char *name)
{
	return unsetenv(name);
}

int tu_path_kind(const char *path, bool *exists, bool *dir, bool *link)
{
	struct stat st;
	*exists = *dir = *link = false;
	if (lstat(path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	*exists = true;
	*dir = S_ISDIR(st.st_mode);
	*link = S_ISLNK(st.st_mode);
	return 0;
}

FILE *tu_create_excl(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW, 0600);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "ab");
	if (!f)
		close(fd);
	return f;
}

int tu_mkdir(const char *path)
{
	return mkdir(path, 0700);
}

#endif

/* ------------------------------------------------------------------ fixtures */

const char tu_wg_profile[] =
	"[deployment]\n"
	"membership = workgroup\n"
	"licensing_mode = per_device\n"
	"cal_version = 2019\n"
	"[peering]\n"
	"account = rdls-peer\n"
	"group = RDLS Peers\n"
	"password = env:RDLS_PEER_PASSWORD\n"
	"[license_server LICSVR1]\n"
	"os = 2019\n"
	"[license_server LICSVR2]\n"
	"os = 2019\n"
	"[session_host RDSH1]\n"
	"os = 2019\n";

struct rdls_model *tu_model(const char *text)
{
	FILE *f = tu_strin(text);
	if (!f)
		die("cannot read the profile text");
	struct rdls_diags dg;
	rdls_diags_init(&dg, TU_PROFILE_PATH);
	struct rdls_model *m = rdls_model_load(f, TU_PROFILE_PATH, &dg);
	fclose(f);
	if (!m)
		rdls_diags_print(&dg, stderr);
	rdls_diags_release(&dg);
	return m;
}

struct tu_diag *tu_diag_new(const char *host)
{
	struct tu_diag *e = calloc(1, sizeof(*e));
	if (!e)
		die("out of memory");
	e->f = fake_sys_new(host);
	e->sys = fake_sys_iface(e->f);
	rdls_diagnose_opts_init(&e->o);
	return e;
}

void tu_diag_free(struct tu_diag *e)
{
	if (e->ran)
		rdls_diagnosis_release(&e->d);
	rdls_model_free(e->m);
	fake_sys_free(e->f);
	free(e);
}

int tu_diag_profile(struct tu_diag *e, const char *text)
{
	rdls_model_free(e->m);
	e->m = tu_model(text);
	return e->m ? 0 : -1;
}

int tu_diag_run(struct tu_diag *e, const char *check)
{
	if (e->ran)
		rdls_diagnosis_release(&e->d);
	e->o.only = check;
	e->o.model = e->m;
	e->o.profile_path = e->m ? TU_PROFILE_PATH : NULL;
	rdls_err err;
	rdls_err_clear(&err);
	unsigned before = fake_writes(e->f);
	int rc = rdls_diagnose(&e->sys, &e->o, &e->d, &err);
	e->ran = true;
	if (rc != 0) {
		fprintf(stderr, "rdls_diagnose failed: %s: %s\n", err.object, err.text);
		return -1;
	}
	if (fake_writes(e->f) != before) {
		fprintf(stderr, "diagnose wrote to the machine (%u writes)\n", fake_writes(e->f) - before);
		return -1;
	}
	return 0;
}

void tu_diag_dump(const struct rdls_diagnosis *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct rdls_dresult *r = &d->v[i];
		fprintf(stderr, "  %-8s %s [%s] (%s): %s\n", rdls_dstatus_name(r->status), r->check,
			r->id ? r->id : "", r->subject ? r->subject : "",
			r->status == RDLS_D_NOT_RUN ? (r->reason ? r->reason : "")
						    : (r->title ? r->title : ""));
	}
}

const struct rdls_dresult *tu_diag_finding(const struct tu_diag *e, const char *id,
					   const char *subject, enum rdls_dsev sev)
{
	const struct rdls_dresult *r = rdls_diagnosis_find(&e->d, id, subject);
	if (!r || r->status != RDLS_D_FINDING || r->sev != sev) {
		fprintf(stderr, "expected finding %s (%s) of severity %s; got:\n", id,
			subject ? subject : "any subject", rdls_dsev_name(sev));
		tu_diag_dump(&e->d);
		return NULL;
	}
	if (!r->title || !r->evidence || !r->cause || !r->remedy) {
		fprintf(stderr, "finding %s (%s) lacks its title, evidence, cause or remedy\n", id,
			r->subject ? r->subject : "");
		return NULL;
	}
	return r;
}

bool tu_diag_no_finding(const struct tu_diag *e, const char *id)
{
	if (!rdls_diagnosis_find(&e->d, id, NULL))
		return true;
	fprintf(stderr, "unexpected finding %s:\n", id);
	tu_diag_dump(&e->d);
	return false;
}

bool tu_diag_never_passed(const struct tu_diag *e, const char *check, const char *subject)
{
	for (size_t i = 0; i < e->d.n; i++) {
		const struct rdls_dresult *r = &e->d.v[i];
		if (strcmp(r->check, check) == 0 && r->status == RDLS_D_PASSED &&
		    (!subject || (r->subject && strcmp(r->subject, subject) == 0))) {
			fprintf(stderr, "check %s passed for %s although its source was not read:\n",
				check, r->subject ? r->subject : "(no subject)");
			tu_diag_dump(&e->d);
			return false;
		}
	}
	return true;
}

const struct rdls_dresult *tu_diag_status(const struct tu_diag *e, const char *check,
					  const char *subject, enum rdls_dstatus st, bool every)
{
	const struct rdls_dresult *r = rdls_diagnosis_check(&e->d, check, subject);
	if (!r || r->status != st) {
		fprintf(stderr, "expected check %s (%s) to be %s; got:\n", check,
			subject ? subject : "any", rdls_dstatus_name(st));
		tu_diag_dump(&e->d);
		return NULL;
	}
	for (size_t i = 0; every && i < e->d.n; i++)
		if (strcmp(e->d.v[i].check, check) == 0 && e->d.v[i].status != st) {
			fprintf(stderr, "check %s has results other than %s:\n", check,
				rdls_dstatus_name(st));
			tu_diag_dump(&e->d);
			return NULL;
		}
	if (st == RDLS_D_NOT_RUN && !r->reason) {
		fprintf(stderr, "check %s is not run and says not why\n", check);
		return NULL;
	}
	return r;
}

bool tu_contains(const char *s, const char *what)
{
	if (s && strstr(s, what))
		return true;
	fprintf(stderr, "expected '%s' in '%s'\n", what, s ? s : "(null)");
	return false;
}

void tu_cmd_init(struct tu_cmd *c, const char *host)
{
	memset(c, 0, sizeof(*c));
	c->f = fake_sys_new(host);
	c->sys = fake_sys_iface(c->f);
	c->out = tu_tmpfile();
	c->err = tu_tmpfile();
	if (!c->out || !c->err)
		die("cannot make the output files");
}

void tu_cmd_release(struct tu_cmd *c)
{
	free(c->out_text);
	free(c->err_text);
	fclose(c->out);
	fclose(c->err);
	fake_sys_free(c->f);
}

static void take_output(struct tu_cmd *c)
{
	free(c->out_text);
	free(c->err_text);
	c->out_text = tu_take(c->out);
	c->err_text = tu_take(c->err);
}

int tu_cmd_run(struct tu_cmd *c)
{
	static const struct {
		const char *name;
		rdls_cmd_fn fn;
	} cmds[] = { { "plan", cmd_plan }, { "apply", cmd_apply }, { "rollback", cmd_rollback } };
	rdls_cmd_fn fn = NULL;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (c->o.command && strcmp(c->o.command, cmds[i].name) == 0)
			fn = cmds[i].fn;
	if (!fn)
		die("tu_cmd_run runs plan, apply and rollback only");
	c->o.out = c->out;
	c->o.err = c->err;
	int rc = fn(&c->o, &c->sys);
	take_output(c);
	return rc;
}

struct rdls_plan *tu_cmd_plan(struct tu_cmd *c)
{
	c->o.out = c->out;
	c->o.err = c->err;
	struct rdls_planrun pr;
	memset(&pr, 0, sizeof(pr));
	struct rdls_plan *p = NULL;
	if (rdls_planrun_host(&c->o, &c->sys, &pr) != 0 || rdls_planrun_load(&c->o, &c->sys, &pr) != 0)
		fprintf(stderr, "plan: %s\n", pr.error);
	else {
		p = pr.plan;
		pr.plan = NULL;
	}
	rdls_planrun_release(&pr);
	take_output(c);
	return p;
}
