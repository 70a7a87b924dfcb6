/*
 * Trust decisions (include/rdls/trust.h). The system interface reports owners,
 * allow ACEs and attributes; this file alone decides what they mean, so the unit
 * tests can present a hostile machine through the fake.
 *
 * Who is trusted: BUILTIN\Administrators, SYSTEM, TrustedInstaller (a service SID
 * of a SYSTEM process: whoever controls it is SYSTEM already), and this process's
 * own user only where the platform runs everything as one account (Wine; see
 * rdls_file_sec.one_account): on Windows that user's unelevated processes could have
 * made a file it owns, while rdlsctl's own files are owned by Administrators. CREATOR OWNER and CREATOR
 * GROUP in an ACE that applies to the object itself match no token, so they grant
 * nothing; OWNER RIGHTS grants what the owner gets, and the owner is checked.
 * Deny ACEs are not weighed against allow ACEs: an allow ACE that lets anyone else
 * change the file is enough to refuse it (the safe side).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "rdls/clock.h"
#include "rdls/trust.h"

#define DIR_MAX 4096
#define WHY_MAX 700

/* Access that lets an account change a file, or the entries of a directory. */
#define CHANGE_MASK                                                                            \
	(RDLS_ACCESS_WRITE_DATA | RDLS_ACCESS_APPEND_DATA | RDLS_ACCESS_DELETE_CHILD |          \
	 RDLS_ACCESS_DELETE | RDLS_ACCESS_WRITE_DAC | RDLS_ACCESS_WRITE_OWNER |                 \
	 RDLS_ACCESS_GENERIC_ALL | RDLS_ACCESS_GENERIC_WRITE)

/* self_ok: this process's own user counts (one-account platforms, and the lock, which
 * only an administrator's token can create in the private namespace). */
static bool trusted_owner(enum rdls_who w, bool self_ok)
{
	return w == RDLS_WHO_ADMINS || w == RDLS_WHO_SYSTEM || w == RDLS_WHO_TRUSTED_INSTALLER ||
	       (self_ok && w == RDLS_WHO_SELF);
}

static bool trusted_writer(enum rdls_who w, bool self_ok)
{
	return trusted_owner(w, self_ok) || w == RDLS_WHO_CREATOR || w == RDLS_WHO_OWNER_RIGHTS;
}

enum rdls_verdict rdls_trust_judge(const rdls_file_sec *s, char *why, size_t n)
{
	if (n)
		why[0] = '\0';
	if (s->reparse) {
		snprintf(why, n, "it is a junction or symbolic link (a reparse point), which could "
				 "lead anywhere");
		return RDLS_UNTRUSTED;
	}
	if (s->state == RDLS_SEC_UNSUPPORTED) {
		snprintf(why, n, "its file system keeps no owners or permissions, so nothing stops "
				 "another account from changing it");
		return RDLS_TRUSTED_UNCHECKED;
	}
	if (s->state != RDLS_SEC_KNOWN) {
		snprintf(why, n, "its owner and permissions cannot be read (an empty security "
				 "descriptor)");
		return RDLS_UNTRUSTED;
	}
	if (!trusted_owner(s->owner, s->one_account)) {
		snprintf(why, n, "it is owned by %s, not by Administrators or SYSTEM",
			 s->owner_name[0] ? s->owner_name : "an unknown account");
		return RDLS_UNTRUSTED;
	}
	if (s->null_dacl) {
		snprintf(why, n, "it has no DACL, so everyone may change it");
		return RDLS_UNTRUSTED;
	}
	for (size_t i = 0; i < s->n_aces && i < RDLS_SEC_ACES_MAX; i++) {
		const rdls_sec_ace *a = &s->aces[i];
		if (a->inherit_only || !(a->mask & CHANGE_MASK) || trusted_writer(a->who, s->one_account))
			continue;
		snprintf(why, n, "its DACL lets %s change it (an allow ACE with access mask 0x%08lx)",
			 a->name[0] ? a->name : "an unknown account", (unsigned long)a->mask);
		return RDLS_UNTRUSTED;
	}
	if (s->more_aces) {
		snprintf(why, n, "its DACL has more than %d allow entries, more than rdlsctl examines",
			 RDLS_SEC_ACES_MAX);
		return RDLS_UNTRUSTED;
	}
	return RDLS_TRUSTED;
}

