"""`awsenv use` with no profile on a terminal opens a picker (issue #15).

Real bash, zsh and fish with the hook installed as the README says, driven by
keys as a person types them: a filter (fuzzy over name, account name, account
id, role, region), arrows, Enter, Esc and Ctrl-C. The picker draws on the
terminal while the hook's answer travels on stdout, so after Enter the shell
holds the chosen profile exactly as after `awsenv use P`, and after Esc or
Ctrl-C nothing changed (exit 130). The terminal is a real one (TERM=xterm):
on TERM=dumb the one-line answer stays (tests/shell/test_use_suggest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _interactive import Shell
from support.world import write_config

from awsenv.errors import ExitCode
from awsenv.paths import Paths, awsenv_command
from awsenv.shells import records
from awsenv.shells.records import PROTOCOL

pytestmark = pytest.mark.shells

# Each shell the issue names; one missing skips its runs here and fails them under CI
# (.ci/run installs them all).
KINDS = ("bash", "zsh", "fish")


def need(tool: str) -> None:
    if shutil.which(tool):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is required under CI (.ci/run installs it)")
    pytest.skip(f"{tool} is not installed")

CONFIG = """\
[profile dev]
region = eu-west-1

[profile ops]
region = us-east-2

[profile payments-admin]
sso_account_id = 222222222222
sso_role_name = Admin
region = eu-central-1

[profile shop-prod]
sso_account_id = 333333333333
sso_role_name = ReadOnly
region = us-west-2
"""

UP, DOWN, ESC, ENTER, CTRL_C = "\x1b[A", "\x1b[B", "\x1b", "\r", "\x03"
DRAWN = "Esc cancel"  # the picker's status line: it is up and reading keys


def keep_listing(accounts: dict[str, str]) -> None:
    """A portal listing as `awsenv sync` keeps it (awsenv.sync.listing_cache's shape)."""
    listings = Paths.from_environ(os.environ).cache_dir / "listings"
    listings.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = listings / "corp.json"
    path.write_text(json.dumps({"v": 1, "start_url": "https://x.awsapps.com/start",
                                "fetched_at": 0, "accounts": [
                                    {"id": i, "name": n, "email": "", "roles": ["Admin"],
                                     "error": None} for i, n in accounts.items()]}))
    path.chmod(0o600)


@pytest.fixture(params=KINDS)
def shell(request: pytest.FixtureRequest, isolated_home: Path, tmp_path: Path
          ) -> Iterator[Shell]:
    need(str(request.param))
    write_config(CONFIG)
    keep_listing({"222222222222": "Payments", "333333333333": "Storefront"})
    sh = Shell(str(request.param), isolated_home, tmp_path, env={"TERM": "xterm"})
    yield sh
    sh.close()


def picker(shell: Shell, command: str = "awsenv use") -> str:
    """Type ``command`` and wait until the picker is drawn; what the terminal showed."""
    shell.child.sendline(command)
    shell.child.expect_exact(DRAWN)
    return (shell.child.before + shell.child.after).decode("utf-8", "replace")


def press(shell: Shell, *keys: str) -> str:
    """Send keys to the picker, then wait for the shell's next prompt."""
    for k in keys:
        shell.child.send(k)
    return shell._wait().decode("utf-8", "replace")


def test_typing_filters_and_enter_switches_the_shell(shell: Shell) -> None:
    shown = picker(shell)
    # Every profile, PROD marked, account names from the listing awsenv keeps.
    for text in ("dev", "ops", "payments-admin", "Payments", "222222222222/Admin",
                 "shop-prod", "[PROD]", "Storefront"):
        assert text in shown, shown
    out = press(shell, "store", ENTER)  # the account name finds shop-prod
    assert shell.status == 0, out
    assert "awsenv: shop-prod [PROD] (333333333333/ReadOnly, us-west-2)" in out, out
    assert shell.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "shop-prod",
                                                        "AWS_REGION": "us-west-2"}


def test_arrows_move_and_fuzzy_letters_match(shell: Shell) -> None:
    picker(shell)
    out = press(shell, DOWN, DOWN, UP, ENTER)  # config order: dev, ops, ...
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "ops", out
    picker(shell)
    out = press(shell, "pyad", ENTER)  # p…y…a…d: payments-admin only
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "payments-admin", out
    picker(shell)
    out = press(shell, "2222 adm", ENTER)  # account id and role, two terms
    assert shell.var("AWS_PROFILE") == "payments-admin", out


WATCHED = ("AWS_PROFILE", "AWS_REGION", "AWSENV_PROFILE")


def esc_leaves_all_as_it_was(shell: Shell, opened: Callable[[Shell], object]
                             ) -> dict[str, str | None]:
    """Switch to dev, open a picker (``opened``), type "ops" and Esc: exit 130, no
    traceback, nothing switched. The variables as they stay."""
    shell.run("awsenv use --region ap-south-1 dev")
    before = shell.vars(*WATCHED)
    opened(shell)
    out = press(shell, "ops", ESC)
    assert shell.status == ExitCode.INTERRUPTED, out
    assert "Traceback" not in out and "awsenv: ops" not in out, out
    assert shell.vars(*WATCHED) == before
    return before


def test_esc_and_ctrl_c_leave_everything_as_it_was(shell: Shell) -> None:
    before = esc_leaves_all_as_it_was(shell, picker)
    picker(shell)
    out = press(shell, DOWN, CTRL_C)
    assert shell.status == ExitCode.INTERRUPTED, out
    assert shell.vars(*WATCHED) == before
    # The shell's state is intact too: `use -` still knows what came before dev.
    out = shell.run("awsenv use -")
    assert shell.status == 0 and shell.var("AWS_PROFILE") is None, out


def test_recent_choices_come_first(shell: Shell) -> None:
    picker(shell)
    press(shell, "shop", ENTER)
    picker(shell)
    press(shell, "ops", ENTER)
    picker(shell)
    out = press(shell, ENTER)  # nothing typed: the newest choice is on top
    assert shell.var("AWS_PROFILE") == "ops", out
    picker(shell)
    out = press(shell, DOWN, ENTER)  # then the one before
    assert shell.var("AWS_PROFILE") == "shop-prod", out


def test_without_a_terminal_use_still_lists_the_profiles(shell: Shell) -> None:
    if shell.kind == "fish":
        pytest.skip("fish gives a command substitution the terminal whatever the function's "
                    "stdin; test_no_terminal_answers_as_before covers the answer itself")
    out = shell.run("awsenv use </dev/null")
    assert shell.status == ExitCode.USAGE, out
    assert "which profile?; run `awsenv use PROFILE` with one of: dev, ops" in out, out
    assert shell.var("AWS_PROFILE") is None


def test_no_terminal_answers_as_before(isolated_home: Path) -> None:
    """The hook's own command with stdin not a terminal: the one-line list and exit 2
    in the answer, as before the picker (TERM=dumb on a terminal alike:
    tests/shell/test_use_suggest.py)."""
    write_config(CONFIG)
    env = {**os.environ, "TERM": "xterm", "_AWSENV_FOUND": "", "_AWSENV_PID": "1"}
    res = subprocess.run([*awsenv_command(), "use", "--emit", "--protocol", str(PROTOCOL)],
                         stdin=subprocess.DEVNULL, capture_output=True, env=env,
                         timeout=60, check=False)
    assert res.returncode == ExitCode.USAGE, res.stderr
    assert records.parse(res.stdout) == [("end", str(int(ExitCode.USAGE)))]
    assert b"which profile?; run `awsenv use PROFILE` with one of: dev, ops" in res.stderr
