#!/bin/sh
# `make check`: every test of the project, in one run, with one summary line at the end.
# Stages: unit (cmocka under ASan+UBSan), mingw-w64 -Werror compile of every Windows source
# and unit test, native CLI, fuzz smoke, Wine integration, the demo (the README's main job).
# Each stage prints "STAGE: N passed, M failed" and exits 0 only when nothing failed.
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1

MAKE=${MAKE:-make}
log=build/check.log
mkdir -p build
: >"$log"
total_p=0
total_f=0

# stage NAME COMMAND...: runs COMMAND, showing its output. The stage passed only when the
# command exited 0 AND printed its count line "NAME: N passed, M failed" with M = 0. A
# command that exits non-zero, prints no count line, or counts failures is a failed stage:
# its failures count (at least one), and so do its passes.
# RDLS_CHECK_ONLY="cli unit": run only the named stages (a maintainer's shortcut; the
# summary then counts only those).
stage() {
	name=$1
	shift
	case " ${RDLS_CHECK_ONLY:-$name} " in *" $name "*) ;; *) return 0 ;; esac
	echo "==> $name"
	out=$(mktemp)
	rcf=$(mktemp)
	{ "$@" 2>&1; echo $? >"$rcf"; } | tee "$out"
	rc=$(cat "$rcf")
	line=$(tr -d '\r' <"$out" | grep -E "^$name: [0-9]+ passed, [0-9]+ failed" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/^[^:]*: [0-9]+ passed, ([0-9]+) failed.*/\1/')
		why=
	else
		p=0
		f=0
		why=" (no count line)"
	fi
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		[ "$f" -gt 0 ] || f=1
		why="$why (exit status $rc)"
	elif [ "$f" -gt 0 ]; then
		why=" (exit status 0 with failures counted)"
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	if [ "$f" -gt 0 ]; then
		echo "$name: $p passed, $f failed$why" >>"$log"
	else
		echo "$name: $p passed, $f failed" >>"$log"
	fi
	rm -f "$out" "$rcf"
}

stage unit $MAKE --no-print-directory unit
stage mingw $MAKE --no-print-directory mingw-check
stage yaml $MAKE --no-print-directory yaml-lint
stage ansible $MAKE --no-print-directory ansible-lint
stage cli sh -c "$MAKE --no-print-directory native >/dev/null && tests/cli/run.sh"
stage fuzz $MAKE --no-print-directory fuzz-smoke
stage wine $MAKE --no-print-directory wine-check
# The README's main job, in a prefix of its own (scripts/demo.sh makes and deletes it).
stage demo $MAKE --no-print-directory demo

echo
echo "Summary:"
cat "$log"
echo "check: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