#define READ_MASK (RDLS_ACCESS_READ_DATA | RDLS_ACCESS_GENERIC_READ | RDLS_ACCESS_GENERIC_ALL)

bool rdls_trust_readers(const rdls_file_sec *s, char *who, size_t n)
{
	if (n)
		who[0] = '\0';
	if (s->state == RDLS_SEC_UNSUPPORTED || s->null_dacl) {
		snprintf(who, n, "%s", s->null_dacl ? "it has no DACL, so everyone"
						    : "its file system keeps no permissions, so everyone");
		return true;
	}
	if (s->owner == RDLS_WHO_OTHER) {
		snprintf(who, n, "its owner %s", s->owner_name[0] ? s->owner_name : "(unknown)");
		return true;
	}
	for (size_t i = 0; i < s->n_aces && i < RDLS_SEC_ACES_MAX; i++) {
		const rdls_sec_ace *a = &s->aces[i];
		if (a->inherit_only || !(a->mask & READ_MASK) || trusted_writer(a->who, true) ||
		    (a->name[0] && strcmp(a->name, s->owner_name) == 0))
			continue;
		snprintf(who, n, "%s", a->name[0] ? a->name : "an unknown account");
		return true;
	}
	return false;
}

static void warn(const struct rdls_warner *w, const char *fmt, ...) RDLS_PRINTF(2, 3);

