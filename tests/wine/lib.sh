# tests/wine/lib.sh: the Wine test harness, sourced by every tests/wine/t_*.sh.
#
# Each test gets its own prefix, a `cp -a` of a booted template (about 2.5 s instead of a
# 10 s boot), and deletes it when it exits, passing or failing (trap). Checks record a
# failure and go on, so one run shows every broken expectation; t_finish exits 1 if any
# failed. Lines starting "FAIL: " are what run.sh reports as the reason.
#
# The shell drives rdlsctl; what it left is read by the probes of tests/wine/probes/, each
# a Windows program that calls the API from a process of its own and prints exactly what
# it returned (a call that fails is named on stderr with its code): regprobe for the
# registry, credprobe for credentials and services, samctl for the local accounts. Local
# accounts run against the test stand-in for netapi32 (tests/wine/fakesam), because Wine's
# are stubs; every test says so in its log.
#
# Environment: RDLS_WINE_TEMPLATE (a booted prefix to copy; default build/wine-template,
# booted on first use), RDLS_WINE_RUNDIR (where test prefixes go; default build/wine-tests),
# RDLS_WINE_KEEP=1 keeps the prefix of a failed test for inspection.

set -u

T_ROOT=${T_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
T_NAME=$(basename "$0" .sh)
T_TOOLS=$T_ROOT/build/wine-tools
T_RDLS=$T_ROOT/scripts/rdlsctl-wine
T_FAILS=0
T_NCMD=0
T_PREFIX=
T_OUT=
T_ERR=
T_RC=
PATH=/usr/lib/wine:$PATH
WINEDEBUG=${WINEDEBUG:--all}
export PATH WINEDEBUG
unset WINEDLLOVERRIDES

# The key the licensing service reads, and the value apply sets on LICSVR1.
T_LS_KEY='HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters'
T_LS_VALUE=WorkgroupLicenseServerAccountsGroup

say() { printf '%s\n' "$*"; }

t_fail() {
	T_FAILS=$((T_FAILS + 1))
	printf 'FAIL: %s\n' "$*"
}

# A failure of a probe's read: printed on stderr and counted in $T_LOG/failures, not in
# T_FAILS, since x=$(t_reg_get ...) runs in a subshell whose T_FAILS and stdout are lost.
t_fail_read() {
	echo x >>"$T_LOG/failures"
	printf 'FAIL: %s\n' "$*" >&2
}

# The number of failures so far, probes' reads included.
t_nfails() {
	echo $((T_FAILS + $(cat "${T_LOG:-/nonexistent}/failures" 2>/dev/null | wc -l)))
}

# A precondition that makes the rest of the test meaningless.
t_die() {
	t_fail "$*"
	exit 1
}

# --- prefixes -------------------------------------------------------------------------

# One procedure boots every prefix (scripts/wine-prefix.sh): booted means its marker file
# exists, written after the boot's wineserver exited; parallel boots are serialised.
. "$T_ROOT/scripts/wine-prefix.sh"

# Boots a prefix at $1 unless it is already booted.
t_boot_prefix() {
	rdls_prefix_boot "$1"
}

t_template() {
	_tpl=${RDLS_WINE_TEMPLATE:-$T_ROOT/build/wine-template}
	t_boot_prefix "$_tpl" || return 1
	printf '%s\n' "$_tpl"
}

# One persistent wineserver for the whole test (each process then starts in about 0.5 s).
# Its first client starts Wine's services, which inherit that client's standard handles:
# a quiet first client keeps them off the pipes of later command substitutions, which
# would otherwise never see end-of-file.
t_server_start() {
	wineserver -p
	wine64 cmd.exe /c exit 0 </dev/null >/dev/null 2>&1
	t_set_computer_name
}

# The tests run as license server LICSVR1: Wine takes the computer name from the Linux host
# name at each session start (wineboot), so it is set again in the running session, where
# GetComputerNameW reads it (ActiveComputerName is volatile: it lasts as long as the
# wineserver). rollback, which must run on the host of the journal, relies on it.
T_COMPUTER=LICSVR1
t_set_computer_name() {
	for _k in ComputerName ActiveComputerName; do
		wine64 reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\$_k" \
			/v ComputerName /d "$T_COMPUTER" /f </dev/null >/dev/null 2>&1 ||
			t_die "cannot set the computer name to $T_COMPUTER"
	done
}

# Creates this test's prefix and arranges its removal.
t_setup() {
	[ -x "$T_RDLS" ] || t_die "scripts/rdlsctl-wine missing"
	if [ ! -f "$T_TOOLS/netapi32.dll" ] || [ ! -f "$T_TOOLS/samctl.exe.so" ]; then
		t_die "build/wine-tools missing: run 'make wine-tools'"
	fi
	_tpl=$(t_template) || t_die "cannot boot the template prefix"
	_rundir=${RDLS_WINE_RUNDIR:-$T_ROOT/build/wine-tests}
	mkdir -p "$_rundir"
	T_PREFIX=$(mktemp -d "$_rundir/$T_NAME.XXXXXX") || t_die "mktemp failed"
	T_LOG=$T_PREFIX.log
	mkdir -p "$T_LOG"
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	rmdir "$T_PREFIX"
	cp -a "$_tpl" "$T_PREFIX" || t_die "cannot copy the template prefix"
	WINEPREFIX=$T_PREFIX
	RDLS_FAKESAM=1
	RDLS_WINE_COMPUTERNAME=$T_COMPUTER
	export WINEPREFIX RDLS_FAKESAM RDLS_WINE_COMPUTERNAME
	unset RDLS_FAKESAM_FILE RDLS_FAKESAM_FAIL RDLS_FAKESAM_GROUP_EXISTS RDLS_FAKESAM_NO_GROUP \
		RDLS_FAKESAM_COMPUTERNAME
	t_server_start
	# The stand-in and samctl in the directory scripts/rdlsctl-wine runs rdlsctl from.
	T_FSDIR=$WINEPREFIX/drive_c/rdlsctl-fakesam
	mkdir -p "$T_FSDIR"
	cp "$T_TOOLS/netapi32.dll" "$T_FSDIR/netapi32.dll"
	ln -sf "$T_TOOLS/samctl.exe.so" "$T_FSDIR/samctl.exe.so"
	say "# prefix $T_PREFIX"
	say "# note: local accounts run against the test stand-in for netapi32 (Wine's are stubs)"
}

# Fails the test if a helper service is still registered: in the registry (what the SCM
# loads at boot) and through the SCM itself (credprobe services: EnumServicesStatusExW).
t_check_no_helper() {
	_svc=$(t_reg_keys 'HKLM\SYSTEM\CurrentControlSet\Services' | grep -i '^rdlsctl-helper-')
	[ -z "$_svc" ] || t_fail "helper service left registered: $(printf '%s' "$_svc" | tr '\n' ' ')"
	t_probe credprobe services
	case $T_PROBE_RC:$(cat "$T_PROBE_OUT") in
	"0:helper services registered: 0 "*) [ -z "$_svc" ] ;;
	*) t_probe_fail "credprobe services ($(tr '\n' ' ' <"$T_PROBE_OUT"))"; return 1 ;;
	esac
}

