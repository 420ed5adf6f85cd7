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
