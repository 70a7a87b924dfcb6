#!/bin/sh
# The Win32 backend's operations called one at a time, one process per step, through
# tests/wine/w32probe.c: registry round trips (SZ,
# EXPAND_SZ, MULTI_SZ, DWORD, malformed data, a value of the wrong type), the DACL fault,
# WMI without the RD Licensing role, elevation, the system-wide lock across processes
# (held, abandoned by a killed holder, released), environment secrets, journal files,
# arguments in UTF-16, PBKDF2 from CNG — and the same operations from the mingw-w64 PE build of the probe,
# which runs the Windows CRT's code paths (_wfopen, _commit) under Wine.
#
# Local accounts are not checked here: Wine's are stubs (docs/HACKING.md); the netapi32
# stand-in's tests cover them. The probes live in build/w32probe/, away from the stand-in
# (Wine would load a netapi32.dll from the program's directory).
. "$(dirname "$0")/lib.sh"

PROBE=$T_ROOT/build/w32probe/w32probe.exe.so
PE=$T_ROOT/build/w32probe/w32probe-mingw.exe
[ -f "$PROBE" ] || t_die "build/w32probe/w32probe.exe.so missing: run 'make wine-tools'"
t_setup

# check NAME EXPECTED-SUBSTRING COMMAND...
check() {
	_name=$1 _want=$2
	shift 2
	_got=$("$@" </dev/null 2>&1 | tr -d '\r')
	case $_got in
	*"$_want"*) say "ok   $_name" ;;
	*) t_fail "$_name: expected '$_want', got: $(printf '%s' "$_got" | tr '\n' ' ')" ;;
	esac
}
P="wine64 $PROBE"
LIC='SYSTEM\CurrentControlSet\Services\TermServLicensing\Parameters'
POL='SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'

check reg_get_absent "absent" $P reg-get "$LIC" WorkgroupLicenseServerAccountsGroup
check reg_set_sz "set" $P reg-set "$LIC" WorkgroupLicenseServerAccountsGroup sz 'LICSVR1\RDLS Peers'
check reg_get_sz 'type=1 len=19 sz="LICSVR1\RDLS Peers"' $P reg-get "$LIC" WorkgroupLicenseServerAccountsGroup
check reg_query_sz 'REG_SZ LICSVR1\RDLS Peers' wine64 "$T_TOOLS/regprobe.exe.so" get "HKLM\\$LIC" WorkgroupLicenseServerAccountsGroup
check reg_set_multi "set" $P reg-set "$LIC" SpecifiedLicenseServers multi a.example 'b.example' 'Ünï'
check reg_get_multi 'multi=["a.example" "b.example" "Ünï" ]' $P reg-get "$LIC" SpecifiedLicenseServers
check reg_query_multi 'REG_MULTI_SZ a.example\0b.example\0Ünï' wine64 "$T_TOOLS/regprobe.exe.so" get "HKLM\\$LIC" SpecifiedLicenseServers
check reg_set_multi_empty "set" $P reg-set "$LIC" Empty multi
check reg_get_multi_empty 'type=7 len=1 multi=[] hex=00' $P reg-get "$LIC" Empty
check reg_set_dword "set" $P reg-set "$POL" LicensingMode dword 2
check reg_get_dword 'type=4 len=4 hex=02000000' $P reg-get "$POL" LicensingMode
check reg_set_expand "set" $P reg-set "$POL" X expand '%SystemRoot%\x'
check reg_get_expand 'type=2 len=15 sz="%SystemRoot%\x"' $P reg-get "$POL" X
wine64 reg add "HKLM\\$POL" /v LicenseServers /t REG_DWORD /d 7 /f </dev/null >/dev/null 2>&1
check reg_get_wrong_type 'type=4 len=4 hex=07000000' $P reg-get "$POL" LicenseServers
check reg_raw_noterm "raw set" $P reg-raw "$POL" NoTerm 1 41004200
check reg_get_noterm 'type=1 len=3 sz="AB"' $P reg-get "$POL" NoTerm
check reg_raw_multi_noterm "raw set" $P reg-raw "$POL" MultiNoTerm 7 610000006200
check reg_get_multi_noterm 'multi=["a" "b" ]' $P reg-get "$POL" MultiNoTerm
check reg_raw_short_dword "raw set" $P reg-raw "$POL" ShortDword 4 0102
check reg_get_short_dword 'type=4 len=2 hex=0102' $P reg-get "$POL" ShortDword
check reg_del "deleted" $P reg-del "$POL" LicensingMode
check reg_del_again "deleted" $P reg-del "$POL" LicensingMode
check reg_del_no_key "deleted" $P reg-del 'SOFTWARE\rdls-no-such-key' v
check reg_get_deleted "absent" $P reg-get "$POL" LicensingMode

check reg_deny "denied" $P reg-deny "$LIC"
check reg_set_denied "error: RegCreateKeyExW on HKLM\\$LIC returned 5 (access denied)" \
	$P reg-set "$LIC" WorkgroupLicenseServerAccountsGroup sz 'X\Y'
check reg_del_denied "error: RegOpenKeyExW on HKLM\\$LIC returned 5 (access denied)" \
	$P reg-del "$LIC" WorkgroupLicenseServerAccountsGroup
