"""`awsenv sync --include/--exclude`, remembered per session; `awsenv list` with the same.

Against the emulator's default directory: dev (AdministratorAccess, Developer,
ReadOnlyAccess), staging (Developer, ReadOnlyAccess), prod (ReadOnlyAccess,
AdministratorAccess), sandbox (AdministratorAccess, Developer).
"""

from __future__ import annotations

import json
import os
from typing import Any

from awsenv.awsconfig import read
from awsenv.sync.filters import Filter

PROD = "333333333333"


def profiles(signed: Any) -> set[str]:
    """What botocore's loader reads from the config (not our own view of the block)."""
    return set(read.load(signed.env()).profiles)


def ok(result: Any) -> Any:
    assert result.returncode == 0, result.stderr
    return result


def test_the_matched_strings() -> None:
    f = Filter(include=("prod-*",))
    assert f.keeps("prod-web", "123456789012", "Admin")
    assert f.keeps("PROD-web", "123456789012", "Admin")  # case-insensitive
    assert not f.keeps("dev", "123456789012", "prod-admin")  # no '/': the account only
    assert Filter(include=("123456789012",)).keeps("x", "123456789012", "Admin")
    assert not Filter(include=("12345678901",)).keeps("x", "123456789012", "Admin")
    assert Filter(include=("*/Admin*",)).keeps("x", "1", "AdministratorAccess")
    assert not Filter(include=("*Admin*",)).keeps("x", "1", "AdministratorAccess")
    both = Filter(include=("prod-*", "staging"), exclude=("*/ReadOnly*",))
    assert both.keeps("staging", "1", "Developer")
    assert not both.keeps("staging", "1", "ReadOnlyAccess")
    assert not both.keeps("dev", "1", "Developer")
    assert Filter(exclude=("dev",)).keeps("devops", "1", "Developer")
    assert Filter().keeps("anything", "1", "Role") and not Filter()


def test_sync_writes_what_the_filter_keeps_and_repeats_it(signed: Any) -> None:
    first = ok(signed.run("sync", "--include", "prod", "--include", "Staging",
                          "--exclude", "*/ReadOnly*"))
    assert profiles(signed) == {"prod-administratoraccess", "staging-developer"}
    line = ("awsenv: filter include 'prod', 'Staging'; exclude '*/ReadOnly*': 2 of 9 roles "
            "(remembered: a plain `awsenv sync` repeats it)")
    assert line in first.stderr.splitlines(), first.stderr

    again = ok(signed.run("sync"))
    assert "0 changes (2 profiles up to date)" in again.stderr
    assert ("awsenv: filter include 'prod', 'Staging'; exclude '*/ReadOnly*': 2 of 9 roles "
            "(remembered; --no-filter drops it)") in again.stderr.splitlines()
    assert profiles(signed) == {"prod-administratoraccess", "staging-developer"}

    # Stored per session in awsenv's settings, as given.
    stored = json.loads(signed.env().paths.settings_file.read_text())
    assert stored["sessions"]["corp"]["include"] == ["prod", "Staging"]
    assert stored["sessions"]["corp"]["exclude"] == ["*/ReadOnly*"]

    status = signed.run("status")
    assert ("sync filter for corp: include 'prod', 'Staging'; exclude '*/ReadOnly*' "
            "(`awsenv sync --no-filter` drops it)") in status.stdout.splitlines(), status.stdout
    data = json.loads(signed.run("status", "--json").stdout)
    assert data["sessions"][0]["sync_filter"] == {"include": ["prod", "Staging"],
                                                  "exclude": ["*/ReadOnly*"]}

    every = ok(signed.run("sync", "--no-filter"))
    assert "awsenv: filter dropped; every role is written" in every.stderr.splitlines()
    assert len(profiles(signed)) == 9
    assert "sync filter" not in signed.run("status").stdout
    assert "filter" not in ok(signed.run("sync")).stderr


