"""Profile and session names from the AWS config file, without botocore.

Shell completion and the prompt hook need the names in a few milliseconds, so
this module is stdlib-only and scans lines itself. The scanner follows
``configparser.RawConfigParser`` (what botocore's loader uses) rule for rule:
full-line ``#``/``;`` comments, indentation-based continuation lines, the
permissive ``[header]`` regex, ``[DEFAULT]`` as the defaults section; and
section headers map to names the way ``botocore.configloader.build_profile_map``
does (``shlex``-split, exactly two words). ``edit.py`` edits through the same
scanner so what it changes is what botocore would read.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

# Same patterns as configparser.RawConfigParser (SECTCRE, OPTCRE with = and :).
_SECTION = re.compile(r"\[(?P<header>.+)\]")
_OPTION = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")
_NONSPACE = re.compile(r"\S")

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    LineKind: TypeAlias = Literal["blank", "comment", "header", "option", "continuation",
                                  "error"]


@dataclass(frozen=True)
class Line:
    """One physical line as configparser sees it.

    ``text`` is the line without its terminator, ``end`` the terminator exactly
    as in the file (``\\n``, ``\\r\\n``, ``\\r`` or ``""`` on a last line).
    ``section`` is the raw header text of the enclosing section (None before
    the first header); ``option`` the lower-cased key for option and
    continuation lines.
    """

    index: int
    text: str
    end: str
    kind: LineKind
    section: str | None
    option: str | None = None


def scan(text: str) -> list[Line]:
    """Classify every line of ``text`` as configparser would (never raises)."""
    lines: list[Line] = []
    section: str | None = None
    option: str | None = None
    indent_level = 0
    for index, (body, end) in enumerate(_physical_lines(text)):
        stripped = body.strip()
        if stripped.startswith(("#", ";")):
            lines.append(Line(index, body, end, "comment", section, None))
            continue
        if not stripped:
            lines.append(Line(index, body, end, "blank", section, None))
            continue
        first = _NONSPACE.search(body)
        indent = first.start() if first else 0
        if section is not None and option and indent > indent_level:
            lines.append(Line(index, body, end, "continuation", section, option))
            continue
        indent_level = indent
        header = _SECTION.match(stripped)
        if header:
            section = header.group("header")
            option = None
            lines.append(Line(index, body, end, "header", section, None))
            continue
        opt = _OPTION.match(stripped) if section is not None else None
        if opt and opt.group("option"):
            option = opt.group("option").rstrip().lower()
            lines.append(Line(index, body, end, "option", section, option))
        else:
            if opt:
                option = ""
            lines.append(Line(index, body, end, "error", section, None))
    return lines


def _physical_lines(text: str) -> list[tuple[str, str]]:
    """Split on \\n, \\r\\n and \\r only (text-mode universal newlines)."""
    out: list[tuple[str, str]] = []
    for match in re.finditer(r"([^\r\n]*)(\r\n|\n|\r|$)", text):
        body, end = match.group(1), match.group(2)
        if not body and not end:
            if match.start() == len(text):
                break
            continue
        out.append((body, end))
    return out


def section_identity(header: str) -> tuple[str, str] | None:
    """("profile"|"sso-session"|"services", name) for a raw header, botocore's way.

    Mirrors build_profile_map: a prefix match then shlex-split into exactly two
    words (so ``[profile "my dev"]`` is ``my dev`` and ``[profile a b]`` is
    ignored); ``[default]`` is the default profile; anything else is not a
    profile (``[DEFAULT]`` is configparser's defaults section).
    """
    if header == "default":
        return ("profile", "default")
    for kind in ("profile", "sso-session", "services"):
        if header.startswith(kind):
            try:
                parts = shlex.split(header)
            except ValueError:
                return None
            return (kind, parts[1]) if len(parts) == 2 else None
    return None


def _names(text: str, kind: str) -> list[str]:
    seen: dict[str, None] = {}
    for line in scan(text):
        if line.kind != "header" or line.section == "DEFAULT":
            continue
        ident = section_identity(line.section or "")
        if ident and ident[0] == kind:
            seen.setdefault(ident[1], None)
    return list(seen)


def _read(path: Path | str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            return fh.read()
    except OSError:
        return ""


def profile_names(path: Path | str) -> list[str]:
    """Profile names in file order (``default`` included); [] if unreadable."""
    return _names(_read(path), "profile")


def session_names(path: Path | str) -> list[str]:
    """``[sso-session NAME]`` names in file order; [] if unreadable."""
    return _names(_read(path), "sso-session")
