"""Env mode and sign-in expiry in real interactive shells against the emulator.

`awsenv use --mode env` exports role credentials; the prompt hook replaces
them before they expire without a browser (BROWSER is a script that records
any call); when the sign-in has ended it says so once. In profile mode the
access token is refreshed by a detached process the hook starts, so the
prompt never waits on the keyring.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import browser_ran, login, make_project

from awsenv.shells import identity

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
CREDS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
         "AWS_CREDENTIAL_EXPIRATION")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def shell(kind: str, signed: Any, work: Path, isolated_home: Path,
          tmp_path: Path) -> Iterator[Shell]:
    login(signed)
    sh = Shell(kind, isolated_home, work, strace=tmp_path / "strace.log")
    yield sh
    sh.close()


def wait_until(epoch: float) -> None:
    delay = epoch - time.time()
    if delay > 0:
        time.sleep(delay)


def test_env_mode_use_refresh_and_unset(shell: Shell, signed: Any, tmp_path: Path) -> None:
    sh = shell
    # A role lifetime just above the cache's floor: the refresh is due 4 s after the
    # fetch; the refreshed credentials live an hour (no further refresh in this test).
    signed.configure(credential_ttl=124)
    out = sh.run("awsenv use --mode env dev")
    assert sh.status == 0, out
    signed.configure(credential_ttl=3600)
    first = sh.vars(*CREDS, "AWS_PROFILE", "AWS_REGION", "AWSENV_PROFILE", "AWSENV_EXPIRES")
    assert first["AWS_ACCESS_KEY_ID"] and first["AWS_SECRET_ACCESS_KEY"]
    assert first["AWS_SESSION_TOKEN"]
    assert ISO_Z.fullmatch(first["AWS_CREDENTIAL_EXPIRATION"] or "")
    assert first["AWS_PROFILE"] is None and first["AWS_REGION"] == "eu-west-1"
    assert first["AWSENV_PROFILE"] == "dev"
    expires = int(first["AWSENV_EXPIRES"] or 0)
    assert 100 < expires - time.time() <= 124
    exported = sh.exported()
    assert exported["AWS_ACCESS_KEY_ID"] == first["AWS_ACCESS_KEY_ID"]

    # Under 10 minutes left: the prompt segment warns.
    out = sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
    assert re.search(r"<dev ![12]m>", out), out

    calls = signed.counters().get("GetRoleCredentials", 0)
    wait_until(expires - 120 + 1)
    sh.run("")
    second = sh.vars(*CREDS, "AWSENV_EXPIRES")
    assert second["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
    assert int(second["AWSENV_EXPIRES"] or 0) > expires
    assert signed.counters().get("GetRoleCredentials", 0) == calls + 1
    assert not browser_ran(tmp_path)
    # Fresh again: prompts start no process.
    before = len(sh.execs())
    sh.run("")
    sh.run("")
    assert sh.execs()[before:] == []

    sh.run("awsenv use --unset")
    assert sh.vars(*CREDS, "AWSENV_PROFILE", "AWSENV_EXPIRES") == dict.fromkeys(
        (*CREDS, "AWSENV_PROFILE", "AWSENV_EXPIRES"))


@pytest.mark.parametrize("kind", ["fish"] if "fish" in KINDS else KINDS[:1])
def test_env_mode_session_ended_says_so_once(shell: Shell, signed: Any, work: Path,
                                             tmp_path: Path) -> None:
    sh = shell  # one shell is enough here: all three run the refresh test above
    signed.configure(credential_ttl=124)
    make_project(work, "proj", "profile = dev\nmode = env\n")
    sh.run("awsenv allow proj >/dev/null 2>&1; cd proj")
    # The hook fetches detached and waits briefly; on a loaded machine the
    # credentials may arrive a prompt later.
    deadline = time.time() + 30
    while not sh.var("AWS_ACCESS_KEY_ID") and time.time() < deadline:
        time.sleep(0.2)
    values = sh.vars("AWS_ACCESS_KEY_ID", "AWSENV_EXPIRES", "AWS_PROFILE")
    assert values["AWS_ACCESS_KEY_ID"] and values["AWS_PROFILE"] is None
    signed.revoke_all()
    wait_until(int(values["AWSENV_EXPIRES"] or 0) - 120 + 1)
    out = sh.run("")
    lines = [ln for ln in out.splitlines() if "awsenv:" in ln]
    assert len(lines) == 1 and "awsenv login" in lines[0], out
    assert "awsenv:" not in sh.run("")
    assert not browser_ran(tmp_path)


@pytest.mark.parametrize("kind", ["bash"])
def test_profile_mode_token_refreshed_in_background(kind: str, signed: Any, work: Path,
                                                    isolated_home: Path, tmp_path: Path) -> None:
    # one shell is enough for the detached refresh
    lead = identity.TOKEN_LEAD
    signed.configure(access_token_ttl=lead + 3)
    login(signed)
    sh = Shell(kind, isolated_home, work)
    try:
        refreshed = signed.counters().get("CreateToken:refresh_token", 0)
        sh.run("awsenv use native")
        # `use` (typed by the user) refreshed the token itself: inside the 15-minute window.
        assert signed.counters().get("CreateToken:refresh_token", 0) == refreshed + 1
        signed.configure(access_token_ttl=3600)  # the refreshed token lives an hour
        assert sh.var("AWS_PROFILE") == "native"
        expires = int(sh.var("AWSENV_EXPIRES") or 0)
        assert lead - 50 < expires - time.time() <= lead + 3
        refreshes = signed.counters().get("CreateToken", 0)
        # The renewal is due within seconds, and the prompt shows no warning: the hook
        # renews before the prompt's 10-minute "!", which so only means it failed.
        out = sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
        assert re.search(r"<native (1[0-2]m|59m|1h00m)>", out), out
        wait_until(expires - lead + 1)
        sh.run("")  # starts the detached refresh, answers at once
        deadline = time.time() + 30
        while time.time() < deadline:
            newer = int(sh.var("AWSENV_EXPIRES") or 0)
            if newer > expires:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the access token was not refreshed")
        assert signed.counters().get("CreateToken", 0) == refreshes + 1
        assert not browser_ran(tmp_path)
        out = sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
        assert re.search(r"<native (59m|1h00m)>", out), out
    finally:
        sh.close()



@pytest.mark.parametrize("kind", ["bash"])
def test_profile_mode_session_ended_says_so_once_and_keeps_the_expiry(
        kind: str, signed: Any, work: Path, isolated_home: Path, tmp_path: Path) -> None:
    """docs/prompt.md: once the renewal fails, the hook says so once and AWSENV_EXPIRES
    keeps the last token's expiry, so the prompt counts down to the real end."""
    lead = identity.TOKEN_LEAD
    signed.configure(access_token_ttl=lead + 3)
    login(signed)
    sh = Shell(kind, isolated_home, work)
    try:
        sh.run("awsenv use native")
        expires = int(sh.var("AWSENV_EXPIRES") or 0)
        assert expires > time.time()
        signed.revoke_all()
        wait_until(expires - lead + 1)
        said: list[str] = []
        deadline = time.time() + 30
        while not said and time.time() < deadline:
            # the first prompt starts the detached refresh; its result may land a prompt later
            said = [ln for ln in sh.run("").splitlines() if "awsenv:" in ln]
            time.sleep(0.2)
        assert len(said) == 1 and "awsenv login" in said[0], said
        assert "awsenv:" not in sh.run("")
        assert int(sh.var("AWSENV_EXPIRES") or 0) == expires
        assert sh.var("AWS_PROFILE") == "native"
        assert not browser_ran(tmp_path)
    finally:
        sh.close()

def test_prompt_segment_format(kind: str, plain_config: Path, work: Path,
                               isolated_home: Path) -> None:
    sh = Shell(kind, isolated_home, work)
    try:
        now = int(time.time())
        cases = [(now - 5, "x ✗"), (now + 300, r"x ![45]m"),
                 (now + 1500, r"x 2[45]m"), (now + 7300, r"x 2h0[01]m")]
        # nothing at all without an active profile
        assert "<>" in sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
        for expires, pattern in cases:
            if kind == "fish":
                sh.run(f"set -gx AWSENV_PROFILE x; set -gx AWSENV_EXPIRES {expires}")
            else:
                sh.run(f"export AWSENV_PROFILE=x AWSENV_EXPIRES={expires}")
            out = sh.run("printf '<'; awsenv_prompt; printf '>\\n'")
            assert re.search(f"<{pattern}>", out), (pattern, out)
    finally:
        sh.close()
