"""Temp files a kill -9 leaves inside fsutil.atomic_write are cleaned by a later write.

A process killed between creating ``.{name}.XXXX.tmp`` and renaming it over
``name`` leaves that 0600 file behind. The next atomic_write of the same
target removes such leftovers once they are older than
``fsutil.STALE_TEMP_AGE`` (ages are set with os.utime, never waited for),
while a fresh one (a concurrent writer's live file) and every other name stay.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.world import World

from awsenv import fsutil

OLD = fsutil.STALE_TEMP_AGE + 60  # seconds in the past: a killed writer's file

# A real process killed by SIGKILL inside atomic_write, after the temp file was
# written and before the rename (fsync is the last step before os.replace).
KILLED_WRITER = """\
import os, signal, sys
from pathlib import Path
from awsenv import fsutil
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
fsutil.atomic_write(Path(sys.argv[1]), b'{"half": "written"}')
"""


def temps(path: Path) -> set[str]:
    return {e for e in os.listdir(path.parent)
            if e.startswith(f".{path.name}.") and e.endswith(".tmp")}


def age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t), follow_symlinks=False)


def kill_inside_atomic_write(target: Path) -> set[str]:
    before = temps(target) if target.parent.exists() else set()
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)],
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    left = temps(target) - before
    assert len(left) == 1, left  # the leak this fix is about
    return left


def test_write_removes_old_temps_of_its_target_only(tmp_path: Path) -> None:
    d = tmp_path / "private"
    d.mkdir(mode=0o700)
    target = d / "creds.json"
    stale = [".creds.json.abcd_123.tmp", ".creds.json.0123456789ab.tmp"]  # mkstemp / ours
    kept_old = [
        ".creds.json.x.abcd1234.tmp",  # another target's ("creds.json.x")
        ".other.json.abcd1234.tmp",  # another target's
        ".creds.json.abcd12345.tmp",  # not the random part's length
        ".creds.json.ABCD1234.tmp",  # not its alphabet
        "creds.json.abcd1234.tmp",  # not hidden: not ours
    ]
    fresh = ".creds.json.live0000.tmp"  # a concurrent writer's live file
    for name in [*stale, *kept_old, fresh]:
        (d / name).write_text("x")
    for name in [*stale, *kept_old]:
        age(d / name, OLD)
    os.mkdir(d / ".creds.json.dir00000.tmp")  # not a regular file
    age(d / ".creds.json.dir00000.tmp", OLD)
    os.symlink(tmp_path / "elsewhere", d / ".creds.json.link0000.tmp")
    (tmp_path / "elsewhere").write_text("keep me")
    age(d / ".creds.json.link0000.tmp", OLD)

    fsutil.atomic_write(target, b"{}")

    left = set(os.listdir(d))
    assert not left & set(stale), left
    assert left == {"creds.json", fresh, *kept_old, ".creds.json.dir00000.tmp",
                    ".creds.json.link0000.tmp"}
    assert (tmp_path / "elsewhere").read_text() == "keep me"
    assert fsutil.remove_stale_temps(target) == 0  # nothing more to do


def test_kill_9_leftover_is_cleaned_by_the_next_real_write(world: World) -> None:
    """The role cache: a writer SIGKILLed mid-write leaves its temp file; once it is
    old, the next `credential-process` that stores credentials removes it."""
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    cache = world.role_cache()
    (leftover,) = kill_inside_atomic_write(cache)
    assert json.loads(cache.read_text())["credentials"]  # the old file is intact
    age(cache.parent / leftover, OLD)
    (live,) = kill_inside_atomic_write(cache)  # just now: stands for a live writer

    world.expire_role_cache()
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["AccessKeyId"]
    assert temps(cache) == {live}


def test_crash_loop_leftovers_are_cleaned(world: World) -> None:
    """The kill -9 driver (tests/hardening/_crash_driver.py, 20 kills on the role cache
    write): whatever temp files the kills left, none survives the next write once old."""
    driver = Path(__file__).with_name("_crash_driver.py")
    proc = subprocess.run([sys.executable, str(driver), "role", "20", "7"], env=world.environ(),
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["problems"] == []
    cache = world.role_cache()
    kill_inside_atomic_write(cache)  # at least one leftover, whatever the loop left
    leftovers = temps(cache)
    for name in leftovers:
        age(cache.parent / name, OLD)
    world.expire_role_cache()
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    assert temps(cache) == set(), leftovers
