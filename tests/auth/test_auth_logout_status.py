"""`awsenv status` exit codes and JSON; `awsenv logout` leaves nothing behind."""

from __future__ import annotations

import json
import os

from awsenv import fsutil
from awsenv.auth import login, registration, secrets, tokens
from awsenv.errors import ExitCode


def _keyring_entries() -> dict[str, str]:
    path = os.environ["AWSENV_TEST_KEYRING_FILE"]
    try:
        with open(path) as fh:
            return json.load(fh)
    except FileNotFoundError:
        return {}


def test_status_before_and_after_login(signin) -> None:
    result = signin.cli("status", "--json")
    assert result.returncode == ExitCode.NOT_SIGNED_IN, result.stderr
    report = json.loads(result.stdout)
    [corp] = report["sessions"]
    assert corp["session"] == "corp" and corp["signed_in"] is False
    assert corp["can_refresh"] is False and corp["expires_at"] is None
    assert report["keyring"]["backend"] and report["all_signed_in"] is False

    login.login(signin.env(), signin.session, no_browser=True)
    result = signin.cli("status", "--json")
    assert result.returncode == 0, result.stderr
    corp = json.loads(result.stdout)["sessions"][0]
    assert corp["signed_in"] is True and corp["can_refresh"] is True
    assert corp["start_url"] == signin.session.start_url
    assert corp["region"] == signin.session.region
    assert corp["expires_at"].endswith("Z") and corp["expires_epoch"] > signin.env().now()

    table = signin.cli("status")
    assert table.returncode == 0
    header, row = table.stdout.splitlines()[:2]
    assert header.split()[:3] == ["SESSION", "START", "URL"]
    assert row.split()[:4] == ["corp", signin.session.start_url, signin.session.region, "yes"]
    assert "keyring:" in table.stdout


def test_status_of_one_session_among_several(signin) -> None:
    config = signin.home / ".aws" / "config"
    config.write_text(config.read_text() + "\n[sso-session other]\n"
                      "sso_start_url = https://d-9999999999.awsapps.com/start\n"
                      "sso_region = eu-west-1\n")
    login.login(signin.env(), signin.session, no_browser=True)
    assert signin.cli("status", "--session", "corp").returncode == 0
    both = signin.cli("status", "--json")
    assert both.returncode == ExitCode.NOT_SIGNED_IN
    states = {s["session"]: s["signed_in"] for s in json.loads(both.stdout)["sessions"]}
    assert states == {"corp": True, "other": False}


def test_logout_removes_everything(signin) -> None:
    from awsenv.creds import cache

    env = signin.env()
    login.login(env, signin.session, no_browser=True)
    # A role credential minted through this session, and one through another.
    base = {"access_key_id": "ASIA1", "secret_access_key": "s", "session_token": "t",
            "expiration": env.now() + 3600, "fetched_at": env.now(), "account_id": "1",
            "role_name": "r", "region": "us-east-1"}
    mine = cache.store(env.paths, {**base, "profile": "native", "session_key": "corp"}, None)
    theirs = cache.store(env.paths, {**base, "profile": "x", "session_key": "other"}, None)
    from awsenv.sync import listing_cache

    listing_cache.save(env, signin.session, [])
    listing = listing_cache.path(env, signin.session)
    assert listing.exists()
    assert any(k.startswith("awsenv:corp") for k in _keyring_entries())

    result = signin.cli("logout")
    assert result.returncode == 0, result.stderr
    assert "signed out" in result.stderr
    assert signin.emu.counters().get("Logout") == 1
    assert not any(k.startswith("awsenv:corp") for k in _keyring_entries())
    assert secrets.load("corp") is None
    assert not tokens.cache_file(env.paths, signin.session).exists()
    assert not registration.path(env, signin.session).exists()
    assert not mine.exists() and theirs.exists()
    assert not listing.exists()

    status = signin.cli("status")
    assert status.returncode == ExitCode.NOT_SIGNED_IN
    again = signin.cli("logout", "--all")
    assert again.returncode == 0 and "was not signed in" in again.stderr


def test_logout_works_offline(signin, monkeypatch) -> None:
    login.login(signin.env(), signin.session, no_browser=True)
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    result = signin.cli("logout", "--session", "corp",
                        extra={"AWS_ENDPOINT_URL_SSO": dead, "AWS_MAX_ATTEMPTS": "1"})
    assert result.returncode == 0, result.stderr
    assert secrets.load("corp") is None
    assert fsutil.read_json(tokens.cache_file(signin.env().paths, signin.session)) is None


def test_broken_keyring_status_and_logout(signin) -> None:
    login.login(signin.env(), signin.session, no_browser=True)
    broken = {"AWSENV_TEST_KEYRING_FAIL": "1"}
    status = signin.cli("status", "--json", extra=broken)
    assert status.returncode == 0, status.stderr  # the access token still has hours
    corp = json.loads(status.stdout)["sessions"][0]
    assert corp["signed_in"] is True and corp["can_refresh"] is None
    assert json.loads(status.stdout)["keyring"]["usable"] is False
    logout = signin.cli("logout", extra=broken)
    assert logout.returncode == ExitCode.KEYRING, logout.stderr
    # Everything that is not in the keyring is gone all the same.
    assert not tokens.cache_file(signin.env().paths, signin.session).exists()
    assert not registration.path(signin.env(), signin.session).exists()


def test_sessions_side_by_side_are_independent(signin) -> None:
    from awsenv.awsconfig import read

    config = signin.home / ".aws" / "config"
    config.write_text(config.read_text() + "\n[sso-session second]\n"
                      f"sso_start_url = {signin.session.start_url}\n"
                      f"sso_region = {signin.session.region}\n")
    second = read.load(signin.env()).session("second")
    for name in ("corp", "second"):
        assert signin.cli("login", "--session", name, "--no-browser").returncode == 0
    env = signin.env()
    assert tokens.cache_file(env.paths, signin.session) != tokens.cache_file(env.paths, second)
    assert secrets.load("corp").refresh_token != secrets.load("second").refresh_token
    assert signin.cli("status").returncode == 0

    assert signin.cli("logout", "--session", "second").returncode == 0
    assert secrets.load("second") is None and secrets.load("corp") is not None
    assert tokens.access_token(env, signin.session)  # corp is untouched
    assert signin.cli("status", "--session", "corp").returncode == 0
    assert signin.cli("status").returncode == ExitCode.NOT_SIGNED_IN
