#!/bin/sh
# The native build's command line: usage errors, help, version, validate on every
# example profile, and the plain refusal of commands that need Windows; every --json
# output is validated against its schema in docs/schema/ (tests/json-validate.py); the
# documentation's relative links resolve (tests/doclinks.py).
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

# check_json NAME SCHEMA EXPECTED_RC PATTERN -- ARGS...: as check, and stdout must be exactly one
# JSON document that docs/schema/SCHEMA.schema.json accepts (python3-jsonschema, through
# tests/json-validate.py) with exit_code EXPECTED_RC; nothing else may be on stdout.
VALIDATE="/usr/bin/python3 tests/json-validate.py"
check_json() {
	jname=$1 schema=$2 jwant=$3 jpat=$4
	shift 5
	before=$failed
	check "$jname" "$jwant" "$jpat" -- "$@"
	[ "$failed" -eq "$before" ] || return
	if ! $VALIDATE --exit-code "$jwant" "$schema" "$tmp/out" 2>"$tmp/verr"; then
		echo "not ok - $jname: stdout is not a valid $schema document"
		sed 's/^/#   /' "$tmp/verr" "$tmp/out"
		passed=$((passed - 1)); failed=$((failed + 1))
	fi
}

# reject NAME SCHEMA: the validator must refuse the document on standard input.
reject() {
	if $VALIDATE "$2" >/dev/null 2>"$tmp/verr"; then
		echo "not ok - $1: the validator accepted it"; failed=$((failed + 1))
	else
		echo "ok - $1"; passed=$((passed + 1))
	fi
}

check "no arguments is a usage error" 3 "usage: rdlsctl" --
check "unknown command" 3 "unknown command 'frobnicate'" -- frobnicate
check "unknown option" 3 "unknown option '--frob' for 'plan'" -- plan profiles/workgroup-two-servers.ini --frob
check "--yes is not an option of plan" 3 "unknown option '--yes'" -- plan x.ini --yes
check "--host needs a value" 3 "--host needs a computer name" -- plan x.ini --host
check "--out needs a value" 3 "--out needs a file name" -- plan x.ini --out
check "--out is not an option of apply" 3 "unknown option '--out'" -- apply x.ini --out f.plan
check "--plan needs a value" 3 "--plan needs a file name" -- apply --plan
check "--plan takes no PROFILE" 3 "--plan FILE takes no PROFILE" -- apply --plan f.plan x.ini
check "--plan takes no --host" 3 "--plan FILE takes no --host" -- apply --plan f.plan --host H
check "apply --plan needs Windows" 1 "needs Windows" -- apply --plan f.plan --yes
check "diagnose --check of an unknown check" 3 "no check 'frob'" -- diagnose --check frob
check "--check is not an option of plan" 3 "unknown option '--check'" -- plan x.ini --check ls-rpc
check "--warn-available needs a value" 3 "--warn-available needs a number of licenses" -- diagnose --warn-available
check "--warn-available of a word" 3 "not 'many'" -- diagnose --warn-available many
check "--warn-available of a negative number" 3 "not '-1'" -- diagnose --warn-available -1
check "--warn-available above 32 bits" 3 "not '4294967296'" -- diagnose --warn-available 4294967296
check "--warn-available with a sign" 3 "not '[+]5'" -- diagnose --warn-available +5
check "--warn-available is not an option of plan" 3 "unknown option '--warn-available'" -- plan x.ini --warn-available 5
check "diagnose --warn-available 4294967295 is accepted (then needs Windows)" 1 "needs Windows" -- diagnose --warn-available 4294967295
check "diagnose --days needs a value" 3 "--days needs a number of days" -- diagnose --days
check "diagnose --days 0" 3 "--days '0' is not a number from 1 to 365" -- diagnose --days 0
check "diagnose --days 366" 3 "--days '366' is not a number from 1 to 365" -- diagnose --days 366
check "diagnose --days -1" 3 "--days '-1' is not a number from 1 to 365" -- diagnose --days -1
check "diagnose --days 7x" 3 "--days '7x' is not a number from 1 to 365" -- diagnose --days 7x
check "diagnose --days of a huge number" 3 "is not a number from 1 to 365" -- diagnose --days 99999999999999999999
check "diagnose --days 365 is valid (needs Windows)" 1 "needs Windows" -- diagnose --days 365
check "diagnose --days 1 is valid (needs Windows)" 1 "needs Windows" -- diagnose --days 1
check "--days is not an option of plan" 3 "unknown option '--days'" -- plan x.ini --days 7
check "help diagnose names --days" 0 "--days N" -- help diagnose
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
	check_json "validate --json $p" validate 0 '"valid": ?true' -- validate --json "$p"
