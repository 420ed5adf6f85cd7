"""Quote a value so a shell (or env-file reader) takes it back byte for byte.

Values come from `.awsenv` files, the AWS config and the service: none of them
may reach a shell unquoted, so every template passes every value through
:func:`quote`. Rules per shell are in shells.md §5; each quoter is tested by
round-tripping random strings through the real shell (bash, zsh, fish, dash) or
its grammar (PowerShell). stdlib only: the prompt hook's fast path imports it.

Strings are Python ``str``; raw bytes from a non-UTF-8 environment arrive as
``surrogateescape`` code points (U+DC80..U+DCFF) and are emitted as the byte
they stand for where the shell can express bytes (bash, zsh, fish).
"""

from __future__ import annotations

import re
from collections.abc import Callable

SHELLS = ("bash", "zsh", "fish", "pwsh", "cmd", "dotenv", "sh")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Values that need no quoting in bash/zsh/sh in any word position: no `~`,
# `%`, `!` or glob characters, and no `=`: zsh expands `=cmd` at a word's
# start, after `:` in assignments (`X=a:=ls` → a:/usr/bin/ls) and after `=`
# in `k=v` arguments under MAGIC_EQUAL_SUBST.
_BARE = re.compile(r"[A-Za-z0-9_./,@:+-]+")

_BASH_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x27: "\\'", 0x5C: "\\\\"}
_FISH_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

# PowerShell's tokenizer treats all five as single quotes (CharTraits.cs).
_PWSH_QUOTES = "'\u2018\u2019\u201a\u201b"
_PWSH_DOUBLE = str.maketrans({c: c + c for c in _PWSH_QUOTES})

# cmd.exe: `%` (and `!` under delayed expansion) expand even inside quotes, a
# `"` ends the quoted `set "NAME=value"` region (after which `& | < > ^` are
# operators again), control characters end or corrupt the line, and
# non-ASCII text is re-read in the console's code page. None of these can be
# escaped reliably in every context a `set` line runs in (interactive,
# `.cmd` file, `for /f`, `call`), so such values are refused.
_CMD_UNSAFE = re.compile(r'[%!^&|<>"\x00-\x1f\x7f-\U0010ffff]')

# python-dotenv and docker compose agree on these escapes in double quotes.
_DOTENV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def valid_name(name: str) -> bool:
    """True for a portable environment variable name (``[A-Za-z_][A-Za-z0-9_]*``).

    Anything else is either impossible in some shell (PowerShell's ``${env:…}``
    rejects ``* ? : = [ ]``) or an injection vector in a statement position.
    """
    return bool(_NAME.fullmatch(name))


def check_name(name: str) -> str:
    """Return ``name`` or raise ValueError: templates use it on every variable name."""
    if not valid_name(name):
        raise ValueError(f"invalid environment variable name {name!r}")
    return name


def _check(value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"value must be str, not {type(value).__name__}")
    if "\0" in value:
        # The environment is a list of C strings: a NUL cannot be carried.
        raise ValueError("value contains a NUL character, which no environment can hold")


def _to_bytes(value: str) -> bytes:
    """UTF-8, with surrogate-escaped bytes turned back into those bytes.

    Other lone surrogates have no byte form: UnicodeEncodeError (a ValueError).
    """
    return value.encode("utf-8", "surrogateescape")


def quote_bash(value: str) -> str:
    """direnv-style: bare when safe, else ``$'…'`` with ``\\xHH`` escapes; one ASCII line."""
    _check(value)
    if value == "":
        return "''"
    if _BARE.fullmatch(value):
        return value
    out = ["$'"]
    for b in _to_bytes(value):
        if b in _BASH_NAMED:
            out.append(_BASH_NAMED[b])
        elif b < 0x20 or b >= 0x7F:
            out.append(f"\\x{b:02x}")
        else:
            out.append(chr(b))
    out.append("'")
    return "".join(out)


