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


INVISIBLE = (0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
             *range(0x2066, 0x206A), 0xFEFF)


def test_bidi_and_zero_width_characters_are_shown() -> None:
    """A name from a config, the service or a directory cannot pass for another:
    "prod" + RIGHT-TO-LEFT OVERRIDE + "ved" shows as "proddev" in a terminal."""
    assert printable("prod\u202eved") == "prod\\u202eved"
    for code in INVISIBLE:
        assert printable(f"a{chr(code)}b") == f"a\\u{code:04x}b", hex(code)
    # Visible text around them, in any script, stays as it is.
    assert printable("é ß 東京 עברית") == "é ß 東京 עברית"
