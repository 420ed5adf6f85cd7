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
