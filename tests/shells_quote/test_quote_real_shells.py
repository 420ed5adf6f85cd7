"""Every quoter's output, evaluated by the real shell, gives back the exact bytes.

Each example is a batch of values run in ONE shell process, used both as an
assignment and as a command argument; nothing may execute (canary file).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from _quote_values import CANARY, as_bytes, batches
from hypothesis import HealthCheck, example, given, settings
from support import shells

from awsenv.shells.quote import quote

pytestmark = pytest.mark.shells

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# (shell that runs it, quoter used)
CASES = [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish"), ("sh", "sh"), ("bash", "sh")]


def _script(shell: str, quoted: list[str]) -> str:
    lines = []
    for i, q in enumerate(quoted):
        lines.append(f"set -g V{i} {q}" if shell == "fish" else f"V{i}={q}")
    lines.append("printf '%s\\0' " + " ".join(quoted))
    return "\n".join(lines)


@pytest.mark.parametrize(("shell", "quoter"), CASES)
@SETTINGS
@given(values=batches)
@example(values=["a:=ls", "x==ls", "=ls", "tok==", "a=b", "~", "a:~", "-n", "--"])
def test_round_trip_through_real_shell(shell: str, quoter: str, values: list[str]) -> None:
    quoted = [quote(quoter, v) for v in values]
    names = [f"V{i}" for i in range(len(values))]
    with tempfile.TemporaryDirectory() as cwd:
        res = shells.run_and_read(shell, _script(shell, quoted), names, cwd=cwd)
        assert not (Path(cwd) / CANARY).exists(), "a quoted value executed a command"
    assert res.returncode == 0, res.stderr
    assert res.stderr == b""
    expected = [as_bytes(v) for v in values]
    assert [res.vars[n] for n in names] == expected  # as an assignment
    assert res.stdout.split(b"\0")[:-1] == expected  # as command arguments


@SETTINGS
@given(values=batches)
@example(values=["a:=ls", "x==ls", "=ls", "tok==", "a=b", "~", "a:~"])
def test_zsh_with_options_that_expand_more(values: list[str]) -> None:
    """Interactive zsh users set these: `=cmd` expands after `=`/`:` in `k=v` words."""
    quoted = [quote("zsh", v) for v in values]
    script = ("setopt magic_equal_subst extended_glob rc_quotes glob_subst sh_word_split\n"
              + "\n".join(f"export V{i}={q}" for i, q in enumerate(quoted))
              + "\nprintf '%s\\0' " + " ".join(f"k={q}" for q in quoted))
    names = [f"V{i}" for i in range(len(values))]
    with tempfile.TemporaryDirectory() as cwd:
        res = shells.run_and_read("zsh", script, names, cwd=cwd, exported=True)
        assert not (Path(cwd) / CANARY).exists()
    assert res.stderr == b""
    assert [res.vars[n] for n in names] == [as_bytes(v) for v in values]
    assert res.stdout.split(b"\0")[:-1] == [b"k=" + as_bytes(v) for v in values]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_bash_quote_survives_eval_of_command_substitution(shell: str) -> None:
    # `eval "$(…)"` is how the output is consumed: a second round of parsing.
    value = "a b\n$(touch pwned)`touch pwned`\\'\"\r\t\x01é😀\udcff"
    with tempfile.TemporaryDirectory() as cwd:
        script = f"eval \"$(printf '%s\\n' {quote('bash', 'export V=' + quote('bash', value))})\""
        res = shells.run_and_read(shell, script, ["V"], exported=True, cwd=cwd)
        assert not (Path(cwd) / CANARY).exists()
    assert res.vars["V"] == as_bytes(value)


def test_fish_holds_characters_not_bytes() -> None:
    value = "é😀日本’"
    script = (f"set V {quote('fish', value)}; string length -- $V; "
              f"test $V = '{value}'; and echo same")
    res = shells.run("fish", script)
    assert res.stdout == b"5\nsame\n", res.stderr
