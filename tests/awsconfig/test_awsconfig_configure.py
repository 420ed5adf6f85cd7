"""`awsenv configure`: core rules and the real CLI in a subprocess (and a pty)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from awsenv.awsconfig import configure as core
from awsenv.awsconfig import read
from awsenv.environment import Environment
from awsenv.errors import ConfigError, ExitCode

AWSENV = str(Path(sys.executable).parent / "awsenv")


def cfg_path() -> Path:
    return Path(os.environ["AWS_CONFIG_FILE"])


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([AWSENV, *args], capture_output=True, text=True, input=stdin,
                          timeout=60)


@pytest.mark.parametrize(("url", "name"), [
    ("https://d-1234567890.awsapps.com/start", "d-1234567890"),
    ("https://mycorp.awsapps.com/start/", "mycorp"),
    ("https://x.app.aws", "x"),
    ("https://ssoins-7223e5d1b7a3b8d2.portal.us-east-1.app.aws/", "ssoins-7223e5d1b7a3b8d2"),
])
def test_derive_session_name(url: str, name: str) -> None:
    assert core.derive_session_name(url) == name


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/start", "https://localhost/start"])
def test_no_name_from_loopback_hosts(url: str) -> None:
    with pytest.raises(ConfigError, match="pass --session NAME"):
        core.derive_session_name(url)


@pytest.mark.parametrize("url", ["http://corp.awsapps.com/start", "corp.awsapps.com",
                                 "ftp://x.y", "https://"])
def test_start_url_must_be_https(url: str) -> None:
    with pytest.raises(ConfigError, match="is not an https URL"):
        core.validate_start_url(url)


def test_loopback_http_allowed_for_the_emulator() -> None:
    assert core.validate_start_url("http://127.0.0.1:4000/start") == "http://127.0.0.1:4000/start"


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-4",
                                    "cn-north-1", "il-central-1"])
def test_regions_accepted(region: str) -> None:
    assert core.validate_region(region) == region


@pytest.mark.parametrize("region", ["us-east", "US-EAST-1", "useast1", "us-east-1a", ""])
def test_regions_refused(region: str) -> None:
    with pytest.raises(ConfigError, match="does not look like an AWS region"):
        core.validate_region(region)


def test_scopes_argument() -> None:
    assert core.parse_scopes_arg(None) == ("sso:account:access",)
    assert core.parse_scopes_arg(["sso:account:access,codewhisperer:completions", "a"]) == (
        "sso:account:access", "codewhisperer:completions", "a")
    with pytest.raises(ConfigError):
        core.parse_scopes_arg(["has space"])


def test_configure_core_updates_in_place_and_records_region() -> None:
    path = cfg_path()
    path.parent.mkdir(mode=0o700)
    path.write_text("# mine\n[sso-session corp]\nsso_start_url = https://old.awsapps.com/start\n"
                    "sso_region = us-east-1\n\n[profile keep]\nregion = eu-west-1\n")
    env = Environment()
    result = core.configure(env, start_url="https://corp.awsapps.com/start",
                            sso_region="eu-west-1", region="eu-central-1")
    assert (result.session, result.created, result.changed) == ("corp", False, True)
    assert result.replaced == (
        ("sso_start_url", "https://old.awsapps.com/start", "https://corp.awsapps.com/start"),
        ("sso_region", "us-east-1", "eu-west-1"))
    assert "+sso_registration_scopes = sso:account:access" in result.diff
    assert path.read_text() == (
        "# mine\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n"
        "[profile keep]\nregion = eu-west-1\n")
    from awsenv import settings

    assert settings.session_defaults(env, "corp") == {"region": "eu-central-1"}
    again = core.configure(env, start_url="https://corp.awsapps.com/start", sso_region="eu-west-1")
    assert not again.changed and again.diff == ""
    assert read.load(env).session("corp").region == "eu-west-1"


def test_cli_writes_section_with_derived_name() -> None:
    proc = run("configure", "--start-url", "https://mycorp.awsapps.com/start",
               "--sso-region", "eu-west-1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ("Wrote [sso-session mycorp] to ~/.aws/config; "
                           "next: awsenv login --session mycorp\n")
    path = cfg_path()
    assert path.read_text() == ("[sso-session mycorp]\n"
                                "sso_start_url = https://mycorp.awsapps.com/start\n"
                                "sso_region = eu-west-1\n"
                                "sso_registration_scopes = sso:account:access\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # The AWS CLI's own parser agrees.
    import botocore.session

    assert botocore.session.Session().full_config["sso_sessions"]["mycorp"][
        "sso_registration_scopes"] == "sso:account:access"
    again = run("configure", "--start-url", "https://mycorp.awsapps.com/start",
                "--sso-region", "eu-west-1")
    assert again.returncode == 0 and "already up to date" in again.stderr
    moved = run("configure", "--start-url", "https://mycorp.awsapps.com/start",
                "--sso-region", "eu-west-2")
    assert moved.returncode == 0
    assert moved.stderr.splitlines() == [
        "Updated [sso-session mycorp] in ~/.aws/config; next: awsenv login --session mycorp",
        "  sso_region was eu-west-1 (now eu-west-2)"]


def test_cli_session_region_scopes_and_settings_file() -> None:
    proc = run("configure", "--start-url", "https://d-1234567890.awsapps.com/start",
               "--sso-region", "us-east-1", "--session", "work", "--region", "eu-west-2",
               "--scopes", "sso:account:access,codewhisperer:completions")
    assert proc.returncode == 0, proc.stderr
    assert "generated profiles default to eu-west-2" in proc.stderr
    session = read.load(Environment()).session("work")
    assert session.scopes == ("sso:account:access", "codewhisperer:completions")
    settings_file = Environment().paths.settings_file  # type: ignore[union-attr]
    assert json.loads(settings_file.read_text())["sessions"]["work"] == {"region": "eu-west-2"}
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(("args", "code", "text"), [
    ([], ExitCode.USAGE, "missing --start-url and --sso-region (no terminal to ask on)"),
    (["--start-url", "https://a.awsapps.com/start"], ExitCode.USAGE, "missing --sso-region"),
    (["--start-url", "http://a.awsapps.com/start", "--sso-region", "us-east-1"],
     ExitCode.CONFIG, "is not an https URL"),
    (["--start-url", "https://a.awsapps.com/start", "--sso-region", "useast"],
     ExitCode.CONFIG, "does not look like an AWS region"),
    (["--start-url", "https://127.0.0.1/start", "--sso-region", "us-east-1"],
     ExitCode.CONFIG, "pass --session NAME"),
])
def test_cli_errors_are_one_line(args: list[str], code: int, text: str) -> None:
    proc = run("configure", *args)
    assert proc.returncode == code
    assert proc.stderr.startswith("awsenv: ") and text in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not cfg_path().exists()


@pytest.mark.parametrize("content", [
    b"[default]\nregion = a\nregion = b\n",
    b"oops\n[default]\n",
    b"[default]\nname = \xff\n",
])
def test_cli_on_malformed_config_exits_config_without_traceback(content: bytes) -> None:
    path = cfg_path()
    path.parent.mkdir(mode=0o700)
    path.write_bytes(content)
    proc = run("configure", "--start-url", "https://a.awsapps.com/start",
               "--sso-region", "us-east-1")
    assert proc.returncode == ExitCode.CONFIG == 4
    assert proc.stderr.startswith("awsenv: ~/.aws/config") and " line " in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert path.read_bytes() == content  # untouched


def test_cli_prompts_on_a_terminal() -> None:
    """Asks for what is missing, like `aws configure sso` (the profiles' default region
    too); a wrong answer is one line on what fits, no "Error:" and no flag name."""
    import pexpect

    from awsenv import settings

    child = pexpect.spawn(AWSENV, ["configure"], encoding="utf-8", timeout=60)
    child.expect("start\\) URL: ")
    child.sendline("http://not-https.example")
    child.expect("start\\) URL: ")
    refused = child.before
    assert "is not an https URL; type the AWS access portal URL, e.g. https://" in refused
    child.sendline("https://acme.awsapps.com/start")
    child.expect("region: ")
    child.sendline("eu-nowhere")
    child.expect("region: ")
    refused += child.before
    assert "does not look like an AWS region; type a region name, e.g. us-east-1" in refused
    assert "Error" not in refused and "--" not in refused, refused
    child.sendline("eu-north-1")
    child.expect(r"Session name \[acme\]: ")
    child.sendline("")
    child.expect(r"Default region for the profiles `awsenv sync` writes \[eu-north-1\]: ")
    child.sendline("eu-west-1")
    child.expect("Wrote \\[sso-session acme\\]")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert read.load(Environment()).session("acme").region == "eu-north-1"
    assert settings.session_defaults(Environment.from_os(), "acme")["region"] == "eu-west-1"


def test_help_explains_the_derived_name() -> None:
    proc = run("configure", "--help")
    assert proc.returncode == 0
    assert "mycorp" in proc.stdout and "first label" in proc.stdout
