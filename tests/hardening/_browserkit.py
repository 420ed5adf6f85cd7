"""Stand-in browsers for the argv and loopback tests (issue #13), and the other
user's request against a loopback URL.

The browser is an executable (webbrowser runs ``$BROWSER URL``) that, like
``xdg-open``, starts a child with the URL; the child does the work and writes a
JSON report next to itself (atomically: the test waits for the file, because
awsenv may return as soon as the browser has taken the link).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from _hardkit import BOUND
from support.world import World

REPORT = "browser_report.json"

# The browser: starts its "real browser" child with the URL, as xdg-open does.
BROWSER = """\
import os, subprocess, sys
here = os.path.abspath(sys.argv[0])
child = os.path.join(os.path.dirname(here), "browser_child")
sys.exit(subprocess.call([child, *sys.argv[1:]]))
"""

# Shared by the children: argv snapshots, GETs with or without redirects, the report.
COMMON = """\
import json, os, pathlib, subprocess, sys, urllib.error, urllib.parse, urllib.request
url = sys.argv[-1]
out = pathlib.Path(sys.argv[0]).with_name("browser_report.json")

def argvs():
    seen = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                seen[pid] = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            except OSError:
                pass
    return seen

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

def get(u, follow=True):
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(u, timeout=30) as r:
            return r.status, r.geturl(), r.read().decode(errors="replace"), None
    except urllib.error.HTTPError as e:
        return e.code, u, e.read().decode(errors="replace"), e.headers.get("Location")
    except OSError as e:  # awsenv may already have closed the listener
        return "refused", u, str(e), None

def attack(target):
    argv = json.loads(os.environ.get("ATTACK_ARGV") or "null")
    if not argv:
        return None
    return subprocess.run([*argv, target], capture_output=True, text=True,
                          timeout=60).stdout.strip()

report = {"argv": sys.argv, "argvs_before": argvs()}

def finish():
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report))
    tmp.rename(out)  # whole or absent: the test waits for it
"""

# Console: let the other user try the URL, follow it like a browser, try it again.
FOLLOW = COMMON + """\
try:
    report["attack"] = attack(url)
    status, final, page, _ = get(url)
    report.update(status=status, final=final, page=page, argvs_after=argvs())
    report["again"] = get(url)[0]
except Exception as e:
    report["error"] = repr(e)
finish()
"""

# PKCE, step by step: the hand-off, the authorize page (auto-approved), then
# stray callbacks (wrong state, none, a denial with a wrong state), the other
# user delivering a code of its own with the right state, and the real callback.
PKCE_STEPS = COMMON + """\
try:
    authorize = url
    if urllib.parse.urlsplit(url).path != "/authorize":
        status, _, _, authorize = get(url, follow=False)
        report["handoff"] = status
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    report.update(state=query["state"], challenge=query["code_challenge"])
    status, _, _, callback = get(authorize, follow=False)
    parts = urllib.parse.urlsplit(callback)
    real = dict(urllib.parse.parse_qsl(parts.query))
    report["code"] = real["code"]
    def at(**q):
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q)))
    if os.environ.get("STRAYS"):
        strays = [at(code="stray", state="wrong-" + real["state"]), at(code="stray"),
                  at(error="access_denied", state="wrong"), at()]
        report["strays"] = [get(u)[:3:2] for u in strays]
    if os.environ.get("ATTACK_ARGV"):
        # The attacker's own approval of the same request (it read state, challenge,
        # client and port from argv): a code for an identity of its choosing.
        _, _, _, theirs = get(authorize, follow=False)
        their = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(theirs).query))
        report["their_code"] = their["code"]
        report["attack"] = attack(theirs)
    status, _, page, _ = get(callback)
    report.update(status=status, page=page, argvs_after=argvs())
except Exception as e:
    report["error"] = repr(e)
finish()
"""

# Device code: follow the link to the verification page, approve the code it carries.
DEVICE_APPROVE = COMMON + """\
try:
    report["attack"] = attack(url)
    status, final, page, _ = get(url)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(final).query))["user_code"]
    report.update(status=status, final=final, user_code=code, argvs_after=argvs())
    form = urllib.parse.urlencode({"user_code": code, "decision": "approve"}).encode()
    with urllib.request.urlopen(urllib.request.Request(final.split("?")[0], data=form),
                                timeout=30) as r:
        report["approved"] = r.status
except Exception as e:
    report["error"] = repr(e)
finish()
"""

# What the other user runs against a URL (prints the HTTP status, follows nothing).
ATTACK_PY = ("import sys, urllib.error, urllib.request\n"
             "class N(urllib.request.HTTPRedirectHandler):\n"
             "    def redirect_request(self, *a, **k):\n"
             "        return None\n"
             "try:\n"
             "    print(urllib.request.build_opener(N).open(sys.argv[1], timeout=30).status)\n"
             "except urllib.error.HTTPError as e:\n"
             "    print(e.code)\n")

# Variables that would make the CLI choose the device code over PKCE.
NO_FLOW_HINTS = {name: "" for name in ("CI", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY",
                                       "WSL_DISTRO_NAME", "WSL_INTEROP")}


def attack_argv(other_user: Any) -> list[str]:
    """setpriv to the other user, then a GET that prints the HTTP status without
    following a redirect (curl, else the system python3: the venv may be private)."""
    prefix = ["setpriv", f"--reuid={other_user.uid}", f"--regid={other_user.gid}",
              "--clear-groups", "--"]
    curl = shutil.which("curl")
    if curl:
        return [*prefix, curl, "-s", "-o", "/dev/null", "-w", "%{http_code}"]
    python = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3")
                   if os.access(p, os.X_OK)), None)
    if python is None:
        pytest.fail("neither curl nor a system python3 to run as the other user")
    return [*prefix, python, "-c", ATTACK_PY]


def install_browser(world: World, child_body: str) -> tuple[str, Path]:
    """(BROWSER value, where its report will be)."""
    script = world.browser_script("browser_xdg", BROWSER)
    world.browser_script("browser_child", child_body)
    return script, Path(script).with_name(REPORT)


def read_report(path: Path) -> dict[str, Any]:
    """The child's report, once written; the bound is a hang detector only."""
    deadline = time.monotonic() + BOUND
    while not path.exists():
        assert time.monotonic() < deadline, "the stand-in browser never reported"
        time.sleep(0.05)
    report: dict[str, Any] = json.loads(path.read_text())
    assert "error" not in report, report
    return report


def all_argv_text(report: dict[str, Any]) -> str:
    """Every argv the browser saw on the machine (its own, its parents', everyone's)."""
    texts = [*report["argvs_before"].values(), *report.get("argvs_after", {}).values(),
             "\0".join(report["argv"])]
    return "\n".join(texts)
