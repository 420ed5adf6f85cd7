"""No awsenv process imports code from the directory it runs in, nor from a project's PYTHONPATH.

A cloned repository can hold ``json.py``, ``hashlib.py``, ``sitecustomize.py`` or
an ``awsenv/`` package. The user only has to be in it (no ``.awsenv``, nothing
allowed) while the prompt hook starts a refresher, an SDK runs a
``credential_process`` line, or completion runs. Each path that starts an awsenv
process is driven here from such a directory, with PYTHONPATH pointing at it too
(as a project's direnv might set it), and the planted modules' log must show no
awsenv process. A positive control proves the plant does catch a non-isolated
interpreter, so the assertions can fail.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _interactive import Shell
from _shellkit import login
from support.hostile_cwd import awsenv_importers, importers, plant
from support.world import AWSENV

from awsenv import locations
from awsenv.environment import Environment
from awsenv.shells import identity, refresh

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """The planted directory (0755, like a clone) and the log of who imported from it."""
    log = tmp_path / "imported.log"
    repo = plant(tmp_path / "cloned-repo", log)
    for path in (tmp_path, repo):
        path.chmod(0o755)
    return repo, log


def test_the_plant_catches_a_non_isolated_interpreter(hostile: tuple[Path, Path]) -> None:
    """Control: `python -m awsenv` (what hooks and config lines used to hold) is caught."""
    repo, log = hostile
    subprocess.run([sys.executable, "-m", "awsenv", "--version"], cwd=repo, capture_output=True,
                   timeout=60, check=False)
    assert awsenv_importers(log), "the planted modules did not see a `-m` start in their cwd"


def test_the_baked_command_is_isolated_however_awsenv_was_started(
        hostile: tuple[Path, Path], tmp_path: Path) -> None:
    """`python -m awsenv init`/`sync` used to bake `python -m awsenv` into hooks and the config."""
    repo, log = hostile
    neutral = tmp_path / "neutral"
    neutral.mkdir()
    for start in ([sys.executable, "-m", "awsenv"], AWSENV):
        init = subprocess.run([*start, "init", "bash"], cwd=neutral, capture_output=True,
                              text=True, timeout=60, check=True).stdout
        baked = next(line for line in init.splitlines() if line.startswith("_AWSENV_CMD=("))
        words = shlex.split(baked[len("_AWSENV_CMD=("):-1])
        assert words == locations.awsenv_command()
        assert words[1] in ("-I", "-E") and "-m" not in words[:2], words
        done = subprocess.run([*words, "complete", "profiles"], cwd=repo, capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(repo)})
        assert done.returncode == 0, done.stderr
    assert awsenv_importers(log) == []


def test_the_launcher_runs_an_install_the_isolated_interpreter_cannot_see(
        hostile: tuple[Path, Path], tmp_path: Path) -> None:
    """A `pip install --user` or a checkout: awsenv's launcher finds its own package
    (appended after the standard library) while the cwd and PYTHONPATH stay out."""
    repo, log = hostile
    site = tmp_path / "user-site"
    shutil.copytree(Path(locations.__file__).parent, site / "awsenv",
                    ignore=shutil.ignore_patterns("__pycache__"))
    base = Path(sys.base_prefix) / "bin" / "python3"  # no venv: awsenv is not installed there
    launcher = site / "awsenv" / "launch.py"
    (tmp_path / ".aws").mkdir(exist_ok=True)
    done = subprocess.run([str(base), "-I", "-S", str(launcher), "complete", "profiles"], cwd=repo,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(repo)})
    assert done.returncode == 0, done.stderr
    assert importers(log) == []
    assert locations.awsenv_command()[1:] == ["-I", "-S", str(Path(locations.__file__).parent
                                                              / "launch.py")]


def imported(command: list[str], *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules the baked command imported running ``awsenv ARGS`` (``-X importtime``)."""
    done = subprocess.run([*command[:-1], "-X", "importtime", command[-1], *args],
                          capture_output=True, text=True, timeout=60)
    names = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:")}
    return names, done


