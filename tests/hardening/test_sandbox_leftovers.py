"""`awsenv sandbox` leaves nothing behind, however it ends, and keeps its tree private.

The sandbox's tree holds a keyring file with the emulator's refresh token. It
used to survive SIGHUP (a closed terminal) and SIGTERM, and the interactive
shell inside lived on. Each way out is driven for real here: `awsenv sandbox`
on a pty (pexpect) with a real bash, zsh or fish inside that has a background
job running, then the signal to the awsenv process alone, as a hang-up or a
`kill` would send it. After it exits, the tree is gone and the shell and its job
have ended.
"""

from __future__ import annotations

import os
import re
import select
import signal
import stat
from pathlib import Path
from typing import Any

import pexpect
import pytest
from support.other_user import OtherUser

from awsenv.paths import awsenv_command

SHELLS = ["bash", "zsh", "fish"]
# Bound on waiting for a process that was told to end (a hang, not a timing assert).
BOUND = 60


def spawn(scratch: Path, shell: str = "bash") -> pexpect.spawn:
    cmd = awsenv_command()
    env = {**os.environ, "TMPDIR": str(scratch), "TERM": "xterm"}
    return pexpect.spawn(cmd[0], [*cmd[1:], "sandbox", "--shell", shell], env=env,
                         encoding="utf-8", timeout=120, dimensions=(40, 200))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A private TMPDIR, so the sandbox's tree is found and nothing is shared with others."""
    path = tmp_path / "tmp"
    path.mkdir(mode=0o700)
    return path


def started(child: pexpect.spawn, shell: str) -> tuple[Path, int, int]:
    """Wait for the sandbox's prompt; start a background job. (tree, shell pid, job pid)."""
    child.expect(r"Sandbox in (\S+) \(emulator at ")
    root = Path(child.match.group(1))
    child.expect(r"\[sandbox\]")
    if shell == "fish":
        child.sendline('sleep 1000 &; echo "PIDS=$fish_pid:$last_pid"')
    else:
        child.sendline("sleep 1000 & echo PIDS=$$:$!")
    child.expect(r"PIDS=(\d+):(\d+)")
    return root, int(child.match.group(1)), int(child.match.group(2))


def ended(pidfd: int) -> bool:
    """Has the process behind ``pidfd`` exited (its pidfd turns readable then)?"""
    readable, _, _ = select.select([pidfd], [], [], BOUND)
    return bool(readable)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF, timeout=BOUND)
    child.wait()
    assert child.signalstatus is None, "killed by the signal instead of cleaning up"
    return int(child.exitstatus)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGHUP", "SIGTERM", "SIGINT"])
def test_a_signal_removes_the_tree_and_ends_the_shell(scratch: Path, shell: str,
                                                      sig: signal.Signals) -> None:
    child = spawn(scratch, shell)
    try:
        root, shell_pid, job_pid = started(child, shell)
        assert (root / "keyring.json").is_file()  # the refresh token is in there
        fds = [os.pidfd_open(shell_pid), os.pidfd_open(job_pid)]
        child.kill(sig)  # the awsenv process alone, as a hang-up or `kill PID` sends it
        assert finish(child) == 128 + sig
        assert all(ended(fd) for fd in fds), "the sandbox's shell or its job is still running"
        for fd in fds:
            os.close(fd)
        assert not root.exists()
        assert list(scratch.iterdir()) == []
    finally:
        child.close(force=True)


def blocked(pid: int, tid: int) -> set[int]:
    """The signals thread ``tid`` of ``pid`` blocks (its SigBlk mask in /proc)."""
    status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
    mask = int(re.search(r"^SigBlk:\s*([0-9a-f]+)$", status, re.M).group(1), 16)  # type: ignore[union-attr]
    return {n for n in range(1, 65) if mask >> (n - 1) & 1}


def test_only_the_main_thread_can_take_an_ending_signal(scratch: Path) -> None:
    """The kernel gives a `kill` to any thread that does not block it. Had the emulator's
    thread taken it, the main thread, waiting on the shell, would never have run the
    handler: so every other thread blocks the ending signals."""
    child = spawn(scratch)
    try:
        child.expect(r"\[sandbox\]")
        pid = child.pid
        others = [int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid]
        assert others, "the emulator serves in a thread of its own"
        ending = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT}
        for tid in others:
            assert ending <= blocked(pid, tid), (tid, blocked(pid, tid))
        assert not ending & blocked(pid, pid)
        child.sendline("exit")
        assert finish(child) == 0
    finally:
        child.close(force=True)


def test_leaving_the_shell_removes_the_tree(scratch: Path) -> None:
    child = spawn(scratch)
    try:
        child.expect(r"Sandbox in (\S+) \(emulator at ")
        root = Path(child.match.group(1))
        child.expect(r"\[sandbox\]")
        child.sendline("exit")
        child.expect("Sandbox removed.")
        assert finish(child) == 0
        assert not root.exists()
    finally:
        child.close(force=True)


def test_an_exception_removes_the_tree(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from awsenv.sandbox import Sandbox

    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)  # gettempdir() reads TMPDIR again
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(RuntimeError), Sandbox() as box:
        root = box.root
        assert root.is_dir()
        raise RuntimeError("boom")
    assert not root.exists()
    assert signal.getsignal(signal.SIGTERM) is before  # handlers put back
    # A failure while the sandbox is being built (here: a bad emulator knob) too.
    with pytest.raises(ValueError, match="unknown emulator knob"), \
            Sandbox(knobs={"no_such_knob": 1}):
        pass
    assert list(scratch.iterdir()) == []


def test_the_tree_is_private(scratch: Path) -> None:
    child = spawn(scratch)
    try:
        child.expect(r"Sandbox in (\S+) \(emulator at ")
        root = Path(child.match.group(1))
        child.expect(r"\[sandbox\]")
        st = os.lstat(root)
        assert stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()
        assert stat.S_IMODE(st.st_mode) == 0o700
        assert root.parent == scratch and re.fullmatch(r"awsenv-sandbox-\w+", root.name)
        child.sendline("exit")
        assert finish(child) == 0
    finally:
        child.close(force=True)


def refused(tmpdir: Path) -> Any:
    import subprocess

    cmd = awsenv_command()
    return subprocess.run([*cmd, "sandbox"], env={**os.environ, "TMPDIR": str(tmpdir)},
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)


def test_a_temporary_directory_others_can_rename_in_is_refused(tmp_path: Path) -> None:
    """World-writable without the sticky bit: another user could swap the tree out."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    proc = refused(shared)
    assert proc.returncode != 0
    assert proc.stderr == (f"awsenv: the temporary directory {shared} is writable by other "
                           "users without the sticky bit; set TMPDIR to a directory of your "
                           "own\n")
    assert list(shared.iterdir()) == []


def test_a_temporary_directory_of_another_user_is_refused(tmp_path: Path,
                                                          other_user: OtherUser) -> None:
    tmp_path.chmod(0o755)
    theirs = other_user.plant_dir(tmp_path / "theirs", 0o1777)
    proc = refused(theirs)
    assert proc.returncode != 0
    assert proc.stderr == (f"awsenv: the temporary directory {theirs} belongs to another "
                           "user; set TMPDIR to a directory of your own\n")
    assert list(theirs.iterdir()) == []
