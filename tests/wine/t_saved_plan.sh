#!/bin/sh
# Saved plans under Wine, profiles/workgroup-two-servers.ini as license server LICSVR1:
# plan --out, then the accounts group value set by hand (wine64 reg add), then apply --plan
# refuses (exit 1), leaves the hand-made value and writes no credential and no account; a
# saved plan with one byte altered is refused the same way; a fresh saved plan applies
# (exit 0) and leaves what plan said (checked with reg.exe, credprobe, the stand-in's
# accounts); no secret and no credential check string in any plan file. Every --json output
# is validated against its schema.
#
# What Wine cannot show: the saved plan's file security (Wine keeps no file security
# descriptors: that the file is created as a journal is, admin-only, shows only on Windows
# and in the unit tests' fake); local accounts run against the test stand-in for netapi32
# (Wine's are stubs); the SHA-256 is Wine's bcrypt, not Microsoft's CNG (the Windows
# workflow runs the same known answers through CNG). What would show them is this test on
# Windows Server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/json.sh"
t_setup

P=$T_ROOT/profiles/workgroup-two-servers.ini
RDLS_PEER_PASSWORD="saved-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')-Pw!"
export RDLS_PEER_PASSWORD
PLAN1=$T_LOG/reviewed.plan
PLAN2=$T_LOG/fresh.plan
ALTERED=$T_LOG/altered.plan
sam_before=$(t_sam_dump)

t_rdls plan "$P" --host LICSVR1 --out "$PLAN1"
t_expect_rc 2 "plan --out"
t_expect_out "Saved to $PLAN1" "plan --out"
[ -f "$PLAN1" ] || t_fail "plan --out wrote no file"
grep -q '^\[seal\]$' "$PLAN1" || t_fail "the saved plan has no [seal]"
grep -q '^host = LICSVR1$' "$PLAN1" || t_fail "the saved plan does not name host LICSVR1"
grep -q '^name = WorkgroupLicenseServerAccountsGroup$' "$PLAN1" ||
	t_fail "the saved plan has no step for the accounts group value"

# An existing file is refused (it may be what was reviewed).
t_rdls plan "$P" --host LICSVR1 --out "$PLAN1"
t_expect_rc 1 "plan --out to an existing file"
t_expect_err "already exists" "plan --out to an existing file"

t_rdls plan "$P" --host LICSVR1 --json --out "$T_LOG/json.plan"
t_expect_rc 2 "plan --json --out"
t_expect_json plan "plan --json --out"
t_expect_out '"saved":"' "plan --json --out"

# The server changes after the review: the accounts group value is set by hand.
wine64 reg add "$T_LS_KEY" /v "$T_LS_VALUE" /t REG_SZ /d 'LICSVR1\Hand Made' /f >/dev/null 2>&1 ||
	t_fail "reg add of $T_LS_VALUE failed"
t_rdls apply --plan "$PLAN1" --yes
t_expect_rc 1 "apply --plan after a change by hand"
t_expect_err "changed since the plan was saved" "apply --plan after a change by hand"
t_expect_err "$T_LS_VALUE" "apply --plan after a change by hand"
t_expect_err "nothing was changed" "apply --plan after a change by hand"
t_rdls apply --plan "$PLAN1" --yes --json
t_expect_rc 1 "apply --plan --json after a change by hand"
t_expect_json apply "apply --plan --json refused"
t_expect_out '"plan_file":"' "apply --plan --json refused"
got=$(t_reg_get "$T_LS_KEY" "$T_LS_VALUE")
[ "$got" = 'REG_SZ LICSVR1\Hand Made' ] ||
	t_fail "after the refused apply: $T_LS_VALUE is '$got', expected the hand-made 'LICSVR1\\Hand Made'"
t_expect_no_cred LICSVR2
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "the refused apply changed the accounts: $(t_sam_dump | tr '\n' '|')"

# Back to the state of the review; a fresh plan, and a copy of it with one byte altered
# (the first hex digit of the value apply would write).
wine64 reg delete "$T_LS_KEY" /v "$T_LS_VALUE" /f >/dev/null 2>&1 || t_fail "reg delete failed"
t_rdls plan "$P" --host LICSVR1 --out "$PLAN2"
t_expect_rc 2 "plan --out (fresh)"
sed '0,/^after\.data = 4/s//after.data = 5/' "$PLAN2" >"$ALTERED"
cmp -s "$PLAN2" "$ALTERED" && t_fail "the test did not alter the copy"
[ "$(cmp -l "$PLAN2" "$ALTERED" | wc -l)" -eq 1 ] || t_fail "the copy differs in more than one byte"
t_rdls apply --plan "$ALTERED" --yes
t_expect_rc 1 "apply --plan of an altered file"
t_expect_err "altered" "apply --plan of an altered file"
t_reg_get "$T_LS_KEY" "$T_LS_VALUE" >/dev/null && t_fail "the altered plan set $T_LS_VALUE"
t_expect_no_cred LICSVR2
[ "$(t_sam_dump)" = "$sam_before" ] || t_fail "the altered plan changed the accounts"

# The fresh plan applies and leaves what plan said.
t_rdls apply --plan "$PLAN2" --yes --json
t_expect_rc 0 "apply --plan (fresh)"
t_expect_json apply "apply --plan --json"
t_expect_out '"outcome":"applied"' "apply --plan --json"
got=$(t_reg_get "$T_LS_KEY" "$T_LS_VALUE")
[ "$got" = 'REG_SZ LICSVR1\RDLS Peers' ] ||
	t_fail "after apply --plan: $T_LS_VALUE is '$got', expected REG_SZ 'LICSVR1\\RDLS Peers'"
t_expect_cred LICSVR2 'LICSVR2\rdls-peer'
t_sam_has group "RDLS Peers" || t_fail "after apply --plan: no local group 'RDLS Peers'"
t_sam_has member "RDLS Peers" rdls-peer || t_fail "after apply --plan: rdls-peer not in 'RDLS Peers'"
t_rdls plan "$P" --host LICSVR1
t_expect_rc 0 "plan after apply --plan (converged)"

# Applied once, the same saved plan is drift everywhere: refused, nothing changed.
t_rdls apply --plan "$PLAN2" --yes
t_expect_rc 1 "apply --plan twice"
t_expect_err "changed since the plan was saved" "apply --plan twice"

# No secret, nor a credential check string, in any plan file or output.
for f in "$PLAN1" "$PLAN2" "$T_LOG/json.plan"; do
	if grep -q 'rdls1\$' "$f"; then t_fail "$f holds a credential check string"; fi
done
t_scan_secret "$RDLS_PEER_PASSWORD" "$PLAN1" "$PLAN2" "$T_LOG/json.plan"
t_scan_secret_tree "$RDLS_PEER_PASSWORD" "$T_LOG"

t_finish
