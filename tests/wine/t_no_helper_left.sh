#!/bin/sh
# No rdlsctl-helper-* service stays registered, on a passing and on a failing path, and a
# helper left behind by a crashed run is removed by the next run that needs the helper.
# (Every test also checks this in its cleanup, passing or failing: lib.sh t_cleanup.)
#
# Local accounts run against the test stand-in for netapi32 (Wine's are stubs); its
# RDLS_FAKESAM_FAIL knob makes NetLocalGroupAddMembers fail for the failing path.
. "$(dirname "$0")/lib.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="helper-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD

# 1. A stale helper, as a run killed between CreateServiceW and DeleteService leaves it
#    (stopped, its rdlsctl gone); the next run that starts a helper sweeps it.
stale=rdlsctl-helper-00000000deadbeef00000000deadbeef
wine64 sc create "$stale" binpath= 'C:\windows\system32\cmd.exe /c exit' </dev/null >/dev/null 2>&1
t_reg_exists "HKLM\\SYSTEM\\CurrentControlSet\\Services\\$stale" ||
	t_die "could not plant the stale helper service '$stale'"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 2 "plan (starts the helper to read the credential)"
t_check_no_helper && say "# the stale helper was swept by plan"

# 2. A failing apply: the helper has read the credential, then the membership step fails
#    and the steps before it are undone.
sam_before=$(t_sam_dump)
RDLS_FAKESAM_FAIL=NetLocalGroupAddMembers=5 t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 1 "apply with NetLocalGroupAddMembers failing"
t_expect_err "NetLocalGroupAddMembers" "the error names the API"
[ "$(t_sam_dump)" = "$sam_before" ] ||
	t_fail "after the failed apply: accounts '$(t_sam_dump | tr '\n' '|')', expected '$sam_before'"
t_expect_no_cred LICSVR2
t_check_no_helper

# 3. A passing apply and its rollback.
t_rdls apply "$P" --host LICSVR1 --yes
t_expect_rc 0 "apply"
t_check_no_helper
t_rdls rollback --yes
t_expect_rc 0 "rollback"
t_check_no_helper

t_finish
