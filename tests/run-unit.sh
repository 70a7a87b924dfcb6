#!/bin/sh
# Runs every cmocka binary given, shows their output, and ends with one line
# "unit: N passed, M failed" counting test cases. Exit 1 if any case failed or a
# binary crashed (a crash counts as one failure).
set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0
failed=0
for bin in "$@"; do
	log=$(mktemp)
	"$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	# tr: a Windows build (MSYS2) ends its lines with CR LF
	p=$(tr -d '\r' <"$log" | sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\./\1/p' | tail -n 1)
	f=$(tr -d '\r' <"$log" | sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed below:/\1/p' | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $bin exited with status $rc (crash or sanitizer report)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