check reg_unchanged_after_denial 'sz="LICSVR1\RDLS Peers"' $P reg-get "$LIC" WorkgroupLicenseServerAccountsGroup

# Wine has no Win32_TSLicenseServer: only the missing class is shown here. Calling the
# methods on the class path, the fallback to Win32_TSLicenseServer=@ and the messages of a
# failing call of an existing class are unit-tested (tests/unit/test_lswmi.c) and reach the
# real provider only in the Windows job (.github/workflows/windows.yml, server-e2e).
check wmi_role_absent "ls_pub_get: role absent" $P wmi
check wmi_publish_refused "PublishLS on WMI root\\cimv2 Win32_TSLicenseServer returned 0x80041010 (the Remote Desktop Licensing role is not installed" $P wmi

check elevated "is_elevated: 1" $P host
check journal_dir "journal_dir: $WINEPREFIX/dosdevices/c:/ProgramData/rdlsctl/journal" $P host
check file_roundtrip "read back: record 1" $P file 'C:\ProgramData\rdlsctl\journal\t.journal'
check env_found "found=1 len=6" env RDLS_PROBE_SECRET='sëcrt' $P env RDLS_PROBE_SECRET
check env_missing "found=0" $P env RDLS_PROBE_UNSET
check args_unicode "arg[2]=Ünï b" $P args 'Ünï b'

# PBKDF2-HMAC-SHA256 through the backend's pbkdf2_sha256 (BCryptDeriveKeyPBKDF2): the
# known answers of tests/unit/pbkdf2_vectors.h (RFC 7914 section 11 among them), check
# strings written by the former own implementation through cred_check.c, and CNG's
# refusal of 0 iterations with its NTSTATUS. Wine 8.0's bcrypt implements the call (checked
# here: it passes), but it is Wine's code, not Microsoft's provider: what Windows' CNG
# answers (and under a FIPS policy) shows only on Windows, where
# .github/workflows/windows.yml runs the same probe (w32probe-mingw.exe pbkdf2).
check pbkdf2_known_answers "pbkdf2: 9 known answers, 0 wrong" $P pbkdf2
check pbkdf2_rfc7914_80000 "pbkdf2 rfc7914-Password-80000: ok" $P pbkdf2
check pbkdf2_legacy_checks "legacy: 2 check strings, 0 wrong" $P pbkdf2
check pbkdf2_zero_iterations \
	"pbkdf2 with 0 iterations: error: BCryptDeriveKeyPBKDF2 on PBKDF2-HMAC-SHA256 returned 0xC000000D" \
	$P pbkdf2

# SHA-256 through the backend's sha256 (BCryptHash, the saved plan's integrity hash): the
# FIPS 180-2 known answers of tests/unit/sha256_vectors.h ("abc", the 448-bit message, a
# million 'a') and the empty message. Under Wine this is Wine's bcrypt; Microsoft's CNG
# answers in .github/workflows/windows.yml (w32probe-mingw.exe sha256).
check sha256_known_answers "sha256: 4 known answers, 0 wrong" $P sha256
check sha256_abc "sha256 fips180-2-abc: ok" $P sha256
check sha256_empty "sha256 empty: ok" $P sha256

# The lock across processes, without sleeping for a guessed time: a holder is started and
# the test waits for its "busy=0" before probing; then the holder is killed (SIGKILL of its
# Wine process: the wineserver abandons its mutex, which the next run may take); then a run
# that takes and releases it normally, and one after it.
$P lock 60 </dev/null >"$T_LOG/lock-holder.out" 2>&1 &
holder=$!
i=0
while ! grep -q 'busy=0' "$T_LOG/lock-holder.out" && [ "$i" -lt 300 ]; do
	i=$((i + 1))
	sleep 0.1
done
if grep -q 'busy=0' "$T_LOG/lock-holder.out"; then
	check lock_busy "busy=1" $P lock 0
else
	t_fail "lock holder did not take the lock: $(tr '\r\n' '  ' <"$T_LOG/lock-holder.out")"
fi
kill -KILL "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check lock_abandoned_taken "busy=0" $P lock 0
check lock_free_again "busy=0" $P lock 0

if [ -f "$PE" ]; then
	check pe_host "journal_dir: C:\\ProgramData\\rdlsctl\\journal" wine64 "$PE" host
	check pe_file "read back: record 1" wine64 "$PE" file 'C:\ProgramData\rdlsctl\journal\pe.journal'
	check pe_reg 'multi=["a.example" "b.example" "Ünï" ]' wine64 "$PE" reg-get "$LIC" SpecifiedLicenseServers
	check pe_wmi "ls_pub_get: role absent" wine64 "$PE" wmi
	check pe_lock "busy=0" wine64 "$PE" lock 0
	check pe_pbkdf2 "pbkdf2: 9 known answers, 0 wrong" wine64 "$PE" pbkdf2
	check pe_sha256 "sha256: 4 known answers, 0 wrong" wine64 "$PE" sha256
else
	t_fail "build/w32probe/w32probe-mingw.exe missing: the PE build was not checked (make wine-tools)"
fi

t_finish
