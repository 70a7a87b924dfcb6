#!/bin/sh
# A unique secret through each password source (issue 4, item 4), for
# profiles/workgroup-two-servers.ini as license server LICSVR1:
#   env:RDLS_PEER_PASSWORD   the profile as it is;
#   file:PATH                a copy of the profile with password = file:PATH (non-ASCII secret);
#   prompt                   a copy with password = prompt, typed on a pseudo-terminal.
# Each apply runs on a terminal. Those of env: and file: run without --yes, so that they stop
# at their question while their NETWORK SERVICE helper is registered: its service key is
# exported there, and its ImagePath must have the form
# `"EXE" --rdlsctl-credential-helper \\.\pipe\rdlsctl-HEX PID`.
# After each apply, plan with that secret from env: must find the host converged (the
# credential's check matches: the secret arrived intact) and with another secret must not;
# then rollback. Finally every secret is looked for, as ASCII/UTF-8, UTF-16LE and the hex
# form of .reg files, in stdout, stderr and the terminal of every run, the journals, the
# helper's service keys, the prefix's hives (system.reg included) and the stand-in's
# database, and then in the whole prefix.
#
# The prompt: Wine's console on a pseudo-terminal honours ReadConsoleW without
# ENABLE_ECHO_INPUT. A control shows that it echoes when echo is on (cmd.exe's set /p), so
# the absence of the typed secret from the terminal means something.
#
# Known gap of the Wine build (not of Windows): after the password prompt, the answer to the
# confirmation question does not reliably arrive. The prompt reads through Wine's console
# (ReadConsoleW), whose host goes on reading the terminal; the question reads standard input
# with glibc's fgets, which under winegcc reads the same terminal directly: measured, the
# first "y" went to the console host and was lost, a second one arrived. (A mingw/MSVC build
# reads both through the console.) So the prompt's apply runs with --yes, and its helper is
# not caught while registered (the hives are scanned afterwards).
#
# A password file others can read gets a warning: under Wine the file's DACL is made from
# its Unix mode (the "others" bits give an Everyone ACE; the group bits give none, so mode
# 0640 is not reported: a known gap of Wine, logged), for a Unix and a C:\ path.
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs).
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
rnd() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
S_ENV="Se-$(rnd)-pW!"
S_FILE="Sf-$(rnd)-pä€"
S_PROMPT="Sp-$(rnd)-pW!"
unset RDLS_PEER_PASSWORD

PWFILE=$T_LOG/peer-password.txt
printf '%s\n' "$S_FILE" >"$PWFILE"
chmod 600 "$PWFILE"
sed "s|^password *=.*|password = file:$PWFILE|" "$P" >"$T_LOG/file.ini"
sed 's|^password *=.*|password = prompt|' "$P" >"$T_LOG/prompt.ini"
grep -q "^password = file:$PWFILE\$" "$T_LOG/file.ini" && grep -q '^password = prompt$' "$T_LOG/prompt.ini" ||
	t_die "cannot make the profile copies"

# The helper runs from its private copy under %ProgramData%\rdlsctl\helper\<pid>-<created>-<random>\,
# with the parent's PID and creation time (which the sweep of stale helpers checks).
HELPER_FORMAT='^"[A-Za-z]:\\ProgramData\\rdlsctl\\helper\\[0-9]+-[0-9a-f]+-[0-9a-f]+\\[^"\\]*\.exe(\.so)?" --rdlsctl-credential-helper \\\\\.\\pipe\\rdlsctl-[0-9a-f]+ [0-9]+ [0-9a-f]+$'

# --- the control: Wine's console echoes typed input when echo is on ------------------------
CANARY="echo-canary-$(rnd)"
t_tty_start echo wine64 cmd.exe /c 'set /p X=Type here: '
if t_tty_wait echo "Type here:"; then
	t_tty_type echo "$CANARY"
	t_tty_end echo
	LC_ALL=C grep -qaF -- "$CANARY" "$T_LOG/tty.echo.out" ||
		t_fail "control: cmd.exe's set /p did not echo on the terminal, so the no-echo check proves nothing"
else
	t_tty_abort echo
fi
rm -f "$T_LOG/tty.echo.out"

