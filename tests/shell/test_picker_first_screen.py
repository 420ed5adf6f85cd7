"""What the picker's first screen costs on a large config (issue #15: under 150 ms at 15,000).

bench/scale.py times it; here the design that holds the budget is counted, in
the real command on a real terminal (a pty), 6,000 profiles and a fresh
profile-facts index: before the picker draws, the command reads the index's
names file once and the buckets of one screenful of rows only, never the AWS
config, and loads none of the modules a config parse or awsenv.settings
brings (pathlib, dataclasses, json, the config readers). The other rows are
read once the screen is up, and the filter finds a profile far past the
first screen. prompt_toolkit's package ``__init__`` (prompt sessions,
dialogs) is skipped.

The probe wraps awsenv.picker.pick to note what was opened and loaded when
the first rows reach it, then calls it as is.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from support.world import write_config

from awsenv import picker
from awsenv.paths import Paths
from awsenv.shells import profileindex, records
from awsenv.shells.records import PROTOCOL

pytestmark = pytest.mark.shells

COUNT = 6000
PROBE = """
import json, os, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "open"
                 and isinstance(args[0], str) else None)
before = set(sys.modules)
from awsenv import picker
seen = {}
real = picker.pick
def pick(candidates, **kw):
    seen.update(rows=[c.name for c in candidates], total=kw.get("total"),
                lazy=kw.get("complete") is not None, opened=list(opened),
                loaded=sorted(set(sys.modules) - before))
    return real(candidates, **kw)
picker.pick = pick
from awsenv.cli import main
rc = main(["use", "--emit", "--protocol", "PROTOCOL"])
sys.stdout.flush()
seen.update(opened_all=opened, loaded_all=sorted(set(sys.modules) - before))
with open(os.environ["PROBE_REPORT"], "w") as fh:
    json.dump(seen, fh)
sys.exit(rc)
""".replace("PROTOCOL", str(PROTOCOL))
# What a config parse, awsenv.settings or awsenv.fsutil would bring (~15 ms before any row).
HEAVY = ("pathlib", "dataclasses", "json", "awsenv.awsconfig", "awsenv.shells.profileinfo",
         "awsenv.settings", "awsenv.fsutil", "awsenv.environment", "prompt_toolkit")


def big_config() -> list[str]:
    """COUNT profiles (about sync's size each; no session, so a switch needs no sign-in),
    and a fresh index of them, as `awsenv sync` leaves it."""
    names = [f"acct-{i:05d}-{role}" for i in range(COUNT // 3)
             for role in ("admin", "dev", "read")]
    write_config("".join(f"[profile {n}]\n# {'owned by the platform team ' * 4}\n"
                         f"sso_account_id = {100000000000 + i // 3}\n"
                         f"sso_role_name = {n.rsplit('-', 1)[1].title()}\n"
                         "region = eu-west-1\n\n" for i, n in enumerate(names)))
    profileindex.build(*profileindex.location(os.environ))
    return names


def run(isolated_home: Path, keys: str) -> tuple[dict, list[tuple[str, ...]], int]:
    """The probe on a pty: wait for the picker's first screen, type ``keys``."""
    report, answer = isolated_home / "report.json", isolated_home / "answer"
    env = {**os.environ, "TERM": "xterm", "_AWSENV_FOUND": "", "_AWSENV_PID": "1",
           "PROBE_REPORT": str(report)}
    child = pexpect.spawn("/bin/sh", ["-c", '"$@" > "$0"', str(answer), sys.executable,
                                      "-c", PROBE], env=env, timeout=60, dimensions=(40, 160))
    child.expect_exact("Esc cancel")
    child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    return json.loads(report.read_text()), records.parse(answer.read_bytes()), child.exitstatus


def test_the_first_screen_reads_a_screenful_of_the_index(isolated_home: Path) -> None:
    names = big_config()
    directory, config = profileindex.location(os.environ)
    buckets = profileindex.buckets(os.path.getsize(config))
    assert buckets > 2 * picker.HEIGHT  # reading them all would show
    seen, _, rc = run(isolated_home, "\x1b")
    assert rc == 130
    assert seen["rows"] == names[:picker.HEIGHT] and seen["total"] == COUNT and seen["lazy"]
    first = [p for p in seen["opened"] if p.startswith(directory)]
    assert first.count(profileindex.names_file(directory, config)) == 1
    read = {p for p in first if p != profileindex.names_file(directory, config)}
    assert read <= {profileindex.bucket_file(directory, config, profileindex.bucket_of(
        n, buckets)) for n in names[:picker.HEIGHT]}, read
    assert config not in seen["opened_all"]  # no parse of the config, before or after
    heavy = [m for m in seen["loaded"] if m.startswith(HEAVY)]
    assert heavy == [], heavy
    assert "prompt_toolkit.application" in seen["loaded_all"]
    assert "prompt_toolkit.shortcuts" not in seen["loaded_all"]


def test_the_filter_finds_rows_past_the_first_screen(isolated_home: Path) -> None:
    names = big_config()
    far = names[-7]
    seen, answer, rc = run(isolated_home, far + "\r")
    assert rc == 0 and seen["rows"] == names[:picker.HEIGHT]
    assert ("set", "AWS_PROFILE", far) in answer
    recent = json.loads((Paths.from_environ(os.environ).cache_dir / "picked.json").read_text())
    assert recent["recent"] == [far]
