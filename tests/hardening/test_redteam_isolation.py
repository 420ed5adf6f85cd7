"""Red-team attacks on "no code from the current directory" (issue #13, after cfd8e89/27b99e2).

awsenv's children start isolated (``python -I``), but the keyring library reads
its own configuration from ``XDG_CONFIG_HOME`` and puts its ``keyring-path``
first on ``sys.path``, then imports the backend it names: a relative value of
either made the current directory an import root again, in the very process
(a ``credential_process`` run by the AWS CLI in a cloned repository) that holds
the refresh token. Each test failed on the code before its fix.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from _hardkit import one_clear_line
from support.world import AWSENV, World

SPY = """\
import os as _o
with open({log!r}, "a") as _f:
    _f.write("imported in " + _o.getcwd() + "\\n")
from keyring.backends.fail import Keyring as K
"""


def _clone(tmp_path: Path, *, keyringrc_in_repo: bool) -> tuple[Path, Path]:
    """A cloned repository with a keyring backend module of its own (and, when asked,
    the keyring config naming it in ``.config/python_keyring``); the spy's log."""
    log = tmp_path / "spy.log"
    repo = tmp_path / "cloned-repo"
    repo.mkdir()
    (repo / "evilkr.py").write_text(SPY.format(log=str(log)))
    if keyringrc_in_repo:
        cfg = repo / ".config" / "python_keyring"
        cfg.mkdir(parents=True)
        (cfg / "keyringrc.cfg").write_text(
            "[backend]\ndefault-keyring = evilkr.K\nkeyring-path = .\n")
    return repo, log


def _credential_process(world: World, repo: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """What the AWS CLI runs for profile dev, in the repository, with the token due for
    renewal (so the refresh token must come from the keyring)."""
    world.age_token(0)
    return subprocess.run([*AWSENV, "credential-process", "--profile", "dev"], cwd=repo,
                          env=world.environ(extra), capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_relative_xdg_config_home_is_no_keyring_config_in_the_cwd(world: World,
                                                                  tmp_path: Path) -> None:
    """XDG_CONFIG_HOME=.config made keyring read ./.config/python_keyring/keyringrc.cfg,
    put `.` first on sys.path and import the repository's backend module (awsenv itself
    already ignored the relative value, as the XDG spec says)."""
    repo, log = _clone(tmp_path, keyringrc_in_repo=True)
    done = _credential_process(world, repo, XDG_CONFIG_HOME=".config")
    assert not log.exists(), log.read_text()
    assert done.returncode == 0, done.stderr
    assert '"AccessKeyId"' in done.stdout


def test_relative_keyring_path_is_refused(world: World, tmp_path: Path,
                                          isolated_home: Path) -> None:
    """The user's own keyringrc.cfg with a relative keyring-path imported from whatever
    directory awsenv ran in; now one line naming the setting, and nothing imported."""
    repo, log = _clone(tmp_path, keyringrc_in_repo=False)
    rc = isolated_home / ".config" / "python_keyring" / "keyringrc.cfg"
    rc.write_text("[backend]\ndefault-keyring = evilkr.K\nkeyring-path = .\n")
    done = _credential_process(world, repo)
    assert not log.exists(), log.read_text()
    assert done.returncode != 0
    line = one_clear_line(done.stderr)
    assert "keyring-path" in line and "relative" in line, line
