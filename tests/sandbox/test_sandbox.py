"""The README's demo: `awsenv sandbox` without a terminal runs the scripted tour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run_sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awsenv", "sandbox", *args], text=True,
                          capture_output=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def tour() -> subprocess.CompletedProcess[str]:
    return _run_sandbox()


def test_scripted_tour_passes_every_step(tour: subprocess.CompletedProcess[str]) -> None:
    assert tour.returncode == 0, tour.stdout[-3000:] + tour.stderr[-3000:]
    lines = tour.stdout.splitlines()
    assert "FAILED" not in tour.stdout
    closing = lines[-1]
    passed = int(closing.split()[0])
    assert closing == f"{passed} passed, 0 failed"
    assert passed >= 9
    # Set-up ran the real flows.
    setup = [line for line in tour.stderr.splitlines() if line[:2] in ("✓ ", "✗ ")]
    assert len(setup) == 4 and all(line.startswith("✓ ") for line in setup), setup
    for title, line in zip(("Write [sso-session", "Sign in", "awsenv sync", "sample projects"),
                           setup, strict=True):
        assert title in line


def test_tour_shows_real_results(tour: subprocess.CompletedProcess[str]) -> None:
    out = tour.stdout
    # A real STS answer from the emulator for the dev account's role.
    assert "arn:aws:sts::111111111111:assumed-role/" in out
    # Accounts listed through the portal.
    for account in ("dev", "staging", "prod"):
        assert account in out
    # The prompt segment counted down from the profile.
    assert "prompt segment: dev-developer" in out


def test_sandbox_leaves_nothing_behind(tour: subprocess.CompletedProcess[str]) -> None:
    first = tour.stderr.splitlines()[0]
    assert first.startswith("Sandbox in ")
    root = Path(first.split(" ")[2])
    assert not root.exists()
    home = Path(os.environ["HOME"])
    # The user's (test) home got nothing: no AWS config, no caches, no keyring file.
    assert not (home / ".aws").exists()
    assert not (home / ".cache" / "awsenv").exists()


def test_tour_says_it_allows_the_second_project(tour: subprocess.CompletedProcess[str]) -> None:
    """Each project is allowed by a step of its own that shows the command, never silently."""
    out = tour.stdout
    assert "== awsenv allow ../billing" in out
    assert "   $ awsenv allow ../billing\n" in out
    assert ">/dev/null" not in out
    shown = [line for line in out.splitlines() if line.startswith("   $ awsenv allow")]
    assert len(shown) == 2, shown


def test_the_python_the_sandbox_names_is_its_own_isolated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tour and the welcome text run boto3 with this interpreter and -I; the shell
    gets none of the caller's PYTHON* variables that change imports; awsenv (this
    installation) is first on its PATH; its .awsenv walk stops at the tree's root."""
    import shlex

    from awsenv import locations
    from awsenv.sandbox import Sandbox, render, welcome

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    hostile = {"PYTHONPATH": "/x", "PYTHONHOME": "/x", "PYTHONSTARTUP": "/x/s.py",
               "PYTHONUSERBASE": "/x", "PYTHONPYCACHEPREFIX": "/x", "PYTHONWARNINGS": "x.Y",
               "PYTHONBREAKPOINT": "x.y", "PYTHONPLATLIBDIR": "x"}
    harmless = {"PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1", "PYTHONSAFEPATH": "1"}
    for name, value in {**hostile, **harmless}.items():
        monkeypatch.setenv(name, value)
    with Sandbox() as box:
        assert not set(hostile) & set(box.env)
        assert {k: box.env[k] for k in harmless} == harmless
        first = box.env["PATH"].split(os.pathsep)[0]
        assert first == str(box.root / "bin")
        assert os.path.samefile(Path(first) / "awsenv", locations.entry_script() or "")
        assert box.env["AWSENV_CEILING"] == str(box.root)
        ours = shlex.quote(sys.executable)
        tour_text = render(box, "tour.bash")
        calls = [line for line in tour_text.splitlines() if "import boto3" in line]
        assert calls and all(f"{ours} -I -c " in line for line in calls), calls
        text = welcome(box, 9)
        assert f"  {ours} -I -c 'import boto3;" in text
        assert "\n  python" not in text
