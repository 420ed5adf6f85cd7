"""Trust for `.awsenv` files: allow/deny records and the file-safety rules.

A `.awsenv` takes effect only after `awsenv allow`, which binds trust to four
things at once (a change to any of them asks again):

* the place the file was **found** (the absolute, unresolved path the shells'
  `$PWD` walk produced): the record's name is sha256(found + "\\n" + bytes),
  direnv's key, so a copy, or a symlink elsewhere to an allowed file, is a
  different file that needs its own `awsenv allow`;
* its **target** (the real path after resolving symlinks): a link pointed
  somewhere else asks again;
* its **content**: any edit asks again;
* what its **profile resolves to** (session, account, role; for other profiles
  a digest of the settings that pick the identity): a profile name that moved
  to another account (`sync --prune`) asks again. A file naming an account and
  role instead (awsenv.project.resolve) is bound to the local profile it
  resolved to as well: another one answering it asks again (MOVED).

`awsenv deny` records the found path alone and wins over any allow there.

Files that someone else could change between review and use are refused
outright (direnv #445): the file (or any symlink on the way to it) owned by
another user, writable by group/others, or reached through a directory that
others can write to. A directory others can write to is tolerated only when it
is sticky (like /tmp) and the entry in it is the user's own plain file or
directory; a symlinked `.awsenv` whose link or target sits in such a directory
is refused even then (a link there is too easy to plant or to mistake).
The file is opened once, without following a final symlink and without
blocking (a FIFO swapped in must not hang the prompt), and the checks apply to
the open descriptor: what is hashed is exactly what was read.

Records are 0600 files under ``Paths.trust_dir``, checked when read (owned by
the user, a regular file, not group/other-writable, and holding exactly what
awsenv writes for this file: an empty or foreign file approves nothing). The
``stamp`` file there is touched on every change so shell hooks notice with a
builtin `-nt` test (no process). stdlib only: the prompt hook reads it.

Each rule itself lives once in :mod:`awsenv.project.rules` (strings, no
pathlib or enum), which the prompt hook's lean answer runs too; this module
turns its refusals into :class:`UnsafeFile` / ProjectFileError and writes records.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Mapping
from pathlib import Path

from awsenv import fsutil
from awsenv.digest import sha256
from awsenv.errors import AwsenvError, ExitCode, UntrustedError
from awsenv.project import rules
from awsenv.project.file import ProjectFile, ProjectFileError, parse
from awsenv.project.rules import (
    RECORD_VERSION,
    allow_key,
    bound_to,
    deny_key,
    resolves_of,
    shown,
)

__all__ = ["Trust", "UnsafeFile", "allow", "allow_key", "bound_to", "check_safe", "deny",
           "deny_key", "link_dirs", "load", "lookup", "read", "resolves_of", "shown",
           "stamp_path", "status", "touch_stamp"]


class Trust(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNTRUSTED = "untrusted"
    MOVED = "moved"  # allowed while its profile resolved to another identity


class UnsafeFile(UntrustedError):
    """A `.awsenv` (or a directory or link on the way to it) that another user could change."""

    code = ExitCode.UNTRUSTED


def _error(refused: rules.Refused) -> AwsenvError:
    """A rule's refusal (awsenv.project.rules) as the error the user reads."""
    kind = UnsafeFile if refused.unsafe else ProjectFileError
    return kind(refused.message, refused.fix)


def stamp_path(trust_dir: Path) -> Path:
    """Touched whenever trust changes; shell hooks compare it with `-nt`."""
    return trust_dir / "stamp"


# ---- the walk (awsenv.project.rules): resolve the found path one component at a time ----

def check_safe(path: Path) -> Path:
    """Return the file's real path, or raise UnsafeFile naming the problem and the fix.

    Resolves ``path`` (as found: absolute, symlinks unresolved) one component
    at a time, so every symlink and directory on the way is seen and vetted
    (see the module docstring), then checks the file it ends at. The caller
    opens that real path once (:func:`read`) and checks the descriptor again.
    """
    try:
        real, _via = rules.check_safe(os.path.abspath(path))
    except rules.Refused as exc:
        raise _error(exc) from None
    return Path(real)


