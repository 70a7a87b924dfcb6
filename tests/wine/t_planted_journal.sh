#!/bin/sh
# A planted journal: intact checksums, placed in %ProgramData%\rdlsctl\journal and appended
# to its index, naming a value of HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run (prior: a
# command line, after: absent) and a key of its own under HKLM\SOFTWARE (prior: present, after:
# absent), i.e. records whose undo would write that Run value and create that key. rdlsctl
# never writes either, so `rollback --yes` (the newest journal) and `rollback FILE --yes`
# refuse the journal whole: exit 1, a message naming the file and the record's line, and the
# registry is unchanged (the export of HKLM\SOFTWARE compared before and after).
#
# The journal starts from the header of a real apply's journal on this prefix (so that it is
# for this computer); the planted sections get their CRC-32 from gzip's trailer, which is the
# same CRC (IEEE 802.3), and the helper is checked first against the real header's checksum.
# A second planted journal, in another folder and passed as FILE, has a format 1 header (as
# the previous rdlsctl wrote it, without account, group and peers) and its key record first.
#
# What Wine cannot show: who may write the journal. Wine keeps no file security descriptors
# (SetNamedSecurityInfoW stores nothing, GetNamedSecurityInfoW returns an empty one) and runs
# everything as one administrator, so the file-ownership and DACL checks of a journal are
# tested through the fake system in the unit tests; on Windows, the same planted file written
# by a non-administrator would be refused already for its owner, before its records are read.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="planted-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
RUN_KEY='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run'
RUN_VALUE=RdlsPlantedUpdater
FOREIGN_KEY='HKLM\SOFTWARE\RdlsPlantedKey'
JDIR=$WINEPREFIX/drive_c/ProgramData/rdlsctl/journal

# crc32 FILE: the CRC-32 of the file's bytes, 8 hex digits (gzip's trailer; little-endian host).
crc32() {
	gzip -c <"$1" | tail -c8 | head -c4 | od -An -tx4 | tr -d ' \n'
}

# jsec FILE NAME < "key=value" lines: appends section [NAME] with its checksum over
# "[NAME]\n" and "key=value\n" per key, as the reader computes it.
jsec() {
	_canon=$T_LOG/canon.txt
	_kv=$T_LOG/kv.txt
	cat >"$_kv"
	{ printf '[%s]\n' "$2"; cat "$_kv"; } >"$_canon"
	{
		printf '[%s]\n' "$2"
		sed 's/=/ = /' "$_kv"
		printf 'crc = %s\n\n' "$(crc32 "$_canon")"
	} >>"$1"
}

# hexz TEXT: TEXT and a NUL as lowercase hex (a REG_SZ's data).
hexz() {
	printf '%s\0' "$1" | od -An -tx1 | tr -d ' \n'
}

