/*
 * diagnose's comparison with the profile: every difference between the profile and this
 * machine, as the planner reports it (the same read-only observation as 'rdlsctl plan').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rdls/json.h"
#include "rdls/plan.h"
#include "rdls/secret_src.h"
#include "resource.h"

/* --- with a profile: every difference between the profile and this machine, as the
 * planner reports it (the same read-only observation as 'rdlsctl plan'). Diagnose never
 * prompts: when the peer secret is not available without asking (password = prompt, or
 * the variable/file missing), credentials are planned with a placeholder and their
 * content is not compared (peer-credentials above still checks presence and user). */
void diag_check_plan(struct dctx *c)
{
	const char *check = "profile-plan";
	rdls_err e;
	rdls_err_clear(&e);
	rdls_secret *secret = NULL;
	bool placeholder = false;
	rdls_errmsg no_secret;
	const char *why_no_secret = "";
	if (rdls_plan_needs_secret(c->m, c->d->host)) {
		if (c->m->peering.src != RDLS_SECRET_PROMPT &&
		    rdls_peer_secret_load(c->m, c->sys, NULL, &secret, &e) == 0) {
			placeholder = false;
		} else {
			if (c->m->peering.src == RDLS_SECRET_PROMPT)
				why_no_secret = "password = prompt, and diagnose never prompts";
			else
				why_no_secret = rdls_errmsg_of(&e, &no_secret);
			secret = rdls_secret_new("placeholder", 11);
			placeholder = true;
			if (!secret) {
				c->d->oom = true;
				return;
			}
		}
	}
	struct rdls_plan_opts po = { .secret = secret, .rotate = false };
	struct rdls_plan *p = NULL;
	rdls_err_clear(&e);
	if (rdls_plan_build(c->m, c->d->host, c->sys, &po, &p, &e) != 0) {
		rdls_secret_free(secret);
		diag_not_run_err(c, check, c->d->host, "the plan", &e);
		return;
	}
	char cmd[600];
	diag_apply_cmd(c, cmd, sizeof(cmd));
	struct rdls_buf obj, doing, before, after;
	rdls_buf_init(&obj);
	rdls_buf_init(&doing);
	rdls_buf_init(&before);
	rdls_buf_init(&after);
	size_t diffs = 0, skipped = 0;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct rdls_step *s = &p->steps[i];
		bool cred = s->ops->secret_compare;
		bool conflict = (s->flags & RDLS_STEP_CONFLICT) != 0;
		if (s->action == RDLS_ACT_NONE && !conflict)
			continue;
		/* A missing key is part of the value finding under it: one finding, not three. */
		if (s->ops->container)
			continue;
		if (cred && placeholder) {
			skipped++;
			continue;
		}
		rdls_buf_reset(&obj);
		rdls_buf_reset(&doing);
		rdls_buf_reset(&before);
		rdls_buf_reset(&after);
		rdls_step_object(s, &obj);
		rdls_step_doing(s, false, &doing);
		rdls_step_state(s, &s->prior, &before);
		rdls_step_state(s, &s->want, &after);
		diffs++;
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_WARNING, check,
						 conflict ? "profile-conflict" : "profile-difference",
						 rdls_buf_str(&obj));
		if (conflict)
			SET(r, title, "%s differs from the profile and apply leaves it alone",
			    rdls_buf_str(&obj));
		else
			SET(r, title, "apply would %s", rdls_buf_str(&doing));
		SET(r, evidence, "%s: now %s; the profile wants %s", rdls_buf_str(&obj),
		    rdls_buf_str(&before), rdls_buf_str(&after));
		if (s->flags & RDLS_STEP_IMPOSSIBLE)
			SET(r, cause, "this machine differs from the profile, and apply cannot change "
				      "it: %s", s->note);
		else
			SET(r, cause, "%s", conflict ? (s->note ? s->note : "a credential rdlsctl did not write")
						     : "this machine differs from the profile");
		if (conflict)
			SET(r, remedy, "%s --rotate (replaces it; rollback cannot restore the old one)", cmd);
		else
			SET(r, remedy, "%s", cmd);
	}
	for (size_t i = 0; i < p->n_warnings; i++) {
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_INFO, check, "plan-warning", NULL);
		SET(r, title, "%s", p->warnings[i]);
		SET(r, evidence, "rdlsctl plan %s", c->o->profile_path);
		SET(r, cause, "%s", p->warnings[i]);
		SET(r, remedy, "read the warning; apply does not change this");
	}
	if (diffs == 0) {
		struct rdls_dresult *r = diag_passed(c, check, c->d->host);
		SET(r, title, "this host matches the profile (%lu resources observed)", (unsigned long)p->n_steps);
		if (skipped || placeholder)
			SET(r, evidence, "rdlsctl plan %s: no change; %lu credential%s not compared "
					 "(the peer secret is not available: %s)",
			    c->o->profile_path, (unsigned long)skipped, skipped == 1 ? "" : "s", why_no_secret);
		else
			SET(r, evidence, "rdlsctl plan %s: no change", c->o->profile_path);
	} else if (placeholder) {
		/* Say once why credential contents were not compared. */
		struct rdls_dresult *r = diag_finding(c, RDLS_DSEV_INFO, check, "plan-credentials-not-compared",
						 NULL);
		SET(r, title, "stored passwords were not compared with the profile's secret");
		SET(r, evidence, "the peer secret is not available without asking: %s", why_no_secret);
		SET(r, cause, "diagnose is read-only and never prompts; peer-credentials checks which "
			      "credentials exist and for which user");
		SET(r, remedy, "run 'rdlsctl plan %s' to compare them too", c->o->profile_path);
	}
	rdls_buf_release(&obj);
	rdls_buf_release(&doing);
	rdls_buf_release(&before);
	rdls_buf_release(&after);
	rdls_plan_free(p);
	rdls_secret_free(secret);
}

