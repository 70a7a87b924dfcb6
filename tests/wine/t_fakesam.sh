#!/bin/sh
# The netapi32 stand-in itself: Microsoft's documented return codes, one database seen by
# separate processes, and proof that the override takes effect (Wine's own netapi32 keeps
# users inside the calling process only, so a user seen from a second process came from
# the stand-in). Every call below is a separate Wine process (tests/wine/probes/samctl.c).
. "$(dirname "$0")/lib.sh"
t_setup

# t_api "ARGS" "EXPECTED SUBSTRING"
t_api() {
	_o=$(t_samctl $1)
	case $_o in
	*"$2"*) ;;
	*) t_fail "samctl $1: expected '$2', got '$(printf '%s' "$_o" | tr '\n' ' ')'" ;;
	esac
}

# The override: this process loaded the stand-in, not Wine's netapi32.
t_api "which" 'C:\rdlsctl-fakesam\netapi32.dll'

# Everything rdlsctl imports from netapi32 is exported by the stand-in (else rdlsctl would
# not even start under it). winegcc's ELF import thunks are named __imp_<function>.
exe=${RDLSCTL_EXE:-$T_ROOT/build/win/rdlsctl.exe.so}
if [ -f "$exe" ]; then
	exports=$(winedump -j export "$T_TOOLS/netapi32.dll" | awk '$2 ~ /^[0-9]+$/ && $3 ~ /^Net/ { print $3 }')
	for f in $(nm "$exe" | sed -n 's/.* __imp_\(Net[A-Za-z0-9_]*\)$/\1/p' | sort -u); do
		case " $(echo $exports) " in
		*" $f "*) ;;
		*) t_fail "rdlsctl imports $f from netapi32, which the stand-in does not export" ;;
		esac
	done
fi

# Users (NetUserAdd, NetUserGetInfo, NetUserDel)
t_api "user peer" "NetUserGetInfo status=2221"                  # NERR_UserNotFound
t_api "useradd peer" "NetUserAdd status=0"
t_api "user PEER 1" "name=peer priv=1 flags=0x10241 password=not-returned"
t_api "useradd Peer" "NetUserAdd status=2224"                   # NERR_UserExists, any case
t_api "useradd bad/name" "NetUserAdd status=2202"               # NERR_BadUsername
t_api "useradd abcdefghijklmnopqrstu" "NetUserAdd status=2202"  # 21 characters
t_api "useradd admin2 2" "NetUserAdd status=87 parm_err=5"      # priv must be USER_PRIV_USER
t_api "user peer 3" "NetUserGetInfo status=124"                 # ERROR_INVALID_LEVEL
t_api "useradd-nopw nopw" "NetUserAdd status=0"
t_api "setpw nopw" "NetUserSetInfo status=0"
t_api "setpw ghost" "NetUserSetInfo status=2221"

# Local groups (NetLocalGroupAdd, NetLocalGroupGetInfo, NetLocalGroupDel)
t_api "group Peers" "NetLocalGroupGetInfo status=2220"          # NERR_GroupNotFound
t_api "groupadd Peers" "NetLocalGroupAdd status=0"
t_api "groupadd PEERS" "NetLocalGroupAdd status=1379"           # ERROR_ALIAS_EXISTS
t_api "groupadd peer" "NetLocalGroupAdd status=2224"            # the name is a user's
t_api "useradd peers" "NetUserAdd status=2223"                  # the name is a group's
t_api "group peers 1" "name=Peers comment=samctl test group"
RDLS_FAKESAM_GROUP_EXISTS=2223 t_api "groupadd Peers" "NetLocalGroupAdd status=2223"

