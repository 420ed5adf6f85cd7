"""A bug in the prompt hook must never put a traceback into the prompt or break the shell.

The fault is a real exception inside the real ``awsenv hook`` / ``awsenv use
--emit`` process: the command these tests run (and bake into the shells' hook)
is awsenv's isolated interpreter started with a prologue that makes
``State.decode`` raise a KeyError whose text carries a canary (awsenv's own
command ignores PYTHONPATH, so a ``sitecustomize`` could not reach it). The
answer must be one stderr line naming only the exception type (never its
text, which could hold a path or a token), a complete empty answer ending in
``end 1``, and in real bash/zsh/fish the shell keeps running, keeps the
user's last exit status and does not retry at every prompt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import shells

from awsenv.shells import records
from awsenv.shells.init import render_init

CANARY = "AKIAFAULTCANARY-secret-text"
FAULT = f"""\
import os, sys
if os.environ.get("AWSENV_TEST_HOOK_FAULT") == "1":
    from awsenv.shells import state

    def _boom(cls, text):
        raise KeyError({CANARY!r})

    state.State.decode = classmethod(_boom)
from awsenv.cli import main
sys.exit(main())
"""
# awsenv with the fault planted, started as isolated as awsenv's own command.
FAULTY = [sys.executable, "-I", "-c", FAULT]
CONFIG = "[profile dev]\nregion = eu-west-1\n"


@pytest.fixture
def faulty(isolated_home: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a process whose hook raises an unexpected exception."""
    cfg = Path(os.environ["AWS_CONFIG_FILE"])
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(CONFIG)
    env = dict(os.environ)
    env["AWSENV_TEST_HOOK_FAULT"] = "1"
    return env


def one_internal_error(stderr: str, what: str) -> None:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr and CANARY not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"awsenv: internal error in {what} (KeyError); "), stderr
    assert "awsenv doctor" in lines[0] and "--debug" in lines[0]


@pytest.mark.parametrize(("args", "what"), [
    (["hook", "--protocol", str(records.PROTOCOL), "bash"], "the prompt hook"),
    (["use", "--emit", "--protocol", str(records.PROTOCOL), "dev"], "`awsenv use`"),
])
def test_fast_path_bug_is_one_line_and_an_empty_answer(faulty: dict[str, str],
                                                       args: list[str], what: str) -> None:
    proc = subprocess.run([*FAULTY, *args],
                          env={**faulty, "_AWSENV_STATE": "", "_AWSENV_FOUND": ""},
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1
    one_internal_error(proc.stderr.decode(), what)
    assert records.parse(proc.stdout) == [("end", "1")]  # complete, applies nothing


def test_debug_shows_the_traceback(faulty: dict[str, str]) -> None:
    """`awsenv --debug hook …` (the click path) lets the bug through for a report."""
    proc = subprocess.run([*FAULTY, "--debug", "hook", "--protocol", str(records.PROTOCOL),
                           "bash"], env=faulty, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "KeyError" in proc.stderr


SCRIPTS = {
    "bash": """\
eval "$(cat "$INIT")"
cd "$PROJ"
(exit 3); _awsenv_hook; echo "status=$?"
_awsenv_hook; _awsenv_hook
echo alive
""",
    "zsh": """\
eval "$(cat "$INIT")"
cd "$PROJ"
(exit 3); _awsenv_hook; echo "status=$?"
_awsenv_hook; _awsenv_hook
echo alive
""",
    "fish": """\
source $INIT
cd $PROJ
_awsenv_hook  # an event handler: fish itself keeps $status around it
_awsenv_hook; _awsenv_hook
echo alive
""",
}


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_real_shell_keeps_working(faulty: dict[str, str], tmp_path: Path, shell: str) -> None:
    init = tmp_path / f"init.{shell}"
    init.write_text(render_init(shell, command=FAULTY))
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".awsenv").write_text("profile = dev\n")  # a tree: the hook process runs
    res = shells.run(shell, SCRIPTS[shell], env={
        **faulty, "INIT": str(init), "PROJ": str(proj)})
    out = res.stdout.decode()
    assert res.returncode == 0, res.stderr
    # The user's last status survives; the shell goes on; one line for three prompts
    # (a complete answer, so the hook does not rerun for the same tree).
    assert "alive" in out, out
    assert shell == "fish" or "status=3" in out, out
    one_internal_error(res.stderr.decode(), "the prompt hook")
