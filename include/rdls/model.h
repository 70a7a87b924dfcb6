/*
 * The typed desired state of a deployment, built from a profile (profile.c)
 * and validated (model.c, compat.c). Everything the planner needs, nothing it
 * has to parse again. Names are kept as written in the profile; compare them
 * with rdls_name_eq (case-insensitive, as Windows does).
 */
#ifndef RDLS_MODEL_H
#define RDLS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdls/util.h" /* rdls_name_eq */

#include "rdls/err.h" /* RDLS_PRINTF */

enum rdls_membership { RDLS_WORKGROUP = 0, RDLS_DOMAIN = 1 };
enum rdls_licmode { RDLS_PER_DEVICE = 0, RDLS_PER_USER = 1 };

/* CAL versions, in increasing order. */
enum rdls_cal {
	RDLS_CAL_2008R2 = 0, /* "RDS 2008 R2 and earlier CAL" */
	RDLS_CAL_2012,
	RDLS_CAL_2016,
	RDLS_CAL_2019,
	RDLS_CAL_2022,
	RDLS_CAL_2025,
	RDLS_CAL_COUNT
};

/* Windows Server versions, in increasing order. */
enum rdls_os {
	RDLS_OS_2008 = 0,
	RDLS_OS_2008R2,
	RDLS_OS_2012,
	RDLS_OS_2012R2,
	RDLS_OS_2016,
	RDLS_OS_2019,
	RDLS_OS_2022,
	RDLS_OS_2025,
	RDLS_OS_COUNT
};

/* [discovery] method: a bit set. */
enum rdls_discovery {
	RDLS_DISC_PUBLISH = 1,
	RDLS_DISC_SPECIFIED = 2,
	RDLS_DISC_BOTH = 3,
};

/* [peering] password = env:NAME | file:PATH | prompt */
enum rdls_secret_src { RDLS_SECRET_ENV = 0, RDLS_SECRET_FILE, RDLS_SECRET_PROMPT };

struct rdls_license_server {
	char *name;       /* section name: NetBIOS computer name */
	enum rdls_os os;
	char *dns;        /* `dns`, or the section name when not given */
	bool dns_given;   /* `dns` was given (required with method = specified or both) */
	int line;         /* line of the section header */
};

struct rdls_session_host {
	char *name;
	enum rdls_os os;
	size_t *ls;       /* indexes into model->ls, in the order written */
	size_t n_ls;
	bool credentials; /* workgroup: store NETWORK SERVICE credentials for its license servers */
	int line;
};

struct rdls_peering {
	char *account;               /* local user name */
	char *group;                 /* local group name */
	enum rdls_secret_src src;
	char *secret_ref;            /* env variable name or file path; NULL for prompt */
	int line;                    /* line of the [peering] header */
};

struct rdls_model {
	char *path;                  /* the profile as given on the command line */
	enum rdls_membership membership;
	enum rdls_licmode licensing_mode;
	enum rdls_cal cal;
	bool has_peering;            /* workgroup profiles only */
	struct rdls_peering peering;
	enum rdls_discovery discovery; /* domain profiles only */
	struct rdls_license_server *ls;
	size_t n_ls;
	struct rdls_session_host *sh;
	size_t n_sh;
	struct rdls_name_index *index; /* host name -> role lookup, O(1) */
};

/* A message about the profile: "site.ini:12: unknown key 'acount' in [peering] (did you mean 'account'?)" */
enum rdls_severity { RDLS_SEV_ERROR = 0, RDLS_SEV_WARNING = 1 };
struct rdls_diag {
	enum rdls_severity sev;
	int line;                    /* 0 when the message is about the whole file */
	char *msg;                   /* without the "file:line: " prefix */
};
struct rdls_diags {
	const char *file;            /* borrowed */
	struct rdls_diag *v;
	size_t n;
	size_t n_errors;
};
void rdls_diags_init(struct rdls_diags *d, const char *file);
void rdls_diags_release(struct rdls_diags *d);
/* printf-style; the C99 printf of the platform (mingw-w64: its ANSI stdio, so %zu works). */
void rdls_diags_add(struct rdls_diags *d, enum rdls_severity sev, int line, const char *fmt, ...)
	RDLS_PRINTF(4, 5);
