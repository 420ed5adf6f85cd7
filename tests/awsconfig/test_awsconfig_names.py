"""names.py (stdlib line scan) agrees with botocore's loader, and stays light."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _awsconfig_text import config_text
from hypothesis import HealthCheck, given, settings

from awsenv.awsconfig import names, read
from awsenv.environment import Environment
from awsenv.errors import ConfigError

TRICKY = (
    "# leading comment\r\n"
    "[DEFAULT]\r\n"
    "region = eu-west-1\r\n"
    "[default]\r\n"
    "output = json\r\n"
    "[profile dev]  \r\n"
    "output = text\r\n"
    "    [profile fake-continuation]\r\n"
    "  [profile indented]\r\n"
    "x = 1\r\n"
    '[profile "quoted name"]\r\n'
    "[profile a b]\r\n"
    "[profilecrash real]\r\n"
    "[profile x] ; not a comment for configparser\r\n"
    "[sso-session  corp]\r\n"
    "sso_start_url = https://corp.awsapps.com/start\r\n"
    "sso_region = us-east-1\r\n"
    "[sso-session \"q s\"]\r\n"
    "[services svc]\r\n"
    "sso =\r\n"
    "  endpoint_url = http://127.0.0.1:1\r\n"
    "[profile ünï]\r\n"
    "; [profile commented]\r\n"
    "#[profile commented2]\r\n"
    "[profile default]\r\n"
    "[profile last]"
)


def _write(data: str) -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_bytes(data.encode("utf-8"))
    return path


def test_tricky_file_agrees_with_botocore() -> None:
    path = _write(TRICKY)
    cfg = read.load(Environment())
    assert names.profile_names(path) == cfg.names
    assert names.session_names(path) == list(cfg.raw_sessions)
    # Spot-check what that means, so an agreeing bug on both sides is visible:
    # indented headers under a key are continuation lines, "[x] ; ..." is a header.
    assert cfg.names == ["default", "dev", "quoted name", "real", "x", "ünï", "last"]
    assert list(cfg.raw_sessions) == ["corp", "q s"]


def test_lone_cr_line_endings() -> None:
    path = _write("[profile a]\rx = 1\r[profile b]\r")
    assert names.profile_names(path) == read.load(Environment()).names == ["a", "b"]


def test_missing_or_unreadable_is_empty() -> None:
    missing = Path(os.environ["AWS_CONFIG_FILE"])
    assert names.profile_names(missing) == [] and names.session_names(missing) == []
    assert names.profile_names(missing.parent) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_text())
def test_property_names_agree_with_botocore(text: str) -> None:
    path = _write(text)
    try:
        cfg = read.load(Environment())
    except ConfigError:
        # botocore refuses it; names.py must still answer without raising.
        names.profile_names(path)
        return
    assert names.profile_names(path) == cfg.names
    assert names.session_names(path) == list(cfg.raw_sessions)


def test_names_imports_no_configparser_or_botocore(tmp_path: Path) -> None:
    path = _write(TRICKY)
    code = (
        "import sys\n"
        "from awsenv.awsconfig import names\n"
        f"print(names.profile_names({str(path)!r}))\n"
        "heavy = [m for m in ('botocore', 'boto3', 'configparser', 'click', 'jinja2', 'keyring')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "quoted name" in out.stdout