t_cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP
	[ -z "${T_TTY_KEEPERS:-}" ] || kill $T_TTY_KEEPERS 2>/dev/null
	if [ -n "$T_PREFIX" ] && [ -d "$T_PREFIX" ]; then
		t_check_no_helper || _rc=1
		wineserver -k >/dev/null 2>&1
		wineserver -w >/dev/null 2>&1
		if [ "$(t_nfails)" -gt 0 ] || [ "$_rc" -ne 0 ]; then
			[ "$_rc" -ne 0 ] || _rc=1
			if [ "${RDLS_WINE_KEEP:-0}" = 1 ]; then
				say "# kept $T_PREFIX"
			else
				rm -rf "$T_PREFIX"
			fi
		else
			rm -rf "$T_PREFIX"
		fi
		rm -rf "$T_LOG"
	fi
	exit "$_rc"
}

t_finish() {
	if [ "$(t_nfails)" -gt 0 ]; then
		say "# $(t_nfails) check(s) failed"
		exit 1
	fi
	exit 0
}

# --- running rdlsctl ------------------------------------------------------------------

# t_rdls ARGS...: runs rdlsctl under Wine with stdin from /dev/null; sets T_RC, T_OUT and
# T_ERR (files). Every output is kept in $T_LOG for the secret scans and echoed to the log.
t_rdls() {
	[ -f "${RDLSCTL_EXE:-$T_ROOT/build/win/rdlsctl.exe.so}" ] ||
		t_die "build/win/rdlsctl.exe.so missing: run 'make win'"
	T_NCMD=$((T_NCMD + 1))
	T_OUT=$T_LOG/$T_NCMD.out
	T_ERR=$T_LOG/$T_NCMD.err
	_t0=$(date +%s.%N)
	"$T_RDLS" "$@" </dev/null >"$T_OUT" 2>"$T_ERR"
	T_RC=$?
	_t1=$(date +%s.%N)
	say "\$ rdlsctl $*    # exit $T_RC, $(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f s", b - a }')"
	sed 's/^/  | /' "$T_OUT"
	sed 's/^/  ! /' "$T_ERR"
	return 0
}

