#!/bin/sh
# The native build's command line: usage errors, help, version, validate on every
# example profile, and the plain refusal of commands that need Windows.
# Ends with "cli: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
BIN=${RDLSCTL:-build/rdlsctl}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED_RC PATTERN(stdout+stderr, grep -E, may be empty) -- ARGS...
check() {
	name=$1 want=$2 pat=$3
	shift 4
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	cat "$tmp/out" "$tmp/err" >"$tmp/all"
	if [ "$rc" -ne "$want" ]; then
		echo "not ok - $name: exit $rc, expected $want"; sed 's/^/#   /' "$tmp/all"
		failed=$((failed + 1)); return
	fi
	if [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/all"; then
		echo "not ok - $name: output lacks /$pat/"; sed 's/^/#   /' "$tmp/all"
		failed=$((failed + 1)); return
	fi
	echo "ok - $name"
	passed=$((passed + 1))
}

check "no arguments is a usage error" 3 "usage: rdlsctl" --
check "unknown command" 3 "unknown command 'frobnicate'" -- frobnicate
check "unknown option" 3 "unknown option '--frob' for 'plan'" -- plan profiles/workgroup-two-servers.ini --frob
check "--yes is not an option of plan" 3 "unknown option '--yes'" -- plan x.ini --yes
check "--host needs a value" 3 "--host needs a computer name" -- plan x.ini --host
check "validate needs a profile" 3 "needs a PROFILE" -- validate
check "extra argument" 3 "unexpected argument 'b.ini'" -- validate a.ini b.ini
check "help" 0 "Commands:" -- help
check "help apply" 0 "--rotate" -- help apply
check "help of unknown command" 3 "unknown command" -- help nope
check "--version" 0 "^rdlsctl [0-9]+\.[0-9]+\.[0-9]+" -- --version
check "plan needs Windows" 1 "'plan' needs Windows" -- plan profiles/workgroup-two-servers.ini
check "apply needs Windows" 1 "'apply' needs Windows" -- apply profiles/workgroup-two-servers.ini --yes
check "rollback needs Windows" 1 "needs Windows" -- rollback
check "missing profile file" 1 "nonexistent.ini" -- validate "$tmp/nonexistent.ini"

for p in profiles/*.ini; do
	check "validate $p" 0 "valid" -- validate "$p"
	check "validate --json $p" 0 '"valid": ?true' -- validate --json "$p"
done

printf '[deployment]\nmembership = workgroup\nlicensing_mode = per_device\ncal_version = 2019\n[peering]\nacount = x\n' >"$tmp/bad.ini"
check "invalid profile: file:line and exit 1" 1 "bad.ini:6: unknown key 'acount' in \[peering\] \(did you mean 'account'\?\)" -- validate "$tmp/bad.ini"

# SpecifiedLicenseServers holds DNS host names: with method = specified a license server
# without dns = is refused at its own section's line (line 7 here), naming the key.
printf '[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n[discovery]\nmethod = specified\n[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\ndns = licsvr2.corp.example\n' >"$tmp/nodns.ini"
check "specified without dns: refused at the server's line" 1 "nodns.ini:7: missing key 'dns' in \[license_server LICSVR1\].*dns = licsvr1\.corp\.example" -- validate "$tmp/nodns.ini"
sed 's/^method = specified$/method = publish/' "$tmp/nodns.ini" >"$tmp/publish.ini"
check "publish without dns: valid" 0 "valid" -- validate "$tmp/publish.ini"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
