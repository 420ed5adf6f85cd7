"""`export`, `exec` and `console` without a profile on a terminal open the same picker (#15).

Real bash (TERM=xterm) with the hook, signed in to the emulator: the picker
draws on the terminal while stdout stays the command's own (so
`eval "$(awsenv export)"` evaluates the chosen profile's credentials and
nothing on Esc); `awsenv exec -- CMD` (no PROFILE before `--`) runs CMD as the
chosen profile. Without a terminal they stay usage errors (exit 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import login
from test_picker import DRAWN, ENTER, ESC, picker, press

from awsenv.errors import ExitCode
from awsenv.paths import awsenv_command

pytestmark = [pytest.mark.shells,
              pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")]


@pytest.fixture
def sh(signed: Any, isolated_home: Path, work: Path) -> Iterator[Shell]:
    login(signed)
    signed.reset_counters()
    shell = Shell("bash", isolated_home, work, env={"TERM": "xterm"})
    yield shell
    shell.close()


def test_export_picks_into_eval(sh: Shell, signed: Any) -> None:
    picker(sh, 'eval "$(awsenv export)"')
    out = press(sh, "nat", ENTER)
    assert sh.status == 0, out
    # native's credentials and region (dev's is eu-west-1).
    assert sh.var("AWS_ACCESS_KEY_ID") and sh.var("AWS_REGION") == "us-west-2", out
    assert signed.counters().get("GetRoleCredentials") == 1


def test_export_esc_evaluates_nothing(sh: Shell, signed: Any) -> None:
    picker(sh, 'out=$(awsenv export); echo "rc=$?"; eval "$out"')
    out = press(sh, ESC)
    assert "rc=130" in out, out
    assert sh.var("AWS_ACCESS_KEY_ID") is None and sh.var("AWS_REGION") is None
    assert not signed.counters().get("GetRoleCredentials")


def test_exec_without_profile_picks(sh: Shell) -> None:
    picker(sh, "awsenv exec -- sh -c 'echo \"as=$AWSENV_PROFILE\"'")
    out = press(sh, "dev", ENTER)
    assert sh.status == 0 and "as=dev" in out, out
    picker(sh, "awsenv exec --server -- sh -c 'echo \"as=$AWSENV_PROFILE\"'")
    out = press(sh, ESC)
    assert sh.status == ExitCode.INTERRUPTED and "as=" not in out, out


def test_console_picks_and_esc_leaves(sh: Shell, signed: Any) -> None:
    picker(sh, "awsenv console --print")
    out = press(sh, ESC)
    assert sh.status == ExitCode.INTERRUPTED and "https://" not in out, out
    assert not signed.counters().get("GetSigninToken")
    picker(sh, "awsenv console --print")
    out = press(sh, "dev", ENTER)
    assert sh.status == 0 and "/federation?Action=login" in out, out


def test_without_a_terminal_they_stay_usage_errors(signed: Any, isolated_home: Path) -> None:
    login(signed)
    for args in (["export"], ["console", "--print"], ["exec", "--", "true"]):
        res = subprocess.run([*awsenv_command(), *args], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=60, check=False,
                             env={**os.environ, "TERM": "xterm"})
        assert res.returncode == ExitCode.USAGE, (args, res.stderr)
        assert res.stderr.startswith("awsenv: no profile given") and res.stdout == "", res
    assert DRAWN  # the picker's status line is what the terminal tests wait for
