#!/usr/bin/python3
"""Every relative Markdown link of the repository's documentation resolves.

usage: doclinks.py [ROOT]   (default: the repository this file is in)

Checks README.md, docs/**/*.md, tests/**/*.md and contrib/**/*.md under ROOT: each inline link
`[text](target)` that is not a URL must name an existing file or directory inside ROOT (nothing
may point outside the repository), and a `#fragment` must be a heading of the target Markdown
file, spelled as GitHub makes anchors of headings. Links inside code (fenced blocks, `spans`)
are not links. Prints one line per broken link (file:line: target: why) and exits 1 if there is
any, 0 otherwise.
"""
import os
import re
import sys

LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def lines_outside_code(path):
    """(line number, text without code spans) of each line outside fenced blocks."""
    with open(path, encoding="utf-8") as f:
        fenced = False
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, re.sub(r"`[^`]*`", "", line.rstrip("\n"))


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text only
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen = {}
        found = set()
        with open(path, encoding="utf-8") as f:
            fenced = False
            for line in f:
                if FENCE.match(line):
                    fenced = not fenced
                    continue
                m = None if fenced else HEADING.match(line)
                if m:
                    s = slug(m.group(1))
                    k = seen.get(s, 0)
                    seen[s] = k + 1
                    found.add(s if k == 0 else "%s-%d" % (s, k))
        cache[path] = found
    return cache[path]


def documents(root):
    top = os.path.join(root, "README.md")
    if os.path.isfile(top):
        yield top
    for sub in ("docs", "tests", "contrib"):
        for d, dirs, files in os.walk(os.path.join(root, sub)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".md"):
                    yield os.path.join(d, name)


def main():
    root = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else
                            os.path.join(os.path.dirname(__file__), ".."))
    broken = 0
    checked = 0
    for doc in documents(root):
        rel_doc = os.path.relpath(doc, root)
        for n, line in lines_outside_code(doc):
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    continue  # https:, mailto: ...
                checked += 1
                path, _, frag = target.partition("#")
                dest = os.path.realpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                why = None
                if os.path.commonpath([root, dest]) != root:
                    why = "points outside the repository"
                elif not os.path.exists(dest):
                    why = "no such file"
                elif frag and dest.endswith(".md") and frag not in anchors(dest):
                    why = "no heading '#%s' in %s" % (frag, os.path.relpath(dest, root))
                if why:
                    print("%s:%d: %s: %s" % (rel_doc, n, target, why))
                    broken += 1
    if checked == 0:
        print("no links found under %s" % root)
        return 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
