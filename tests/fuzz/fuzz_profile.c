/*
 * libFuzzer harness for the profile loader: any bytes through rdls_model_load,
 * under ASan and UBSan. Besides "no crash, no leak", it checks the loader's
 * promises: a model exactly when there is no error, diagnostics sorted by line,
 * and a model whose lookups and indexes agree with its arrays.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rdls/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_profile: broken promise: %s\n", what);
	abort();
}

static void check_model(const struct rdls_model *m)
{
	for (size_t i = 0; i < m->n_ls; i++) {
		const struct rdls_license_server *ls = &m->ls[i];
		if (!ls->name || !ls->dns)
			broken("license server without name or dns");
		if (rdls_model_find_ls(m, ls->name) != ls)
			broken("rdls_model_find_ls does not find a license server by its own name");
		if ((unsigned)ls->os >= RDLS_OS_COUNT)
			broken("license server os out of range");
	}
	for (size_t i = 0; i < m->n_sh; i++) {
		const struct rdls_session_host *sh = &m->sh[i];
		if (!sh->name)
			broken("session host without name");
		if (rdls_model_find_sh(m, sh->name) != sh)
			broken("rdls_model_find_sh does not find a session host by its own name");
		for (size_t k = 0; k < sh->n_ls; k++)
			if (sh->ls[k] >= m->n_ls)
				broken("session host names a license server index out of range");
	}
	if ((unsigned)m->cal >= RDLS_CAL_COUNT)
		broken("cal_version out of range");
	if (m->has_peering && (!m->peering.account || !m->peering.group))
		broken("peering without account or group");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* fmemopen refuses a zero-length buffer on some libcs: an empty file is /dev/null. */
	FILE *f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!f)
		return 0;
	struct rdls_diags d;
	rdls_diags_init(&d, "fuzz.ini");
	struct rdls_model *m = rdls_model_load(f, "fuzz.ini", &d);

	size_t errors = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (!d.v[i].msg)
			broken("diagnostic without message");
		if (d.v[i].line < 0)
			broken("negative line number");
		if (i && d.v[i].line < d.v[i - 1].line)
			broken("diagnostics not sorted by line");
		if (d.v[i].sev == RDLS_SEV_ERROR)
			errors++;
	}
	if (errors != d.n_errors)
		broken("n_errors differs from the number of error diagnostics");
	if ((m != NULL) == (d.n_errors > 0))
		broken("a model must be returned exactly when there is no error");
	if (m)
		check_model(m);
	if (devnull)
		rdls_diags_print(&d, devnull);

	rdls_model_free(m);
	rdls_diags_release(&d);
	fclose(f);
	return 0;
}
