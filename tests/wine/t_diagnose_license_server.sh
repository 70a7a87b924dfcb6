#!/bin/sh
# diagnose on a workgroup license server (LICSVR1), in a prefix broken on purpose: the
# accounts group value created with the documents' leading space, the correctly named
# value as REG_EXPAND_SZ naming a group that does not exist, DisableWorkgroupAuthEnforcement
# = 1, no peer credential, and later DisableDomainCreds = 1. Each finding and its remedy is asserted; the remedies are applied
# (rdlsctl apply, and the manual reg delete diagnose prints for the security finding) and
# those findings must be gone.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
# Checks that cannot pass under Wine, asserted as such rather than skipped:
#   ls-role-absent: Wine has no Win32_TSLicenseServer (no RD Licensing role), so a host the
#     profile makes a license server always gets this finding here;
#   accounts-group-not-a-group: Wine's LookupAccountNameW knows only well-known accounts, so
#     the (stand-in's) local group does not resolve to a group; it is expected after apply;
#   cal-compat: Wine reports Windows 6.1, not a Windows Server version (not run);
#   ls-activation, cal-packs, ls-secgrp-policy: no Win32_TSLicenseServer / Win32_TSLicenseKeyPack
#     (not run: the RD Licensing role is not installed);
#   ls-events: Wine 8's EvtQuery is a stub that returns NULL and sets no error code, so the
#     System log cannot be read (not run, with that reason); a license server on Windows that
#     logged TerminalServices-Licensing events 7, 8, 15, 16 (peers), 17-19, 20, 21 or 4105
#     shows them being found (the fake does in tests/unit/test_diag_events.c).
# The peer LICSVR2 is 127.0.0.1, probed on port 1 where nothing listens (RDLS_TEST_RPC_PORT of
# the test build): license-server-unreachable stays, by design; t_diagnose_session_host.sh
# shows the probe passing against a loopback listener.
# Every --json output is validated against docs/schema/diagnose.schema.json (tests/wine/json.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
t_setup

RDLSCTL_EXE=${RDLS_DIAG_EXE:-$T_ROOT/build/win-testing/rdlsctl.exe.so}
export RDLSCTL_EXE
[ -f "$RDLSCTL_EXE" ] || t_die "$RDLSCTL_EXE missing: run 'make wine-tools'"
say "# program: $RDLSCTL_EXE"
say "# cannot pass under Wine: ls-role-absent (no Win32_TSLicenseServer), accounts-group-not-a-group after apply (LookupAccountNameW), cal-compat (not run)"

KEY=$T_LS_KEY
prof=$T_LOG/site.ini
cat >"$prof" <<'EOF'
[deployment]
membership     = workgroup
licensing_mode = per_device
cal_version    = 2019

[peering]
account  = rdls-peer
group    = RDLS Peers
password = env:RDLS_PEER_PASSWORD

[license_server LICSVR1]
os = 2019

[license_server LICSVR2]
os  = 2019
dns = 127.0.0.1
EOF
RDLS_PEER_PASSWORD='Diag-Peer-Secret-7'
RDLS_TEST_RPC_PORT=1
RDLS_TEST_PROBE_TIMEOUT_MS=2000
export RDLS_PEER_PASSWORD RDLS_TEST_RPC_PORT RDLS_TEST_PROBE_TIMEOUT_MS

t_finding() { t_expect_out "$1" "finding $1"; }
t_no_finding() { t_expect_no_out " $1:" "finding $1 gone"; }

# --- break the prefix ------------------------------------------------------------------
wine64 reg add "$KEY" /v " WorkgroupLicenseServerAccountsGroup" /t REG_SZ /d 'LICSVR1\RDLS Peers' /f \
	>/dev/null 2>&1 || t_fail "reg add (leading space)"
wine64 reg add "$KEY" /v WorkgroupLicenseServerAccountsGroup /t REG_EXPAND_SZ /d 'LICSVR1\RDLS Peers' /f \
	>/dev/null 2>&1 || t_fail "reg add (REG_EXPAND_SZ)"
wine64 reg add "$KEY" /v DisableWorkgroupAuthEnforcement /t REG_DWORD /d 1 /f >/dev/null 2>&1 ||
	t_fail "reg add DisableWorkgroupAuthEnforcement"
t_sam_has group "RDLS Peers" && t_fail "the stand-in already has the group"