done

printf '[deployment]\nmembership = workgroup\nlicensing_mode = per_device\ncal_version = 2019\n[peering]\nacount = x\n' >"$tmp/bad.ini"
check "invalid profile: file:line and exit 1" 1 "bad.ini:6: unknown key 'acount' in \[peering\] \(did you mean 'account'\?\)" -- validate "$tmp/bad.ini"

# --json: one document of the command's schema for every outcome, also when it fails early.
check_json "validate --json of an invalid profile: errors with file and line" validate 1 \
	'"message":"unknown key .acount. in \[peering\][^"]*","file":"[^"]*bad.ini","line":6' -- validate --json "$tmp/bad.ini"
check_json "validate --json of a missing file" validate 1 '"valid":false' -- validate --json "$tmp/nonexistent.ini"
check_json "validate --json without a profile (usage error)" validate 3 "needs a PROFILE" -- validate --json
check_json "plan --json needs Windows" plan 1 '"errors":\[\{"message":"'"'"'plan'"'"' needs Windows' -- plan --json profiles/workgroup-two-servers.ini
check_json "plan --json with an unknown option (usage error)" plan 3 "unknown option '--frob'" -- plan profiles/workgroup-two-servers.ini --json --frob
check_json "apply --dry-run --json is plan's document" plan 1 '"command":"plan"' -- apply --dry-run --json profiles/workgroup-two-servers.ini
check_json "apply --json needs Windows" apply 1 "needs Windows" -- apply --json --yes profiles/workgroup-two-servers.ini
check_json "rollback --json needs Windows" rollback 1 "needs Windows" -- rollback --json --yes
check_json "status --json needs Windows" status 1 "needs Windows" -- status --json profiles/workgroup-two-servers.ini --host LICSVR1
check_json "status --json --host without a name (usage error)" status 3 "needs a computer name" -- status --json profiles/workgroup-two-servers.ini --host
check_json "diagnose --json needs Windows" diagnose 1 "needs Windows" -- diagnose --json

# The validator is a real check: it refuses what the schemas forbid.
good=$("$BIN" validate --json profiles/domain-publish.ini)
printf '%s\n' "$good" | sed 's/"valid":true/"valid":true,"extra":1/' | reject "validator: a field the schema does not name" validate
printf '%s\n' "$good" | sed 's/"format_version":3,//' | reject "validator: no format_version" validate
printf '%s\n' "$good" | sed 's/"format_version":3/"format_version":2/' | reject "validator: format_version 2" validate
printf '%s\n%s\n' "$good" "$good" | reject "validator: two documents" validate
printf '%s\n' "$good" | sed 's/"exit_code":0/"exit_code":1/' | reject "validator: exit_code 1 of a valid profile" validate
printf '%s\n' "$good" | reject "validator: a validate document is not a plan document" plan
if printf '%s\n' "$good" | $VALIDATE --exit-code 2 validate >/dev/null 2>&1; then
	echo "not ok - validator: --exit-code 2 accepted exit_code 0"; failed=$((failed + 1))
else
	echo "ok - validator: --exit-code compares the process's exit code"; passed=$((passed + 1))
fi

# SpecifiedLicenseServers holds DNS host names: with method = specified a license server
# without dns = is refused at its own section's line (line 7 here), naming the key.
printf '[deployment]\nmembership = domain\nlicensing_mode = per_user\ncal_version = 2019\n[discovery]\nmethod = specified\n[license_server LICSVR1]\nos = 2019\n[license_server LICSVR2]\nos = 2019\ndns = licsvr2.corp.example\n' >"$tmp/nodns.ini"
check "specified without dns: refused at the server's line" 1 "nodns.ini:7: missing key 'dns' in \[license_server LICSVR1\].*dns = licsvr1\.corp\.example" -- validate "$tmp/nodns.ini"
sed 's/^method = specified$/method = publish/' "$tmp/nodns.ini" >"$tmp/publish.ini"
check "publish without dns: valid" 0 "valid" -- validate "$tmp/publish.ini"

# The documentation's relative links (README.md, docs/, tests/, contrib/) name files inside the
# repository, and their #fragments headings of the target (tests/doclinks.py); shown to refuse a
# missing file, a missing heading and a link out of the repository.
if /usr/bin/python3 tests/doclinks.py >"$tmp/links" 2>&1; then
	echo "ok - documentation links resolve"; passed=$((passed + 1))
else
	echo "not ok - documentation links resolve"; sed 's/^/#   /' "$tmp/links"; failed=$((failed + 1))
