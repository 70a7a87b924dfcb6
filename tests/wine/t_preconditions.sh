#!/bin/sh
# The preconditions of plan and apply on license server LICSVR1 (profiles/
# workgroup-two-servers.ini), checked from separate processes: the registry with
# regprobe, the credential with credprobe (CredReadW), the accounts in the stand-in's
# state file.
#   1. Without the RD Licensing role (the prefix's stand-in TermServLicensing service
#      deleted with `sc delete`): plan and apply exit 1 naming the role and
#      Install-WindowsFeature; apply creates no user, group, credential, and no
#      TermServLicensing key at all.
#   2. With "Network access: Do not allow storage of passwords and credentials for network
#      authentication" (Lsa DisableDomainCreds = 1): plan marks the credential step and
#      names the policy, apply exits 1 having changed nothing, diagnose reports it with the
#      remedy.
#
# What Wine cannot show: Wine has no RD Licensing role, so "installed" is a stopped stand-in
# service made by `sc create` (lib.sh), not the real feature; and Wine has no Group Policy
# or LSA that reads DisableDomainCreds: its CredWriteW stores the credential whatever the
# value, and its CredGetSessionTypes answers CRED_PERSIST_ENTERPRISE. So this test shows
# that rdlsctl refuses by the policy value before anything is written; that Windows itself
# refuses to store the credential under the policy (the documented cmdkey procedure fails
# the same way) is only observable on a Windows Server with the policy enabled
# (secpol.msc, or the CIS baseline), where `cmdkey /add` run as NETWORK SERVICE fails.
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="precond-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
SVC_KEY='HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing'
LSA_KEY='HKLM\SYSTEM\CurrentControlSet\Control\Lsa'
POLICY='Network access: Do not allow storage of passwords and credentials for network authentication'

# Nothing of what apply would create exists: no account, no credential, no licensing key.
t_expect_untouched() {
	[ "$(t_sam_dump)" = "$sam_before" ] ||
		t_fail "$1: the accounts changed: '$(t_sam_dump | tr '\n' '|')', expected '$sam_before'"
	t_sam_has user rdls-peer && t_fail "$1: user rdls-peer was created"
	t_sam_has group "RDLS Peers" && t_fail "$1: group 'RDLS Peers' was created"
	t_expect_no_cred LICSVR2
	t_reg_get "$T_LS_KEY" "$T_LS_VALUE" >/dev/null && t_fail "$1: $T_LS_VALUE was set"
	t_reg_snapshot "$T_LOG/reg-now.txt"
	t_same "$T_LOG/reg-before.txt" "$T_LOG/reg-now.txt" "$1: the registry keys rdlsctl touches"
	t_check_no_helper
}

# --- 1. without the role -------------------------------------------------------------------
t_reg_exists "$SVC_KEY" ||
	t_die "the prefix has no stand-in TermServLicensing service (lib.sh t_boot_prefix)"
wine64 sc delete TermServLicensing </dev/null >/dev/null 2>&1 || t_die "sc delete TermServLicensing failed"
t_reg_exists "$SVC_KEY" && t_die "sc delete left $SVC_KEY"
t_reg_snapshot "$T_LOG/reg-before.txt"
grep -qi 'TermServLicensing\]' "$T_LOG/reg-before.txt" && t_die "the role's key is still exported"
sam_before=$(t_sam_dump)

t_rdls plan "$P" --host LICSVR1
t_expect_rc 1 "plan without the role"
t_expect_err "the RD Licensing role is not installed on LICSVR1" "plan without the role"
t_expect_err "Install-WindowsFeature RDS-Licensing -IncludeManagementTools" "plan without the role"

t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 1 "apply without the role"
t_expect_err "the RD Licensing role is not installed on LICSVR1 (there is no TermServLicensing service)" "apply without the role"
t_expect_err "nothing was changed" "apply without the role"
t_expect_untouched "apply without the role"
t_reg_exists "$SVC_KEY" &&
	t_fail "apply without the role created $SVC_KEY: $(t_reg_export "$SVC_KEY" "$T_LOG/svc.txt"; tr '\n' ' ' <"$T_LOG/svc.txt")"

# The stand-in back: the same plan goes through to the credential precondition below.
wine64 sc create TermServLicensing binPath= 'C:\windows\system32\svchost.exe' start= demand \
	</dev/null >/dev/null 2>&1 || t_die "sc create TermServLicensing failed"

# --- 2. DisableDomainCreds = 1 ---------------------------------------------------------------
t_reg_snapshot "$T_LOG/reg-before.txt"
wine64 reg add "$LSA_KEY" /v DisableDomainCreds /t REG_DWORD /d 1 /f </dev/null >/dev/null 2>&1 ||
	t_die "cannot set DisableDomainCreds"

t_rdls plan "$P" --host LICSVR1
t_expect_rc 1 "plan with DisableDomainCreds = 1"
t_expect_out "x credential 'LICSVR2' (NETWORK SERVICE)" "plan with DisableDomainCreds = 1"
t_expect_out "impossible" "plan with DisableDomainCreds = 1"
t_expect_out "$POLICY" "plan with DisableDomainCreds = 1"
t_expect_out "Security Settings > Local Policies > Security Options" "plan with DisableDomainCreds = 1"
t_expect_out 'HKLM\SYSTEM\CurrentControlSet\Control\Lsa value DisableDomainCreds = 1' "plan with DisableDomainCreds = 1"
t_expect_err "apply cannot run this plan on LICSVR1" "plan with DisableDomainCreds = 1"

t_rdls plan "$P" --host LICSVR1 --json
t_expect_rc 1 "plan --json with DisableDomainCreds = 1"
t_expect_out '"impossible":true' "plan --json with DisableDomainCreds = 1"
t_expect_out '"exit_code":1' "plan --json with DisableDomainCreds = 1"
t_expect_json plan "plan --json with DisableDomainCreds = 1"

t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 1 "apply with DisableDomainCreds = 1"
t_expect_err "apply refuses to start on LICSVR1, nothing was changed" "apply with DisableDomainCreds = 1"
t_expect_err "$POLICY" "apply with DisableDomainCreds = 1"
t_expect_untouched "apply with DisableDomainCreds = 1"

# diagnose runs the checks of the test build (build/win-testing) elsewhere; the policy check
# needs nothing of that, so the release build is used as plan and apply are.
t_rdls diagnose "$P" --host LICSVR1 --json
t_expect_rc 2 "diagnose with DisableDomainCreds = 1"
t_expect_out '"id":"cred-storage-disabled"' "diagnose with DisableDomainCreds = 1"
t_expect_json diagnose "diagnose --json with DisableDomainCreds = 1"
t_expect_out "$POLICY" "diagnose with DisableDomainCreds = 1"
t_expect_out 'DisableDomainCreds: REG_DWORD 1' "diagnose with DisableDomainCreds = 1"
t_expect_out 'Disabled for this server' "diagnose: the remedy"
t_expect_untouched "diagnose with DisableDomainCreds = 1"

# The policy off again: the same plan is an ordinary one, and apply stores the credential
# (under Wine it would have stored it with the policy on as well: see the top).
wine64 reg add "$LSA_KEY" /v DisableDomainCreds /t REG_DWORD /d 0 /f </dev/null >/dev/null 2>&1 ||
	t_die "cannot clear DisableDomainCreds"
t_rdls diagnose "$P" --host LICSVR1
t_expect_no_out "cred-storage-disabled" "diagnose with DisableDomainCreds = 0"
t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply with DisableDomainCreds = 0"
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'
t_rdls rollback --yes
t_expect_rc 0 "rollback"
t_expect_no_cred LICSVR2

t_finish
