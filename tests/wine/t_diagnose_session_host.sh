#!/bin/sh
# diagnose on a session host (RDSH1, workgroup), in a prefix broken on purpose: licensing
# mode unset, then per user in a workgroup and a license server list with stray
# whitespace; each finding and its remedy is asserted, the remedy (rdlsctl apply) is
# applied, and the findings must be gone.
#
# Checks that cannot pass under Wine, asserted as "not run" (never "passed"):
#   ts-grace, ts-find, ts-connectivity: Wine has no root\CIMv2\TerminalServices namespace,
#     so Win32_TerminalServiceSetting cannot be asked (0x8004100E);
#   ts-ping: PingLicenseServer exists only on Windows Server 2008;
#   cal-compat: Wine reports Windows 6.1, not a Windows Server version;
#   sh-events: Wine 8's EvtQuery is a stub that returns NULL and sets no error code, so the
#     connection manager's Admin/Operational channels and System cannot be read (and a prefix
#     has no such events anyway); what shows the events 1068, 1069, 1130, 1004, 1011, 1028
#     being found is a Windows session host that logged them (unit-tested through the fake:
#     tests/unit/test_diag_events.c).
# sh-certificate: a prefix's RCM key holds no X509 certificate values (no license server ever
#   issued one), so the info finding sh-certificate-absent stays after apply; on Windows a
#   session host that got a license holds them (and the check passes). Whether they are
#   damaged ("Access was denied because of a security error") only a client's connection shows.
# setting-in-effect: RCM\Licensing Core is set by hand below to contradict the policy; on
#   Windows Server Manager or Set-RDLicenseConfiguration writes it. Its Win32_TerminalServiceSetting
#   source (LicensingType, GetSpecifiedLicenseServerList) is "not run" here (0x8004100E, no
#   root\CIMv2\TerminalServices); on Windows it shows what Remote Desktop Services uses now.
#   The prefix is a workgroup computer, so no domain GPO is asked for ("domain GPOs: none
#   (workgroup)"); on a domain member the RSOP source (root\rsop\computer) names the GPO that
#   sets either policy, which only a Windows domain shows (gpresult /h shows the same).
# ls-pipe: Wine has no SMB client, so every \\SERVER\pipe\HydraLsPipe fails with
#   ERROR_PATH_NOT_FOUND (3), reported as ls-pipe-unreachable. The test build then takes
#   RDLS_TEST_PIPE_SERVER=. (\\.\pipe\HydraLsPipe, this machine's own pipes): nothing serves
#   it (ERROR_FILE_NOT_FOUND: ls-pipe-missing), then tests/wine/probes/pipelisten.c does (passed). On
#   Windows the real server answers: 2 when TermServLicensing is stopped there, 53 when SMB
#   (TCP 445) is blocked, and an ok when the licensing service runs.
# TCP 135 itself is not listened on here: the test build (build/win-testing, -DRDLS_TESTING)
# takes RDLS_TEST_RPC_PORT, and the probe is pointed at port 1 (nothing listens: refused)
# and then at a loopback listener this test starts (tests/wine/probes/tcplisten.c). The license
# servers are named localhost and 127.0.0.1 so that no name leaves this machine.
# Every --json output is validated against docs/schema/diagnose.schema.json (tests/wine/json.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
t_setup

RDLSCTL_EXE=${RDLS_DIAG_EXE:-$T_ROOT/build/win-testing/rdlsctl.exe.so}
export RDLSCTL_EXE
[ -f "$RDLSCTL_EXE" ] || t_die "$RDLSCTL_EXE missing: run 'make wine-tools'"
say "# program: $RDLSCTL_EXE (RDLS_TESTING build: RDLS_TEST_RPC_PORT)"
say "# not run under Wine by design: ts-grace, ts-find, ts-connectivity, setting-in-effect's Win32_TerminalServiceSetting source (no root\\CIMv2\\TerminalServices), ts-ping (2008 only), cal-compat (not a server version)"

POL='HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
prof=$T_LOG/site.ini
cat >"$prof" <<'EOF'
[deployment]
membership     = workgroup
licensing_mode = per_device
cal_version    = 2019

