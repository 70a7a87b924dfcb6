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

#endif
