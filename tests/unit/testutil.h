/*
 * Portable helpers for the unit tests: the few POSIX calls the suites need that
 * mingw-w64's C runtime lacks (fmemopen, open_memstream, mkdtemp, mkstemp in
 * /tmp, fsync, setenv), each with a Windows implementation, so that the same
 * tests run on Linux (make unit) and natively on Windows (MSYS2 MINGW64,
 * .github/workflows/windows.yml).
 *
 * No cmocka here: the fuzz harnesses and the benchmark link this file too.
 * A helper that cannot do its job for lack of memory prints why and aborts.
 * Below the portable helpers: the fixtures the suites share (a diagnose on the fake,
 * a command on the fake).
 */
#ifndef RDLS_TEST_TESTUTIL_H
#define RDLS_TEST_TESTUTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

/* Room for a temporary path: %TEMP% on Windows can be long. */
#define TU_PATH_MAX 1024

/*
 * tmpfile(): a new, empty file opened "w+b" and deleted when closed. On Windows
 * it is made in %TEMP% (GetTempPathW): msvcrt's own tmpfile() creates it in the
 * root of the current drive, which a user without administrator rights may not
 * write.
 */
FILE *tu_tmpfile(void);

/*
 * A stream to read the len bytes at data (binary: no CR/LF translation), like
 * fmemopen(data, len, "r"); len may be 0. On POSIX data must stay valid until
 * fclose; on Windows the bytes are copied into a tu_tmpfile(). NULL on failure.
 */
FILE *tu_memin(const void *data, size_t len);
/* tu_memin of a NUL-terminated string, without the NUL. */
FILE *tu_strin(const char *text);

/* Everything written so far to f (a tu_tmpfile()), NUL-terminated, and f emptied for
 * what comes next. The caller frees it. */
char *tu_take(FILE *f);

/*
 * Output capture, like open_memstream: give c->fp to the code under test, read
 * what it wrote with tu_capture_text, finish with tu_capture_end. On Windows the
 * stream is a tu_tmpfile() that is read back. The struct must not move between
 * begin and end (POSIX keeps pointers into it).
 */
struct tu_capture {
	FILE *fp;
	char *buf; /* internal: use tu_capture_text */
	size_t len;
};
/* 0, or -1 with c->fp NULL. */
int tu_capture_begin(struct tu_capture *c);
/*
 * Everything written to c->fp so far, NUL-terminated ("" when nothing), c->len
 * its length; the stream stays open and further writes append. Valid until the
 * next write to c->fp or the next tu_capture_* call.
 */
const char *tu_capture_text(struct tu_capture *c);
/* Closes c->fp and returns everything written, NUL-terminated, *len (if not NULL)
 * its length; the caller frees it. */
char *tu_capture_end(struct tu_capture *c, size_t *len);

/* The directory for temporary files, without a trailing separator: $TMPDIR or
 * /tmp; on Windows GetTempPathA (%TMP%, %TEMP%, ...) written with '/', so that a
 * path needs no escaping in the JSON output the tests compare. */
const char *tu_tmpdir(void);

/*
 * Creates a new directory tu_tmpdir()/<prefix><unique> like mkdtemp and writes
 * its path to buf (n bytes). 0, or -1 with errno set.
 */
int tu_mkdtemp(char *buf, size_t n, const char *prefix);

/*
 * Creates a new file tu_tmpdir()/<prefix><unique> holding the len bytes at data
 * (written as they are, no CR/LF translation) and writes its path to buf (n
 * bytes), like mkstemp + write + close. 0, or -1 with errno set.
 */
int tu_temp_file(char *buf, size_t n, const char *prefix, const void *data, size_t len);

/* fflush + fsync (Windows: _commit). 0, or -1 with errno set. */
int tu_fsync(FILE *fp);

/*
 * setenv(name, value, 1) and unsetenv(name) of the process environment; on
 * Windows _putenv, where an empty value removes the variable. 0 or -1.
 */
int tu_setenv(const char *name, const char *value);
int tu_unsetenv(const char *name);

/* What is at path, without following a symbolic link: 0 with *exists, *dir and
 * *link (a symbolic link; Windows: a reparse point) set, or -1 with errno. */
int tu_path_kind(const char *path, bool *exists, bool *dir, bool *link);
/* Creates path exclusively (O_CREAT | O_EXCL, owner-only) and opens it "ab"; NULL
 * with errno (EEXIST when it exists). */
FILE *tu_create_excl(const char *path);
/* mkdir(path, 0700); 0, or -1 with errno (EEXIST when it exists). */
int tu_mkdir(const char *path);


/* ------------------------------------------------------------------------------
 * Fixtures on the fake system (fake_sys.h), shared by the suites. Still no cmocka: each
 * helper prints why it says no and returns it (NULL, false, -1); the tu_expect_* macros
 * at the end make that a failed test in a cmocka suite.
 */
