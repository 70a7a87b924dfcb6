#!/bin/sh
# The session host's two policies in the local Group Policy object (C:\windows\system32\
# GroupPolicy in the prefix), checked with this test's own PReg reader (python3 below, not
# rdlsctl's code):
#   1. an unrelated policy (Windows Update's NoAutoUpdate) and a gpt.ini with a startup
#      script's extensions are put there first; apply of RDSH1 (profiles/session-hosts.ini)
#      keeps the unrelated entry byte for byte, adds LicenseServers (REG_SZ
#      "LICSVR1,LICSVR2") and LicensingMode (REG_DWORD 2), raises gpt.ini's Version and
#      lists the registry extension with the Administrative Templates tool; the registry
#      values are set; a second plan is converged;
#   2. rollback gives Registry.pol back byte for byte (cmp) and gpt.ini as it was except
#      Version, which is higher still;
#   3. a damaged Registry.pol: plan and apply exit 1 naming the byte offset, file untouched;
#   4. no local GPO at all: apply creates both files, rollback deletes both.
#
# What Wine cannot show: there is no Group Policy engine and no gpedit.msc. Nothing here
# proves that gpedit.msc displays both policies as Enabled, that `gpupdate /force` keeps
# the values (rather than deleting policy values no GPO sets), or that RSOP
# (root\rsop\computer, for the domain-GPO warning) answers: Wine has no such namespace, and
# the prefix is no domain member, so plan does not ask. On Windows Server: run apply, open
# gpedit.msc > Computer Configuration > Administrative Templates > Windows Components >
# Remote Desktop Services > Remote Desktop Session Host > Licensing and see both policies
# Enabled with the profile's values; run `gpupdate /force` and `reg query "HKLM\SOFTWARE\
# Policies\Microsoft\Windows NT\Terminal Services"` (both values still there); run
# rollback, gpupdate /force again, and see both "Not configured" and the values gone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
T_COMPUTER=RDSH1 # the journal's host: rollback runs on it
t_setup
command -v python3 >/dev/null 2>&1 || t_die "python3 is needed for this test's PReg reader"

PROF=$T_ROOT/profiles/session-hosts.ini
GP=$WINEPREFIX/drive_c/windows/system32/GroupPolicy
POL=$GP/Machine/Registry.pol
INI=$GP/gpt.ini
KEY='HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'
TSKEY='Software\Policies\Microsoft\Windows NT\Terminal Services'
SCRIPTS='[{42B5FAAE-6536-11D2-AE5A-0000F87571E3}{40B6664F-4972-11D1-A7CA-0000F87571E3}]'
say "# local GPO: $GP"

# preg write FILE: a Registry.pol holding NoAutoUpdate = 1 only.
# preg dump FILE: one line per entry, "KEY|VALUE|TYPE|SIZE|DATA" (REG_SZ as text, REG_DWORD
# as a number, anything else hex), after checking signature, version and every separator.
preg() {
	python3 - "$@" <<'PY'
import struct, sys

def w(s):
    return s.encode("utf-16-le") + b"\0\0"

def sep(c):
    return c.encode("utf-16-le")

def entry(key, value, typ, data):
    return (sep("[") + w(key) + sep(";") + w(value) + sep(";") + struct.pack("<I", typ) +
            sep(";") + struct.pack("<I", len(data)) + sep(";") + data + sep("]"))

def read_str(b, i):
    j = i
    while True:
        if j + 2 > len(b):
            sys.exit("string runs past the end at %d" % i)
        if b[j:j + 2] == b"\0\0":
            return b[i:j].decode("utf-16-le"), j + 2
        j += 2

def expect(b, i, c):
    if b[i:i + 2] != sep(c):
        sys.exit("expected %r at offset %d" % (c, i))
    return i + 2

cmd, path = sys.argv[1], sys.argv[2]
if cmd == "write":
    body = entry("Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU", "NoAutoUpdate",
                 4, struct.pack("<I", 1))
    open(path, "wb").write(b"PReg" + struct.pack("<I", 1) + body)
    sys.exit(0)
b = open(path, "rb").read()
if b[:4] != b"PReg" or struct.unpack("<I", b[4:8])[0] != 1:
    sys.exit("bad header")
i = 8
while i < len(b):
    start = i
    i = expect(b, i, "[")
    key, i = read_str(b, i)
    i = expect(b, i, ";")
    value, i = read_str(b, i)
    i = expect(b, i, ";")
    typ = struct.unpack("<I", b[i:i + 4])[0]; i += 4
    i = expect(b, i, ";")
    size = struct.unpack("<I", b[i:i + 4])[0]; i += 4
    i = expect(b, i, ";")
    data = b[i:i + size]; i += size
    if len(data) != size:
        sys.exit("data runs past the end at %d" % start)
    i = expect(b, i, "]")
    if typ == 1:
        shown = data.decode("utf-16-le").rstrip("\0")
    elif typ == 4 and size == 4:
        shown = str(struct.unpack("<I", data)[0])
    else:
        shown = data.hex()
    print("%s|%s|%d|%d|%s" % (key, value, typ, size, shown))
PY
}

# The Version of a gpt.ini, and the file without its Version line.
ini_version() { tr -d '\r' <"$1" | sed -n 's/^Version=//p'; }
ini_rest() { tr -d '\r' <"$1" | grep -v '^Version='; }