# apply_on_tty SOURCE PROFILE SECRET
apply_on_tty() {
	_src=$1
	if [ "$_src" = prompt ]; then
		# --yes: see "Known gap of the Wine build" above.
		t_rdls_tty prompt apply "$2" --host LICSVR1 --yes
		# (Wine's console turns the prompt's trailing space into a cursor movement)
		t_tty_wait prompt "Password of the peer account 'rdls-peer':" || { t_tty_abort prompt; return; }
		t_tty_raw prompt || :
		t_tty_type prompt "$3"
		t_tty_end prompt
		t_expect_rc 0 "prompt: apply"
		t_expect_out "Applied" "prompt: apply"
		return
	fi
	t_rdls_tty "$_src" apply "$2" --host LICSVR1
	t_tty_wait "$_src" "[y/N]" || { t_tty_abort "$_src"; return; }
	# Planning read NETWORK SERVICE's credentials: this run's helper is registered now.
	_svc=$(t_reg_keys 'HKLM\SYSTEM\CurrentControlSet\Services' | grep -i '^rdlsctl-helper-' | head -1)
	[ -z "$_svc" ] || _svc="HKLM\\SYSTEM\\CurrentControlSet\\Services\\$_svc"
	if [ -z "$_svc" ]; then
		t_fail "$_src: no rdlsctl-helper service registered while apply asks its question"
	else
		t_reg_export "$_svc" "$T_LOG/helper.$_src.reg"
		_img=$(t_reg_get "$_svc" ImagePath | sed 's/^REG_[A-Z_]* //')
		say "# $_src: helper $_svc, ImagePath $_img"
		printf '%s\n' "$_img" | grep -qE -- "$HELPER_FORMAT" ||
			t_fail "$_src: the helper's ImagePath '$_img' is not of the form \"PRIVATE-COPY\" --rdlsctl-credential-helper PIPE PID CREATED"
	fi
	t_tty_type "$_src" y
	t_tty_end "$_src"
	t_expect_rc 0 "$_src: apply"
	t_expect_out "Applied" "$_src: apply"
}

# check_arrived SOURCE SECRET: the credential was written with exactly SECRET.
check_arrived() {
	RDLS_PEER_PASSWORD=$2
	export RDLS_PEER_PASSWORD
	t_rdls plan "$P" --host LICSVR1
	t_expect_rc 0 "$1: plan with the same secret (the credential's check must match it)"
	RDLS_PEER_PASSWORD="$2-other"
	t_rdls plan "$P" --host LICSVR1
	t_expect_rc 2 "$1: plan with another secret"
	t_expect_out "credential 'LICSVR2'" "$1: plan with another secret"
	unset RDLS_PEER_PASSWORD
	t_rdls rollback --yes
	t_expect_rc 0 "$1: rollback"
}

# --- env: ----------------------------------------------------------------------------------
RDLS_PEER_PASSWORD=$S_ENV
export RDLS_PEER_PASSWORD
apply_on_tty env "$P" "$S_ENV"
unset RDLS_PEER_PASSWORD
check_arrived env "$S_ENV"

# --- file: ---------------------------------------------------------------------------------
t_rdls plan "$T_LOG/file.ini" --host LICSVR1
t_expect_rc 2 "file: plan, mode 0600"
! grep -qi "can be read by other users" "$T_ERR" || t_fail "file: a warning for a file of mode 0600"
apply_on_tty file "$T_LOG/file.ini" "$S_FILE"
! grep -qai "can be read by other users" "$T_OUT" || t_fail "file: a warning for a file of mode 0600"
check_arrived file "$S_FILE"

# Readable by others: a warning that names the file and who may read it.
chmod 644 "$PWFILE"
t_rdls plan "$T_LOG/file.ini" --host LICSVR1
t_expect_rc 2 "file: plan, mode 0644"
t_expect_err "warning: password file '$PWFILE' can be read by other users (Everyone may read it)" "file: mode 0644"
chmod 640 "$PWFILE"
t_rdls plan "$T_LOG/file.ini" --host LICSVR1
if grep -qi "can be read by other users" "$T_ERR"; then
	say "# note: Wine now reports a group-readable file (mode 0640)"
else
	say "# known gap (Wine): a group-readable file (mode 0640) has no ACE for the group under Wine: no warning"