def test_site_runs_only_when_something_beyond_the_stdlib_and_awsenv_is_imported(
        isolated_home: Path) -> None:
    """`-S` spares the hot paths `site` (its directories, `.pth` files, sitecustomize); the
    first import from elsewhere (click here) runs it first, so the full paths see every
    site directory, as a plain start does: in a checkout click is reachable only so."""
    command = locations.awsenv_command()
    assert command[1:3] == ["-I", "-S"]
    (isolated_home / ".aws").mkdir()
    (isolated_home / ".aws" / "config").write_text("[profile dev]\nregion = us-east-1\n")
    _, done = imported(command, "complete", "profiles")  # builds the profile index
    assert done.stdout.split() == ["dev"], done.stderr
    names, done = imported(command, "complete", "profiles")  # the fast path, from the index
    assert done.returncode == 0, done.stderr
    assert "site" not in names and "awsenv.cli.complete_fast" in names
    names, done = imported(command, "--version")
    assert done.returncode == 0 and "awsenv" in done.stdout, done.stderr
    assert {"site", "click"} <= names


def test_the_detached_refresher_starts_isolated(signed: Any, hostile: tuple[Path, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook's refresher used to be `python -m awsenv.shells.refresh` in the shell's cwd."""
    repo, log = hostile
    login(signed)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("PYTHONPATH", str(repo))
    env = Environment.from_os()
    calls = signed.counters().get("GetRoleCredentials", 0)
    result = refresh.wait(refresh.spawn(env, "dev", "env"), 60)
    assert result == {"ok": True}
    assert signed.counters().get("GetRoleCredentials", 0) == calls + 1
    assert importers(log) == []


def _wait_until(epoch: float) -> None:
    delay = epoch - time.time()
    if delay > 0:
        time.sleep(delay)


@pytest.mark.parametrize("kind", KINDS)
def test_hook_refreshes_and_credential_process_in_a_cloned_repository(
        kind: str, signed: Any, hostile: tuple[Path, Path], isolated_home: Path) -> None:
    """The whole day in a hostile directory: both refreshers the prompt starts, completion,
    and the AWS CLI running the `credential_process` line, in a real interactive shell."""
    repo, log = hostile
    lead = identity.TOKEN_LEAD
    signed.configure(credential_ttl=124, access_token_ttl=lead + 3)
    login(signed)
    setenv = (f"set -gx PYTHONPATH {shlex.quote(str(repo))}" if kind == "fish"
              else f"export PYTHONPATH={shlex.quote(str(repo))}")
    sh = Shell(kind, isolated_home, repo)
    try:
        sh.run(setenv)
        # Env mode: credentials due for renewal 4 s after the fetch; the prompt renews them.
        out = sh.run("awsenv use --mode env dev")
        assert sh.status == 0, out
        signed.configure(credential_ttl=3600)
        expires = int(sh.var("AWSENV_EXPIRES") or 0)
        first = sh.var("AWS_ACCESS_KEY_ID")
        _wait_until(expires - 120 + 1)
        deadline = time.time() + 60
        while sh.var("AWS_ACCESS_KEY_ID") == first and time.time() < deadline:
            time.sleep(0.2)
        assert sh.var("AWS_ACCESS_KEY_ID") != first, "env-mode credentials were not renewed"

        # Profile mode: the access token is renewed by the detached refresher.
        out = sh.run("awsenv use native")
        assert sh.status == 0, out
        signed.configure(access_token_ttl=3600)
        token_expires = int(sh.var("AWSENV_EXPIRES") or 0)
        _wait_until(token_expires - lead + 1)
        deadline = time.time() + 60
        while int(sh.var("AWSENV_EXPIRES") or 0) <= token_expires and time.time() < deadline:
            time.sleep(0.2)
        assert int(sh.var("AWSENV_EXPIRES") or 0) > token_expires, "token was not renewed"

        out = sh.run("awsenv complete profiles")
        assert "native" in out
        out = sh.run("aws sts get-caller-identity --profile dev --query Account --output text")
        assert "111111111111" in out, out
    finally:
        sh.close()
    assert awsenv_importers(log) == []