# t_rdls_bg NAME ARGS...: starts rdlsctl in the background (two applies at once, or a run
# to be killed). scripts/rdlsctl-wine ends by exec'ing wine64, so once it runs, the PID in
# T_BG_NAME is rdlsctl's own Wine process: `kill -KILL` kills rdlsctl itself.
t_rdls_bg() {
	_name=$1
	shift
	[ -f "${RDLSCTL_EXE:-$T_ROOT/build/win/rdlsctl.exe.so}" ] ||
		t_die "build/win/rdlsctl.exe.so missing: run 'make win'"
	say "\$ rdlsctl $* &    # [$_name]"
	"$T_RDLS" "$@" </dev/null >"$T_LOG/bg.$_name.out" 2>"$T_LOG/bg.$_name.err" &
	eval "T_BG_$_name=\$!"
}

# t_rdls_wait NAME: waits for it; sets T_RC, T_OUT, T_ERR like t_rdls.
t_rdls_wait() {
	_pid=
	eval "_pid=\$T_BG_$1"
	wait "$_pid"
	T_RC=$?
	T_OUT=$T_LOG/bg.$1.out
	T_ERR=$T_LOG/bg.$1.err
	say "# [$1] exit $T_RC"
	sed 's/^/  | /' "$T_OUT"
	sed 's/^/  ! /' "$T_ERR"
}

# t_expect_rc WANT WHAT
t_expect_rc() {
	[ "$T_RC" = "$1" ] || t_fail "$2: exit $T_RC, expected $1 ($(head -c 300 "$T_ERR" | tr '\n' ' '))"
}

t_expect_out() {
	grep -qiF -- "$1" "$T_OUT" || t_fail "${2:-stdout}: no '$1' in stdout"
}

t_expect_err() {
	grep -qiF -- "$1" "$T_ERR" || t_fail "${2:-stderr}: no '$1' in stderr"
}

t_expect_no_out() {
	! grep -qiF -- "$1" "$T_OUT" || t_fail "${2:-stdout}: unexpected '$1' in stdout"
}

# Makes the registry reach the prefix's .reg files: they are written only when the
# wineserver exits. A new persistent server is started for the rest of the test.
t_flush() {
	wineserver -k >/dev/null 2>&1
	wineserver -w >/dev/null 2>&1
	t_server_start
}

# --- probes (tests/wine/probes/: regprobe, samctl, credprobe) -------------------------

# t_probe PROBE ARGS...: runs build/wine-tools/PROBE.exe.so; its stdout in the file
# T_PROBE_OUT, its stderr (each call that did not succeed, with its code) in T_PROBE_ERR,
# its exit code in T_PROBE_RC (0, 1 absent, 2 error). samctl runs beside the stand-in, with
# it loaded, and without RDLS_FAKESAM_FAIL: the failures a test injects are rdlsctl's.
t_probe() {
	_p=$1
	shift
	T_PROBE_OUT=$T_LOG/probe.out
	T_PROBE_ERR=$T_LOG/probe.err
	[ -f "$T_TOOLS/$_p.exe.so" ] || { t_fail_read "build/wine-tools/$_p.exe.so missing: run 'make wine-tools'"; exit 1; }
	if [ "$_p" = samctl ]; then
		env -u RDLS_FAKESAM_FAIL WINEDLLOVERRIDES=netapi32=n \
			wine64 "$T_FSDIR/samctl.exe.so" "$@" </dev/null >"$T_PROBE_OUT" 2>"$T_PROBE_ERR"
	else
		wine64 "$T_TOOLS/$_p.exe.so" "$@" </dev/null >"$T_PROBE_OUT" 2>"$T_PROBE_ERR"
	fi
	T_PROBE_RC=$?
	return "$T_PROBE_RC"
}

