"""Start URL forms and the regions they allow: `awsenv configure` refuses a region that
cannot be right, and `awsenv login` refuses such a config before any browser or call."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from awsenv.awsconfig import configure as core
from awsenv.awsconfig import starturl
from awsenv.errors import ConfigError, ExitCode
from awsenv.paths import awsenv_command

AWSENV = awsenv_command()
GOV = "https://start.us-gov-home.awsapps.com/directory/d-9067123456"
GOV_EAST = "https://start.us-gov-east-1.us-gov-home.awsapps.com/directory/d-9067123456"
CN = "https://start.home.awsapps.cn/directory/d-9067123456"
SSOINS = "https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com"
SSOINS_APP = "https://ssoins-7223e5d1b7a3b8d2.portal.us-east-1.app.aws/"
NAMED = "https://mycorp.awsapps.com/start"
DIRECTORY = "https://d-1234567890.awsapps.com/start"

# (url, sso_region) pairs that can be right ...
RIGHT = [(NAMED, "eu-west-1"), (DIRECTORY, "ap-southeast-2"), (GOV, "us-gov-west-1"),
         (GOV, "us-gov-east-1"), (GOV_EAST, "us-gov-east-1"), (CN, "cn-north-1"),
         (CN, "cn-northwest-1"), (SSOINS, "eu-west-1"), (SSOINS_APP, "us-east-1"),
         ("https://sso.example.com/start", "cn-north-1"),  # a custom domain says nothing
         ("http://127.0.0.1:4000/start", "us-gov-west-1")]
# ... and ones that cannot, with what the refusal says.
WRONG = [(GOV, "us-east-1", "only in us-gov-west-1 or us-gov-east-1"),
         (GOV_EAST, "us-gov-west-1", "only in us-gov-east-1"),
         (CN, "us-east-1", "only in cn-north-1 or cn-northwest-1"),
         (SSOINS, "us-east-1", "only in eu-west-1"),
         (SSOINS_APP, "us-west-2", "only in us-east-1"),
         (NAMED, "cn-north-1", "the commercial AWS partition, cn-north-1 in the AWS China"),
         (DIRECTORY, "us-gov-west-1", "us-gov-west-1 in AWS GovCloud (US)")]


@pytest.mark.parametrize(("url", "region"), RIGHT)
def test_a_region_that_can_be_right_is_accepted(url: str, region: str) -> None:
    assert core.validate_start_url(url, region) == url.strip()
    assert starturl.region_problem(url, region) is None


@pytest.mark.parametrize(("url", "region", "why"), WRONG)
def test_a_region_that_cannot_be_right_is_refused(url: str, region: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        core.validate_start_url(url, region)
    line = caught.value.line()
    assert f"sso_region {region} cannot be right for {url}" in line and why in line, line
    assert "pass --sso-region" in line


@pytest.mark.parametrize("url", ["https://start.us-gov-home.awsapps.com/start",
                                 "https://start.home.awsapps.cn/",
                                 "https://start.us-gov-home.awsapps.com/directory/"])
def test_govcloud_and_china_need_their_directory_path(url: str) -> None:
    with pytest.raises(ConfigError, match=r"has the form https://.*/directory/<identity store"):
        core.validate_start_url(url)


def test_the_pinned_region_is_the_prompt_default() -> None:
    assert starturl.pinned_region(SSOINS) == "eu-west-1"
    assert starturl.pinned_region(GOV_EAST) == "us-gov-east-1"
    assert starturl.pinned_region(GOV) is None and starturl.pinned_region(NAMED) is None


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AWSENV, *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)


def test_configure_refuses_govcloud_in_a_commercial_region() -> None:
    """The real CLI: one line, exit 4, the file untouched; the right region writes it."""
    config = Path(os.environ["AWS_CONFIG_FILE"])
    r = run("configure", "--start-url", GOV, "--sso-region", "us-east-1", "--session", "gov")
    assert r.returncode == ExitCode.CONFIG, r.stderr
    assert r.stderr.splitlines() == [
        f"awsenv: sso_region us-east-1 cannot be right for {GOV}: an AWS GovCloud (US) start "
        "URL signs in only in us-gov-west-1 or us-gov-east-1; pass --sso-region us-gov-west-1 "
        "or us-gov-east-1"]
    assert not config.exists()
    r = run("configure", "--start-url", GOV, "--sso-region", "us-gov-west-1", "--session", "gov")
    assert r.returncode == 0, r.stderr
    assert "sso_region = us-gov-west-1" in config.read_text()


def test_login_refuses_a_hand_edited_region_before_any_call(emulator: object) -> None:
    """A config written by hand with a regional portal URL and another region: login
    says so and starts nothing (no browser, no registration, no device code)."""
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(textwrap.dedent(f"""\
        [sso-session corp]
        sso_start_url = {SSOINS}
        sso_region = us-east-1
        sso_registration_scopes = sso:account:access
        """))
    r = run("login", "--no-browser")
    assert r.returncode == ExitCode.CONFIG, r.stderr
    assert r.stderr.splitlines() == [
        f"awsenv: sso_region us-east-1 in [sso-session corp] cannot be right for {SSOINS}: "
        "a regional portal URL (the region is in its name) signs in only in eu-west-1; "
        "set sso_region = eu-west-1 in [sso-session corp] in the AWS config"]
    assert emulator.counters() == {}  # type: ignore[attr-defined]


def test_the_prompt_asks_again_for_a_region_the_url_rules_out() -> None:
    """On a terminal: a regional portal URL offers its region as the default, and a
    region the URL rules out is refused and asked for again."""
    import pexpect

    from awsenv.awsconfig import read
    from awsenv.environment import Environment

    child = pexpect.spawn(AWSENV[0], [*AWSENV[1:], "configure", "--session", "eu"],
                          encoding="utf-8", timeout=60)
    child.expect("start\\) URL: ")
    child.sendline(SSOINS)
    child.expect(r"region \[eu-west-1\]: ")
    child.sendline("us-east-1")
    child.expect("cannot be right for .* signs in only in eu-west-1")
    child.expect(r"region \[eu-west-1\]: ")
    child.sendline("")
    child.expect(r"Default region for the profiles `awsenv sync` writes \[eu-west-1\]: ")
    child.sendline("")
    child.expect("Wrote \\[sso-session eu\\]")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert read.load(Environment()).session("eu").region == "eu-west-1"
