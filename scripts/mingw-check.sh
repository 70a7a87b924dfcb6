#!/bin/sh
# scripts/mingw-check.sh OBJECT...: `make mingw-check`. Builds each object (every Windows
# source and unit test compiled with x86_64-w64-mingw32-gcc -Wall -Wextra -Werror), going
# on after a failure, then counts, object by object, what really compiled: an object passes
# when make itself considers it up to date afterwards (`make -q`), i.e. it exists and is newer
# than its source and headers. Ends with "mingw: N passed, M failed"; exit 1 if M > 0.
set -u
MAKE=${MAKE:-make}
$MAKE --no-print-directory -k "$@"
passed=0
failed=0
for o in "$@"; do
	if $MAKE --no-print-directory -q "$o" 2>/dev/null; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "mingw: $o did not compile"
	fi
done
echo "mingw: $passed passed, $failed failed (sources and unit tests compiled with ${MINGW:-x86_64-w64-mingw32-gcc} -Wall -Wextra -Werror)"
[ "$failed" -eq 0 ]
