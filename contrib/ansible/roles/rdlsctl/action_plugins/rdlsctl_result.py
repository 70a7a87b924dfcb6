# Interprets one rdlsctl --json run (plan, apply or rollback) for Ansible: changed, failed,
# the message, the diff and the document. Runs on the controller only; it never connects to
# the host and never sees the peer secret (the run's task has it in its environment, this
# task only gets the run's registered result: rc, stdout and stderr).
#
# The format is rdlsctl's JSON envelope, format_version 3 (docs/schema/*.schema.json in the
# rdlsctl repository; README "JSON output"). Exit codes: 0 success / nothing to change,
# 1 error (a failed apply was rolled back), 2 changes pending (plan), 3 usage error or
# refused, 4 incomplete.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

DOCUMENTATION = r"""
name: rdlsctl_result
short_description: Turn one rdlsctl --json run into changed, failed, msg and diff
description:
  - Reads the exit status and the JSON document of C(rdlsctl plan --json), C(apply --yes --json)
    or C(rollback --yes --json) and reports them the Ansible way.
  - plan - exit 0 unchanged, exit 2 changed (changes pending).
  - apply - changed when at least one step is left done (or its undo failed); rollback -
    changed when at least one step was restored.
  - Exit 1, 3 or 4, a document of another command or format, or no document at all - failed,
    with the document's errors as the message.
options:
  command:
    description: Which command ran.
    choices: [plan, apply, rollback]
    required: true
  run:
    description:
      - The registered result of the task that ran it (ansible.windows.win_command) - its
        rc, stdout (the JSON document) and stderr, or msg when the program did not run.
    type: dict
    required: true
  host:
    description: The host's name, for the diff's headers.
    default: ''
"""

FORMAT_VERSION = 3
# Which step results leave a change on the host: apply's done steps and those whose undo
# failed (a failed apply), rollback's restored steps. plan: exit 2.
CHANGED_RESULT = {"apply": ("done", "undo_failed"), "rollback": ("restored",)}
EXIT_MEANING = {
    1: "error",
    3: "usage error or refused",
    4: "incomplete: some changes are still in place",
}
STDERR_TAIL = 20


def _messages(items):
    """The texts of an errors or warnings array (objects with message[, file[, line]])."""
    out = []
    for m in items if isinstance(items, list) else []:
        if isinstance(m, dict) and isinstance(m.get("message"), str):
            where = m.get("file")
            if isinstance(where, str) and isinstance(m.get("line"), int):
                where = "%s:%d" % (where, m["line"])
            out.append("%s: %s" % (where, m["message"]) if where else m["message"])
    return out


