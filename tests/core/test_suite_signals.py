"""A suite started with SIGINT ignored still starts its children able to receive it
(tests/support/signals.py, called from tests/conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

# Started with the three signals ignored (as `make test &` in a script and nohup start
# it), optionally calls unignore_for_children, then prints a child's ignored-signal mask.
PROBE = """
import signal, subprocess, sys
sys.path.insert(0, sys.argv[1])
from support import signals
if sys.argv[2] == "fix":
    signals.unignore_for_children()
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
status = subprocess.run(["cat", "/proc/self/status"], capture_output=True, text=True).stdout
print(next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")))
"""


def ignoring() -> None:
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def child_ignores(fix: bool) -> set[int]:
    out = subprocess.run([sys.executable, "-I", "-c", PROBE, str(TESTS), "fix" if fix else "-"],
                         preexec_fn=ignoring, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    mask = int(out.stdout.strip(), 16)
    return {signum for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
            if mask & (1 << (signum - 1))}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_children_get_the_signals_the_suite_was_started_ignoring() -> None:
    assert child_ignores(fix=False) == {signal.SIGINT, signal.SIGQUIT, signal.SIGHUP}
    assert child_ignores(fix=True) == set()


def test_this_run_hands_sigint_to_its_children() -> None:
    """This process went through tests/conftest.py: whatever started it, no child of it
    starts with SIGINT ignored."""
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
