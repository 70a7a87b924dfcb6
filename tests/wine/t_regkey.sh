#!/bin/sh
# Registry keys apply creates, under Wine's real registry: LICSVR1 as a domain license server
# (SpecifiedLicenseServers) and session host (the two licensing policy values). In a new prefix
# neither TermServLicensing\Parameters nor HKLM\SOFTWARE\Policies\Microsoft exists (the
# TermServLicensing key is the prefix's stand-in for the RD Licensing role's service), so apply
# creates four keys as steps of their own, outermost first; rollback deletes them again, innermost
# first, but a key is deleted only while it is empty (RegQueryInfoKeyW, then RegDeleteKeyExW):
#   1. a value someone else wrote into the policy key after apply: rollback removes what apply
#      set, leaves that key and its parents (not empty), says so and exits 4; the value is
#      still there, and the empty TermServLicensing\Parameters key is gone (the service's key
#      stays: apply did not create it);
#   2. once that value is deleted, rollback completes (exit 0) and the exports of
#      HKLM\SYSTEM\CurrentControlSet\Services and HKLM\SOFTWARE\Policies equal those before apply.
# No local accounts and no credentials: no stand-in and no helper service take part.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_LOG/regkey.ini
cat >"$P" <<'EOF'
[deployment]
membership     = domain
licensing_mode = per_user
cal_version    = 2019

[discovery]
method = specified

[license_server LICSVR1]
os  = 2019
dns = licsvr1.corp.example

[license_server LICSVR2]
os  = 2019
dns = licsvr2.corp.example

[session_host LICSVR1]
os = 2019
EOF

POL='HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
LSK='HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing'

t_key_exists() {
	t_reg_exists "$1"
}

t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-before.txt"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-before.txt"
t_key_exists "$LSK" || t_die "precondition: the stand-in service key $LSK is missing"
for k in "$LSK\\Parameters" 'HKLM\SOFTWARE\Policies\Microsoft'; do
	t_key_exists "$k" && t_die "precondition: $k exists in a new prefix"
done

t_rdls plan "$P"
t_expect_rc 2 "plan"
for k in "$LSK\\Parameters" 'HKLM\SOFTWARE\Policies\Microsoft' \
	'HKLM\SOFTWARE\Policies\Microsoft\Windows NT' "$POL"; do
	t_expect_out "+ registry key $k  (absent" "plan"
done
# 4 keys, SpecifiedLicenseServers, the two policy values and the local GPO's two files
# (Registry.pol, gpt.ini: steps of kind gpofile).
t_expect_out "Plan: 9 to create, 0 to change, 0 to remove." "plan"

t_rdls apply "$P" --yes
t_expect_rc 0 "apply"
t_expect_out "Applied 9 changes" "apply"
got=$(t_reg_get "$POL" LicensingMode)
[ "$got" = "REG_DWORD 4 (0x4)" ] || t_fail "after apply: LicensingMode is '$got', expected REG_DWORD 4 (0x4)"
t_key_exists "$LSK\\Parameters" || t_fail "after apply: no key $LSK\\Parameters"

# 1. Someone else's value in a key apply created: that key stays, with the value.
wine64 reg add "$POL" /v fDenyTSConnections /t REG_DWORD /d 0 /f </dev/null >/dev/null 2>&1 ||
	t_die "cannot add a value to $POL"
t_rdls rollback --yes
t_expect_rc 4 "rollback with a foreign value in a key apply created"
t_expect_err "cannot delete registry key $POL: the key is not empty" "rollback, the policy key"
t_expect_err "cannot delete registry key HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT: the key is not empty" \
	"rollback, its parent"
t_expect_out "LEFT: undo failed" "rollback"
got=$(t_reg_get "$POL" fDenyTSConnections)
[ "$got" = "REG_DWORD 0 (0x0)" ] || t_fail "after rollback: the foreign value is '$got', expected REG_DWORD 0 (0x0)"
t_reg_get "$POL" LicenseServers >/dev/null && t_fail "after rollback: LicenseServers is still set"
t_reg_get "$POL" LicensingMode >/dev/null && t_fail "after rollback: LicensingMode is still set"
# The empty keys on the license server's side did go: RegDeleteKeyExW really deletes.
t_key_exists "$LSK\\Parameters" && t_fail "after rollback: $LSK\\Parameters (empty) was not deleted"
t_key_exists "$LSK" || t_fail "after rollback: the service's key $LSK was deleted"

# 2. The value goes: rollback completes, and the registry is as before apply.
wine64 reg delete "$POL" /v fDenyTSConnections /f </dev/null >/dev/null 2>&1 ||
	t_die "cannot delete the foreign value"
t_rdls rollback --yes
t_expect_rc 0 "rollback after the foreign value is gone"
t_key_exists 'HKLM\SOFTWARE\Policies\Microsoft' && t_fail "after rollback: Policies\\Microsoft still exists"
t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-after.txt"
t_same "$T_LOG/services-before.txt" "$T_LOG/services-after.txt" \
	"after rollback: the export of HKLM\\SYSTEM\\CurrentControlSet\\Services"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-after.txt"
t_same "$T_LOG/policies-before.txt" "$T_LOG/policies-after.txt" \
	"after rollback: the export of HKLM\\SOFTWARE\\Policies"

t_rdls plan "$P"
t_expect_rc 2 "plan after rollback"
t_expect_out "Plan: 9 to create" "plan after rollback"

t_finish