# Membership (NetLocalGroupAddMembers, NetLocalGroupGetMembers, NetLocalGroupDelMembers)
t_api "members Peers" "NetLocalGroupGetMembers status=0 read=0 total=0"
t_api "members Ghosts" "NetLocalGroupGetMembers status=1376"    # ERROR_NO_SUCH_ALIAS, as documented
RDLS_FAKESAM_NO_GROUP=2220 t_api "members Ghosts" "NetLocalGroupGetMembers status=2220"
t_api 'addmember Ghosts LICSVR1\peer' "NetLocalGroupAddMembers status=2220"
t_api 'addmember Peers LICSVR1\ghost' "NetLocalGroupAddMembers status=1387"   # ERROR_NO_SUCH_MEMBER
t_api 'addmember Peers OTHERPC\peer' "NetLocalGroupAddMembers status=1387"
t_api 'addmember Peers LICSVR1\peer LICSVR1\ghost' "NetLocalGroupAddMembers status=1387"
t_api "members Peers" "read=0 total=0"                          # all or nothing
t_api 'addmember Peers licsvr1\PEER' "NetLocalGroupAddMembers status=0"
t_api 'addmember Peers LICSVR1\peer' "NetLocalGroupAddMembers status=1378"   # ERROR_MEMBER_IN_ALIAS
t_api 'addmember Peers nopw' "NetLocalGroupAddMembers status=0"  # a bare name is local
t_api "members Peers 3" 'member=LICSVR1\peer'
t_api "members Peers 2" 'member=LICSVR1\nopw use=1 sid=S-1-5-21-'
t_api "members Peers 1" 'name=peer use=1'
t_api "members Peers 0" 'sid=S-1-5-21-1000000001-1000000002-1000000003-'
t_api "members Peers 3 40" "status=234 read=1 total=2"         # ERROR_MORE_DATA, resumed
t_api "members Peers 3 40" "status=0 read=1 total=1"
t_api 'delmember Peers LICSVR1\ghost' "NetLocalGroupDelMembers status=1387"
t_api 'delmember Peers LICSVR1\nopw' "NetLocalGroupDelMembers status=0"
t_api 'delmember Peers LICSVR1\nopw' "NetLocalGroupDelMembers status=1377"   # ERROR_MEMBER_NOT_IN_ALIAS
SAMCTL_SID_FROM=Peers t_api 'addsid Peers LICSVR1\peer' "NetLocalGroupAddMembers status=1378"
t_api "join" "name=WORKGROUP type=2"               # NetSetupWorkgroupName

# RDLS_FAKESAM_FAIL: an injected failure changes nothing.
RDLS_FAKESAM_FAIL=NetUserDel=5 t_api "userdel peer" "NetUserDel status=5"
t_sam_has user peer || t_fail "injected NetUserDel failure deleted the user"

# The database from another process (samctl dump: NetUserEnum, NetUserGetInfo,
# NetLocalGroupEnum, NetLocalGroupGetMembers, and the stand-in's RdlsFakeSamPasswordState;
# nopw got a password with NetUserSetInfo level 1003: "set:1" counts that change), and no
# password in the file.
want='group Peers
member Peers\peer
user nopw priv=1 flags=00010241 password=set:1
user peer priv=1 flags=00010241 password=set'
got=$(t_sam_dump)
[ "$got" = "$want" ] || t_fail "database: got '$(printf '%s' "$got" | tr '\n' '|')'"
t_scan_secret "samctl-Test-Pw1" "$(t_sam_file)"

# Deleting: a user leaves its groups; a group goes with its memberships.
t_api "userdel PEER" "NetUserDel status=0"
t_api "userdel peer" "NetUserDel status=2221"
t_api "members Peers" "read=0 total=0"
t_api "groupdel peers" "NetLocalGroupDel status=0"
t_api "groupdel peers" "NetLocalGroupDel status=2220"

# Wine's own netapi32 (samctl run from a directory without the stand-in): a user added in
# one process is not seen from the next. This is why the stand-in exists.
mkdir -p "$WINEPREFIX/drive_c/plain"
ln -sfn "$T_TOOLS/samctl.exe.so" "$WINEPREFIX/drive_c/plain/samctl.exe.so"
o=$(wine64 "$WINEPREFIX/drive_c/plain/samctl.exe.so" which 2>&1)
case $o in *system32*) ;; *) t_fail "samctl without the stand-in loaded '$o'" ;; esac
wine64 "$WINEPREFIX/drive_c/plain/samctl.exe.so" useradd winestub >/dev/null 2>&1
o=$(wine64 "$WINEPREFIX/drive_c/plain/samctl.exe.so" user winestub 2>&1)
case $o in
*"status=2221"*) say "# confirmed: Wine's NetUserAdd does not persist across processes" ;;
*) say "# note: Wine's own netapi32 now keeps users across processes: $o" ;;
esac
t_sam_has user winestub && t_fail "Wine's netapi32 wrote to the stand-in's database"

t_finish
