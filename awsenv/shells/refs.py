"""The shell's reference files: the date an answer was computed at, checked with `-nt`.

Plain ``os`` on strings (no pathlib; try/except, not contextlib, which would load
collections and functools): `awsenv use`'s fast path writes them too.
They live in the runtime dir, which :mod:`awsenv.locations` only accepts when
it is the user's own private directory, and every file here is made (or
remade) by awsenv as a plain file: the fish prompt writes "<ref>.now", and a
shell must never write through a link someone planted.
"""

from __future__ import annotations

import os
import time  # loaded by the interpreter itself: free

from awsenv import locations
from awsenv.digest import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_REFS = 64


def ref_path(runtime_dir: str, pid: str, found: str, origin: str | None = None) -> str:
    """refs/<pid>.<hash>: one per shell and transition (tree it came from → tree).

    Per transition because the shell keeps one replayable answer per
    transition, and each must be checked against the date it was computed at.
    """
    key = f"{found if origin is None else origin}\0{found}"
    tree = sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(runtime_dir, "refs", f"{pid if pid.isdigit() else '0'}.{tree}")


def touch(runtime_dir: str, pid: str, found: str, watches: Iterable[str], t0: int,
          origin: str | None = None) -> str:
    """The shell's reference file for this tree, dated when this evaluation started.

    One file per shell and tree (pid + hash of the `.awsenv` path), so an
    answer the shell keeps for replay stays checkable against its own date;
    files of dead shells are pruned. A watched file changed while it ran (the
    detached refresh it waited for deleting a token) moves the date to that
    change, which the answer already accounts for. A file dated in the future
    (an unpacked archive keeps its dates) never does: a date past that file's
    would hide every other watch (a deny, a profile moved to another account,
    a sign-out) for as long as the shell stays in the tree. Such a file costs a
    hook process at each prompt instead, until the clock passes it.
    """
    ref = ref_path(runtime_dir, pid, found, origin)
    _check_dir(os.path.dirname(ref))
    stamp = t0
    now = time.time_ns()
    for w in watches:
        try:
            mtime = os.stat(w).st_mtime_ns
        except OSError:
            continue
        if stamp < mtime <= now:
            stamp = mtime
    try:
        if _create(ref):
            prune(os.path.dirname(ref))
        _create(ref + ".now")  # what the fish prompt rewrites (it has no clock builtin)
        os.utime(ref, ns=(stamp, stamp), follow_symlinks=False)
    except OSError:
        return ""
    return ref


def usable(ref: str, runtime_dir: str) -> bool:
    """Is ``ref`` (from the shell) one of this runtime dir's reference files, a plain file?

    A shell started before the runtime dir moved (a refused XDG_RUNTIME_DIR)
    still names its old one: that file is replaced, never written to.
    """
    if os.path.dirname(ref) != os.path.join(runtime_dir, "refs"):
        return False
    try:
        return locations.unsafe_file(os.lstat(ref)) is None
    except OSError:
        return False


def _check_dir(refs: str) -> None:
    """Refuse a refs dir someone else controls (the shells write and compare files in it)."""
    problem = locations.unsafe_dir(refs)
    if problem is not None:
        from awsenv import fsutil

        raise fsutil.unsafe_dir_error(problem)


def mark_refresh(ref: str, refresh_at: int) -> None:
    """Date "<ref>.at" at the refresh time: fish, which has no clock builtin, compares
    it with a file it rewrites at each prompt (`test -nt`, no process)."""
    if not ref:
        return
    at = ref + ".at"
    try:
        if not refresh_at:
            try:  # noqa: SIM105
                os.unlink(at)
            except FileNotFoundError:
                pass
            return
        _create(at)
        os.utime(at, (refresh_at, refresh_at), follow_symlinks=False)
    except OSError:
        pass


def _create(path: str) -> bool:
    """Make ``path`` an empty plain file of ours (0600, private dir) unless it is one.

    True if it was (re)made. Anything else there (a link, a FIFO, a directory,
    another user's file) is damage and replaced. fsutil (pathlib, json) loads
    only here: once per shell and tree.
    """
    try:
        if locations.unsafe_file(os.lstat(path)) is None:
            return False
    except FileNotFoundError:
        pass
    from pathlib import Path

    from awsenv import fsutil

    fsutil.atomic_write(Path(path), b"")
    return True


def prune(refs: str) -> None:
    """Drop the files of shells that are gone, once there are more than MAX_REFS."""
    try:
        entries = os.listdir(refs)
    except OSError:
        return
    if len(entries) <= MAX_REFS:
        return
    for entry in entries:
        pid = entry.split(".")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            try:  # noqa: SIM105
                os.unlink(os.path.join(refs, entry))
            except OSError:
                pass
        except OSError:
            pass