[peering]
account  = rdls-peer
group    = RDLS Peers
password = env:RDLS_PEER_PASSWORD

[license_server LICSVR1]
os  = 2019
dns = localhost

[license_server LICSVR2]
os  = 2019
dns = 127.0.0.1

[session_host RDSH1]
os = 2019
EOF

RDLS_TEST_RPC_PORT=1 # nothing listens there: refused at once
RDLS_TEST_PROBE_TIMEOUT_MS=2000
export RDLS_TEST_RPC_PORT RDLS_TEST_PROBE_TIMEOUT_MS

# t_finding ID: the text output shows this finding.
t_finding() { t_expect_out "$1" "finding $1"; }
t_no_finding() { t_expect_no_out " $1:" "finding $1 gone"; }

# Checks that cannot run under Wine are "not run" with the reason, never "ok".
t_wine_not_run() {
	for _c in ts-grace ts-find; do
		grep -q "^not run  $_c: .*0x8004100E" "$T_OUT" || t_fail "$_c: not reported as not run (0x8004100E)"
		! grep -q "^ok       $_c" "$T_OUT" || t_fail "$_c reported as passed under Wine"
	done
	grep -q "^not run  ts-ping: .*2008 R2" "$T_OUT" || t_fail "ts-ping: not reported as not run"
	grep -q "^not run  setting-in-effect Win32_TerminalServiceSetting: .*LicensingType.*0x8004100E" "$T_OUT" ||
		t_fail "setting-in-effect: Win32_TerminalServiceSetting not reported as not run (0x8004100E)"
	! grep -q "^ok       ts-connectivity" "$T_OUT" || t_fail "ts-connectivity reported as passed under Wine"
	for _ch in "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Admin" \
		"Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational" System; do
		grep -qF "not run  sh-events $_ch: " "$T_OUT" || t_fail "sh-events $_ch: not reported as not run"
		grep -qF "EvtQuery on channel '$_ch' returned 0 (no query handle and no error code" "$T_OUT" ||
			t_fail "sh-events $_ch: not the reason Wine's EvtQuery stub gives"
	done
	! grep -q "^ok       sh-events" "$T_OUT" || t_fail "sh-events reported as passed under Wine"
}

# --- 1. a fresh session host: licensing mode unset, no license server ---------------------
t_rdls diagnose "$prof" --host RDSH1
t_expect_rc 2 "diagnose of an unconfigured session host"
t_finding "error    licensing-mode-unset: the Remote Desktop licensing mode is not configured"
t_expect_out "remedy:   rdlsctl apply $prof --host RDSH1 (sets the policy value LicensingMode = 2, per device)"
t_finding "error    license-servers-none: no license server is specified"
t_expect_out "relies on automatic license server discovery"
t_finding "profile-difference: apply would"
t_wine_not_run

# --- 2. per user in a workgroup; a name with stray whitespace; TCP 135 refused ------------
wine64 reg add "$POL" /v LicensingMode /t REG_DWORD /d 4 /f >/dev/null 2>&1 || t_fail "reg add LicensingMode"
wine64 reg add "$POL" /v LicenseServers /t REG_SZ /d "localhost, 127.0.0.1" /f >/dev/null 2>&1 ||
	t_fail "reg add LicenseServers"
t_rdls diagnose "$prof" --host RDSH1
t_expect_rc 2 "diagnose of per user in a workgroup"
t_finding "error    licensing-mode-per-user-workgroup: per-user licensing on a session host in a workgroup"
t_expect_out "Per User CALs are not permitted"
t_expect_out "remedy:   rdlsctl apply $prof --host RDSH1 (sets LicensingMode = 2, per device)"
t_finding "warning  license-server-whitespace: license server name '127.0.0.1' carries stray whitespace"
t_finding "error    license-server-unreachable: license server 'localhost' does not answer on TCP 1"
t_expect_out "ok       ls-resolve: license server 'localhost' resolves"
# Wine has no SMB client: the UNC pipe path is not found (3).
t_finding "error    ls-pipe-unreachable: license server 'localhost' cannot be reached at \\\\localhost\\pipe\\HydraLsPipe"
t_expect_out "evidence: WaitNamedPipeW on \\\\localhost\\pipe\\HydraLsPipe returned 3"
t_expect_out "allow 'File and Printer Sharing (SMB-In)' (TCP 445)"
t_expect_out "ok       setting-in-effect: no other setting contradicts the policy"
t_no_finding licensing-mode-unset
t_no_finding license-servers-none
t_wine_not_run

