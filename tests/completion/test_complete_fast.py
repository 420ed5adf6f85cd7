"""`awsenv complete profiles|sessions`: the names the completion scripts offer, fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from completion.conftest import PROFILES, SESSIONS

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
