"""Exact quoter output for known cases (shells.md §5), refusals, and shape properties."""

from __future__ import annotations

import pytest
from _quote_values import byte_values, text_values
from hypothesis import given, settings

from awsenv.shells.quote import SHELLS, check_name, quote, valid_name


@pytest.mark.parametrize(("value", "expected"), [
    ("", "''"),
    ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("eu-west-1", "eu-west-1"),
    ("wJalr/K7MDENG+bPxRfiCY", "wJalr/K7MDENG+bPxRfiCY"),
    ("tok==", "$'tok=='"),
    ("a:=ls", "$'a:=ls'"),
    ("2026-11-22T05:00:00Z", "2026-11-22T05:00:00Z"),
    ("=ls", "$'=ls'"),
    ("escape'quote", "$'escape\\'quote'"),
    ("é", "$'\\xc3\\xa9'"),
    ("foo\r\n\tbar", "$'foo\\r\\n\\tbar'"),
    ("a b", "$'a b'"),
    ("$(x)`y`", "$'$(x)`y`'"),
    ("back\\slash", "$'back\\\\slash'"),
    ("\x01\x7f", "$'\\x01\\x7f'"),
    ("\udcff", "$'\\xff'"),
    ("~/x", "$'~/x'"),
])
def test_bash(value: str, expected: str) -> None:
    assert quote("bash", value) == expected
    assert quote("zsh", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("", "''"),
    ("abc", "'abc'"),
    ("it's", "'it\\'s'"),
    ("a\\b", "'a\\\\b'"),
    ("a\nb", "'a'\\n'b'"),
    ("\t", "\\t"),
    ("\x1b[0m", "\\x1b'[0m'"),
    ("é😀", "\\Xc3\\Xa9\\Xf0\\X9f\\X98\\X80"),
    ("\ufdd0", "\\Xef\\Xb7\\X90"),
    ("\udcff", "\\Xff"),
    ("$(x) (y) {a,b} *", "'$(x) (y) {a,b} *'"),
])
def test_fish(value: str, expected: str) -> None:
    assert quote("fish", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("", "''"),
    ("abc", "'abc'"),
    ("it's", "'it''s'"),
    ("John\u2019s", "'John\u2019\u2019s'"),
    ("\u2018\u201a\u201b", "'\u2018\u2018\u201a\u201a\u201b\u201b'"),
    ('"$env:X" `n $(x)', "'\"$env:X\" `n $(x)'"),
])
def test_pwsh(value: str, expected: str) -> None:
    assert quote("pwsh", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("", "''"),
    ("abc", "abc"),
    ("a b", "'a b'"),
    ("it's", "'it'\\''s'"),
    ("a\nb", "'a\nb'"),
])
def test_sh(value: str, expected: str) -> None:
    assert quote("sh", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("abc", '"abc"'),
    ("", '""'),
    ('say "hi"', '"say \\"hi\\""'),
    ("a\\n", '"a\\\\n"'),
    ("l1\nl2\r\tx", '"l1\\nl2\\r\\tx"'),
    ("# not a comment 'q'", "\"# not a comment 'q'\""),
    ("é😀", '"é😀"'),
])
def test_dotenv(value: str, expected: str) -> None:
    assert quote("dotenv", value) == expected


@pytest.mark.parametrize("value", ["${HOME}", "$HOME", "a$$b", "$"])
def test_dotenv_refuses_dollar(value: str) -> None:
    with pytest.raises(ValueError, match=r"'\$'"):
        quote("dotenv", value)


def test_cmd_passes_plain_values() -> None:
    for value in ("AKIAIOSFODNN7EXAMPLE", "wJalr/K7MDENG+bPxRfiCY==", "2026-11-22T05:00:00Z",
                  "C:\\Users\\me (x86)", "a=b c'd"):
        assert quote("cmd", value) == value


@pytest.mark.parametrize("value", [
    "%PATH%", "100%", "!x!", "a^b", "a&b", "a|b", "a<b", "a>b", 'a"b', "a\nb", "a\rb", "\t",
    "\x1b", "\x7f", "é", "\u2019", "",
])
def test_cmd_refuses_what_it_cannot_carry(value: str) -> None:
    with pytest.raises(ValueError, match="cmd"):
        quote("cmd", value)


@pytest.mark.parametrize("shell", SHELLS)
def test_nul_is_refused_everywhere(shell: str) -> None:
    with pytest.raises(ValueError, match="NUL"):
        quote(shell, "a\0b")


def test_unknown_shell_and_non_str() -> None:
    with pytest.raises(ValueError, match="unknown shell"):
        quote("tcsh", "x")
    with pytest.raises(TypeError):
        quote("bash", b"x")  # type: ignore[arg-type]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "pwsh", "dotenv", "sh"])
def test_lone_surrogate_without_byte_meaning_is_refused(shell: str) -> None:
    with pytest.raises(ValueError):
        quote(shell, "\ud800")


@pytest.mark.parametrize("shell", ["pwsh", "dotenv", "cmd"])
def test_text_formats_refuse_raw_bytes(shell: str) -> None:
    with pytest.raises(ValueError):
        quote(shell, "a\udcff")


def test_valid_name() -> None:
    for good in ("AWS_REGION", "_x", "a1"):
        assert valid_name(good) and check_name(good) == good
    for bad in ("", "1A", "A-B", "A B", "env:X", "A=B", "X;rm", "É", "A\n"):
        assert not valid_name(bad)
        with pytest.raises(ValueError):
            check_name(bad)


@settings(max_examples=300, deadline=None)
@given(value=byte_values)
def test_bash_and_fish_output_is_one_ascii_line(value: str) -> None:
    for shell in ("bash", "fish"):
        out = quote(shell, value)
        assert out.isascii() and out.isprintable(), (shell, out)


@settings(max_examples=300, deadline=None)
@given(value=text_values)
def test_pwsh_doubles_every_quote_character(value: str) -> None:
    out = quote("pwsh", value)
    body = out[1:-1]
    assert out[0] == out[-1] == "'"
    i = 0
    while i < len(body):  # every quote character comes in pairs
        if body[i] in "'\u2018\u2019\u201a\u201b":
            assert body[i + 1] == body[i]
            i += 2
        else:
            i += 1
