"""Fixtures for shell-integration tests: AWS config, project trees, one emulator per module."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _shellkit import FORBIDDEN_BROWSER, PLAIN_CONFIG, sso_config


@pytest.fixture
def plain_config(isolated_home: Path) -> Path:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(PLAIN_CONFIG)
    return config


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A 0755 work directory for project trees (tmp_path's parents are private)."""
    d = tmp_path / "work"
    d.mkdir()
    d.chmod(0o755)
    return d


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    from awsenv.emulator import Directory, Emulator

    with Emulator(directory=Directory.default(), auto_approve=True) as server:
        server.configure(device_interval=0.1)
        yield server


@pytest.fixture
def signed(emu: Any, isolated_home: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Any:
    """Config pointing at the emulator and a sign-in to session corp (device code)."""
    emu.configure(credential_ttl=3600, access_token_ttl=8 * 3600)
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(sso_config(emu.start_url, emu.region))
    browser = tmp_path / "browser_forbidden.py"
    browser.write_text(FORBIDDEN_BROWSER)
    monkeypatch.setenv("BROWSER", f"{sys.executable} {browser}")
    return emu
