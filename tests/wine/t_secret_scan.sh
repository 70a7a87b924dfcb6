#!/bin/sh
# A unique secret passed through env: never appears in stdout, stderr, the journal
# (%ProgramData%\rdlsctl in the prefix) or the prefix's registry hives, as ASCII/UTF-8 or
# UTF-16LE; then, for good measure, nowhere in the whole prefix.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs); the
# stand-in records only that a password was set, and its file is scanned too.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
SECRET="Sx-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')-pW"
RDLS_PEER_PASSWORD=$SECRET
export RDLS_PEER_PASSWORD

t_rdls validate "$P"
t_expect_rc 0 "validate"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan"
t_rdls apply "$P" --host LICSVR1 --yes --verbose
t_expect_rc 0 "apply"
t_rdls plan "$P" --host LICSVR1 --verbose
t_expect_rc 0 "plan after apply"
t_rdls apply "$P" --host LICSVR1 --yes --rotate
t_expect_rc 0 "apply --rotate"
t_rdls status "$P" --host LICSVR1 --json
t_rdls status "$P" --host LICSVR1
t_rdls apply "$P" --host LICSVR1 --dry-run --json
# The newest journal is the --rotate run's: it set the peer user's password, which no rollback
# can give back (Windows never reveals a password), so rollback reports it and exits 4.
t_rdls rollback --yes --verbose
t_expect_rc 4 "rollback of the --rotate run"
t_expect_out "password of user 'rdls-peer'" "rollback of the --rotate run"

# The registry reaches the .reg hives only when the wineserver exits.
t_flush

# stdout and stderr of every run
t_scan_secret "$SECRET" "$T_LOG"/*.out "$T_LOG"/*.err
# the journal: the whole of C:\ProgramData\rdlsctl (journal files, index)
jdir=$WINEPREFIX/drive_c/ProgramData/rdlsctl
[ -d "$jdir" ] || t_fail "no journal directory $jdir"
njournal=$(find "$jdir" -type f | wc -l)
[ "$njournal" -gt 0 ] || t_fail "no journal file under $jdir"
t_scan_secret_tree "$SECRET" "$jdir"
# the hives, and the stand-in's database
t_scan_secret "$SECRET" "$WINEPREFIX"/*.reg "$(t_sam_file)"
# everything else in the prefix (binary files included)
for pat in "$(printf '%s' "$SECRET" | t_hexpat)" "$(printf '%s' "$SECRET" | iconv -f UTF-8 -t UTF-16LE | t_hexpat)"; do
	hits=$(LC_ALL=C grep -rlaP -- "$pat" "$WINEPREFIX/" 2>/dev/null | head -5)
	[ -z "$hits" ] || t_fail "secret found in the prefix: $(echo $hits)"
done

# The scan itself must be able to find the secret (a scanner that finds nothing proves nothing).
printf 'x%sy' "$SECRET" >"$T_LOG/canary.txt"
printf '%s' "$SECRET" | iconv -f UTF-8 -t UTF-16LE >"$T_LOG/canary16.bin"
n=$T_FAILS
t_scan_secret "$SECRET" "$T_LOG/canary.txt" "$T_LOG/canary16.bin" >/dev/null
[ $((T_FAILS - n)) -eq 2 ] || { T_FAILS=$n; t_fail "the scanner missed the planted canaries"; }
T_FAILS=$n

t_finish
