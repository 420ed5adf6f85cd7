"""Which sign-in flow a machine gets, and the PKCE pieces built before any network call."""

from __future__ import annotations

import base64
import hashlib
import string
from urllib.parse import parse_qsl, urlsplit

import pytest

from awsenv.auth import browser, pkce
from awsenv.auth.login import choose_flow
from awsenv.environment import Environment

LINUX_DESKTOP = {"DISPLAY": ":0", "PATH": "/usr/bin:/bin"}


@pytest.mark.parametrize(("extra", "reason_word"), [
    ({"SSH_CONNECTION": "10.0.0.1 5555 10.0.0.2 22", "BROWSER": "firefox"}, "SSH"),
    ({"SSH_TTY": "/dev/pts/3"}, "SSH"),
    ({"CI": "true", "BROWSER": "firefox"}, "CI"),
    ({"WSL_DISTRO_NAME": "Ubuntu"}, "WSL"),
])
def test_no_local_browser_means_device_code(extra: dict[str, str], reason_word: str) -> None:
    found = browser.check({**LINUX_DESKTOP, **extra}, platform="linux")
    assert not found.usable
    assert reason_word in found.reason


def test_headless_linux_without_browser_variable_gets_device_code() -> None:
    found = browser.check({"PATH": "/usr/bin"}, platform="linux")
    assert not found.usable


def test_browser_variable_or_display_allows_pkce() -> None:
    assert browser.check({"BROWSER": "/bin/true"}, platform="linux").usable
    assert browser.check({"WSL_DISTRO_NAME": "Ubuntu", "BROWSER": "wslview"},
                         platform="linux").usable


def test_ci_false_is_not_ci() -> None:
    assert browser.check({"CI": "false", "BROWSER": "/bin/true"}, platform="linux").usable


def test_flags_override_the_machine() -> None:
    env = Environment(environ={"BROWSER": "/bin/true", "HOME": "/nonexistent"})
    assert choose_flow(env, use_device_code=False, no_browser=False)[:2] == ("pkce", True)
    assert choose_flow(env, use_device_code=True, no_browser=False)[:2] == ("device", True)
    assert choose_flow(env, use_device_code=False, no_browser=True)[:2] == ("device", False)
    ssh = Environment(environ={"BROWSER": "/bin/true", "SSH_CONNECTION": "a b c d",
                               "HOME": "/nonexistent"})
    assert choose_flow(ssh, use_device_code=False, no_browser=False)[:2] == ("device", False)


def test_verifier_and_challenge_follow_rfc7636() -> None:
    verifier = pkce.new_verifier()
    assert len(verifier) == 64
    assert set(verifier) <= set(string.ascii_letters + string.digits + "-._~")
    assert pkce.new_verifier() != verifier
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert pkce.challenge(verifier) == expected.rstrip(b"=").decode()
    assert len(pkce.challenge(verifier)) == 43


def test_authorize_url_uses_endpoint_host_and_aws_parameter_order() -> None:
    url = pkce.authorize_url("https://oidc.eu-west-1.amazonaws.com/some/prefix",
                             client_id="cid", redirect_uri="http://127.0.0.1:4242/oauth/callback",
                             state="st", code_challenge="ch", scopes=("sso:account:access",))
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "oidc.eu-west-1.amazonaws.com", "/authorize")
    assert parse_qsl(parts.query) == [
        ("response_type", "code"), ("client_id", "cid"),
        ("redirect_uri", "http://127.0.0.1:4242/oauth/callback"), ("state", "st"),
        ("code_challenge_method", "S256"), ("scopes", "sso:account:access"),
        ("code_challenge", "ch")]


def test_callback_listener_survives_idle_browser_connections() -> None:
    """Browsers preconnect sockets that send nothing; the real callback must still land."""
    import socket
    import urllib.request

    with pkce.CallbackServer() as server:
        server.expected_state = "st"
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        try:
            with urllib.request.urlopen(f"{server.redirect_uri}?code=c0de&state=st",
                                        timeout=5) as reply:
                page = reply.read().decode()
            result = server.wait(5)
        finally:
            for sock in idle:
                sock.close()
    assert result is not None and (result.code, result.state) == ("c0de", "st")
    assert "You can close this tab" in page


def test_callback_listener_is_loopback_only_and_takes_one_answer() -> None:
    import urllib.error
    import urllib.request

    with pkce.CallbackServer() as server:
        assert server.redirect_uri.startswith("http://127.0.0.1:")
        server.expected_state = "st"
        urllib.request.urlopen(f"{server.redirect_uri}?code=first&state=st", timeout=5).read()
        with pytest.raises(urllib.error.HTTPError) as stray:
            urllib.request.urlopen(f"{server.redirect_uri}?code=second&state=st", timeout=5)
        assert stray.value.code == 404
        assert server.wait(1).code == "first"