static void warn(const struct rdls_warner *w, const char *fmt, ...)
{
	if (!w || !w->fn)
		return;
	char msg[WHY_MAX + 2 * DIR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->fn(w->user, msg);
}

/* "C:\\ProgramData\\..." on Windows, a Unix path from the Wine build's stdio. */
static char sep_of(const char *dir)
{
	const char *a = strrchr(dir, '\\'), *b = strrchr(dir, '/');
	return a > b ? '\\' : '/';
}

/* The name a directory is set aside under: "<path>.untrusted-<UTC yyyymmddThhmmssZ>". */
static void aside_name(struct rdls_sys *sys, const char *path, char *buf, size_t n)
{
	char stamp[32];
	rdls_utc_format(rdls_clock_now(sys), true, stamp, sizeof(stamp));
	snprintf(buf, n, "%.4000s.untrusted-%s", path, stamp);
}

static bool rdls_aside(const char *name)
{
	return strstr(name, ".untrusted-") != NULL;
}

/*
 * Why dir (which exists and is not a reparse point) cannot be adopted, or "" when it
 * can: its own descriptor, then every entry in it but rdlsctl's own set-aside ones.
 */
static int judge_dir(struct rdls_sys *sys, const char *dir, const rdls_file_sec *s,
		     bool *unchecked, char *why, size_t n, rdls_err *err)
{
	char what[WHY_MAX];
	why[0] = '\0';
	enum rdls_verdict v = rdls_trust_judge(s, what, sizeof(what));
	if (v == RDLS_TRUSTED_UNCHECKED)
		*unchecked = true;
	if (v == RDLS_UNTRUSTED) {
		snprintf(why, n, "%s", what);
		return 0;
	}
	char **names = NULL;
	size_t count = 0;
	if (sys->ops->dir_list(sys->ctx, dir, &names, &count, err) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < count && !why[0]; i++) {
		if (rdls_aside(names[i]))
			continue;
		char path[DIR_MAX + 300];
		rdls_file_sec es;
		snprintf(path, sizeof(path), "%s%c%s", dir, sep_of(dir), names[i]);
		if (sys->ops->path_sec(sys->ctx, path, &es, err) != 0) {
			rc = -1;
			break;
		}
		if (es.exists && rdls_trust_judge(&es, what, sizeof(what)) == RDLS_UNTRUSTED)
			snprintf(why, n, "'%.200s' in it: %.400s", names[i], what);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* A junction or symbolic link is refused, not renamed or followed. */
static int refuse_link(const char *dir, rdls_err *err)
{
	return rdls_err_set(err, "", dir, 0,
			    "is a junction or symbolic link (a reparse point); rdlsctl keeps its "
			    "journals only in a real directory that only administrators can change. "
			    "Remove the link (it leaves its target alone) with: rmdir \"%s\"",
			    dir);
}

/* One level of the journal directory: made when missing, checked, set aside if need be. */
static int ensure_dir(struct rdls_sys *sys, const struct rdls_warner *w, const char *dir,
		      bool *unchecked, rdls_err *err)
{
	rdls_file_sec s;
	char why[WHY_MAX], aside[DIR_MAX + 64];
	bool exists = false;

	if (sys->ops->path_sec(sys->ctx, dir, &s, err) != 0)
		return -1;
	if (!s.exists)
		return sys->ops->dir_create(sys->ctx, dir, &exists, err);
	if (s.reparse)
		return refuse_link(dir, err);
	if (!s.directory)
		return rdls_err_set(err, "", dir, 0,
				    "is a file, not a directory: move it away and run rdlsctl again");
	if (judge_dir(sys, dir, &s, unchecked, why, sizeof(why), err) != 0)
		return -1;
	if (!why[0])
		return 0;
	aside_name(sys, dir, aside, sizeof(aside));
	if (!w || !w->fn)
		return rdls_err_set(err, "", dir, 0,
				    "cannot be trusted: %s. Move it aside and let rdlsctl make a new "
				    "one: move \"%s\" \"%s\"",
				    why, dir, aside);
	if (sys->ops->path_rename(sys->ctx, dir, aside, err) != 0)
		return -1;
	if (sys->ops->dir_create(sys->ctx, dir, &exists, err) != 0)
		return -1;
	if (exists)
		return rdls_err_set(err, "", dir, 0,
				    "was made again by someone else right after rdlsctl moved it aside");
	warn(w,
	     "directory '%s' could not be trusted (%s): moved it aside as '%s' and made a new one "
	     "that only Administrators and SYSTEM can change. Nothing in the old one is used; "
	     "after checking a journal there, 'rdlsctl rollback FILE' still reads it once its "
	     "owner is Administrators (icacls FILE /setowner *S-1-5-32-544) and nobody else may "
	     "change it",
	     dir, why, aside);
	return 0;
}

int rdls_trust_journal_dir(struct rdls_sys *sys, const struct rdls_warner *w, char *buf,
			   size_t n, rdls_err *err)
{
	char top[DIR_MAX], dir[DIR_MAX + 16];
	bool unchecked = false;

	if (!sys->ops->data_dir || !sys->ops->path_sec || !sys->ops->dir_create ||
	    !sys->ops->dir_list || !sys->ops->path_rename)
		return sys->ops->journal_dir(sys->ctx, buf, n, err);
	if (sys->ops->data_dir(sys->ctx, top, sizeof(top), err) != 0)
		return -1;
	size_t len = strlen(top);
	if (len > 1 && (top[len - 1] == '/' || top[len - 1] == '\\'))
		top[len - 1] = '\0';
	snprintf(dir, sizeof(dir), "%s%cjournal", top, sep_of(top));
	/* A link at either level is refused before the parent's check could set it aside. */
	const char *levels[2] = { top, dir };
	for (int i = 0; i < 2; i++) {
		rdls_file_sec s;
		if (sys->ops->path_sec(sys->ctx, levels[i], &s, err) != 0)
			return -1;
		if (s.exists && s.reparse)
			return refuse_link(levels[i], err);
	}
	if (ensure_dir(sys, w, top, &unchecked, err) != 0 ||
	    ensure_dir(sys, w, dir, &unchecked, err) != 0)
		return -1;
	if (unchecked)
		warn(w,
		     "the file system of '%s' keeps no owners or permissions: rdlsctl cannot tell who "
		     "wrote its journals there",
		     top);
	if (strlen(dir) >= n)
		return rdls_err_set(err, "", dir, 0, "the journal directory's path is too long");
	memcpy(buf, dir, strlen(dir) + 1);
	return 0;
}

int rdls_trust_file(struct rdls_sys *sys, FILE *f, const char *path, const char *what,
		    const struct rdls_warner *w, rdls_err *err)
{
	if (!sys->ops->file_sec)
		return 0; /* a backend without security facts: nothing to check (native build) */
	rdls_file_sec s;
	char why[WHY_MAX];
	if (sys->ops->file_sec(sys->ctx, f, path, &s, err) != 0)
		return -1;
	switch (rdls_trust_judge(&s, why, sizeof(why))) {
	case RDLS_TRUSTED:
		return 0;
	case RDLS_TRUSTED_UNCHECKED:
		warn(w, "%s '%s': %s", what, path, why);
		return 0;
	case RDLS_UNTRUSTED:
		break;
	}
	return rdls_err_set(err, "", NULL, 0,
			    "%s '%s' is not trusted: %s; someone other than an administrator may "
			    "have written it, so it is not read. If an administrator wrote it, make "
			    "Administrators its owner and the only ones who may change it: icacls "
			    "\"%s\" /setowner *S-1-5-32-544 && icacls \"%s\" /inheritance:r /grant:r "
			    "*S-1-5-32-544:F *S-1-5-18:F",
			    what, path, why, path, path);
}

int rdls_trust_lock(struct rdls_sys *sys, bool *taken, char *why, size_t n, rdls_err *err)
{
	bool busy = false;
	*taken = false;
	if (n)
		why[0] = '\0';
	if (sys->ops->lock_acquire(sys->ctx, &busy, err) != 0)
		return -1;
	if (!busy) {
		*taken = true;
		return 0;
	}
	enum rdls_who who = RDLS_WHO_ADMINS;
	char name[RDLS_SEC_NAME_MAX] = "";
	if (sys->ops->lock_owner && sys->ops->lock_owner(sys->ctx, &who, name, sizeof(name), err) != 0)
		return -1;
	if (trusted_owner(who, true))
		snprintf(why, n, "another rdlsctl apply or rollback is running on this computer; "
				 "nothing was changed: run again when it has finished");
	else
		snprintf(why, n,
			 "the rdlsctl lock is held through an object that %s owns, not an "
			 "administrator: an rdlsctl never makes it so, so someone is blocking rdlsctl "
			 "on purpose; nothing was changed. End that account's processes (or sign it "
			 "out) and run again",
			 name[0] ? name : "an unknown account");
	return 0;
}

int rdls_trust_folder(const rdls_file_sec *s, const char *path, rdls_err *err)
{
	char why[WHY_MAX], obj[RDLS_ERR_OBJ_MAX];
	snprintf(obj, sizeof(obj), "folder '%.*s'", RDLS_ERR_OBJ_MAX - 16, path);
	if (s->reparse)
		return rdls_err_set(err, "", obj, 0,
				    "is a junction or symbolic link (a reparse point); refusing to follow "
				    "it. Remove the link (it leaves its target alone): rmdir \"%s\"",
				    path);
	if (!s->directory)
		return rdls_err_set(err, "", obj, 0,
				    "is a file, not a folder: move it away and run rdlsctl again");
	if (rdls_trust_judge(s, why, sizeof(why)) != RDLS_UNTRUSTED)
		return 0;
	return rdls_err_set(err, "", obj, 0,
			    "cannot be trusted: %s; someone other than an administrator could change "
			    "the program rdlsctl runs from it, so it is not used. Remove it, or make "
			    "Administrators its owner and the only ones who may change it: takeown /a "
			    "/r /d y /f \"%s\" && icacls \"%s\" /inheritance:r /grant:r "
			    "*S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F",
			    why, path, path);
}

void rdls_trust_check_exe(struct rdls_sys *sys, const struct rdls_warner *w)
{
	char dir[DIR_MAX], why[WHY_MAX];
	rdls_file_sec s;
	rdls_err e;
	rdls_err_clear(&e);
	if (!sys->ops->exe_dir || !sys->ops->path_sec ||
	    sys->ops->exe_dir(sys->ctx, dir, sizeof(dir), &e) != 0 ||
	    sys->ops->path_sec(sys->ctx, dir, &s, &e) != 0 || !s.exists)
		return;
	if (rdls_trust_judge(&s, why, sizeof(why)) != RDLS_UNTRUSTED)
		return;
	warn(w,
	     "rdlsctl.exe runs from '%s', which someone other than an administrator may change (%s): "
	     "a DLL placed there would run with this elevated process's rights. Keep rdlsctl.exe "
	     "in a folder only administrators can write, such as C:\\Program Files\\rdlsctl",
	     dir, why);
}
