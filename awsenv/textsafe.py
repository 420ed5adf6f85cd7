"""Terminal-safe text, without ``re``: `awsenv use`'s fast path prints through it.

C0 and C1 controls and DEL move the cursor, clear the screen or set the title
(OSC) in a terminal; names from the AWS config and from the service can carry
them, and file names can carry bytes that are not UTF-8 (shown as the byte).
Invisible bidi and zero-width characters are shown too: they make one name look
like another.
"""

from __future__ import annotations

_SHOWN = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
# A byte that is not UTF-8 (a file name from a cloned repository, read through
# os.fsdecode) is the lone surrogate U+DC80+byte: written back with surrogateescape
# (the hook's records) it is that raw byte again, and 0x9B/0x9D are CSI/OSC to a
# terminal that reads 8-bit controls (the Linux console, a non-UTF-8 xterm).
_SHOWN.update({c: f"\\x{c - 0xDC00:02x}" for c in range(0xDC80, 0xDD00)})
# Invisible characters that reorder or hide text (bidi overrides and isolates, zero-width
# ones, the BOM): "prod\u202eved" shows as "proddev"-like text in a terminal, so a name
# from a config, the service or a directory could pass for another (Trojan Source).
_SHOWN.update({c: f"\\u{c:04x}" for c in (0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                           *range(0x2060, 0x2065), *range(0x2066, 0x206A),
                                           0xFEFF)})


def printable(text: str) -> str:
    """``text`` with every control character (and every byte that is not UTF-8, as
    os.fsdecode spells it) shown as ``\\xHH``, and every invisible bidi or zero-width
    character as ``\\uHHHH``, safe to print."""
    return text.translate(_SHOWN)
