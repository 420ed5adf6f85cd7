"""`awsenv sync` end to end: real CLI, real emulator, real botocore reading the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from awsenv.awsconfig import read
from awsenv.emulator import Directory
from awsenv.emulator.directory import Account
from awsenv.errors import ExitCode
from awsenv.paths import awsenv_command

SMALL = Directory([
    Account("111111111111", "Dev Team", "dev@example.com", ("AdministratorAccess", "ReadOnly")),
    Account("222222222222", "prod", "prod@example.com", ("ReadOnly",)),
])


@pytest.fixture
def directory() -> Any:
    return SMALL


def set_directory(emu: Any, directory: Directory) -> None:
    """The admin changed assignments: the emulator lists the new directory from now on."""
    with emu.state.lock:
        emu.state.directory = directory


def block(text: str) -> str:
    begin = text.index("# BEGIN awsenv managed profiles")
    end = text.index("# END awsenv managed profiles")
    return text[begin:end]


def cp(profile: str) -> str:
    import shlex

    return " ".join(shlex.quote(p) for p in awsenv_command()) + \
        f" credential-process --profile {profile}"


def botocore_profiles(signed: Any) -> dict[str, dict[str, str]]:
    """What botocore itself reads from the written file (subprocess, fresh import)."""
    code = ("import json, os, botocore.configloader as c;"
            "m = c.build_profile_map(c.raw_config_parse(os.environ['AWS_CONFIG_FILE']));"
            "print(json.dumps(m['profiles']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def test_sync_writes_the_expected_profiles(signed: Any) -> None:
    before = signed.text()
    result = signed.cli("sync")
    assert result.returncode == 0, result.stderr
    text = signed.text()
    assert text.startswith(before)
    region = signed.session.region
    expected = "".join(
        f"[profile {name}]\n"
        f"credential_process = {cp(name)}\n"
        f"awsenv_session = corp\n"
        f"awsenv_account_id = {acct}\n"
        f"awsenv_role_name = {role}\n"
        f"region = {region}\n" + ("\n" if name != "prod-readonly" else "")
        for name, acct, role in [
            ("dev-team-administratoraccess", "111111111111", "AdministratorAccess"),
            ("dev-team-readonly", "111111111111", "ReadOnly"),
            ("prod-readonly", "222222222222", "ReadOnly"),
        ])
    assert text[len(before):] == (
        "\n# BEGIN awsenv managed profiles (do not edit: `awsenv sync` rewrites this block)\n"
        + expected + "# END awsenv managed profiles\n")
    # By default the summary alone (stderr), naming the few profiles it wrote; no diff.
    assert result.stdout == ""
    assert "3 added, 0 changed, 0 removed" in result.stderr
    assert ("awsenv: added: dev-team-administratoraccess, dev-team-readonly, prod-readonly\n"
            in result.stderr)
    profiles = read.load(signed.env()).profiles
    assert {n: (p.kind, p.account_id, p.role_name) for n, p in profiles.items()} == {
        "dev-team-administratoraccess": ("awsenv", "111111111111", "AdministratorAccess"),
        "dev-team-readonly": ("awsenv", "111111111111", "ReadOnly"),
        "prod-readonly": ("awsenv", "222222222222", "ReadOnly"),
    }


def test_second_sync_changes_nothing(signed: Any) -> None:
    assert signed.run("sync").returncode == 0
    first = signed.config.read_bytes()
    stamp = signed.config.stat().st_mtime_ns
    again = signed.run("sync")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert "0 changes" in again.stderr
    assert signed.config.read_bytes() == first
    assert signed.config.stat().st_mtime_ns == stamp  # not even rewritten


def test_dry_run_shows_the_diff_and_writes_nothing(signed: Any) -> None:
    before = signed.config.read_bytes()
    stamp = signed.config.stat().st_mtime_ns
    result = signed.run("sync", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+[profile dev-team-readonly]" in result.stdout
    assert "nothing was written" in result.stderr
    assert signed.config.read_bytes() == before
    assert signed.config.stat().st_mtime_ns == stamp


NASTY = (
    "; leading comment; with semicolons\r\n"
    "[default]\r\n"
    "region=eu-central-1   \r\n"
    "output   :   json\r\n"
    "\r\n"
    "  # indented comment \t\r\n"
    "[profile   \"hand made\"]\r\n"
    "s3 =\r\n"
    "    max_concurrent_requests = 20\r\n"
    "\r\n"
    "\r\n"
)
TAIL = "[profile tail]\r\nregion = us-east-2\r\n# no newline at end"


def test_everything_outside_the_block_is_kept_byte_for_byte(signed: Any) -> None:
    session = signed.text().replace("\n", "\r\n")
    signed.write(NASTY + session + "\r\n" + TAIL)
    assert signed.run("sync").returncode == 0
    text = signed.text()
    begin = text.index("# BEGIN awsenv")
    end = text.index("# END awsenv managed profiles") + len("# END awsenv managed profiles")
    assert text[:begin] == NASTY + session + "\r\n" + TAIL + "\r\n\r\n"
    assert "\n" not in text.replace("\r\n", "")  # the block follows the file's CRLF
    # Move the block to the middle; a later sync with changes keeps both sides.
    head, blk = text[:begin], text[begin:end]
    moved = NASTY + blk + "\r\n" + session + "\r\n" + TAIL
    signed.write(moved)
    set_directory(signed.emu, Directory([*SMALL.accounts,
                                         Account("333333333333", "new", "n@example.com",
                                                 ("ReadOnly",))]))
    result = signed.run("sync")
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 changed, 0 removed" in result.stderr
    after = signed.text()
    assert after.startswith(NASTY + "# BEGIN awsenv")
    assert after.endswith("# END awsenv managed profiles\r\n" + session + "\r\n" + TAIL)
    assert "[profile new-readonly]\r\n" in after
    profiles = botocore_profiles(signed)
    assert profiles["hand made"]["s3"] == {"max_concurrent_requests": "20"}
    assert profiles["new-readonly"]["awsenv_account_id"] == "333333333333"
    assert head  # silence unused


def test_prune_removes_stale_profiles_only_when_asked(signed: Any) -> None:
    assert signed.run("sync").returncode == 0
    set_directory(signed.emu, Directory([SMALL.accounts[0]]))
    kept = signed.run("sync")
    assert kept.returncode == 0, kept.stderr
    assert "0 changes" in kept.stderr
    assert "kept 1 profile(s) for roles no longer assigned" in kept.stderr
    assert "prod-readonly" in kept.stderr
    assert "[profile prod-readonly]" in signed.text()
    pruned = signed.run("sync", "--prune", "--diff")
    assert pruned.returncode == 0, pruned.stderr
    assert "0 added, 0 changed, 1 removed" in pruned.stderr
    assert pruned.stdout.startswith("--- ")  # --diff: the unified diff on stdout
    assert "-[profile prod-readonly]" in pruned.stdout
    assert "removed: prod-readonly" not in pruned.stderr  # the diff already says it
    assert "[profile prod-readonly]" not in signed.text()
    assert "[profile dev-team-readonly]" in signed.text()


def test_names_are_stable_when_the_directory_changes(signed: Any) -> None:
    assert signed.run("sync").returncode == 0
    renamed = Directory([
        Account("111111111111", "Platform", "dev@example.com",
                ("AdministratorAccess", "ReadOnly")),
        Account("222222222222", "prod", "prod@example.com", ("ReadOnly",)),
        Account("000000000001", "Dev Team", "x@example.com", ("ReadOnly",)),
    ])
    set_directory(signed.emu, renamed)
    result = signed.run("sync")
    assert result.returncode == 0, result.stderr
    profiles = read.load(signed.env()).profiles
    by_name = {n: (p.account_id, p.role_name) for n, p in profiles.items()}
    assert by_name == {
        "dev-team-administratoraccess": ("111111111111", "AdministratorAccess"),
        "dev-team-readonly": ("111111111111", "ReadOnly"),
        "prod-readonly": ("222222222222", "ReadOnly"),
        "dev-team-readonly-000000000001": ("000000000001", "ReadOnly"),
    }
    assert "1 added, 0 changed, 0 removed" in result.stderr


def test_user_profiles_are_never_overwritten_or_duplicated(signed: Any) -> None:
    signed.write(signed.text() + textwrap.dedent("""
        [profile dev-team-readonly]
        region = us-east-1

        [profile mine]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = ReadOnly
        """))
    before = signed.text()
    result = signed.run("sync")
    assert result.returncode == 0, result.stderr
    text = signed.text()
    assert text.startswith(before)
    names = set(read.load(signed.env()).profiles)
    assert names == {"dev-team-readonly", "mine", "dev-team-administratoraccess",
                     "dev-team-readonly-111111111111"}
    assert "skipped 222222222222/ReadOnly: already configured outside the managed block " \
        "as 'mine'" in result.stderr
    assert "named 111111111111/ReadOnly 'dev-team-readonly-111111111111'" in result.stderr


def test_hostile_names_make_safe_profiles(signed: Any) -> None:
    set_directory(signed.emu, Directory.hostile())
    result = signed.run("sync")
    assert result.returncode == 0, result.stderr
    profiles = botocore_profiles(signed)
    generated = {n: v for n, v in profiles.items() if "awsenv_account_id" in v}
    hostile = Directory.hostile()
    assert len(generated) == sum(len(a.roles) for a in hostile.accounts)
    for name, values in generated.items():
        assert name and all(c in "abcdefghijklmnopqrstuvwxyz0123456789._-" for c in name)
        assert values["credential_process"] == cp(name)
        assert hostile.has_role(values["awsenv_account_id"], values["awsenv_role_name"])
    assert not (Path(os.environ["HOME"]) / "awsenv-pwned").exists()  # this test's HOME
    # list shows the names with control characters escaped, never raw.
    listed = signed.run("list")
    assert listed.returncode == 0, listed.stderr
    assert "new\\x0aline" in listed.stdout
    assert not any(ord(c) < 32 and c != "\n" for c in listed.stdout)


def test_native_profiles(signed: Any) -> None:
    result = signed.run("sync", "--native", "--region", "ap-south-1")
    assert result.returncode == 0, result.stderr
    assert "[profile prod-readonly]\nsso_session = corp\nsso_account_id = 222222222222\n" \
        "sso_role_name = ReadOnly\nregion = ap-south-1\n" in signed.text()
    assert "credential_process" not in signed.text()
    kinds = {p.kind for p in read.load(signed.env()).profiles.values()}
    assert kinds == {"native"}
    # Switching back rewrites the same names in place.
    back = signed.run("sync")
    assert "0 added, 3 changed, 0 removed" in back.stderr


def test_unknown_placeholder_and_bad_region_are_usage_errors(signed: Any) -> None:
    before = signed.config.read_bytes()
    bad = signed.run("sync", "--name", "{account}")
    assert bad.returncode == ExitCode.CONFIG
    assert bad.stderr.startswith("awsenv: name template '{account}' uses unknown placeholder")
    region = signed.run("sync", "--region", "eu west 1")
    assert region.returncode == ExitCode.CONFIG
    assert signed.config.read_bytes() == before
    assert signed.counters().get("ListAccounts", 0) == 0  # checked before any call


def test_signed_out_session_never_starts_a_login(signed: Any) -> None:
    from awsenv.auth import tokens

    signed.emu.revoke_all()
    starts = signed.counters().get("StartDeviceAuthorization", 0)
    result = signed.cli("sync", extra={"BROWSER": "false"})
    assert result.returncode == ExitCode.NOT_SIGNED_IN
    assert "awsenv login --session corp" in result.stderr
    assert "Traceback" not in result.stderr
    assert tokens.read_cached(signed.env().paths, signed.session) is None  # dropped
    c = signed.counters()
    assert c.get("StartDeviceAuthorization", 0) == starts
    assert c.get("ListAccounts", 0) == 1


def test_two_shells_syncing_at_once_both_land(signed: Any) -> None:
    from awsenv.awsconfig.model import SsoSession

    signed.write(signed.text() + "\n" + textwrap.dedent(f"""\
        [sso-session other]
        sso_start_url = {signed.emu.start_url}
        sso_region = {signed.emu.region}
        sso_registration_scopes = sso:account:access
        """))
    other = read.load(signed.env()).session("other")
    assert isinstance(other, SsoSession)
    signed.login(other)
    env = dict(os.environ)
    procs = [subprocess.Popen([*awsenv_command(), "sync", "--session", s, "--name",
                               "{session}-{account_name}-{role_name}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for s in ("corp", "other") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    profiles = read.load(signed.env()).profiles
    assert len([n for n in profiles if n.startswith("corp-")]) == 3
    assert len([n for n in profiles if n.startswith("other-")]) == 3
    assert sum("3 added" in err for _, err in outs) == 2
    assert sum("0 changes" in err for _, err in outs) == 2


CALLER = """\
import json, sys, boto3
out = {}
for name in sys.argv[1:]:
    session = boto3.Session(profile_name=name)
    ident = session.client("sts").get_caller_identity()
    creds = session.get_credentials()
    out[name] = [ident["Account"], ident["Arn"], creds.method]
