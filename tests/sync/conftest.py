"""Fixtures for sync/list tests: an emulator, a signed-in session, the real CLI."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.paths import awsenv_command

AWSENV = awsenv_command()


def session_text(start_url: str, region: str, name: str = "corp") -> str:
    return textwrap.dedent(f"""\
        [sso-session {name}]
        sso_start_url = {start_url}
        sso_region = {region}
        sso_registration_scopes = sso:account:access
        """)


@dataclass
class Signed:
    emu: Any
    home: Path
    session: SsoSession

    @property
    def config(self) -> Path:
        return Path(os.environ["AWS_CONFIG_FILE"])

    def env(self) -> Environment:
        return Environment.from_os()

    def text(self) -> str:
        with open(self.config, encoding="utf-8", newline="") as fh:
            return fh.read()

    def write(self, text: str) -> None:
        self.config.write_bytes(text.encode("utf-8"))

    def counters(self) -> dict[str, int]:
        return dict(self.emu.counters())

    def cli(self, *args: str, extra: dict[str, str] | None = None, timeout: float = 300,
            ) -> subprocess.CompletedProcess[str]:
        """The installed `awsenv` entry point in a subprocess."""
        env = dict(os.environ)
        env.update(extra or {})
        return subprocess.run([*AWSENV, *args], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The same CLI in this process (no interpreter start-up: keeps the suite fast)."""
        import contextlib
        import io

        from awsenv.cli.app import run

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = run(list(args))
        return subprocess.CompletedProcess(list(args), int(rc), out.getvalue(), err.getvalue())

    def login(self, session: SsoSession | None = None) -> None:
        from awsenv.auth import login

        login.login(self.env(), session or self.session, use_device_code=True,
                    no_browser=True)


def make_emulator(directory: Any) -> Any:
    from awsenv.emulator import Emulator

    return Emulator(directory=directory, auto_approve=True, device_interval=0)


@pytest.fixture
def directory() -> Any:
    """Override in a test module for another directory shape."""
    from awsenv.emulator import Directory

    return Directory.default()


@pytest.fixture
def emu(directory: Any) -> Iterator[Any]:
    with make_emulator(directory) as server:
        yield server


@pytest.fixture
def signed(emu: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Signed:
    """Session corp configured, endpoints on the emulator, signed in (device code)."""
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(session_text(emu.start_url, emu.region))
    from awsenv.awsconfig import read

    session = read.load(Environment.from_os()).session("corp")
    signed = Signed(emu, isolated_home, session)
    signed.login()
    return signed