# The same as one JSON document, and nothing else on stdout.
t_rdls diagnose "$prof" --host RDSH1 --json
t_expect_rc 2 "diagnose --json"
t_expect_json diagnose "diagnose --json"
[ "$(head -c 1 "$T_OUT")" = "{" ] && [ "$(tail -c 2 "$T_OUT" | head -c 1)" = "}" ] ||
	t_fail "--json: stdout is not one JSON object"
[ "$(wc -l <"$T_OUT")" -eq 1 ] || t_fail "--json: more than one line on stdout"
t_expect_out '"id":"licensing-mode-per-user-workgroup"'
t_expect_out '"id":"license-server-whitespace"'
t_expect_out '"check":"ts-grace","status":"not_run"'
t_expect_out '"id":"ls-pipe-unreachable"'
t_expect_out '"check":"setting-in-effect","status":"not_run","subject":"Win32_TerminalServiceSetting"'

# --- 3. a loopback listener: the probe now reaches "the endpoint mapper" -------------------
[ -x "$T_TOOLS/tcplisten" ] || t_die "build/wine-tools/tcplisten missing: run 'make wine-tools'"
"$T_TOOLS/tcplisten" "$T_LOG/port" 90 2>"$T_LOG/tcplisten.err" &
listener=$!
for _i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T_LOG/port" ] && break; sleep 0.2; done
[ -s "$T_LOG/port" ] || t_die "tcplisten did not start"
RDLS_TEST_RPC_PORT=$(cat "$T_LOG/port")
say "# loopback listener on 127.0.0.1:$RDLS_TEST_RPC_PORT (pid $listener)"
t_rdls diagnose "$prof" --host RDSH1
t_expect_out "ok       ls-rpc: license server 'localhost' answers on TCP $RDLS_TEST_RPC_PORT"
t_expect_out "ok       ls-rpc: license server '127.0.0.1' answers on TCP $RDLS_TEST_RPC_PORT"
t_no_finding license-server-unreachable

# --- 3b. the licensing pipe on this machine (RDLS_TEST_PIPE_SERVER=.): absent, then served ----
RDLS_TEST_PIPE_SERVER=.
export RDLS_TEST_PIPE_SERVER
t_rdls diagnose "$prof" --host RDSH1 --check ls-pipe
t_expect_rc 2 "diagnose --check ls-pipe, nothing serves the pipe"
t_finding "error    ls-pipe-missing: license server 'localhost' has no licensing pipe \\\\.\\pipe\\HydraLsPipe"
t_expect_out "WaitNamedPipeW on \\\\.\\pipe\\HydraLsPipe returned 2"
t_expect_out "start the Remote Desktop Licensing service"
t_no_finding ls-pipe-unreachable
rm -f "$T_LOG/pipe.ready"
wine64 "$T_TOOLS/pipelisten.exe.so" HydraLsPipe "$T_LOG/pipe.ready" 90 </dev/null \
	>/dev/null 2>"$T_LOG/pipelisten.err" &
pipesrv=$!
for _i in $(seq 1 50); do [ -s "$T_LOG/pipe.ready" ] && break; sleep 0.2; done
[ -s "$T_LOG/pipe.ready" ] || t_die "pipelisten did not start: $(cat "$T_LOG/pipelisten.err")"
say "# pipe server: $(cat "$T_LOG/pipe.ready") (pid $pipesrv)"
t_rdls diagnose "$prof" --host RDSH1 --check ls-pipe
t_expect_out "ok       ls-pipe: license server 'localhost' answers at \\\\.\\pipe\\HydraLsPipe"
t_expect_out "ok       ls-pipe: license server '127.0.0.1' answers at \\\\.\\pipe\\HydraLsPipe"
t_no_finding ls-pipe-missing

