"""Hypothesis strategies for hostile values, shared by the quoting tests.

Every injection fragment touches ``pwned`` in the shell's working directory,
so a test proves nothing executed by checking that file does not exist.
"""

from __future__ import annotations

from hypothesis import strategies as st

CANARY = "pwned"

FRAGMENTS = [
    "'", '"', "\\", "\\\\", "$", "`", "$(touch pwned)", "`touch pwned`", "(touch pwned)",
    "; touch pwned", "&& touch pwned", "| touch pwned", "\ntouch pwned\n", "'; touch pwned; '",
    '"; touch pwned; "', "'\\''; touch pwned; '", "${HOME}", "$HOME", "$(", "~", "~root", "*",
    "?", "[a]", "{a,b}", "!", "!!", "#", "%", "^", "&", "<", ">", "=", "=ls", ":=ls", "==ls", "a=",
    "-n", "--", " ",
    "  ", "\t", "\n", "\r", "\r\n", "\x01", "\x1b[31m", "\x7f", "\u0085", "\u00a0", "\u2028",
    "é", "ß", "日本", "😀", "\U0010fffd", "\u2018", "\u2019", "\u201a", "\u201b", "’s", "\ufeff",
    "\ufdd0", "\ufdef", "\uf600", "\uf6ff", "\ufffe", "\uffff", "\ue000",
    "\\x41", "\\n", "\\u0041", "\\X41", "\\'", "$'x'", "%PATH%", "!PATH!", "@", ":", "+/=",
]

_chars = st.characters(exclude_characters="\0", exclude_categories=("Cs",))
# Near-bare words: where "safe without quotes" decisions go wrong (zsh `=cmd`, `~`).
_near_bare = st.text("aZ09_./,@:+-=~%", max_size=8)

# Text that can come from a file or the service (no NUL, no lone surrogates).
text_values = st.one_of(_near_bare, st.lists(
    st.one_of(st.text(_chars, max_size=6), st.sampled_from(FRAGMENTS)), max_size=10
).map("".join))

# Plus raw non-UTF-8 bytes as os.environ presents them (surrogateescape).
_raw = st.sampled_from(["\udc80", "\udcff", "\udcc3", "\udcc3\udca9", "\udced\udca0\udc80"])
byte_values = st.one_of(_near_bare, st.lists(
    st.one_of(st.text(_chars, max_size=6), st.sampled_from(FRAGMENTS), _raw), max_size=10
).map("".join))

batches = st.lists(byte_values, min_size=1, max_size=24)
text_batches = st.lists(text_values, min_size=1, max_size=24)


def as_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")
