"""``printable`` (no ``re``, `use`'s fast path prints through it) shows every control as \\xHH."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from awsenv.errors import printable as reexported
from awsenv.textsafe import printable

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def reference(text: str) -> str:
    return CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@given(st.text(st.characters(max_codepoint=0x2FF)))
def test_matches_the_regex_definition(text: str) -> None:
    assert printable(text) == reference(text)


def test_every_control_and_nothing_else() -> None:
    for code in range(0x300):
        c = chr(code)
        assert printable(c) == reference(c), hex(code)
    assert printable("dev\x1b]0;owned\x07 ok é") == "dev\\x1b]0;owned\\x07 ok é"
    assert reexported is printable
