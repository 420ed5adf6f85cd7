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

from awsenv import locations
from awsenv.errors import AwsenvError, ExitCode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FILE_MODE = 0o600
DIR_MODE = 0o700


class UnsafeState(AwsenvError):
    """A directory or file awsenv keeps state in that someone else made or can change."""

    code = ExitCode.UNTRUSTED


def unsafe_dir_error(problem: tuple[str, str]) -> UnsafeState:
    """The one line for a directory :func:`awsenv.locations.unsafe_dir` refused."""
    where, why = problem
    if "writable" in why:
        fix = f"run `chmod go-w {where}` (or remove it if you did not make it so)"
    elif "owned by another user" in why:
        fix = (f"remove {where} (as its owner or root), or point awsenv at a directory "
               "of your own (XDG_RUNTIME_DIR, XDG_CACHE_HOME, XDG_DATA_HOME, XDG_CONFIG_HOME)")
    elif "entered" in why:
        fix = f"run `chmod 700 {where}`"
    else:
        fix = f"remove {where}"
    return UnsafeState(f"{where} {why}, so awsenv will not keep its state there", fix)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700, or refuse it (UnsafeState).

    A directory that another user owns or can write to (or one above it) is
    refused with the fix, never chmod-ed into use: whatever was planted in it
    before would stay. Our own directory that others can merely read is
    tightened to 0700.
    """
    problem = locations.unsafe_dir(os.fspath(path))  # nothing made inside a refused dir
    if problem is not None:
        raise unsafe_dir_error(problem)
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=DIR_MODE)
    problem = locations.unsafe_dir(os.fspath(path))
    if problem is not None:
        raise unsafe_dir_error(problem)
    if not path.is_dir():  # a dangling symlink of ours where a directory should be
        raise unsafe_dir_error((os.fspath(path), "is not a directory"))
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
        _replace(tmp, path)
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


def _replace(tmp: str, path: Path) -> None:
    """Rename ``tmp`` over ``path``; a damaged entry there (an empty directory) goes first.

    A symlink, FIFO or garbage at ``path`` is simply replaced by the rename
    (which never follows a link). A directory is not: an empty one is removed,
    anything else is one clear line.
    """
    try:
        os.replace(tmp, path)
    except (IsADirectoryError, PermissionError) as exc:
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        try:
            os.rmdir(path)
        except OSError:
            raise _directory_in_the_way(path) from exc
        os.replace(tmp, path)


def _directory_in_the_way(path: Path) -> UnsafeState:
    return UnsafeState(f"{path} is a directory where awsenv keeps a file",
                       f"remove it (`rm -r {path}`)", ExitCode.ERROR)


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
    """A JSON object from ``path``, or None if it is absent, damaged or not to be trusted.

    Read through :func:`awsenv.locations.read_private`: a record in a directory
    someone else controls, a symlink, a FIFO, a directory, another user's or a
    group/other-writable file counts as absent, so the caller rewrites it.
    """
    data = locations.read_private(os.fspath(path))
    if data is None:
        return None
    try:
        obj = json.loads(data)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def remove(path: Path) -> bool:
    """Delete the file (or link, FIFO, empty directory) at ``path``; False if nothing was there.

    A non-empty directory where awsenv keeps a file is one clear line.
    """
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except (IsADirectoryError, PermissionError):
        if not path.is_dir() or path.is_symlink():
            raise
        try:
            path.rmdir()
        except OSError:
            raise _directory_in_the_way(path) from None
    return True


@contextlib.contextmanager
def locked(path: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (an flock: released if the holder dies)."""
    import filelock

    ensure_private_dir(path.parent)
    _check_lock_file(path)
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


def _check_lock_file(path: Path) -> None:
    """Refuse a lock path that is not a plain file of ours (a planted symlink, a FIFO...).

    Opening it would follow the link (truncating its target) or block; it is
    never awsenv's own, so it is named with the fix instead.
    """
    import stat

    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    why = "is a symbolic link" if stat.S_ISLNK(st.st_mode) else locations.unsafe_file(st)
    if why:
        raise UnsafeState(f"lock file {path} {why}, not a lock awsenv made",
                          f"remove it (`rm {path}`) and retry")
