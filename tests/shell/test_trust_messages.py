"""What the hook says when an allowed `.awsenv` stops applying while you stay, and
`awsenv allow` where the current directory is gone.

direnv says what it unloads and why; awsenv said "left ~/proj: restored the
previous AWS settings" after an edit, although nobody left. Now: which file
changed, what was dropped and what is back.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from _interactive import Shell
from _shellkit import make_project, plain_shell_fixture
from support.world import AWSENV

from awsenv.errors import ExitCode

pytestmark = pytest.mark.shells



shell = plain_shell_fixture()


def messages(out: str) -> list[str]:
    return re.findall(r"awsenv: [^\r\n]*", out)


def test_an_edited_allowed_file_says_what_changed_and_what_is_back(shell: Shell,
                                                                    work: Path) -> None:
    proj = make_project(work, "proj", "dev\n")
    shell.run("awsenv use ops")
    shell.run(f"awsenv allow {proj}")
    shell.run("cd proj")
    assert shell.var("AWS_PROFILE") == "dev"
    (proj / ".awsenv").write_text("prod\n")  # as an editor would: dated now
    out = shell.run("true")
    said = messages(out)
    assert said[0] == (f"awsenv: {proj}/.awsenv changed since you allowed it: "
                       "dropped dev, back to ops"), out
    assert "asks for prod" in said[1] and f"awsenv allow {proj}" in said[1], out
    assert not any(" left " in m for m in said), out
    assert len(said) == 2, out
    assert shell.var("AWS_PROFILE") == "ops"
    # Leaving for real still says so (and what is back).
    out = shell.run(f"awsenv allow {proj}")
    assert shell.var("AWS_PROFILE") == "prod", out
    out = shell.run("cd ..")
    assert f"awsenv: left {proj}: back to ops" in messages(out), out
    assert shell.var("AWS_PROFILE") == "ops"


def test_allow_in_a_deleted_directory_is_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    script = f'mkdir "{gone}" && cd "{gone}" && rmdir "{gone}" && exec "$@"'
    r = subprocess.run(["bash", "-c", script, "bash", *AWSENV, "allow"], capture_output=True,
                       text=True, timeout=60, check=False)
    assert r.returncode == ExitCode.USAGE, r.stderr
    [line] = r.stderr.strip().splitlines()
    assert line.startswith(f"awsenv: the current directory ({gone}) no longer exists; cd "), line
