"""Secrets stay in the keyring: never in files, output or --debug logs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from awsenv.auth import secrets


def _files_containing(roots: list[Path], needles: list[str], skip: set[Path]) -> list[str]:
    """Files under ``roots`` (this test's own directories) holding any of ``needles``."""
    hits = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                if path in skip:
                    continue
                try:
                    info = path.lstat()
                    # Regular files only: opening a FIFO (shell tests make them) blocks.
                    if not stat.S_ISREG(info.st_mode):
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                hits += [f"{path}" for n in needles if n.encode() in data]
    return hits


def test_no_secret_in_any_file_or_output(signin, browsers, isolated_home, tmp_path,
                                         monkeypatch) -> None:
    # awsenv's temporary files land in a TMPDIR of this test's own: the check below
    # reads what this run wrote, never the machine's shared temp dir (another
    # program's tree there is none of this test's business, and a deep one broke it).
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    signin.emu.configure(access_token_ttl=600)
    outputs = []
    login = signin.cli("--debug", "login", browser=browsers.follow)
    assert login.returncode == 0, login.stderr
    first = secrets.load("corp")
    signin.emu.configure(access_token_ttl=3600)
    status = signin.cli("--debug", "status", "--json", browser=browsers.forbidden)
    assert status.returncode == 0, status.stderr
    second = secrets.load("corp")
    assert first and second and first.refresh_token != second.refresh_token
    needles = [first.refresh_token, second.refresh_token, first.client_secret]
    skip = {Path(os.environ["AWSENV_TEST_KEYRING_FILE"])}  # the stand-in OS keyring
    roots = [isolated_home.parent, tmp_path]
    assert _files_containing(roots, needles, skip) == []
    logout = signin.cli("--debug", "logout", "--all")
    assert logout.returncode == 0, logout.stderr
    outputs += [login.stdout, login.stderr, status.stdout, status.stderr,
                logout.stdout, logout.stderr]
    assert _files_containing(roots, needles, skip) == []
    # Anything awsenv wrote as a temporary file, too (TMPDIR above).
    assert _files_containing([tmpdir], needles, skip) == []
    assert not any(n in out for n in needles for out in outputs)
    assert "awsenv[debug]" in status.stderr  # debug logging was really on


_READ_BACK = """
import keyring
primary = keyring.get_password("awsenv:corp", "session")
print("chunked" if primary.startswith("awsenv:v1:chunked:") else "single")
print(keyring.get_password("awsenv:corp:0", "session") is not None)
"""


@pytest.mark.keyring
def test_login_stores_secrets_in_the_secret_service(signin, isolated_home) -> None:
    signin.emu.configure(access_token_ttl=600)
    result = signin.cli("login", "--no-browser")
    assert result.returncode == 0, result.stderr
    back = subprocess.run([sys.executable, "-c", _READ_BACK], capture_output=True, text=True,
                          timeout=60, check=False)
    assert back.returncode == 0, back.stderr
    # The emulator's client secret is ~1,200 characters: stored in pieces.
    assert back.stdout.split() == ["chunked", "True"]
    # What the Secret Service holds is the live refresh token: a refresh works.
    signin.emu.configure(access_token_ttl=3600)
    assert signin.cli("status", "--session", "corp").returncode == 0
    assert signin.emu.counters().get("CreateToken:refresh_token") == 1
    stored = secrets.load("corp")
    assert stored and stored.refresh_token
    assert _files_containing([isolated_home.parent], [stored.refresh_token,
                                                      stored.client_secret], set()) == []
    assert signin.cli("logout").returncode == 0
    gone = subprocess.run([sys.executable, "-c",
                           "import keyring; print(keyring.get_password('awsenv:corp', "
                           "'session'))"], capture_output=True, text=True, timeout=60)
    assert gone.stdout.strip() == "None"
