/*
 * What rdlsctl trusts on this machine, decided here from the facts the system
 * interface reports (sys.h: path_sec, file_sec, lock_owner): only what
 * Administrators, SYSTEM (or TrustedInstaller, which runs as SYSTEM) or this very
 * process's user own and alone may change. Anything else could have been planted
 * by another account on the server, and is refused or set aside.
 */
#ifndef RDLS_TRUST_H
#define RDLS_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdls/err.h"
#include "rdls/sys.h"

/* Where warnings go (the commands print them with rdls_warning); fn may be NULL. */
struct rdls_warner {
	void (*fn)(void *user, const char *msg);
	void *user;
};

enum rdls_verdict {
	RDLS_TRUSTED = 0,
	RDLS_TRUSTED_UNCHECKED = 1, /* the file system keeps no security: nothing to check */
	RDLS_UNTRUSTED = 2,
};

/* The verdict on s (of `what`, e.g. "journal 'C:\\...'"); why receives the reason
 * for anything but RDLS_TRUSTED, naming the owner or the ACE (SID and mask). */
enum rdls_verdict rdls_trust_judge(const rdls_file_sec *s, char *why, size_t n);

/*
 * The journal directory, %ProgramData%\rdlsctl\journal, made trustworthy: each level
 * is created with the admin-only descriptor when missing; a junction or symbolic
 * link at either is refused (the error says how to remove it); one that another
 * account owns or may change, or that holds an entry it may change, is set aside as
 * "<name>.untrusted-<UTC time>" and made anew, with a warning saying what was found.
 * Without data_dir in the interface, journal_dir's answer is used unchecked.
 * w may be NULL: then a directory that would be set aside is refused instead.
 */
int rdls_trust_journal_dir(struct rdls_sys *sys, const struct rdls_warner *w, char *buf,
			   size_t n, rdls_err *err);

/*
 * Before the open file f (a journal, the index) is read: refused (-1, err naming the
 * owner or the ACE and the command that fixes it) unless trusted. A file system that
 * keeps no security gives a warning through w.
 */
int rdls_trust_file(struct rdls_sys *sys, FILE *f, const char *path, const char *what,
		    const struct rdls_warner *w, rdls_err *err);

/*
 * Takes the apply/rollback lock. Returns 0 with *taken = true, or 0 with
 * *taken = false and why set (another rdlsctl holds it; or an object someone other
 * than an administrator created holds it, named), or -1 with err.
 */
int rdls_trust_lock(struct rdls_sys *sys, bool *taken, char *why, size_t n, rdls_err *err);

/*
 * A folder rdlsctl keeps a copy of itself in (%ProgramData%\rdlsctl, ...\helper, from
 * which the NETWORK SERVICE helper runs, ...\eventmsg, the event message file), as it
 * exists: 0 when it may be used, -1 with err (naming the owner or the ACE and how to fix
 * it) when it is a junction or symbolic link, not a directory, or not trusted
 * (rdls_trust_judge). The backend reads s from the folder it holds open; nothing is set
 * aside here: the folder is refused. A folder that is missing is made by the backend.
 */
int rdls_trust_folder(const rdls_file_sec *s, const char *path, rdls_err *err);

/*
 * Whether an account other than the file's owner, this process's user, Administrators
 * and SYSTEM may read the file s describes (a password file): an allow ACE granting
 * read access to anyone else, no DACL, a file system that keeps no permissions, or an
 * owner that is another account. who (n bytes) names one such reader.
 */
bool rdls_trust_readers(const rdls_file_sec *s, char *who, size_t n);

/* A warning when this program's own folder may be changed by someone other than
 * administrators: Windows would load a DLL planted there. Silent when it cannot tell. */
void rdls_trust_check_exe(struct rdls_sys *sys, const struct rdls_warner *w);

#endif
