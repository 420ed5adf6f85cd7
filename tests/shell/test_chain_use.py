"""`awsenv use` with chained roles in real bash, zsh and fish against the emulator.

One and two levels deep from an awsenv profile: env mode exports the chained
role's credentials (and says when duration_seconds asks for more than AWS gives
a chain), the prompt hook renews them before they end (every hop: each link's
credentials are as short-lived), profile mode hands the chain to the SDK, and
`--chain ROLE_ARN` assumes a role ad hoc (env mode, as no profile names it).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import browser_ran, login
from support.chains import AUDIT, DEPLOY, HOPS
from support.world import sso_config, write_config

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]
CHAINED = HOPS
CREDS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
         "AWS_CREDENTIAL_EXPIRATION")
WHOAMI = (f"{sys.executable} -c \"import boto3; print('ARN=' + boto3.client('sts', "
          "region_name='eu-west-1').get_caller_identity()['Arn'])\"")


@pytest.fixture(params=KINDS)
def shell(request: pytest.FixtureRequest, signed: Any, work: Path, isolated_home: Path,
          tmp_path: Path) -> Iterator[Shell]:
    signed.configure(assume_role_ttl=0)
    write_config(sso_config(signed.start_url, signed.region, profiles=("dev", "native"),
                            after=CHAINED))
    login(signed)
    signed.reset_counters()  # one emulator per module: count this test's calls only
    sh = Shell(str(request.param), isolated_home, work, strace=tmp_path / "strace.log")
    yield sh
    sh.close()


def arn(sh: Shell) -> str:
    """Who the shell's AWS settings are, as STS answers boto3 (through a file: fish
    repaints the terminal)."""
    out = sh.run(f"{WHOAMI} > {sh.out}")
    assert sh.status == 0, out
    return sh.out.read_text().strip().removeprefix("ARN=")


def test_env_mode_one_and_two_levels(shell: Shell, signed: Any) -> None:
    out = shell.run("awsenv use --mode env hop1")
    assert shell.status == 0, out
    assert "awsenv: hop1 (222222222222/deploy, eu-west-1), env mode" in out, out
    assert shell.var("AWS_PROFILE") is None and shell.var("AWSENV_PROFILE") == "hop1"
    assert arn(shell) == "arn:aws:sts::222222222222:assumed-role/deploy/alice"
    out = shell.run("awsenv use --mode env hop2")
    assert shell.status == 0, out
    assert ("awsenv: hop2: duration_seconds = 7200 is more than AWS allows a chained role "
            "session; using 3600 (one hour)") in out, out
    assert arn(shell) == "arn:aws:sts::333333333333:assumed-role/audit/alice2"
    assert signed.counters().get("AssumeRole") == 2  # hop1 came from the cache
    shell.run("awsenv use --unset")
    assert shell.vars(*CREDS, "AWSENV_PROFILE") == dict.fromkeys((*CREDS, "AWSENV_PROFILE"))


def test_profile_mode_hands_the_chain_to_the_sdk(shell: Shell) -> None:
    out = shell.run("awsenv use --mode profile hop1")
    assert shell.status == 0, out
    assert shell.var("AWS_PROFILE") == "hop1" and shell.var("AWS_ACCESS_KEY_ID") is None
    assert arn(shell) == "arn:aws:sts::222222222222:assumed-role/deploy/alice"


def test_adhoc_chain_one_and_two_levels(shell: Shell, signed: Any) -> None:
    out = shell.run(f"awsenv use dev --chain {DEPLOY}")
    assert shell.status == 0, out
    assert shell.var("AWSENV_PROFILE") == f"dev+{DEPLOY}"
    assert shell.var("AWS_PROFILE") is None  # env mode: no profile names this chain
    assert arn(shell).startswith("arn:aws:sts::222222222222:assumed-role/deploy/awsenv-")
    # On a chained profile, two levels: hop1 then audit (which wants an ExternalId the
    # ad hoc hop does not carry: refused in one line, the shell left as it was).
    before = shell.var("AWS_ACCESS_KEY_ID")
    out = shell.run(f"awsenv use hop1 --chain {AUDIT}")
    assert shell.status == 4, out
    assert "AccessDenied" in out and "Traceback" not in out
    assert shell.var("AWS_ACCESS_KEY_ID") == before
    out = shell.run(f"awsenv use --mode profile dev --chain {DEPLOY}")
    assert shell.status == 2 and "--chain needs env mode" in out, out


@pytest.mark.parametrize("profile", ["hop2", f"dev --chain {DEPLOY}"])
def test_the_prompt_renews_a_chain_before_it_ends(shell: Shell, signed: Any, tmp_path: Path,
                                                   profile: str) -> None:
    # Every hop lives just above the cache's floor: the refresh is due 4 s after the fetch.
    signed.configure(assume_role_ttl=124)
    out = shell.run(f"awsenv use --mode env {profile}")
    assert shell.status == 0, out
    signed.configure(assume_role_ttl=0)
    first = shell.vars(*CREDS, "AWSENV_EXPIRES")
    expires = int(first["AWSENV_EXPIRES"] or 0)
    assert 100 < expires - time.time() <= 124
    calls = signed.counters().get("AssumeRole", 0)
    delay = expires - 120 + 1 - time.time()
    if delay > 0:
        time.sleep(delay)
    shell.run("")
    second = shell.vars(*CREDS, "AWSENV_EXPIRES")
    for _ in range(20):  # the detached refresh may land a prompt later
        if second["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]:
            break
        time.sleep(0.5)
        shell.run("")
        second = shell.vars(*CREDS, "AWSENV_EXPIRES")
    assert second["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
    assert int(second["AWSENV_EXPIRES"] or 0) > expires + 3000
    hops = 2 if profile == "hop2" else 1
    assert signed.counters().get("AssumeRole", 0) == calls + hops
    assert not browser_ran(tmp_path)
    assert arn(shell).startswith("arn:aws:sts::")
