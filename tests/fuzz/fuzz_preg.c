/*
 * libFuzzer harness for the local Group Policy object's readers: the PReg reader
 * (rdls_preg_parse) and gpt.ini's (rdls_gptini_*), which plan runs on files anyone
 * with gpedit.msc, a script or a damaged disk may have written.
 *
 * Besides "no crash, no leak" it checks the reader's promises: a parsed file's entries
 * tile it exactly from byte 8 to its end; a refused one names an offset inside it;
 * setting the two session host policies on a valid file gives a valid file holding
 * them, in which every other entry is byte for byte as it was, and setting them again
 * changes nothing. The same bytes are then read as a gpt.ini: an update that succeeds
 * lists the Administrative Templates and raises the computer part of Version.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/gptini.h"
#include "rdls/preg.h"
#include "rdls/sys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TS "Software\\Policies\\Microsoft\\Windows NT\\Terminal Services"

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_preg: broken promise: %s\n", what);
	abort();
}

static bool ours(const struct rdls_preg_entry *e)
{
	static const char *const names[] = { "licenseservers", "licensingmode",
					     "**del.licenseservers", "**del.licensingmode" };
	size_t kl = strlen(e->key);
	if (kl != strlen(TS))
		return false;
	for (size_t i = 0; i < kl; i++) {
		char a = e->key[i], b = TS[i];
		if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b))
			return false;
	}
	for (size_t k = 0; k < 4; k++) {
		const char *v = e->value, *w = names[k];
		while (*v && *w && (*v >= 'A' && *v <= 'Z' ? *v + 32 : *v) == *w) {
			v++;
			w++;
		}
		if (!*v && !*w)
			return true;
	}
	return false;
}

static void check_preg(const uint8_t *data, size_t size)
{
	struct rdls_preg p;
	size_t off = 0;
	const char *why = NULL;
	if (rdls_preg_parse(data, size, &p, &off, &why) != 0) {
		if (!why || (off > size && strcmp(why, "out of memory") != 0))
			broken("a refusal without a reason or with an offset outside the file");
		return;
	}
	size_t at = RDLS_PREG_HEADER;
	for (size_t i = 0; i < p.n; i++) {
		if (p.e[i].off != at || p.e[i].len < 20)
			broken("entries do not tile the file");
		at += p.e[i].len;
	}
	if (at != size)
		broken("entries do not reach the end of the file");

	const struct rdls_preg_value vals[2] = {
		{ TS, "LicenseServers", RDLS_REG_SZ, "LICSVR1,licsvr2.example", 0 },
		{ TS, "LicensingMode", RDLS_REG_DWORD, NULL, 4 },
	};
	unsigned char *out = NULL, *again = NULL;
	size_t n = 0, n2 = 0;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_preg_set(data, size, "fuzz", vals, 2, &out, &n, &e) != 0)
		broken("setting the policies on a valid file failed");
	struct rdls_preg q;
	if (rdls_preg_parse(out, n, &q, &off, &why) != 0)
		broken("the writer wrote a file the reader refuses");
	const struct rdls_preg_entry *s = rdls_preg_find(&q, TS, "LicenseServers");
	const struct rdls_preg_entry *m = rdls_preg_find(&q, TS, "LicensingMode");
	char *sz = s ? rdls_preg_sz(s) : NULL;
	if (!sz || strcmp(sz, "LICSVR1,licsvr2.example") != 0 || !m || m->type != RDLS_REG_DWORD ||
	    m->size != 4 || m->data[0] != 4)
		broken("the written file lacks the policies");
	free(sz);
	/* the other entries, in order and byte for byte */
	size_t j = 0;
	for (size_t i = 0; i < p.n; i++) {
		if (ours(&p.e[i]))
			continue;
		while (j < q.n && ours(&q.e[j]))
			j++;
		if (j == q.n || q.e[j].len != p.e[i].len ||
		    memcmp(out + q.e[j].off, data + p.e[i].off, p.e[i].len) != 0)
			broken("another entry was not kept exactly");
		j++;
	}
	if (rdls_preg_set(out, n, "fuzz", vals, 2, &again, &n2, &e) != 0 || n2 != n ||
	    memcmp(again, out, n) != 0)
		broken("setting the same policies again changed the file");
	rdls_preg_release(&q);
	rdls_preg_release(&p);
	free(out);
	free(again);
}

static void check_gptini(const uint8_t *data, size_t size)
{
	rdls_err e;
	rdls_err_clear(&e);
	uint32_t v0 = 0, v1 = 0;
	bool found = false, admx = false;
	if (rdls_gptini_version(data, size, "fuzz", &v0, &found, &e) != 0)
		return;
	unsigned char *out = NULL, *back = NULL;
	size_t n = 0, nb = 0;
	if (rdls_gptini_update(data, size, true, "fuzz", &out, &n, &e) != 0)
		return;
	if (rdls_gptini_version(out, n, "fuzz", &v1, &found, &e) != 0 || !found ||
	    v1 != rdls_gptini_bump(v0))
		broken("the update did not raise Version by one");
	if (rdls_gptini_has_admx(out, n, "fuzz", &admx, &e) != 0 || !admx)
		broken("the update does not list the Administrative Templates");
	if (rdls_gptini_restore(data, size, true, rdls_gptini_bump(v1), "fuzz", &back, &nb, &e) != 0)
		broken("restoring a file the update accepted failed");
	free(out);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_preg(data, size);
	check_gptini(data, size);
	return 0;
}
