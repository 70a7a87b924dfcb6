#!/bin/sh
# Two rdlsctl runs at once on one computer (issue 4, item 5), for
# profiles/workgroup-two-servers.ini as license server LICSVR1. apply and rollback take the
# system-wide mutex Global\rdlsctl-apply (src/win32/host.c) before anything else and hold it
# to the end; a second run that finds it held exits 1 at once, saying so, having changed
# nothing and written no journal.
#
# Deterministic: the first run is held inside its lock by its own confirmation question
# (it runs on a pseudo-terminal without --yes: the lock is taken before the question), and
# the second starts only once the question shows:
#   1. apply A waits at its question; apply B (--yes) and rollback (--yes) are refused;
#      nothing changed, no journal; then A is confirmed and applies everything;
#   2. rollback R waits at its question; apply C (--yes) is refused; R is confirmed and
#      restores the state from before A.
# Then the literal race: two applies with --yes started together. Which one reaches the
# lock first is up to the scheduler, and so is whether the other still finds it held (it
# then exits 1, refused) or starts after the first finished (it then finds nothing to do,
# exit 0, no journal): either way exactly one applies, one journal is written, and the
# state is the applied one. The log says which of the two happened.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="conc-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
BUSY="another rdlsctl apply or rollback is running on this computer; nothing was changed"
JDIR=$WINEPREFIX/drive_c/ProgramData/rdlsctl/journal

journals() { find "$JDIR" -type f -name '*.ini' 2>/dev/null | wc -l; }

# state FILE: the registry, the accounts and the credentials, from separate processes.
state() {
	t_reg_snapshot "$1.reg"
	{ t_sam_dump; t_credprobe list; } >"$1"
	cat "$1.reg" >>"$1"
	rm -f "$1.reg"
}

# refused WHAT: the last run was refused because of the lock, and said so.
refused() {
	t_expect_rc 1 "$1 while another run holds the lock"
	t_expect_err "error: $BUSY" "$1 while another run holds the lock"
	! grep -q . "$T_OUT" || t_fail "$1 refused, but printed on stdout: $(head -c 200 "$T_OUT" | tr '\n' ' ')"
}

state "$T_LOG/before"

# --- 1. apply A holds the lock ---------------------------------------------------------------
t_rdls_tty A apply "$P" --host LICSVR1
if ! t_tty_wait A "[y/N]"; then
	t_tty_abort A
	t_die "apply A did not reach its question"
fi
t_rdls apply "$P" --host LICSVR1 --yes
refused "apply B"
t_rdls rollback --yes
refused "rollback"
state "$T_LOG/while-A"
t_same "$T_LOG/before" "$T_LOG/while-A" "state while A waits, after the refused runs"
[ "$(journals)" -eq 0 ] || t_fail "a journal was written while A waits at its question: $(ls "$JDIR")"
t_tty_type A y
t_tty_end A
t_expect_rc 0 "apply A, confirmed"
t_expect_out "Applied" "apply A"
[ "$(journals)" -eq 1 ] || t_fail "after A: $(journals) journals, expected 1"
t_sam_has user rdls-peer || t_fail "after A: no user rdls-peer"
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'
state "$T_LOG/applied"

# --- 2. rollback R holds the lock ------------------------------------------------------------
t_rdls_tty R rollback
if t_tty_wait R "[y/N]"; then
	t_rdls apply "$P" --host LICSVR1 --yes
	refused "apply C"
	state "$T_LOG/while-R"
	t_same "$T_LOG/applied" "$T_LOG/while-R" "state while R waits, after the refused apply"
	[ "$(journals)" -eq 1 ] || t_fail "while R waits: $(journals) journals, expected 1"
	t_tty_type R y
	t_tty_end R
	t_expect_rc 0 "rollback R, confirmed"
else
	t_tty_abort R
fi
state "$T_LOG/rolled-back"
t_same "$T_LOG/before" "$T_LOG/rolled-back" "state after rollback R (compared with before A)"

# --- 3. two applies started together ---------------------------------------------------------
n0=$(journals)
t_rdls_bg X apply "$P" --host LICSVR1 --yes
t_rdls_bg Y apply "$P" --host LICSVR1 --yes
t_rdls_wait X
rc_x=$T_RC out_x=$T_OUT err_x=$T_ERR
t_rdls_wait Y
rc_y=$T_RC out_y=$T_OUT err_y=$T_ERR
applied=0
for w in "X $rc_x $out_x $err_x" "Y $rc_y $out_y $err_y"; do
	set -- $w
	if [ "$2" -eq 0 ] && grep -q "^Applied [0-9]* change" "$3"; then
		applied=$((applied + 1))
	elif [ "$2" -eq 1 ] && grep -qF "error: $BUSY" "$4"; then
		say "# race: $1 found the lock held and was refused"
	elif [ "$2" -eq 0 ] && grep -qi "converged" "$3"; then
		say "# race: $1 started after the other had finished: nothing to do"
	else
		t_fail "race: $1 exit $2: $(cat "$3" "$4" | head -c 300 | tr '\n' ' ')"
	fi
done
[ "$applied" -eq 1 ] || t_fail "race: $applied of the two applies applied changes, expected exactly 1"
[ "$(journals)" -eq $((n0 + 1)) ] || t_fail "race: $(($(journals) - n0)) journals written, expected 1"
state "$T_LOG/raced"
t_same "$T_LOG/applied" "$T_LOG/raced" "state after the race (compared with after apply A)"
t_rdls rollback --yes
t_expect_rc 0 "rollback after the race"

t_finish
