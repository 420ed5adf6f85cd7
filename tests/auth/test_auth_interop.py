"""botocore's own SSO providers (sso-session and legacy) work on the token awsenv writes."""

from __future__ import annotations

import subprocess
import sys

from awsenv.auth import secrets, tokens


def test_botocore_sso_provider_reads_awsenv_token(signin, browsers) -> None:
    assert signin.cli("login", browser=browsers.follow).returncode == 0
    code = ("import boto3; c = boto3.Session(profile_name='native').get_credentials()"
            ".get_frozen_credentials(); print(c.access_key[:4], bool(c.token))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "True"
    assert signin.emu.counters().get("GetRoleCredentials") == 1


def test_legacy_profile_login_feeds_botocore_legacy_provider(signin) -> None:
    config = signin.home / ".aws" / "config"
    config.write_text(config.read_text() + (
        "\n[profile old]\n"
        f"sso_start_url = {signin.session.start_url}\n"
        f"sso_region = {signin.session.region}\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = Developer\n"))
    result = signin.cli("login", "--profile", "old", "--no-browser")
    assert result.returncode == 0, result.stderr
    assert f"(session {signin.session.start_url})" in result.stderr
    legacy = type(signin.session)(signin.session.start_url, None, signin.session.start_url,
                                  signin.session.region)
    assert tokens.cache_file(signin.env().paths, legacy).exists()
    assert secrets.load(signin.session.start_url) is not None
    code = ("import boto3; c = boto3.Session(profile_name='old').get_credentials()"
            ".get_frozen_credentials(); print(bool(c.access_key and c.token))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0 and run.stdout.strip() == "True", run.stderr
