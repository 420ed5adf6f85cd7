"""`sync --prune` never moves a profile name to another account in the same run.

The attack (issue #13): account A leaves the listing and account B, with the
same account and role names, appears. One `sync --prune` used to remove A's
profile and give its name to B, so every allowed `.awsenv` (and every script or
prompt) naming that profile silently switched to B's account. Now a name pruned
in a run is not reused in that run: B gets the collision suffix the name rules
already use (``-<account id>``), and the plan says why.

What a user can expect afterwards: names are stable, so B keeps its suffixed
name on every later run (pruned or not), and the pruned name stays free. A
later run may give a free name to a new role that asks for it; an allowed
`.awsenv` whose profile then reaches another account asks again (the trust
side of the issue), which is why the name is never reused silently within one
run, where nothing would notice.
"""

from __future__ import annotations

from typing import Any

import pytest

from awsenv.awsconfig import read
from awsenv.emulator import Directory
from awsenv.emulator.directory import Account

OLD_DEV = "111111111111"
NEW_DEV = "333333333333"
PROD = Account("222222222222", "prod", "prod@example.com", ("ReadOnly",))
BEFORE = Directory([Account(OLD_DEV, "dev", "dev@example.com", ("Developer",)), PROD])
# The admin removed the old dev account and added another one with the same names.
AFTER = Directory([PROD, Account(NEW_DEV, "dev", "dev2@example.com", ("Developer",))])
SUFFIXED = f"dev-developer-{NEW_DEV}"


@pytest.fixture
def directory() -> Any:
    return BEFORE


def set_directory(emu: Any, directory: Directory) -> None:
    with emu.state.lock:
        emu.state.directory = directory


def accounts(signed: Any) -> dict[str, str | None]:
    """Each profile name the config now holds and the account it reaches (what botocore reads)."""
    return {name: profile.account_id
            for name, profile in read.load(signed.env()).profiles.items()}


def sync(signed: Any, *args: str) -> Any:
    result = signed.cli("sync", *args)
    assert result.returncode == 0, result.stderr
    return result


def test_a_pruned_name_goes_to_no_other_account_in_the_same_run(signed: Any) -> None:
    sync(signed)
    assert accounts(signed) == {"dev-developer": OLD_DEV, "prod-readonly": PROD.account_id}

    set_directory(signed.emu, AFTER)
    before = signed.text()
    dry = sync(signed, "--prune", "--dry-run")
    assert signed.text() == before
    note = (f"awsenv: named {NEW_DEV}/Developer '{SUFFIXED}': 'dev-developer' was pruned in "
            f"this run (it reached {OLD_DEV}/Developer) and is not reused for another role in "
            "the same run")
    assert note in dry.stderr.splitlines(), dry.stderr
    assert "-[profile dev-developer]\n" in dry.stdout
    assert f"+[profile {SUFFIXED}]\n" in dry.stdout
    assert "+[profile dev-developer]\n" not in dry.stdout

    done = sync(signed, "--prune")
    assert note in done.stderr.splitlines(), done.stderr
    assert "1 added, 0 changed, 1 removed" in done.stderr
    assert accounts(signed) == {SUFFIXED: NEW_DEV, "prod-readonly": PROD.account_id}
    # Nothing naming the old profile reaches the new account: the name is gone.
    gone = signed.cli("credential-process", "--profile", "dev-developer")
    assert gone.returncode != 0 and gone.stdout == ""


@pytest.mark.parametrize("again", [(), ("--prune",)])
def test_the_new_name_settles_on_the_next_run(signed: Any, again: tuple[str, ...]) -> None:
    sync(signed)
    set_directory(signed.emu, AFTER)
    sync(signed, "--prune")
    settled = signed.text()
    rerun = sync(signed, *again)
    assert "0 changes (2 profiles up to date)" in rerun.stderr
    assert "named " not in rerun.stderr
    assert signed.text() == settled
    assert accounts(signed) == {SUFFIXED: NEW_DEV, "prod-readonly": PROD.account_id}


def test_the_new_account_gets_the_same_name_with_or_without_prune(signed: Any) -> None:
    """Without --prune the old profile stays (stale) and keeps its name; pruning it later
    moves nothing: the new account's name never depends on when the old one left."""
    sync(signed)
    set_directory(signed.emu, AFTER)
    kept = sync(signed)
    assert "kept 1 profile(s) for roles no longer assigned" in kept.stderr
    assert accounts(signed) == {"dev-developer": OLD_DEV, SUFFIXED: NEW_DEV,
                                "prod-readonly": PROD.account_id}
    sync(signed, "--prune")
    assert accounts(signed) == {SUFFIXED: NEW_DEV, "prod-readonly": PROD.account_id}
