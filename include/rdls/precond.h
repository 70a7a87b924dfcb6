/*
 * What must hold on a host before apply may change anything there. plan and apply
 * check it through these functions, and diagnose reports it through the same ones,
 * so the rule lives in one place:
 *   - a license server has the RD Licensing role: the TermServLicensing service exists;
 *   - NETWORK SERVICE credentials can be stored: the security option "Network access:
 *     Do not allow storage of passwords and credentials for network authentication"
 *     (Lsa DisableDomainCreds) is not enabled, and the system does not say that domain
 *     passwords cannot be persisted (CredGetSessionTypes: CRED_PERSIST_NONE).
 */
#ifndef RDLS_PRECOND_H
#define RDLS_PRECOND_H

#include <stdbool.h>

#include "rdls/err.h"
#include "rdls/regpaths.h"
#include "rdls/sys.h"

#define RDLS_LS_SERVICE "TermServLicensing"
#define RDLS_VAL_DISABLE_DOMAIN_CREDS "DisableDomainCreds"

/* How to add the role (Server Manager does the same). */
#define RDLS_LS_ROLE_INSTALL "Install-WindowsFeature RDS-Licensing -IncludeManagementTools"

/*
 * Whether the RD Licensing role is installed on this computer (service_exists of
 * TermServLicensing). 0 with *installed; -1 with err when the service control
 * manager could not tell.
 */
int rdls_ls_role_installed(struct rdls_sys *sys, bool *installed, rdls_err *err);
/*
 * plan and apply on a license server `host`: 0 when the role is installed; -1 with
 * err saying that it is missing and how to add it, or why it could not be checked.
 */
int rdls_ls_role_require(struct rdls_sys *sys, const char *host, rdls_err *err);

enum rdls_cred_store {
	RDLS_CRED_STORE_ALLOWED = 0,
	RDLS_CRED_STORE_POLICY,     /* DisableDomainCreds is enabled */
	RDLS_CRED_STORE_NO_PERSIST, /* the system allows no persistence for domain passwords */
};

struct rdls_cred_storage {
	enum rdls_cred_store verdict;
	char evidence[512]; /* what was read, with the registry path and the API */
};

/*
 * Whether NETWORK SERVICE credentials (CRED_TYPE_DOMAIN_PASSWORD) can be stored here.
 * Reads only. 0 with *out filled; -1 with err when a source could not be read.
 */
int rdls_cred_storage_check(struct rdls_sys *sys, struct rdls_cred_storage *out, rdls_err *err);
/* Why no credential can be stored, naming the policy (gpedit path, registry value):
 * static text; "" when allowed. */
const char *rdls_cred_storage_why(enum rdls_cred_store v);
/* What to do about it: static text; "" when allowed. */
const char *rdls_cred_storage_remedy(enum rdls_cred_store v);

#endif
