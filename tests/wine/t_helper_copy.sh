#!/bin/sh
# The NETWORK SERVICE helper runs from a private copy of rdlsctl, never from where rdlsctl
# was started (issue 9, part 1), for profiles/workgroup-two-servers.ini as license server
# LICSVR1 (plan reads the peer credential through the helper):
#   1. while the helper is registered, its ImagePath is the quoted copy
#      C:\ProgramData\rdlsctl\helper\<pid>-<creation time>-<random>\rdlsctl.exe.so, the copy
#      exists, and the service has a display name and description that say what it is;
#      after the run the copy and its folder are gone and nothing is registered;
#   2. a run killed while its helper runs leaves its copy behind (its service goes: it was
#      marked for deletion); the next run that starts a helper deletes that copy, and leaves
#      alone a folder not named like a copy and a copy whose owner still runs;
#   3. a helper folder that "others" may write (Wine derives an Everyone ACE with write
#      access from the Unix mode) is refused by the core's rdls_trust_folder: no helper
#      starts from it, and the error names the ACE and the fix.
# To look at the helper while it is registered, the run is held there by the test build's
# switch RDLS_HELPER_HOLD (build/win-crash, -DRDLS_CRASHPOINTS; the release build lacks it,
# checked below).
#
# What Wine cannot show: Wine does not separate accounts and enforces no DACL on files, so
# a helper started from a folder NETWORK SERVICE cannot read (Downloads, Desktop, a mapped
# drive, a UNC share) starts anyway under Wine, and the copy's folder DACL
# (O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICI;GRGX;;;NS)) is neither stored nor enforced
# here. Wine names the Wine user the owner of every folder (every process is that account,
# so it counts as trusted here): a folder another account owns is refused only on Windows,
# and through the fake in tests/unit/test_trust.c (test_trust_helper_folder_*); on Windows,
# `icacls C:\ProgramData\rdlsctl\helper /setowner USER` and then plan shows it. The Windows job of .github/workflows/windows.yml runs rdlsctl from a Downloads folder
# on a real Windows Server, which is what shows that the helper starts from the copy there.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
. "$(dirname "$0")/lib.sh"

CRASH_EXE=$T_ROOT/build/win-crash/rdlsctl.exe.so
[ -f "$CRASH_EXE" ] || t_die "build/win-crash/rdlsctl.exe.so missing: run 'make wine-tools'"
LC_ALL=C grep -qa RDLS_HELPER_HOLD "$CRASH_EXE" || t_die "build/win-crash lacks RDLS_HELPER_HOLD"
if LC_ALL=C grep -qa RDLS_HELPER_HOLD "$T_ROOT/build/win/rdlsctl.exe.so"; then
	t_fail "the release build/win/rdlsctl.exe.so contains the test switch RDLS_HELPER_HOLD"
fi
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="copy-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
HDIR=$WINEPREFIX/drive_c/ProgramData/rdlsctl/helper
HOLD=$WINEPREFIX/drive_c/rdls-hold
SVCS='HKLM\SYSTEM\CurrentControlSet\Services'

# The registered helper services, one name a line.
helpers() {
	t_reg_keys "$SVCS" | grep -i '^rdlsctl-helper-[0-9a-f]*$'
}

# The copies' folders under C:\ProgramData\rdlsctl\helper, one a line.
copies() { [ -d "$HDIR" ] && ls -1 "$HDIR"; }

# hold NAME: starts plan with the test build held once its helper is connected, and waits
# until it says so (at most 60 s).
hold() {
	: >"$HOLD"
	RDLSCTL_EXE=$CRASH_EXE RDLS_HELPER_HOLD="connected:C:\\rdls-hold" \
		t_rdls_bg "$1" plan "$P" --host LICSVR1
	_i=0
	while ! grep -q "holding at helper point 'connected'" "$T_LOG/bg.$1.err" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt 600 ]; then
			t_fail "[$1] did not reach its helper: $(head -c 300 "$T_LOG/bg.$1.err" | tr '\n' ' ')"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# --- 1. the ImagePath while registered, nothing after the run ---------------------------
