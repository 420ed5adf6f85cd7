""".awsenv files: find the one that governs a directory, and parse it as data.

The file is the least trusted input awsenv reads (it arrives with `git pull`),
so the schema is tiny and strict: a bare profile name, or ``key = value``
lines with ``profile``, ``region`` and ``mode`` only, naming a profile that
already exists in the user's own AWS config. Anything else is refused with one
line. Nothing in it is ever evaluated. stdlib only: the prompt hook parses it.

A file a whole team commits names the identity instead of a profile (profile
names differ from one laptop to the next): ``account = 111111111111`` with
``role = NAME`` (optionally ``start_url``), and/or ``role_arn`` for a chained
role. It is resolved to the local profile that gives it by
awsenv.project.resolve (the parse leaves ``profile`` empty and ``identity`` set).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from awsenv.errors import AwsenvError, ExitCode
from awsenv.project import rules
from awsenv.project.rules import IDENTITY_KEYS, KEYS, MAX_BYTES, MODES

__all__ = ["CEILING", "FILENAME", "IDENTITY_KEYS", "KEYS", "MAX_BYTES", "MODES", "ProjectFile",
           "ProjectFileError", "ceiling", "find", "logical_cwd", "parse"]

FILENAME = ".awsenv"

# The schema of a profile file (its keys, names, regions, modes) is awsenv.project.rules';
# the patterns of a team's identity file are here.
_ACCOUNT = re.compile(r"[0-9]{12}")
_ROLE = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:role/(?:[\x21-\x7e]*/)?"
                       r"[\w+=,.@-]{1,64}", re.ASCII)
_START_URL = re.compile(r"https://[\x21-\x7e]{1,500}", re.ASCII)


class ProjectFileError(AwsenvError):
    """A `.awsenv` that cannot be used as written."""

    code = ExitCode.CONFIG


@dataclass(frozen=True)
class ProjectFile:
    """A parsed `.awsenv`: what it asks for, and exactly which bytes asked."""

    path: Path  # where it was found (logical path, as the shell walks): trust's key
    realpath: Path  # symlinks resolved: the target, also bound by trust
    data: bytes
    profile: str  # "" until an identity file is resolved (awsenv.project.resolve)
    region: str | None = None
    mode: str | None = None
    # account/role/start_url/role_arn, as written, when the file names an identity
    identity: tuple[tuple[str, str], ...] = ()

    def asks(self) -> dict[str, str]:
        return dict(self.identity)


# The directory the walk stops at (README, "Per-directory .awsenv"); the shell
# hooks read the same variable with the same rules (shell/init/*.j2).
CEILING = "AWSENV_CEILING"


def ceiling(environ: Mapping[str, str]) -> str:
    """``AWSENV_CEILING`` as the walks compare it: trailing slashes dropped; "" if unset,
    relative or ``/`` (no bound). Not normalised further: the shells compare it with
    `$PWD`'s prefixes as written, and both sides must agree on when the walk stops."""
    value = environ.get(CEILING, "").rstrip("/")
    return value if value.startswith("/") else ""


def find(start: str | os.PathLike[str],
         environ: Mapping[str, str] | None = None) -> Path | None:
    """The nearest `.awsenv` at or above ``start`` (same walk as the shell hooks).

    The walk is lexical on the given (logical) path, like the shells' `$PWD`
    walk, so the hook and the Python side always agree on which file applies.
    A dangling symlink counts as found (and is refused later, not skipped).
    It stops after the directory ``AWSENV_CEILING`` names (of ``environ``, default
    the process's), when it passes through it: a file there counts, none above
    it (the sandbox bounds its world so; a user bounds a slow or shared tree).
    """
    stop = ceiling(os.environ if environ is None else environ)
    d = os.path.abspath(os.fspath(start))
    while True:
        candidate = os.path.join(d, FILENAME)
        if os.path.lexists(candidate) and not os.path.isdir(candidate):
            return Path(candidate)
        parent = os.path.dirname(d)
        if parent == d or d == stop:
            return None
        d = parent


def logical_cwd(environ: Mapping[str, str]) -> str:
    """`$PWD` when it names the current directory (as shells keep it), else the real cwd."""
    cwd = os.getcwd()
    pwd = environ.get("PWD")
    if pwd and os.path.isabs(pwd):
        try:
            if os.path.samefile(pwd, cwd):
                return pwd
        except OSError:
            pass
    return cwd


def _where(path: Path) -> str:
    return str(path)


def parse(path: Path, data: bytes, known_profiles: list[str] | None, *,
          realpath: Path | None = None) -> ProjectFile:
    """Validate ``data`` (the bytes of ``path``) against the schema.

    ``known_profiles`` are the profile names in the user's AWS config; None
    skips that check (only for callers that check it themselves).
    ``realpath`` is the target the caller vetted and read (awsenv.project.trust);
    without it the path is resolved here.
    """
    where = _where(path)
    try:
        profile, region, mode, identity = rules.asked(where, data, known_profiles,
                                                      _check_identity)
    except rules.Refused as exc:
        raise ProjectFileError(exc.message, exc.fix) from None
    return ProjectFile(
        path=path,
        realpath=realpath if realpath is not None else Path(os.path.realpath(path)),
        data=data,
        profile=profile,
        region=region,
        mode=mode,
        identity=identity,
    )


def _check_identity(where: str, values: dict[str, str], fix: str) -> None:
    """An identity file's keys: an account id with a role name, and/or a role ARN."""
    if "profile" in values:
        raise ProjectFileError(f"{where} names both a profile and an account/role",
                               "keep one: `profile =` for your own file, `account =` with "
                               "`role =` for one the team shares")
    account, role, arn = values.get("account"), values.get("role"), values.get("role_arn")
    if account is not None and not _ACCOUNT.fullmatch(account):
        raise ProjectFileError(f"{where}: account {account[:40]!r} is not a 12-digit account id",
                               fix)
    if role is not None and not _ROLE.fullmatch(role):
        raise ProjectFileError(f"{where}: {role[:70]!r} is not a role name", fix)
    if arn is not None and not _ROLE_ARN.fullmatch(arn):
        raise ProjectFileError(f"{where}: {arn[:90]!r} is not an IAM role ARN", fix)
    url = values.get("start_url")
    if url is not None and not _START_URL.fullmatch(url):
        raise ProjectFileError(f"{where}: start_url {url[:90]!r} is not an https URL", fix)
    if arn is None and (account is None or role is None):
        raise ProjectFileError(f"{where}: `account =` needs `role =` (or name a `role_arn =`)",
                               fix)
    if role is not None and account is None:
        raise ProjectFileError(f"{where}: `role =` needs `account =`", fix)