fi
mkdir -p "$tmp/doc/docs"
printf '# T\n\n## Real heading\n\n[a](docs/x.md) [b](#real-heading) [c](#gone) [d](../outside.md) [e](docs/nope.md)\n' >"$tmp/doc/README.md"
printf 'x\n' >"$tmp/doc/docs/x.md"
if /usr/bin/python3 tests/doclinks.py "$tmp/doc" >"$tmp/links" 2>&1 ||
   [ "$(grep -c 'README.md:5: ' "$tmp/links")" -ne 3 ] || ! grep -q "nope.md: no such file" "$tmp/links" ||
   ! grep -q "#gone: no heading" "$tmp/links" || ! grep -q "outside.md: points outside" "$tmp/links"; then
	echo "not ok - doclinks: refuses a missing file or heading and a link out of the repository"
	sed 's/^/#   /' "$tmp/links"; failed=$((failed + 1))
else
	echo "ok - doclinks: refuses a missing file or heading and a link out of the repository"; passed=$((passed + 1))
fi

# A rule of the source, checked by grep: finder prints one line per violation in the files
# given. Passes when the sources have none, and shows the finder catches the planted file's
# `want` violations (a finder that matches nothing would pass the first part by itself).
source_rule() {
	name=$1 finder=$2 planted=$3 want=$4
	shift 4
	hits=$($finder "$@")
	if [ -n "$hits" ]; then
		echo "not ok - $name:"; printf '%s\n' "$hits" | sed 's/^/#   /'; failed=$((failed + 1))
	else
		echo "ok - $name"; passed=$((passed + 1))
	fi
	if [ "$($finder "$planted" | wc -l)" -eq "$want" ]; then
		echo "ok - $name: a planted violation is found"; passed=$((passed + 1))
	else
		echo "not ok - $name: a planted violation is missed"; failed=$((failed + 1))
	fi
}

# The one rule (docs/HACKING.md): the portable core reaches the OS only through the system
# interface. No src/*.c but main.c (which owns the options and reads NO_COLOR) includes
# <windows.h>, reads the environment, the clock or a file's mode bits; comments aside.
os_calls() {
	grep -Hn 'windows\.h\|getenv\|\btime(\|gmtime\|localtime\|[^_]stat(' "$@" |
		grep -v '^[^:]*:[0-9]*:[[:space:]]*/\?\*'
}
printf 'static long f(void)\n{\n\treturn (long)time(NULL);\n}\n/* gmtime in a comment */\n' >"$tmp/planted.c"
source_rule "the core calls the OS only through the interface" os_calls "$tmp/planted.c" 1 \
	$(ls src/*.c | grep -v '^src/main\.c$')

# A resource kind owns its special cases (src/resource.h): outside src/res_*.c no file asks
# which kind a step is, by comparing ops pointers or kind names.
kind_asks() {
	grep -HnE '(ops|->ops|\.ops) *[!=]= *&res_[a-z]+_ops|&res_[a-z]+_ops *[!=]=|strcmp\([^;]*->kind, *"' "$@"
}
printf 'if (s->ops == &res_user_ops)\n\tx();\nif (strcmp(s->ops->kind, "cred") == 0)\n' >"$tmp/kind.c"
source_rule "no file outside src/res_*.c asks a step's kind" kind_asks "$tmp/kind.c" 2 \
	$(ls src/*.c src/win32/*.c | grep -v '^src/res_')

# docs/diagnose.md names every check of the table and every finding id (tests/diagdoc.py);
# shown to notice a check whose row and findings were taken out of the document.
if /usr/bin/python3 tests/diagdoc.py >"$tmp/dd.out" 2>&1; then
	echo "ok - docs/diagnose.md names every check and finding"; passed=$((passed + 1))
else
	echo "not ok - docs/diagnose.md names every check and finding"; sed 's/^/#   /' "$tmp/dd.out"; failed=$((failed + 1))
fi
mkdir -p "$tmp/dd/src" "$tmp/dd/docs"
cp src/diag*.c "$tmp/dd/src/"
grep -v 'cal-pack' docs/diagnose.md >"$tmp/dd/docs/diagnose.md"
if /usr/bin/python3 tests/diagdoc.py "$tmp/dd" >"$tmp/dd.out" 2>&1 || ! grep -q "no row for check 'cal-packs'" "$tmp/dd.out" ||
   ! grep -q "finding 'cal-pack-low'" "$tmp/dd.out"; then
	echo "not ok - diagdoc: notices a missing row and finding"; sed 's/^/#   /' "$tmp/dd.out"; failed=$((failed + 1))
else
	echo "ok - diagdoc: notices a missing row and finding"; passed=$((passed + 1))
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
