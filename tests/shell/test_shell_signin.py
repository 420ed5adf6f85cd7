"""The shell follows the sign-in: logout, `use` while signed out, login again.

After `awsenv logout` an env-mode shell kept its credentials and its prompt
kept counting; `awsenv use P` while signed out warned and switched anyway;
after `awsenv login` the prompt showed no time until the next `use`. The hook
now watches the AWS CLI token cache (a directory date: no process on an idle
prompt) and makes the active identity follow its session's sign-in.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import login

from awsenv.errors import ExitCode

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]


@pytest.fixture(params=KINDS)
def shell(request: pytest.FixtureRequest, signed: Any, work: Path,
          isolated_home: Path) -> Iterator[Shell]:
    login(signed)
    sh = Shell(str(request.param), isolated_home, work)
    yield sh
    sh.close()


def segment(sh: Shell) -> str:
    out = sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
    found = re.search(r"<([^>\r\n]*)>", out.split("\n", 1)[-1])
    assert found, out
    return found.group(1)


def test_logout_drops_env_credentials_and_login_brings_the_time_back(shell: Shell,
                                                                     signed: Any) -> None:
    sh = shell
    out = sh.run("awsenv use --mode env dev")
    assert sh.status == 0, out
    assert sh.var("AWS_ACCESS_KEY_ID")
    assert re.fullmatch(r"dev \d+(h\d\d)?m", segment(sh))

    out = sh.run("awsenv logout")
    assert sh.status == 0, out
    assert "open shells using these sessions drop their role credentials" in out, out
    # This shell's next prompt (the one after logout) followed the sign-out.
    assert "signed out of dev's session (dropped its credentials)" in out, out
    assert sh.vars("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWSENV_PROFILE") == {
        "AWS_ACCESS_KEY_ID": None, "AWS_SESSION_TOKEN": None, "AWSENV_PROFILE": "dev"}
    assert segment(sh) == "dev ✗"
    out = sh.run("true")
    assert "signed out" not in out  # said once

    # Signed out: `use` refuses instead of switching to a profile that cannot work.
    out = sh.run("awsenv use native")
    assert sh.status == ExitCode.NOT_SIGNED_IN, out
    assert "not signed in for native" in out and "awsenv login --profile native" in out
    assert sh.var("AWS_PROFILE") is None

    login(signed)
    out = sh.run("true")  # the next prompt sees the sign-in
    assert sh.var("AWS_ACCESS_KEY_ID"), out
    assert re.fullmatch(r"dev \d+(h\d\d)?m", segment(sh)), out


def test_login_after_entering_signed_out_shows_the_time(shell: Shell, signed: Any) -> None:
    sh = shell
    out = sh.run("awsenv use native")
    assert sh.status == 0, out
    assert re.fullmatch(r"native \d+h\d\dm", segment(sh))
    sh.run("awsenv logout")
    assert segment(sh) == "native ✗"
    assert sh.var("AWS_PROFILE") == "native"  # profile mode keeps the name
    login(signed)
    sh.run("true")
    assert re.fullmatch(r"native \d+h\d\dm", segment(sh))
