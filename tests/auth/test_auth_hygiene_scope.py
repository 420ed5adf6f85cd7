"""The secret-hygiene test reads only what its own run wrote, not the machine's temp dir.

It used to walk the whole system temp directory and died with RecursionError
on another program's deep tree there (issue #18). Here it runs in a pytest of
its own whose system temp dir (TMPDIR) holds such a tree, deeper than
Python's recursion limit, and an unreadable directory: it must still pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TARGET = "tests/auth/test_auth_secret_hygiene.py::test_no_secret_in_any_file_or_output"


def _deep_tree(root: Path, depth: int) -> None:
    """``root/d/d/…`` ``depth`` levels down, made with relative paths (short syscalls)."""
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", 0o700, dir_fd=here)
            below = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = below
    finally:
        os.close(here)


def test_secret_hygiene_ignores_other_programs_temp_files(tmp_path: Path) -> None:
    shared = tmp_path / "shared-tmp"  # stands in for the machine's /tmp
    shared.mkdir()
    depth = sys.getrecursionlimit() + 100
    _deep_tree(shared, depth)
    closed = shared / "someone-elses"
    closed.mkdir()
    closed.chmod(0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["TMPDIR"] = str(shared)
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "--basetemp", str(tmp_path / "inner"), TARGET],
                           cwd=TESTS.parent, env=env, capture_output=True, text=True,
                           timeout=300, check=False)
    finally:
        closed.chmod(0o700)
        for level in range(depth, 0, -1):  # pytest's own clean-up recurses
            os.rmdir(shared.joinpath(*["d"] * level))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "1 passed" in r.stdout
