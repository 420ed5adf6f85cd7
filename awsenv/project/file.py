""".awsenv files: find the one that governs a directory, and parse it as data.

The file is the least trusted input awsenv reads (it arrives with `git pull`),
so the schema is tiny and strict: a bare profile name, or ``key = value``
lines with ``profile``, ``region`` and ``mode`` only, naming a profile that
already exists in the user's own AWS config. Anything else is refused with one
line. Nothing in it is ever evaluated. stdlib only: the prompt hook parses it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from awsenv.errors import AwsenvError, ExitCode

FILENAME = ".awsenv"
MAX_BYTES = 4096
MODES = ("profile", "env")
KEYS = ("profile", "region", "mode")

# Partition prefixes (us, cn, us-gov, eu-isoe, ...), a direction word, a number.
_REGION = re.compile(r"[a-z]{2,3}(-[a-z]+){1,3}-\d{1,2}")
# What botocore accepts as a profile name in practice, minus anything a
# terminal or shell could misread (controls, quotes, spaces are refused).
_PROFILE = re.compile(r"[A-Za-z0-9_.@+/:-][A-Za-z0-9_.@+/:=-]{0,127}")


class ProjectFileError(AwsenvError):
    """A `.awsenv` that cannot be used as written."""

    code = ExitCode.CONFIG


@dataclass(frozen=True)
class ProjectFile:
    """A parsed `.awsenv`: what it asks for, and exactly which bytes asked."""

    path: Path  # where it was found (logical path, as the shell walks): trust's key
    realpath: Path  # symlinks resolved: the target, also bound by trust
    data: bytes
    profile: str
    region: str | None = None
    mode: str | None = None


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
    fix = f"edit {where} (a profile name, or `profile =`, `region =`, `mode =` lines)"
    if len(data) > MAX_BYTES:
        raise ProjectFileError(f"{where} is larger than {MAX_BYTES} bytes", fix)
    if b"\0" in data:
        raise ProjectFileError(f"{where} contains a NUL byte", fix)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectFileError(f"{where} is not valid UTF-8", fix) from None
    text = text.removeprefix("\ufeff")
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            if values:
                raise ProjectFileError(f"{where}:{number}: expected `key = value`", fix)
            values["profile"] = line
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key not in KEYS:
            raise ProjectFileError(f"{where}:{number}: unknown key {key[:40]!r}", fix)
        if key in values:
            raise ProjectFileError(f"{where}:{number}: {key} is given twice", fix)
        values[key] = value
    profile = values.get("profile")
    if not profile:
        raise ProjectFileError(f"{where} names no profile", fix)
    if not _PROFILE.fullmatch(profile):
        raise ProjectFileError(f"{where}: {profile[:60]!r} is not a valid profile name", fix)
    if known_profiles is not None and profile not in known_profiles:
        raise ProjectFileError(
            f"{where} asks for profile {profile!r}, which is not in your AWS config",
            "run `awsenv list` to see your profiles, then fix the file",
        )
    region = values.get("region")
    if region is not None and not _REGION.fullmatch(region):
        raise ProjectFileError(f"{where}: {region[:60]!r} is not an AWS region", fix)
    mode = values.get("mode")
    if mode is not None and mode not in MODES:
        raise ProjectFileError(f"{where}: mode must be `profile` or `env`, not {mode[:20]!r}", fix)
    return ProjectFile(
        path=path,
        realpath=realpath if realpath is not None else Path(os.path.realpath(path)),
        data=data,
        profile=profile,
        region=region,
        mode=mode,
    )

