/*
 * Where the peering password comes from: [peering] password = env:NAME |
 * file:PATH | prompt. The secret only ever lives in an rdls_secret.
 */
#ifndef RDLS_SECRET_SRC_H
#define RDLS_SECRET_SRC_H

#include <stdio.h>

#include "rdls/err.h"
#include "rdls/model.h"
#include "rdls/secret.h"
#include "rdls/sys.h"

/* CRED_TYPE_DOMAIN_PASSWORD keeps the password as UTF-16 in a blob of at most
 * 512 bytes: 256 UTF-16 code units. */
#define RDLS_SECRET_MAX_UTF16 256

/*
 * Reads the peering password of m through sys: env:NAME with env_secret,
 * file:PATH with file_open (the first line, without CR/LF and without a UTF-8
 * byte order mark), prompt with prompt_secret. A file others can read gets a
 * warning on `warn` (if not NULL): rdls_trust_readers on the file's file_sec facts
 * (an allow ACE for another account; natively group or other read bits). The secret must be
 * non-empty UTF-8 of at most RDLS_SECRET_MAX_UTF16 UTF-16 units.
 * Returns 0 with *out owned by the caller, or -1 with *out = NULL and err set;
 * no message ever contains the secret.
 */
int rdls_peer_secret_load(const struct rdls_model *m, struct rdls_sys *sys, FILE *warn,
			  rdls_secret **out, rdls_err *err);

/* The checks above for a secret from anywhere; `source` names it in the error
 * ("environment variable 'X'"). 0, or -1 with err set. */
int rdls_secret_check(const rdls_secret *s, const char *source, rdls_err *err);

#endif
