# tests/wine/json.sh: checks of rdlsctl's --json output, for the tests that run it.
# Sourced after lib.sh (it uses T_OUT, T_RC, T_ROOT, t_fail).
#
# t_expect_json SCHEMA WHAT: the stdout of the last t_rdls is exactly one JSON document
# that docs/schema/SCHEMA.schema.json accepts (python3-jsonschema, the Debian package,
# through tests/json-validate.py and /usr/bin/python3), and its exit_code is the exit
# status rdlsctl returned. Nothing else may be on stdout.
t_expect_json() {
	if ! /usr/bin/python3 "$T_ROOT/tests/json-validate.py" --exit-code "$T_RC" "$1" "$T_OUT" \
		>"$T_OUT.jv" 2>&1; then
		t_fail "$2: stdout is not a valid $1 document: $(head -c 600 "$T_OUT.jv" | tr '\n' ' ')"
		return 1
	fi
	say "# $2: stdout is one $1 document (docs/schema/$1.schema.json)"
	return 0
}
