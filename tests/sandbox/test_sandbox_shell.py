"""The interactive sandbox is set up as the README tells a user to set up a shell.

`awsenv sandbox --shell SHELL` is driven for real on a pty (pexpect), in bash,
zsh and fish, under a TMPDIR of the test's own (the sandbox's tree is made in
it; its parent is where a stray `.awsenv` is planted, never the real /tmp):

- tab completion is installed: `awsenv use dev-de<TAB>` completes to a
  profile name and switches to it (without completion the shell completes file
  names, none of which matches there, and `use` gets `dev-de`);
- `awsenv doctor` has nothing to say about the sandbox's own set-up (awsenv on
  PATH is this installation, the hook is installed): every check is ✓;
- the `.awsenv` walk stops at the sandbox's root (AWSENV_CEILING): a `.awsenv`
  in the directory above it is neither offered by the hook nor found by
  `awsenv allow`;
- the caller's PYTHONPATH does not reach the sandbox's shell.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pexpect
import pytest

from awsenv.paths import awsenv_command

pytestmark = pytest.mark.shells

SHELLS = ["bash", "zsh", "fish"]
MARKER_PATH = "/nonexistent/awsenv-test-pythonpath"


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The sandbox's TMPDIR: private, and the directory right above its tree."""
    path = tmp_path / "tmp"
    path.mkdir(mode=0o700)
    return path


def spawn(scratch: Path, shell: str) -> pexpect.spawn:
    cmd = awsenv_command()
    env = {**os.environ, "TMPDIR": str(scratch), "TERM": "xterm",
           "PYTHONPATH": MARKER_PATH, "PYTHONSTARTUP": MARKER_PATH}
    return pexpect.spawn(cmd[0], [*cmd[1:], "sandbox", "--shell", shell], env=env,
                         encoding="utf-8", timeout=120, dimensions=(40, 200))


def run(child: pexpect.spawn, line: str, done: str) -> None:
    """Type ``line`` then an echo of ``done`` built so that only its output matches."""
    head, tail = done.split("-", 1)
    child.sendline(f'{line}; echo {head}-"{tail}"')
    child.expect_exact(done)


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_doctor_and_walk_bound(scratch: Path, shell: str) -> None:
    stray = scratch / ".awsenv"
    stray.write_text("profile = dev-developer\n")  # what a stray /tmp/.awsenv would say
    child = spawn(scratch, shell)
    child.logfile_read = transcript = io.StringIO()
    try:
        child.expect(r"Sandbox in (\S+) \(emulator at ")
        root = Path(child.match.group(1))
        assert root.parent == scratch
        home = root / "home"
        child.expect(r"\[sandbox\]")

        # Completion: "dev-de" + TAB completes to dev-developer (a bare "d" stops at
        # "dev", which is also the account's name: completion offers names and ids too).
        child.send("awsenv use dev-de\t\r")
        run(child, 'echo "PROFILE=[$AWS_PROFILE]"', "COMPLETED-DONE")
        assert "PROFILE=[dev-developer]" in child.before

        # doctor: nothing about the sandbox itself (PATH, hook, keyring, ...).
        run(child, "awsenv doctor >~/doctor.out 2>&1", "DOCTOR-DONE")
        report = (home / "doctor.out").read_text()
        lines = report.splitlines()
        assert lines and all(line.startswith("✓ ") for line in lines), report
        assert f"path: awsenv on PATH is this installation ({root}/bin/awsenv)" in report
        assert f"hook: installed in {shell}" in report

        # The walk stops at the sandbox's root: the stray file above it is not seen,
        # neither by the prompt hook nor by `awsenv allow` (Python's walk).
        run(child, 'echo "TREE=[$_AWSENV_TREE] PYTHONPATH=[$PYTHONPATH]"', "TREE-DONE")
        assert "TREE=[] PYTHONPATH=[]" in child.before
        run(child, "cd ~/projects; awsenv allow >~/allow.out 2>&1; cd ~", "ALLOW-DONE")
        assert (home / "allow.out").read_text() == (
            f"awsenv: no .awsenv in {home}/projects or above; create .awsenv first\n")
        # A project inside the sandbox is still found (the bound is above it).
        run(child, "cd ~/projects/web-app", "WEBAPP-DONE")
        child.expect(r"\[sandbox\]")
        run(child, 'echo "TREE=[$_AWSENV_TREE]"', "TREE2-DONE")
        assert f"TREE=[{home}/projects/web-app/.awsenv]" in child.before

        child.sendline("exit")
        child.expect_exact("Sandbox removed.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    # The hook never offered the stray file (it would name it at the first prompt).
    assert str(stray) not in transcript.getvalue()
    assert stray.read_text() == "profile = dev-developer\n"
    assert not root.exists()
