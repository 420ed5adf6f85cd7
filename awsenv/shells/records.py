"""The hook protocol: NUL-separated DATA records, never shell code.

`awsenv hook` and `awsenv use --emit` answer with records that functions in
the rendered init script read (fully, before applying anything) and apply with
builtins, after checking every name against ``AWS_*``/``AWSENV_*``. Nothing
from a `.awsenv` file, the AWS config or the service is ever evaluated, so no
quoting bug can become code execution. Each record type has a fixed arity:

    set NAME VALUE     export NAME=VALUE
    unset NAME         unset NAME
    state TEXT         the shell's unexported _AWSENV_STATE (identity stack)
    tree PATH          the `.awsenv` this answer was computed for ("" = none)
    ref PATH           reference file: a watched file `-nt` it means re-check
    watch PATH         a file whose change means re-check (repeatable)
    refresh EPOCH      call the hook again at this time (0 = never)
    msg TEXT           one line for the user (stderr)
    memo 1             the shell may replay this answer (same tree, same state and
                       variables, watched files unchanged) without a process
    end RC             last record; without it nothing is applied

A NUL can never be part of a value (environment strings are C strings), so the
framing is unambiguous. stdlib only.
"""

from __future__ import annotations

import os
import sys

PROTOCOL = 1
# The shells the hook speaks to (`awsenv hook --protocol N SHELL`).
SHELLS = ("bash", "zsh", "fish", "pwsh")

ARITY = {"set": 2, "unset": 1, "state": 1, "tree": 1, "ref": 1, "watch": 1,
         "refresh": 1, "msg": 1, "memo": 1, "end": 1}


def _b(value: str) -> bytes:
    data = value.encode("utf-8", "surrogateescape")
    if b"\0" in data:
        raise ValueError("a NUL cannot be carried in a hook record")
    return data


class Records:
    """Collects records; ``finish`` returns the bytes with the closing ``end``."""

    def __init__(self) -> None:
        self.items: list[tuple[str, ...]] = []

    def add(self, kind: str, *fields: str) -> None:
        if ARITY[kind] != len(fields):
            raise ValueError(f"record {kind} takes {ARITY[kind]} fields")
        self.items.append((kind, *fields))

    def env(self, name: str, value: str | None) -> None:
        if value is None:
            self.add("unset", name)
        else:
            self.add("set", name, value)

    def msg(self, text: str) -> None:
        # Printed to the terminal by the shell: no raw control characters.
        from awsenv.textsafe import printable

        self.add("msg", printable(" ".join(text.splitlines())))

    def finish(self, rc: int = 0) -> bytes:
        out = bytearray()
        for item in [*self.items, ("end", str(int(rc)))]:
            for field in item:
                out += _b(field) + b"\0"
        return bytes(out)


def send(data: bytes) -> bool:
    """Write a finished answer to stdout; False when the shell went away (Ctrl-C), after
    pointing stdout at /dev/null so the flush at exit (``fastpath.end``'s) stays quiet."""
    try:
        out = sys.stdout.buffer
        out.write(data)
        out.flush()
    except OSError:
        try:  # noqa: SIM105 (no contextlib on the fast paths: awsenv.shells.refs)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return False
    return True


def parse(data: bytes) -> list[tuple[str, ...]]:
    """Decode an answer (tests and tools); raises ValueError if cut short or malformed."""
    parts = data.split(b"\0")
    if parts[-1] != b"":
        raise ValueError("answer does not end with a NUL")
    parts.pop()
    out: list[tuple[str, ...]] = []
    i = 0
    while i < len(parts):
        kind = parts[i].decode()
        n = ARITY.get(kind)
        if n is None or i + n >= len(parts):
            raise ValueError(f"bad record {kind!r}")
        out.append((kind, *(os.fsdecode(p) for p in parts[i + 1:i + 1 + n])))
        i += 1 + n
    if not out or out[-1][0] != "end":
        raise ValueError("answer has no end record")
    return out
