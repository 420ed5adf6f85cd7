"""Helpers shared by the shell-integration tests (a uniquely named module: every
test directory has a `conftest`, so tests must not import from that name). The
AWS config, browser and sign-in come from ``support.world``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.world import browser_ran, sign_in

__all__ = ["PLAIN_CONFIG", "browser_ran", "login", "make_project"]

# Plain profiles: switching without any sign-in.
PLAIN_CONFIG = """\
[profile dev]
region = eu-west-1

[profile ops]
region = us-east-2

[profile prod]
region = us-east-1

[profile noregion]
output = json
"""


def make_project(parent: Path, name: str, text: str) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    (d / ".awsenv").write_text(text)
    (d / ".awsenv").chmod(0o644)
    return d


def login(emu: Any) -> None:
    """Sign in to session corp of the config ``signed`` wrote (``emu`` is that fixture)."""
    sign_in()