t_probe_fail() {
	t_fail_read "$1: exit $T_PROBE_RC: $(head -c 400 "$T_PROBE_ERR" | tr '\r\n' '  ')"
}

# t_read PROBE ARGS...: prints what the probe found; exit 1 if absent, 2 (a failure) else.
t_read() {
	t_probe "$@"
	case $T_PROBE_RC in
	0) cat "$T_PROBE_OUT" ;;
	1) return 1 ;;
	*) t_probe_fail "$*"; return 2 ;;
	esac
}

# t_reg_get KEY NAME: "TYPE DATA" ("REG_SZ text", "REG_DWORD 2 (0x2)": regprobe.c).
t_reg_get() { t_read regprobe get "$1" "$2"; }
t_reg_exists() { t_read regprobe exists "$1" >/dev/null; }
# t_reg_keys KEY: the names of its subkeys, sorted.
t_reg_keys() { t_read regprobe keys "$1"; }

# The event source registration: apply writes it on first use and nothing ever undoes it
# (README, "Audit trail in the Event Log"), so "as before apply" comparisons leave it out;
# tests/wine/t_eventlog.sh checks it.
T_EVENT_SOURCE_KEY='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\rdlsctl'

# t_reg_export KEY FILE: the tree under KEY in FILE, every value's type and data, names
# sorted, without the event source; "(absent)" when KEY does not exist. Not retried:
# regprobe needs neither a file in the prefix nor winepath (which made `reg export` fail now
# and then under load) and names any call that fails, so a failure is a real one.
t_reg_export() {
	t_read regprobe dump "$1" --except "$T_EVENT_SOURCE_KEY" >"$2"
	case $? in
	1) echo "(absent)" >"$2" ;;
	2) echo "(export failed)" >"$2" ;;
	esac
}

# The keys rdlsctl may touch on a license server or session host.
T_REG_KEYS='HKLM\SYSTEM\CurrentControlSet\Services\TermServLicensing
HKLM\SYSTEM\CurrentControlSet\Services\TermService
HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'

# t_reg_snapshot FILE: exports every key of T_REG_KEYS into one text file.
t_reg_snapshot() {
	: >"$1"
	printf '%s\n' "$T_REG_KEYS" | while IFS= read -r _k; do
		printf '### %s\n' "$_k" >>"$1"
		t_reg_export "$_k" "$1.part"
		cat "$1.part" >>"$1"
		rm -f "$1.part"
	done
}

# t_same FILE_BEFORE FILE_AFTER WHAT
t_same() {
	if ! cmp -s "$1" "$2"; then
		t_fail "$3 changed: $(diff "$1" "$2" | head -20 | tr '\n' ' ')"
	fi
}

# t_samctl ARGS...: samctl's "API status=N" lines and its stderr, through the stand-in.
t_samctl() {
	WINEDLLOVERRIDES=netapi32=n wine64 "$T_FSDIR/samctl.exe.so" "$@" 2>&1 | tr -d '\r'
}

# --- the local accounts, as the Net* functions show them through the stand-in -------------

# The stand-in's file: secret scans look into it, nothing parses it.
t_sam_file() { printf '%s\n' "$WINEPREFIX/drive_c/rdls-fakesam.txt"; }

# Sorted, without RIDs: "user NAME priv=P flags=HEX password=none|set|set:N",
# "group NAME", "member GROUP\USER".
t_sam_dump() { t_read samctl dump; }
# t_sam_user_line NAME: the dump line of user NAME (case-insensitive, as NetUserGetInfo).
t_sam_user_line() { t_read samctl userline "$1"; }

# t_sam_has user NAME | group NAME | member GROUP USER (case-insensitive)
t_sam_has() {
	case $1 in
	user) t_sam_user_line "$2" >/dev/null ;;
	group) t_sam_dump | grep -qixF -- "group $2" ;;
	member) t_sam_dump | grep -qixF -- "member $2\\$3" ;;
	esac
}

