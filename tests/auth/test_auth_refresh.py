"""Silent refresh: no browser, rotation, revocation, and one CreateToken for many racers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from awsenv.auth import login, secrets, tokens
from awsenv.errors import ExitCode, NotSignedIn


def _login_short(signin, ttl: int = 600) -> None:
    """Sign in with an access token already inside the 15-minute refresh window."""
    signin.emu.configure(access_token_ttl=ttl)
    login.login(signin.env(), signin.session, no_browser=True)
    signin.emu.configure(access_token_ttl=3600)


def test_cached_token_needs_no_refresh(signin) -> None:
    signin.emu.configure(access_token_ttl=3600)
    login.login(signin.env(), signin.session, no_browser=True)
    first = tokens.access_token(signin.env(), signin.session)
    assert tokens.access_token(signin.env(), signin.session) == first
    assert signin.emu.counters().get("CreateToken:refresh_token", 0) == 0


def test_refresh_without_a_browser_and_rotation(signin, browsers) -> None:
    _login_short(signin)
    before = secrets.load("corp")
    old = tokens.read_cached(signin.env().paths, signin.session)
    result = signin.cli("status", "--session", "corp", browser=browsers.forbidden)
    assert result.returncode == 0, result.stderr
    assert not browsers.forbidden_marker.exists()
    assert signin.emu.counters().get("CreateToken:refresh_token") == 1
    new = tokens.read_cached(signin.env().paths, signin.session)
    assert new.token != old.token and new.expires_at - old.expires_at > 2000
    after = secrets.load("corp")
    assert after.refresh_token != before.refresh_token  # rotated and stored
    assert after.client_secret == before.client_secret
    record = json.loads(tokens.cache_file(signin.env().paths, signin.session).read_text())
    assert "refreshToken" not in record and "clientSecret" not in record


def test_revoked_session_means_not_signed_in(signin, browsers) -> None:
    _login_short(signin)
    signin.emu.revoke_all()
    result = signin.cli("status", "--session", "corp", browser=browsers.forbidden)
    assert result.returncode == ExitCode.NOT_SIGNED_IN, result.stderr
    assert "session corp has ended; run `awsenv login --session corp`" in result.stderr
    assert not browsers.forbidden_marker.exists()
    # The dead token is gone from the cache; the client secret stays for the next login.
    assert not tokens.cache_file(signin.env().paths, signin.session).exists()
    stored = secrets.load("corp")
    assert stored is not None and stored.refresh_token is None
    with pytest.raises(NotSignedIn):
        tokens.access_token(signin.env(), signin.session)


def test_transient_failure_keeps_the_old_token(signin, monkeypatch) -> None:
    _login_short(signin)
    before = secrets.load("corp")
    old = tokens.read_cached(signin.env().paths, signin.session)
    signin.emu.configure(error_rate=1.0, error_operations=["CreateToken"])
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    got = tokens.access_token(signin.env(), signin.session)
    assert got == old  # still valid for ~10 minutes: used, nothing destroyed
    assert secrets.load("corp") == before
    assert tokens.read_cached(signin.env().paths, signin.session) == old


def test_lost_rotated_refresh_token_asks_to_sign_in_again(signin) -> None:
    _login_short(signin)
    stale = secrets.load("corp")
    tokens.access_token(signin.env(), signin.session)  # rotates
    secrets.save("corp", stale)  # as if the process died before storing the new one
    cache = tokens.cache_file(signin.env().paths, signin.session)
    record = json.loads(cache.read_text())
    record["expiresAt"] = tokens.format_time(signin.env().now() + 60)
    cache.write_text(json.dumps(record))
    with pytest.raises(NotSignedIn) as caught:
        tokens.access_token(signin.env(), signin.session)
    assert "awsenv login --session corp" in caught.value.line()


_RACER = """
import hashlib, sys
from awsenv.auth import tokens
from awsenv.awsconfig import read
from awsenv.environment import Environment
env = Environment.from_os()
session = read.load(env).session("corp")
print(hashlib.sha256(tokens.access_token(env, session).token.encode()).hexdigest())
"""


@pytest.mark.parametrize("new_ttl", [3600, 600], ids=["hour", "inside-window"])
def test_ten_racing_processes_refresh_once(signin, new_ttl: int) -> None:
    _login_short(signin)
    # Even when the refreshed token is itself inside the 15-minute window, the
    # racers that waited for the lock take it instead of refreshing again.
    signin.emu.configure(access_token_ttl=new_ttl)
    procs = [subprocess.Popen([sys.executable, "-c", _RACER], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(10)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    assert len({o.strip() for o, _ in outs}) == 1  # everyone got the one new token
    assert signin.emu.counters().get("CreateToken:refresh_token") == 1


_LIGHT = """
import sys
from awsenv.auth import tokens
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
env = Environment.from_os()
session = SsoSession("corp", "corp", sys.argv[1], sys.argv[2])
assert tokens.access_token(env, session).token
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"boto3", "botocore", "keyring",
                                                         "click", "jinja2"})
