"""Private, atomic, locked file handling.

Everything awsenv writes is 0600 inside 0700 directories and replaced
atomically (temp file, fsync, rename) so a crash never leaves half a file.
stdlib only (filelock is imported lazily) because the cache hit reads through
here.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from awsenv.errors import AwsenvError, ExitCode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; tighten it if we own it."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=DIR_MODE)
    st = path.stat()
    if st.st_uid == os.getuid() and st.st_mode & 0o077:
        path.chmod(DIR_MODE)
    return path


def atomic_write(path: Path, data: bytes | str, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never half."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    ensure_private_dir(path.parent)
    fd, tmp = _create_temp(path)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    remove_stale_temps(path)


# A temp file this old belongs to a writer that was killed: a live one exists for
# milliseconds (write, fsync, rename), so a concurrent writer's file is never touched.
STALE_TEMP_AGE = 60.0
# The random part: 8 of tempfile.mkstemp's characters (older awsenv) or 12 hex digits.
_TEMP_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_TEMP_LENGTHS = (8, 12)


def remove_stale_temps(path: Path, age: float = STALE_TEMP_AGE) -> int:
    """Delete the ``.{name}.XXXXXXXX.tmp`` files killed atomic_writes of ``path`` left.

    Only ``path``'s own pattern (not a longer name's), only regular files of
    this user older than ``age`` seconds; one listdir, on the write path only.
    Returns how many went.
    """
    import stat
    import time

    prefix = f".{path.name}."
    try:
        entries = os.listdir(path.parent)
    except OSError:
        return 0
    cutoff = time.time() - age
    removed = 0
    for entry in entries:
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        rand = entry[len(prefix):-len(".tmp")]
        if len(rand) not in _TEMP_LENGTHS or not _TEMP_CHARS.issuperset(rand):
            continue
        full = os.path.join(path.parent, entry)
        try:
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and st.st_mtime < cutoff:
                os.unlink(full)
                removed += 1
        except OSError:
            pass
    return removed


def _create_temp(path: Path) -> tuple[int, str]:
    """A new ``.<name>.<random>.tmp`` beside ``path``, opened exclusively, 0600.

    What tempfile.mkstemp does, minus its imports (shutil, random, lzma: ~7 ms
    on the prompt hook, which writes a reference file).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, flags, FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_json(path: Path, obj: Any) -> None:
    atomic_write(path, json.dumps(obj, separators=(",", ":"), sort_keys=True))


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``, or None if it is missing or not a JSON object."""
    try:
        with open(path, "rb") as fh:
            obj = json.load(fh)
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


@contextlib.contextmanager
def locked(path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (an flock: released if the holder dies)."""
    import filelock

    ensure_private_dir(path.parent)
    lock = filelock.FileLock(str(path), timeout=timeout, mode=FILE_MODE)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise AwsenvError(
            f"another awsenv process has held {path} for over {timeout:.0f}s",
            f"find it with `lsof {path}` and stop it, then retry",
            ExitCode.TIMEOUT,
        ) from None
    try:
        yield
    finally:
        lock.release()
