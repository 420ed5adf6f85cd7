"""Which account/role pairs `awsenv sync` writes and `awsenv list` shows.

People in large organisations want a few dozen of thousands of roles, and name
them the way they remember them: an account name, an account id, a role. So a
filter is two lists of shell-style globs (``*``, ``?``, ``[...]``; fnmatch,
case-insensitive), and each role is matched through two strings:

    ACCOUNT_NAME/ROLE_NAME      e.g. prod-web/ReadOnlyAccess
    ACCOUNT_ID/ROLE_NAME        e.g. 123456789012/ReadOnlyAccess

A pattern without ``/`` is read as ``PATTERN/*``: it is about the account only
(``prod-*``, ``123456789012``), so ``*Admin*`` never matches a role by accident;
put a ``/`` in it to speak of roles (``*/ReadOnly*``, ``prod-*/Admin*``). ``*``
also matches ``/``. A role is kept when it matches at least one include (or
there is none) and no exclude. An account without roles is matched with an
empty role name. Pure and stdlib-only: the plan applies it inside the config
lock, and settings store the patterns as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from awsenv.errors import AwsenvError, ExitCode

MAX_PATTERNS = 100


@dataclass(frozen=True)
class Filter:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def keeps(self, account_name: str, account_id: str, role_name: str) -> bool:
        """Does this role pass (an include matches, or there is none; no exclude matches)?"""
        subjects = (f"{account_name}/{role_name}".lower(), f"{account_id}/{role_name}".lower())
        if self.include and not any(_hit(p, subjects) for p in self.include):
            return False
        return not any(_hit(p, subjects) for p in self.exclude)

    def describe(self) -> str:
        """``include 'prod-*'; exclude '*/ReadOnly*'`` (or ``none``) for summaries."""
        parts = []
        if self.include:
            parts.append("include " + ", ".join(repr(p) for p in self.include))
        if self.exclude:
            parts.append("exclude " + ", ".join(repr(p) for p in self.exclude))
        return "; ".join(parts) or "none"

    def as_json(self) -> dict[str, list[str]]:
        return {"include": list(self.include), "exclude": list(self.exclude)}


def _hit(pattern: str, subjects: tuple[str, str]) -> bool:
    pat = pattern.lower() if "/" in pattern else f"{pattern.lower()}/*"
    return any(fnmatchcase(s, pat) for s in subjects)


def _usage(message: str, fix: str) -> AwsenvError:
    return AwsenvError(message, fix, ExitCode.USAGE)


def check(patterns: tuple[str, ...], option: str) -> tuple[str, ...]:
    """The patterns as given, or a usage error (exit 2) naming the one that cannot be one."""
    if len(patterns) > MAX_PATTERNS:
        raise _usage(f"{option} given {len(patterns)} times",
                     f"use at most {MAX_PATTERNS} patterns (a glob can cover many)")
    for p in patterns:
        if not p.strip():
            raise _usage(f"{option} needs a pattern, got an empty one",
                         f"e.g. {option} 'prod-*' or {option} '*/ReadOnly*'")
        if any(not c.isprintable() for c in p):
            raise _usage(f"{option} pattern {p!a} holds control characters",
                         "type the pattern without them")
    return patterns
