"""Fixtures for sign-in tests: an emulator, a config pointing at it, the real CLI.

Every test gets its own emulator (fast knobs: sub-second device polling) and an
``[sso-session corp]`` config; the autouse isolation fixture in tests/conftest.py
already points HOME, XDG and the keyring at a temporary tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment

ACCOUNT = "111111111111"
ROLE = "ReadOnlyAccess"
# Variables that would change which sign-in flow the CLI picks.
FLOW_VARS = ("CI", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "WSL_DISTRO_NAME", "WSL_INTEROP",
             "DISPLAY", "WAYLAND_DISPLAY")

# A stand-in browser: GET the URL and follow redirects (to the loopback callback).
_FOLLOW = """
import pathlib, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=20) as r:
    pathlib.Path(sys.argv[0]).with_suffix(".page").write_bytes(r.read())
"""

# A browser that answers the callback with a forged state (it is started on
# awsenv's one-shot hand-off, which redirects to the authorize page, which
# redirects to the callback).
_FORGE_STATE = """
import pathlib, sys, urllib.error, urllib.parse, urllib.request
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(NoRedirect)
location = sys.argv[1]
for _ in range(2):
    try:
        opener.open(location, timeout=20)
        sys.exit("expected a redirect")
    except urllib.error.HTTPError as e:
        location = e.headers["Location"]
parts = urllib.parse.urlsplit(location)
query = dict(urllib.parse.parse_qsl(parts.query))
query["state"] = "forged-" + query.get("state", "")
forged = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
try:
    urllib.request.urlopen(forged, timeout=20).read()
except urllib.error.HTTPError as e:
    pathlib.Path(sys.argv[0]).with_suffix(".page").write_bytes(e.read())
"""

# A browser that must never run: it leaves a marker the test checks.
_FORBIDDEN = """
import pathlib, sys
pathlib.Path(sys.argv[0]).with_suffix(".ran").write_text(sys.argv[-1])
sys.exit(1)
"""


@dataclass
class Browsers:
    follow: str
    forge_state: str
    forbidden: str
    forbidden_marker: Path
    follow_page: Path  # the last page the following browser ended on


@pytest.fixture
def browsers(tmp_path: Path) -> Browsers:
    # Executables, not "python script": webbrowser runs BROWSER as one program name.
    scripts = {}
    for name, body in (("follow", _FOLLOW), ("forge", _FORGE_STATE), ("forbidden", _FORBIDDEN)):
        path = tmp_path / f"browser_{name}.py"
        path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
        path.chmod(0o700)
        scripts[name] = str(path)
    return Browsers(scripts["follow"], scripts["forge"], scripts["forbidden"],
                    tmp_path / "browser_forbidden.ran", tmp_path / "browser_follow.page")


@pytest.fixture
def emu() -> Iterator[object]:
    from awsenv.emulator import Directory, Emulator

    with Emulator(directory=Directory.default(), auto_approve=True) as server:
        server.configure(device_interval=0.2)
        yield server


@dataclass
class Signin:
    emu: object
    home: Path
    session: SsoSession

    def env(self) -> Environment:
        return Environment.from_os()

    def cli(self, *args: str, browser: str | None = None, extra: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        if browser is not None:
            env["BROWSER"] = browser
        env.update(extra or {})
        return subprocess.run([sys.executable, "-m", "awsenv", *args], env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def popen(self, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        env = dict(os.environ)
        env.update(extra or {})
        return subprocess.Popen([sys.executable, "-m", "awsenv", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_config(home: Path, start_url: str, region: str, extra: str = "") -> None:
    config = home / ".aws" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(textwrap.dedent(f"""\
        [sso-session corp]
        sso_start_url = {start_url}
        sso_region = {region}
        sso_registration_scopes = sso:account:access

        [profile native]
        sso_session = corp
        sso_account_id = {ACCOUNT}
        sso_role_name = {ROLE}
        region = {region}
        """) + extra)


@pytest.fixture
def signin(emu: object, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Signin:
    for name in FLOW_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in emu.env().items():  # type: ignore[attr-defined]
        monkeypatch.setenv(name, value)
    write_config(isolated_home, emu.start_url, emu.region)  # type: ignore[attr-defined]
    from awsenv.awsconfig import read

    session = read.load(Environment.from_os()).session("corp")
    return Signin(emu, isolated_home, session)
