#!/bin/sh
# `make bench`: scaling figures for validate and plan (no assertions).
#   1. build/bench/bench: validate and plan in-process at 1/10, 1/2 and full size
#      (500 license servers, 5,000 session hosts), with the ratios between sizes;
#   2. the real program: `build/rdlsctl validate` on the same generated profiles,
#      timed as a whole process (wall time and peak RSS via /usr/bin/time if present).
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
"$B/bench/bench"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo
echo "build/rdlsctl validate (whole process, best of 3):"
for n in 50 250 500; do
	f="$tmp/bench-$n.ini"
	"$B/bench/bench" --profile "$f" "$n"
	best=
	rss=
	for _ in 1 2 3; do
		start=$(date +%s%N)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%M' -o "$tmp/rss" "$B/rdlsctl" validate "$f" >/dev/null 2>&1 || true
			rss=$(tail -n 1 "$tmp/rss")
		else
			"$B/rdlsctl" validate "$f" >/dev/null 2>&1 || true
		fi
		end=$(date +%s%N)
		ms=$(( (end - start) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	if [ -n "$rss" ]; then
		echo "  $n license servers, $((n * 10)) session hosts: ${best} ms, peak RSS ${rss} KiB"
	else
		echo "  $n license servers, $((n * 10)) session hosts: ${best} ms"
	fi
done
