/*
 * The local Group Policy object's gpt.ini: [General] Version (the low 16 bits count
 * the computer part's changes, the high 16 bits the user part's) and
 * gPCMachineExtensionNames, the client-side extensions that the Group Policy engine
 * runs for the computer part, each as "[{CSE}{tool}...]", sorted by CSE GUID. Every
 * other line is kept byte for byte; a file that is not ANSI text, or whose Version or
 * extension list cannot be read, is refused with its line.
 */
#ifndef RDLS_GPTINI_H
#define RDLS_GPTINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/err.h"

/* The registry client-side extension and the Administrative Templates snap-in, as
 * gpedit.msc lists them for a computer policy. */
#define RDLS_GPO_CSE_REGISTRY "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}"
#define RDLS_GPO_TOOL_ADMX "{D02B1F72-3407-48AE-BA88-E8213C6761F1}"

/* The computer part raised by one: 1..0xFFFF, after 0xFFFF comes 1 again (never 0,
 * which the engine reads as "no computer policy"). The user part is kept. */
uint32_t rdls_gptini_bump(uint32_t version);

/* Version of the file (0 and *found = false when there is none). -1 with err when the
 * file or its Version cannot be read. `what` names the file in messages. */
int rdls_gptini_version(const unsigned char *d, size_t len, const char *what, uint32_t *version,
			bool *found, rdls_err *err);
/* Whether gPCMachineExtensionNames lists the registry CSE with the Administrative
 * Templates tool. -1 with err when unreadable. */
int rdls_gptini_has_admx(const unsigned char *d, size_t len, const char *what, bool *has,
			 rdls_err *err);

/*
 * What apply writes: old (present = false: no file yet) with the registry CSE and the
 * Administrative Templates tool merged into gPCMachineExtensionNames (sorted, without
 * duplicates) and the computer part of Version raised. *out malloc.
 */
int rdls_gptini_update(const unsigned char *old, size_t len, bool present, const char *what,
		       unsigned char **out, size_t *out_len, rdls_err *err);
/*
 * What rollback writes: prior (present = false: there was none) with Version set to
 * `version` (computed by the caller so that it only grows), all else as prior had it.
 */
int rdls_gptini_restore(const unsigned char *prior, size_t len, bool present, uint32_t version,
			const char *what, unsigned char **out, size_t *out_len, rdls_err *err);

#endif
