"""A config with ordinary and hostile profile/session names, and the venv's awsenv on PATH.

The completion scripts call `awsenv complete …` by name, as they do for users,
so PATH starts with this checkout's virtual environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPLETIONS = REPO / "completions"
VENV_BIN = str(Path(sys.executable).parent)

# Names a shell must treat as data: expansions, quotes, separators, globs, non-ASCII.
HOSTILE = ["h$(touch${IFS}PWNED)", "q`touch${IFS}PWNED`", "semi;touch PWNED", "it's", "star*",
           "名前"]
CONFIG = """\
[default]
region = us-east-1

[profile dev]
region = eu-west-1

[profile prod]

[profile "dev ops"]

[profile h$(touch${IFS}PWNED)]

[profile q`touch${IFS}PWNED`]

[profile "semi;touch PWNED"]

[profile "it's"]

[profile star*]

[profile 名前]

[profile ctl\x01name]

[profile "two words" extra]

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[sso-session "corp two"]
sso_start_url = https://two.awsapps.com/start
sso_region = eu-west-1
"""
PROFILES = ["default", "dev", "prod", "dev ops", *HOSTILE]
SESSIONS = ["corp", "corp two"]


@pytest.fixture
def names_config(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = isolated_home / ".aws" / "config"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("PATH", VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
    return path