fi
chmod 600 "$PWFILE"
# The same with a Windows path, in the prefix (removed before the prefix is scanned).
WPW=$WINEPREFIX/drive_c/rdls-peer-password.txt
printf '%s\n' "$S_FILE" >"$WPW"
chmod 644 "$WPW"
sed 's|^password *=.*|password = file:C:\\rdls-peer-password.txt|' "$P" >"$T_LOG/file-c.ini"
t_rdls plan "$T_LOG/file-c.ini" --host LICSVR1
t_expect_rc 2 "file: plan, C:\\ path, mode 0644"
t_expect_err "warning: password file 'C:\\rdls-peer-password.txt' can be read by other users (Everyone may read it)" \
	"file: C:\\ path, mode 0644"
chmod 600 "$WPW"
t_rdls plan "$T_LOG/file-c.ini" --host LICSVR1
t_expect_rc 2 "file: plan, C:\\ path, mode 0600"
! grep -qi "can be read by other users" "$T_ERR" || t_fail "file: a warning for C:\\ file of mode 0600"
rm -f "$WPW"
! grep -qai "cannot tell who can read" "$T_LOG"/*.err "$T_LOG"/tty.*.out ||
	t_fail "file: the check of who can read the password file failed: $(grep -ahi "cannot tell who" "$T_LOG"/*.err "$T_LOG"/tty.*.out | head -1)"

# --- prompt --------------------------------------------------------------------------------
apply_on_tty prompt "$T_LOG/prompt.ini" "$S_PROMPT"
t_expect_out "Password of the peer account 'rdls-peer':" "prompt: the prompt is shown"
LC_ALL=C grep -qaF -- "$S_PROMPT" "$T_LOG/tty.prompt.out" &&
	t_fail "prompt: the typed secret was echoed on the terminal"
check_arrived prompt "$S_PROMPT"

# --- where the secrets must not be ---------------------------------------------------------
jdir=$WINEPREFIX/drive_c/ProgramData/rdlsctl
njournal=$(find "$jdir" -type f -name '*.ini' 2>/dev/null | wc -l)
[ "$njournal" -eq 3 ] || t_fail "expected 3 journals (one per apply), found $njournal under $jdir"
t_flush
for s in "$S_ENV" "$S_FILE" "$S_PROMPT"; do
	say "# scanning for the ${s%%-*} secret"
	# stdout, stderr and the terminal of every run; the helper's service keys
	t_scan_secret "$s" "$T_LOG"/*.out "$T_LOG"/*.err "$T_LOG"/helper.*.reg
	t_scan_secret_tree "$s" "$jdir"
	t_scan_secret "$s" "$WINEPREFIX"/*.reg "$(t_sam_file)"
	t_scan_secret_reg_hex "$s"
	for pat in "$(printf '%s' "$s" | t_hexpat)" "$(printf '%s' "$s" | iconv -f UTF-8 -t UTF-16LE | t_hexpat)"; do
		hits=$(LC_ALL=C grep -rlaP -- "$pat" "$WINEPREFIX/" 2>/dev/null | head -5)
		[ -z "$hits" ] || t_fail "secret ${s%%-*} found in the prefix: $(echo $hits)"
	done
done
[ "$(ls "$T_LOG"/helper.*.reg 2>/dev/null | wc -l)" -eq 2 ] ||
	t_fail "expected the helper's service keys of the env: and file: applies"

# The scanners must find planted canaries (a scanner that finds nothing proves nothing).
n=$T_FAILS
printf 'x%sy' "$S_FILE" >"$T_LOG/canary.txt"
printf '%s' "$S_FILE" | iconv -f UTF-8 -t UTF-16LE >"$T_LOG/canary16.bin"
t_scan_secret "$S_FILE" "$T_LOG/canary.txt" "$T_LOG/canary16.bin" >/dev/null
# as regedit writes binary data: "x"=hex:53,00,66,00,...,\<newline>  2d,00,...
printf '%s' "$S_FILE" | iconv -f UTF-8 -t UTF-16LE | od -An -v -tx1 | tr -s ' ' '\n' | grep . |
	awk 'BEGIN { printf "\"x\"=hex:" }
	     { if (NR > 1) printf ","; if (NR > 1 && (NR - 1) % 8 == 0) printf "\\\n  "; printf "%s", $1 }
	     END { print "" }' >"$WINEPREFIX/canary.reg"
t_scan_secret_reg_hex "$S_FILE" >/dev/null
rm -f "$WINEPREFIX/canary.reg" "$T_LOG/canary.txt" "$T_LOG/canary16.bin"
[ $((T_FAILS - n)) -eq 3 ] || { T_FAILS=$n; t_fail "the scanners missed planted canaries"; }
T_FAILS=$n

t_finish
