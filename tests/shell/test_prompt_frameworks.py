"""The hook beside prompt frameworks, in real interactive bash and zsh.

bash-preexec (installed before or after awsenv's line), a `PROMPT_COMMAND` array
(bash >= 5.1, as starship and bash-preexec leave it), and a powerlevel-style zsh
theme that moves its precmd function to the end at every prompt: awsenv's hook
keeps switching on `cd`, and every prompt function still sees the last
command's exit status.
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


def bash_preexec() -> str | None:
    """Debian's bash-preexec.sh (package bash-preexec, Debian 13 and later)."""
    try:
        files = subprocess.run(["dpkg", "-L", "bash-preexec"], capture_output=True, text=True,
                               check=False).stdout.split()
    except OSError:
        return None
    return next((f for f in files if f.endswith("/bash-preexec.sh")), None)


def needs_bash_preexec() -> str:
    found = bash_preexec()
    if found:
        return found
    known = subprocess.run(["apt-cache", "show", "bash-preexec"], capture_output=True,
                           check=False).returncode == 0
    if known and os.environ.get("CI"):
        pytest.fail("bash-preexec is packaged here and required under CI (.ci/run installs it)")
    pytest.skip("Debian's bash-preexec package is not installed"
                + ("" if known else " (this Debian release has none)"))


# Records the status it sees (as a prompt theme does), counts its calls, and
# hands the status on like a well-behaved prompt function.
RECORDER = '_fw() { _fw_status=$?; _fw_n=$((_fw_n+1)); return $_fw_status; }\n'



@pytest.fixture
def tree(plain_config: Path, work: Path) -> Path:
    return make_project(work, "proj", "dev\n")


def start(kind: str, home: Path, work: Path, before: str = "", after: str = "") -> Shell:
    sh = Shell(kind, home, work, extra_rc=RECORDER + before, after_rc=after)
    sh.run("awsenv allow proj >/dev/null 2>&1")
    return sh


def check(sh: Shell) -> None:
    """Switching works, and the status reaches the framework's function and the harness
    (read before anything else runs: every command typed makes a new status)."""
    n = int(sh.var("_fw_n") or 0)
    sh.run("cd proj; false")
    assert sh.status == 1, sh.transcript.decode(errors="replace")
    assert sh.var("_fw_status") == "1"
    assert sh.var("AWS_PROFILE") == "dev"
    sh.run("(exit 7)")
    assert sh.status == 7
    assert sh.var("_fw_status") == "7"
    sh.run("cd ..; true")
    assert sh.status == 0
    assert sh.var("AWS_PROFILE") is None
    assert int(sh.var("_fw_n") or 0) >= n + 6  # the framework's function ran at every prompt


@pytest.fixture
def shells() -> Iterator[list[Shell]]:
    started: list[Shell] = []
    yield started
    for sh in started:
        sh.close()


@pytest.mark.parametrize("where", ["before", "after"])
def test_bash_preexec(where: str, tree: Path, work: Path, isolated_home: Path,
                      shells: list[Shell]) -> None:
    """bash-preexec sourced before or after awsenv's line, a precmd and a preexec
    function registered with it: both keep running and see the real status."""
    script = needs_bash_preexec()
    setup = (f"source {script}\n"
             "precmd_functions+=(_fw)\n_fw_pre() { _fw_cmd=$1; }\npreexec_functions+=(_fw_pre)\n")
    sh = start("bash", isolated_home, work, **{where: setup})
    shells.append(sh)
    check(sh)
    sh.run("echo hi >/dev/null")
    assert sh.var("_fw_cmd") is not None  # preexec still fires


@pytest.mark.parametrize("where", ["before", "after"])
def test_bash_prompt_command_array(where: str, tree: Path, work: Path, isolated_home: Path,
                                   shells: list[Shell]) -> None:
    """PROMPT_COMMAND as an array (bash >= 5.1), made before awsenv's line or after it
    (a theme appending an element)."""
    if where == "before":
        setup = "PROMPT_COMMAND=(_fw)\n"
        sh = start("bash", isolated_home, work, before=setup)
    else:
        sh = start("bash", isolated_home, work,
                   after='PROMPT_COMMAND=("${PROMPT_COMMAND[@]}" _fw)\n')
    shells.append(sh)
    check(sh)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize("where", ["before", "after"])
def test_zsh_powerlevel_style_precmd(where: str, tree: Path, work: Path, isolated_home: Path,
                                     shells: list[Shell]) -> None:
    """A theme that puts its precmd function first when loaded and moves it to the end
    at every prompt (as powerlevel10k does), loaded before or after awsenv's line."""
    theme = ("precmd_functions=(_fw $precmd_functions)\n"
             "_fw_move() { precmd_functions=(${precmd_functions:#_fw} _fw); }\n"
             "precmd_functions+=(_fw_move)\n")
    sh = start("zsh", isolated_home, work, **{where: theme})
    shells.append(sh)
    check(sh)
