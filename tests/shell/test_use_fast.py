"""`awsenv use --mode env` answered from the credential record, before the hook module loads.

The warm env-mode answer (awsenv.shells.fastuse) must be the full path's
answer byte for byte, must load only its stdlib-only modules (the guard
behind bench's `use` figure), and must step aside whenever it cannot be sure:
a `.awsenv` tree in play, a record without facts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _shellkit import signed_in

from awsenv.creds import cache
from awsenv.environment import Environment
from awsenv.shells import fastuse, hook, records

# What the warm answer may load beyond the interpreter: nothing else of awsenv,
# and none of the stdlib modules the full path pays ~25 ms for.
LEAN = {"awsenv", "awsenv.cli", "awsenv.cli.fastpath", "awsenv.shells", "awsenv.shells.fastuse",
        "awsenv.shells.answer",
        "awsenv.shells.records", "awsenv.shells.state", "awsenv.shells.refs", "awsenv.creds",
        "awsenv.creds.record", "awsenv.fastjson", "awsenv.digest", "awsenv.locations",
        "awsenv.textsafe"}
SLOW = {"pathlib", "dataclasses", "enum", "re", "json", "typing", "inspect", "click", "boto3",
        "botocore", "keyring", "jinja2", "contextlib", "collections", "functools"}
# A probe still running after HANG_DUMP seconds prints every thread's stack and exits
# (faulthandler: no import counted, it is loaded before the baseline), so a hang shows
# where it waited instead of ending as a bare TimeoutExpired.
HANG_DUMP = 40
PROBE = """
import faulthandler, sys
faulthandler.dump_traceback_later(HANG_DUMP, exit=True)
before = set(sys.modules)
from awsenv.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("LOADED=" + ",".join(sorted(set(sys.modules) - before)) + "\\n")
sys.exit(rc)
""".replace("HANG_DUMP", str(HANG_DUMP))
USE = ["use", "--emit", "--protocol", "1", "--mode", "env"]


def warm(profile: str, *, region: str = "eu-west-1", facts: bool = True) -> Path:
    """A servable record for ``profile``, as a fetch would have stored it, and its
    session (corp) signed in: a record is not handed out once its session's token is
    gone or due (creds.record.token_due)."""
    signed_in(8 * 3600)
    paths = Environment.from_os().paths
    assert paths is not None
    now = time.time()
    path = cache.store(paths, {
        "access_key_id": f"ASIA{profile.upper()}", "secret_access_key": "s3cret",
        "session_token": "tok", "expiration": now + 3600, "fetched_at": now,
        "profile": profile, "session_key": "corp", "account_id": "111111111111",
        "role_name": "Admin", "region": region,
    }, cache.config_stamp(paths))
    if not facts:
        data = json.loads(path.read_text())
        del data["facts"]
        path.write_text(json.dumps(data))
    return path


def probe(args: list[str], extra: dict[str, str]) -> tuple[list[tuple[str, ...]], set[str], int]:
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                         env={**os.environ, **extra}, timeout=HANG_DUMP + 60, check=False)
    assert b"Timeout (" not in res.stderr, res.stderr.decode(errors="replace")
    loaded = res.stderr.decode().rpartition("LOADED=")[2].strip().split(",")
    return records.parse(res.stdout), set(loaded), res.returncode


def full(environ: dict[str, str], profile: str, region: str | None) -> bytes:
    env = Environment(environ=environ)
    return hook.use(env, profile, mode="env", region=region).finish(0)


def test_warm_env_use_loads_only_the_lean_modules(plain_config: Path) -> None:
    warm("dev")
    shell = {"_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}
    probe([*USE, "dev"], shell)  # a new shell's first answer creates its reference file
    got, loaded, rc = probe([*USE, "dev"], shell)
    assert rc == 0
    assert ("set", "AWS_ACCESS_KEY_ID", "ASIADEV") in got
    assert ("msg", "awsenv: dev (eu-west-1), env mode") in got
    awsenv = {m for m in loaded if m.split(".")[0] == "awsenv"}
    assert awsenv <= LEAN, sorted(awsenv - LEAN)
    assert not loaded & SLOW, sorted(loaded & SLOW)


@pytest.mark.parametrize("extra", [
    {},  # no shell walk result: the full path walks the directory itself
    {"_AWSENV_FOUND": "/somewhere/.awsenv"},  # a tree in play: trust decides
])
def test_a_tree_in_play_takes_the_full_path(plain_config: Path, extra: dict[str, str]) -> None:
    warm("dev")
    got, loaded, rc = probe([*USE, "dev"], extra)
    assert rc == 0 and ("set", "AWS_ACCESS_KEY_ID", "ASIADEV") in got
    assert "awsenv.shells.hook" in loaded


@pytest.mark.parametrize("extra", [{}, {"_AWSENV_FOUND": "/somewhere/.awsenv"}])
def test_the_full_path_of_a_warm_use_cannot_wait_on_anything(plain_config: Path, tmp_path: Path,
                                                            extra: dict[str, str]) -> None:
    """Issue #19: this full-path answer once timed out (60 s) on a loaded machine. What
    could it wait for? Counted with strace: it starts no process (a refresher, a shell),
    takes no lock, opens no socket, reads no pipe or terminal: nothing but its own files,
    so a hang there can only be the machine starving it, and faulthandler (``probe``)
    names the frame if it recurs."""
    if shutil.which("strace") is None:
        if os.environ.get("CI"):
            pytest.fail("strace is missing (.ci/run installs it)")
        pytest.skip("needs strace")
    warm("dev")
    # The probe without its faulthandler watchdog, which is a thread of its own.
    plain = PROBE.replace(f"faulthandler.dump_traceback_later({HANG_DUMP}, exit=True)\n", "")
    assert plain != PROBE
    log = tmp_path / "strace.log"
    res = subprocess.run(["strace", "-f", "-qq", "-o", str(log), "-e",
                          "trace=execve,clone,clone3,fork,vfork,flock,fcntl,connect,socket,"
                          "wait4,poll,select,pselect6,ppoll,futex",
                          sys.executable, "-c", plain, *USE, "dev"],
                         capture_output=True, env={**os.environ, **extra}, timeout=HANG_DUMP + 60,
                         check=False)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-800:]
    assert "awsenv.shells.hook" in res.stderr.decode()  # the full path, not the fast one
    calls = [line.split("(")[0].split()[-1] for line in log.read_text().splitlines()
             if "(" in line and "+++" not in line and "---" not in line]
    assert calls.count("execve") == 1, calls  # the interpreter itself, nothing after it
    waits = {"clone", "clone3", "fork", "vfork", "flock", "connect", "socket", "wait4", "poll",
             "select", "pselect6", "ppoll"}
    assert not waits & set(calls), sorted(waits & set(calls))
    locks = [line for line in log.read_text().splitlines()
             if "fcntl(" in line and ("F_SETLK" in line or "F_OFD_SETLK" in line)]
    assert locks == []


def test_records_without_facts_take_the_full_path(plain_config: Path) -> None:
    warm("dev", facts=False)
    assert fastuse.warm_env_answer(dict(os.environ), "dev", None) is None
    got, loaded, rc = probe([*USE, "dev"], {"_AWSENV_FOUND": ""})
    assert rc == 0 and ("set", "AWS_ACCESS_KEY_ID", "ASIADEV") in got
    assert "awsenv.shells.hook" in loaded
    # Profile mode answers from the profile-facts index the full path just wrote
    # (tests/shell/test_use_fast_profile.py pins that path).
    got, loaded, rc = probe(["use", "--emit", "--protocol", "1", "dev"], {"_AWSENV_FOUND": ""})
    assert rc == 0 and ("set", "AWS_PROFILE", "dev") in got
    assert "awsenv.shells.fastprofile" in loaded and "awsenv.shells.hook" not in loaded


def test_an_edited_config_voids_the_record(plain_config: Path) -> None:
    warm("dev")
    with plain_config.open("a") as fh:
        fh.write("\n[profile extra]\nregion = eu-north-1\n")
    assert fastuse.warm_env_answer(dict(os.environ), "dev", None) is None


def _state_after(answer: bytes) -> str:
    return next(r[1] for r in records.parse(answer) if r[0] == "state")


@pytest.mark.parametrize("case", ["fresh", "replace-use", "over-dir", "hand-edited", "region",
                                  "prod", "noregion", "no-pid"])
def test_fast_and_full_answers_agree(plain_config: Path, case: str) -> None:
    for name in ("dev", "ops", "prod"):
        warm(name)
    warm("noregion", region="")
    base = {**os.environ, "_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}
    base.pop("AWS_PROFILE", None)
    profile, region = "dev", None
    environ = dict(base)
    if case in ("replace-use", "hand-edited"):
        first = full(base, "ops", None)
        for rec in records.parse(first):
            if rec[0] == "set":
                environ[rec[1]] = rec[2]
        environ["_AWSENV_STATE"] = _state_after(first)
        if case == "hand-edited":
            environ["AWS_REGION"] = "ap-south-1"  # changed by hand since
    elif case == "over-dir":
        environ["AWS_PROFILE"] = "ops"
        environ["_AWSENV_STATE"] = json.dumps({"v": 1, "layers": [{
            "kind": "dir", "tree": "/p/.awsenv", "profile": "ops", "mode": "profile",
            "region": None, "prev": {"AWS_PROFILE": None}, "set": {"AWS_PROFILE": "x"},
            "refresh_at": 0, "pending": ""}]})
    elif case == "region":
        region = "sa-east-1"
    elif case in ("prod", "noregion"):
        profile = case
    elif case == "no-pid":
        environ.pop("_AWSENV_PID")
    fast = fastuse.warm_env_answer(environ, profile, region)
    assert fast is not None
    assert fast == full(environ, profile, region)
    if case == "prod":
        assert b"prod [PROD] (" in fast
