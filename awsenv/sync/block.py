"""The awsenv-managed block's body: parsed into sections, rendered back canonically.

The block is awsenv's to rewrite, but it can hold profiles of several sessions
(one `awsenv sync` per session), so sections of other sessions are kept as
their exact text. Parsing goes through the same configparser-faithful scanner
as the rest of awsenv, so what we read is what botocore reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from awsenv.awsconfig.names import scan, section_identity

_REGION = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$|^[a-z0-9-]{1,64}$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


@dataclass
class Section:
    """One ``[header]`` in the block: its raw lines and its ``key = value`` pairs.

    ``name`` is the profile name (None for a non-profile section someone put
    in the block; those are kept verbatim).
    """

    header: str
    name: str | None
    lines: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The section's lines with trailing blank lines dropped, ``\\n`` endings."""
        lines = list(self.lines)
        while lines and not lines[-1].strip():
            lines.pop()
        return "".join(line + "\n" for line in lines)


def parse(body: str) -> list[Section]:
    """Sections of a block body in order; lines before the first header are dropped."""
    sections: list[Section] = []
    current: Section | None = None
    for line in scan(body):
        if line.kind == "header":
            header = line.section or ""
            ident = section_identity(header)
            name = ident[1] if ident and ident[0] == "profile" else None
            current = Section(header=header, name=name)
            sections.append(current)
        if current is None:
            continue
        current.lines.append(line.text)
        if line.kind == "option" and line.option:
            _, _, value = _split_option(line.text)
            current.values.setdefault(line.option, value)
    return sections


def _split_option(text: str) -> tuple[str, str, str]:
    m = re.match(r"\s*(?P<k>.*?)\s*(?P<d>[=:])\s*(?P<v>.*)$", text)
    if not m:
        return text, "", ""
    return m.group("k"), m.group("d"), m.group("v").strip()


def render_section(name: str, values: list[tuple[str, str]]) -> str:
    """``[profile NAME]`` and ``key = value`` lines (values already checked safe)."""
    header = "[default]" if name == "default" else f"[profile {name}]"
    return header + "\n" + "".join(f"{k} = {v}\n" for k, v in values)


def render(sections: list[str]) -> str:
    """Block body: sections separated by one blank line."""
    return "\n".join(sections)


def safe_value(value: str) -> bool:
    """True if ``value`` survives a ``key = value`` line unchanged (botocore's reading)."""
    return (bool(value) and value == value.strip()
            and not any(c in value for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            and value.isprintable())


def valid_account_id(value: str) -> bool:
    return bool(_ACCOUNT_ID.match(value))


def valid_region(value: str) -> bool:
    return bool(_REGION.match(value))
