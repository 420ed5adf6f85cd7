"""Per-directory identity in real interactive bash, zsh and fish, hook installed as documented.

Process counts come from `strace -f -e trace=execve` around the whole shell: a
no-op prompt and a `cd` within the same `.awsenv` tree must start no process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _interactive import Shell
from _shellkit import make_project

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def shell(kind: str, plain_config: Path, work: Path, isolated_home: Path,
          tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Shell]:
    # strace only where processes are counted (it slows every process down).
    counting = request.node.originalname == "test_untrusted_allowed_nested_leave_and_counts"
    sh = Shell(kind, isolated_home, work, strace=tmp_path / "strace.log" if counting else None,
               env={"AWS_REGION": "ap-south-1", "AWS_ACCESS_KEY_ID": "AKIAUSERSTATIC"})
    yield sh
    sh.close()


def awsenv_execs(sh: Shell) -> list[str]:
    return [line for line in sh.execs() if "awsenv" in line]


def setvar(sh: Shell, name: str, value: str) -> None:
    sh.run(f"set -gx {name} {value}" if sh.kind == "fish" else f"export {name}={value}")


def test_untrusted_allowed_nested_leave_and_counts(shell: Shell, work: Path) -> None:
    sh = shell
    proj = make_project(work, "proj", "dev\n")
    make_project(proj, "inner", "profile = ops\nregion = ca-central-1\n")
    (proj / "src" / "deep").mkdir(parents=True)

    out = sh.run("cd proj")
    assert out.count("asks for dev (eu-west-1)") == 1 and "awsenv allow" in out
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": None,
                                                     "AWS_REGION": "ap-south-1"}
    assert "asks for" not in sh.run("")  # said once, not at every prompt

    out = sh.run("awsenv allow")
    assert "awsenv: dev (eu-west-1) from" in out
    exported = sh.exported()
    assert exported["AWS_PROFILE"] == "dev" and exported["AWS_REGION"] == "eu-west-1"
    assert exported["AWS_DEFAULT_REGION"] == "eu-west-1" and exported["AWSENV_PROFILE"] == "dev"
    assert "AWS_ACCESS_KEY_ID" not in exported  # would override AWS_PROFILE
    assert "_AWSENV_STATE" not in exported and "_AWSENV_TREE" not in exported

    # No process for a no-op prompt or a cd within the tree.
    before = len(sh.execs())
    for line in ("", "cd src", "cd deep", "cd ../..", ""):
        sh.run(line)
    assert sh.execs()[before:] == []

    # A nested tree wins below it (after its own allow); leaving it restores the outer one.
    out = sh.run("cd inner")
    assert "asks for ops" in out
    assert sh.var("AWS_PROFILE") is None  # untrusted inner tree: outer identity unloaded
    sh.run("awsenv allow")
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "ops",
                                                     "AWS_REGION": "ca-central-1"}
    sh.run("cd ..")
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "dev",
                                                     "AWS_REGION": "eu-west-1"}

    # Leaving restores what was there before, except what the user changed by hand.
    setvar(sh, "AWS_REGION", "manual-region")
    before = len(awsenv_execs(sh))
    out = sh.run("cd ..")
    assert len(awsenv_execs(sh)) == before + 1  # the strace log does see processes
    assert "kept AWS_REGION (changed by hand)" in out
    assert sh.vars("AWS_PROFILE", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWSENV_PROFILE") == {
        "AWS_PROFILE": None, "AWS_REGION": "manual-region",
        "AWS_ACCESS_KEY_ID": "AKIAUSERSTATIC", "AWSENV_PROFILE": None}


def test_edit_deny_and_unsafe_files(shell: Shell, work: Path) -> None:
    sh = shell
    proj = make_project(work, "proj", "dev\n")
    sh.run("cd proj")
    sh.run("awsenv allow")
    assert sh.var("AWS_PROFILE") == "dev"

    # Any edit revokes trust (noticed at the next prompt, no cd needed).
    (proj / ".awsenv").write_text("prod\n")
    out = sh.run("")
    assert "asks for prod" in out
    assert sh.var("AWS_PROFILE") is None

    sh.run("awsenv allow")
    assert sh.var("AWS_PROFILE") == "prod"
    out = sh.run("awsenv deny")
    assert sh.var("AWS_PROFILE") is None
    assert "is denied" in out

    (proj / ".awsenv").chmod(0o664)
    out = sh.run("awsenv allow")
    assert "writable by other users" in out
    assert sh.var("AWS_PROFILE") is None

    if os.getuid() == 0:
        (proj / ".awsenv").chmod(0o644)
        os.chown(proj / ".awsenv", 4242, 4242)
        sh.run("cd ..")
        out = sh.run("cd proj")
        assert "owned by another user" in out
        assert sh.var("AWS_PROFILE") is None


def test_exit_status_preserved(shell: Shell, work: Path) -> None:
    sh = shell
    make_project(work, "proj", "dev\n")
    sh.run("false")
    assert sh.status == 1
    # The hook runs awsenv on this prompt (entering an untrusted tree) and still
    # hands the last status on to the next prompt function.
    sh.run("cd proj; false")
    assert sh.status == 1
    sh.run("true")
    assert sh.status == 0
    sh.run("awsenv allow >/dev/null 2>&1; false")
    assert sh.status == 1 and sh.var("AWS_PROFILE") == "dev"
    # the wrapper passes other subcommands' status through
    sh.run("awsenv definitely-not-a-command")
    assert sh.status == 2


def test_use_wins_inside_tree_until_another_tree(shell: Shell, work: Path) -> None:
    sh = shell
    proj = make_project(work, "proj", "dev\n")
    make_project(work, "other", "ops\n")
    (proj / "src").mkdir()
    for d in ("proj", "other"):
        sh.run(f"awsenv allow {work / d} >/dev/null 2>&1")
    sh.run("cd proj")
    assert sh.var("AWS_PROFILE") == "dev"
    out = sh.run("awsenv use prod")
    assert "awsenv: prod" in out
    sh.run("cd src")
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "prod",
                                                     "AWS_REGION": "us-east-1"}
    sh.run(f"cd {work / 'other'}")
    assert sh.var("AWS_PROFILE") == "ops"
    sh.run(f"cd {work}")
    assert sh.vars("AWS_PROFILE", "AWS_REGION", "AWS_ACCESS_KEY_ID") == {
        "AWS_PROFILE": None, "AWS_REGION": "ap-south-1", "AWS_ACCESS_KEY_ID": "AKIAUSERSTATIC"}

    # Outside any tree: use, a profile without region keeps the user's region; --unset restores.
    sh.run("awsenv use noregion")
    assert sh.vars("AWS_PROFILE", "AWS_REGION", "AWS_ACCESS_KEY_ID") == {
        "AWS_PROFILE": "noregion", "AWS_REGION": "ap-south-1", "AWS_ACCESS_KEY_ID": None}
    sh.run("cd proj")  # a tree entered on top of `use` ...
    assert sh.var("AWS_PROFILE") == "dev"
    sh.run("cd ..")  # ... and left: back to the `use` identity
    assert sh.var("AWS_PROFILE") == "noregion"
    sh.run("awsenv use --unset")
    assert sh.vars("AWS_PROFILE", "AWS_ACCESS_KEY_ID") == {
        "AWS_PROFILE": None, "AWS_ACCESS_KEY_ID": "AKIAUSERSTATIC"}
    out = sh.run("awsenv use --unset")  # nothing left to undo: an idempotent success
    assert sh.status == 0 and "nothing to undo" in out
    out = sh.run("awsenv use stranger")
    assert sh.status == 4 and "unknown profile 'stranger'" in out
    assert sh.var("AWS_PROFILE") is None


def test_child_shell_rechecks(kind: str, plain_config: Path, work: Path,
                              isolated_home: Path) -> None:
    make_project(work, "proj", "dev\n")
    sh = Shell(kind, isolated_home, work)
    try:
        sh.run("awsenv allow proj >/dev/null 2>&1; cd proj")
        assert sh.var("AWS_PROFILE") == "dev"
        # A child shell inherits AWS_PROFILE but not awsenv's state: it re-checks,
        # finds the same identity, and says nothing.
        sh_parent_n = sh.n
        sh.child.sendline(ARGV_CHILD[kind])
        sh._wait(exactly=1)  # the child's own prompt counter
        out = sh.run("echo child")
        assert "awsenv:" not in out
        assert sh.var("AWS_PROFILE") == "dev"
        # Its baseline is what it inherited: leaving the tree keeps that.
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") == "dev"
        parent_next = sh_parent_n + 1
        sh.child.sendline("exit")
        sh._wait(exactly=parent_next)  # back in the parent, still inside the tree
        assert sh.var("AWS_PROFILE") == "dev"
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") is None
    finally:
        sh.close()


ARGV_CHILD = {"bash": "bash -i", "zsh": "zsh -i", "fish": "fish -i"}


def test_use_without_hook_explains_install() -> None:
    res = subprocess.run([sys.executable, "-m", "awsenv", "use", "dev"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1
    assert 'eval "$(awsenv init bash)"' in res.stderr and "awsenv init fish | source" in res.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_reentering_a_resolved_tree_starts_no_process(kind: str, plain_config: Path, work: Path,
                                                      isolated_home: Path,
                                                      tmp_path: Path) -> None:
    proj = make_project(work, "proj", "dev\n")
    make_project(work, "other", "ops\n")
    sh = Shell(kind, isolated_home, work, strace=tmp_path / "strace.log")
    try:
        sh.run("awsenv allow proj >/dev/null 2>&1; awsenv allow other >/dev/null 2>&1")
        for _ in range(2):  # resolve each transition once
            for d in ("proj", "..", "other", ".."):
                sh.run(f"cd {d}")
        before = len(sh.execs())
        out = sh.run("cd proj")
        assert "awsenv: dev (eu-west-1) from" in out  # replayed, message included
        assert sh.var("AWS_PROFILE") == "dev"
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") is None
        sh.run("cd other")
        assert sh.var("AWS_PROFILE") == "ops"
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") is None
        assert sh.execs()[before:] == []
        # An edit made while away is never replayed over: one process, trust revoked.
        (proj / ".awsenv").write_text("prod\n")
        out = sh.run("cd proj")
        assert "asks for prod" in out and sh.var("AWS_PROFILE") is None
        assert len(awsenv_execs(sh)) > 0 and len(sh.execs()) > before
        # A value changed by hand changes the key: no replay of a stale answer.
        sh.run("cd ..")
        sh.run("awsenv allow proj >/dev/null 2>&1")
        sh.run("cd proj")
        sh.run("cd ..")
        setvar(sh, "AWS_REGION", "by-hand")
        before = len(awsenv_execs(sh))
        sh.run("cd proj")
        assert len(awsenv_execs(sh)) == before + 1
        assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "prod",
                                                         "AWS_REGION": "us-east-1"}
    finally:
        sh.close()
