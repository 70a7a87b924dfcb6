#!/bin/sh
# Runs each libFuzzer harness for SECONDS and says how many inputs it executed.
#
#   tests/fuzz/run.sh SECONDS build/fuzz/fuzz_profile build/fuzz/fuzz_journal
#
# Corpus of harness NAME (libFuzzer reads all three, writes new inputs to the first):
#   tests/fuzz/corpus-work/NAME/  the working corpus (not in git; grows across runs),
#                                 refreshed here from the tree: profiles/*.ini and any
#                                 *.ini under tests/ for fuzz_profile, journals written
#                                 by the real writer (RDLS_FUZZ_WRITE_SEEDS) for fuzz_journal
#                                 and fuzz_planfile (saved plans);
#   tests/fuzz/corpus/NAME/       hand-written malformed seeds and crash regressions (in git).
# A crash, leak, sanitizer report or timeout leaves its input in build/fuzz/artifacts/NAME/
# and makes this script exit 1. Add such an input to tests/fuzz/corpus/NAME/ once fixed:
# every later run, smoke runs included, replays it first.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS HARNESS..." >&2
	exit 2
fi
secs=$1
shift
case $secs in
'' | *[!0-9]*)
	echo "$0: SECONDS must be a whole number, not '$secs'" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
total=0
npass=0
nfail=0

for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "fuzz: $name: no executable '$bin'" >&2
		status=1
		nfail=$((nfail + 1))
		continue
	fi
	work=$root/tests/fuzz/corpus-work/$name
	seeds=$root/tests/fuzz/corpus/$name
	art=$root/build/fuzz/artifacts/$name
	mkdir -p "$work" "$seeds" "$art"

	# Seeds from the tree, copied (not duplicated in git) so that they follow its changes.
	case $name in
	fuzz_profile)
		for f in "$root"/profiles/*.ini; do
			[ -f "$f" ] && cp "$f" "$work/profile-$(basename "$f")"
		done
		find "$root/tests" -name '*.ini' -type f ! -path "$root/tests/fuzz/*" 2>/dev/null |
			while IFS= read -r f; do
				rel=${f#"$root"/tests/}
				cp "$f" "$work/tests-$(printf '%s' "$rel" | tr '/' '_')"
			done
		;;
	fuzz_journal | fuzz_planfile)
		if ! RDLS_FUZZ_WRITE_SEEDS=$work "$bin" >"$art/seeds.log" 2>&1; then
			echo "fuzz: $name: writing seeds failed:" >&2
			cat "$art/seeds.log" >&2
			status=1
			nfail=$((nfail + 1))
			continue
		fi
		;;
	esac

	dict=
	[ -f "$root/tests/fuzz/$name.dict" ] && dict="-dict=$root/tests/fuzz/$name.dict"
	log=$art/run.log
	: >"$art/.start" # artifacts newer than this are this run's
	# -timeout: an input that takes 10 s is a bug (a plan must stay quick);
	# -max_len: profiles and journals of real deployments are a few KiB.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$art/" $dict "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	units=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz: $name: ${execs:-?} executions in ${secs} s, coverage ${cov:-?} edges, corpus $units inputs: no finding"
		total=$((total + ${execs:-0}))
		npass=$((npass + 1))
	else
		status=1
		nfail=$((nfail + 1))
		echo "fuzz: $name: FAILED (exit $rc) after ${execs:-?} executions; last lines of $log:" >&2
		tail -n 40 "$log" >&2
		find "$art" -maxdepth 1 -type f -newer "$art/.start" \( -name 'crash-*' -o -name 'leak-*' \
			-o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) |
			while IFS= read -r a; do
				echo "fuzz: $name: reproduce with: $bin $a" >&2
			done
	fi
done

echo "fuzz: $total executions in total"
echo "fuzz: $npass passed, $nfail failed"
exit "$status"
