"""awsenv and direnv in the same interactive shell (the real direnv, bash, zsh and fish).

A tree holds both an `.envrc` that exports AWS variables and a `.awsenv`. The rule
(README, "Beside direnv"): inside the tree the `.awsenv` wins for the variables
awsenv manages, whichever hook was installed first; the `.envrc`'s other
variables stay; leaving the tree gives back exactly what the user had before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _interactive import Shell
from _shellkit import make_project

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]
DIRENV = shutil.which("direnv")
HOOK = {"bash": 'eval "$(direnv hook bash)"\n', "zsh": 'eval "$(direnv hook zsh)"\n',
        "fish": "direnv hook fish | source\n"}
ENVRC = """\
export AWS_PROFILE=ops
export AWS_REGION=us-east-2
export AWS_DEFAULT_REGION=us-east-2
export PROJECT_TOOL=from-envrc
"""
# What the user had before entering (their own identity and region).
USER = {"AWS_PROFILE": "prod", "AWS_REGION": "ap-south-1"}
NAMES = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWSENV_PROFILE", "PROJECT_TOOL")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["direnv-first", "awsenv-first"])
def order(request: pytest.FixtureRequest) -> str:
    """Which tool's rc line comes first (each tool's docs say: at the end)."""
    return str(request.param)


@pytest.fixture
def project(plain_config: Path, work: Path) -> Path:
    if DIRENV is None:
        if os.environ.get("CI"):
            pytest.fail("direnv is required under CI (apt-get install direnv)")
        pytest.skip("direnv is not installed")
    proj = make_project(work, "proj", "profile = dev\n")
    (proj / ".envrc").write_text(ENVRC)
    (proj / "sub").mkdir()
    subprocess.run([DIRENV, "allow", str(proj)], check=True, capture_output=True)
    return proj


@pytest.fixture
def shell(kind: str, order: str, project: Path, isolated_home: Path, work: Path
          ) -> Iterator[Shell]:
    before, after = (HOOK[kind], "") if order == "direnv-first" else ("", HOOK[kind])
    sh = Shell(kind, isolated_home, work, env={**USER, "DIRENV_LOG_FORMAT": ""},
               extra_rc=before, after_rc=after)
    sh.run("awsenv allow proj >/dev/null 2>&1")
    yield sh
    sh.close()


def test_awsenv_wins_inside_and_the_user_gets_theirs_back(shell: Shell, project: Path) -> None:
    sh = shell
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == USER
    sh.run("cd proj")
    inside = {"AWS_PROFILE": "dev", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
              "AWSENV_PROFILE": "dev", "PROJECT_TOOL": "from-envrc"}
    assert sh.vars(*NAMES) == inside
    # It stays so at later prompts, in a subdirectory, and for a child process.
    sh.run("true")
    sh.run("cd sub")
    assert sh.vars(*NAMES) == inside
    assert sh.exported()["AWS_PROFILE"] == "dev"
    # The last command's status still reaches the next prompt function.
    sh.run("false")
    assert sh.status == 1
    sh.run("cd ../..")
    assert sh.vars(*NAMES) == {**USER, "AWS_DEFAULT_REGION": None, "AWSENV_PROFILE": None,
                               "PROJECT_TOOL": None}
    # And again: a second visit answers the same (awsenv replays, direnv reloads).
    sh.run("cd proj")
    assert sh.vars(*NAMES) == inside
    sh.run("cd ..")
    assert sh.vars("AWS_PROFILE", "AWS_REGION", "AWSENV_PROFILE") == {**USER,
                                                                       "AWSENV_PROFILE": None}
