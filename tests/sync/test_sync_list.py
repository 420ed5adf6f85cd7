"""`awsenv list`: what the session reaches, with the local profile names of each role."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from awsenv.cli.commands.list_ import clean, table, width
from awsenv.emulator import Directory
from awsenv.emulator.directory import Account

SMALL = Directory([
    Account("111111111111", "Dev Team", "dev@example.com", ("AdministratorAccess", "ReadOnly")),
    Account("222222222222", "prod", "prod@example.com", ("ReadOnly",)),
    Account("333333333333", "empty", "empty@example.com", ()),
])


@pytest.fixture
def directory() -> Any:
    return SMALL


def test_list_json_names_every_kind_of_local_profile(signed: Any) -> None:
    signed.write(signed.text() + textwrap.dedent(f"""
        [profile native-prod]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [profile legacy-prod]
        sso_start_url = {signed.emu.start_url}
        sso_region = {signed.emu.region}
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [profile elsewhere]
        sso_start_url = https://other.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 111111111111
        sso_role_name = ReadOnly
        """))
    # The legacy profiles make two more sessions: name the one to use.
    assert signed.run("sync", "--session", "corp").returncode == 0
    result = signed.run("list", "--json", "--session", "corp")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"account_id": "111111111111", "account_name": "Dev Team", "email": "dev@example.com",
         "role_name": "AdministratorAccess", "profiles": ["dev-team-administratoraccess"],
         "error": None},
        {"account_id": "111111111111", "account_name": "Dev Team", "email": "dev@example.com",
         "role_name": "ReadOnly", "profiles": ["dev-team-readonly"], "error": None},
        {"account_id": "333333333333", "account_name": "empty",
         "email": "empty@example.com", "role_name": None, "profiles": [], "error": None},
        {"account_id": "222222222222", "account_name": "prod", "email": "prod@example.com",
         "role_name": "ReadOnly", "profiles": ["legacy-prod", "native-prod"], "error": None},
    ]


def test_list_table_marks_local_profiles(signed: Any) -> None:
    signed.write(signed.text() + "\n[profile mine]\nsso_session = corp\n"
                 "sso_account_id = 222222222222\nsso_role_name = ReadOnly\n")
    result = signed.cli("list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ACCOUNT ID    ACCOUNT   ROLE                 PROFILE",
        "111111111111  Dev Team  AdministratorAccess  -",
        "111111111111  Dev Team  ReadOnly             -",
        "333333333333  empty     (no roles)           -",
        "222222222222  prod      ReadOnly             mine",
    ]
    assert result.stderr == ""  # no progress bar off a terminal


def test_list_never_lists_twice_and_never_signs_in(signed: Any) -> None:
    before = signed.counters()
    assert signed.cli("list", "--json").returncode == 0
    after = signed.counters()
    assert after.get("ListAccounts", 0) - before.get("ListAccounts", 0) == 1
    assert after.get("ListAccountRoles", 0) - before.get("ListAccountRoles", 0) == 3
    assert after.get("StartDeviceAuthorization", 0) == before.get("StartDeviceAuthorization", 0)


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain", "plain"),
    ("new\nline", "new\\x0aline"),
    ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    ("rtl\u202eevil", "rtl\\u202eevil"),
    ("nbsp\u00a0x", "nbsp\\xa0x"),
    ("名前-😀", "名前-😀"),
])
def test_clean_escapes_what_could_drive_the_terminal(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_table_aligns_wide_characters() -> None:
    out = table([("A", "B"), ("名前", "x"), ("ab", "y")])
    assert out.splitlines() == ["A     B", "名前  x", "ab    y"]
    assert width("名前") == 4


def portal_lists(signed: Any) -> int:
    c = signed.counters()
    return c.get("ListAccounts", 0) + c.get("ListAccountRoles", 0)


def test_a_recent_listing_is_reused_until_refresh(signed: Any) -> None:
    first = signed.run("list", "--json")
    assert first.returncode == 0 and first.stderr == ""
    calls = portal_lists(signed)
    again = signed.run("list", "--json")
    assert again.stdout == first.stdout
    assert portal_lists(signed) == calls  # no portal call at all
    assert "listed 0 min ago; `awsenv list --refresh` asks the portal again" in again.stderr
    fresh = signed.run("list", "--json", "--refresh")
    assert fresh.stdout == first.stdout and fresh.stderr == ""
    assert portal_lists(signed) == calls * 2


def test_sync_refreshes_the_listing_list_reuses(signed: Any) -> None:
    from awsenv.emulator.directory import Account as A

    assert signed.run("list").returncode == 0
    with signed.emu.state.lock:
        signed.emu.state.directory = Directory([*SMALL.accounts,
                                                A("444444444444", "late", "l@example.com",
                                                  ("ReadOnly",))])
    assert signed.run("sync").returncode == 0
    calls = portal_lists(signed)
    listed = signed.run("list", "--json")
    assert portal_lists(signed) == calls
    rows = {(r["account_id"], r["role_name"]): r["profiles"] for r in json.loads(listed.stdout)}
    assert rows[("444444444444", "ReadOnly")] == ["late-readonly"]


def test_no_reuse_when_disabled_or_signed_out(signed: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from awsenv.auth import tokens
    from awsenv.errors import ExitCode

    assert signed.run("list").returncode == 0
    monkeypatch.setenv("AWSENV_LIST_CACHE", "0")
    calls = portal_lists(signed)
    assert signed.run("list").stderr == ""
    assert portal_lists(signed) > calls
    monkeypatch.delenv("AWSENV_LIST_CACHE")
    # Signed out (session ended, token gone): the copy is not shown as reachable.
    signed.emu.revoke_all()
    tokens.drop(signed.env(), signed.session)
    out = signed.run("list")
    assert out.returncode == ExitCode.NOT_SIGNED_IN
    assert "awsenv login --session corp" in out.stderr
