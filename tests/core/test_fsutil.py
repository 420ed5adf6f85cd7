"""Private atomic files and flock-based locks."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awsenv import fsutil
from awsenv.errors import AwsenvError, ExitCode


def test_atomic_write_is_private_and_creates_private_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.json"
    fsutil.write_json(target, {"k": "v"})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700
    assert fsutil.read_json(target) == {"k": "v"}
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_ensure_private_dir_tightens_our_own_loose_dir(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    fsutil.ensure_private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


def test_read_json_tolerates_garbage(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_bytes(b"\xff\x00not json")
    assert fsutil.read_json(p) is None
    p.write_text("[1, 2]")
    assert fsutil.read_json(p) is None
    assert fsutil.read_json(tmp_path / "missing.json") is None


def test_atomic_write_keeps_old_content_when_write_fails(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "keep.txt"
    fsutil.atomic_write(p, "old")

    def boom(*_a: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        fsutil.atomic_write(p, "new")
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["keep.txt"]


def _hold(path: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    with fsutil.locked(Path(path)):
        ready.set()
        time.sleep(30)


def test_lock_times_out_with_a_clear_error_and_survives_a_killed_holder(tmp_path: Path) -> None:
    lock = tmp_path / "locks" / "x.lock"
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(lock), ready))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(AwsenvError) as err, fsutil.locked(lock, timeout=0.2):
            pass
        assert err.value.code == ExitCode.TIMEOUT
        assert "lsof" in err.value.line()
    finally:
        holder.kill()
        holder.join()
    # A holder killed with SIGKILL leaves the file but not the lock.
    with fsutil.locked(lock, timeout=2):
        pass
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_cli_reports_unknown_command_without_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "awsenv", "no-such-command"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("awsenv: no command 'no-such-command'; ")
