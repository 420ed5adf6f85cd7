"""Role chaining through every command: the world's profiles plus chained ones.

The default emulator directory lets dev's AdministratorAccess/Developer assume
staging's ``deploy``, which may assume prod's ``/security/audit`` (ExternalId
``awsenv-demo``). ``hop1`` chains one level from the awsenv profile ``dev``;
``hop2`` two levels (its duration_seconds asks for more than AWS gives a chain);
``nathop`` chains from a native sso_session profile, ``prochop`` from a
``credential_process`` profile that is not awsenv's.
"""

from __future__ import annotations

import pytest
from support.chains import DEPLOY, HOPS
from support.world import AWSENV, World, configured_fixture, emulator_fixture

CHAINED = f"""
[profile nat]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer
region = us-west-2

[profile proc]
credential_process = {" ".join([*AWSENV, "credential-process"])} --profile dev
{HOPS}
[profile nathop]
role_arn = {DEPLOY}
source_profile = nat
region = us-west-2

[profile prochop]
role_arn = {DEPLOY}
source_profile = proc
"""

emu = emulator_fixture(device_interval=0.1)
configured = configured_fixture(after=CHAINED)


@pytest.fixture
def signed(configured: World) -> World:
    configured.login()
    return configured
