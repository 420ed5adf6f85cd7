"""Helpers shared by the shell-integration tests (a uniquely named module: every
test directory has a `conftest`, so tests must not import from that name)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from awsenv.environment import Environment
from awsenv.paths import awsenv_command

AWSENV = awsenv_command()

# Plain profiles: switching without any sign-in.
PLAIN_CONFIG = """\
[profile dev]
region = eu-west-1

[profile ops]
region = us-east-2

[profile prod]
region = us-east-1

[profile noregion]
output = json
"""

# A browser that must never run: it leaves a marker the test checks.
FORBIDDEN_BROWSER = """\
import pathlib, sys
pathlib.Path(sys.argv[0]).with_suffix(".ran").write_text(sys.argv[-1])
sys.exit(1)
"""


def sso_config(start_url: str, sso_region: str) -> str:
    cp = " ".join([*AWSENV, "credential-process"])
    return textwrap.dedent(f"""\
        [sso-session corp]
        sso_start_url = {start_url}
        sso_region = {sso_region}
        sso_registration_scopes = sso:account:access

        [profile dev]
        credential_process = {cp} --profile dev
        awsenv_session = corp
        awsenv_account_id = 111111111111
        awsenv_role_name = AdministratorAccess
        region = eu-west-1

        [profile native]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = Developer
        region = us-west-2
        """)


def make_project(parent: Path, name: str, text: str) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    (d / ".awsenv").write_text(text)
    (d / ".awsenv").chmod(0o644)
    return d


def login(emu: Any) -> None:
    from awsenv.auth import login as login_mod
    from awsenv.awsconfig import read

    env = Environment.from_os()
    session = read.load(env).session("corp")
    login_mod.login(env, session, use_device_code=True, no_browser=True)


def browser_ran(tmp_path: Path) -> bool:
    return (tmp_path / "browser_forbidden.ran").exists()