# --- 1. apply with an unrelated policy already there ----------------------------------------
mkdir -p "$GP/Machine"
preg write "$POL" || t_die "cannot write Registry.pol"
printf '[General]\r\ngPCMachineExtensionNames=%s\r\nVersion=2\r\n' "$SCRIPTS" >"$INI"
cp "$POL" "$T_LOG/Registry.pol.before"
cp "$INI" "$T_LOG/gpt.ini.before"
preg dump "$POL" >"$T_LOG/before.txt" || t_fail "this test's reader refuses its own file"
sed 's/^/  before: /' "$T_LOG/before.txt"

t_rdls apply "$PROF" --host RDSH1 --yes
t_expect_rc 0 "apply of RDSH1"
t_expect_out "Registry.pol"
preg dump "$POL" >"$T_LOG/after.txt" || t_fail "Registry.pol after apply: not a valid PReg file"
sed 's/^/  after: /' "$T_LOG/after.txt"
head -n 1 "$T_LOG/after.txt" | cmp -s - "$T_LOG/before.txt" ||
	t_fail "the unrelated policy is not the first entry, unchanged"
# byte for byte: the file starts with exactly the old file
_n=$(wc -c <"$T_LOG/Registry.pol.before")
head -c "$_n" "$POL" | cmp -s - "$T_LOG/Registry.pol.before" ||
	t_fail "the header and the unrelated entry are not kept byte for byte"
grep -qxF "$TSKEY|LicenseServers|1|32|LICSVR1,LICSVR2" "$T_LOG/after.txt" ||
	t_fail "no LicenseServers REG_SZ 'LICSVR1,LICSVR2' in Registry.pol"
grep -qxF "$TSKEY|LicensingMode|4|4|2" "$T_LOG/after.txt" ||
	t_fail "no LicensingMode REG_DWORD 2 in Registry.pol"
[ "$(wc -l <"$T_LOG/after.txt")" -eq 3 ] || t_fail "Registry.pol should hold exactly 3 entries"
_v=$(ini_version "$INI")
[ "$_v" = 3 ] || t_fail "gpt.ini Version is '$_v', expected 3"
grep -qF "gPCMachineExtensionNames=[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]$SCRIPTS" "$INI" ||
	t_fail "gPCMachineExtensionNames lacks the registry extension (sorted, before the scripts)"
[ "$(t_reg_get "$KEY" LicenseServers)" = "REG_SZ LICSVR1,LICSVR2" ] || t_fail "LicenseServers registry value"
[ "$(t_reg_get "$KEY" LicensingMode)" = "REG_DWORD 2 (0x2)" ] || t_fail "LicensingMode registry value"
ls "$GP/Machine" | grep -q 'rdlsctl-new' && t_fail "a temporary file was left beside Registry.pol"

t_rdls plan "$PROF" --host RDSH1 --json
t_expect_rc 0 "plan after apply (converged)"
t_expect_json plan "plan --json of a converged host"

# --- 2. rollback ----------------------------------------------------------------------------
t_rdls rollback --yes
t_expect_rc 0 "rollback"
cmp "$POL" "$T_LOG/Registry.pol.before" || t_fail "Registry.pol is not restored byte for byte"
ini_rest "$INI" >"$T_LOG/ini.now"
ini_rest "$T_LOG/gpt.ini.before" >"$T_LOG/ini.was"
cmp -s "$T_LOG/ini.now" "$T_LOG/ini.was" || t_fail "gpt.ini differs from before (Version aside)"
_v=$(ini_version "$INI")
[ "$_v" = 4 ] || t_fail "gpt.ini Version after rollback is '$_v', expected 4 (it only grows)"
t_reg_get "$KEY" LicenseServers >/dev/null && t_fail "LicenseServers registry value left after rollback"

# --- 3. a damaged Registry.pol is refused and left alone ----------------------------------
head -c 20 "$T_LOG/Registry.pol.before" >"$POL"
cp "$POL" "$T_LOG/damaged.pol"
t_rdls plan "$PROF" --host RDSH1
t_expect_rc 1 "plan with a damaged Registry.pol"
t_expect_err "byte offset 20"
t_rdls apply "$PROF" --host RDSH1 --yes
t_expect_rc 1 "apply with a damaged Registry.pol"
t_expect_err "byte offset 20"
cmp -s "$POL" "$T_LOG/damaged.pol" || t_fail "the damaged Registry.pol was changed"
t_reg_get "$KEY" LicensingMode >/dev/null && t_fail "apply changed the registry despite the refusal"

# --- 4. no local GPO: created, then deleted again -------------------------------------------
rm -f "$POL" "$INI"
t_rdls apply "$PROF" --host RDSH1 --yes --json
t_expect_rc 0 "apply without a local GPO"
t_expect_json apply "apply --json with gpofile steps"
grep -q '"kind":"gpofile"' "$T_OUT" || grep -q '"kind": "gpofile"' "$T_OUT" ||
	t_fail "no gpofile step in the JSON"
preg dump "$POL" >"$T_LOG/fresh.txt" || t_fail "the new Registry.pol is not a valid PReg file"
[ "$(wc -l <"$T_LOG/fresh.txt")" -eq 2 ] || t_fail "the new Registry.pol should hold exactly 2 entries"
[ "$(ini_version "$INI")" = 1 ] || t_fail "the new gpt.ini's Version is not 1"
t_rdls rollback --yes
t_expect_rc 0 "rollback of the fresh apply"
[ ! -e "$POL" ] || t_fail "Registry.pol created by apply is still there"
[ ! -e "$INI" ] || t_fail "gpt.ini created by apply is still there: $(od -c "$INI" | head -5)"

t_finish