# --- credentials (credprobe: CredReadW/CredEnumerateW from its own process) -------------

t_credprobe() { t_read credprobe "$@"; }

# t_expect_cred TARGET USER: CredReadW finds TARGET, stored for USER.
t_expect_cred() {
	t_probe credprobe get "$1"
	case $T_PROBE_RC:$(cat "$T_PROBE_OUT") in
	"0:target=$1 "*"user=$2 "*) ;;
	*) t_probe_fail "credential '$1' for user '$2': credprobe says '$(cat "$T_PROBE_OUT")'" ;;
	esac
}

# t_expect_no_cred TARGET
t_expect_no_cred() {
	t_probe credprobe get "$1"
	case $T_PROBE_RC:$(cat "$T_PROBE_OUT") in
	"1:target=$1 absent") ;;
	*) t_probe_fail "credential '$1' should be absent: credprobe says '$(cat "$T_PROBE_OUT")'" ;;
	esac
}

# --- secrets ------------------------------------------------------------------------------

# t_hexpat: the bytes on stdin as a PCRE of \xHH escapes.
t_hexpat() {
	od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^ //; s/ $//; s/\([0-9a-f][0-9a-f]\)/\\x\1/g; s/ //g'
}

# t_scan_secret SECRET FILE...: fails for each file holding SECRET in UTF-8/ASCII or UTF-16LE.
t_scan_secret() {
	_s=$1
	shift
	: >"$T_LOG/scan.list"
	for _f in "$@"; do printf '%s\n' "$_f" >>"$T_LOG/scan.list"; done
	t_scan_secret_list "$_s" "$T_LOG/scan.list"
}

# t_scan_secret_tree SECRET DIR: every file under DIR.
t_scan_secret_tree() {
	find "$2" -type f >"$T_LOG/scan.list"
	t_scan_secret_list "$1" "$T_LOG/scan.list"
}

# t_scan_secret_list SECRET LISTFILE: the files named in LISTFILE, one a line.
t_scan_secret_list() {
	_p8=$(printf '%s' "$1" | t_hexpat)
	_p16=$(printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE | t_hexpat)
	_n=0
	while IFS= read -r _f; do
		[ -f "$_f" ] || continue
		_n=$((_n + 1))
		if LC_ALL=C grep -qaP -- "$_p8" "$_f"; then
			t_fail "secret found (ASCII/UTF-8) in $_f"
		fi
		if LC_ALL=C grep -qaP -- "$_p16" "$_f"; then
			t_fail "secret found (UTF-16LE) in $_f"
		fi
	done <"$2"
	say "# scanned $_n file(s) for the secret"
}

