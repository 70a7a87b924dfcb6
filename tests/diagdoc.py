#!/usr/bin/python3
"""docs/diagnose.md's table is complete: every check of the table in src/diag_core.c has a
row (a line starting "| `ID` |" or "| `ID` (...)"), and every finding id src/diag*.c passes to diag_finding as
a literal appears in the document.

usage: diagdoc.py [ROOT]   (default: the repository this file is in)

Prints one line per missing check or finding (what is missing and where it is defined) and
exits 1 if there is any, 0 otherwise; exits 2 when the table or no finding can be found at all,
so that a change of the source's shape cannot make this check pass by finding nothing.
"""
import glob
import os
import re
import sys

ROW = re.compile(r'^\s*\{\s*"([a-z0-9-]+)",\s*(?:DIAG_|SH|LS|BOTH)', re.M)
FINDING = re.compile(r'diag_finding\(\s*\w+,\s*[^,()]+,\s*[^,()]+,\s*"([a-z0-9-]+)"')


def main(root):
    core = os.path.join(root, "src", "diag_core.c")
    with open(core, encoding="utf-8") as f:
        text = f.read()
    start = text.find("diag_checks[] = {")
    end = text.find("};", start)
    if start < 0 or end < 0:
        print(f"{core}: no diag_checks[] table")
        return 2
    checks = ROW.findall(text[start:end])
    findings = {}
    for path in sorted(glob.glob(os.path.join(root, "src", "diag*.c"))):
        with open(path, encoding="utf-8") as f:
            for m in FINDING.finditer(f.read()):
                findings.setdefault(m.group(1), os.path.relpath(path, root))
    if not checks or not findings:
        print(f"found {len(checks)} checks and {len(findings)} finding ids: the source changed shape")
        return 2
    doc_path = os.path.join(root, "docs", "diagnose.md")
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    bad = 0
    for c in checks:
        if not re.search(r"^\| `%s`[ (|]" % re.escape(c), doc, re.M):
            print(f"docs/diagnose.md: no row for check '{c}' (src/diag_core.c)")
            bad += 1
    for fid, where in sorted(findings.items()):
        if f"`{fid}`" not in doc:
            print(f"docs/diagnose.md: finding '{fid}' ({where}) is not named")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else here))
