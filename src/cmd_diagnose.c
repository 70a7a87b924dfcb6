/*
 * rdlsctl diagnose [PROFILE]: the checks of diag_core.c's table on this machine,
 * reported by report_diag.c as text (findings first, each with evidence, cause and
 * remedy) or as one JSON document on o->out. Exit 0 when nothing needs action, 2 when a finding does,
 * 1 on error (the profile is invalid, the host cannot be identified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/model.h"
#include "rdls/report.h"

#ifdef RDLS_TESTING
/* Environment variable name through sys env_get into buf; false when unset, empty or
 * too long. */
static bool testing_env(struct rdls_sys *sys, const char *name, char *buf, size_t n)
{
	bool found = false;
	rdls_err e;
	rdls_err_clear(&e);
	return sys->ops->env_get &&
	       sys->ops->env_get(sys->ctx, name, buf, n, &found, &e) == 0 && found && *buf;
}

/* The positive number in environment variable name, 0 when unset or not one. */
static long testing_knob(struct rdls_sys *sys, const char *name)
{
	char v[32];
	if (!testing_env(sys, name, v, sizeof(v)))
		return 0;
	long n = strtol(v, NULL, 10);
	return n > 0 ? n : 0;
}

/* Test builds only: point the RPC probe at a loopback listener the test started, and the
 * pipe probe at this machine (pipe_server: the caller's buffer for that name). */
static void testing_overrides(struct rdls_sys *sys, struct rdls_diagnose_opts *d,
			      char *pipe_server, size_t n)
{
	long p = testing_knob(sys, "RDLS_TEST_RPC_PORT");
	if (p > 0 && p < 65536)
		d->rpc_port = (uint16_t)p;
	long t = testing_knob(sys, "RDLS_TEST_PROBE_TIMEOUT_MS");
	if (t > 0 && (unsigned long)t <= UINT32_MAX)
		d->probe_timeout_ms = (uint32_t)t;
	/* "." points ls-pipe at this machine's own pipes: Wine has no SMB client. */
	if (testing_env(sys, "RDLS_TEST_PIPE_SERVER", pipe_server, n))
		d->pipe_server = pipe_server;
}
#endif

int cmd_diagnose(const struct rdls_opts *o, struct rdls_sys *sys)
{
	struct rdls_model *m = NULL;
	struct rdls_report_env env = { .host = o->host, .profile = o->profile,
				       .exit_code = RDLS_EXIT_ERROR };
	if (o->profile) {
		struct rdls_diags dg;
		rdls_diags_init(&dg, o->profile);
		rdls_err err;
		rdls_err_clear(&err);
		FILE *f = sys->ops->file_open ? sys->ops->file_open(sys->ctx, o->profile, "rb", &err)
					      : NULL;
		if (!f) {
			rdls_errmsg em;
			rdls_report_fail(o, &env, "cannot open profile '%s': %s", o->profile,
					 rdls_errmsg_of(&err, &em));
			rdls_diags_release(&dg);
			return RDLS_EXIT_ERROR;
		}
		m = rdls_model_load(f, o->profile, &dg);
		fclose(f);
		if (!m) {
			rdls_diags_print(&dg, o->err);
			env.diags = &dg;
			rdls_report_fail(o, &env, "'%s' is not a valid profile (see 'rdlsctl validate "
					 "%s')", o->profile, o->profile);
			rdls_diags_release(&dg);
			return RDLS_EXIT_ERROR;
		}
		rdls_diags_release(&dg);
	}

	struct rdls_diagnose_opts dopt;
	rdls_diagnose_opts_init(&dopt);
	dopt.model = m;
	dopt.profile_path = o->profile;
	dopt.host = o->host;
	dopt.only = o->check;
	dopt.warn_available_set = o->warn_available_set;
	dopt.warn_available = o->warn_available;
	if (o->days)
		dopt.event_days = o->days;
#ifdef RDLS_TESTING
	char pipe_server[256];
	testing_overrides(sys, &dopt, pipe_server, sizeof(pipe_server));
#endif

	struct rdls_diagnosis d;
	rdls_err err;
	rdls_err_clear(&err);
	int rc = rdls_diagnose(sys, &dopt, &d, &err);
	if (rc != 0) {
		rdls_errmsg em;
		rdls_report_fail(o, &env, "cannot diagnose this host: %s", rdls_errmsg_of(&err, &em));
		rdls_diagnosis_release(&d);
		rdls_model_free(m);
		return RDLS_EXIT_ERROR;
	}
	rc = rdls_diagnosis_needs_action(&d) ? RDLS_EXIT_PENDING : RDLS_EXIT_OK;
	env.command = "diagnose";
	env.host = d.host;
	env.exit_code = rc;
	rdls_report_diagnose(o, &env, &d);
	rdls_diagnosis_release(&d);
	rdls_model_free(m);
	return rc;
}
