#!/bin/sh
# Two plans of a license server at the same time both succeed (issue 9, part 6), for
# profiles/workgroup-two-servers.ini as license server LICSVR1, where plan starts the NETWORK
# SERVICE helper (to read the peer credential) without the apply lock.
#   1. Deterministic: plan A is held between CreateServiceW and StartServiceW, where its
#      helper is registered and STOPPED (the test build's switch RDLS_HELPER_HOLD, in
#      build/win-crash). Plan B then starts its own helper, and with it the sweep of stale
#      helpers: it must leave A's alone (A's rdlsctl runs) and succeed; A, released, must
#      then start its helper and succeed too. (Before owners were recorded, the sweep
#      deleted every STOPPED helper, and A failed at StartServiceW.)
#   2. The literal race: two release-build plans started together both exit 2, with the
#      same plan, and leave no helper and no copy behind.
#
# What Wine cannot show: Wine runs every process as one user, so a helper of a run by
# another administrator (whose process this one may not open: the sweep then counts it as
# alive) is not shown here; nor is a reused process id (the creation time tells it apart).
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
. "$(dirname "$0")/lib.sh"

CRASH_EXE=$T_ROOT/build/win-crash/rdlsctl.exe.so
[ -f "$CRASH_EXE" ] || t_die "build/win-crash/rdlsctl.exe.so missing: run 'make wine-tools'"
LC_ALL=C grep -qa RDLS_HELPER_HOLD "$CRASH_EXE" || t_die "build/win-crash lacks RDLS_HELPER_HOLD"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="two-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
HDIR=$WINEPREFIX/drive_c/ProgramData/rdlsctl/helper
HOLD=$WINEPREFIX/drive_c/rdls-hold
SVCS='HKLM\SYSTEM\CurrentControlSet\Services'

helpers() {
	t_reg_keys "$SVCS" | grep -i '^rdlsctl-helper-[0-9a-f]*$'
}

# --- 1. B sweeps while A's helper is registered and STOPPED ----------------------------------
: >"$HOLD"
RDLSCTL_EXE=$CRASH_EXE RDLS_HELPER_HOLD="created:C:\\rdls-hold" t_rdls_bg A plan "$P" --host LICSVR1
i=0
while ! grep -q "holding at helper point 'created'" "$T_LOG/bg.A.err" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -le 600 ] || t_die "plan A did not reach CreateServiceW: $(head -c 300 "$T_LOG/bg.A.err" | tr '\n' ' ')"
	sleep 0.1
done
svc_a=$(helpers)
[ "$(printf '%s\n' "$svc_a" | grep -c .)" -eq 1 ] || t_fail "while A holds: helpers '$svc_a', expected one"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan B while A's helper is registered and stopped"
cp "$T_OUT" "$T_LOG/plan-b.out"
[ "$(helpers)" = "$svc_a" ] || t_fail "after plan B: helpers '$(helpers)', expected A's '$svc_a' (B's sweep deleted it?)"
rm -f "$HOLD"
t_rdls_wait A
t_expect_rc 2 "plan A, released after B"
cmp -s "$T_OUT" "$T_LOG/plan-b.out" || t_fail "plans A and B differ: $(diff "$T_OUT" "$T_LOG/plan-b.out" | head -5 | tr '\n' ' ')"
t_check_no_helper

# --- 2. two plans started together -----------------------------------------------------------
t_rdls_bg X plan "$P" --host LICSVR1
t_rdls_bg Y plan "$P" --host LICSVR1
t_rdls_wait X
t_expect_rc 2 "plan X (started together with Y)"
cp "$T_OUT" "$T_LOG/plan-x.out"
t_rdls_wait Y
t_expect_rc 2 "plan Y (started together with X)"
cmp -s "$T_OUT" "$T_LOG/plan-x.out" || t_fail "plans X and Y differ: $(diff "$T_OUT" "$T_LOG/plan-x.out" | head -5 | tr '\n' ' ')"
t_check_no_helper
[ -z "$(ls -A "$HDIR" 2>/dev/null)" ] || t_fail "copies left: $(ls "$HDIR" | tr '\n' ' ')"

t_finish
