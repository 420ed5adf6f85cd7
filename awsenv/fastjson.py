"""JSON through the interpreter's C codec, without importing ``json``.

``json.decoder`` imports ``re`` (and with it enum, functools, collections):
about 6 ms on every start, most of what the credential cache hit would cost
beyond the interpreter itself. The C scanner and string encoder that ``json``
uses underneath need none of that. Any input the scanner rejects raises
ValueError; without the C module (other interpreters) this falls back to
``json``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class _Context:
    """The attributes ``_json.make_scanner`` reads: plain ``json.loads`` defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        raise ValueError(f"{name} is not allowed here")


def loads(text: str) -> Any:
    """One JSON document with no surrounding whitespace (what awsenv writes)."""
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - CPython always has it
        import json

        return json.loads(text)
    try:
        obj, end = make_scanner(_Context)(text, 0)
    except StopIteration:
        raise ValueError("not a JSON document") from None
    if end != len(text):
        raise ValueError("trailing data after the JSON document")
    return obj


def quote(value: str) -> str:
    """``value`` as a JSON string literal, ASCII-only (exactly ``json.dumps(value)``)."""
    try:
        from _json import encode_basestring_ascii
    except ImportError:  # pragma: no cover
        import json

        return json.dumps(value)
    result: str = encode_basestring_ascii(value)
    return result


def dumps(obj: Any) -> str:
    """Compact JSON, exactly ``json.dumps(obj, separators=(",", ":"))``, through the C encoder."""
    try:
        from _json import encode_basestring_ascii, make_encoder
    except ImportError:  # pragma: no cover
        import json

        return json.dumps(obj, separators=(",", ":"))

    def default(value: object) -> object:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    chunks = make_encoder({}, default, encode_basestring_ascii, None, ":", ",", False, False,
                          True)(obj, 0)
    return "".join(chunks)
