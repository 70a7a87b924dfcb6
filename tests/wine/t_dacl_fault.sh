#!/bin/sh
# A genuine fault in the middle of apply: TermServLicensing\Parameters made read-only by
# its DACL before apply (as a hardening baseline might), so that the registry step fails
# with access denied after the account steps succeeded. apply must exit 1, name the key,
# the error text and code 5, and leave accounts, credentials and registry exactly as before.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs). The
# registry and its key security are real under Wine.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
KEY='SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters'
RDLS_PEER_PASSWORD="dacl-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD

# The fixture, and proof that Wine enforces it: everyone may read, nobody may write.
# Wine keeps a key's DACL only in the running wineserver (a restart loses it), so the test's
# one persistent wineserver must live through the apply: the fault is probed again after it.
o=$(wine64 "$T_TOOLS/regacl.exe.so" set "$KEY" 'D:P(A;;KR;;;WD)' 2>&1 </dev/null | tr -d '\r')
case $o in *"RegSetKeySecurity status=0"*) ;; *) t_die "regacl set: $o" ;; esac
# t_key_locked WHEN: the key still refuses KEY_SET_VALUE with ERROR_ACCESS_DENIED.
t_key_locked() {
	_o=$(wine64 "$T_TOOLS/regacl.exe.so" probe "$KEY" 2>&1 </dev/null | tr -d '\r')
	case $_o in
	*"status=5"*) say "# confirmed $1: RegOpenKeyExW(KEY_SET_VALUE) on the key fails with ERROR_ACCESS_DENIED" ;;
	*) t_die "the read-only DACL on the key is not in place $1 (a restarted wineserver drops it): $_o" ;;
	esac
}
t_key_locked "before apply"

t_reg_snapshot "$T_LOG/reg-before.txt"
sam_before=$(t_sam_dump)
t_expect_no_cred LICSVR2

t_rdls apply "$P" --host LICSVR1 --yes
t_key_locked "after apply (so it was in place while apply ran)"
t_expect_rc 1 "apply onto a read-only key"
t_expect_err 'TermServLicensing\Parameters' "the error names the key"
t_expect_err "access denied" "the error gives the text"
grep -qE '(^|[^0-9])5([^0-9]|$)' "$T_ERR" || t_fail "the error does not give the code 5"
# The account steps ran before the registry step (the fault is in the middle).
grep -qi "user 'rdls-peer'" "$T_OUT" || t_fail "apply output does not show the account steps"

t_reg_snapshot "$T_LOG/reg-after.txt"
t_same "$T_LOG/reg-before.txt" "$T_LOG/reg-after.txt" "registry (regprobe dump)"
[ "$(t_sam_dump)" = "$sam_before" ] ||
	t_fail "accounts after the failed apply: '$(t_sam_dump | tr '\n' '|')', expected '$sam_before'"
t_expect_no_cred LICSVR2

# Nothing is left to roll back, and the host still plans every step.
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan after the failed apply"
t_expect_out "user 'rdls-peer'" "plan after the failed apply"

t_finish