# --- without a profile: the registry findings, with manual remedies ---------------------
t_rdls diagnose --host LICSVR1
t_expect_rc 2 "diagnose without a profile"
t_finding "warning  leading-space-value: value ' WorkgroupLicenseServerAccountsGroup' is named with a leading space"
t_expect_out "remedy:   reg delete \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermServLicensing\\Parameters\" /v \" WorkgroupLicenseServerAccountsGroup\" /f"
t_finding "error    accounts-group-wrong-type: WorkgroupLicenseServerAccountsGroup is REG_EXPAND_SZ, not REG_SZ"
t_expect_out "/t REG_SZ /d \"LICSVR1\\RDLS Peers\" /f"
t_finding "error    accounts-group-no-such-group: the group 'RDLS Peers' named by WorkgroupLicenseServerAccountsGroup does not exist"
t_finding "security workgroup-auth-enforcement-disabled: workgroup authentication between license servers is switched off"
t_expect_out "not run  peer-credentials: needs a profile"

# --- with the profile: rdlsctl remedies, peers, the role -------------------------------
t_rdls diagnose "$prof" --host LICSVR1
t_expect_rc 2 "diagnose with the profile"
t_expect_out "remedy:   rdlsctl apply $prof --host LICSVR1 (rewrites it as REG_SZ)"
t_expect_out "remedy:   rdlsctl apply $prof --host LICSVR1 (creates the group and adds the peer account)"
t_expect_out "remedy:   rdlsctl apply $prof --host LICSVR1 (removes the misnamed value and writes 'WorkgroupLicenseServerAccountsGroup')"
t_finding "error    peer-credential-missing: no credential for 'LICSVR2' in the NETWORK SERVICE context"
t_expect_out "cmdkey /add:LICSVR2 /user:LICSVR2\\rdls-peer /pass"
t_finding "error    ls-role-absent: the RD Licensing role is not installed, but the profile makes 'LICSVR1' a license server"
t_finding "error    license-server-unreachable: license server '127.0.0.1' does not answer on TCP 1"
t_finding "profile-difference: apply would create local group 'RDLS Peers'"
t_expect_out "not run  cal-compat:"
# The license server's own state (diag_lsstate.c): Wine has neither Win32_TSLicenseServer nor
# Win32_TSLicenseKeyPack, so each check is not run with the reason the missing class gives
# (GetObject answers WBEM_E_NOT_FOUND 0x80041002; wmi.c reports a missing
# Win32_TSLicenseServer to its callers as 0x80041010, as for IsLSonDC). What would show them
# is a Windows Server
# with the RD Licensing role (the server-e2e job): ls-activation's ActivationStatus,
# cal-packs' instances (a fresh server: cal-pack-none), ls-secgrp-policy's Enabled.
# ls-tsls-group is not applicable in this workgroup profile (IsLSinTSLSGroup needs a domain).
t_expect_out "not run  ls-activation: the RD Licensing role is not installed (Win32_TSLicenseServer.GetActivationStatus on WMI root\\cimv2 Win32_TSLicenseServer returned 0x80041010"
t_expect_out "not run  cal-packs: the RD Licensing role is not installed (IWbemServices::GetObject on WMI root\\cimv2 Win32_TSLicenseKeyPack returned 0x80041002"
t_expect_out "not run  ls-secgrp-policy: the RD Licensing role is not installed (Win32_TSLicenseServer.IsLSSecGrpGPEnabled on WMI root\\cimv2"
t_expect_out "not run  ls-tsls-group: not applicable: the profile's membership is workgroup"
t_expect_out "not run  ls-events System: log 'System' (provider Microsoft-Windows-TerminalServices-Licensing or TermServLicensing) could not be read: EvtQuery on channel 'System' returned 0 (no query handle and no error code"
t_expect_no_out "ok       ls-events" "ls-events passed under Wine"
t_rdls diagnose "$prof" --host LICSVR1 --check cal-packs --warn-available 5
t_expect_rc 0 "diagnose --check cal-packs --warn-available 5 (not run needs no action)"
t_expect_out "not run  cal-packs: the RD Licensing role is not installed"
t_rdls diagnose "$prof" --host LICSVR1 --json
t_expect_rc 2 "diagnose --json with the profile"
t_expect_json diagnose "diagnose --json with the profile"
t_expect_out '"id":"peer-credential-missing"'
t_expect_out '"id":"ls-role-absent","severity":"error"'
# A profile that does not exist: still one document, exit 1, the error.
t_rdls diagnose "$T_LOG/no-such.ini" --host LICSVR1 --json
t_expect_rc 1 "diagnose --json of a missing profile"
t_expect_json diagnose "diagnose --json of a missing profile"
t_expect_out "cannot open profile"
# diagnose changed nothing.
t_sam_has group "RDLS Peers" && t_fail "diagnose created the group"
t_expect_no_cred LICSVR2

