"""`aws sso login` / `aws sso logout` (the AWS CLI v2) beside awsenv's own sign-in.

They share one token cache file (``~/.aws/sso/cache/<sha1(session)>.json``): a
sign-in by the CLI is awsenv's sign-in, and the CLI's logout (which also ends the
session at the portal) leaves awsenv signed out.
"""

from __future__ import annotations

import json

import pytest
from interop.conftest import PROFILE, Interop, assert_role, need, parse_identity

pytestmark = pytest.mark.interop


def test_sso_login_then_awsenv_reuses_it(interop: Interop) -> None:
    """After `awsenv logout`, `aws sso login --sso-session corp` alone signs awsenv in:
    status says so, and awsenv hands out credentials with no keyring entry of its own."""
    need("awscli-v2")
    world = interop.world
    assert interop.cli("logout").returncode == 0
    assert interop.cli("status").returncode == 3
    assert world.stored_secrets() is None

    r = interop.aws("awscli-v2", "sso", "login", "--sso-session", "corp", "--no-browser")
    assert r.returncode == 0, (r.stdout, r.stderr)
    cached = world.token_json()
    assert cached.get("refreshToken"), "the CLI's own file, with its refresh fields"

    r = interop.cli("status", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["sessions"][0]["signed_in"] is True
    r = interop.cli("exec", PROFILE, "--", *interop.caller_identity_argv("awscli-v1", None))
    assert r.returncode == 0, r.stderr
    assert_role(parse_identity(r.stdout))
    assert_role(interop.caller_identity("awscli-v2"))
    assert world.stored_secrets() is None  # nothing of awsenv's: the CLI's sign-in was used
    # awsenv read the CLI's file and left it as it was (a token with > 15 min left).
    assert world.token_json() == cached


def test_sso_logout_signs_awsenv_out(interop: Interop) -> None:
    """`aws sso logout` ends the session at the portal and deletes the token file:
    `awsenv status` then exits 3, and awsenv hands out no more credentials (its
    cached role credentials of that session are deleted, as the CLI deletes its own)."""
    need("awscli-v2")
    world = interop.world
    r = interop.cli("export", PROFILE)  # a warm role cache before the logout
    assert r.returncode == 0, r.stderr
    assert interop.cli("status").returncode == 0
    logouts = world.count("Logout")

    r = interop.aws("awscli-v2", "sso", "logout")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert not world.token_file().exists()
    assert world.count("Logout") == logouts + 1

    r = interop.cli("status")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "awsenv login" in r.stderr
    r = interop.cli("export", PROFILE)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "AWS_SECRET_ACCESS_KEY" not in r.stdout
    assert not world.role_cache(PROFILE).exists()


@pytest.mark.parametrize("kind", ["awsenv"])
def test_sso_logout_stops_the_credential_process_hit(interop: Interop) -> None:
    """The awsenv kind through the CLI itself: after `aws sso logout` the profile's
    credential_process (a warm cache hit before) fails with the fix, not old keys."""
    need("awscli-v2")
    assert_role(interop.caller_identity("awscli-v2"))
    r = interop.aws("awscli-v2", "sso", "logout")
    assert r.returncode == 0, r.stderr
    r = interop.aws("awscli-v2", "configure", "export-credentials", "--profile", PROFILE)
    assert r.returncode != 0 and "AccessKeyId" not in r.stdout
    assert "awsenv login" in r.stderr
