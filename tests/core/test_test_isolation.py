"""What one test leaves in the test process must not reach the next (tests/conftest.py).

A test worker runs hundreds of tests in one process; awsenv's entry points
assume a process per command. The two tests below run in this order on one
worker (same module, same xdist group): the first runs a command in process,
the second must find no command budget running.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from awsenv import deadline

pytestmark = pytest.mark.xdist_group("test-isolation")


def test_an_in_process_command_starts_the_budget() -> None:
    from awsenv.cli.app import run

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        run(["status"])
    assert deadline.remaining() is not None  # what the next test must not inherit


def test_the_next_test_starts_without_a_budget() -> None:
    assert deadline.remaining() is None