print(",".join(heavy) or "none")
"""


def test_valid_token_read_imports_nothing_heavy(signin) -> None:
    signin.emu.configure(access_token_ttl=3600)
    login.login(signin.env(), signin.session, no_browser=True)
    result = subprocess.run([sys.executable, "-c", _LIGHT, signin.session.start_url,
                             signin.session.region], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"


def test_portal_401_drop_then_silent_refresh(signin) -> None:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import ClientError

    signin.emu.configure(access_token_ttl=3600)
    login.login(signin.env(), signin.session, no_browser=True)
    portal = boto3.client("sso", region_name=signin.session.region,
                          config=Config(signature_version=UNSIGNED))
    signin.emu.expire_access_tokens()  # the cache file still says ~1 h left
    stale = tokens.access_token(signin.env(), signin.session)
    with pytest.raises(ClientError) as caught:
        portal.list_accounts(accessToken=stale.token)
    assert caught.value.response["Error"]["Code"] == "UnauthorizedException"
    assert tokens.drop(signin.env(), signin.session)
    fresh = tokens.access_token(signin.env(), signin.session)
    assert fresh.token != stale.token
    assert portal.list_accounts(accessToken=fresh.token)["accountList"]
    assert signin.emu.counters().get("CreateToken:refresh_token") == 1


def test_token_from_aws_sso_login_is_reused_not_refreshed(signin) -> None:
    """A cache file the AWS CLI wrote (refresh token inside) serves until it expires."""
    grant = signin.emu.sign_in()
    cache = tokens.cache_file(signin.env().paths, signin.session)
    now = signin.env().now()
    record = {"startUrl": signin.session.start_url, "region": signin.session.region,
              "accessToken": grant["accessToken"], "expiresAt": tokens.format_time(now + 600),
              "clientId": grant["clientId"], "clientSecret": grant["clientSecret"],
              "refreshToken": grant["refreshToken"],
              "registrationExpiresAt": tokens.format_time(grant["clientSecretExpiresAt"])}
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps(record))
    assert tokens.access_token(signin.env(), signin.session).token == grant["accessToken"]
    assert signin.emu.counters().get("CreateToken:refresh_token", 0) == 0
    record["expiresAt"] = "2020-01-01T00:00:00UTC"  # the old AWS CLI suffix parses too
    cache.write_text(json.dumps(record))
    with pytest.raises(NotSignedIn) as caught:
        tokens.access_token(signin.env(), signin.session)
    assert "awsenv login --session corp" in caught.value.line()


def test_token_for_another_start_url_is_ignored(signin) -> None:
    signin.emu.configure(access_token_ttl=3600)
    login.login(signin.env(), signin.session, no_browser=True)
    moved = type(signin.session)("corp", "corp", "https://d-0000000000.awsapps.com/start",
                                 signin.session.region)
    with pytest.raises(NotSignedIn):
        tokens.access_token(signin.env(), moved, refresh=False)


def test_locked_keyring_stops_login_before_any_sign_in(signin, monkeypatch) -> None:
    monkeypatch.setenv("AWSENV_TEST_KEYRING_FAIL", "1")
    result = signin.cli("login", "--no-browser")
    assert result.returncode == ExitCode.KEYRING, result.stderr
    assert result.stderr.startswith("awsenv: ") and "Traceback" not in result.stderr
    assert signin.emu.counters().get("RegisterClient", 0) == 0
