"""One deadline per command for IAM Identity Center, retries included (awsenv.deadline).

A slow service used to cost attempts × read timeout in silence (51 s for
`list --refresh`, 40 s of a frozen shell for `use --mode env`). Now every
command has one budget (AWSENV_DEADLINE, default 30 s), what a prompt waits on
has its own short one (AWSENV_PROMPT_DEADLINE, default 5 s), listing renews it
with every answer, and a person on a terminal is told what the wait is. These
tests count calls, lines and exit codes; the only clocks are hang detectors
and the emulator's latency.
"""

from __future__ import annotations

import os
import re
import time

import pexpect
import pytest
from _hardkit import one_clear_line
from support.world import AWSENV, World

from awsenv.errors import ExitCode

WAITING = re.compile(r"awsenv: waiting for IAM Identity Center \((\w+)")
RETRY = re.compile(r"awsenv: waiting for IAM Identity Center… retry (\d+)/(\d+)")


def on_terminal(world: World, *args: str, extra: dict[str, str]) -> tuple[int, str]:
    """The CLI with a terminal on stdin/stdout/stderr (pexpect's pty): (exit code, text)."""
    child = pexpect.spawn(AWSENV[0], [*AWSENV[1:], *args], env=world.environ(extra),
                          timeout=90, encoding="utf-8", dimensions=(50, 300))
    child.expect(pexpect.EOF)  # hang detector: 90 s
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -1), child.before


def settled(world: World, op: str, latency_s: float) -> int:
    """Requests of ``op`` the emulator received, once those still sleeping in its
    latency have been counted (it counts after the delay)."""
    time.sleep(latency_s + 0.5)
    return world.count(op)


def test_list_refresh_stops_at_the_deadline_and_says_what_it_waits_for(world: World) -> None:
    world.emu.configure(latency_ms=4000)
    try:
        rc, text = on_terminal(world, "list", "--refresh",
                               extra={"AWSENV_DEADLINE": "2.5", "AWSENV_READ_TIMEOUT": "1"})
        calls = settled(world, "ListAccounts", 4)
    finally:
        world.emu.configure(latency_ms=0)
    assert rc == ExitCode.SERVICE, text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert "Traceback" not in text
    # One line saying what it waits for, then the error naming the budget.
    assert [WAITING.search(ln).group(1) for ln in lines if WAITING.search(ln)] == ["ListAccounts"]
    assert "timed out" in lines[-1] and "AWSENV_DEADLINE" in lines[-1], text
    # Without the deadline the lister tries 5 times (1 s each); within 2.5 s: at most 3.
    assert 1 <= calls <= 3, calls


def test_retries_are_announced_on_a_terminal_only(world: World) -> None:
    """GetRoleCredentials retries (4 tries): a line per retry on a terminal, none in a pipe."""
    world.emu.configure(latency_ms=1500)
    extra = {"AWSENV_READ_TIMEOUT": "0.6", "AWSENV_DEADLINE": "20"}
    try:
        rc, text = on_terminal(world, "credential-process", "--profile", "dev", extra=extra)
        r = world.cli("credential-process", "--profile", "dev", extra=extra)
    finally:
        world.emu.configure(latency_ms=0)
    assert rc == ExitCode.SERVICE, text
    # Attempt 2 may start before a second has passed (jittered backoff): its line is
    # optional; from attempt 3 on (> 2 × 0.6 s) each retry has one.
    retries = [int(m.group(1)) for m in RETRY.finditer(text)]
    assert retries in ([2, 3, 4], [3, 4]) and all(m.group(2) == "4" for m in RETRY.finditer(text))
    assert len(WAITING.findall(text)) == 1, text
    assert text.index("waiting for IAM Identity Center (") < text.index("retry "), text
    # SDKs read credential_process's stderr: one line, no progress.
    assert r.returncode == ExitCode.SERVICE
    assert "GetRoleCredentials" in one_clear_line(r.stderr)


def test_a_listing_that_keeps_answering_outlives_the_deadline(world: World) -> None:
    """Each answer renews the budget: a paced listing longer than it still completes."""
    world.emu.configure(latency_ms=200)
    try:
        # 2 requests/s: 5 calls (ListAccounts + 4 accounts) take about 2 s > 1 s budget.
        r = world.cli("list", "--refresh", extra={"AWSENV_DEADLINE": "1", "AWSENV_TPS": "2"})
    finally:
        world.emu.configure(latency_ms=0)
    assert r.returncode == 0, r.stderr
    assert world.count("ListAccountRoles") == 4


@pytest.mark.parametrize("name", ["AWSENV_DEADLINE", "AWSENV_PROMPT_DEADLINE"])
def test_a_bad_deadline_is_one_config_line(world: World, name: str) -> None:
    calls = world.grc()
    if name == "AWSENV_PROMPT_DEADLINE":
        # What the shell function runs for `awsenv use`: the prompt's budget applies.
        r = world.cli("use", "--emit", "--protocol", "1", "--mode", "env", "dev",
                      extra={name: "soon"})
        assert r.returncode == ExitCode.CONFIG
        assert name in r.stderr and "Traceback" not in r.stderr
    else:
        r = world.cli("credential-process", "--profile", "dev", extra={name: "0"})
        assert r.returncode == ExitCode.CONFIG
        assert name in one_clear_line(r.stderr)
    assert world.grc() == calls  # refused before any request


def test_the_deadline_does_not_reach_the_sdk_path_without_a_cli() -> None:
    """Library use (no entry point began a budget) keeps per-attempt timeouts only."""
    from awsenv import deadline

    deadline.end()
    assert deadline.remaining(os.environ) is None


def test_the_clock_starts_at_the_first_request_not_at_the_command_start(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Local work before the first request (the interpreter, imports, botocore's set-up:
    on a loaded machine over a second) is not the service's wait: with a 1 s budget and
    1.2 s of local work first, the call still gets its whole second."""
    from awsenv import deadline
    from awsenv.auth import clients

    monkeypatch.setenv("AWSENV_DEADLINE", "1")
    env = world.env()
    deadline.begin()
    try:
        assert deadline.remaining(env.environ) == 1.0  # all of it, before any attempt
        time.sleep(1.2)  # the local work (not a timed assertion: the budget's input)
        reply = clients.oidc(env, world.session.region).register_client(
            clientName="t", clientType="public")
        assert reply["clientId"]
        left = deadline.remaining(env.environ)
        assert left is not None and 0 < left < 1.0  # the clock runs now
    finally:
        deadline.end()