def _tail(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return "\n".join(lines[-STDERR_TAIL:])


def _diff(command, doc, host):
    """before/after texts, one line per step that plan would change or that did change."""
    want = CHANGED_RESULT.get(command)
    before, after = [], []
    for s in doc.get("steps") or []:
        if not isinstance(s, dict):
            continue
        if want is not None and s.get("result") not in want:
            continue
        obj = s.get("object", "?")
        before.append("%s: %s\n" % (obj, s.get("before", "?")))
        after.append("%s: %s\n" % (obj, s.get("after", "?")))
    if not before:
        return None
    label = host or doc.get("host") or "host"
    return {
        "before_header": "%s (before rdlsctl %s)" % (label, command),
        "after_header": "%s (after rdlsctl %s)" % (label, command),
        "before": "".join(before),
        "after": "".join(after),
    }


def interpret(command, rc, stdout, stderr="", host=""):
    """The result dictionary of one run; pure, so that it can be tested without a host."""
    res = {"changed": False, "failed": False, "rc": rc, "rdlsctl": None, "journal": None,
           "rdlsctl_warnings": []}
    try:
        if isinstance(stdout, dict):  # already parsed by a template on the way
            doc = stdout
        else:
            doc = json.loads(stdout) if stdout and stdout.strip() else None
    except ValueError as e:
        doc = None
        res["msg"] = "rdlsctl %s printed no valid JSON document (exit %s): %s" % (command, rc, e)
    if not isinstance(doc, dict):
        res["failed"] = True
        res.setdefault("msg", "rdlsctl %s printed no JSON document (exit %s)" % (command, rc))
        if _tail(stderr):
            res["msg"] += "; its standard error ends:\n" + _tail(stderr)
        return res
    res["rdlsctl"] = doc
    if doc.get("format_version") != FORMAT_VERSION:
        res["failed"] = True
        res["msg"] = ("rdlsctl %s printed a document of format_version %r; this role reads "
                      "format_version %d (a newer rdlsctl needs a newer role)"
                      % (command, doc.get("format_version"), FORMAT_VERSION))
        return res
    if doc.get("command") != command:
        res["failed"] = True
        res["msg"] = "rdlsctl %s printed a document of command %r" % (command, doc.get("command"))
        return res
    if doc.get("exit_code") != rc:
        res["failed"] = True
        res["msg"] = ("rdlsctl %s exited %s but its document says exit_code %r"
                      % (command, rc, doc.get("exit_code")))
        return res

    journal = doc.get("journal")
    res["journal"] = journal if isinstance(journal, str) else None
    warnings = _messages(doc.get("warnings"))
    for c in doc.get("conflicts") or []:
        if isinstance(c, dict):
            warnings.append("%s: %s (%s)" % (c.get("object", "?"), c.get("state", "?"),
                                             c.get("note", "")))
    res["rdlsctl_warnings"] = warnings
    diff = _diff(command, doc, host)
    if diff:
        res["diff"] = diff

    want = CHANGED_RESULT.get(command)
    steps = [s for s in doc.get("steps") or [] if isinstance(s, dict)]
    if want is None:
        res["changed"] = rc == 2
    else:
        res["changed"] = any(s.get("result") in want for s in steps)
    host_name = doc.get("host") or host or "?"

    if rc == 0 or (command == "plan" and rc == 2):
        if command == "plan":
            res["msg"] = ("%s: %d change(s) pending" % (host_name, len(steps)) if rc == 2
                          else "%s: converged, nothing to change" % host_name)
        elif command == "apply":
            n = sum(1 for s in steps if s.get("result") == "done")
            res["msg"] = ("%s: applied %d change(s); journal %s" % (host_name, n, res["journal"])
                          if n else "%s: converged, nothing to change" % host_name)
        else:
            n = sum(1 for s in steps if s.get("result") == "restored")
            res["msg"] = "%s: rolled back %d change(s) of %s" % (host_name, n, doc.get("journal"))
        return res

    res["failed"] = True
    errors = _messages(doc.get("errors"))
    failed_steps = ["%s: %s" % (s.get("object", "?"), s.get("error"))
                    for s in steps if isinstance(s.get("error"), str)]
    parts = ["rdlsctl %s on %s exited %s (%s)" % (command, host_name, rc,
                                                  EXIT_MEANING.get(rc, "unexpected exit status"))]
    parts.extend(errors or failed_steps or ["the document names no error"])
    for key in ("blocked", "remedy"):
        if isinstance(doc.get(key), str):
            parts.append("%s: %s" % (key, doc[key]))
    outcome = doc.get("outcome")
    if outcome == "failed_rolled_back":
        parts.append("every completed step was undone: the host is as before")
    elif outcome == "failed_incomplete" or (command == "rollback" and rc == 4):
        left = [s.get("object", "?") for s in steps
                if s.get("result") in ("undo_failed", "unknown", "drift", "irreversible", "done")]
        if left:
            parts.append("not restored: " + "; ".join(left))
    if res["journal"]:
        parts.append("journal: %s" % res["journal"])
    res["msg"] = "\n".join(parts)
    return res


class ActionModule(ActionBase):
    """Runs on the controller: no module, no file transfer; reads only its arguments."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("command", "run", "host"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        command = args.get("command")
        if command not in ("plan", "apply", "rollback"):
            raise AnsibleActionFail("command must be plan, apply or rollback, not %r" % (command,))
        run = args.get("run")
        if not isinstance(run, dict):
            raise AnsibleActionFail("run must be the registered result of the task that ran "
                                    "rdlsctl, not %r" % (type(run).__name__,))
        try:
            rc = int(run["rc"])
        except (KeyError, TypeError, ValueError):
            # The program did not run at all (not found, WinRM error): no exit status.
            result.update(changed=False, failed=True, rc=None, rdlsctl=None, journal=None,
                          rdlsctl_warnings=[],
                          msg="rdlsctl %s did not run: %s" % (command, run.get("msg", "no exit status")))
            return result
        out = interpret(command, rc, run.get("stdout") or "", run.get("stderr") or "",
                        args.get("host") or "")
        if out["rdlsctl_warnings"]:
            result["warnings"] = ["rdlsctl: " + w for w in out["rdlsctl_warnings"]]
        result.update(out)
        return result
