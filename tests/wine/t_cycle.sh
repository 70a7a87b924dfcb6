#!/bin/sh
# The main job, for profiles/workgroup-two-servers.ini as license server LICSVR1:
# validate, plan, apply, plan (converged), status, rollback, plan (the full list again),
# every effect checked from separate processes: the registry with regprobe (RegQueryValueExW),
# the credential with credprobe (CredReadW), the accounts with samctl (the Net* functions
# through the stand-in).
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
# Known gap, asserted as such: status checks the accounts group with LookupAccountNameW,
# which under Wine knows only well-known accounts (docs/HACKING.md), so that one check fails
# here and status exits 2; every other status check must hold.
#
# Every --json output is validated against its schema (tests/wine/json.sh): plan before and
# after apply, apply refused and applied, status, rollback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="cycle-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD

# The plan of a host that has nothing yet: the five steps of docs/contract.md for LICSVR1 (and the
# keys the value needs).
t_expect_full_plan() {
	t_expect_out "user 'rdls-peer'" "$1"
	t_expect_out "group 'RDLS Peers'" "$1"
	t_expect_out "member 'LICSVR1\\rdls-peer'" "$1"
	t_expect_out "$T_LS_VALUE" "$1"
	t_expect_out "+ registry key $T_LS_KEY  (absent" "$1" # not there under Wine
	t_expect_out "credential 'LICSVR2'" "$1"
}

t_reg_snapshot "$T_LOG/reg-before.txt"
# Everything apply might create keys in: rollback must give back exactly these exports.
t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-before.txt"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-before.txt"
sam_before=$(t_sam_dump)

t_rdls validate "$P"
t_expect_rc 0 "validate"

t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan before apply"
t_expect_full_plan "plan before apply"
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "plan changed the accounts: $(t_sam_dump | tr '\n' '|')"
t_reg_get "$T_LS_KEY" "$T_LS_VALUE" >/dev/null && t_fail "plan set $T_LS_VALUE"

t_rdls plan "$P" --host LICSVR1 --json
t_expect_rc 2 "plan --json before apply"
t_expect_json plan "plan --json before apply"
t_expect_out '"kind":"cred","object":"credential '"'"'LICSVR2'"'"' (NETWORK SERVICE)","action":"create"' \
	"plan --json before apply"

# Without a terminal and without --yes, apply refuses (exit 3) and changes nothing.
t_rdls apply "$P" --host LICSVR1
t_expect_rc 3 "apply without --yes and without a terminal"
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "apply without --yes changed the accounts"
t_rdls apply "$P" --host LICSVR1 --json
t_expect_rc 3 "apply --json without --yes and without a terminal"
t_expect_json apply "apply --json refused"
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "apply --json without --yes changed the accounts"

t_rdls apply "$P" --host LICSVR1 --yes --json
t_expect_rc 0 "apply"
t_expect_json apply "apply --json"
t_expect_out '"outcome":"applied"' "apply --json"

# The registry, from reg.exe.
got=$(t_reg_get "$T_LS_KEY" "$T_LS_VALUE")
[ "$got" = 'REG_SZ LICSVR1\RDLS Peers' ] ||
	t_fail "after apply: $T_LS_VALUE is '$got', expected REG_SZ 'LICSVR1\\RDLS Peers'"
# The accounts, from the stand-in's file: created with the secret (only "set" is stored),
# UF_DONT_EXPIRE_PASSWD (0x10000) and UF_PASSWD_CANT_CHANGE (0x40), member of the group.
line=$(t_sam_user_line rdls-peer)
case $line in
*" password=set") ;;
*) t_fail "after apply: user rdls-peer: '$line' (expected a user with a password)" ;;
esac
flags=$(printf '%s' "$line" | sed -n 's/.* flags=\([0-9a-fA-F]*\) .*/\1/p')
[ -n "$flags" ] && [ $((0x$flags & 0x10040)) -eq $((0x10040)) ] ||
	t_fail "after apply: user rdls-peer flags '$flags' lack UF_DONT_EXPIRE_PASSWD|UF_PASSWD_CANT_CHANGE"
