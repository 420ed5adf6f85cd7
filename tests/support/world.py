"""One test world for the suites that drive the real CLI against the emulator.

creds, hardening and shell each need the same things: an emulator on loopback,
an AWS config with ``[sso-session corp]`` and some profiles pointing at it, a
BROWSER that must never run, and an in-process device-code sign-in. They differ
only in which profiles they write, what surrounds them, the emulator's knobs and
how strict ``World.cli`` is; those differences are the parameters here. Each
suite's conftest keeps its own fixture names and scopes as thin wrappers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.paths import Paths, awsenv_command

AWSENV = awsenv_command()


def traced(command: list[str], extra: dict[str, str] | None) -> list[str]:
    """``command`` with ``-X importtime`` when ``extra`` asks for PYTHONPROFILEIMPORTTIME.

    awsenv's command starts its interpreter isolated (``-I``/``-E``), which ignores
    every ``PYTHON*`` variable, so the import log has to be asked for on the
    command line instead.
    """
    if extra and extra.get("PYTHONPROFILEIMPORTTIME") and command[:1] == AWSENV[:1]:
        return [command[0], "-X", "importtime", *command[1:]]
    return command
ACCOUNT = "111111111111"
ROLE = "AdministratorAccess"
REGION = "eu-west-1"
STS_REGIONS = (REGION, "us-west-2")  # the regions PROFILES sign STS requests with

# Profiles of all three kinds on the default emulator directory: ``dev`` (what
# `awsenv sync` writes), ``native`` (sso_session), ``legacy`` (inline start URL)
# and ``unassigned`` (a role the directory does not grant).
PROFILES = {
    "dev": """\
        [profile dev]
        credential_process = {cp} --profile dev
        awsenv_session = corp
        awsenv_account_id = {account}
        awsenv_role_name = {role}
        region = {region}
        """,
    "native": """\
        [profile native]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = Developer
        region = us-west-2
        """,
    "legacy": """\
        [profile legacy]
        sso_start_url = {start_url}
        sso_region = {sso_region}
        sso_account_id = 333333333333
        sso_role_name = ReadOnlyAccess
        """,
    "unassigned": """\
        [profile unassigned]
        credential_process = {cp} --profile unassigned
        awsenv_session = corp
        awsenv_account_id = 222222222222
        awsenv_role_name = AdministratorAccess
        """,
}
ALL_PROFILES = tuple(PROFILES)

SESSION = """\
    [sso-session corp]
    sso_start_url = {start_url}
    sso_region = {sso_region}
    sso_registration_scopes = sso:account:access
    """

# A browser that must never run: it leaves a marker (the URL) next to itself and
# fails. An executable script, because webbrowser runs BROWSER as one word: a
# "python x.py" value is a command that does not exist and would never run.
FORBIDDEN_BROWSER = """\
import pathlib, sys
pathlib.Path(sys.argv[0]).with_suffix(".ran").write_text(sys.argv[-1])
sys.exit(1)
"""
FORBIDDEN_NAME = "browser_forbidden"


def sso_config(start_url: str, sso_region: str, *, profiles: Sequence[str] = ALL_PROFILES,
               before: str = "", after: str = "") -> str:
    """``[sso-session corp]`` and the named ``profiles``, between the user's own
    ``before`` and ``after`` text (kept verbatim)."""
    fields = {"cp": " ".join([*AWSENV, "credential-process"]), "account": ACCOUNT,
              "role": ROLE, "region": REGION, "start_url": start_url, "sso_region": sso_region}
    blocks = [SESSION, *(PROFILES[name] for name in profiles)]
    body = "\n".join(textwrap.dedent(block).format(**fields) for block in blocks)
    return before + body + after


@contextmanager
def running_emulator(**knobs: Any) -> Iterator[Any]:
    """The default directory, auto-approving; ``knobs`` as ``Emulator`` takes them.

    STS answers for the regions the world's profiles sign with (``dev`` in
    REGION, ``native`` in us-west-2) besides the emulator's own, as the regional
    endpoints a real SDK would reach do; any other scope is refused.
    """
    from awsenv.emulator import Directory, Emulator

    knobs.setdefault("sts_regions", STS_REGIONS)
    with Emulator(directory=Directory.default(), auto_approve=True, **knobs) as server:
        yield server


def point_at(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_ENDPOINT_URL_* into os.environ, so subprocesses reach the emulator too."""
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)


def write_config(text: str) -> Path:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


def browser_script(directory: Path, name: str, body: str) -> str:
    """An executable BROWSER script running ``body`` with this interpreter."""
    script = directory / name
    script.write_text(f"#!{sys.executable}\n{body}")
    script.chmod(0o700)
    return str(script)


def forbidden_browser(directory: Path) -> str:
    """The BROWSER value that records (``browser_ran``) and fails if anything opens it."""
    script = directory / FORBIDDEN_NAME
    if script.exists():
        return str(script)
    return browser_script(directory, FORBIDDEN_NAME, FORBIDDEN_BROWSER)


def browser_ran(directory: Path) -> bool:
    return (directory / FORBIDDEN_NAME).with_suffix(".ran").exists()


