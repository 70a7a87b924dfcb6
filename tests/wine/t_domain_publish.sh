#!/bin/sh
# A domain profile with discovery method "publish" on a host without the RD Licensing role
# (Wine has no Win32_TSLicenseServer, as such a server): plan and apply stop with the
# role-not-installed message and exit 1 before anything changes.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs); this
# profile has no accounts to create, and the stand-in's database must stay empty.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/domain-publish.ini

t_reg_snapshot "$T_LOG/reg-before.txt"
# The whole of HKLM as well: no value anywhere may change.
t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-before.txt"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-before.txt"
sam_before=$(t_sam_dump)

t_rdls plan "$P" --host LICSVR1
t_expect_rc 1 "plan"
t_expect_err "RD Licensing role is not installed" "plan"

t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 1 "apply"
t_expect_err "RD Licensing role is not installed" "apply"
t_expect_no_out "Applied" "apply"

t_reg_snapshot "$T_LOG/reg-after.txt"
t_same "$T_LOG/reg-before.txt" "$T_LOG/reg-after.txt" "licensing registry keys (regprobe dump)"
t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-after.txt"
t_same "$T_LOG/services-before.txt" "$T_LOG/services-after.txt" "HKLM\\SYSTEM\\CurrentControlSet\\Services (regprobe dump)"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-after.txt"
t_same "$T_LOG/policies-before.txt" "$T_LOG/policies-after.txt" "HKLM\\SOFTWARE\\Policies (regprobe dump)"
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "accounts changed: $(t_sam_dump | tr '\n' '|')"
[ -f "$(t_sam_file)" ] && say "# note: the stand-in's database was written (it should only have been read)"

t_finish
