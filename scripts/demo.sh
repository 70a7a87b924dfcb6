#!/bin/sh
# scripts/demo.sh (make demo): the main job under Wine, in a throwaway prefix, for
# profiles/workgroup-two-servers.ini as license server LICSVR1:
#   validate, plan, apply --yes, plan (no changes), status, rollback --yes, plan (all again)
# Each command is printed, then its output and exit code. Ends with the wall time of apply
# and of the converged plan. Exits 1 if a command's exit code is not the expected one.
set -u

root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$root" || exit 1
PATH=/usr/lib/wine:$PATH
WINEDEBUG=${WINEDEBUG:--all}
export PATH WINEDEBUG
unset WINEDLLOVERRIDES

profile=profiles/workgroup-two-servers.ini
rdls=scripts/rdlsctl-wine

[ -f build/win/rdlsctl.exe.so ] || { echo "demo: build/win/rdlsctl.exe.so missing: run 'make win'" >&2; exit 1; }
[ -f build/wine-tools/netapi32.dll ] || { echo "demo: build/wine-tools/netapi32.dll missing: run 'make wine-tools'" >&2; exit 1; }

WINEPREFIX=$(mktemp -d "$root/build/demo-prefix.XXXXXX") || exit 1
export WINEPREFIX
cleanup() {
	wineserver -k >/dev/null 2>&1
	wineserver -w >/dev/null 2>&1
	rm -rf "$WINEPREFIX" "$WINEPREFIX.lock"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The demo's environment: local accounts against the stand-in, this prefix pretends to be
# LICSVR1 (rollback runs only on the host of the journal), and a demo secret, read by
# rdlsctl from the environment (env:RDLS_PEER_PASSWORD in the profile), never printed.
RDLS_FAKESAM=1
RDLS_FAKESAM_QUIET=1
RDLS_PEER_PASSWORD="demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_FAKESAM RDLS_FAKESAM_QUIET RDLS_PEER_PASSWORD
unset RDLS_WINE_COMPUTERNAME

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "rdlsctl demo: $profile as license server LICSVR1, under Wine"
echo "note: local accounts run against the test stand-in for netapi32 (tests/wine/fakesam),"
echo "      because Wine's local account functions are stubs; the registry, the credentials"
echo "      (through the NETWORK SERVICE helper service) and the journal are real."
echo "prefix: $WINEPREFIX (deleted at the end)"
t0=$(now)
if [ -f build/wine-template/system.reg ]; then
	rmdir "$WINEPREFIX" && cp -a build/wine-template "$WINEPREFIX" || exit 1
else
	{ wine64 wineboot -i && wine64 reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control" /v ServicesPipeTimeout /t REG_DWORD /d 30000 /f; } >/dev/null 2>&1 ||
		{ echo "demo: cannot boot a Wine prefix" >&2; exit 1; }
fi
# One wineserver for the whole demo; its first client starts Wine's services quietly.
# Then the computer is named LICSVR1 for as long as that wineserver lives (Wine sets the
# name from the Linux host name at each session start; see scripts/rdlsctl-wine).
wineserver -p
wine64 cmd.exe /c exit 0 </dev/null >/dev/null 2>&1
for k in ComputerName ActiveComputerName; do
	wine64 reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\$k" /v ComputerName \
		/d LICSVR1 /f </dev/null >/dev/null 2>&1 || { echo "demo: cannot name the computer LICSVR1" >&2; exit 1; }
done
# The RD Licensing role: Wine has no TermServLicensing service, so the prefix gets a stopped
# stand-in (a template prefix already has it).
wine64 reg query 'HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing' </dev/null >/dev/null 2>&1 ||
	wine64 sc create TermServLicensing binPath= 'C:\windows\system32\svchost.exe' start= demand </dev/null >/dev/null 2>&1 ||
	{ echo "demo: cannot create the stand-in TermServLicensing service" >&2; exit 1; }
echo "prefix ready in $(secs "$t0" "$(now)") s"

failed=0
last=0
# step EXPECTED-EXIT ARGS...
step() {
	want=$1
	shift
	echo
	echo "\$ rdlsctl $*"
	a=$(now)
	"$rdls" "$@" </dev/null 2>&1
	rc=$?
	b=$(now)
	last=$(secs "$a" "$b")
	if [ "$rc" = "$want" ]; then
		echo "→ exit $rc (${last} s)"
	else
		echo "→ exit $rc, expected $want (${last} s)"
		failed=$((failed + 1))
	fi
}

step 0 validate "$profile"
step 2 plan "$profile" --host LICSVR1
step 0 apply "$profile" --host LICSVR1 --yes
t_apply=$last
step 0 plan "$profile" --host LICSVR1
t_plan=$last
echo "   (Wine cannot resolve a local group with LookupAccountNameW, so status reports that"
echo "    one check as failed and exits 2 here; on Windows it exits 0.)"
step 2 status "$profile" --host LICSVR1
step 0 rollback --yes
step 2 plan "$profile" --host LICSVR1

echo
echo "wall time under Wine: apply ${t_apply} s, converged plan ${t_plan} s"
if [ "$failed" -gt 0 ]; then
	echo "demo: $failed command(s) did not exit as expected"
	exit 1
fi
echo "demo: every command exited as expected"
