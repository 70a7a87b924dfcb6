#!/bin/sh
# Crash at every step (issue 4, item 2), for profiles/workgroup-two-servers.ini as license
# server LICSVR1: for every step k of a full apply and each of its three points
#   journaled  the record of step k is on disk, its change not made
#   changed    the change is made, not yet marked done
#   done       marked done
# apply runs from build/win-crash (the same program built -DRDLS_CRASHPOINTS) with
# RDLS_CRASH_AT=k:point, in a fresh copy of a prefix that has nothing yet, and dies there
# (TerminateProcess of itself, exit 137: no handlers, no cleanup; under Wine as hard as
# SIGKILL, measured: what a FILE had buffered and not flushed is lost. Its lock is abandoned,
# its helper service loses its pipe). Then the RELEASE build's `rollback --yes` must bring the
# prefix back to its state before apply, checked from separate processes:
#   the registry   `regprobe dump` of TermServLicensing, TermService and HKLM\SOFTWARE\Policies,
#                  compared byte for byte (an empty key apply created and left is a difference);
#   services       no rdlsctl-helper-* service (registry and SCM: t_check_no_helper);
#   accounts       the stand-in's database (Wine's local accounts are stubs: docs/HACKING.md);
#   credentials    CredEnumerateW through credprobe.
# Also: the release build does not contain the switch.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
# Time: one prefix per case is a `cp -a` of this test's own stopped prefix (about 0.4 s);
# RDLS_CRASH_POINTS (default "journaled changed done") and RDLS_CRASH_STEPS (default: every
# step of the plan) narrow the matrix for a quick run by hand.
. "$(dirname "$0")/lib.sh"

CRASH_EXE=$T_ROOT/build/win-crash/rdlsctl.exe.so
REL_EXE=$T_ROOT/build/win/rdlsctl.exe.so
[ -f "$CRASH_EXE" ] || t_die "build/win-crash/rdlsctl.exe.so missing: run 'make wine-tools'"
[ -f "$REL_EXE" ] || t_die "build/win/rdlsctl.exe.so missing: run 'make win'"

# The release build has no crash switch: neither its variable nor its code. The crash
# build has both (else the checks below could pass on a build without them).
if LC_ALL=C grep -qa RDLS_CRASH_AT "$REL_EXE"; then
	t_fail "release build/win/rdlsctl.exe.so contains 'RDLS_CRASH_AT'"
fi
LC_ALL=C grep -qa RDLS_CRASH_AT "$CRASH_EXE" || t_die "build/win-crash/rdlsctl.exe.so lacks the crash switch"
if command -v nm >/dev/null 2>&1; then
	if nm "$REL_EXE" 2>/dev/null | grep -qE ' (rdls_exec_crash_from_env|crash_now)$'; then
		t_fail "release build/win/rdlsctl.exe.so has the crash code: $(nm "$REL_EXE" | grep crash | tr '\n' ' ')"
	fi
	nm "$CRASH_EXE" | grep -q ' rdls_exec_crash_from_env$' ||
		t_die "build/win-crash/rdlsctl.exe.so lacks the crash code (nm)"
	say "# the release build has no RDLS_CRASH_AT and no crash code (nm); build/win-crash has both"
else
	say "# nm (binutils) not found: the release build was checked for the string RDLS_CRASH_AT only"
fi

t_setup
# t_server_start names the computer LICSVR1 for each case's server: scripts/rdlsctl-wine
# need not do it again on every run (four `reg add` processes less per case).
unset RDLS_WINE_COMPUTERNAME

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="crash-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
T_REG_KEYS='HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing
HKLM\SYSTEM\CurrentControlSet\Services\TermService
HKLM\SOFTWARE\Policies'

# cm_state DIR: everything a case compares, from separate processes.
cm_state() {
	mkdir -p "$1"
	t_reg_snapshot "$1/registry"
	t_sam_dump >"$1/accounts"
	t_credprobe list >"$1/credentials"
}

