"""The chained profiles the chaining tests share (tests/chain, tests/shell/test_chain_use.py).

The default emulator directory lets dev's AdministratorAccess/Developer assume
staging's ``deploy``, which may assume prod's ``/security/audit`` (ExternalId
``awsenv-demo``). ``hop1`` chains one level from the awsenv profile ``dev``;
``hop2`` two levels (its duration_seconds asks for more than AWS gives a chain).
A module of its own: test files must not import from the name ``conftest``
(whichever directory's loaded last owns it when suites run together).
"""

from __future__ import annotations

DEPLOY = "arn:aws:iam::222222222222:role/deploy"
AUDIT = "arn:aws:iam::333333333333:role/security/audit"

HOPS = f"""
[profile hop1]
role_arn = {DEPLOY}
source_profile = dev
role_session_name = alice
region = eu-west-1

[profile hop2]
role_arn = {AUDIT}
source_profile = hop1
external_id = awsenv-demo
duration_seconds = 7200
role_session_name = alice2
region = eu-west-1
"""
