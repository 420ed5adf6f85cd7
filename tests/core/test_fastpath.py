"""The fast-path dispatcher: a handler that cannot load hands over to the click path."""

from __future__ import annotations

import pytest

from awsenv.cli import fastpath


def test_a_handler_that_fails_to_import_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fastpath.FAST, "hook", "awsenv._no_such_module:handler")
    assert fastpath.try_fast(["hook", "--protocol", "1", "bash"]) is None


def test_unknown_commands_are_not_dispatched() -> None:
    assert fastpath.try_fast(["login"]) is None
    assert fastpath.try_fast([]) is None


def test_a_loaded_handler_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fastpath.FAST, "probe", "awsenv.creds.fast:parse_profile")
    assert fastpath.try_fast(["probe", "--profile", "dev"]) == "dev"
