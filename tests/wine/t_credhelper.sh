#!/bin/sh
# The NETWORK SERVICE credential helper (src/win32/helper_*.c, cred.c) under Wine, driven
# by tests/wine/helpertest.c and checked from separate processes (credprobe, regprobe):
# put/get/del through one helper per run, the stored credential's type, persistence,
# user and check string, no helper service left behind on any path (normal end, crash
# of rdlsctl, helper killed, helper that cannot start, stale helpers swept by the next
# run, a concurrent run left alone), the input limits, and the secret nowhere in the
# output or the hives.
#
# What Wine does not give (measured, Wine 8.0): the helper runs as the Wine user, not
# NETWORK SERVICE, and Wine does not check a named pipe's DACL at all, so the pipe's
# access control is not exercised here; the "dacl" probe below records both facts.
. "$(dirname "$0")/lib.sh"
t_setup

HT=$T_TOOLS/helpertest.exe.so
[ -f "$HT" ] || t_die "build/wine-tools/helpertest.exe.so missing: run 'make wine-tools'"
SECRET='Zq7-Pa55!w0rd-5ecret'
CHECK='rdls1$pbkdf2-sha256$100000$00112233445566778899aabbccddeeff$0011223344556677889900112233445566778899001122334455667788990011'
MODE=$WINEPREFIX/drive_c/rdlsctl-helpertest-mode.txt
IDENT=$WINEPREFIX/drive_c/rdlsctl-helpertest-identity.txt

# ht ARGS...: runs the driver with the secret in its environment (only this process's);
# sets T_RC, T_OUT, T_ERR like t_rdls, keeping the output for the secret scan.
ht() {
	T_NCMD=$((T_NCMD + 1))
	T_OUT=$T_LOG/$T_NCMD.out
	T_ERR=$T_LOG/$T_NCMD.err
	RDLS_TEST_PASSWORD=${HT_PASSWORD:-$SECRET} wine64 "$HT" "$@" </dev/null >"$T_OUT" 2>"$T_ERR"
	T_RC=$?
	tr -d '\r' <"$T_OUT" >"$T_OUT.t" && mv "$T_OUT.t" "$T_OUT"
	say "\$ helpertest $*    # exit $T_RC"
	sed 's/^/  | /' "$T_OUT"
	sed 's/^/  ! /' "$T_ERR"
}

# Waits up to 10 s for every rdlsctl-helper-* service to be gone (a helper whose rdlsctl
# died stops when it notices the broken pipe), then checks.
no_helper_after() {
	_i=0
	while [ $_i -lt 50 ] && t_reg_keys 'HKLM\SYSTEM\CurrentControlSet\Services' |
		grep -qi '^rdlsctl-helper-'; do
		sleep 0.2
		_i=$((_i + 1))
	done
	t_check_no_helper || t_fail "after $1: a helper service is still registered"
}

# --- facts about this Wine, for the log ---------------------------------------------------
ht dacl
say "# measured: the helper's pipe DACL is not enforced by this Wine (see 'ALLOWED' above)"

# --- put, then read back from this driver and from a separate process ----------------------
ht put LICSVR2 'LICSVR2\rdls-peer' "$CHECK"
t_expect_rc 0 "put"
t_expect_out "put LICSVR2: ok"
no_helper_after "put"

ht get LICSVR2
t_expect_rc 0 "get"
t_expect_out 'get LICSVR2: present type=2 persist=3 user=LICSVR2\rdls-peer'
t_expect_out "check=$CHECK" "get returns the check string"

P=$(t_credprobe get LICSVR2)
say "$P"
case $P in
*'target=LICSVR2 type=2 persist=3 user=LICSVR2\rdls-peer'*) ;;
*) t_fail "credprobe: LICSVR2 is not a domain password credential of LICSVR2\\rdls-peer, persist enterprise: $P" ;;
esac
case $P in
*check_comment=yes*) ;;
*) t_fail "credprobe: no rdlsctl check string on LICSVR2: $P" ;;
esac
say "# Wine keeps no credential attributes: the check string is read from its Comment copy"
t_credprobe list LICSVR* | grep -qF 'target=LICSVR2 type=2 persist=3 user=LICSVR2\rdls-peer' ||
	t_fail "CredEnumerateW from a separate process does not list LICSVR2"

# --- several operations, one helper -------------------------------------------------------
ht cycle LICSVR3 'LICSVR3\rdls-peer' "$CHECK"
t_expect_rc 0 "cycle"
t_expect_out "get LICSVR3: present type=2 persist=3"
t_expect_out "get LICSVR3: absent"
t_expect_out "one helper for all operations: yes"
no_helper_after "cycle"

# --- delete, and delete again (absent is success) -------------------------------------------
ht del LICSVR2
t_expect_rc 0 "del"
t_expect_no_cred LICSVR2
ht del LICSVR2
t_expect_rc 0 "del of an absent credential"

