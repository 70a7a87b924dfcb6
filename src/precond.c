/*
 * The preconditions of plan and apply (precond.h), observed through the system
 * interface only, so that the fake can present a hardened server or one without the
 * role in a unit test. diagnose reports the same verdicts with the same texts.
 */
#include <stdio.h>
#include <string.h>

#include "rdls/precond.h"
#include "rdls/regval.h"
#include "rdls/regpaths.h"

int rdls_ls_role_installed(struct rdls_sys *sys, bool *installed, rdls_err *err)
{
	*installed = false;
	if (!sys->ops->service_exists)
		return rdls_err_set(err, NULL, NULL, 0,
				    "this system interface cannot tell whether the service '"
				    RDLS_LS_SERVICE "' exists");
	return sys->ops->service_exists(sys->ctx, RDLS_LS_SERVICE, installed, err);
}

int rdls_ls_role_require(struct rdls_sys *sys, const char *host, rdls_err *err)
{
	bool installed = false;
	rdls_err e;
	rdls_err_clear(&e);
	if (rdls_ls_role_installed(sys, &installed, &e) != 0) {
		rdls_errmsg m;
		return rdls_err_set(err, NULL, NULL, 0,
				    "cannot tell whether the RD Licensing role is installed on %s: %.400s",
				    host, rdls_errmsg_of(&e, &m));
	}
	if (installed)
		return 0;
	return rdls_err_set(err, NULL, NULL, 0,
			    "the RD Licensing role is not installed on %s (there is no "
			    RDLS_LS_SERVICE " service), but the profile makes it a license server: "
			    "add the role first (PowerShell as administrator: " RDLS_LS_ROLE_INSTALL
			    "), then run again; nothing was changed",
			    host);
}

#define POLICY_NAME                                                                         \
	"\"Network access: Do not allow storage of passwords and credentials for network " \
	"authentication\""
#define POLICY_PATH                                                                         \
	"gpedit.msc > Computer Configuration > Windows Settings > Security Settings > Local " \
	"Policies > Security Options"
#define POLICY_VALUE "HKLM\\" RDLS_KEY_LSA " value " RDLS_VAL_DISABLE_DOMAIN_CREDS

int rdls_cred_storage_check(struct rdls_sys *sys, struct rdls_cred_storage *out, rdls_err *err)
{
	memset(out, 0, sizeof(*out));
	rdls_regval v = { 0 };
	if (sys->ops->reg_get(sys->ctx, RDLS_KEY_LSA, RDLS_VAL_DISABLE_DOMAIN_CREDS, &v, err) != 0)
		return -1;
	/* The security option writes REG_DWORD 1 (enabled) or 0; LSA reads it as a flag. */
	uint32_t d = 0;
	bool dword = rdls_regval_dword(&v, &d);
	bool present = v.present;
	uint32_t type = v.type;
	rdls_regval_release(&v);
	int off;
	if (!present)
		off = snprintf(out->evidence, sizeof(out->evidence), POLICY_VALUE ": absent");
	else if (dword)
		off = snprintf(out->evidence, sizeof(out->evidence), POLICY_VALUE ": REG_DWORD %u",
			       (unsigned)d);
	else
		off = snprintf(out->evidence, sizeof(out->evidence),
			       POLICY_VALUE ": type %u, not REG_DWORD (not read as enabled)",
			       (unsigned)type);
	if (dword && d != 0) {
		out->verdict = RDLS_CRED_STORE_POLICY;
		return 0;
	}
	if (!sys->ops->cred_persist_max)
		return 0;
	uint32_t persist = RDLS_CRED_PERSIST_ENTERPRISE;
	if (sys->ops->cred_persist_max(sys->ctx, &persist, err) != 0)
		return -1;
	size_t at = off > 0 && (size_t)off < sizeof(out->evidence) ? (size_t)off : 0;
	snprintf(out->evidence + at, sizeof(out->evidence) - at,
		 "; CredGetSessionTypes(CRED_TYPE_DOMAIN_PASSWORD) as NETWORK SERVICE: %u%s",
		 (unsigned)persist, persist == RDLS_CRED_PERSIST_NONE ? " (CRED_PERSIST_NONE)" : "");
	if (persist == RDLS_CRED_PERSIST_NONE)
		out->verdict = RDLS_CRED_STORE_NO_PERSIST;
	return 0;
}

const char *rdls_cred_storage_why(enum rdls_cred_store v)
{
	switch (v) {
	case RDLS_CRED_STORE_POLICY:
		return "the security policy " POLICY_NAME " is enabled (" POLICY_PATH "; registry: "
		       POLICY_VALUE " = 1): Windows stores no domain-password credential, so NETWORK "
		       "SERVICE cannot hold one for a peer license server";
	case RDLS_CRED_STORE_NO_PERSIST:
		return "Windows allows no stored domain-password credential in the NETWORK SERVICE "
		       "logon session (CredGetSessionTypes reports CRED_PERSIST_NONE), as the security "
		       "policy " POLICY_NAME " does (" POLICY_PATH "; registry: " POLICY_VALUE ")";
	default:
		return "";
	}
}

const char *rdls_cred_storage_remedy(enum rdls_cred_store v)
{
	if (v == RDLS_CRED_STORE_ALLOWED)
		return "";
	return "set " POLICY_NAME " to Disabled for this server (" POLICY_PATH "; where a domain "
	       "Group Policy object or a security baseline enables it, exempt this server there), "
	       "let it apply (gpupdate /force, a restart to be sure), then run apply again";
}
