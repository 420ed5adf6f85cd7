"""Take me to this account, in real bash, zsh and fish (issue #14).

`awsenv use` takes an account id (or name, ACCOUNT/ROLE, ARN) where a profile
name goes; and a `.awsenv` a team commits names the account and role, which
every laptop resolves to its own profile, whatever `awsenv sync --name` called
it there. Profiles and the kept listing come from a real `awsenv sync` against
the emulator.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import login, make_project
from support.world import AWSENV, sso_config, write_config

from awsenv.emulator.directory import Account, Directory
from awsenv.errors import ExitCode

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]
DIRECTORY = Directory([
    Account("111111111111", "Payments Dev", "dev@example.com",
            ("AdministratorAccess", "Developer")),
    Account("222222222222", "Payments Prod", "prod@example.com", ("ReadOnlyAccess",)),
])
TEAM_FILE = "# committed by the team\naccount = 111111111111\nrole = Developer\n"
# The two naming templates and what each calls 111111111111/Developer.
TEMPLATES = {"{account_name}-{role_name}": "payments-dev-developer",
             "{account_id}-{role_name}": "111111111111-developer"}


def awsenv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AWSENV, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def synced(emu: Any, template: str | None = None) -> None:
    """Only the sso-session in the config, signed in, then `awsenv sync [--name T]`."""
    emu.directory = DIRECTORY
    write_config(sso_config(emu.start_url, emu.region, profiles=()))
    login(emu)
    r = awsenv("sync", *(["--name", template] if template else []))
    assert r.returncode == 0, r.stderr


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def shell(kind: str, signed: Any, work: Path, isolated_home: Path) -> Iterator[Shell]:
    synced(signed)
    sh = Shell(kind, isolated_home, work)
    yield sh
    sh.close()


def awsenv_lines(out: str) -> list[str]:
    return [ln[ln.index("awsenv: "):].strip() for ln in out.splitlines() if "awsenv: " in ln]


def test_use_an_account_id(shell: Shell) -> None:
    out = shell.run("awsenv use 222222222222")
    assert shell.status == 0, out
    assert shell.var("AWS_PROFILE") == "payments-prod-readonlyaccess"
    assert "awsenv: payments-prod-readonlyaccess [PROD] (222222222222/ReadOnlyAccess" in out, out
    # An account with two roles: one line naming both, nothing changes.
    out = shell.run("awsenv use 111111111111")
    assert shell.status == ExitCode.USAGE, out
    assert awsenv_lines(out) == [
        "awsenv: 111111111111 matches several profiles: payments-dev-administratoraccess "
        "(AdministratorAccess), payments-dev-developer (Developer); pass one of those profile "
        "names (or ACCOUNT/ROLE)"], out
    assert shell.var("AWS_PROFILE") == "payments-prod-readonlyaccess"
    out = shell.run("awsenv use 111111111111/Developer")
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "payments-dev-developer", out
    # By the name the portal lists.
    out = shell.run("awsenv use 'Payments Prod'")
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "payments-prod-readonlyaccess", out
    out = shell.run("awsenv use --mode env 333333333333")
    assert shell.status == ExitCode.CONFIG, out
    (line,) = awsenv_lines(out)
    assert line.startswith("awsenv: no profile for account 333333333333 (searched the "
                           "profiles in ~/.aws/config)"), out
    assert shell.var("AWS_PROFILE") == "payments-prod-readonlyaccess"
    # env mode, by ARN: the credentials of the profile found.
    out = shell.run("awsenv use --mode env arn:aws:iam::111111111111:role/aws-reserved/"
                    "sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef")
    assert shell.status == 0, out
    assert shell.var("AWSENV_PROFILE") == "payments-dev-administratoraccess"
    assert shell.var("AWS_ACCESS_KEY_ID") and shell.var("AWS_PROFILE") is None


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_a_team_awsenv_finds_each_laptops_profile(kind: str, template: str, signed: Any,
                                                   work: Path, isolated_home: Path) -> None:
    synced(signed, template)
    mine = TEMPLATES[template]
    tree = make_project(work, "repo", TEAM_FILE)
    r = awsenv("allow", str(tree))
    assert r.returncode == 0, r.stderr
    assert "asks:    role Developer in account 111111111111" in r.stderr, r.stderr
    assert f"profile: {mine}   (your profile for it)" in r.stderr, r.stderr
    sh = Shell(kind, isolated_home, work)
    try:
        out = sh.run("cd repo")
        assert sh.status == 0, out
        assert f"awsenv: {mine} (111111111111/Developer" in out, out
        assert sh.var("AWS_PROFILE") == mine and sh.var("AWSENV_PROFILE") == mine
        # Another profile answers the file now (renamed here): it asks again.
        config = Path(signed_config())
        config.write_text(config.read_text().replace(f"[profile {mine}]",
                                                     "[profile my-dev]"))
        out = sh.run("true")
        assert sh.var("AWS_PROFILE") is None, out
        assert (f"but it resolved to profile {mine} (111111111111/Developer in session corp) "
                "when you allowed it; run `awsenv allow") in out, out
        assert awsenv("allow", str(tree)).returncode == 0
        out = sh.run("true")
        assert sh.var("AWS_PROFILE") == "my-dev", out
    finally:
        sh.close()


def signed_config() -> str:
    import os

    return os.environ["AWS_CONFIG_FILE"]


def test_completion_offers_account_ids_and_names(signed: Any, work: Path,
                                                 isolated_home: Path) -> None:
    """`awsenv complete targets` (what use/exec/export/console complete from): the profiles,
    then the account ids they reach and those accounts' listed names; in a real bash, TAB
    completes an account id and a name with a space, and the switch follows."""
    synced(signed)
    r = awsenv("complete", "targets")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "payments-dev-administratoraccess", "payments-dev-developer",
        "payments-prod-readonlyaccess", "111111111111", "222222222222", "Payments Dev",
        "Payments Prod"]
    assert awsenv("complete", "profiles").stdout.splitlines() == r.stdout.splitlines()[:3]
    sh = Shell("bash", isolated_home, work, after_rc='eval "$(awsenv completion bash)"\n')
    try:
        sh.child.send("awsenv use 2222\t")
        sh.child.expect("222222222222")
        sh.child.send("\r")
        sh._wait()
        assert sh.status == 0 and sh.var("AWS_PROFILE") == "payments-prod-readonlyaccess"
        sh.child.send("awsenv use Payments\\ P\t")
        sh.child.expect(r"Payments\\ Prod")
        sh.child.send("\r")
        sh._wait()
        assert sh.status == 0 and sh.var("AWS_PROFILE") == "payments-prod-readonlyaccess"
    finally:
        sh.close()