# --- rdlsctl dies with its helper running -------------------------------------------------
ht crash LICSVR2
t_expect_rc 3 "crash"
t_expect_out "exiting without shutdown"
no_helper_after "a crash of rdlsctl"

# --- the helper dies under rdlsctl: the next call fails naming the pipe, a new helper works --
ht kill LICSVR2
t_expect_rc 0 "kill"
t_expect_out "get after kill failed as expected:"
t_expect_out "on pipe '\\\\.\\pipe\\rdlsctl-"
t_expect_out "get with a new helper: absent"
no_helper_after "a killed helper"

# --- a helper that cannot start -------------------------------------------------------------
printf 'exit-early' >"$MODE"
ht get LICSVR2
rm -f "$MODE"
t_expect_rc 1 "helper that cannot start"
t_expect_err "StartServiceW on service 'rdlsctl-helper-"
t_expect_err "returned 1053"
no_helper_after "a helper that could not start"

# --- who the helper is, and what it inherits ------------------------------------------------
printf 'identity' >"$MODE"
ht put LICSVR4 'LICSVR4\rdls-peer' "$CHECK"
rm -f "$MODE"
t_expect_rc 0 "put (identity)"
if [ -f "$IDENT" ]; then
	say "# helper identity: $(tr '\r\n' '  ' <"$IDENT")"
	grep -q 'env_has_RDLS_TEST_PASSWORD=no' "$IDENT" ||
		t_fail "the helper's environment holds the caller's RDLS_TEST_PASSWORD"
	rm -f "$IDENT"
else
	t_fail "the helper did not record its identity"
fi
ht del LICSVR4

# --- stale helpers of crashed runs are swept by the next run ---------------------------------
ht plant
t_expect_rc 0 "plant"
t_reg_exists 'HKLM\SYSTEM\CurrentControlSet\Services\rdlsctl-helper-0000000000000001' ||
	t_fail "plant: the stale helper was not registered"
ht get LICSVR2
t_expect_rc 0 "get after plant"
no_helper_after "the sweep of stale helpers"

# --- a concurrent run's live helper is left alone ---------------------------------------------
T_NCMD=$((T_NCMD + 1))
HOLD=$T_LOG/$T_NCMD.out
RDLS_TEST_PASSWORD=$SECRET wine64 "$HT" hold LICSVR2 4000 </dev/null >"$HOLD" 2>&1 &
hold_pid=$!
sleep 1.5
ht put LICSVR5 'LICSVR5\rdls-peer' "$CHECK"
t_expect_rc 0 "put during another run"
wait $hold_pid
hold_rc=$?
say "\$ helpertest hold LICSVR2 4000    # exit $hold_rc"
sed 's/^/  | /' "$HOLD"
[ "$hold_rc" -eq 0 ] && grep -q "same helper: yes" "$HOLD" ||
	t_fail "a concurrent run disturbed the other run's helper"
ht del LICSVR5
no_helper_after "two overlapping runs"

# --- limits -----------------------------------------------------------------------------------
HT_PASSWORD=$(printf '%0257d' 0 | tr 0 x)
ht put LICSVR6 'LICSVR6\u' "$CHECK"
t_expect_rc 1 "a 257-character password"
t_expect_err "holds at most 256"
HT_PASSWORD=$(printf '%0256d' 0 | tr 0 y)
ht put LICSVR6 'LICSVR6\u' "$CHECK"
t_expect_rc 0 "a 256-character password"
HT_PASSWORD='Pä55wörd€𝄞'
ht put LICSVR7 'LICSVR7\ü' "$CHECK"
t_expect_rc 0 "non-ASCII password and user"
unset HT_PASSWORD
ht get LICSVR7
t_expect_out 'user=LICSVR7\ü'
ht put LICSVR8 'LICSVR8\u' "rdls1\$$(printf '%0250d' 0)"
t_expect_rc 1 "a 256-byte check string"
t_expect_err "holds at most 255"
ht del LICSVR6
ht del LICSVR7

# --- the secret: not in any output, not in the hives --------------------------------------------
# A .reg file writes binary data as text, "hex:50,00,61,00,\<newline>  73,00": the raw
# byte scan of t_scan_secret cannot see that form, so it is searched for here too
# (t_scan_secret_reg_hex).
t_flush
t_scan_secret "$SECRET" "$T_LOG"/*.out "$T_LOG"/*.err "$WINEPREFIX"/*.reg
t_scan_secret 'Pä55wörd€𝄞' "$T_LOG"/*.out "$T_LOG"/*.err "$WINEPREFIX"/*.reg
t_scan_secret_reg_hex "$SECRET"
t_scan_secret_reg_hex 'Pä55wörd€𝄞'
say "# scanned the hives for the secrets written as hex"

t_finish
