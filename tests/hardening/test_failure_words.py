"""One vocabulary for a failed call: one message per cause, whichever command met it.

The same refused connection used to read "cannot reach the SSO portal
(EndpointConnectionError)" in `list`, "could not connect; … AWS may be
throttling" in `credential-process` (a refused connection is no throttling),
and timeouts "(ReadTimeoutError)" here and "timed out" there. Now every
command says ``<service> <action> failed: <cause>[ (detail)]; <fix>`` with
the cause and fix of ``awsenv.errors`` (one per cause). The real CLI runs
against the emulator (a closed port, latency, 429s, 5xx).
"""

from __future__ import annotations

import re

import pytest
from _hardkit import free_port, one_clear_line
from support.world import World

from awsenv import errors
from awsenv.errors import ExitCode

LINE = re.compile(r"^awsenv: (?P<service>.+?) (?P<action>\S+)(?: in \S+)? failed: "
                  r"(?P<cause>[^;(]+?)(?: \((?P<detail>[^)]*)\))?; (?P<fix>.+)$")


def words(line: str) -> tuple[str, str]:
    m = LINE.match(line)
    assert m, line
    return m.group("cause"), m.group("fix")


def failing(world: World, extra: dict[str, str], *commands: tuple[str, ...]) -> list[str]:
    """Each command's one stderr line (exit 6), with the role cache expired first."""
    lines = []
    for args in commands:
        if world.role_cache().exists():
            world.expire_role_cache()
        r = world.cli(*args, extra=extra)
        assert r.returncode == ExitCode.SERVICE, (args, r.stderr)
        lines.append(one_clear_line(r.stderr))
    return lines


def test_a_refused_connection_reads_the_same_everywhere_and_never_blames_throttling(
        world: World) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    dead = f"http://127.0.0.1:{free_port()}"
    extra = {**{k: dead for k in world.emu.env()}, "AWS_MAX_ATTEMPTS": "1"}
    lines = failing(world, extra, ("credential-process", "--profile", "dev"),
                    ("list", "--refresh"), ("status", "--check"))
    for line in lines:
        assert words(line) == (errors.UNREACHABLE, errors.CAUSE_FIXES[errors.UNREACHABLE]), line
        assert "throttl" not in line.lower() and "Error)" not in line, line


def test_the_console_link_uses_the_same_words(world: World) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    r = world.cli("console", "dev", "--print",
                  extra={"AWS_ENDPOINT_URL_SIGNIN": f"http://127.0.0.1:{free_port()}"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    line = one_clear_line(r.stderr)
    assert line.startswith("awsenv: the AWS sign-in endpoint getSigninToken failed"), line
    assert words(line) == (errors.UNREACHABLE, errors.CAUSE_FIXES[errors.UNREACHABLE]), line


def test_a_slow_service_is_timed_out_everywhere(world: World) -> None:
    world.emu.configure(latency_ms=1500)
    try:
        lines = failing(world, {"AWSENV_READ_TIMEOUT": "0.3", "AWS_MAX_ATTEMPTS": "1"},
                        ("credential-process", "--profile", "dev"), ("list", "--refresh"))
    finally:
        world.emu.configure(latency_ms=0)
    for line in lines:
        assert words(line) == (errors.TIMED_OUT, errors.CAUSE_FIXES[errors.TIMED_OUT]), line
        assert "throttl" not in line.lower() and "could not connect" not in line, line


@pytest.mark.parametrize(("knobs", "cause"), [
    ({"throttle_rate": 1.0}, errors.THROTTLED),
    ({"error_rate": 1.0}, errors.SERVER),
], ids=["throttled", "server-error"])
def test_answered_failures_name_their_cause(world: World, knobs: dict[str, float],
                                            cause: str) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    world.emu.configure(**knobs)
    try:
        # The lister's own retries end at the command's budget: then it names the cause.
        lines = failing(world, {"AWS_MAX_ATTEMPTS": "1", "AWSENV_DEADLINE": "1.5"},
                        ("credential-process", "--profile", "dev"), ("list", "--refresh"))
    finally:
        world.emu.configure(throttle_rate=0.0, error_rate=0.0)
    for line in lines:
        assert words(line) == (cause, errors.CAUSE_FIXES[cause]), line
        assert "HTTP " in line, line
