#!/bin/sh
# tests/wine/run.sh [TEST...]: runs every tests/wine/t_*.sh (or the named ones) under Wine.
#
# Prints "ok - NAME" or "not ok - NAME: REASON" per test and ends with exactly one line
# "wine: N passed, M failed" (CI reads it); exits 1 if any test failed. One booted template
# prefix is made per run and copied by each test; every prefix of the run is removed and
# its wineserver killed at the end. Full logs: build/wine-logs/NAME.log.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PATH=/usr/lib/wine:$PATH
WINEDEBUG=${WINEDEBUG:--all}
export PATH WINEDEBUG

rundir=$root/build/wine-run.$$
logs=$root/build/wine-logs
RDLS_WINE_TEMPLATE=$rundir/template
RDLS_WINE_RUNDIR=$rundir
export RDLS_WINE_TEMPLATE RDLS_WINE_RUNDIR

cleanup() {
	for p in "$rundir"/*; do
		[ -d "$p" ] && [ -f "$p/.rdlsctl-booted" ] && WINEPREFIX=$p wineserver -k >/dev/null 2>&1
	done
	rm -rf "$rundir" "$rundir.lock"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ $# -gt 0 ]; then
	tests=$*
else
	tests=$(ls "$here"/t_*.sh 2>/dev/null)
fi

mkdir -p "$rundir" "$logs"
echo "# local accounts run against the test stand-in for netapi32 (tests/wine/fakesam): Wine's are stubs"
start=$(date +%s)
# Boot the template once, through the same function the tests use.
if ! (. "$here/lib.sh" && t_template >/dev/null); then
	echo "not ok - template: cannot boot a Wine prefix"
	echo "wine: 0 passed, 1 failed"
	exit 1
fi
echo "# template prefix booted in $(($(date +%s) - start)) s"

pass=0
fail=0
for t in $tests; do
	case $t in */*) ;; *) t=$here/$t ;; esac
	name=$(basename "$t" .sh)
	log=$logs/$name.log
	t0=$(date +%s)
	sh "$t" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $name ($secs s)"
	else
		fail=$((fail + 1))
		reason=$(grep -m 3 '^FAIL: ' "$log" | sed 's/^FAIL: //' | tr '\n' ';' | cut -c1-400)
		[ -n "$reason" ] || reason="exit $rc: $(tail -n 3 "$log" | tr '\n' ' ' | cut -c1-300)"
		echo "not ok - $name: $reason (log: build/wine-logs/$name.log)"
	fi
done
echo "# total $(($(date +%s) - start)) s"
echo "wine: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
