"""Helpers shared by the shell-integration tests (a uniquely named module: every
test directory has a `conftest`, so tests must not import from that name). The
AWS config, browser and sign-in come from ``support.world``."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.world import browser_ran, sign_in

__all__ = [
    "KINDS",
    "PLAIN_CONFIG",
    "SSO_CONFIG",
    "applied",
    "browser_ran",
    "full_hook_answer",
    "hook_environ",
    "login",
    "make_project",
    "plain_shell_fixture",
    "signed_in",
]

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]

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


# Profiles of one sso-session (corp), a PROD one, a quoted name, one without sign-in, a chain.
SSO_CONFIG = """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
awsenv_session = corp
awsenv_account_id = 111111111111
awsenv_role_name = Developer
region = eu-west-1

[profile prod-admin]
awsenv_session = corp
awsenv_account_id = 333333333333
awsenv_role_name = Admin
region = us-east-1

[profile "quoted name"]
awsenv_session = corp
awsenv_account_id = 222222222222
awsenv_role_name = ReadOnly

[profile plain]
output = json

[profile hop]
role_arn = arn:aws:iam::444444444444:role/deploy
source_profile = dev
"""


def signed_in(seconds_left: float) -> Path:
    """The AWS CLI token file of session corp, expiring ``seconds_left`` from now."""
    from awsenv.auth import tokens
    from awsenv.digest import sha1

    cache = Path(os.environ["HOME"]) / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (sha1(b"corp").hexdigest() + ".json")
    path.write_text(json.dumps({"accessToken": "t", "region": "eu-west-1",
                                "startUrl": "https://corp.awsapps.com/start",
                                "expiresAt": tokens.format_time(time.time() + seconds_left)}))
    path.chmod(0o600)
    return path


def make_project(parent: Path, name: str, text: str) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    (d / ".awsenv").write_text(text)
    (d / ".awsenv").chmod(0o644)
    return d


def login(emu: Any) -> None:
    """Sign in to session corp of the config ``signed`` wrote (``emu`` is that fixture)."""
    sign_in()


def plain_shell_fixture() -> Any:
    """A fixture ``shell``: each of bash, zsh and fish, interactive with the hook, in the
    work directory over ``PLAIN_CONFIG``; bind it in a test module as
    ``shell = plain_shell_fixture()``."""
    from _interactive import Shell

    @pytest.fixture(params=KINDS, name="shell")
    def fixture(request: pytest.FixtureRequest, plain_config: Path, work: Path,
                isolated_home: Path) -> Iterator[Shell]:
        sh = Shell(str(request.param), isolated_home, work)
        yield sh
        sh.close()

    return fixture


def hook_environ(found: object) -> dict[str, str]:
    """This process's environment as the shell hands it to the hook for a `cd` that
    found ``found`` (no identity set yet)."""
    environ = {**os.environ, "_AWSENV_FOUND": os.fspath(found),  # type: ignore[call-overload]
               "_AWSENV_PID": "4242", "_AWSENV_REASON": "dir"}
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWSENV_PROFILE",
                 "AWSENV_EXPIRES"):
        environ.pop(name, None)
    return environ


def full_hook_answer(environ: dict[str, str]) -> bytes:
    """The full path's hook answer (awsenv.shells.hook), in process."""
    from awsenv.environment import Environment
    from awsenv.shells import hook

    return hook.hook(Environment(environ=environ)).finish(0)


def applied(environ: dict[str, str], answer: bytes) -> dict[str, str]:
    """The shell after applying ``answer`` (what the shell functions do with it)."""
    from awsenv.shells import records

    out = dict(environ)
    for rec in records.parse(answer):
        if rec[0] == "set":
            out[rec[1]] = rec[2]
        elif rec[0] == "unset":
            out.pop(rec[1], None)
        elif rec[0] == "state":
            out["_AWSENV_STATE"] = rec[1]
        elif rec[0] == "tree":
            out["_AWSENV_FROM"] = rec[1]
        elif rec[0] == "ref":
            out["_AWSENV_REF"] = rec[1]
    return out


def stored_credentials(profile: str, *, role: str = "Developer", region: str = "eu-west-1"
                       ) -> Path:
    """A servable credential record for ``profile`` of session corp, as a fetch stores it."""
    import time

    from awsenv.creds import cache
    from awsenv.environment import Environment

    paths = Environment.from_os().paths
    assert paths is not None
    now = time.time()
    return cache.store(paths, {
        "access_key_id": f"ASIA{profile.upper()}", "secret_access_key": "s3cret",
        "session_token": "tok", "expiration": now + 3600, "fetched_at": now,
        "profile": profile, "session_key": "corp", "account_id": "111111111111",
        "role_name": role, "region": region,
    }, cache.config_stamp(paths))
