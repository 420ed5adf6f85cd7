"""Fixtures for shell-integration tests: AWS config, project trees, one emulator per module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _shellkit import PLAIN_CONFIG
from support.world import emulator_fixture, forbidden_browser, point_at, sso_config, write_config


@pytest.fixture
def plain_config(isolated_home: Path) -> Path:
    return write_config(PLAIN_CONFIG)


# One emulator per module (tests reset the knobs they change), device polling every 0.1 s.
emu = emulator_fixture(scope="module", device_interval=0.1)


@pytest.fixture
def signed(emu: Any, isolated_home: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Any:
    """Config (profiles dev and native) pointing at the module's emulator, whose
    lifetimes are reset, and the forbidden browser as BROWSER; the emulator itself.
    Not signed in yet: tests call ``_shellkit.login`` when their setup is ready."""
    emu.configure(credential_ttl=3600, access_token_ttl=8 * 3600)
    point_at(emu, monkeypatch)
    write_config(sso_config(emu.start_url, emu.region, profiles=("dev", "native")))
    monkeypatch.setenv("BROWSER", forbidden_browser(tmp_path))
    return emu
