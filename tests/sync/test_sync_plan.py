"""The naming and block rules of `awsenv sync`, on the pure planner (no I/O)."""

from __future__ import annotations

import configparser

import pytest

from awsenv.awsconfig.model import SsoSession
from awsenv.errors import ConfigError
from awsenv.portal import AccountRoles
from awsenv.sync import names
from awsenv.sync.plan import Options, build

CORP = SsoSession(key="corp", name="corp", start_url="https://d-1.awsapps.com/start",
                  region="eu-west-1")
CMD = ("/opt/aws env/bin/awsenv",)


def opts(**kw: object) -> Options:
    base: dict[str, object] = {"session": CORP, "region": "eu-west-1", "command": CMD}
    base.update(kw)
    return Options(**base)  # type: ignore[arg-type]


def acct(account_id: str, name: str, *roles: str) -> AccountRoles:
    return AccountRoles(account_id, name, f"{name}@example.com", list(roles))


SMALL = [acct("111111111111", "Dev", "AdministratorAccess", "ReadOnlyAccess"),
         acct("222222222222", "Prod", "ReadOnlyAccess")]


def test_small_directory_exact_body() -> None:
    plan = build(None, SMALL, opts(), {})
    cp = "'/opt/aws env/bin/awsenv' credential-process --profile"
    assert plan.body == (
        "[profile dev-administratoraccess]\n"
        f"credential_process = {cp} dev-administratoraccess\n"
        "awsenv_session = corp\n"
        "awsenv_account_id = 111111111111\n"
        "awsenv_role_name = AdministratorAccess\n"
        "region = eu-west-1\n"
        "\n"
        "[profile dev-readonlyaccess]\n"
        f"credential_process = {cp} dev-readonlyaccess\n"
        "awsenv_session = corp\n"
        "awsenv_account_id = 111111111111\n"
        "awsenv_role_name = ReadOnlyAccess\n"
        "region = eu-west-1\n"
        "\n"
        "[profile prod-readonlyaccess]\n"
        f"credential_process = {cp} prod-readonlyaccess\n"
        "awsenv_session = corp\n"
        "awsenv_account_id = 222222222222\n"
        "awsenv_role_name = ReadOnlyAccess\n"
        "region = eu-west-1\n"
    )
    assert plan.added == ["dev-administratoraccess", "dev-readonlyaccess",
                          "prod-readonlyaccess"]
    assert plan.changes == 3


def test_native_profiles_use_sso_keys_only() -> None:
    plan = build(None, SMALL[:1], opts(native=True), {})
    assert "credential_process" not in plan.body
    assert "[profile dev-readonlyaccess]\nsso_session = corp\nsso_account_id = 111111111111\n" \
        "sso_role_name = ReadOnlyAccess\nregion = eu-west-1\n" in plan.body


def test_second_run_is_a_no_op() -> None:
    first = build(None, SMALL, opts(), {})
    second = build(first.body, SMALL, opts(), {})
    assert second.body == first.body
    assert second.changes == 0
    assert len(second.unchanged) == 3


def test_names_stay_when_account_renamed_and_others_appear() -> None:
    first = build(None, SMALL, opts(), {})
    renamed = [acct("111111111111", "Development", "AdministratorAccess", "ReadOnlyAccess"),
               acct("222222222222", "Prod", "ReadOnlyAccess"),
               acct("333333333333", "Dev", "AdministratorAccess")]
    second = build(first.body, renamed, opts(), {})
    assert "[profile dev-administratoraccess]\n" in second.body
    assert "awsenv_account_id = 111111111111\nawsenv_role_name = AdministratorAccess" in \
        second.body.split("[profile dev-administratoraccess]\n")[1].split("[profile")[0]
    # The newcomer may not take the old name: account id appended, reported.
    assert second.added == ["dev-administratoraccess-333333333333"]
    assert [(n.name, n.reason) for n in second.renamed] == [
        ("dev-administratoraccess-333333333333",
         "'dev-administratoraccess' already names another generated profile")]
    assert second.changes == 1


