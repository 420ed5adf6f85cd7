"""Red team, round 2: console links that a browser would take off the AWS console.

Python's urlsplit and a browser (the WHATWG URL parser) disagree on a backslash
(a browser reads it as '/') and on tabs/newlines (a browser drops them), so a
destination urlsplit sees on the console host can land the signed-in browser
elsewhere. ``--region`` becomes part of the console host name, and the
``--via-portal`` link was built from it without the destination check.
Each case must be refused in one line (exit 2) before any sign-in token is
asked for, with nothing on stdout.
"""

from __future__ import annotations

import urllib.parse

import pytest
from support.world import World, configured_fixture

from awsenv import console as core

configured = configured_fixture()


@pytest.fixture
def signed(configured: World) -> World:
    configured.login()
    return configured


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


# Each of these is evil.example (or no URL at all) to a browser.
OFF_CONSOLE = [
    "https://evil.example\\.console.aws.amazon.com/",
    "https://evil.example\\.eu-west-1.console.aws.amazon.com/s3/home",
    "https://evil.example\t.console.aws.amazon.com/",
    "https://evil.example%2f.console.aws.amazon.com/",
    "https://evil.example\uff3c.console.aws.amazon.com/",
]


@pytest.mark.parametrize("url", OFF_CONSOLE)
@pytest.mark.parametrize("portal", [False, True], ids=["signin", "via-portal"])
def test_destination_a_browser_reads_as_another_host_is_refused(signed: World, url: str,
                                                                 portal: bool) -> None:
    r = signed.cli("console", "dev", "--print", "--destination", url,
                   *(["--via-portal"] if portal else []))
    assert (r.returncode, r.stdout) == (2, ""), (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and "console.aws.amazon.com" in r.stderr
    assert signed.count("GetSigninToken") == 0


@pytest.mark.parametrize("region", ["evil.example\\", "evil.example/", "evil.example#",
                                    "eu-west-1.evil.example/x", "EU-WEST-1", "eu west 1"])
@pytest.mark.parametrize("portal", [False, True], ids=["signin", "via-portal"])
def test_region_that_is_not_a_region_name_is_refused(signed: World, region: str,
                                                     portal: bool) -> None:
    r = signed.cli("console", "dev", "--print", "--region", region,
                   *(["--via-portal"] if portal else []))
    assert (r.returncode, r.stdout) == (2, ""), (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1
    assert "is not an AWS region name" in r.stderr and "--region eu-west-1" in r.stderr
    assert signed.count("GetSigninToken") == 0


def test_console_pages_are_still_taken(signed: World) -> None:
    for dest in ("https://s3.console.aws.amazon.com/s3/buckets/b?region=eu-west-1&tab=objects",
                 "https://console.aws.amazon.com/iam/home#/roles/details/x",
                 "HTTPS://EU-WEST-1.CONSOLE.AWS.AMAZON.COM/ec2/home"):
        assert core.check_destination(dest, "eu-west-1") == dest
    r = signed.cli("console", "dev", "--print", "--region", "us-east-1", "--service", "s3")
    assert r.returncode == 0, r.stderr
    assert query(r.stdout.strip())["Destination"].startswith(
        "https://us-east-1.console.aws.amazon.com/s3/")
