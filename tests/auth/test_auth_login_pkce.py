"""`awsenv login` with the browser (authorization code + PKCE), the real CLI end to end."""

from __future__ import annotations

import json
import stat

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from awsenv.auth import registration, secrets, tokens
from awsenv.errors import ExitCode


def test_pkce_login_signs_in_and_the_token_works(signin, browsers) -> None:
    result = signin.cli("login", browser=browsers.follow)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # stdout is for machines; login has nothing for them
    assert f"Signed in to {signin.session.start_url} (session corp) until" in result.stderr
    assert "renews this sign-in" in result.stderr
    assert "You can close this tab" in browsers.follow_page.read_text()
    counters = signin.emu.counters()
    assert counters.get("CreateToken:authorization_code") == 1
    assert counters.get("CreateToken:device_code", 0) == 0

    env = signin.env()
    path = tokens.cache_file(env.paths, signin.session)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = json.loads(path.read_text())
    assert set(record) == {"startUrl", "region", "accessToken", "expiresAt", "clientId",
                           "registrationExpiresAt"}
    assert record["startUrl"] == signin.session.start_url
    assert record["expiresAt"].endswith("Z") and len(record["expiresAt"]) == 20

    reg = registration.load(env, signin.session)
    assert reg is not None and reg.flow == "pkce" and reg.client_id == record["clientId"]
    assert stat.S_IMODE(registration.path(env, signin.session).stat().st_mode) == 0o600
    stored = secrets.load("corp")
    assert stored is not None and stored.refresh_token and stored.client_secret

    portal = boto3.client("sso", region_name=signin.session.region,
                          config=Config(signature_version=UNSIGNED))
    accounts = portal.list_accounts(accessToken=record["accessToken"])["accountList"]
    assert {a["accountId"] for a in accounts} >= {"111111111111"}


def test_second_login_reuses_the_registration(signin, browsers) -> None:
    assert signin.cli("login", browser=browsers.follow).returncode == 0
    first = registration.load(signin.env(), signin.session)
    assert signin.cli("login", "--session", "corp", browser=browsers.follow).returncode == 0
    assert registration.load(signin.env(), signin.session) == first
    counters = signin.emu.counters()
    assert counters.get("RegisterClient") == 1
    assert counters.get("CreateToken:authorization_code") == 2


def test_forged_state_is_ignored_until_the_deadline(signin, browsers) -> None:
    """A callback with a wrong state is not the answer: a bare 400, and the
    sign-in keeps waiting (tests/hardening/test_pkce_callback.py: then the real
    one completes)."""
    result = signin.cli("login", browser=browsers.forge_state,
                        extra={"AWSENV_LOGIN_TIMEOUT": "2"})
    assert result.returncode == ExitCode.TIMEOUT, result.stderr
    assert "no answer from the browser" in result.stderr
    assert "Traceback" not in result.stderr  # neither awsenv nor the browser saw a crash
    page = browsers.follow_page.with_name("browser_forge.page").read_text()
    assert "state" not in page.lower() and "Sign-in received" not in page
    assert signin.emu.counters().get("CreateToken:authorization_code", 0) == 0
    assert not tokens.cache_file(signin.env().paths, signin.session).exists()


def test_denied_in_the_browser_fails_clearly(signin, browsers) -> None:
    signin.emu.configure(deny_approvals=True)
    result = signin.cli("login", browser=browsers.follow)
    assert result.returncode == ExitCode.LOGIN_FAILED, result.stderr
    assert "denied" in result.stderr and "awsenv login" in result.stderr
    assert secrets.load("corp") is None


def test_browser_that_never_calls_back_times_out(signin) -> None:
    result = signin.cli("login", browser="true", extra={"AWSENV_LOGIN_TIMEOUT": "1"})
    assert result.returncode == ExitCode.TIMEOUT, result.stderr
    assert "no answer from the browser" in result.stderr
    assert "--use-device-code" in result.stderr


def test_failing_browser_command_falls_back_to_device_code(signin) -> None:
    result = signin.cli("login", browser="false")
    assert result.returncode == 0, result.stderr
    assert "device code (the browser could not be opened)" in result.stderr
    assert signin.emu.counters().get("CreateToken:device_code", 0) >= 1