if hold A; then
	svc=$(helpers)
	[ "$(printf '%s\n' "$svc" | grep -c .)" -eq 1 ] || t_fail "while A holds: helpers '$svc', expected one"
	img=$(t_reg_get "$SVCS\\$svc" ImagePath | sed 's/^[A-Z_]* //')
	say "# ImagePath of $svc: $img"
	case $img in
	'"C:\ProgramData\rdlsctl\helper\'*'\rdlsctl.exe.so" --rdlsctl-credential-helper \\.\pipe\rdlsctl-'*) ;;
	*) t_fail "ImagePath is not the quoted private copy: '$img'" ;;
	esac
	# The folder is <pid>-<creation time>-<random>, and the file is there.
	dir=$(printf '%s' "$img" | sed -n 's/^"C:\\ProgramData\\rdlsctl\\helper\\\([^\\]*\)\\rdlsctl.exe.so".*/\1/p')
	printf '%s' "$dir" | grep -Eq '^[1-9][0-9]*-[0-9a-f]{16}-[0-9a-f]{16}$' ||
		t_fail "the copy's folder name '$dir' is not <pid>-<creation time>-<random>"
	cmp -s "$HDIR/$dir/rdlsctl.exe.so" "$CRASH_EXE" ||
		t_fail "the copy $HDIR/$dir/rdlsctl.exe.so is missing or not the program"
	# The owner on the command line is the folder's.
	case $img in
	*" $(printf '%s' "$dir" | cut -d- -f1) $(printf '%s' "$dir" | cut -d- -f2)") ;;
	*) t_fail "the command line's owner is not the folder's ($dir): '$img'" ;;
	esac
	t_reg_get "$SVCS\\$svc" DisplayName | grep -q "REG_SZ rdlsctl credential helper " ||
		t_fail "display name: '$(t_reg_get "$SVCS\\$svc" DisplayName)'"
	t_reg_get "$SVCS\\$svc" Description | grep -q "Short-lived helper of rdlsctl" ||
		t_fail "description: '$(t_reg_get "$SVCS\\$svc" Description)'"
	rm -f "$HOLD"
	t_rdls_wait A
	t_expect_rc 2 "plan A, released"
	[ -z "$(copies)" ] || t_fail "after plan A: copies left: $(copies | tr '\n' ' ')"
	t_check_no_helper
fi

# --- 2. a run killed midway, then another run ----------------------------------------------
mkdir -p "$HDIR/keep-me" "$HDIR/1-0000000000000001-00000000deadbeef"
: >"$HDIR/1-0000000000000001-00000000deadbeef/rdlsctl.exe.so" # pid 1, long gone
if hold K; then
	dirk=$(copies | grep -v -e '^keep-me$' -e '^1-0000000000000001-' | head -n 1)
	eval "kill -KILL \$T_BG_K"
	t_rdls_wait K
	say "# [K] killed while its helper ran; its copy: $dirk"
	# Its helper ends with the broken pipe and the SCM removes it (marked for deletion).
	_i=0
	while [ -n "$(helpers)" ] && [ "$_i" -lt 100 ]; do
		_i=$((_i + 1))
		sleep 0.2
	done
	[ -n "$dirk" ] && [ -d "$HDIR/$dirk" ] ||
		t_fail "the killed run left no copy behind (nothing to sweep: '$dirk')"
	# A copy whose owner still runs: a third run, held at its helper.
	if hold L; then
		dirl=$(copies | grep -v -e '^keep-me$' -e '^1-0000000000000001-' -e "^$dirk\$" | head -n 1)
		t_rdls plan "$P" --host LICSVR1
		t_expect_rc 2 "plan after the killed run"
		[ ! -e "$HDIR/$dirk" ] || t_fail "the killed run's copy $dirk was not swept"
		[ ! -e "$HDIR/1-0000000000000001-00000000deadbeef" ] ||
			t_fail "the planted copy of a gone owner was not swept"
		[ -d "$HDIR/keep-me" ] || t_fail "the sweep removed a folder not named like a copy"
		[ -n "$dirl" ] && [ -f "$HDIR/$dirl/rdlsctl.exe.so" ] ||
			t_fail "the sweep removed the copy '$dirl' of a run that still runs"
		rm -f "$HOLD"
		t_rdls_wait L
		t_expect_rc 2 "plan L, whose copy the other run had to leave alone"
	fi
	rmdir "$HDIR/keep-me"
	[ -z "$(copies)" ] || t_fail "at the end: copies left: $(copies | tr '\n' ' ')"
fi

# 3. A helper folder Everyone may write: refused before anything runs from it.
mkdir -p "$HDIR"
chmod o+w "$HDIR"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 1 "plan with a helper folder Everyone may write"
t_expect_err "helper': cannot be trusted: its DACL lets" "plan with a helper folder Everyone may write"
t_expect_err "takeown /a" "plan with a helper folder Everyone may write"
[ -z "$(copies)" ] || t_fail "a copy was made in a folder Everyone may write: $(copies | tr '\n' ' ')"
t_check_no_helper
chmod o-w "$HDIR"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan once the helper folder is the administrators' again"

t_finish
