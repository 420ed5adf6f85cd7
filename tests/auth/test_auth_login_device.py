"""Device-code sign-in: pending, slow_down, denied, expired, and the automatic choice."""

from __future__ import annotations

import time

import pytest

from awsenv.auth import clients, device, login, registration, secrets, tokens
from awsenv.errors import ExitCode, LoginFailed


def test_no_browser_device_login_after_approval(signin, browsers) -> None:
    signin.emu.configure(auto_approve=False)
    proc = signin.popen("login", "--no-browser", extra={"BROWSER": browsers.forbidden})
    code = None
    lines = []
    assert proc.stderr is not None
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("and enter the code:"):
            code = line.split(":", 1)[1].strip()
            break
    assert code, "".join(lines)
    # Approve only once the CLI has polled and been told "pending".
    for _ in range(200):
        if signin.emu.counters().get("CreateToken:device_code", 0) >= 1:
            break
        time.sleep(0.05)
    signin.emu.approve(code)
    rest = proc.stderr.read()
    proc.wait(timeout=30)
    text = "".join(lines) + rest
    assert proc.returncode == 0, text
    assert "?user_code=" in text, text  # the complete URL is shown too
    assert "Signed in to" in text
    assert not browsers.forbidden_marker.exists()
    counters = signin.emu.counters()
    assert counters.get("CreateToken:device_code", 0) >= 2  # pending at least once
    assert counters.get("CreateToken:authorization_code", 0) == 0
    assert registration.load(signin.env(), signin.session).flow == "device"
    assert tokens.access_token(signin.env(), signin.session, refresh=False)


def test_ssh_session_picks_device_code_without_a_browser(signin, browsers) -> None:
    result = signin.cli("login", browser=browsers.forbidden,
                        extra={"SSH_CONNECTION": "10.0.0.1 50000 10.0.0.2 22"})
    assert result.returncode == 0, result.stderr
    assert "device code (this is an SSH session)" in result.stderr
    assert not browsers.forbidden_marker.exists()
    assert signin.emu.counters().get("CreateToken:device_code", 0) >= 1


def _start(signin):
    env = signin.env()
    reg, secret = registration.register(env, signin.session, "device")
    client = clients.oidc(env, signin.session.region)
    auth = device.start(client, client_id=reg.client_id, client_secret=secret,
                        start_url=signin.session.start_url, region=signin.session.region)
    return client, reg, secret, auth


def test_slow_down_adds_five_seconds(signin) -> None:
    signin.emu.configure(auto_approve=False, device_interval=0.3)
    client, reg, secret, auth = _start(signin)
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        # The first wait is skipped (a client polling too fast); the second, the
        # slowed-down one, is where the person approves.
        asked.append(seconds)
        if len(asked) == 2:
            signin.emu.approve(auth.user_code)
            import time
            time.sleep(0.35)

    reply = device.poll(client, auth, client_id=reg.client_id, client_secret=secret,
                        region=signin.session.region, sleep=sleep)
    assert reply["accessToken"]
    assert asked == [auth.interval, auth.interval + 5]


def test_denied_device_code_stops_with_a_clear_message(signin) -> None:
    signin.emu.configure(auto_approve=False)
    with pytest.raises(LoginFailed) as caught:
        login.login(signin.env(), signin.session, no_browser=True,
                    on_prompt=lambda p: signin.emu.deny(p.user_code))
    assert caught.value.code == ExitCode.LOGIN_FAILED
    assert "denied" in caught.value.line() and "awsenv login" in caught.value.line()
    assert secrets.load("corp") is None


def test_expired_device_code_stops_with_a_clear_message(signin) -> None:
    signin.emu.configure(auto_approve=False, device_code_ttl=1)
    prompts = []
    with pytest.raises(LoginFailed) as caught:
        login.login(signin.env(), signin.session, no_browser=True, on_prompt=prompts.append)
    assert "expired" in caught.value.line()
    assert len(prompts) == 1 and not prompts[0].opening_browser
    assert not tokens.cache_file(signin.env().paths, signin.session).exists()


def test_registration_near_expiry_is_replaced(signin) -> None:
    signin.emu.configure(registration_ttl=600)  # inside the 15-minute margin at once
    login.login(signin.env(), signin.session, no_browser=True)
    first = registration.load(signin.env(), signin.session)
    login.login(signin.env(), signin.session, no_browser=True)
    assert registration.load(signin.env(), signin.session).client_id != first.client_id
    assert signin.emu.counters().get("RegisterClient") == 2


def test_switching_flows_keeps_both_working(signin, browsers) -> None:
    assert signin.cli("login", "--no-browser").returncode == 0
    assert signin.cli("login", browser=browsers.follow).returncode == 0
    assert registration.load(signin.env(), signin.session).flow == "pkce"
    again = signin.cli("login", "--use-device-code", browser=browsers.forbidden,
                       extra={"CI": "true"})
    assert again.returncode == 0, again.stderr
    assert registration.load(signin.env(), signin.session).flow == "device"
    assert secrets.load("corp").refresh_token
    assert not browsers.forbidden_marker.exists()


def test_service_failure_is_one_line(signin) -> None:
    signin.emu.configure(error_rate=1.0, error_operations=["RegisterClient"])
    result = signin.cli("login", "--no-browser", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert result.returncode == ExitCode.SERVICE, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("awsenv: IAM Identity Center")


def test_use_device_code_opens_the_complete_url_when_a_browser_exists(signin, browsers) -> None:
    signin.emu.configure(auto_approve=False)
    proc = signin.popen("login", "--use-device-code", extra={"BROWSER": browsers.follow})
    # The stand-in browser visits the verification page carrying the code; the
    # person then approves that code.
    for _ in range(400):
        if signin.emu.counters().get("DeviceVerification", 0) >= 1:
            break
        time.sleep(0.05)
    assert signin.emu.counters().get("DeviceVerification", 0) == 1
    [code] = signin.emu.pending_user_codes()
    signin.emu.approve(code)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "device code (--use-device-code was given)" in err
    assert signin.emu.counters().get("CreateToken:authorization_code", 0) == 0
