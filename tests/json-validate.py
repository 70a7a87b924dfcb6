#!/usr/bin/python3
"""tests/json-validate.py [--exit-code N] SCHEMA [FILE]

Validates one rdlsctl --json document (FILE, or standard input) against
docs/schema/SCHEMA.schema.json (SCHEMA: validate, plan, apply, rollback, status,
diagnose or envelope) with python3-jsonschema (Debian's; run it with /usr/bin/python3,
not another Python on PATH). The input must be exactly one JSON document: anything
before or after it, a duplicate key or a NaN is an error. --exit-code N also requires
the document's exit_code to be N (the process's own exit status).

Exit 0 when valid; 1 with the validator's messages on stderr when not; 2 on a usage
error or a broken schema.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("json-validate: python3-jsonschema is missing "
                     "(sh scripts/install-deps.sh, or apt-get install python3-jsonschema)\n")
    sys.exit(2)

SCHEMA_DIR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "schema"


def usage(msg):
    sys.stderr.write("json-validate: %s\nusage: %s [--exit-code N] SCHEMA [FILE]\n"
                     % (msg, sys.argv[0]))
    sys.exit(2)


def strict_object(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate key %r" % k)
        obj[k] = v
    return obj


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def load_store():
    """Every schema by its file URI, so that relative $refs resolve offline."""
    store = {}
    for p in sorted(SCHEMA_DIR.glob("*.schema.json")):
        with p.open(encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        store[p.as_uri()] = schema
    return store


def main(argv):
    want_rc = None
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--exit-code":
        try:
            want_rc = int(args[1])
        except ValueError:
            usage("--exit-code needs a number")
        args = args[2:]
    if len(args) not in (1, 2):
        usage("expected SCHEMA [FILE]")
    path = SCHEMA_DIR / (args[0] + ".schema.json")
    if not path.is_file():
        usage("no schema %s" % path)
    try:
        store = load_store()
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        sys.stderr.write("json-validate: broken schema in %s: %s\n" % (SCHEMA_DIR, e))
        return 2
    name = args[1] if len(args) == 2 else "<stdin>"
    try:
        if len(args) == 2:
            with open(args[1], "rb") as f:
                raw = f.read()
        else:
            raw = sys.stdin.buffer.read()
        text = raw.decode("utf-8")
        doc = json.loads(text, object_pairs_hook=strict_object, parse_constant=reject_constant)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        sys.stderr.write("json-validate: %s is not one JSON document: %s\n" % (name, e))
        return 1
    schema = store[path.as_uri()]
    resolver = jsonschema.RefResolver(base_uri=path.as_uri(), referrer=schema, store=store)
    validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        sys.stderr.write("json-validate: %s: %s: %s\n" % (name, where, e.message))
        for sub in e.context or []:
            subwhere = "/".join(str(p) for p in sub.absolute_path) or "(document)"
            sys.stderr.write("json-validate:   %s: %s\n" % (subwhere, sub.message))
    if errors:
        sys.stderr.write("json-validate: %s does not match %s (%d error%s)\n"
                         % (name, path.name, len(errors), "" if len(errors) == 1 else "s"))
        return 1
    if want_rc is not None and (not isinstance(doc, dict) or doc.get("exit_code") != want_rc):
        sys.stderr.write("json-validate: %s: exit_code is %r, but the process exited %d\n"
                         % (name, doc.get("exit_code") if isinstance(doc, dict) else None,
                            want_rc))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
