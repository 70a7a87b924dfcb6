#!/bin/sh
# Who wrote the journal, as far as Wine can show it. Wine keeps no file security
# descriptors: it derives one from the Unix mode (owner: the Wine user, who is also this
# process's user; SYSTEM and the owner full control; Everyone gets write access, mask
# 0x1301ff, when "others" may write). So the real Win32 path (CreateFileW without
# following reparse points, GetSecurityInfo, the DACL walk) runs here, and a journal,
# an index or a directory that "others" may write is a genuine refusal to test:
#   - rollback FILE of a journal that Everyone may write: refused, registry unchanged;
#   - the same journal through the index (plain rollback): the journal directory, which
#     now holds it, is set aside with a warning, and nothing is rolled back;
#   - once the mode is owner-only again, rollback FILE restores everything.
# What Wine cannot show (covered by tests/unit/test_trust.c through the fake, and on
# Windows by running the same commands after `icacls FILE /setowner USER` or
# `icacls FILE /grant *S-1-5-32-545:W`): a foreign owner, a junction (Wine follows Unix
# symbolic links and reports no reparse point), the admin-only descriptor of a new
# journal (Wine accepts it and stores nothing), and the private-namespace lock (Wine 8
# lacks CreatePrivateNamespaceW, so the lock file fallback runs, as t_concurrency shows).
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="trust-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
JDIR=$WINEPREFIX/drive_c/ProgramData/rdlsctl/journal

t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply"
journal=$(grep -v '^$' "$JDIR/index" | tail -n 1)
[ -f "$journal" ] || t_fail "the index names no journal file: '$journal'"
t_reg_snapshot "$T_LOG/reg-applied.txt"
sam_applied=$(t_sam_dump)

chmod o+w "$journal"
t_rdls rollback "$journal" --yes
t_expect_rc 1 "rollback of a journal Everyone may write"
t_expect_err "is not trusted: its DACL lets" "rollback FILE"
t_expect_err "icacls" "rollback FILE"
t_reg_snapshot "$T_LOG/reg-refused.txt"
t_same "$T_LOG/reg-applied.txt" "$T_LOG/reg-refused.txt" "after the refused rollback FILE"
[ "$(t_sam_dump)" = "$sam_applied" ] || t_fail "the refused rollback changed the accounts"

t_rdls rollback --yes
t_expect_rc 1 "rollback through the index"
t_expect_err "could not be trusted" "rollback through the index"
t_expect_err "moved it aside as" "rollback through the index"
t_expect_err "nothing to roll back" "rollback through the index"
t_reg_snapshot "$T_LOG/reg-refused2.txt"
t_same "$T_LOG/reg-applied.txt" "$T_LOG/reg-refused2.txt" "after the refused rollback"
aside=$(ls -d "$JDIR".untrusted-* 2>/dev/null | head -n 1)
[ -n "$aside" ] || t_fail "no journal.untrusted-* directory next to $JDIR"
moved="$aside/$(basename "$journal")"
[ -f "$moved" ] || t_fail "the journal is not in the set-aside directory: $moved"

# An administrator who has checked it makes it private again; then it is trusted.
chmod o-w "$moved"
t_rdls rollback "$moved" --yes
t_expect_rc 0 "rollback FILE of the checked journal"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan after rollback"

t_finish