# --- the remedies ----------------------------------------------------------------------
t_rdls apply "$prof" --host LICSVR1 --yes
t_expect_rc 0 "apply (the remedy)"
wine64 reg delete "$KEY" /v DisableWorkgroupAuthEnforcement /f >/dev/null 2>&1 ||
	t_fail "reg delete DisableWorkgroupAuthEnforcement (the printed manual remedy)"

t_rdls diagnose "$prof" --host LICSVR1
t_no_finding leading-space-value
t_no_finding accounts-group-wrong-type
t_no_finding accounts-group-no-such-group
t_no_finding accounts-group-missing
t_no_finding workgroup-auth-enforcement-disabled
t_no_finding peer-credential-missing
t_no_finding profile-difference
t_expect_out "ok       peer-credentials: NETWORK SERVICE holds a credential for 'LICSVR2' as 'LICSVR2\\rdls-peer'"
t_expect_out "ok       profile-plan: this host matches the profile"
t_expect_out "ok       workgroup-auth: workgroup authentication between license servers is enforced"
# What Wine cannot provide, still reported (exit 2 for these alone).
t_expect_rc 2 "diagnose after apply: Wine's ls-role-absent and accounts-group-not-a-group remain"
t_finding "error    ls-role-absent:"
t_finding "error    accounts-group-not-a-group: 'LICSVR1\\RDLS Peers' does not resolve to a group"
t_expect_out "LookupAccountNameW('LICSVR1\\RDLS Peers'): nothing (ERROR_NONE_MAPPED)"
# The peer 127.0.0.1 is probed on port 1 (RDLS_TEST_RPC_PORT), where nothing listens.
t_finding "error    license-server-unreachable: license server '127.0.0.1' does not answer on TCP 1"

# --- DisableDomainCreds = 1: Windows stores no NETWORK SERVICE credential --------------------
# The policy "Network access: Do not allow storage of passwords and credentials for network
# authentication" as its registry value. The finding comes from that value, as on Windows (the
# rule plan and apply refuse by, precond.c). What Wine cannot show: its credential manager
# ignores the policy (CredWriteW still stores, CredGetSessionTypes answers
# CRED_PERSIST_ENTERPRISE), so only a Windows Server run shows cmdkey and CredWriteW refusing.
LSA='HKLM\SYSTEM\CurrentControlSet\Control\Lsa'
wine64 reg add "$LSA" /v DisableDomainCreds /t REG_DWORD /d 1 /f >/dev/null 2>&1 ||
	t_fail "reg add DisableDomainCreds"
t_rdls diagnose "$prof" --host LICSVR1
t_expect_rc 2 "diagnose with DisableDomainCreds = 1"
t_finding "error    cred-storage-disabled: Windows does not store the NETWORK SERVICE credentials this host needs"
t_expect_out "evidence: HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa value DisableDomainCreds: REG_DWORD 1"
t_expect_out "remedy:   set \"Network access: Do not allow storage of passwords and credentials for network authentication\" to Disabled for this server"
t_rdls diagnose "$prof" --host LICSVR1 --check cred-storage --json
t_expect_rc 2 "diagnose --check cred-storage --json"
t_expect_json diagnose "diagnose --check cred-storage --json"
t_expect_out '"id":"cred-storage-disabled"'
# plan says the same (one rule for both).
t_rdls plan "$prof" --host LICSVR1
t_expect_out "Do not allow storage of passwords and credentials for network authentication"
# The remedy: the policy disabled again; the finding is gone.
wine64 reg delete "$LSA" /v DisableDomainCreds /f >/dev/null 2>&1 || t_fail "reg delete DisableDomainCreds"
t_rdls diagnose "$prof" --host LICSVR1 --check cred-storage
t_expect_rc 0 "diagnose --check cred-storage after the remedy"
t_expect_out "ok       cred-storage: Windows allows NETWORK SERVICE to store the peer credentials"
t_no_finding cred-storage-disabled

t_scan_secret "$RDLS_PEER_PASSWORD" "$T_LOG"/*.out "$T_LOG"/*.err
t_finish
