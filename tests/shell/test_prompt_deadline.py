"""`awsenv use` in a real shell waits on Identity Center within its own short bound.

With a service slower than every timeout, `awsenv use --mode env` used to
freeze the interactive shell for four tries of 10 s. What a prompt waits on
now has its own budget (AWSENV_PROMPT_DEADLINE, default 5 s, retries
included, awsenv.deadline): the shell gets one line saying what it waits for,
one error naming the budget, exit 6, and its variables untouched.
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

from awsenv import deadline
from awsenv.auth import clients
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
    signed.configure(latency_ms=0)


def test_use_against_a_hanging_service_returns_within_its_bound(shell: Shell,
                                                                signed: Any) -> None:
    # Slower than the default read timeout: without the prompt's budget, 4 tries × 10 s.
    latency = clients.READ_TIMEOUT + 2
    assert latency * 4 > deadline.PROMPT_DEFAULT * 2
    signed.configure(latency_ms=int(latency * 1000))
    out = shell.run("awsenv use --mode env dev")
    assert shell.status == ExitCode.SERVICE, out
    lines = re.findall(r"awsenv: [^\r\n]*", out)  # fish echoes the command line first
    assert lines[0].startswith("awsenv: waiting for IAM Identity Center (GetRoleCredentials"), out
    assert "timed out" in lines[-1] and "AWSENV_PROMPT_DEADLINE" in lines[-1], out
    assert len(lines) == 2, out
    signed.configure(latency_ms=0)
    assert shell.vars("AWSENV_PROFILE", "AWS_ACCESS_KEY_ID") == {
        "AWSENV_PROFILE": None, "AWS_ACCESS_KEY_ID": None}
    out = shell.run("awsenv use --mode env dev")
    assert shell.status == 0, out
    assert shell.var("AWSENV_PROFILE") == "dev"
