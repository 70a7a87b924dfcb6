#!/bin/sh
# `make check`: every test of the project, in one run, with one summary line at the end.
# Stages: unit (cmocka under ASan+UBSan), mingw-w64 -Werror compile of every Windows source
# and unit test, native CLI, fuzz smoke, Wine integration. Each stage prints "STAGE: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

MAKE=${MAKE:-make}
log=build/check.log
mkdir -p build
: >"$log"
total_p=0
total_f=0

stage() {
	name=$1
	shift
	echo "==> $name"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=$?
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	else
		# A stage without a count (a build) is one check.
		if grep -q '^make.*Error' "$out"; then p=0; f=1; else p=1; f=0; fi
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	echo "$name: $p passed, $f failed" >>"$log"
	rm -f "$out"
}

# tee hides the exit status; each stage reports its own counts, and a build failure
# shows up as make's "Error" line.
stage unit $MAKE --no-print-directory unit
stage mingw $MAKE --no-print-directory mingw-check
stage cli sh -c "$MAKE --no-print-directory native >/dev/null && tests/cli/run.sh"
stage fuzz $MAKE --no-print-directory fuzz-smoke
stage wine $MAKE --no-print-directory wine-check

echo
echo "Summary:"
cat "$log"
echo "check: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