def test_a_dry_run_shows_the_filter_and_remembers_nothing(signed: Any) -> None:
    ok(signed.run("sync", "--include", "prod"))
    before = signed.text()
    dry = ok(signed.run("sync", "--dry-run", "--include", PROD, "--include", "dev/Developer"))
    assert signed.text() == before
    assert ("awsenv: filter include '333333333333', 'dev/Developer': 3 of 9 roles "
            "(not remembered: dry run)") in dry.stderr.splitlines(), dry.stderr
    assert "+[profile dev-developer]\n" in dry.stdout
    # The remembered filter is still the first one.
    plain = ok(signed.run("sync", "--dry-run"))
    assert "awsenv: filter include 'prod': 2 of 9 roles (remembered; --no-filter drops it)" \
        in plain.stderr.splitlines(), plain.stderr
    dropped = ok(signed.run("sync", "--dry-run", "--no-filter"))
    assert "awsenv: filter dropped (not yet: dry run); every role is written" \
        in dropped.stderr.splitlines()
    assert signed.text() == before
    assert "sync filter for corp: include 'prod'" in signed.run("status").stdout


def test_a_narrower_filter_removes_profiles_only_with_prune(signed: Any) -> None:
    ok(signed.run("sync", "--include", "prod", "--include", "staging"))
    assert profiles(signed) == {"prod-administratoraccess", "prod-readonlyaccess",
                                "staging-developer", "staging-readonlyaccess"}
    kept = ok(signed.run("sync", "--include", "prod"))
    assert "0 changes (4 profiles up to date)" in kept.stderr
    assert ("awsenv: kept 2 profile(s) the filter leaves out (run with --prune to remove): "
            "staging-developer, staging-readonlyaccess") in kept.stderr.splitlines()
    assert len(profiles(signed)) == 4

    pruned = ok(signed.run("sync", "--prune"))  # the remembered filter, now pruning
    assert "0 added, 0 changed, 2 removed" in pruned.stderr
    assert profiles(signed) == {"prod-administratoraccess", "prod-readonlyaccess"}
    assert "kept" not in pruned.stderr


def test_filter_usage_errors_are_one_line_exit_2(signed: Any) -> None:
    for args in (["--no-filter", "--include", "prod"], ["--include", ""],
                 ["--exclude", "a\x1b[2Jb"]):
        bad = signed.cli("sync", *args)
        assert bad.returncode == 2, (args, bad.stderr)
        lines = bad.stderr.strip().splitlines()
        assert "Traceback" not in bad.stderr and "\x1b" not in bad.stderr
        assert any(("--include" in x or "--exclude" in x or "--no-filter" in x)
                   for x in lines), bad.stderr
    assert "sessions" not in (signed.env().paths.settings_file.read_text()
                              if signed.env().paths.settings_file.exists() else "")


def test_list_takes_the_same_filters(signed: Any) -> None:
    out = ok(signed.run("list", "--json", "--include", "*/Admin*", "--exclude", "sandbox"))
    got = {(r["account_name"], r["role_name"]) for r in json.loads(out.stdout)
           if "chain" not in r}
    assert got == {("dev", "AdministratorAccess"), ("prod", "AdministratorAccess")}
    calls = signed.counters()
    table = ok(signed.run("list", "--include", PROD))
    assert signed.counters() == calls  # another filter reuses the whole cached listing
    rows = table.stdout.splitlines()
    assert rows[0].split()[:3] == ["ACCOUNT", "ID", "ACCOUNT"]
    assert [r.split()[0] for r in rows[1:]] == [PROD, PROD]
    none = ok(signed.run("list", "--include", "nothing-like-this"))
    assert "awsenv: session corp no role matches include 'nothing-like-this'" in none.stderr
    assert os.environ["AWS_CONFIG_FILE"]  # list never writes the filter anywhere
    assert "sync filter" not in signed.run("status").stdout
