"""Terminal-safe text, without ``re``: `awsenv use`'s fast path prints through it.

C0 and C1 controls and DEL move the cursor, clear the screen or set the title
(OSC) in a terminal; names from the AWS config and from the service can carry
them.
"""

from __future__ import annotations

_SHOWN = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\xHH``, safe to print."""
    return text.translate(_SHOWN)
