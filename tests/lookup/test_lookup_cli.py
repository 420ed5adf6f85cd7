"""`exec`, `export` and `console` take an account id, an account name, ACCOUNT/ROLE or
an ARN in place of a profile name: one match is used (and named on stderr), several
are one line naming them (exit 2), none one line saying what was searched (exit 4).
Local data only: no portal call (ListAccounts/ListAccountRoles) for any lookup.
"""

from __future__ import annotations

import configparser

import pytest
from support.world import World

from awsenv.emulator.directory import Account, Directory

PRINT_PROFILE = ["python3", "-c", "import os; print(os.environ['AWSENV_PROFILE'])"]
SSO_ROLE = ("arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
            "AWSReservedSSO_ReadOnlyAccess_0123456789abcdef")


def listing_calls(world: World) -> int:
    return world.count("ListAccounts") + world.count("ListAccountRoles")


def exec_as(world: World, text: str, extra: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = world.cli("exec", text, "--", *PRINT_PROFILE, extra=extra)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


@pytest.mark.parametrize(("text", "profile"), [
    ("222222222222", "payments-prod-readonlyaccess"),  # an account id, one role there
    ("Payments Prod", "payments-prod-readonlyaccess"),  # the portal's account name
    ("payments prod", "payments-prod-readonlyaccess"),  # any case
    ("111111111111/Developer", "payments-dev-developer"),  # ACCOUNT_ID/ROLE
    ("Payments Dev/developer", "payments-dev-developer"),  # ACCOUNT_NAME/ROLE, any case
    ("Shared/Developer", "shared-developer"),  # a shared name, told apart by the role
    (SSO_ROLE, "shared-readonlyaccess"),  # Identity Center's IAM role for a permission set
    ("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_"
     "0123456789abcdef/me@example.com", "payments-dev-administratoraccess"),
    ("arn:aws:lambda:eu-west-1:222222222222:function:f", "payments-prod-readonlyaccess"),
])
def test_one_match_is_used_and_named(synced: World, text: str, profile: str) -> None:
    before = listing_calls(synced)
    code, out, err = exec_as(synced, text)
    assert (code, out) == (0, profile), err
    assert err.splitlines()[0].startswith(f"awsenv: {text} is profile {profile} (")
    assert listing_calls(synced) == before


def test_export_and_console_take_them_too(synced: World) -> None:
    r = synced.cli("export", "Payments Prod", "--format", "dotenv")
    assert r.returncode == 0 and "AWS_ACCESS_KEY_ID=" in r.stdout, r.stderr
    r = synced.cli("console", "111111111111/Developer", "--via-portal", "--print")
    assert r.returncode == 0, r.stderr
    assert "account_id=111111111111" in r.stdout and "role_name=Developer" in r.stdout


@pytest.mark.parametrize(("text", "names"), [
    ("111111111111", "payments-dev-administratoraccess (AdministratorAccess), "
                     "payments-dev-developer (Developer)"),
    ("Shared", "shared-administratoraccess (333333333333/AdministratorAccess), "
               "shared-developer (444444444444/Developer), "
               "shared-readonlyaccess (333333333333/ReadOnlyAccess)"),
    ("arn:aws:s3:eu-west-1:333333333333:accesspoint/ap",
     "shared-administratoraccess (AdministratorAccess), "
     "shared-readonlyaccess (ReadOnlyAccess)"),
])
def test_several_matches_are_one_line_naming_them(synced: World, text: str, names: str) -> None:
    code, out, err = exec_as(synced, text)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"awsenv: {text} matches several profiles: {names}; pass one "
                                "of those profile names (or ACCOUNT/ROLE)"]


def test_the_role_in_use_now_decides_among_an_accounts_roles(synced: World) -> None:
    now = {"AWSENV_PROFILE": "shared-developer"}  # Developer, in another account
    assert exec_as(synced, "111111111111", now)[:2] == (0, "payments-dev-developer")
    now = {"AWS_PROFILE": "payments-dev-administratoraccess"}
    assert exec_as(synced, "Shared", now)[:2] == (0, "shared-administratoraccess")
    # A role the account lacks decides nothing: still several.
    now = {"AWSENV_PROFILE": "payments-prod-readonlyaccess"}
    assert exec_as(synced, "111111111111", now)[0] == 2
    # ACCOUNT/ROLE typed by hand must match: the role in use now never replaces it.
    code, _out, err = exec_as(synced, "111111111111/ReadOnlyAccess", now)
    assert code == 4 and "no profile for role ReadOnlyAccess in account 111111111111" in err


