"""The fast-path dispatcher: a handler that cannot load hands over to the click path, and
a fast answer ends the process without the interpreter's finalisation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import awsenv
from awsenv.cli import fastpath, main


def test_a_handler_that_fails_to_import_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fastpath.FAST, "hook", "awsenv._no_such_module:handler")
    assert fastpath.try_fast(["hook", "--protocol", "1", "bash"]) is None


def test_unknown_commands_are_not_dispatched() -> None:
    assert fastpath.try_fast(["login"]) is None
    assert fastpath.try_fast([]) is None


def test_a_loaded_handler_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fastpath.FAST, "probe", "awsenv.creds.fast:parse_profile")
    assert fastpath.try_fast(["probe", "--profile", "dev"]) == "dev"


# -- how the process ends (fastpath.end) --------------------------------------------------

# Runs launch.py as awsenv bakes it (``python -I -S launch.py ARGS``) with a sentinel in
# this script's own globals: finalisation clears them and runs its __del__, os._exit
# does not. ``{setup}`` adds what the process still has to finish.
ENDING = """
import os, runpy, sys
class Sentinel:
    def __del__(self, write=os.write):
        write(2, b"FINALIZED\\n")
sentinel = Sentinel()
{setup}
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

SETUPS = {
    "nothing": "",
    "atexit": "import atexit; atexit.register(os.write, 2, b'ATEXIT\\n')",
    "thread": "import threading, time; threading.Thread(target=lambda: (time.sleep(0.3), "
              "os.write(2, b'THREAD DONE\\n'))).start()",
}


def _end(args: list[str], setup: str = "nothing") -> subprocess.CompletedProcess[bytes]:
    launch = str(Path(awsenv.__file__).with_name("launch.py"))
    script = ENDING.format(setup=SETUPS[setup])
    return subprocess.run([sys.executable, "-I", "-S", "-c", script, launch, *args],
                          capture_output=True, timeout=60, check=False)


@pytest.fixture
def sessions_config(isolated_home: Path) -> None:
    config = isolated_home / ".aws" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[sso-session corp]\nsso_region = eu-west-1\n")


def test_a_fast_answer_ends_the_process_without_finalising(sessions_config: None) -> None:
    """About 2 ms of every prompt's hook went to tearing down what it had loaded."""
    r = _end(["complete", "sessions"])
    assert (r.returncode, r.stdout) == (0, b"corp\n"), r.stderr
    assert b"FINALIZED" not in r.stderr


def test_the_full_path_ends_without_finalising_too() -> None:
    """20-50 ms after botocore and keyring; its exit code and output are unchanged."""
    r = _end(["--version"])
    assert r.returncode == 0 and r.stdout.startswith(b"awsenv"), r.stderr
    assert b"FINALIZED" not in r.stderr
    r = _end(["no-such-command"])
    assert r.returncode == 2 and b"no-such-command" in r.stderr, r.stderr
    assert b"FINALIZED" not in r.stderr


def test_atexit_handlers_still_run(sessions_config: None) -> None:
    """What the normal exit would run first (logging's flush, weakref.finalize) runs."""
    r = _end(["complete", "sessions"], "atexit")
    assert (r.returncode, r.stdout) == (0, b"corp\n"), r.stderr
    assert r.stderr.count(b"ATEXIT") == 1 and b"FINALIZED" not in r.stderr


def test_a_thread_still_running_gets_the_normal_exit(sessions_config: None) -> None:
    """The normal exit waits for a thread that is not a daemon."""
    r = _end(["complete", "sessions"], "thread")
    assert (r.returncode, r.stdout) == (0, b"corp\n"), r.stderr
    assert b"FINALIZED" in r.stderr and b"THREAD DONE" in r.stderr


def test_in_process_callers_get_the_exit_code_back(sessions_config: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Only the process entry points end the process; main() returns to its caller."""
    assert main(["complete", "sessions"]) == 0
    assert capsys.readouterr().out == "corp\n"