# t_scan_secret_reg_hex SECRET: fails if a .reg hive of the prefix holds SECRET in the
# hex:xx,xx,... form regedit files use for binary data (UTF-8 or UTF-16LE bytes), also
# across the "\" line continuations. Run t_flush first.
t_scan_secret_reg_hex() {
	for _enc in UTF-8 UTF-16LE; do
		_hex=$(printf '%s' "$1" | iconv -f UTF-8 -t "$_enc" | od -An -v -tx1 | tr -s ' \n' '  ' |
			sed 's/^ //; s/ $//; s/ /,/g')
		for _f in "$WINEPREFIX"/*.reg; do
			sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$_f" | tr 'A-F' 'a-f' | grep -qF -- "$_hex" &&
				t_fail "secret found ($_enc, as hex) in $_f"
		done
	done
	return 0
}

# --- a terminal: the password prompt and the confirmation question --------------------
#
# rdlsctl runs on a pseudo-terminal of its own made by script(1) (util-linux). Everything it
# writes there (stdout and stderr together, with the escape sequences of Wine's console)
# is kept in $T_LOG/tty.NAME.out; the keyboard is a FIFO, written by t_tty_type. Text is
# typed only after t_tty_wait saw what rdlsctl shows before it reads: until Wine's console
# switches the terminal to raw mode, the terminal itself would echo what is typed.

t_shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# t_rdls_tty NAME ARGS...: starts rdlsctl in the background on a terminal.
t_rdls_tty() {
	[ -f "${RDLSCTL_EXE:-$T_ROOT/build/win/rdlsctl.exe.so}" ] ||
		t_die "build/win/rdlsctl.exe.so missing: run 'make win'"
	_name=$1
	shift
	say "\$ rdlsctl $* &    # [$_name] on a terminal"
	t_tty_start "$_name" "$T_RDLS" "$@"
}

# t_tty_start NAME PROGRAM ARGS...: starts any program in the background on a terminal.
t_tty_start() {
	command -v script >/dev/null 2>&1 || t_die "script(1) from util-linux is needed for terminal tests"
	_name=$1
	shift
	_cmd="exec"
	for _a in "$@"; do _cmd="$_cmd $(t_shquote "$_a")"; done
	_in=$T_LOG/tty.$_name.in
	rm -f "$_in"
	mkfifo "$_in" || t_die "mkfifo $_in failed"
	# A writer that stays open: script never sees end-of-file on its input. (Opened
	# read-write, as in t_tty_type, so that no open of the FIFO ever blocks.)
	sleep 300 1<>"$_in" 2>/dev/null &
	eval "T_TTYK_$_name=\$!"
	T_TTY_KEEPERS="${T_TTY_KEEPERS:-} $!"
	script -q -e -c "$_cmd" /dev/null <"$_in" >"$T_LOG/tty.$_name.out" 2>&1 &
	eval "T_TTY_$_name=\$!"
}

# t_tty_wait NAME TEXT [SECONDS]: waits until TEXT shows on the terminal (default 30 s).
t_tty_wait() {
	_i=0
	_max=$((${3:-30} * 10))
	eval "_pid=\$T_TTY_$1"
	while ! LC_ALL=C grep -qaF -- "$2" "$T_LOG/tty.$1.out" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt "$_max" ] || ! kill -0 "$_pid" 2>/dev/null; then
			t_fail "[$1] '$2' did not show on the terminal ($([ "$_i" -gt "$_max" ] && echo "within ${3:-30} s" || echo "it exited")): $(tr -d '\r' <"$T_LOG/tty.$1.out" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tail -c 300 | tr '\n' ' ')"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# t_tty_raw NAME: waits (at most 10 s) until the terminal no longer echoes, as it does once
# Wine's console has switched it to raw mode; what is typed before that, the terminal itself
# echoes (the text is shown, and a prompt seen on the screen does not yet mean it). The
# terminal is the one the program's standard input is (script's child). Returns 1 when it
# cannot be told or did not change in time: the caller types anyway, and the test's own
# no-echo check then judges.
t_tty_raw() {
	eval "_pid=\$T_TTY_$1"
	_i=0
	while [ "$_i" -lt 100 ]; do
		_c=$(pgrep -P "$_pid" 2>/dev/null | head -n 1)
		_pts=$([ -n "$_c" ] && readlink "/proc/$_c/fd/0" 2>/dev/null)
		case $_pts in
		/dev/pts/*) stty -F "$_pts" -a 2>/dev/null | grep -q -- '-echo ' && return 0 ;;
		esac
		_i=$((_i + 1))
		sleep 0.1
	done
	say "[$1] the terminal still echoes (or cannot be read) after 10 s; typing anyway"
	return 1
}

# t_tty_type NAME TEXT: types TEXT and Enter (a secret: call t_tty_raw first).
t_tty_type() {
	printf '%s\r' "$2" 1<>"$T_LOG/tty.$1.in"
}

# t_tty_end NAME: waits for it to exit (at most 60 s, then ends it: a failure); sets T_RC,
# and T_OUT = T_ERR = the terminal.
t_tty_end() {
	_pid=
	eval "_pid=\$T_TTY_$1"
	_i=0
	while kill -0 "$_pid" 2>/dev/null; do
		_i=$((_i + 1))
		if [ "$_i" -gt 600 ]; then
			t_fail "[$1] still running after 60 s: ended"
			kill "$_pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$_pid"
	T_RC=$?
	eval "kill \$T_TTYK_$1" 2>/dev/null
	T_OUT=$T_LOG/tty.$1.out
	T_ERR=$T_OUT
	say "# [$1] exit $T_RC; the terminal showed:"
	tr -d '\r' <"$T_OUT" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/^/  # /; $a\'
}

# t_tty_abort NAME: ends it (after a failed wait) and collects it like t_tty_end.
t_tty_abort() {
	eval "kill \$T_TTY_$1" 2>/dev/null
	t_tty_end "$1"
}
