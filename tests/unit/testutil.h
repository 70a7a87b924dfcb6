/*
 * Portable helpers for the unit tests: the few POSIX calls the suites need that
 * mingw-w64's C runtime lacks (fmemopen, open_memstream, mkdtemp, mkstemp in
 * /tmp, fsync, setenv), each with a Windows implementation, so that the same
 * tests run on Linux (make unit) and natively on Windows (MSYS2 MINGW64,
 * .github/workflows/windows.yml).
 *
 * No cmocka here: the fuzz harnesses and the benchmark link this file too.
 * A helper that cannot do its job for lack of memory prints why and aborts.
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

#endif