def link_dirs(found: str | os.PathLike[str]) -> list[str]:
    """The (resolved) directories holding each symlink on the way to ``found``'s target.

    The shells watch them: re-pointing a link changes its directory's date, while
    the file now found through it may be older than the hook's last answer (which
    a watch on the file alone, followed by `-nt`, would never notice).
    """
    walk = rules.Walk(os.path.abspath(found))
    try:
        walk.resolve()
    except rules.Refused:
        return walk.via  # the links seen up to the refusal
    return walk.via


def read(found: str, real: Path) -> bytes:
    """The file's bytes (at most one more than the limit), read from one checked descriptor
    (:func:`awsenv.project.rules.read`: no link followed, no FIFO waited on)."""
    try:
        return rules.read(found, os.fspath(real))
    except rules.Refused as exc:
        raise _error(exc) from None


def load(path: Path, known_profiles: list[str] | None) -> ProjectFile:
    """Safety-check, read and parse ``path`` as found (raises UnsafeFile / ProjectFileError)."""
    found = os.path.abspath(path)
    real = check_safe(Path(found))
    data = read(found, real)
    return parse(Path(found), data, known_profiles, realpath=real)


# ---- records (awsenv.project.rules: their names, how they are read, what counts) ----

def lookup(trust_dir: Path, project: ProjectFile) -> tuple[Trust, dict[str, object] | None]:
    """DENIED, UNTRUSTED, ALLOWED with its record (the profile binding is not checked),
    or MOVED with it (an identity file allowed while another profile answered it).

    A record counts only when it is one awsenv wrote for exactly this found
    path, target and content; anything else in the directory approves nothing.
    """
    verdict, record = rules.verdict(os.fspath(trust_dir), project.path,
                                    os.fsdecode(project.realpath), project.data,
                                    project.profile, bool(project.identity))
    return Trust(verdict), record


def status(trust_dir: Path, project: ProjectFile, resolves: Mapping[str, object]) -> Trust:
    """The verdict for ``project`` whose profile now resolves to ``resolves``."""
    verdict, record = lookup(trust_dir, project)
    if verdict is Trust.ALLOWED and record is not None and not bound_to(record, resolves):
        return Trust.MOVED
    return verdict


def touch_stamp(trust_dir: Path) -> None:
    stamp = stamp_path(trust_dir)
    fsutil.ensure_private_dir(trust_dir)
    if not stamp.exists():
        fsutil.atomic_write(stamp, b"")
    now = time.time_ns()
    os.utime(stamp, ns=(now, now))


def _dump(obj: Mapping[str, object]) -> bytes:
    import json

    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _write(path: Path, data: bytes) -> None:
    """Write a record; something that is no record in its place is a one-line error."""
    try:
        fsutil.atomic_write(path, data)
    except IsADirectoryError:
        raise UntrustedError(f"{path} is a directory where awsenv keeps a trust record",
                             "remove it and try again") from None


def allow(trust_dir: Path, project: ProjectFile, resolves: Mapping[str, object]) -> None:
    """Trust exactly these bytes, found at this path, leading to this target, for a profile
    that resolves to ``resolves``; lift a deny at this path."""
    record = {
        "v": RECORD_VERSION,
        "path": rules.found_text(project.path),
        "target": os.fsdecode(project.realpath),
        "sha256": sha256(project.data).hexdigest(),
        "profile": project.profile,
        "resolves": resolves_of(resolves),
        "allowed_at": int(time.time()),
    }
    _write(trust_dir / "allow" / allow_key(project.path, project.data), _dump(record))
    fsutil.remove(trust_dir / "deny" / deny_key(project.path))
    touch_stamp(trust_dir)


def deny(trust_dir: Path, found: str | os.PathLike[str]) -> None:
    """Block the `.awsenv` found at ``found`` whatever its content, until `awsenv allow`."""
    _write(trust_dir / "deny" / deny_key(found), _dump(
        {"v": RECORD_VERSION, "path": rules.found_text(found), "denied_at": int(time.time())}))
    touch_stamp(trust_dir)
