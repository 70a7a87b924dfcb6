#!/bin/sh
# Rotating the peer password (apply --rotate with a new secret) on LICSVR1 of the
# two-server workgroup profile: apply --rotate --dry-run (the plan) shows the password step as not restorable; apply sets
# the stand-in's password (its state file counts NetUserSetInfo level 1003 calls: "set:1")
# and rewrites the credential for LICSVR2 (credprobe: still rdlsctl's, and Wine's stored
# credential record changed); the journal says "password set, not restorable"; rollback
# restores the rest and reports the password and the rewritten credential as not
# restorable (exit 4); neither secret is in any output or journal.
#
# What Wine cannot show: the password itself. Local accounts are the test stand-in for
# netapi32 (Wine's NetUserAdd keeps users in the calling process, and Wine 8's netapi32 has
# no NetUserSetInfo at all), which records that a password was set, never the password;
# that the peers can log on with the new password (no second machine, no LSA here); and
# that the credential's password is the new secret (CredReadW never returns it: the check
# string in its comment, which status verifies, is the evidence). On Windows: the
# server-e2e job of .github/workflows/windows.yml, and a logon of a peer in a lab (never by
# rdlsctl).
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
OLD="rot-old-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
NEW="rot-new-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
RDLS_PEER_PASSWORD=$OLD
export RDLS_PEER_PASSWORD
CM='HKCU\Software\Wine\Credential Manager'

t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply with the old secret"
case $(t_sam_user_line rdls-peer) in
*" password=set") ;;
*) t_fail "after apply: user rdls-peer: '$(t_sam_user_line rdls-peer)'" ;;
esac
t_reg_export "$CM" "$T_LOG/cm-before.txt"
# The accounts group value changed by hand: something rollback can restore afterwards.
wine64 reg add 'HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters' \
	/v WorkgroupLicenseServerAccountsGroup /t REG_SZ /d 'LICSVR1\Old Group' /f >/dev/null 2>&1 ||
	t_fail "reg add failed"

RDLS_PEER_PASSWORD=$NEW
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan with the new secret"
t_expect_no_out "password of user" "plan without --rotate"
t_rdls apply "$P" --host LICSVR1 --rotate --dry-run
t_expect_rc 2 "apply --rotate --dry-run"
t_expect_out "~ password of user 'rdls-peer'" "apply --rotate --dry-run"
t_expect_out "the old password cannot be read, so rollback cannot restore it" "apply --rotate --dry-run"
t_expect_out "~ credential 'LICSVR2'" "apply --rotate --dry-run"
t_expect_err "warning: --rotate sets the password of local user 'rdls-peer'" "apply --rotate --dry-run"
case $(t_sam_user_line rdls-peer) in
*" password=set") ;;
*) t_fail "apply --rotate --dry-run changed the password: '$(t_sam_user_line rdls-peer)'" ;;
esac

t_rdls apply "$P" --host LICSVR1 --rotate --yes
t_expect_rc 0 "apply --rotate"
t_expect_out "Applied 3 changes" "apply --rotate"
case $(t_sam_user_line rdls-peer) in
*" password=set:1") ;;
*) t_fail "after apply --rotate: user rdls-peer: '$(t_sam_user_line rdls-peer)', expected password=set:1" ;;
esac
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'
c=$(t_credprobe get LICSVR2)
case $c in *"check_comment=yes"*) ;; *) t_fail "credential LICSVR2 not rdlsctl's after rotation: $c" ;; esac
t_reg_export "$CM" "$T_LOG/cm-after.txt"
cmp -s "$T_LOG/cm-before.txt" "$T_LOG/cm-after.txt" &&
	t_fail "the stored credential records did not change with --rotate"
journal=$(ls -t "$WINEPREFIX/drive_c/ProgramData/rdlsctl/journal/"*.ini | head -1)
grep -q '^kind = password$' "$journal" || t_fail "journal $journal: no password record"
grep -q '^password = set,%20not%20restorable$' "$journal" || t_fail "journal: the record does not say 'set, not restorable'"
grep -q '^restorable = no$' "$journal" || t_fail "journal: no 'restorable = no'"

# Converged with the new secret, without --rotate.
t_rdls plan "$P" --host LICSVR1
t_expect_rc 0 "plan after the rotation"

t_rdls rollback --yes
t_expect_rc 4 "rollback of the rotation (cannot restore everything)"
t_expect_out "password of user 'rdls-peer'" "rollback"
t_expect_out "cannot be restored" "rollback"
got=$(t_reg_get 'HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters' \
	WorkgroupLicenseServerAccountsGroup)
[ "$got" = 'REG_SZ LICSVR1\Old Group' ] || t_fail "rollback did not restore the value: '$got'"
case $(t_sam_user_line rdls-peer) in
*" password=set:1") ;;
*) t_fail "after rollback: user rdls-peer: '$(t_sam_user_line rdls-peer)'" ;;
esac
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'

t_flush
t_scan_secret_tree "$OLD" "$T_LOG"
t_scan_secret_tree "$NEW" "$T_LOG"
t_scan_secret_tree "$NEW" "$WINEPREFIX/drive_c/ProgramData/rdlsctl/journal"
t_finish