def sign_in(session: SsoSession | None = None) -> None:
    """Device-code sign-in in this process (the emulator auto-approves): keeps suites
    lean; the CLI's own login is exercised by tests/auth and hardening's hygiene test."""
    from awsenv.auth import login
    from awsenv.awsconfig import read

    env = Environment.from_os()
    login.login(env, session or read.load(env).session("corp"), use_device_code=True,
                no_browser=True)


@dataclass
class World:
    """A configured AWS config + emulator, and the real CLI against them.

    ``timeout`` bounds each CLI call (a hang detector, never a timed assertion);
    ``guard_browser`` puts the forbidden browser in every CLI call's environment;
    ``check_secrets`` asserts no refresh token or client secret the emulator ever
    issued reaches a CLI call's stdout or stderr.
    """

    emu: Any
    home: Path
    tmp: Path
    session: SsoSession
    timeout: float = 60
    guard_browser: bool = False
    check_secrets: bool = False

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

    def grc(self) -> int:
        """GetRoleCredentials calls the emulator has answered so far."""
        return self.count("GetRoleCredentials")

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        if self.guard_browser:
            env["BROWSER"] = self.browser
        env.update(extra or {})
        return env

    def cli(self, *args: str, extra: dict[str, str] | None = None, timeout: float | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """The installed `awsenv` entry point in a subprocess, as shells and SDKs run it."""
        r = subprocess.run(traced([*AWSENV, *args], extra), env=self.environ(extra),
                           capture_output=True, text=True,
                           timeout=self.timeout if timeout is None else timeout,
                           check=False, stdin=subprocess.DEVNULL if input is None else None,
                           input=input)
        if self.check_secrets:
            leaked = [s[:6] for s in self.long_lived_secrets() if s in r.stdout + r.stderr]
            assert not leaked, (args, leaked)
        return r

    def long_lived_secrets(self) -> set[str]:
        """Every refresh token and client secret the emulator has issued so far."""
        state = self.emu.state
        with state.lock:
            return set(state.refresh_tokens) | {c.client_secret for c in state.clients.values()}

    # -- browsers ----------------------------------------------------------------------

    @property
    def browser(self) -> str:
        """The forbidden browser's path (what ``guard_browser`` sets as BROWSER)."""
        return forbidden_browser(self.tmp)

    @property
    def browser_ran(self) -> bool:
        return browser_ran(self.tmp)

    def forbidden_browser(self) -> tuple[str, Path]:
        """The forbidden browser and the marker it leaves when run."""
        script = forbidden_browser(self.tmp)
        return script, Path(script).with_suffix(".ran")

    def browser_script(self, name: str, body: str) -> str:
        return browser_script(self.tmp, name, body)

    # -- state on disk -----------------------------------------------------------------

    def login(self) -> None:
        sign_in(self.session)

    def token_file(self) -> Path:
        from awsenv.auth import tokens

        return tokens.cache_file(self.paths, self.session)

    def token_json(self) -> dict[str, Any]:
        return json.loads(self.token_file().read_text())

    def age_token(self, seconds_left: float) -> None:
        """Rewrite the cached access token's expiry (forces or avoids a refresh)."""
        from awsenv.auth import tokens

        data = self.token_json()
        data["expiresAt"] = tokens.format_time(self.env().now() + seconds_left)
        self.token_file().write_text(json.dumps(data))

    def role_cache(self, profile: str = "dev") -> Path:
        from awsenv.creds import cache

        return cache.cache_file(self.paths, profile)

    def expire_role_cache(self, profile: str = "dev") -> None:
        path = self.role_cache(profile)
        record = json.loads(path.read_text())
        record["credentials"]["expiration"] = self.env().now() - 10
        path.write_text(json.dumps(record))

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


def emulator_fixture(*, scope: str = "function", **knobs: Any) -> Any:
    """A fixture yielding ``running_emulator(**knobs)``; bind it in a conftest as
    ``emu = emulator_fixture(...)`` (pytest takes the fixture's name from there)."""

    @pytest.fixture(scope=scope)  # type: ignore[call-overload]
    def emu() -> Iterator[Any]:
        with running_emulator(**knobs) as server:
            yield server

    return emu


def configured_fixture(**config: Any) -> Any:
    """A fixture giving ``configured_world(emu, ..., **config)``: the config written
    and endpoints pointed at the suite's ``emu``; not signed in."""

    @pytest.fixture
    def configured(emu: Any, isolated_home: Path, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> World:
        return configured_world(emu, isolated_home, tmp_path, monkeypatch, **config)

    return configured


def configured_world(emu: Any, home: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch, *,
                     profiles: Sequence[str] = ALL_PROFILES, before: str = "", after: str = "",
                     **options: Any) -> World:
    """Endpoints pointed at ``emu`` and the config written; not signed in.
    ``options`` are ``World``'s (timeout, guard_browser, check_secrets)."""
    point_at(emu, monkeypatch)
    write_config(sso_config(emu.start_url, emu.region, profiles=profiles, before=before,
                            after=after))
    from awsenv.awsconfig import read

    session = read.load(Environment.from_os()).session("corp")
    return World(emu, home, tmp, session, **options)