# A real journal on this prefix: apply, then rollback (the registry is as before again).
t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply"
t_rdls rollback --yes
t_expect_rc 0 "rollback of the real apply"
real=$(ls -t "$JDIR"/*.ini 2>/dev/null | head -1)
[ -n "$real" ] && [ -f "$JDIR/index" ] || t_die "no journal or index in $JDIR after apply"
say "# real journal: $real"

# Its header's key lines, "key=value" as the reader sees them.
awk '/^\[journal\]/ { on = 1; next } on && /^crc = / { exit } on && NF { print }' "$real" |
	sed 's/ = /=/' >"$T_LOG/header.kv"
grep -q '^format=2$' "$T_LOG/header.kv" || t_fail "the real journal's header is not format 2"
grep -q '^account=rdls-peer$' "$T_LOG/header.kv" || t_fail "the real journal's header names no account"
# The helper must reproduce the real header's checksum, or nothing below means anything.
want_crc=$(awk '/^\[journal\]/ { on = 1; next } on && /^crc = / { print $3; exit }' "$real")
: >"$T_LOG/selfcheck.ini"
jsec "$T_LOG/selfcheck.ini" journal <"$T_LOG/header.kv"
got_crc=$(sed -n 's/^crc = //p' "$T_LOG/selfcheck.ini")
[ -n "$want_crc" ] && [ "$got_crc" = "$want_crc" ] ||
	t_die "the test's CRC helper gives '$got_crc' for the real header, the journal says '$want_crc'"

# Journal A, in the journal directory and its index: the Run value first, then the key.
A_NAME=20990101T000000Z-LICSVR1-planted.ini
A=$JDIR/$A_NAME
printf '; rdlsctl journal: what apply changed, for '"'"'rdlsctl rollback'"'"'. Do not edit.\n' >"$A"
jsec "$A" journal <"$T_LOG/header.kv"
jsec "$A" 'step 1' <<EOF
kind=regval
key=SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run
name=$RUN_VALUE
prior=present
prior.type=1
prior.data=$(hexz 'C:\Users\Public\evil.exe')
after=absent
EOF
printf '' | jsec "$A" 'done 1'
jsec "$A" 'step 2' <<EOF
kind=regkey
name=SOFTWARE\\RdlsPlantedKey
prior=present
after=absent
EOF
printf '' | jsec "$A" 'done 2'
# The index names journals as rdlsctl wrote them (a Windows or, in the Wine build, a Unix
# path): the same directory, the planted file's name.
last=$(grep -v '^[[:space:]]*$' "$JDIR/index" | tail -1 | tr -d '\r')
case $last in
*\\*) entry="${last%\\*}\\$A_NAME" ;;
*) entry="${last%/*}/$A_NAME" ;;
esac
printf '\n%s\n' "$entry" >>"$JDIR/index"
a_line=$(grep -n '^\[step 1\]$' "$A" | cut -d: -f1)

# Journal B, in another folder, format 1: the key record first.
B=$WINEPREFIX/drive_c/users/Public/planted-journal.ini
B_WIN='C:\users\Public\planted-journal.ini'
grep -v '^\(format\|account\|group\|peers\)=' "$T_LOG/header.kv" >"$T_LOG/header1.kv"
{ echo format=1; cat "$T_LOG/header1.kv"; } >"$T_LOG/header1b.kv"
: >"$B"
jsec "$B" journal <"$T_LOG/header1b.kv"
jsec "$B" 'step 1' <<EOF
kind=regkey
name=SOFTWARE\\RdlsPlantedKey
prior=present
after=absent
EOF
printf '' | jsec "$B" 'done 1'
b_line=$(grep -n '^\[step 1\]$' "$B" | cut -d: -f1)

t_reg_export 'HKLM\SOFTWARE' "$T_LOG/software-before.txt"
t_reg_get "$RUN_KEY" "$RUN_VALUE" >/dev/null && t_die "$RUN_VALUE exists before the test"
t_reg_exists "$FOREIGN_KEY" && t_die "$FOREIGN_KEY exists before the test"
a_before=$(cat "$A")

t_rdls rollback --yes
t_expect_rc 1 "rollback --yes of the planted newest journal"
t_expect_err "$A_NAME' line $a_line: [step 1] registry HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\$RUN_VALUE: not a registry value rdlsctl writes" \
	"rollback --yes"
t_expect_err "refused whole and nothing was rolled back" "rollback --yes"

t_rdls rollback "$B_WIN" --yes
t_expect_rc 1 "rollback FILE --yes of a planted format 1 journal"
t_expect_err "journal '$B_WIN' line $b_line: [step 1] registry key $FOREIGN_KEY: not a registry key rdlsctl creates" \
	"rollback FILE --yes"

# Journal A by name too.
t_rdls rollback "$(printf '%s' "$entry")" --yes
t_expect_rc 1 "rollback FILE --yes of the planted journal in the journal directory"
t_expect_err "line $a_line: [step 1] registry HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run" \
	"rollback FILE --yes (journal directory)"

# Nothing was written: not the Run value, not the key, nothing else under HKLM\SOFTWARE,
# and no [undone] mark in the journal.
t_reg_get "$RUN_KEY" "$RUN_VALUE" >/dev/null &&
	t_fail "rollback wrote $RUN_KEY value $RUN_VALUE: $(t_reg_get "$RUN_KEY" "$RUN_VALUE")"
t_reg_exists "$FOREIGN_KEY" && t_fail "rollback created $FOREIGN_KEY"
t_reg_export 'HKLM\SOFTWARE' "$T_LOG/software-after.txt"
t_same "$T_LOG/software-before.txt" "$T_LOG/software-after.txt" "the export of HKLM\\SOFTWARE"
[ "$(cat "$A")" = "$a_before" ] || t_fail "rollback appended to the planted journal"

t_finish
