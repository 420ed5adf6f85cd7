"""Fixtures for the emulator suite: a private emulator and clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emu_helpers import client

from awsenv.emulator import Directory, Emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A private emulator (not auto-approving, 1 s interval) for flow tests."""
    with Emulator(directory=Directory.default(), device_interval=1) as e:
        yield e


@pytest.fixture
def oidc(emu: Emulator) -> Any:
    return client(emu, "sso-oidc")


@pytest.fixture
def portal(emu: Emulator) -> Any:
    return client(emu, "sso")


@pytest.fixture
def token(emu: Emulator) -> str:
    return emu.sign_in()["accessToken"]
