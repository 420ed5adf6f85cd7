"""Fixtures for the hardening suite: an emulator, a signed-in session, the real CLI.

Every test drives the installed ``awsenv`` entry point in subprocesses (as
shells and SDKs do) against a per-test emulator, so faults are real ones: a
closed port, a stopped server, a 429 on the wire. The autouse isolation
fixture (tests/conftest.py) already points HOME, XDG, AWS_CONFIG_FILE and the
keyring at a temporary tree. The world itself is ``support.world``'s, made
stricter here: every CLI call runs with the forbidden browser and is checked
for leaked long-lived secrets.
"""

from __future__ import annotations

import pytest
from _hardkit import BOUND, USER_PREFIX, USER_SUFFIX, free_port, one_clear_line
from support.world import ACCOUNT, AWSENV, REGION, ROLE, World, configured_fixture, emulator_fixture

# Still importable from here for older tests; new ones import _hardkit/support.world.
__all__ = ["ACCOUNT", "AWSENV", "BOUND", "REGION", "ROLE", "USER_PREFIX", "USER_SUFFIX", "World",
           "free_port", "one_clear_line"]

# A fresh emulator per test, no device polling interval.
emu = emulator_fixture(device_interval=0)
# Profile dev between the user's own lines; every CLI call bounded, run with the
# forbidden browser and checked for leaked secrets. Not signed in.
configured = configured_fixture(profiles=("dev",), before=USER_PREFIX, after=USER_SUFFIX,
                                timeout=BOUND, guard_browser=True, check_secrets=True)


@pytest.fixture
def world(configured: World) -> World:
    """Signed in to session corp (device code, in-process)."""
    configured.login()
    return configured
