"""Lookups ("take me to this account"): a session signed in and synced the way a user does.

The directory has account names with spaces, two accounts sharing a name, and
accounts with one and with several roles, so each lookup can find 0, 1 or
several profiles.
"""

from __future__ import annotations

import pytest
from support.world import World, configured_fixture, emulator_fixture

from awsenv.emulator.directory import Account, Directory

emu = emulator_fixture(device_interval=0.1)
configured = configured_fixture(profiles=())

DIRECTORY = Directory([
    Account("111111111111", "Payments Dev", "dev@example.com",
            ("AdministratorAccess", "Developer")),
    Account("222222222222", "Payments Prod", "prod@example.com", ("ReadOnlyAccess",)),
    Account("333333333333", "Shared", "shared-a@example.com",
            ("AdministratorAccess", "ReadOnlyAccess")),
    Account("444444444444", "Shared", "shared-b@example.com", ("Developer",)),
])


@pytest.fixture
def synced(configured: World) -> World:
    """Signed in and `awsenv sync`ed with the default names ({account_name}-{role_name})."""
    configured.emu.directory = DIRECTORY
    configured.login()
    r = configured.cli("sync")
    assert r.returncode == 0, r.stderr
    return configured