@pytest.mark.parametrize(("text", "line"), [
    ("999999999999", "awsenv: no profile for account 999999999999 (searched the profiles in "
                     "{config}); run `awsenv list` to see accounts and profiles, or `awsenv "
                     "sync` to write profiles for them"),
    ("Payments Dev/ReadOnlyAccess", "awsenv: no profile for role ReadOnlyAccess in account "
                                    "'Payments Dev' (111111111111) (searched the profiles in "
                                    "{config} and the account names of the 1 listing awsenv "
                                    "keeps in {listings}); run `awsenv list` to see accounts "
                                    "and profiles, or `awsenv sync` to write profiles for them"),
    ("payments-dev-develper", "awsenv: unknown profile 'payments-dev-develper', and no account "
                              "name matches it (searched the profiles in {config} and the "
                              "account names of the 1 listing awsenv keeps in {listings}); did "
                              "you mean 'payments-dev-developer'? run `awsenv list` to see "
                              "accounts and profiles, or `awsenv sync` to write profiles for "
                              "them"),
    ("arn:aws:iam::555555555555:role/x", "awsenv: no profile for role x in account "
                                         "555555555555 (searched the profiles in {config}); "
                                         "run `awsenv list` to see accounts and profiles, or "
                                         "`awsenv sync` to write profiles for them"),
])
def test_none_says_what_was_searched(synced: World, text: str, line: str) -> None:
    home = str(synced.home)
    config = str(synced.config).replace(home, "~", 1)
    listings = str(synced.paths.cache_dir / "listings").replace(home, "~", 1)
    before = listing_calls(synced)
    code, out, err = exec_as(synced, text)
    assert (code, out) == (4, "")
    assert err.splitlines() == [line.format(config=config, listings=listings)]
    assert listing_calls(synced) == before


def test_an_arn_without_an_account_is_a_usage_error(synced: World) -> None:
    code, _out, err = exec_as(synced, "arn:aws:s3:::bucket")
    assert code == 2 and len(err.splitlines()) == 1 and "names no account" in err


def test_a_profile_name_wins_over_an_account_name(synced: World) -> None:
    """A profile named like an account is that profile: names are never looked up first."""
    text = synced.config.read_text()
    synced.config.write_text(text + "\n[profile Shared]\nsso_session = corp\n"
                             "sso_account_id = 222222222222\nsso_role_name = ReadOnlyAccess\n"
                             "region = eu-west-1\n")
    code, out, err = exec_as(synced, "Shared")
    assert (code, out) == (0, "Shared"), err
    assert "is profile" not in err



def profile_for(world: World, account: str, role: str) -> str:
    """The name `awsenv sync` gave ``account``'s ``role``."""
    parser = configparser.RawConfigParser()
    parser.read_string(world.config.read_text())
    return next(section.removeprefix("profile ") for section in parser.sections()
                if parser[section].get("awsenv_account_id") == account
                and parser[section].get("awsenv_role_name") == role)


def test_an_account_name_with_a_slash_is_found_whole(configured: World) -> None:
    """Account names may hold a slash: ``Data/Platform`` is that account, not a role
    Platform in an account named Data, unless Data has that role too: then both."""
    configured.emu.directory = Directory([
        Account("555555555555", "Data/Platform", "data@example.com", ("Developer",)),
        Account("666666666666", "Data", "data-root@example.com", ("Developer",)),
    ])
    configured.login()
    assert configured.cli("sync").returncode == 0
    slashed = profile_for(configured, "555555555555", "Developer")
    assert exec_as(configured, "Data/Platform")[:2] == (0, slashed)
    assert exec_as(configured, "data/platform/Developer")[:2] == (0, slashed)
    assert exec_as(configured, "Data/Developer")[:2] == (
        0, profile_for(configured, "666666666666", "Developer"))
    # Data gets a role named Platform: "Data/Platform" now reads both ways.
    configured.emu.directory = Directory([
        Account("555555555555", "Data/Platform", "data@example.com", ("Developer",)),
        Account("666666666666", "Data", "data-root@example.com", ("Developer", "Platform")),
    ])
    assert configured.cli("sync").returncode == 0
    platform = profile_for(configured, "666666666666", "Platform")
    code, out, err = exec_as(configured, "Data/Platform")
    assert (code, out) == (2, "")
    assert err.startswith("awsenv: Data/Platform matches several profiles: ")
    assert f"{slashed} (555555555555/Developer)" in err
    assert f"{platform} (666666666666/Platform)" in err