#include "fake_sys.h"
#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/model.h"
#include "rdls/plan.h"

/* The name the suites' profiles are read under ("FILE:LINE" in errors and evidence). */
#define TU_PROFILE_PATH "site.ini"

/* The profile text as a model (read as TU_PROFILE_PATH); NULL, with the profile's
 * problems printed on stderr, when it is not valid. */
struct rdls_model *tu_model(const char *text);

/* The workgroup deployment the diagnose suites share: per device, RDS 2019 CALs, license
 * servers LICSVR1 and LICSVR2, session host RDSH1, peer account rdls-peer in group
 * RDLS Peers with its password from the environment (env:RDLS_PEER_PASSWORD). */
extern const char tu_wg_profile[];

/* diagnose on a fake machine: its options (o.model and o.profile_path follow m at each
 * run) and the last diagnosis. */
struct tu_diag {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_model *m; /* NULL: diagnose without a profile */
	struct rdls_diagnose_opts o;
	struct rdls_diagnosis d;
	bool ran; /* d holds a diagnosis */
};
/* A fake machine named host, no profile; tu_diag_free frees it all. */
struct tu_diag *tu_diag_new(const char *host);
void tu_diag_free(struct tu_diag *e);
/* e->m from the profile text (tu_model). 0, or -1 with its problems printed. */
int tu_diag_profile(struct tu_diag *e, const char *text);
/* Runs diagnose (only `check` when not NULL). 0, or -1 with why printed: diagnose
 * failed, or it wrote to the machine. */
int tu_diag_run(struct tu_diag *e, const char *check);
/* Every result of d, one a line on stderr. */
void tu_diag_dump(const struct rdls_diagnosis *d);
/* The finding id (of subject, when not NULL): status finding, severity sev, with title,
 * evidence, cause and remedy; NULL with the diagnosis printed. */
const struct rdls_dresult *tu_diag_finding(const struct tu_diag *e, const char *id,
					   const char *subject, enum rdls_dsev sev);
/* No finding id: true; else false with the diagnosis printed. */
bool tu_diag_no_finding(const struct tu_diag *e, const char *id);
/* No result of check (of subject, when not NULL) is passed: true; else false with the
 * diagnosis printed. For a check whose source could not be read. */
bool tu_diag_never_passed(const struct tu_diag *e, const char *check, const char *subject);
/* The result of check (of subject, when not NULL) with status st (not run: with its
 * reason); with every, no result of check has another status. NULL with the diagnosis
 * printed. */
const struct rdls_dresult *tu_diag_status(const struct tu_diag *e, const char *check,
					  const char *subject, enum rdls_dstatus st, bool every);
/* s holds what: true; else false with both printed. */
bool tu_contains(const char *s, const char *what);

/* A command (plan, apply, rollback) on a fake machine, as the suites run them. */
struct tu_cmd {
	struct fake_sys *f;
	struct rdls_sys sys;
	struct rdls_opts o;        /* of the next run; out and err are set by tu_cmd_run */
	FILE *out, *err;           /* tu_tmpfile()s */
	char *out_text, *err_text; /* what the last run printed */
};
/* A fake machine named host and the two streams; tu_cmd_release frees them. */
void tu_cmd_init(struct tu_cmd *c, const char *host);
void tu_cmd_release(struct tu_cmd *c);
/* Runs c->o.command (plan, apply or rollback; another aborts) with c->o on c->sys and
 * takes what it printed into out_text and err_text. Returns its exit code. */
int tu_cmd_run(struct tu_cmd *c);
/* The first half of plan (planrun.h) with c->o: the plan, or NULL with the error printed
 * on stderr. What it printed is in out_text and err_text. */
struct rdls_plan *tu_cmd_plan(struct tu_cmd *c);

/* For the cmocka suites (they include <cmocka.h> first): the helpers above as
 * assertions (macros, as cmocka's own), failing the test at the line that calls them. */
#ifdef cmocka_unit_test
static inline const struct rdls_dresult *tu_need_(const struct rdls_dresult *r,
						  const char *file, int line)
{
	if (!r)
		_fail(file, line);
	return r;
}
#define tu_expect_finding(e, id, subject, sev) \
	tu_need_(tu_diag_finding(e, id, subject, sev), __FILE__, __LINE__)
#define tu_expect_status(e, check, subject, st, every) \
	tu_need_(tu_diag_status(e, check, subject, st, every), __FILE__, __LINE__)
#define tu_expect_no_finding(e, id) assert_true(tu_diag_no_finding(e, id))
#define tu_expect_never_passed(e, check, subject) \
	assert_true(tu_diag_never_passed(e, check, subject))
#define tu_expect_contains(s, what) assert_true(tu_contains(s, what))
#define tu_expect_run(e, check) assert_int_equal(tu_diag_run(e, check), 0)
#define tu_expect_profile(e, text) assert_int_equal(tu_diag_profile(e, text), 0)
#endif

#endif
