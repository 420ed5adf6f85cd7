"""HTTP timeouts the user can set: AWSENV_CONNECT_TIMEOUT / AWSENV_READ_TIMEOUT.

A service slower than the user's read timeout must end the call with exit 6
("timed out", one line) and keep the session; a value that is not a positive
number of seconds is a one-line config error (exit 4) naming the variable.
The emulator's ``latency_ms`` is several times the timeout, and the default
read timeout (10 s) is far above it: without the setting the call succeeds.
"""

from __future__ import annotations

import json

import pytest
from _hardkit import one_clear_line
from support.world import World

from awsenv.auth import clients
from awsenv.environment import Environment
from awsenv.errors import ConfigError, ExitCode

LATENCY_MS = 2500  # the service's delay: well below READ_TIMEOUT, far above SHORT
SHORT = "0.3"


def test_short_read_timeout_ends_a_slow_refresh(world: World) -> None:
    assert LATENCY_MS / 1000 < clients.READ_TIMEOUT
    world.age_token(-60)  # the next call must refresh (CreateToken)
    before = world.token_file().read_bytes()
    world.emu.configure(latency_ms=LATENCY_MS)
    r = world.cli("credential-process", "--profile", "dev",
                  extra={"AWS_MAX_ATTEMPTS": "1", "AWSENV_READ_TIMEOUT": SHORT})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    assert "timed out" in one_clear_line(r.stderr)
    assert world.token_file().read_bytes() == before  # nothing cached was touched
    assert world.stored_secrets() is not None
    world.emu.configure(latency_ms=0)
    r = world.cli("credential-process", "--profile", "dev",
                  extra={"AWSENV_READ_TIMEOUT": SHORT})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["AccessKeyId"]


def test_short_read_timeout_bounds_role_credentials(world: World) -> None:
    """GetRoleCredentials retries (4 tries); each one is cut at the user's timeout."""
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    world.expire_role_cache()
    world.emu.configure(latency_ms=LATENCY_MS)
    r = world.cli("credential-process", "--profile", "dev",
                  extra={"AWSENV_READ_TIMEOUT": SHORT, "AWSENV_CONNECT_TIMEOUT": "2"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    line = one_clear_line(r.stderr)
    assert "GetRoleCredentials" in line and "timed out" in line


BAD = ["abc", "0", "-1", "nan", "inf", "1e9", "5s"]


@pytest.mark.parametrize(("name", "value"), [("AWSENV_READ_TIMEOUT", "abc"),
                                             ("AWSENV_CONNECT_TIMEOUT", "0"),
                                             ("AWSENV_READ_TIMEOUT", "nan")])
def test_bad_value_is_a_config_error(world: World, name: str, value: str) -> None:
    world.age_token(-60)  # a refresh is due: the client is built, then refused
    calls = world.count("CreateToken")
    r = world.cli("credential-process", "--profile", "dev", extra={name: value})
    assert r.returncode == ExitCode.CONFIG, r.stderr
    message, fix = one_clear_line(r.stderr).split(";", 1)
    assert f"{name}=" in message and "seconds" in message
    assert f"{name}=" in fix  # the fix shows a valid setting
    assert world.count("CreateToken") == calls  # refused before any request


def test_values_reach_the_botocore_config() -> None:
    env = Environment(environ={"AWSENV_CONNECT_TIMEOUT": "0.25", "AWSENV_READ_TIMEOUT": "42"})
    cfg = clients.oidc(env, "eu-west-1").meta.config
    assert (cfg.connect_timeout, cfg.read_timeout) == (0.25, 42.0)
    # logout's courtesy call keeps its own lower bound; a lower user value wins
    cfg = clients.portal(env, "eu-west-1", read_timeout=5.0).meta.config
    assert cfg.read_timeout == 5.0
    env = Environment(environ={"AWSENV_READ_TIMEOUT": "1.5"})
    assert clients.portal(env, "eu-west-1", read_timeout=5.0).meta.config.read_timeout == 1.5
    assert clients.timeouts(Environment(environ={})) == (clients.CONNECT_TIMEOUT,
                                                         clients.READ_TIMEOUT)
    with pytest.raises(ConfigError, match="AWSENV_READ_TIMEOUT"):
        clients.timeouts(Environment(environ={"AWSENV_READ_TIMEOUT": " x"}))


@pytest.mark.parametrize("name", [clients.READ_TIMEOUT_VAR, clients.CONNECT_TIMEOUT_VAR])
@pytest.mark.parametrize("value", BAD)
def test_every_bad_value_is_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        clients.timeouts(Environment(environ={name: value}))
    assert info.value.code == ExitCode.CONFIG and name in info.value.line()
