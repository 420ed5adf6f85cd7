"""Fixtures for the hardening suite: an emulator, a signed-in session, the real CLI.

Every test drives the installed ``awsenv`` entry point in subprocesses (as
shells and SDKs do) against a per-test emulator, so faults are real ones: a
closed port, a stopped server, a 429 on the wire. The autouse isolation
fixture (tests/conftest.py) already points HOME, XDG, AWS_CONFIG_FILE and the
keyring at a temporary tree.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.paths import Paths, awsenv_command

AWSENV = awsenv_command()
ACCOUNT = "111111111111"
ROLE = "AdministratorAccess"
REGION = "eu-west-1"
# A generous bound for "ends in a bounded time": never a timed assertion, only a
# hang detector (subprocess.TimeoutExpired fails the test).
BOUND = 120

# A browser that must never run: it leaves a marker the test checks.
FORBIDDEN_BROWSER = """\
import pathlib, sys
pathlib.Path(sys.argv[0]).with_suffix(".ran").write_text(sys.argv[-1])
sys.exit(1)
"""

# Lines the user keeps outside awsenv's block; must survive every write byte for byte.
USER_PREFIX = "# my own notes  \n[default]\nregion = us-east-2\n\n"
USER_SUFFIX = "\n[profile mine]\nregion = ap-south-1 ; kept\n"


def config_text(start_url: str, sso_region: str) -> str:
    cp = " ".join([*AWSENV, "credential-process"])
    return USER_PREFIX + textwrap.dedent(f"""\
        [sso-session corp]
        sso_start_url = {start_url}
        sso_region = {sso_region}
        sso_registration_scopes = sso:account:access

        [profile dev]
        credential_process = {cp} --profile dev
        awsenv_session = corp
        awsenv_account_id = {ACCOUNT}
        awsenv_role_name = {ROLE}
        region = {REGION}
        """) + USER_SUFFIX


def free_port() -> int:
    """A loopback port nobody listens on (bound then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class World:
    emu: Any
    home: Path
    tmp: Path
    session: SsoSession

    @property
    def config(self) -> Path:
        return Path(os.environ["AWS_CONFIG_FILE"])

    @property
    def paths(self) -> Paths:
        return Paths.from_environ()

    def env(self) -> Environment:
        return Environment.from_os()

    def count(self, op: str) -> int:
        return int(self.emu.counters().get(op, 0))

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["BROWSER"] = self.browser
        env.update(extra or {})
        return env

    def cli(self, *args: str, extra: dict[str, str] | None = None, timeout: float = BOUND,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """The installed `awsenv` entry point, as shells and SDKs run it.

        Every call also checks that no refresh token or client secret the emulator ever
        issued reaches its stdout or stderr (error messages included).
        """
        r = subprocess.run([*AWSENV, *args], env=self.environ(extra), capture_output=True,
                           text=True, timeout=timeout, check=False,
                           stdin=subprocess.DEVNULL if input is None else None, input=input)
        leaked = [s[:6] for s in self.long_lived_secrets() if s in r.stdout + r.stderr]
        assert not leaked, (args, leaked)
        return r

    def long_lived_secrets(self) -> set[str]:
        """Every refresh token and client secret the emulator has issued so far."""
        state = self.emu.state
        with state.lock:
            return set(state.refresh_tokens) | {c.client_secret for c in state.clients.values()}

    @property
    def browser(self) -> str:
        script = self.tmp / "browser_forbidden.py"
        if not script.exists():
            script.write_text(FORBIDDEN_BROWSER)
        return f"{sys.executable} {script}"

    @property
    def browser_ran(self) -> bool:
        return (self.tmp / "browser_forbidden.ran").exists()

    def login(self) -> None:
        """Device-code sign-in (the emulator auto-approves). In-process to keep the suite
        lean: the CLI's own login is exercised by test_secret_hygiene and tests/auth."""
        from awsenv.auth import login

        login.login(self.env(), self.session, use_device_code=True, no_browser=True)

    def token_file(self) -> Path:
        from awsenv.auth import tokens

        return tokens.cache_file(self.paths, self.session)

    def token_json(self) -> dict[str, Any]:
        return json.loads(self.token_file().read_text())

    def role_cache(self, profile: str = "dev") -> Path:
        from awsenv.creds import cache

        return cache.cache_file(self.paths, profile)

    def keyring_file(self) -> Path:
        return Path(os.environ["AWSENV_TEST_KEYRING_FILE"])

    def keyring_entries(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.keyring_file().read_text()))
        except (OSError, ValueError):
            return {}

    def stored_secrets(self) -> Any:
        from awsenv.auth import secrets

        return secrets.load(self.session.key)

    def age_token(self, seconds_left: float) -> None:
        """Rewrite the cached access token's expiry (forces or avoids a refresh)."""
        from awsenv.auth import tokens

        data = self.token_json()
        data["expiresAt"] = tokens.format_time(self.env().now() + seconds_left)
        self.token_file().write_text(json.dumps(data))

    def expire_role_cache(self, profile: str = "dev") -> None:
        path = self.role_cache(profile)
        record = json.loads(path.read_text())
        record["credentials"]["expiration"] = self.env().now() - 10
        path.write_text(json.dumps(record))


def one_clear_line(stderr: str) -> str:
    """Assert stderr is exactly one `awsenv: …` line with no traceback; return it."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("awsenv: "), stderr
    return lines[0]


@pytest.fixture
def emu() -> Iterator[Any]:
    from awsenv.emulator import Directory, Emulator

    with Emulator(directory=Directory.default(), auto_approve=True,
                  device_interval=0) as server:
        yield server


@pytest.fixture
def configured(emu: Any, isolated_home: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> World:
    """Config written, endpoints pointed at the emulator, one attempt per call; not signed in."""
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(emu.start_url, emu.region))
    from awsenv.awsconfig import read

    session = read.load(Environment.from_os()).session("corp")
    return World(emu, isolated_home, tmp_path, session)


@pytest.fixture
def world(configured: World) -> World:
    """Signed in to session corp through the real CLI."""
    configured.login()
    return configured