def quote_fish(value: str) -> str:
    """Single-quoted runs joined with escapes outside the quotes; one ASCII line.

    Inside fish single quotes only ``\\'`` and ``\\\\`` are escapes. Outside them:
    tab/LF/CR as ``\\t \\n \\r``, other ASCII controls as ``\\xHH``, and every
    non-ASCII character as its UTF-8 bytes in fish's byte escape ``\\XHH``
    (fish reassembles valid sequences into the character; ``\\u`` would be
    refused for code points fish reserves, U+F600..U+F6FF and U+FDD0..U+FDEF).
    Surrogate-escaped raw bytes become that byte.
    """
    _check(value)
    if value == "":
        return "''"
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append("'" + "".join(run) + "'")
            run.clear()

    for ch in value:
        cp = ord(ch)
        if 0x20 <= cp < 0x7F:
            run.append("\\" + ch if ch in "'\\" else ch)
            continue
        flush()
        if ch in _FISH_NAMED:
            out.append(_FISH_NAMED[ch])
        elif cp < 0x80:
            out.append(f"\\x{cp:02x}")
        else:
            out.extend(f"\\X{b:02x}" for b in _to_bytes(ch))
    flush()
    return "".join(out)


def quote_pwsh(value: str) -> str:
    """A verbatim (single-quoted) string: nothing expands; all five quote characters doubled.

    Newlines stay literal inside the string, so a hook that reads the output as
    an array of lines must join them with "`n", not ``[Environment]::NewLine``.
    PowerShell reads our output as text: raw (surrogate-escaped) bytes are refused.
    """
    _check(value)
    value.encode("utf-8")
    return "'" + value.translate(_PWSH_DOUBLE) + "'"


def quote_cmd(value: str) -> str:
    """The value itself, validated for use inside ``set "NAME=<value>"``.

    cmd has no quoting that is safe in every context (see ``_CMD_UNSAFE``), so
    this refuses instead of escaping. Empty is refused too: ``set "NAME="``
    deletes the variable rather than setting it empty.
    """
    _check(value)
    if value == "":
        raise ValueError("cmd cannot set a variable to an empty value (`set \"NAME=\"` deletes it)")
    bad = _CMD_UNSAFE.search(value)
    if bad:
        raise ValueError(
            f"value contains {bad.group()!r}, which cmd.exe cannot carry safely "
            "(it expands %/!, and quotes, control and non-ASCII characters break `set`)"
        )
    return value


def quote_dotenv(value: str) -> str:
    """Double-quoted with the escapes python-dotenv and docker compose both decode.

    Those are ``\\\\ \\" \\n \\r \\t``; other characters are written as themselves.
    ``$`` is refused: both readers interpolate it in double quotes and disagree
    on the escape (compose ``$$``, python-dotenv none).
    """
    _check(value)
    if "$" in value:
        raise ValueError("value contains '$', which dotenv readers interpolate and cannot escape")
    value.encode("utf-8")  # lone surrogates cannot be written to a UTF-8 file
    return '"' + value.translate(_DOTENV_ESCAPES) + '"'


def quote_sh(value: str) -> str:
    """POSIX sh (dash has no ``$'…'``): bare when safe, else single quotes with ``'\\''``.

    A newline in the value stays literal inside the quotes (POSIX has no other
    way), so the output may span lines.
    """
    _check(value)
    _to_bytes(value)
    if value == "":
        return "''"
    if _BARE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


_QUOTERS: dict[str, Callable[[str], str]] = {
    "bash": quote_bash,
    "zsh": quote_bash,
    "fish": quote_fish,
    "pwsh": quote_pwsh,
    "cmd": quote_cmd,
    "dotenv": quote_dotenv,
    "sh": quote_sh,
}


def quote(shell: str, value: str) -> str:
    """Quote ``value`` for ``shell`` (one of :data:`SHELLS`).

    Raises ValueError when the value cannot be carried safely (NUL anywhere;
    per-shell refusals for cmd and dotenv); callers turn it into an AwsenvError.
    """
    try:
        quoter = _QUOTERS[shell]
    except KeyError:
        raise ValueError(f"unknown shell {shell!r}; expected one of {', '.join(SHELLS)}") from None
    return quoter(value)
