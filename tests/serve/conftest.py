"""Fixtures for the credentials endpoint: a signed-in world, `awsenv serve` in a subprocess,
and real clients (boto3, the AWS CLI v1, the JavaScript SDK v3) that know only the
endpoint's variables.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.world import AWSENV, REGION, World, configured_fixture, emulator_fixture

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "_client.py"
INTEROP = HERE.parent / "interop"
AWS_V1 = str(Path(sys.executable).with_name("aws"))
STARTUP = 60.0  # hang detector for serve's first lines, never a timed assertion

emu = emulator_fixture()
configured = configured_fixture(guard_browser=True)

# Every way a client could find credentials other than the endpoint under test.
NOT_FOR_CLIENTS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                   "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                   "AWS_EC2_METADATA_SERVICE_ENDPOINT")


@pytest.fixture
def signed(configured: World) -> World:
    configured.login()
    return configured


@dataclass
class Served:
    """A running `awsenv serve` and the variables it printed."""

    proc: subprocess.Popen[bytes]
    variables: dict[str, Any]
    stderr: str = ""

    @property
    def url(self) -> str:
        return str(self.variables.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                   or self.variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"])

    @property
    def token(self) -> str:
        return str(self.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"])

    def stop(self) -> str:
        """SIGTERM, then everything it wrote on stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        _, err = self.proc.communicate(timeout=STARTUP)
        self.stderr += err.decode("utf-8", "replace")
        return self.stderr


def read_until(proc: subprocess.Popen[bytes], done: bytes) -> str:
    """What serve printed on stdout up to and including ``done`` (it keeps running)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    end = time.monotonic() + STARTUP
    while done not in data:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        assert ready, f"serve printed no {done!r} (hang): {data!r}"
        chunk = os.read(fd, 65536)
        if not chunk:
            _, err = proc.communicate(timeout=STARTUP)
            raise AssertionError(f"serve ended ({proc.returncode}): {err!r} {data!r}")
        data += chunk
    return data.decode()


def read_json_block(proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    """The `--format json` block serve prints first."""
    return dict(json.loads(read_until(proc, b"\n}\n")))


@contextmanager
def serving(world: World, *args: str, extra: dict[str, str] | None = None) -> Iterator[Served]:
    command = [*AWSENV, *(["--debug"] if "--debug" in args else []), "serve",
               *[a for a in args if a != "--debug"], "--format", "json"]
    proc = subprocess.Popen(command, env=world.environ(extra), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    served = Served(proc, {})
    try:
        served.variables = read_json_block(proc)
        yield served
    finally:
        served.stop()


def client_env(world: World, variables: dict[str, Any], **extra: str) -> dict[str, str]:
    """The test's environment (emulator endpoints, isolated HOME) with only ``variables``
    as a way to find credentials, and the region the profile would have given."""
    env = {k: v for k, v in world.environ().items() if k not in NOT_FOR_CLIENTS}
    for name, value in variables.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = REGION
    env["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] = "1"
    env.update(extra)
    return env


def run(argv: list[str], env: dict[str, str], *, input: str | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False, input=input,
                          stdin=subprocess.DEVNULL if input is None else None)


def boto3_identity(env: dict[str, str]) -> dict[str, Any]:
    r = run([sys.executable, str(CLIENT), "identity"], env)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return dict(json.loads(r.stdout))


def awscli_identity(env: dict[str, str]) -> dict[str, Any]:
    r = run([AWS_V1, "sts", "get-caller-identity", "--output", "json"], env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    return {"account": data["Account"], "arn": data["Arn"]}


def js_identity(env: dict[str, str]) -> dict[str, Any]:
    from interop.conftest import need

    need("js-sdk-v3")  # skips unless node + the pinned SDK are installed; fails under CI
    r = run(["node", str(INTEROP / "sdk.mjs"), "chain"], env)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return dict(json.loads(r.stdout))


def cmdlines() -> dict[int, bytes]:
    """Every readable /proc/*/cmdline (any user may read them all)."""
    found: dict[int, bytes] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    found[int(entry)] = fh.read()
            except OSError:
                continue
    return found
