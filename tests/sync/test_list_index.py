"""`awsenv list` from the listing cache maps profiles to roles through the profile-facts
index, never botocore's config loader (issue #15: 1.2-1.5 s on a 15,000-profile config),
and prints exactly what the loader's mapping printed."""

from __future__ import annotations

import json
import subprocess
import textwrap
from typing import Any

import pytest
from support.world import AWSENV, traced

from awsenv.emulator import Directory
from awsenv.emulator.directory import Account

DIRECTORY = Directory([
    Account("111111111111", "Dev Team", "dev@example.com", ("AdministratorAccess", "ReadOnly")),
    Account("222222222222", "prod", "prod@example.com", ("ReadOnly",)),
    Account("333333333333", "empty", "empty@example.com", ()),
])


@pytest.fixture
def directory() -> Any:
    return DIRECTORY


def mixed(signed: Any) -> str:
    """Every profile kind `list` knows, plus ones it must not count."""
    url, region = signed.emu.start_url, signed.emu.region
    return signed.text() + textwrap.dedent(f"""
        [sso-session other]
        sso_start_url = https://other.awsapps.com/start
        sso_region = us-east-1

        [sso-session broken]
        sso_region = us-east-1

        [profile native-prod]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [profile native-slash]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = ReadOnly
        region = eu-central-1

        [profile legacy-prod]
        sso_start_url = {url}/
        sso_region = {region}
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [profile elsewhere]
        sso_session = other
        sso_account_id = 111111111111
        sso_role_name = ReadOnly

        [profile chained]
        role_arn = arn:aws:iam::222222222222:role/ReadOnly
        source_profile = native-prod

        [profile missing-role]
        sso_session = corp
        sso_account_id = 111111111111

        [profile inconsistent]
        sso_session = corp
        sso_region = ap-south-1
        sso_account_id = 111111111111
        sso_role_name = AdministratorAccess

        [profile token-only]
        sso_session = corp

        [profile on-broken]
        sso_session = broken
        sso_account_id = 111111111111
        sso_role_name = ReadOnly

        [profile hand-awsenv]
        credential_process = awsenv credential-process --profile hand-awsenv
        awsenv_session = corp
        awsenv_account_id = 111111111111
        awsenv_role_name = AdministratorAccess

        [profile gone-role]
        sso_session = corp
        sso_account_id = 444444444444
        sso_role_name = Vanished
        """)


EXPECTED_JSON = [
    {"account_id": "111111111111", "account_name": "Dev Team", "email": "dev@example.com",
     "role_name": "AdministratorAccess",
     "profiles": ["dev-team-administratoraccess", "hand-awsenv"], "error": None},
    {"account_id": "111111111111", "account_name": "Dev Team", "email": "dev@example.com",
     "role_name": "ReadOnly", "profiles": ["dev-team-readonly", "native-slash"],
     "error": None},
    {"account_id": "333333333333", "account_name": "empty", "email": "empty@example.com",
     "role_name": None, "profiles": [], "error": None},
    {"account_id": "222222222222", "account_name": "prod", "email": "prod@example.com",
     "role_name": "ReadOnly", "profiles": ["legacy-prod", "native-prod", "prod-readonly"],
     "error": None},
    {"account_id": "222222222222", "account_name": None, "email": None,
     "role_name": "ReadOnly", "profiles": ["chained"], "error": None,
     "chain": [{"profile": "native-prod", "account_id": "222222222222",
                "role_name": "ReadOnly", "prod": True},
               {"profile": "chained", "account_id": "222222222222",
                "role_name": "ReadOnly", "prod": False}]},
]


def cli(signed: Any, *args: str, trace: bool = False) -> subprocess.CompletedProcess[str]:
    import os

    command = traced([*AWSENV, *args], {"PYTHONPROFILEIMPORTTIME": "1"} if trace else None)
    return subprocess.run(command, env=dict(os.environ), capture_output=True, text=True,
                          timeout=300, check=False, stdin=subprocess.DEVNULL)


def imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines()
            if line.startswith("import time:")}


def test_cached_list_output_is_the_config_loaders(signed: Any) -> None:
    assert signed.run("sync", "--session", "corp").returncode == 0
    signed.write(mixed(signed))
    # The first run lists (and caches); the mapping must equal the loader's.
    first = signed.run("list", "--json", "--session", "corp")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == EXPECTED_JSON
    table = cli(signed, "list", "--session", "corp")
    assert table.returncode == 0, table.stderr
    assert table.stdout == EXPECTED_TABLE
    as_json = cli(signed, "list", "--json", "--session", "corp")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == EXPECTED_JSON


def test_cached_list_never_loads_the_config_through_botocore(signed: Any) -> None:
    assert signed.run("sync", "--session", "corp").returncode == 0
    signed.write(mixed(signed))
    assert signed.run("list", "--session", "corp").returncode == 0  # caches the listing
    for args in (("list", "--session", "corp"), ("list", "--json", "--session", "corp")):
        # Twice: once building the stale index, once reading the fresh one.
        for _ in range(2):
            result = cli(signed, *args, trace=True)
            assert result.returncode == 0, result.stderr
            assert "botocore.configloader" not in imported(result.stderr)
            assert "botocore" not in imported(result.stderr)


EXPECTED_TABLE = """\
ACCOUNT ID    ACCOUNT   ROLE                 PROFILE
111111111111  Dev Team  AdministratorAccess  dev-team-administratoraccess, hand-awsenv
111111111111  Dev Team  ReadOnly             dev-team-readonly, native-slash
333333333333  empty     (no roles)           -
222222222222  prod      ReadOnly             legacy-prod, native-prod, prod-readonly

CHAINED PROFILE  CHAIN (source first)
chained          native-prod 222222222222/ReadOnly [PROD] -> chained 222222222222/ReadOnly
"""


def test_the_index_resolves_every_session_as_the_config_loader(signed: Any) -> None:
    from awsenv.awsconfig import read
    from awsenv.sync import reach

    signed.write(mixed(signed) + textwrap.dedent("""
        [profile legacy-other]
        sso_start_url = https://third.awsapps.com/start
        sso_region = eu-west-1
        sso_registration_scopes = sso:account:access, extra:scope
        sso_account_id = 555555555555
        sso_role_name = Ops

        [profile awsenv-on-legacy]
        awsenv_session = https://third.awsapps.com/start
        awsenv_account_id = 555555555555
        awsenv_role_name = Audit

        [profile awsenv-lacking]
        awsenv_session = corp
        awsenv_account_id = 111111111111
        """))
    env = signed.env()
    cfg = read.load(env)
    assert len(cfg.sessions) == 4  # corp, other, legacy-prod's URL/, third
    for key, session in cfg.sessions.items():
        assert reach.indexed(env, key) == (session, reach.local_profiles(cfg, session))
    # The broken or unknown session, and no --session among several: the loader words it.
    assert reach.indexed(env, "broken") is None
    assert reach.indexed(env, "nosuch") is None
    assert reach.indexed(env, None) is None
    result = signed.run("list", "--session", "nosuch")
    assert result.returncode != 0
    assert "unknown sso-session 'nosuch'" in result.stderr


def test_the_only_session_is_the_default_through_the_index(signed: Any) -> None:
    from awsenv.awsconfig import read
    from awsenv.sync import reach

    assert signed.run("sync").returncode == 0
    env = signed.env()
    cfg = read.load(env)
    session = cfg.default_session()
    assert reach.indexed(env, None) == (session, reach.local_profiles(cfg, session))
    assert reach.indexed(env, None)[1]  # sync's profiles are there
