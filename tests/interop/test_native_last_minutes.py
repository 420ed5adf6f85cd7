"""Native profiles in the JavaScript SDK v3 during a token's last minutes.

The SDK refreshes a token with less than 5 minutes left itself, which needs the
refresh token and client secret in the cache file; awsenv never writes them there
(they stay in the keyring), so the SDK refuses the profile then. Every awsenv
process that reads the token cache renews it when < 15 minutes are left: any one
of them in that window keeps the SDK working. What is left (README, `sync
--native`): a token whose last 15 minutes pass with no awsenv process at all.
"""

from __future__ import annotations

import json

import pytest
from interop.conftest import PROFILE, Interop, assert_role, need, parse_identity

pytestmark = [pytest.mark.interop, pytest.mark.parametrize("kind", ["native"])]

LAST_MINUTES = 4 * 60  # inside the SDK's 5-minute window


def js_sso(interop: Interop) -> tuple[int, dict[str, str]]:
    r = interop.aws("js-sdk-v3", "sso", PROFILE)
    return r.returncode, json.loads(r.stdout)


def test_without_awsenv_the_sdk_refuses_the_last_5_minutes(interop: Interop) -> None:
    """The limit itself (and this suite's proof that the next test can fail)."""
    need("js-sdk-v3")
    interop.world.age_token(LAST_MINUTES)
    rc, out = js_sso(interop)
    assert rc == 1, out
    assert "clientSecret" in out["message"], out


@pytest.mark.parametrize("command", [
    ["credential-process", "--profile", PROFILE],
    ["export", PROFILE],
    ["exec", PROFILE, "--", "true"],
    ["doctor"],
    ["status"],
    ["_refresh", PROFILE, "env"],      # the prompt hook's refresher, env mode
    ["_refresh", PROFILE, "profile"],  # and profile mode
])
def test_one_awsenv_process_keeps_the_sdk_working(interop: Interop, command: list[str]) -> None:
    """A warm role cache (so the credential commands are cache hits), the token in
    the SDK's last minutes, one awsenv process: the SDK then signs in fine."""
    need("js-sdk-v3")
    assert interop.cli("export", PROFILE).returncode == 0
    interop.world.age_token(LAST_MINUTES)
    interop.cli(*command)  # doctor's exit code also judges the hook, PATH, ...
    rc, out = js_sso(interop)
    assert rc == 0, (command, out)
    assert_role(parse_identity(json.dumps(out)))
