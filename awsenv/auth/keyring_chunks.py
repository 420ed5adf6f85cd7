"""Splitting a long keyring value into pieces that every backend accepts.

Windows Credential Manager refuses blobs over 2560 bytes, i.e. 1280 UTF-16 code
units, with the obscure error 1783 ("The stub received bad data"). Pieces are
therefore measured in UTF-16 code units (an astral character counts twice) and a
cut never falls between the two halves of a surrogate pair, so each piece is
valid text on its own. The primary entry then holds a manifest naming the piece
count and a SHA-256 of the whole value: a reader that finds a piece missing or
stale gets a mismatch and treats the session as absent, never as garbage.

Pure stdlib, no keyring import: this is unit-testable and cheap.
"""

from __future__ import annotations

import hashlib
import re

PIECE_UNITS = 1200
"""Largest piece, in UTF-16 code units; 80 units of headroom under Windows' 1280."""

MAX_PIECES = 64
"""Refuse values over 76,800 units: no real token is that long, and a bound stops runaway loops."""

MANIFEST_PREFIX = "awsenv:v1:chunked:"
_MANIFEST = re.compile(r"awsenv:v1:chunked:([1-9][0-9]{0,3}):([0-9a-f]{64})")


def utf16_units(text: str) -> int:
    """Length as Windows counts it: astral characters take two UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def needs_chunking(value: str) -> bool:
    return utf16_units(value) > PIECE_UNITS


def split(value: str, limit: int = PIECE_UNITS) -> list[str]:
    """Cut ``value`` into pieces of at most ``limit`` UTF-16 units, astral characters kept whole.

    A Python str holds code points, so an astral character is one item here and
    cannot be cut in half; counting it as two units is what keeps its surrogate
    pair inside one piece on Windows.
    """
    pieces: list[str] = []
    start = 0
    units = 0
    for i, ch in enumerate(value):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > limit:
            pieces.append(value[start:i])
            start, units = i, 0
        units += width
    if start < len(value) or not pieces:
        pieces.append(value[start:])
    return pieces


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def manifest(value: str, count: int) -> str:
    return f"{MANIFEST_PREFIX}{count}:{digest(value)}"


def parse_manifest(text: str) -> tuple[int, str] | None:
    """(piece count, sha256 hex) from a manifest; None if ``text`` is not a valid one."""
    match = _MANIFEST.fullmatch(text)
    if not match:
        return None
    count = int(match.group(1))
    if count > MAX_PIECES:
        return None
    return count, match.group(2)


def join(pieces: list[str], expected_digest: str) -> str | None:
    """The whole value, or None if the pieces do not hash to what the manifest promised."""
    value = "".join(pieces)
    return value if digest(value) == expected_digest else None