print(json.dumps(out))
"""


def caller_identities(signed: Any, *profiles: str) -> dict[str, list[str]]:
    """boto3 in a fresh process: its own credential chain, the emulator's STS."""
    proc = subprocess.run([sys.executable, "-c", CALLER, *profiles], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "AWS_MAX_ATTEMPTS": "1"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_generated_credential_process_profiles_work_in_boto3(signed: Any) -> None:
    assert signed.run("sync").returncode == 0
    got = caller_identities(signed, "dev-team-readonly", "prod-readonly")
    assert got["dev-team-readonly"][0] == "111111111111"
    assert "ReadOnly" in got["dev-team-readonly"][1]
    assert got["prod-readonly"][0] == "222222222222"
    assert {v[2] for v in got.values()} == {"custom-process"}
    assert signed.counters().get("GetRoleCredentials", 0) == 2


def test_native_profiles_resolve_with_botocores_own_sso_provider(signed: Any) -> None:
    assert signed.run("sync", "--native").returncode == 0
    got = caller_identities(signed, "dev-team-administratoraccess")
    account, arn, method = got["dev-team-administratoraccess"]
    assert account == "111111111111" and "AdministratorAccess" in arn
    assert method == "sso"


def test_progress_bar_on_a_terminal(signed: Any) -> None:
    import pexpect

    set_directory(signed.emu, Directory.generate(accounts=40, roles=1))
    signed.emu.configure(latency_ms=5)
    child = pexpect.spawn(awsenv_command()[0], [*awsenv_command()[1:], "sync"],
                          env={**os.environ, "AWSENV_TPS": "200", "COLUMNS": "100"},
                          encoding="utf-8", timeout=60)
    child.expect("Listing roles")
    child.expect(r"40/40")
    child.expect("40 added, 0 changed, 0 removed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_interrupted_sync_leaves_the_config_alone(signed: Any) -> None:
    import signal
    import time

    set_directory(signed.emu, Directory.generate(accounts=400, roles=1))
    before = signed.config.read_bytes()
    proc = subprocess.Popen([*awsenv_command(), "sync"], env={**os.environ, "AWSENV_TPS": "40"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while signed.counters().get("ListAccountRoles", 0) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert err.strip().endswith("awsenv: interrupted") and "Traceback" not in err
    assert out == ""
    assert signed.config.read_bytes() == before
    assert signed.counters().get("ListAccountRoles", 0) < 400  # the pool stopped early


def test_a_large_change_is_summed_up_and_name_says_how_to_rename(signed: Any) -> None:
    """Beyond ten changed profiles the summary points at --dry-run/--diff instead of
    listing them (1,000 accounts used to print thousands of diff lines); --name given
    to a session with profiles says that they keep their names, and how to rename."""
    set_directory(signed.emu, Directory.generate(accounts=6, roles=2))
    first = signed.run("sync")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert "12 added" in first.stderr and "added: " not in first.stderr
    assert "`awsenv sync --dry-run` (or --diff) shows each profile's change" in first.stderr
    again = signed.run("sync", "--name", "{account_id}-{role_name}")
    assert again.returncode == 0, again.stderr
    assert ("--name names new profiles only: 12 existing one(s) kept their names (to rename "
            "them, delete their sections from the managed block in ~/.aws/config and run "
            "`awsenv sync --name ...` again)") in again.stderr, again.stderr