def test_same_name_in_one_run_is_disambiguated_for_all() -> None:
    twins = [acct("111111111111", "dev", "Admin"), acct("222222222222", "DEV", "Admin")]
    plan = build(None, twins, opts(), {})
    assert plan.added == ["dev-admin-111111111111", "dev-admin-222222222222"]
    assert {n.reason for n in plan.renamed} == {"several roles would be named 'dev-admin'"}
    # Reversed listing order gives the same names.
    assert build(None, twins[::-1], opts(), {}).body == plan.body


def test_roles_equal_after_lowercasing_get_numbered() -> None:
    plan = build(None, [acct("111111111111", "dev", "Admin", "admin")], opts(), {})
    assert sorted(plan.added) == ["dev-admin-111111111111", "dev-admin-111111111111-2"]


def test_user_profile_name_is_never_reused() -> None:
    plan = build(None, SMALL, opts(), {"dev-readonlyaccess": None})
    assert "[profile dev-readonlyaccess]" not in plan.body
    assert "dev-readonlyaccess-111111111111" in plan.added
    assert [(n.name, n.reason) for n in plan.renamed] == [
        ("dev-readonlyaccess-111111111111",
         "'dev-readonlyaccess' is a profile outside the managed block")]


def test_user_profile_for_the_same_role_is_skipped_and_reported() -> None:
    plan = build(None, SMALL, opts(), {"mine": ("111111111111", "ReadOnlyAccess")})
    assert "ReadOnlyAccess\n" in plan.body  # prod's still there
    assert "dev-readonlyaccess" not in plan.body
    assert [(n.name, n.role_name) for n in plan.skipped] == [("mine", "ReadOnlyAccess")]


def test_managed_profile_loses_its_name_to_a_new_user_profile() -> None:
    first = build(None, SMALL, opts(), {})
    second = build(first.body, SMALL, opts(), {"prod-readonlyaccess": None})
    assert second.removed == ["prod-readonlyaccess"]
    assert second.added == ["prod-readonlyaccess-222222222222"]


def test_stale_kept_without_prune_removed_with_it() -> None:
    first = build(None, SMALL, opts(), {})
    fewer = [acct("111111111111", "Dev", "AdministratorAccess")]
    kept = build(first.body, fewer, opts(), {})
    assert kept.changes == 0
    assert sorted(kept.stale) == ["dev-readonlyaccess", "prod-readonlyaccess"]
    assert kept.body == first.body
    pruned = build(first.body, fewer, opts(prune=True), {})
    assert pruned.removed == ["dev-readonlyaccess", "prod-readonlyaccess"]
    assert "[profile dev-administratoraccess]" in pruned.body
    assert "dev-readonlyaccess" not in pruned.body


def test_refused_account_is_never_pruned() -> None:
    first = build(None, SMALL, opts(), {})
    refused = [SMALL[0], AccountRoles("222222222222", "Prod", "p@example.com", [],
                                      error="ForbiddenException")]
    plan = build(first.body, refused, opts(prune=True), {})
    assert plan.changes == 0
    assert "prod-readonlyaccess" in plan.body


def test_other_sessions_sections_are_kept_verbatim() -> None:
    other = SsoSession(key="other", name="other", start_url="https://o/start", region="us-east-1")
    theirs = build(None, [acct("999999999999", "Dev", "Admin")], opts(session=other), {})
    assert theirs.added == ["dev-admin"]
    mine = build(theirs.body, [acct("111111111111", "Dev", "Admin")], opts(prune=True), {})
    assert mine.added == ["dev-admin-111111111111"]
    assert mine.removed == []
    assert theirs.body in mine.body


