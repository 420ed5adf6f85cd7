"""`awsenv console`: the federation flow against the emulator, partitions, no leaked token."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from awsenv.console import default_destination, federation_endpoint, partition

# A browser that follows the URL it was asked to open and records where it landed
# (the argv itself is a one-shot loopback link: tests/hardening/test_browser_handoff.py).
RECORDING_BROWSER = """\
import pathlib, sys, urllib.request
with urllib.request.urlopen(sys.argv[-1], timeout=20) as resp:
    landed = resp.geturl()
tmp = pathlib.Path(sys.argv[0]).with_suffix(".tmp")
tmp.write_text(landed)
tmp.rename(tmp.with_suffix(".url"))
"""


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def get_status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=20) as resp:
        return resp.status


def test_print_gives_a_working_login_url(signed) -> None:
    result = signed.cli("--debug", "console", "dev", "--print")
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    params = query(url)
    assert url.startswith(federation_endpoint(signed.env().environ, "eu-west-1") + "?")
    assert params["Action"] == "login" and params["Issuer"] == "awsenv"
    assert params["Destination"] == (
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")
    assert params["SigninToken"] and params["SigninToken"] not in result.stderr
    assert get_status(url) == 200


def test_opens_the_browser_with_the_profile_from_the_environment(signed) -> None:
    script = Path(signed.browser_script("browser", RECORDING_BROWSER))
    dest = "https://eu-west-1.console.aws.amazon.com/s3/home"
    result = signed.cli("console", "--destination", dest,
                        extra={"BROWSER": str(script), "AWSENV_PROFILE": "dev"})
    assert result.returncode == 0, result.stderr
    # awsenv returns once the browser took the link; the browser may still be
    # loading the page: wait for its record (a hang detector, not a timing assert).
    record, deadline = script.with_suffix(".url"), time.monotonic() + 60
    while not record.exists() or not record.read_text():
        assert time.monotonic() < deadline, "the browser never reported"
        time.sleep(0.05)
    url = record.read_text()
    assert result.stdout == "" and query(url)["Destination"] == dest
    assert signed.count("FederationLogin") == 1


def test_refusals(signed) -> None:
    bad = signed.cli("console", "dev", "--print", "--destination", "http://evil.example/")
    assert bad.returncode != 0 and "https://" in bad.stderr and bad.stdout == ""
    signed_out = signed.cli("console", "--print")
    assert signed_out.returncode == 2 and "no profile given" in signed_out.stderr


@pytest.mark.parametrize(("region", "signin", "console"), [
    ("eu-west-1", "https://signin.aws.amazon.com/federation",
     "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"),
    (None, "https://signin.aws.amazon.com/federation",
     "https://console.aws.amazon.com/console/home"),
    ("cn-north-1", "https://signin.amazonaws.cn/federation",
     "https://console.amazonaws.cn/console/home?region=cn-north-1"),
    ("us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation",
     "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"),
])
def test_partitions(region: str | None, signin: str, console: str) -> None:
    assert federation_endpoint({}, region) == signin
    assert default_destination(region) == console
    assert partition(region).name in ("aws", "aws-cn", "aws-us-gov")


def test_endpoint_override() -> None:
    env = {"AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:9/"}
    assert federation_endpoint(env, "cn-north-1") == "http://127.0.0.1:9/federation"
    assert federation_endpoint({"AWS_ENDPOINT_URL_SIGNIN": "http://h/federation"}, None) == (
        "http://h/federation")