t_sam_has group "RDLS Peers" || t_fail "after apply: no local group 'RDLS Peers'"
t_sam_has member "RDLS Peers" rdls-peer || t_fail "after apply: rdls-peer not in 'RDLS Peers'"
# The credential, from credprobe.
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'
c=$(t_credprobe get LICSVR2)
case $c in *" type=2 "*) ;; *) t_fail "credential LICSVR2 is not CRED_TYPE_DOMAIN_PASSWORD: $c" ;; esac
# No credential for the host itself.
t_expect_no_cred LICSVR1

t_rdls plan "$P" --host LICSVR1
t_expect_rc 0 "plan after apply (converged)"
t_expect_no_out "credential 'LICSVR2'" "plan after apply lists a step"
t_expect_no_out "user 'rdls-peer'" "plan after apply lists a step"
t_rdls plan "$P" --host LICSVR1 --json
t_expect_rc 0 "plan --json after apply (converged)"
t_expect_json plan "plan --json after apply"
t_expect_out '"changes":0,"steps":[]' "plan --json after apply"

t_rdls status "$P" --host LICSVR1 --json
t_expect_rc 2 "status after apply (2: LookupAccountNameW cannot resolve local groups under Wine)"
t_expect_json status "status --json after apply"
results=$(grep -o '"check":"[^"]*","subject":"\([^"\\]\|\\.\)*","result":"[^"]*"' "$T_OUT" |
	sed 's/^"check":"\([^"]*\)".*"result":"\([^"]*\)"$/\1=\2/')
[ -n "$results" ] || t_fail "status --json: no checks in '$(head -c 300 "$T_OUT")'"
for r in $results; do
	case $r in
	*=ok) ;;
	accounts-group=failed) say "# known gap (Wine): $r (LookupAccountNameW knows no local group)" ;;
	*) t_fail "status after apply: check $r" ;;
	esac
done
grep -q '"check":"accounts-group","subject":"[^"]*","result":"failed","detail":"[^"]*does not resolve to a group' "$T_OUT" ||
	t_fail "status: accounts-group failed for another reason than Wine's LookupAccountNameW"
for want in leading-space peer-account peer-credentials; do
	case " $(echo $results) " in *" $want=ok "*) ;; *) t_fail "status: no passing check '$want'" ;; esac
done

t_rdls rollback --yes --json
t_expect_rc 0 "rollback"
t_expect_json rollback "rollback --json"
t_expect_out '"result":"restored"' "rollback --json"
t_reg_get "$T_LS_KEY" "$T_LS_VALUE" >/dev/null &&
	t_fail "after rollback: $T_LS_VALUE still set ($(t_reg_get "$T_LS_KEY" "$T_LS_VALUE"))"
[ "$(t_sam_dump)" = "$sam_before" ] ||
	t_fail "after rollback: accounts are '$(t_sam_dump | tr '\n' '|')', expected '$sam_before'"
t_expect_no_cred LICSVR2
# Exactly as before, keys included: TermServLicensing\Parameters does not exist under Wine (the
# prefix has only the stand-in service key),
# so apply created it as a step of its own, and rollback deleted it.
t_reg_snapshot "$T_LOG/reg-after.txt"
t_same "$T_LOG/reg-before.txt" "$T_LOG/reg-after.txt" "after rollback: the registry keys rdlsctl touches"
t_reg_export 'HKLM\SYSTEM\CurrentControlSet\Services' "$T_LOG/services-after.txt"
t_same "$T_LOG/services-before.txt" "$T_LOG/services-after.txt" \
	"after rollback: the export of HKLM\\SYSTEM\\CurrentControlSet\\Services"
t_reg_export 'HKLM\SOFTWARE\Policies' "$T_LOG/policies-after.txt"
t_same "$T_LOG/policies-before.txt" "$T_LOG/policies-after.txt" \
	"after rollback: the export of HKLM\\SOFTWARE\\Policies"

t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan after rollback"
t_expect_full_plan "plan after rollback"

t_finish