# The steps of a full apply, counted from the plan.
t_rdls plan "$P" --host LICSVR1 --json
t_expect_rc 2 "plan of a host that has nothing"
n=$(sed -n 's/.*"changes":\([0-9]*\).*/\1/p' "$T_OUT")
listed=$(grep -o '"action":"[a-z]*"' "$T_OUT" | grep -vc '"none"')
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" = "$listed" ] ||
	t_die "cannot count the steps of the plan: changes='$n', steps listed=$listed"
say "# a full apply has $n steps"

cm_state "$T_LOG/before"
[ -s "$T_LOG/before/credentials" ] || t_die "credprobe list printed nothing"

# The prefix every case copies, stopped so that its files are complete.
BASE=$T_PREFIX
wineserver -k >/dev/null 2>&1
wineserver -w >/dev/null 2>&1

steps=${RDLS_CRASH_STEPS:-$(seq 1 "$n")}
points=${RDLS_CRASH_POINTS:-journaled changed done}
ncases=0
nfailed=0
t_start=$(date +%s.%N)
for k in $steps; do
	for pt in $points; do
		c="$k:$pt"
		f0=$(t_nfails)
		c0=$(date +%s.%N)
		ncases=$((ncases + 1))
		say "# ---- case $c"
		CASE=$T_LOG/case-$k-$pt
		cp -a "$BASE" "$CASE" || t_die "cannot copy the prefix for case $c"
		WINEPREFIX=$CASE
		export WINEPREFIX
		t_server_start

		RDLSCTL_EXE=$CRASH_EXE RDLS_CRASH_AT=$c
		export RDLSCTL_EXE RDLS_CRASH_AT
		t_rdls apply "$P" --host LICSVR1 --yes
		unset RDLSCTL_EXE RDLS_CRASH_AT
		t_expect_rc 137 "$c: apply should have died there"
		! grep -qi '^Applied' "$T_OUT" || t_fail "$c: apply finished instead of dying"

		# The journal shows where it died: [step k] last, or [done k] last.
		j=$(ls "$CASE"/drive_c/ProgramData/rdlsctl/journal/*.ini 2>/dev/null | head -1)
		last=$([ -n "$j" ] && grep '^\[' "$j" | tail -1)
		case $pt in done) want="[done $k]" ;; *) want="[step $k]" ;; esac
		[ "$last" = "$want" ] || t_fail "$c: the journal ends with '$last', expected '$want'"

		t_rdls rollback --yes
		t_expect_rc 0 "$c: rollback"

		cm_state "$T_LOG/after"
		t_same "$T_LOG/before/registry" "$T_LOG/after/registry" "$c: registry (regprobe dump)"
		t_same "$T_LOG/before/accounts" "$T_LOG/after/accounts" "$c: accounts (stand-in)"
		t_same "$T_LOG/before/credentials" "$T_LOG/after/credentials" "$c: credentials (credprobe)"
		n0=$(t_nfails)
		t_check_no_helper
		[ "$(t_nfails)" -eq "$n0" ] || say "# $c: a helper service is left (above)"

		wineserver -k >/dev/null 2>&1
		wineserver -w >/dev/null 2>&1
		[ "$(t_nfails)" -eq "$f0" ] || nfailed=$((nfailed + 1))
		if [ "$(t_nfails)" -ne "$f0" ] && [ "${RDLS_WINE_KEEP:-0}" = 1 ]; then
			mv "$CASE" "$BASE.case-$k-$pt" && say "# kept $BASE.case-$k-$pt"
		else
			rm -rf "$CASE" "$T_LOG/after"
		fi
		say "# case $c: $([ "$(t_nfails)" -eq "$f0" ] && echo passed || echo FAILED)," \
			"$(awk -v a="$c0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')"
	done
done
say "# $ncases cases, $nfailed failed, $(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')"

# Back to this test's own prefix, for t_cleanup.
WINEPREFIX=$BASE
export WINEPREFIX
t_server_start
t_finish
