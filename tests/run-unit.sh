#!/bin/sh
# Runs every cmocka binary given, shows their output, and ends with one line
# "unit: N passed, M failed" counting test cases. The binaries report in cmocka's TAP
# format (CMOCKA_MESSAGE_OUTPUT=TAP): "1..N" then one "ok K - NAME" or "not ok K - NAME"
# per case. A binary fails as a whole (at least one failure) when it exits non-zero, when
# it prints no plan, or when fewer cases reported than its plan announced (a crash or a
# sanitizer report part-way); the missing cases count as failed. Exit 1 if anything failed.
set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
CMOCKA_MESSAGE_OUTPUT=TAP
export CMOCKA_MESSAGE_OUTPUT
passed=0
failed=0
for bin in "$@"; do
	log=$(mktemp)
	"$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	# tr: a Windows build (MSYS2) ends its lines with CR LF
	counts=$(tr -d '\r' <"$log" | awk '
		/^1\.\.[0-9]+$/ { plan += substr($0, 4) + 0; plans++ }
		/^ok [0-9]+/     { ok++ }
		/^not ok [0-9]+/ { bad++ }
		END { printf "%d %d %d %d\n", plans, plan, ok, bad }')
	read -r plans plan p f <<EOF
$counts
EOF
	missing=$((plan - p - f))
	[ "$missing" -gt 0 ] || missing=0
	if [ "$plans" -eq 0 ]; then
		echo "unit: $bin printed no TAP plan (exit status $rc)"
		f=$((f + 1))
	elif [ "$missing" -gt 0 ]; then
		echo "unit: $bin reported $((p + f)) of $plan case(s) (exit status $rc): $missing missing counted as failed"
		f=$((f + missing))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $bin exited with status $rc although every case passed (sanitizer report at exit?)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
