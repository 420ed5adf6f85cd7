"""Fixtures for role-credential tests: an emulator, a signed-in session, the real CLI.

Profiles of all three kinds point at the default emulator directory:
``dev`` (awsenv kind: ``credential_process`` + ``awsenv_*`` keys, what `awsenv
sync` writes), ``native`` (sso_session) and ``legacy`` (inline sso_start_url).
"""

from __future__ import annotations

import os
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
from awsenv.paths import awsenv_command

ACCOUNT = "111111111111"
ROLE = "AdministratorAccess"
REGION = "eu-west-1"
VENV_BIN = Path(sys.executable).parent
AWSENV = awsenv_command()

# A browser that must never run: it leaves a marker the test checks.
FORBIDDEN_BROWSER = """\
import pathlib, sys
pathlib.Path(sys.argv[0]).with_suffix(".ran").write_text(sys.argv[-1])
sys.exit(1)
"""


def config_text(start_url: str, sso_region: str, extra: str = "") -> str:
    cp = " ".join([*AWSENV, "credential-process"])
    return textwrap.dedent(f"""\
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

        [profile native]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = Developer
        region = us-west-2

        [profile legacy]
        sso_start_url = {start_url}
        sso_region = {sso_region}
        sso_account_id = 333333333333
        sso_role_name = ReadOnlyAccess

        [profile unassigned]
        credential_process = {cp} --profile unassigned
        awsenv_session = corp
        awsenv_account_id = 222222222222
        awsenv_role_name = AdministratorAccess
        """) + extra


@dataclass
class Signed:
    emu: Any
    home: Path
    session: SsoSession
    tmp: Path

    @property
    def config(self) -> Path:
        return Path(os.environ["AWS_CONFIG_FILE"])

    def env(self) -> Environment:
        return Environment.from_os()

    def grc(self) -> int:
        """GetRoleCredentials calls the emulator has answered so far."""
        return int(self.emu.counters().get("GetRoleCredentials", 0))

    def cli(self, *args: str, extra: dict[str, str] | None = None, timeout: float = 60,
            ) -> subprocess.CompletedProcess[str]:
        """The installed `awsenv` entry point, as shells and SDKs run it."""
        env = dict(os.environ)
        env.update(extra or {})
        return subprocess.run([*AWSENV, *args], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)

    def browser(self, name: str, body: str) -> str:
        """An executable BROWSER script (webbrowser runs one word; "python x.py" would
        silently fall through to other browsers)."""
        script = self.tmp / name
        script.write_text(f"#!{sys.executable}\n{body}")
        script.chmod(0o700)
        return str(script)

    def forbidden_browser(self) -> tuple[str, Path]:
        script = self.browser("browser_forbidden", FORBIDDEN_BROWSER)
        return script, Path(script).with_suffix(".ran")

    def login(self) -> None:
        from awsenv.auth import login

        login.login(self.env(), self.session, use_device_code=True, no_browser=True)


@pytest.fixture
def emu() -> Iterator[Any]:
    from awsenv.emulator import Directory, Emulator

    with Emulator(directory=Directory.default(), auto_approve=True) as server:
        server.configure(device_interval=0.1)
        yield server


@pytest.fixture
def configured(emu: Any, isolated_home: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Signed:
    """Config written and endpoints pointed at the emulator; not signed in."""
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text(emu.start_url, emu.region))
    from awsenv.awsconfig import read

    session = read.load(Environment.from_os()).session("corp")
    return Signed(emu, isolated_home, session, tmp_path)


@pytest.fixture
def signed(configured: Signed) -> Signed:
    """Signed in to session corp (device code, auto-approved by the emulator)."""
    configured.login()
    return configured
