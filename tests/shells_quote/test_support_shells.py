"""The shared real-shell helper (tests/support/shells.py) reports what it claims."""

from __future__ import annotations

import pytest
from support import shells

pytestmark = pytest.mark.shells

SET = {
    "bash": "export E=$'a\\nb\\xff'; L='x y'",
    "zsh": "export E=$'a\\nb\\xff'; L='x y'",
    "fish": "set -gx E a\\nb\\Xff; set -g L 'x y'",
    "sh": "E='a\nb'; export E; L='x y'",
}


@pytest.mark.parametrize("shell", list(shells.ARGV))
def test_set_unset_and_exported_are_told_apart(shell: str) -> None:
    res = shells.run_and_read(shell, SET[shell], ["E", "L", "NOPE"], env={"NOPE": None})
    e = b"a\nb" if shell == "sh" else b"a\nb\xff"
    assert res.vars == {"E": e, "L": b"x y", "NOPE": None}
    exported = shells.run_and_read(shell, SET[shell], ["E", "L"], exported=True)
    assert exported.vars == {"E": e, "L": None}
    assert res.text("E") == e.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("shell", list(shells.ARGV))
def test_stdout_is_kept_apart_and_env_overrides_apply(shell: str) -> None:
    res = shells.run_and_read(shell, "printf out; printf err >&2", ["GIVEN"], env={"GIVEN": "v"})
    assert (res.stdout, res.stderr, res.vars) == (b"out", b"err", {"GIVEN": b"v"})


def test_a_script_that_exits_early_is_an_error_not_a_silent_none() -> None:
    with pytest.raises(AssertionError, match="did not run the reader"):
        shells.run_and_read("bash", "exit 3", ["X"])
