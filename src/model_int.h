/*
 * What the profile loader's two halves share (model.c reads the sections,
 * model_rules.c checks the rules across them). Not a public header.
 */
#ifndef RDLS_MODEL_INT_H
#define RDLS_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "rdls/model.h"

#define NONE SIZE_MAX

/* The name index: host names and DNS names to the sections that use them. */
struct slot {
	const char *name; /* borrowed from the model; NULL: empty slot */
	size_t ls, sh;    /* indexes, or NONE */
};

struct rdls_name_index {
	struct slot *v;
	size_t cap, n; /* cap is a power of two */
};

struct slot *model_idx_find(const struct rdls_name_index *ix, const char *name);
/* The slot of name, added when missing; NULL on out-of-memory. */
struct slot *model_idx_get(struct rdls_name_index *ix, const char *name);
void model_idx_free(struct rdls_name_index *ix);
/* The candidate closest to in when it is close enough to be a typo, or NULL. */
const char *model_suggest(const char *in, const char *const *cands, size_t n);

struct ls_extra {
	int os_line;     /* 0: os missing or invalid */
	int dns_line;    /* 0: dns not given */
	bool name_ok;
};

struct sh_extra {
	int os_line;
	const struct rdls_ini_key *ls_key; /* license_servers, or NULL */
	int cred_line;
};

struct ctx {
	struct rdls_diags *d;
	struct rdls_model *m;
	bool oom;

	int dep_line, peer_line, disc_line;
	int mem_line, mode_line, cal_line; /* 0: missing or invalid */
	int method_line;
	unsigned present_peer; /* bit i: kinds[K_PEERING].keys[i] is present */
	bool present_method;

	struct ls_extra *lsx;
	struct sh_extra *shx;
	size_t cap_ls, cap_sh;
	size_t *all_ls; /* shared by session hosts without license_servers */
	unsigned suggestions_left;
};

#define ERR(c, line, ...) rdls_diags_add((c)->d, RDLS_SEV_ERROR, (line), __VA_ARGS__)
#define WARN(c, line, ...) rdls_diags_add((c)->d, RDLS_SEV_WARNING, (line), __VA_ARGS__)

void model_resolve_session_hosts(struct ctx *c, const struct rdls_name_index *ix);
void model_deployment_rules(struct ctx *c);
void model_compat(struct ctx *c);
void model_dns_names(struct ctx *c, bool domain);

#endif
