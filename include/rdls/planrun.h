/*
 * The first half of plan and apply (and of apply --plan): which host, the profile read
 * (and hashed for a saved plan), the host's roles checked, the peer secret read when the
 * plan needs it, and the plan built. cmd_plan.c and cmd_apply.c run it; what each does
 * with the plan is its own.
 */
#ifndef RDLS_PLANRUN_H
#define RDLS_PLANRUN_H

#include <stdbool.h>

#include "rdls/cli.h"
#include "rdls/model.h"
#include "rdls/plan.h"
#include "rdls/secret.h"
#include "rdls/sys.h"

struct rdls_planrun {
	char host[256];      /* --host, or the computer's name */
	struct rdls_model *model;
	rdls_secret *secret; /* NULL unless the host's plan needs it */
	struct rdls_plan *plan;
	char error[1024];    /* the last error printed, for --json */
	struct rdls_diags diags; /* the profile's errors when it is invalid, for --json */
	/* Saved plans (planfile.h). hash_profile: compute profile_sha256 from the bytes the
	 * profile is read from. expect_sha256 (hex): refuse, before the secret is read, a
	 * profile whose content is not that. secret_source: "env:NAME", "file:PATH", "prompt"
	 * when the plan needs the secret, else NULL (never the secret). */
	bool hash_profile;
	const char *expect_sha256;
	unsigned char profile_sha256[32];
	char *secret_source;
};
/* r->host from o->host or sys->ops->host_name. 0, or an exit code (error printed). */
int rdls_planrun_host(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r);
/*
 * Loads the profile (through sys->ops->file_open), checks the host's roles, loads
 * the peer secret when the plan needs it, and builds the plan. Errors are printed
 * on o->err; returns 0 or RDLS_EXIT_ERROR.
 */
int rdls_planrun_load(const struct rdls_opts *o, struct rdls_sys *sys, struct rdls_planrun *r);
/* Frees everything, the secret first. */
void rdls_planrun_release(struct rdls_planrun *r);
/* The run's error: formats it into r->error (kept for --json), prints it through
 * rdls_error and returns RDLS_EXIT_ERROR, so that `return rdls_planrun_fail(...)` reads
 * naturally. */
int rdls_planrun_fail(const struct rdls_opts *o, struct rdls_planrun *r, const char *fmt, ...)
	RDLS_PRINTF(3, 4);

#endif
