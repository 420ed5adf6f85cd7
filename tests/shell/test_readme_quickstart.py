"""The README's set-up lines, run as written: the Quick start's rc lines give a working
hook *and* the prompt segment the introduction sells (it used to stop at the hook), and
the Completions table says what `awsenv completion --help` says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from support.world import write_config

README = Path(__file__).resolve().parents[2] / "README.md"
VENV_BIN = str(Path(sys.executable).parent)


def quick_start_rc_lines() -> list[str]:
    text = README.read_text()
    block = text.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [ln.split("  #", 1)[0].strip() for ln in block.splitlines()
             if ln.startswith("echo ") and ">> ~/.bashrc" in ln]
    assert len(lines) >= 2, block
    return lines


@pytest.mark.shells
@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_quick_start_rc_lines_give_the_hook_and_the_prompt_segment(isolated_home: Path,
                                                                    tmp_path: Path) -> None:
    write_config("[profile dev]\nregion = eu-west-1\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PROMPT_COMMAND", "BASH_ENV", "ENV", "PS1")}
    env.update({"TERM": "dumb", "LC_ALL": "C.UTF-8",
                "PATH": VENV_BIN + os.pathsep + env.get("PATH", "/usr/bin:/bin")})
    for line in quick_start_rc_lines():  # as a user pastes them
        subprocess.run(["bash", "--norc", "-c", line], env=env, check=True, timeout=30)
    child = pexpect.spawn("bash", ["-i"], cwd=str(tmp_path), env=env, timeout=60,
                          encoding="utf-8", dimensions=(50, 300))
    try:
        child.expect(r"[$#] ")  # the README's PS1: `\$` is `#` for root
        child.sendline("awsenv use dev")
        child.expect(r"\r?\n([^\n]*) \S+ [$#] ")  # the next prompt: segment, directory, sign
        assert child.match.group(1).strip() == "dev", child.before + child.match.group(0)
    finally:
        child.sendline("exit")
        child.expect(pexpect.EOF)


def test_completion_places_agree_with_the_help() -> None:
    r = subprocess.run([str(Path(VENV_BIN) / "awsenv"), "completion", "--help"],
                       capture_output=True, text=True, timeout=60, check=True)
    table = README.read_text().split("## Completions", 1)[1].split("\n## ", 1)[0]
    for shell in ("bash", "zsh", "fish"):
        m = re.search(rf"^\s+{shell}:\s+(awsenv completion {shell} > \S+)", r.stdout, re.M)
        assert m, r.stdout
        assert m.group(1) in table, (shell, m.group(1))
