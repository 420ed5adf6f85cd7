"""Red-team attacks on the `.awsenv` trust binding (issue #13, after commit 85d3399).

Each test stages one attack for real (real files, real interactive shells) and
failed on the code before its fix.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _hardkit import valid_token_file
from support.world import write_config

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "shell"))
from _interactive import Shell  # noqa: E402

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]

CONFIG = """\
[profile dev]
region = eu-west-1
credential_process = /opt/awsenv/bin/awsenv credential-process --profile dev
awsenv_session = corp
awsenv_account_id = 111111111111
awsenv_role_name = Developer

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
"""


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = write_config(CONFIG)
    valid_token_file(isolated_home)  # profile mode switches without a warning
    return path


def make(parent: Path, name: str, text: str) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    f = d / ".awsenv"
    f.write_text(text)
    f.chmod(0o644)
    return f


def awsenv_lines(out: str) -> list[str]:
    """The awsenv messages in a stretch of terminal output (the typed command excluded)."""
    return [ln.strip() for ln in out.replace("\r", "").split("\n") if "awsenv: " in ln]


@pytest.fixture(params=KINDS)
def sh(request: pytest.FixtureRequest, config: Path, work: Path,
       isolated_home: Path) -> Iterator[Shell]:
    shell = Shell(str(request.param), isolated_home, work)
    yield shell
    shell.close()


def _export(sh: Shell, name: str, value: str) -> str:
    return sh.run(f"set -gx {name} {value}" if sh.kind == "fish" else f"export {name}={value}")


@pytest.mark.shells
def test_another_aws_config_file_is_not_replayed_into_an_allowed_tree(
        sh: Shell, config: Path, work: Path) -> None:
    """The shell's replay memo of "entering proj sets AWS_PROFILE=dev" was keyed on the
    managed variables only: after `export AWS_CONFIG_FILE=<another config>`, where `dev`
    is another account, re-entering the tree replayed the old answer without asking
    (the allow was made while dev was 111111111111, now it is 999999999999)."""
    other = config.with_name("client-b.config")
    other.write_text(CONFIG.replace("111111111111", "999999999999"))
    make(work, "proj", "dev\n")
    sh.run("cd proj")
    sh.run("awsenv allow")
    assert sh.var("AWS_PROFILE") == "dev"
    for _ in range(2):  # every transition in and out has been answered once: memos exist
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") is None
        sh.run("cd proj")
        assert sh.var("AWS_PROFILE") == "dev"
    sh.run("cd ..")
    _export(sh, "AWS_CONFIG_FILE", str(other))
    out = sh.run("cd proj")
    assert sh.var("AWS_PROFILE") is None, out
    lines = [ln for ln in awsenv_lines(out) if "asks for" in ln]
    assert len(lines) == 1 and "999999999999" in lines[0], out


def _relink(link: Path, target: Path) -> None:
    tmp = link.with_name(".relink")
    tmp.symlink_to(target)
    tmp.replace(link)


@pytest.mark.shells
@pytest.mark.parametrize("where", ["inside", "re-entering"])
def test_a_directory_link_re_pointed_at_an_older_tree_asks_again(
        sh: Shell, work: Path, where: str) -> None:
    """`repo/sub -> infra` allowed at repo/sub/.awsenv; `sub` re-pointed (a `git pull`, a
    script) at another tree whose `.awsenv` is older than the shell's last answer. Only a
    link *named* `.awsenv` had its directory watched, so the shell kept (or replayed, on
    re-entering) the old identity for a file it never checked: the target binding's "a
    link pointed somewhere else asks again" did not hold for a link above the file."""
    make(work, "infra", "dev\n")
    other = make(work, "other", "dev\nregion = us-east-1\n")
    repo = work / "repo"
    repo.mkdir()
    (repo / "sub").symlink_to(work / "infra")
    sh.run("cd repo/sub")
    sh.run("awsenv allow")
    assert sh.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "dev",
                                                    "AWS_REGION": "eu-west-1"}
    for _ in range(2):  # every transition in and out answered once: memos exist
        sh.run("cd ..")
        assert sh.var("AWS_PROFILE") is None
        sh.run("cd sub")
        assert sh.var("AWS_PROFILE") == "dev"
    if where == "re-entering":
        sh.run("cd ..")
    # The other tree's file is older than anything the shell has seen.
    os.utime(other, (1_000_000_000, 1_000_000_000))
    _relink(repo / "sub", work / "other")
    out = sh.run("cd sub" if where == "re-entering" else "")
    assert sh.var("AWS_PROFILE") is None, out
    lines = [ln for ln in awsenv_lines(out) if "asks for" in ln]
    assert len(lines) == 1 and "us-east-1" in lines[0], out
