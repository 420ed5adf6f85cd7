"""`awsenv complete profiles|sessions`: the names the completion scripts offer, fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from completion.conftest import PROFILES, SESSIONS
from support.loaded import run as loaded_by
from support.world import write_config

from awsenv.cli import complete_fast

HEAVY = ("boto3", "botocore", "keyring", "jinja2", "click")


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "awsenv", "complete", *args],
                          capture_output=True, check=False, timeout=60)


def test_profiles_one_per_line_in_file_order(names_config: Path) -> None:
    res = run("profiles")
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode("utf-8").split("\n") == [*PROFILES, ""]
    assert res.stderr == b""


def test_sessions(names_config: Path) -> None:
    res = run("sessions")
    assert (res.returncode, res.stdout) == (0, "".join(f"{s}\n" for s in SESSIONS).encode())


def test_names_that_would_break_a_line_are_left_out(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile ok]\n[profile bad\x01one]\n[profile del\x7f]\n"
                      "[profile ls\u2028x]\n[profile nel\x85x]\n[profile tab\tx]\n",
                      encoding="utf-8")
    assert complete_fast.names("profiles", str(config)) == ["ok"]


def test_missing_config_is_no_names(isolated_home: Path) -> None:
    res = run("profiles")
    assert (res.returncode, res.stdout, res.stderr) == (0, b"", b"")


@pytest.mark.parametrize("args", [(), ("accounts",), ("profiles", "extra")])
def test_usage_errors(args: tuple[str, ...]) -> None:
    res = run(*args)
    assert res.returncode == 2
    assert res.stdout == b""
    assert b"usage: awsenv complete profiles|sessions" in res.stderr


def test_imports_no_heavy_library(names_config: Path) -> None:
    """Every TAB runs this: -X importtime logs each module the process imported."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "awsenv", "complete",
                          "profiles"], capture_output=True, text=True, check=False, timeout=60)
    assert res.returncode == 0
    assert res.stdout.split("\n")[:2] == PROFILES[:2]
    imported = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines()
                if line.startswith("import time:")}
    assert "awsenv.awsconfig.names" in imported  # the log covers the handler's imports
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []


def test_no_heavy_module_in_sys_modules(names_config: Path) -> None:
    """The same through sys.modules (importlib.import_module is not in importtime's log)."""
    code = ("import sys; from awsenv.cli import main; rc = main(['complete', 'sessions']); "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}), "
            "'awsenv.cli.complete_fast' in sys.modules, rc, file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False, timeout=60)
    assert res.stdout == "corp\ncorp two\n"
    assert res.stderr == "[] True 0\n"


# Exactly what a TAB loads beyond the interpreter's own start once the profile-facts
# index is fresh (the first TAB after an edit rebuilds it): the index reader and its
# string helpers, the C JSON codec and the builtin SHA-256. Not unicodedata (only for a
# name isprintable() cannot clear), not the credential record, nor SHA-1.
TAB = {"awsenv", "awsenv.cli", "awsenv.cli.fastpath", "awsenv.cli.complete_fast",
       "awsenv.shells", "awsenv.shells.profileindex", "awsenv.locations", "awsenv.fastjson",
       "awsenv.digest"}
TAB_STDLIB = {"__future__", "_json", "_sha2", "_sha256"}


@pytest.mark.parametrize("kind", ["profiles", "sessions"])
def test_a_tab_loads_exactly_the_lean_modules(isolated_home: Path, kind: str) -> None:
    write_config("[profile dev]\nregion = eu-west-1\n\n[profile ops]\n\n"
                 "[sso-session corp]\nsso_region = eu-west-1\n")
    for _ in range(2):  # the first call writes the index; the second is every later TAB
        out, loaded, rc = loaded_by(["complete", kind])
    assert (rc, out) == (0, b"dev\nops\n" if kind == "profiles" else b"corp\n")
    awsenv = {m for m in loaded if m.split(".")[0] == "awsenv"}
    assert awsenv == TAB, (sorted(awsenv - TAB), sorted(TAB - awsenv))
    assert loaded - awsenv <= TAB_STDLIB, sorted(loaded - awsenv - TAB_STDLIB)
