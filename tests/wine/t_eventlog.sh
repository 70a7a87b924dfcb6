#!/bin/sh
# The audit trail's event source under Wine: apply registers "rdlsctl" under
# HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\rdlsctl (EventMessageFile,
# TypesSupported) with a copy of the program in %ProgramData%\rdlsctl\eventmsg that
# holds the message table; every event id of include/rdls/audit.h formats from that file
# (evtprobe: LoadLibraryExW + FormatMessageW, as Event Viewer does), and is in docs/contract.md's
# table; each event reached ReportEventW with its insertion strings (Wine's eventlog trace).
#
# What Wine cannot show: Wine 8 keeps no event log. RegisterEventSourceW returns a handle
# and ReportEventW only traces its arguments (FIXME "stub", then the strings on the
# eventlog channel), so neither Event Viewer nor the log's content can be seen here, nor
# the User column (the token's SID), nor that a non-administrator cannot register (Wine's
# user is an administrator). The message file here is the winegcc program (an ELF .so),
# which Wine loads only as a module, not as a data file (evtprobe says so). What would show
# them is the Windows workflow (.github/workflows/windows.yml, server-e2e): after apply
# and rollback, Get-WinEvent -ProviderName rdlsctl lists the events with their rendered
# text. The sequences and insertion strings are unit-tested through the fake
# (tests/unit/test_audit.c).
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="evt-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
KEY='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\rdlsctl'
VERSION=$(cat "$T_ROOT/VERSION")

t_reg_get "$KEY" EventMessageFile >/dev/null && t_fail "the source is registered before any run"

# Wine's eventlog channel shows what ReportEventW was given (strings as traces).
WINEDEBUG=fixme+advapi,+eventlog t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply"
grep -qi "warning: .*event" "$T_ERR" && t_fail "apply warned about the event log: $(grep -i event "$T_ERR")"

mf=$(t_reg_get "$KEY" EventMessageFile)
case $mf in
"REG_EXPAND_SZ C:\\ProgramData\\rdlsctl\\eventmsg\\rdlsctl-$VERSION.exe.so") ;;
*) t_fail "EventMessageFile is '$mf', expected the copy in C:\\ProgramData\\rdlsctl\\eventmsg" ;;
esac
ts=$(t_reg_get "$KEY" TypesSupported)
[ "$ts" = "REG_DWORD 7 (0x7)" ] || t_fail "TypesSupported is '$ts', expected REG_DWORD 7 (0x7)"
file=${mf#REG_EXPAND_SZ }
ufile=$(winepath -u "$file" 2>/dev/null)
[ -f "$ufile" ] || t_fail "the message file '$file' does not exist"
cmp -s "$ufile" "$T_ROOT/build/win/rdlsctl.exe.so" || t_fail "the message file is not a copy of the program"

# Every id of audit.h, from the registered file, and in docs/contract.md's table (Audit trail).
ids=$(sed -n 's/^[[:space:]]*RDLS_EVT_[A-Z_]* = \([0-9][0-9]*\),.*/\1/p' "$T_ROOT/include/rdls/audit.h")
[ "$(echo $ids | wc -w)" -ge 12 ] || t_fail "audit.h: only '$ids'"
# shellcheck disable=SC2086
probe=$(wine64 "$T_TOOLS/evtprobe.exe.so" "$file" $ids 2>&1 </dev/null | tr -d '\r')
rc=$?
printf '%s\n' "$probe" | sed 's/^/  evtprobe: /'
for id in $ids; do
	printf '%s\n' "$probe" | grep -q "^$id: rdlsctl.*<1>" || t_fail "event $id: no message text with %1 in the message file"
	grep -q "^| $id |" "$T_ROOT/docs/contract.md" || t_fail "event $id is not in docs/contract.md's table"
done
[ "$rc" = 0 ] || t_fail "evtprobe exit $rc"
printf '%s\n' "$probe" | grep -q '^1000: .*<2> by <1>.*Journal: <4>' ||
	t_fail "event 1000's text does not place host, user and journal"

# What ReportEventW received: started, one per step, finished, with the journal as a string.
for id in 000003e8 000003e9 000003eb; do
	grep -q "ReportEventW.*0x$id" "$T_ERR" || t_fail "no ReportEventW of event 0x$id in Wine's trace"
done
steps=$(sed -n 's/^Applied \([0-9]*\) changes.*/\1/p' "$T_OUT")
n=$(grep -c "ReportEventW.*0x000003e9" "$T_ERR")
[ -n "$steps" ] && [ "$n" = "$steps" ] || t_fail "$n ReportEventW calls of event 1001 (step done), expected one per change ($steps)"
grep -q 'eventlog.*L"LICSVR1"' "$T_ERR" || t_fail "no insertion string 'LICSVR1' in Wine's eventlog trace"
t_scan_secret "$RDLS_PEER_PASSWORD" "$T_ERR"

# A second run re-registers nothing and leaves the copy as it is.
before=$(stat -c %Y "$ufile")
sleep 1
WINEDEBUG=fixme+advapi,+eventlog t_rdls rollback --yes
t_expect_rc 0 "rollback"
grep -q "ReportEventW.*0x0000044c" "$T_ERR" || t_fail "rollback: no event 1100 in Wine's trace"
grep -q "ReportEventW.*0x0000044d" "$T_ERR" || t_fail "rollback: no event 1101 in Wine's trace"
[ "$(stat -c %Y "$ufile")" = "$before" ] || t_fail "rollback rewrote an unchanged message file"
# Registration is not undone by rollback (README: it is not a change of the deployment).
[ "$(t_reg_get "$KEY" EventMessageFile)" = "$mf" ] || t_fail "rollback changed the registration"

# A refused apply (no --yes, no terminal) writes its event too.
WINEDEBUG=fixme+advapi,+eventlog t_rdls apply "$P" --host LICSVR1
t_expect_rc 3 "apply without --yes"
grep -q "ReportEventW.*0x000003ed" "$T_ERR" || t_fail "refused apply: no event 1005 in Wine's trace"
t_finish