def test_region_and_mode_changes_are_changes_not_renames() -> None:
    first = build(None, SMALL, opts(), {})
    second = build(first.body, SMALL, opts(region="us-west-2", native=True), {})
    assert sorted(second.changed) == sorted(first.added)
    assert second.added == second.removed == []


def test_template_placeholders_and_errors() -> None:
    plan = build(None, SMALL[:1], opts(template="{session}/{account_id}:{role_name}"), {})
    assert plan.added == ["corp-111111111111-administratoraccess",
                          "corp-111111111111-readonlyaccess"]
    with pytest.raises(ConfigError, match="unknown placeholder"):
        build(None, SMALL, opts(template="{account_name.__class__}"), {})
    with pytest.raises(ConfigError, match="unknown placeholder"):
        build(None, SMALL, opts(template="{nope}"), {})
    with pytest.raises(ConfigError, match="malformed"):
        build(None, SMALL, opts(template="{account_name"), {})


@pytest.mark.parametrize(("raw", "safe"), [
    ("Dev Account", "dev-account"),
    ("new\nline", "new-line"),
    ("[prod]=x", "prod-x"),
    ("ünïcødé-名前-😀", "unic-de"),
    ("--..__weird__..--", "weird"),
    ("a..b__c", "a.b_c"),
    ("$(touch /tmp/x)", "touch-tmp-x"),
    ("名前", ""),
])
def test_safe_name(raw: str, safe: str) -> None:
    assert names.safe_name(raw) == safe


def test_hostile_names_make_a_config_botocore_parses() -> None:
    from awsenv.emulator.directory import Directory

    listing = [AccountRoles(a.account_id, a.name, a.email, list(a.roles))
               for a in Directory.hostile().accounts]
    listing.append(acct("555555555555", "x", "bad\nrole", " padded", "ok"))
    plan = build(None, listing, opts(), {})
    parser = configparser.RawConfigParser()
    parser.read_string(plan.body)
    sections = parser.sections()
    assert len(sections) == len(plan.added) == sum(len(a.roles) for a in listing) - 2
    for header in sections:
        name = header.removeprefix("profile ")
        assert names.safe_name(name) == name and name
    assert sorted(n.role_name for n in plan.skipped) == [" padded", "bad\\nrole"]
    roles = {parser.get(s, "awsenv_role_name") for s in sections}
    assert "Role$(id)" in roles and "Rôle-ünï" in roles


def test_native_profiles_for_a_legacy_session_carry_the_start_url() -> None:
    legacy = SsoSession(key="https://d-1.awsapps.com/start", name=None,
                        start_url="https://d-1.awsapps.com/start", region="eu-west-1")
    plan = build(None, SMALL[1:], opts(session=legacy, native=True), {})
    assert plan.body == ("[profile prod-readonlyaccess]\n"
                         "sso_start_url = https://d-1.awsapps.com/start\n"
                         "sso_region = eu-west-1\n"
                         "sso_account_id = 222222222222\n"
                         "sso_role_name = ReadOnlyAccess\n"
                         "region = eu-west-1\n")
    assert build(plan.body, SMALL[1:], opts(session=legacy, native=True), {}).changes == 0
    # Back to credential_process: same name, keyed by the start URL.
    back = build(plan.body, SMALL[1:], opts(session=legacy), {})
    assert back.changed == ["prod-readonlyaccess"]
    assert "awsenv_session = https://d-1.awsapps.com/start\n" in back.body


@pytest.mark.parametrize("windows", [False, True])
def test_credential_process_line_splits_back_the_way_botocore_splits(windows: bool) -> None:
    from botocore.compat import compat_shell_split

    from awsenv.sync.plan import credential_process_line

    argv = ["C:\\Program Files\\aws env\\awsenv.exe" if windows else "/opt/it's here/awsenv"]
    line = credential_process_line(argv, "dev-admin", windows=windows)
    platform = "win32" if windows else "linux"
    assert compat_shell_split(line, platform=platform) == [
        argv[0], "credential-process", "--profile", "dev-admin"]
