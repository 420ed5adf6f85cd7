"""Typos and missing words at a real prompt: awsenv names what it could have meant.

`awsenv use` without a profile used to answer "which profile?;" and nothing
else, `awsenv use dev-develper` no "did you mean", `awsenv lst` click's
four-line usage, and `awsenv help` was no command. Through the hook's
function in real bash, zsh and fish, as a user types them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _interactive import Shell
from support.world import write_config

from awsenv.errors import ExitCode

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]

CONFIG = "".join(f"[profile {name}]\nregion = eu-west-1\n\n"
                 for name in ("dev-developer", "dev-readonly", "ops", "prod"))


@pytest.fixture(params=KINDS)
def shell(request: pytest.FixtureRequest, isolated_home: Path, tmp_path: Path
          ) -> Iterator[Shell]:
    write_config(CONFIG)
    sh = Shell(str(request.param), isolated_home, tmp_path)
    yield sh
    sh.close()


def awsenv_lines(out: str) -> list[str]:
    """awsenv's own lines (not the echoed command line; a terminal mode switch may lead)."""
    return [ln[ln.index("awsenv: "):].strip() for ln in out.splitlines() if "awsenv: " in ln]


def test_use_without_a_profile_lists_the_profiles(shell: Shell) -> None:
    out = shell.run("awsenv use")
    assert shell.status == ExitCode.USAGE, out
    assert awsenv_lines(out) == ["awsenv: which profile?; run `awsenv use PROFILE` with one "
                                 "of: dev-developer, dev-readonly, ops, prod"], out
    assert shell.var("AWS_PROFILE") is None


def test_a_mistyped_profile_names_the_closest(shell: Shell) -> None:
    out = shell.run("awsenv use dev-develper")
    assert shell.status == ExitCode.CONFIG, out
    (line,) = awsenv_lines(out)
    assert "unknown profile 'dev-develper'" in line and "did you mean 'dev-developer'?" in line
    assert shell.var("AWS_PROFILE") is None
    out = shell.run("awsenv use dev-developer")
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "dev-developer", out


def test_a_mistyped_command_names_the_closest_and_help_works(shell: Shell) -> None:
    out = shell.run("awsenv lst")
    assert shell.status == ExitCode.USAGE, out
    assert awsenv_lines(out) == ["awsenv: no command 'lst'; did you mean `awsenv list`? "
                                 "(`awsenv help` lists the commands)"], out
    assert "Usage:" not in out
    out = shell.run("awsenv help use")
    assert shell.status == 0, out
    assert "Usage: awsenv use [OPTIONS] [PROFILE]" in out and "--region REGION" in out, out
    out = shell.run("awsenv help")
    assert shell.status == 0 and "Commands:" in out, out


def test_many_profiles_are_cut_short(isolated_home: Path, tmp_path: Path) -> None:
    write_config("".join(f"[profile p{i:02d}]\n" for i in range(30)))
    sh = Shell("bash", isolated_home, tmp_path)
    try:
        out = sh.run("awsenv use")
    finally:
        sh.close()
    (line,) = awsenv_lines(out)
    assert "p00, p01" in line and "p11 (+18 more: `awsenv list`)" in line and "p12" not in line