/* Stable sort by line (0 first); messages of one line keep the order they were added in. */
void rdls_diags_sort(struct rdls_diags *d);
/*
 * Prints every diag as "FILE:LINE: message" or "FILE:LINE: warning: message"
 * ("FILE: ..." for line 0), one per line. Part of the report module (report.c).
 */
void rdls_diags_print(const struct rdls_diags *d, FILE *f);

/*
 * Parses and validates a profile read from f (named `path` in messages).
 * Every problem of the file goes to diags, sorted by line. Returns the model,
 * or NULL when diags->n_errors > 0 (or out of memory, also reported there).
 *
 * The text: UTF-8 (a leading BOM is skipped; UTF-16, NUL bytes, invalid UTF-8
 * and control characters other than tab are errors), LF or CRLF line ends.
 * Comments: lines starting with ';' or '#', and " ;" after a value (inih's
 * rule). Section names, keys and keywords are ASCII case-insensitive; "key:
 * value" is accepted as inih accepts it; an indented line never continues the
 * value above. Values are not unquoted. inih as Debian builds it reads lines of
 * at most INI_MAX_LINE - 2 = 198 bytes: longer "key=value" text (without the
 * comment and the blanks around '=') is an error, never truncated.
 * [discovery] method has no default.
 */
struct rdls_model *rdls_model_load(FILE *f, const char *path, struct rdls_diags *diags);

void rdls_model_free(struct rdls_model *m);

/* The license server / session host named `host`, or NULL. Case-insensitive. */
const struct rdls_license_server *rdls_model_find_ls(const struct rdls_model *m, const char *host);
const struct rdls_session_host *rdls_model_find_sh(const struct rdls_model *m, const char *host);

/* Keywords of the profile, and their inverse: "2008r2" <-> RDLS_CAL_2008R2, etc. */
const char *rdls_cal_name(enum rdls_cal c);
const char *rdls_os_name(enum rdls_os o);
/* Keyword -> value, ASCII case-insensitive. false if s is not a keyword. */
bool rdls_cal_from_name(const char *s, enum rdls_cal *out);
bool rdls_os_from_name(const char *s, enum rdls_os *out);
/* For messages: "2012 R2", "RDS 2008 R2 and earlier". */
const char *rdls_os_display(enum rdls_os o);
const char *rdls_cal_display(enum rdls_cal c);
/* "workgroup", "per_device", "publish" / "specified" / "both". */
const char *rdls_membership_name(enum rdls_membership m);
const char *rdls_licmode_name(enum rdls_licmode l);
const char *rdls_discovery_name(enum rdls_discovery d);

/*
 * Name rules (Microsoft's NetUserAdd / local group documentation). Each returns NULL when s is valid,
 * otherwise why not ("more than 15 characters (16)", "contains '*'"), written
 * into buf. Lengths count Unicode characters of the UTF-8 input.
 *   computer: NetBIOS, 1-15 characters, none of \ / : * ? " < > |, no space or
 *             control character, no leading period;
 *   user:     1-20 characters, none of " / \ [ ] : ; | = , + * ? < > @, no control
 *             character, not ending with a period, not only periods and spaces;
 *   group:    as user but up to 256 characters and '@' allowed;
 *   dns:      at most 253 characters, labels of 1-63 letters, digits, '-' or '_',
 *             not starting or ending with '-'.
 */
const char *rdls_check_computer_name(const char *s, char *buf, size_t n);
const char *rdls_check_user_name(const char *s, char *buf, size_t n);
const char *rdls_check_group_name(const char *s, char *buf, size_t n);
const char *rdls_check_dns_name(const char *s, char *buf, size_t n);

/* compat.c: the troubleshooting document's two tables (extended to 2022/2025). */
bool rdls_compat_session_host(enum rdls_os sh, enum rdls_cal cal);
bool rdls_compat_license_server(enum rdls_os ls, enum rdls_cal cal);
/* true when the cell is in the document itself, false when it is rdlsctl's extension. */
bool rdls_compat_documented(enum rdls_os os, enum rdls_cal cal);
/* The CAL version of an OS's release: the oldest CAL its session host accepts and
 * the newest CAL its license server issues (2008 and 2008 R2 -> RDLS_CAL_2008R2). */
enum rdls_cal rdls_cal_of_os(enum rdls_os os);

#endif
