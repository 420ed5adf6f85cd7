"""Profile names for generated profiles: templated, safe, unique and stable.

Account and role names come from the service and may be hostile (newlines,
brackets, ``=``, shell syntax): a generated name only ever holds
``[a-z0-9._-]``, so it can neither break the INI file nor need quoting in a
``credential_process`` line or a shell. Names are allocated once and then
kept: an (account, role) already in the managed block keeps its name when the
account is renamed or new accounts appear (scripts and prompts refer to them).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from awsenv.errors import ConfigError

DEFAULT_TEMPLATE = "{account_name}-{role_name}"
PLACEHOLDERS = ("account_name", "account_id", "role_name", "session")

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_RUNS = re.compile(r"([._-])[._-]+")
_EDGES = "._-"
MAX_LEN = 128
# Names botocore or the AWS CLI give a meaning to.
RESERVED = frozenset({"default"})


def safe_name(text: str) -> str:
    """Lower-case ``[a-z0-9._-]`` only; accents folded, everything else becomes ``-``."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    out = _UNSAFE.sub("-", folded.lower())
    out = _RUNS.sub(lambda m: "-" if "-" in m.group(0) else m.group(1), out)
    return out.strip(_EDGES)[:MAX_LEN].strip(_EDGES)


def check_template(template: str) -> None:
    """ConfigError unless ``template`` uses only the known placeholders."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"name template {template!r} is malformed ({exc})",
                          "use placeholders like {account_name}-{role_name}") from None
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown:
        raise ConfigError(
            f"name template {template!r} uses unknown placeholder {{{unknown[0]}}}",
            "use " + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
    if not fields:
        raise ConfigError(f"name template {template!r} has no placeholder",
                          "include at least {account_id} or {account_name}")


def render(template: str, *, account_name: str, account_id: str, role_name: str,
           session: str) -> str:
    """The safe name the template gives (may be empty if nothing usable remains)."""
    values = {"account_name": safe_name(account_name), "account_id": account_id,
              "role_name": safe_name(role_name), "session": safe_name(session)}
    try:
        raw = template.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        raise ConfigError(f"name template {template!r} cannot be used ({exc})",
                          "use placeholders like {account_name}-{role_name}") from None
    return safe_name(raw)


@dataclass(frozen=True)
class Want:
    """A role that needs a profile name: ``key`` identifies it across runs."""

    key: tuple[str, str]  # (account_id, role_name)
    desired: str


def allocate(wants: Iterable[Want], kept: Mapping[tuple[str, str], str],
             taken: Iterable[str]) -> dict[tuple[str, str], str]:
    """Names for new roles, given names already kept and names owned by others.

    Deterministic: several new roles wanting one free name all get the account
    id appended (no first-come winner that depends on listing order); a name
    that is still taken gets ``-2``, ``-3``... in sorted key order.
    """
    used = set(taken) | set(kept.values()) | RESERVED
    pending = sorted(wants, key=lambda w: w.key)
    by_name: dict[str, list[Want]] = {}
    for w in pending:
        by_name.setdefault(w.desired, []).append(w)
    out: dict[tuple[str, str], str] = {}
    for w in pending:
        base = w.desired or safe_name(f"{w.key[0]}-{w.key[1]}") or w.key[0]
        crowded = len(by_name[w.desired]) > 1 or base in used
        name = base
        if crowded:
            name = _suffixed(base, w.key[0])
        n = 2
        candidate = name
        while candidate in used:
            candidate = f"{name}-{n}"
            n += 1
        used.add(candidate)
        out[w.key] = candidate
    return out


def _suffixed(base: str, account_id: str) -> str:
    if base.endswith(account_id) or f"-{account_id}-" in f"-{base}-":
        return base
    return f"{base}-{account_id}"
