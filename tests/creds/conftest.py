"""Fixtures for role-credential tests: an emulator, a signed-in session, the real CLI.

Profiles of all three kinds point at the default emulator directory:
``dev`` (awsenv kind: ``credential_process`` + ``awsenv_*`` keys, what `awsenv
sync` writes), ``native`` (sso_session) and ``legacy`` (inline sso_start_url),
plus ``unassigned``; built by ``support.world``.
"""

from __future__ import annotations

import pytest
from support.world import World, configured_fixture, emulator_fixture

# The name these tests have always used for the world they get.
Signed = World

# A fresh emulator per test, device polling every 0.1 s.
emu = emulator_fixture(device_interval=0.1)
# All four profiles; not signed in.
configured = configured_fixture()


@pytest.fixture
def signed(configured: World) -> World:
    """Signed in to session corp (device code, auto-approved by the emulator)."""
    configured.login()
    return configured
