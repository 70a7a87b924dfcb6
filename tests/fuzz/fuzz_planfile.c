/*
 * libFuzzer harness for the saved-plan reader (rdls_planfile_read), which apply --plan
 * runs on a file that came back from a change request: anyone may have had it.
 *
 * The SHA-256 seal would stop almost every mutation at "altered", so each input is read
 * twice: as it is, and resealed (the seal replaced, or appended, with the SHA-256 of
 * everything before the last "[seal]" line), which lets mutations reach the header and
 * step interpretation.
 *
 * Besides "no crash, no leak" it checks the reader's promises: a refusal says why (the
 * error text starts with the file's name) and a reason; an accepted plan has at most
 * RDLS_PLANFILE_STEPS_MAX steps, each with a kind and a name, a 64-digit profile hash, and
 * compares equal to itself; every step is described as apply would print it.
 *
 * With RDLS_FUZZ_WRITE_SEEDS=DIR set it writes seed plans into DIR with the real writer
 * (plans of the profiles in profiles/ on the fake system) and exits: tests/fuzz/run.sh
 * uses that, so the seeds always have the current format.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sys.h"
#include "rdls/model.h"
#include "rdls/planfile.h"
#include "testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct fake_sys *F;
static struct rdls_sys SYS;

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_planfile: broken promise: %s\n", what);
	abort();
}

static void check(const struct rdls_planfile *pf)
{
	if (pf->n_steps > RDLS_PLANFILE_STEPS_MAX)
		broken("more steps than the bound");
	if (strlen(pf->profile_sha256) != 64 || !pf->host || !pf->profile || !pf->tool)
		broken("an accepted plan without its header");
	struct rdls_plan p = { .host = pf->host, .profile = pf->profile, .steps = pf->steps,
			       .n_steps = pf->n_steps };
	struct rdls_buf b;
	rdls_buf_init(&b);
	bool drift = true;
	if (rdls_planfile_compare(pf, &p, &drift, &b) != 0 || drift)
		broken("a saved plan differs from itself");
	for (size_t i = 0; i < pf->n_steps; i++) {
		const struct rdls_step *s = &pf->steps[i];
		if (!s->ops || !s->name)
			broken("a step without kind or name");
		rdls_step_object(s, &b);
		rdls_step_state(s, &s->prior, &b);
		rdls_step_state(s, &s->want, &b);
		rdls_step_doing(s, false, &b);
		(void)rdls_step_kind(s);
	}
	rdls_buf_release(&b);
}

static void read_one(const uint8_t *data, size_t size)
{
	FILE *f = tu_memin(data, size);
	if (!f)
		broken("tu_memin");
	struct rdls_planfile *pf = NULL;
	enum rdls_planfile_bad bad = RDLS_PLANFILE_OK;
	rdls_err e;
	rdls_err_clear(&e);
	int rc = rdls_planfile_read(&SYS, f, "fuzz.plan", &pf, &bad, &e);
	fclose(f);
	if (rc == 0) {
		if (!pf || bad != RDLS_PLANFILE_OK)
			broken("success without a plan");
		check(pf);
		rdls_planfile_free(pf);
	} else {
		if (pf)
			broken("a refusal that returns a plan");
		if (bad == RDLS_PLANFILE_OK)
			broken("a refusal of an in-memory file without a reason");
		if (strncmp(e.text, "fuzz.plan:", 10) != 0)
			broken("a refusal that does not name the file");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_one(data, size);

	/* Resealed: everything before the last "[seal]" line (or all of it) gets a valid seal. */
	static const char head[] = "[seal]\n";
	size_t body = size;
	for (size_t i = size; i-- > 0;)
		if ((i == 0 || data[i - 1] == '\n') && size - i >= sizeof(head) - 1 &&
		    memcmp(data + i, head, sizeof(head) - 1) == 0) {
			body = i;
			break;
		}
	char hex[RDLS_SHA256_HEX];
	rdls_err e;
	rdls_err_clear(&e);
	uint8_t *s = malloc(body + 100);
	if (!s)
		broken("out of memory");
	memcpy(s, data, body);
	size_t len = body;
	if (len && s[len - 1] != '\n')
		s[len++] = '\n';
	if (rdls_sha256_hex(&SYS, s, len, hex, &e) != 0)
		broken("sha256 failed");
	len += (size_t)sprintf((char *)s + len, "[seal]\nsha256 = %s\n", hex);
	read_one(s, len);
	free(s);
	return 0;
}

/* ------------------------------------------------------------- seeds */

static void write_seed(const char *dir, const char *profile, const char *host, const char *file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	remove(path);
	FILE *f = fopen(profile, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_planfile: cannot read %s (run from the repository root)\n", profile);
		exit(1);
	}
	struct rdls_diags d;
	rdls_diags_init(&d, profile);
	struct rdls_model *m = rdls_model_load(f, profile, &d);
	fclose(f);
	struct rdls_plan *p = NULL;
	rdls_err e;
	rdls_err_clear(&e);
	rdls_secret *secret = rdls_secret_new("Fuzz-Seed-Secret-1", 18);
	const struct rdls_plan_opts po = { .secret = secret };
	static const unsigned char sha[32] = { 1, 2, 3 };
	const struct rdls_planfile_meta meta = { .computer = host, .secret = "env:RDLS_PEER_PASSWORD",
						 .profile_sha256 = sha, .created = 1700000000 };
	if (!m || rdls_plan_build(m, host, &SYS, &po, &p, &e) != 0 ||
	    rdls_planfile_write(&SYS, path, p, &meta, &e) != 0) {
		char buf[2048];
		rdls_err_format(&e, buf, sizeof(buf));
		fprintf(stderr, "fuzz_planfile: cannot write seed %s: %s\n", path, buf);
		exit(1);
	}
	rdls_plan_free(p);
	rdls_model_free(m);
	rdls_diags_release(&d);
	rdls_secret_free(secret);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	F = fake_sys_new("LICSVR1");
	SYS = fake_sys_iface(F);
	const char *dir = getenv("RDLS_FUZZ_WRITE_SEEDS");
	if (!dir)
		return 0;
	write_seed(dir, "profiles/workgroup-two-servers.ini", "LICSVR1", "seed-workgroup.plan");
	write_seed(dir, "profiles/workgroup-two-servers.ini", "LICSVR2", "seed-workgroup-2.plan");
	write_seed(dir, "profiles/session-hosts.ini", "RDSH1", "seed-session-host.plan");
	write_seed(dir, "profiles/domain-specified.ini", "LS-EAST", "seed-domain.plan");
	fprintf(stderr, "fuzz_planfile: seeds written to %s\n", dir);
	fake_sys_free(F);
	exit(0);
}