# --- 4. the remedy: rdlsctl apply, then the findings are gone -------------------------------
t_rdls apply "$prof" --host RDSH1 --yes
t_expect_rc 0 "apply (the remedy)"
_v=$(t_reg_get "$POL" LicensingMode) || t_fail "LicensingMode absent after apply"
case $_v in "REG_DWORD 2 (0x2)") ;; *) t_fail "LicensingMode after apply: '$_v', expected REG_DWORD 2 (0x2)" ;; esac
_v=$(t_reg_get "$POL" LicenseServers) || t_fail "LicenseServers absent after apply"
case $_v in "REG_SZ localhost,127.0.0.1") ;; *) t_fail "LicenseServers after apply: '$_v'" ;; esac

t_rdls diagnose "$prof" --host RDSH1
t_expect_rc 0 "diagnose after apply (only Wine's not-run checks remain)"
t_no_finding licensing-mode-per-user-workgroup
t_no_finding licensing-mode-unset
t_no_finding license-servers-none
t_no_finding license-server-whitespace
t_no_finding license-server-unreachable
t_no_finding profile-difference
t_expect_out "ok       licensing-mode: licensing mode: per device (the policy)"
t_expect_out "ok       license-servers: 2 license servers specified"
t_expect_out "ok       profile-plan: this host matches the profile"
t_finding "info     sh-certificate-absent: this session host holds no license server certificate"
t_expect_out "1 finding (0 errors, 0 security, 0 warnings, 1 info)"
t_expect_out "ok       setting-in-effect: no other setting contradicts the policy"
t_expect_out "ok       ls-pipe: license server 'localhost' answers"
t_wine_not_run
t_rdls diagnose "$prof" --host RDSH1 --json
t_expect_rc 0 "diagnose --json after apply"
t_expect_json diagnose "diagnose --json after apply"
t_expect_out '"needs_action":false'

# --- 5. broken again: the local RCM\Licensing Core mode contradicts the policy -------------
RCMLC='HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\RCM\Licensing Core'
wine64 reg add "$RCMLC" /v LicensingMode /t REG_DWORD /d 4 /f >/dev/null 2>&1 || t_fail "reg add RCM LicensingMode"
t_rdls diagnose "$prof" --host RDSH1
t_expect_rc 2 "diagnose with the local mode contradicting the policy"
t_finding "warning  licensing-mode-conflict: the licensing mode is per device in the policy and per user in RCM\\Licensing Core: the policy wins"
t_expect_out "Set-RDLicenseConfiguration on the broker"
t_rdls diagnose "$prof" --host RDSH1 --check setting-in-effect --json
t_expect_rc 2 "diagnose --check setting-in-effect"
t_expect_json diagnose "diagnose --check setting-in-effect --json"
t_expect_out '"id":"licensing-mode-conflict"'
t_expect_no_out '"check":"ls-rpc"' "--check runs only the check asked for"
t_rdls diagnose "$prof" --host RDSH1 --check frob
t_expect_rc 3 "diagnose --check of an unknown check"
# --days reaches the Win32 query: Wine's EvtQuery stub traces the XPath it was given.
WINEDEBUG=fixme+wevtapi
t_rdls diagnose "$prof" --host RDSH1 --check sh-events --days 30
WINEDEBUG=-all
t_expect_rc 0 "diagnose --check sh-events --days 30 (not run only)"
t_expect_err "TimeCreated[timediff(@SystemTime) <= 2592000000]" "the 30-day window in EvtQuery's XPath"
t_expect_err "EventID=1068 or EventID=1069 or EventID=1130 or EventID=1004 or EventID=1011 or EventID=1028"
t_expect_out "3 not run"
t_rdls diagnose "$prof" --host RDSH1 --days 0
t_expect_rc 3 "diagnose --days 0"
wine64 reg delete "$RCMLC" /v LicensingMode /f >/dev/null 2>&1 || t_fail "reg delete RCM LicensingMode"

kill "$listener" "$pipesrv" 2>/dev/null
wait "$listener" 2>/dev/null
wait "$pipesrv" 2>/dev/null
t_finish
