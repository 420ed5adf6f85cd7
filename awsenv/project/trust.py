"""Trust for `.awsenv` files: allow/deny records and the file-safety rules.

A `.awsenv` takes effect only after `awsenv allow`, which records its real
path *and* content (sha256(realpath + "\\n" + bytes), direnv's key): any edit,
or the same bytes at another path, is untrusted again. `awsenv deny` records
the path alone and wins over any allow. Files that someone else could change
between review and use are refused outright (direnv #445): owned by another
user, writable by group/others, or inside a group/other-writable directory
without the sticky bit. Records are 0600 files under ``Paths.trust_dir``; the
``stamp`` file there is touched on every change so shell hooks notice with a
builtin `-nt` test (no process). stdlib only: the prompt hook reads it.
"""

from __future__ import annotations

import enum
import os
import stat
import time
from pathlib import Path

from awsenv import fsutil
from awsenv.digest import sha256
from awsenv.errors import ExitCode, UntrustedError
from awsenv.project.file import ProjectFile, parse, read_bytes


class Trust(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNTRUSTED = "untrusted"


class UnsafeFile(UntrustedError):
    """A `.awsenv` (or a directory above it) that another user could change."""

    code = ExitCode.UNTRUSTED


def allow_key(realpath: Path, data: bytes) -> str:
    return sha256(os.fsencode(realpath) + b"\n" + data).hexdigest()


def deny_key(realpath: Path) -> str:
    return sha256(os.fsencode(realpath) + b"\n").hexdigest()


def stamp_path(trust_dir: Path) -> Path:
    """Touched whenever trust changes; shell hooks compare it with `-nt`."""
    return trust_dir / "stamp"


def _check_dirs(start: Path, what: str) -> None:
    d = start
    while True:
        try:
            st = os.stat(d)
        except OSError:
            raise UnsafeFile(f"cannot inspect {d} above {what}", "check its permissions") from None
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX:
            raise UnsafeFile(
                f"{what} is refused: directory {d} is writable by other users",
                f"run `chmod go-w {d}`",
            )
        if d.parent == d:
            return
        d = d.parent


def check_safe(path: Path) -> Path:
    """Return the file's real path, or raise UnsafeFile naming the problem and the fix.

    Checked: the file (after resolving symlinks) is a regular file owned by the
    current user and not group/other-writable, and no directory above it (or
    above the symlink itself) is writable by others unless sticky.
    """
    try:
        real = Path(os.path.realpath(path, strict=True))
        st = os.stat(real)
    except (OSError, RuntimeError):
        raise UnsafeFile(f"{path} points at a file that does not exist",
                         "remove it or point it at a real file") from None
    shown = f"{path}" if real == Path(os.path.abspath(path)) else f"{path} (-> {real})"
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(f"{shown} is not a regular file", "replace it with a plain file")
    if st.st_uid != os.getuid():
        raise UnsafeFile(f"{shown} is owned by another user (uid {st.st_uid})",
                         "only your own .awsenv files can be trusted")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFile(f"{shown} is writable by other users", f"run `chmod go-w {real}`")
    _check_dirs(real.parent, shown)
    logical_parent = Path(os.path.abspath(path)).parent
    if logical_parent != real.parent:
        _check_dirs(logical_parent, shown)
    return real


def load(path: Path, known_profiles: list[str] | None) -> ProjectFile:
    """Safety-check, read and parse ``path`` (raises UnsafeFile / ProjectFileError)."""
    real = check_safe(path)
    data = read_bytes(real)
    project = parse(path, data, known_profiles)
    return project


def status(trust_dir: Path, project: ProjectFile) -> Trust:
    if (trust_dir / "deny" / deny_key(project.realpath)).exists():
        return Trust.DENIED
    if (trust_dir / "allow" / allow_key(project.realpath, project.data)).exists():
        return Trust.ALLOWED
    return Trust.UNTRUSTED


def touch_stamp(trust_dir: Path) -> None:
    stamp = stamp_path(trust_dir)
    fsutil.ensure_private_dir(trust_dir)
    if not stamp.exists():
        fsutil.atomic_write(stamp, b"")
    now = time.time_ns()
    os.utime(stamp, ns=(now, now))


def allow(trust_dir: Path, project: ProjectFile) -> None:
    """Record trust for exactly these bytes at this real path; lift a deny."""
    key = allow_key(project.realpath, project.data)
    fsutil.write_json(
        trust_dir / "allow" / key,
        {"path": os.fsdecode(project.realpath), "allowed_at": int(time.time())},
    )
    fsutil.remove(trust_dir / "deny" / deny_key(project.realpath))
    touch_stamp(trust_dir)


def deny(trust_dir: Path, realpath: Path) -> None:
    """Block the file at ``realpath`` whatever its content, until `awsenv allow`."""
    fsutil.write_json(
        trust_dir / "deny" / deny_key(realpath),
        {"path": os.fsdecode(realpath), "denied_at": int(time.time())},
    )
    touch_stamp(trust_dir)
