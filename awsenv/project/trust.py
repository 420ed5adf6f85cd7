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
"""

from __future__ import annotations

import enum
import errno
import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

from awsenv import fastjson, fsutil
from awsenv.digest import sha256
from awsenv.errors import ExitCode, UntrustedError
from awsenv.project.file import MAX_BYTES, ProjectFile, ProjectFileError, parse

# Format of the allow records this version writes (older ones ask again).
RECORD_VERSION = 2
# A record is a few hundred bytes; anything much larger is not one of ours.
RECORD_MAX = 16384
# Symlink hops followed while resolving a `.awsenv` (Linux's own limit).
MAX_HOPS = 40
# What a profile resolves to, as stored in an allow record (see module docstring).
RESOLVES_KEYS = ("session", "account", "role", "other")

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0))


class Trust(enum.Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNTRUSTED = "untrusted"
    MOVED = "moved"  # allowed while its profile resolved to another identity


class UnsafeFile(UntrustedError):
    """A `.awsenv` (or a directory or link on the way to it) that another user could change."""

    code = ExitCode.UNTRUSTED


def allow_key(found: str | os.PathLike[str], data: bytes) -> str:
    """The allow record's name: sha256(path as found + "\\n" + content), direnv's key."""
    return sha256(os.fsencode(os.path.abspath(found)) + b"\n" + data).hexdigest()


def deny_key(found: str | os.PathLike[str]) -> str:
    """The deny record's name: the path as found alone (content does not matter to a deny)."""
    return sha256(os.fsencode(os.path.abspath(found)) + b"\n").hexdigest()


def stamp_path(trust_dir: Path) -> Path:
    """Touched whenever trust changes; shell hooks compare it with `-nt`."""
    return trust_dir / "stamp"


def shown(found: str | os.PathLike[str], real: str | os.PathLike[str] | None) -> str:
    """``found`` or ``found (-> target)`` when a symlink leads elsewhere (for messages)."""
    found = os.path.abspath(found)
    if real is None or os.fspath(real) == found:
        return found
    return f"{found} (-> {os.fspath(real)})"


# ---- the walk: resolve the found path one component at a time, checking each step ----

def _shared(mode: int) -> bool:
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))


class _Walk:
    """State of one resolution (the directories already vetted, the hops taken)."""

    def __init__(self, found: str) -> None:
        self.found = found
        self.me = os.getuid()
        self.dirs: dict[str, os.stat_result] = {}
        self.hops = 0
        self.linked = False  # the `.awsenv` itself is (or leads through) a symlink
        self.via: list[str] = []  # the (resolved) directories holding each link followed

    def directory(self, d: str) -> os.stat_result:
        """``d`` (a resolved directory) vetted as a container: its owner is the user or root."""
        st = self.dirs.get(d)
        if st is None:
            try:
                st = os.stat(d)
            except OSError:
                raise UnsafeFile(f"cannot inspect {d} above {self.found}",
                                "check its permissions") from None
            if st.st_uid not in (self.me, 0):
                raise UnsafeFile(f"{self.found} is refused: directory {d} belongs to another "
                                f"user (uid {st.st_uid})",
                                "keep your .awsenv files in directories you own")
            self.dirs[d] = st
        return st

    def entry(self, d: str, name: str, last: bool) -> tuple[str, os.stat_result]:
        """lstat ``d/name`` and apply the rules of the directory holding it."""
        path = os.path.join(d, name)
        dst = self.directory(d)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if last:
                raise UnsafeFile(f"{self.found} points at a file that does not exist"
                                if self.linked else f"{self.found} does not exist",
                                "remove it or point it at a real file") from None
            raise UnsafeFile(f"{self.found}: {path} does not exist",
                            "remove the link or point it at a real file") from None
        except OSError as exc:
            raise UnsafeFile(f"cannot inspect {path} ({exc.strerror})",
                            "check its permissions") from None
        if last and stat.S_ISLNK(st.st_mode) and st.st_uid != self.me:
            try:  # shown, never followed
                where = f"{path} (-> {os.readlink(path)})"
            except OSError:
                where = path
            lead = "" if path == self.found else f"{self.found} is refused: "
            raise UnsafeFile(f"{lead}{where} is a symlink owned by another user "
                             f"(uid {st.st_uid})", "only your own .awsenv files can be trusted")
        if _shared(dst.st_mode):
            if last and (self.linked or stat.S_ISLNK(st.st_mode)):
                what = (f"{self.found} is a symlink in {d}" if path == self.found else
                        f"{shown(self.found, path)} leads through {d}")
                raise UnsafeFile(f"{what}, a directory other users can write to",
                                f"replace {self.found} with a plain file of your own")
            if not dst.st_mode & stat.S_ISVTX:
                raise UnsafeFile(f"{shown(self.found, path if last else None)} is refused: "
                                f"directory {d} is writable by other users",
                                f"run `chmod go-w {d}`")
            if st.st_uid not in (self.me, 0):
                raise UnsafeFile(f"{self.found} is refused: {path} in the shared directory "
                                f"{d} belongs to another user (uid {st.st_uid})",
                                "only your own .awsenv files can be trusted")
        return path, st

    def resolve(self) -> tuple[str, os.stat_result]:
        """The real path of the file and its lstat, every step checked (see module docstring)."""
        todo = [p for p in reversed(self.found.split("/")) if p]
        cur = "/"
        while todo:
            name = todo.pop()
            if name == ".":
                continue
            if name == "..":
                cur = os.path.dirname(cur)
                continue
            last = not todo
            path, st = self.entry(cur, name, last)
            if stat.S_ISLNK(st.st_mode):
                if last:
                    self.linked = True
                elif st.st_uid not in (self.me, 0):
                    raise UnsafeFile(f"{self.found} is refused: {path} is a symlink owned by "
                                    f"another user (uid {st.st_uid})",
                                    "only paths you own can lead to a trusted .awsenv")
                self.hops += 1
                if cur not in self.via:
                    self.via.append(cur)
                if self.hops > MAX_HOPS:
                    raise UnsafeFile(f"{self.found}: too many levels of symbolic links",
                                    "remove the link loop")
                try:
                    target = os.readlink(path)
                except OSError as exc:
                    raise UnsafeFile(f"cannot read the link {path} ({exc.strerror})",
                                    "check its permissions") from None
                if target.startswith("/"):
                    cur = "/"
                todo.extend(p for p in reversed(target.split("/")) if p)
                continue
            if last:
                return path, st
            if not stat.S_ISDIR(st.st_mode):
                raise UnsafeFile(f"{self.found}: {path} is not a directory",
                                "remove it or point it at a real file")
            cur = path
        # The found path resolved to a directory ("/" itself, or a link to one).
        raise UnsafeFile(f"{self.found} is not a regular file", "replace it with a plain file")


def _check_file(where: str, real: str, st: os.stat_result) -> None:
    """The rules for the file itself (applied to the lstat, then again to the fstat)."""
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(f"{where} is not a regular file", "replace it with a plain file")
    if st.st_uid != os.getuid():
        raise UnsafeFile(f"{where} is owned by another user (uid {st.st_uid})",
                         "only your own .awsenv files can be trusted")
    if _shared(st.st_mode):
        raise UnsafeFile(f"{where} is writable by other users", f"run `chmod go-w {real}`")


def check_safe(path: Path) -> Path:
    """Return the file's real path, or raise UnsafeFile naming the problem and the fix.

    Resolves ``path`` (as found: absolute, symlinks unresolved) one component
    at a time, so every symlink and directory on the way is seen and vetted
    (see the module docstring), then checks the file it ends at. The caller
    opens that real path once (:func:`read`) and checks the descriptor again.
    """
    found = os.path.abspath(path)
    walk = _Walk(found)
    real, st = walk.resolve()
    _check_file(shown(found, real), real, st)
    return Path(real)


def link_dirs(found: str | os.PathLike[str]) -> list[str]:
    """The (resolved) directories holding each symlink on the way to ``found``'s target.

    The shells watch them: re-pointing a link changes its directory's date, while
    the file now found through it may be older than the hook's last answer (which
    a watch on the file alone, followed by `-nt`, would never notice).
    """
    walk = _Walk(os.path.abspath(found))
    try:
        walk.resolve()
    except UnsafeFile:
        return walk.via  # the links seen up to the refusal
    return walk.via


def read(found: str, real: Path) -> bytes:
    """The file's bytes (at most one more than the limit), read from one checked descriptor.

    ``O_NOFOLLOW`` (the real path has no final link; one swapped in is refused),
    ``O_NONBLOCK`` (a FIFO swapped in is opened, seen by ``fstat`` and never
    read), then the owner/type/mode rules again on what is actually open.
    """
    where = shown(found, real)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except FileNotFoundError:
        raise ProjectFileError(f"{where} does not exist (or is a dangling symlink)",
                               "remove it or point it at a real file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile(f"{where} was replaced by a symlink while being read",
                             "check who else can write there") from None
        raise ProjectFileError(f"cannot read {where} ({exc.strerror})",
                               "check its permissions") from None
    try:
        _check_file(where, os.fspath(real), os.fstat(fd))
        chunks = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except BlockingIOError:  # a regular file never says EAGAIN; be safe anyway
        raise UnsafeFile(f"{where} is not a regular file", "replace it with a plain file") \
            from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {where} ({exc.strerror})",
                               "check its permissions") from None
    finally:
        os.close(fd)


def load(path: Path, known_profiles: list[str] | None) -> ProjectFile:
    """Safety-check, read and parse ``path`` as found (raises UnsafeFile / ProjectFileError)."""
    found = os.path.abspath(path)
    real = check_safe(Path(found))
    data = read(found, real)
    return parse(Path(found), data, known_profiles, realpath=real)


# ---- records ----

def _read_record(path: Path) -> dict[str, object] | None:
    """A trust record as awsenv wrote it, or None (missing, planted, damaged, foreign).

    Checked on the open descriptor: a regular file (not a link), owned by the
    user, not group/other-writable, small, one JSON object.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or _shared(st.st_mode)
                or st.st_size > RECORD_MAX):
            return None
        raw = os.read(fd, RECORD_MAX + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        obj = fastjson.loads(raw.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _text(path: str | os.PathLike[str]) -> str:
    return os.fsdecode(os.path.abspath(path))


def resolves_of(facts: Mapping[str, object]) -> dict[str, str]:
    """The comparable form of what a profile resolves to (missing facts = "")."""
    return {k: str(facts.get(k) or "") for k in RESOLVES_KEYS}


def lookup(trust_dir: Path, project: ProjectFile) -> tuple[Trust, dict[str, object] | None]:
    """DENIED, UNTRUSTED, ALLOWED with its record (the profile binding is not checked),
    or MOVED with it (an identity file allowed while another profile answered it).

    A record counts only when it is one awsenv wrote for exactly this found
    path, target and content; anything else in the directory approves nothing.
    """
    found = _text(project.path)
    denied = _read_record(trust_dir / "deny" / deny_key(project.path))
    if denied is not None and denied.get("path") == found:
        return Trust.DENIED, None
    record = _read_record(trust_dir / "allow" / allow_key(project.path, project.data))
    if (
        record is None
        or record.get("v") != RECORD_VERSION
        or record.get("path") != found
        or record.get("target") != os.fsdecode(project.realpath)
        or record.get("sha256") != sha256(project.data).hexdigest()
        or not isinstance(record.get("resolves"), dict)
        or not isinstance(record.get("profile"), str)
    ):
        return Trust.UNTRUSTED, None
    if record.get("profile") != project.profile:
        # The same bytes name the same profile, unless they name an identity
        # (awsenv.project.resolve): then another local profile answers it now.
        return (Trust.MOVED, record) if project.identity else (Trust.UNTRUSTED, None)
    return Trust.ALLOWED, record


def bound_to(record: Mapping[str, object], resolves: Mapping[str, object]) -> bool:
    """True when the profile still resolves to what it did when the file was allowed."""
    was = record.get("resolves")
    return isinstance(was, dict) and resolves_of(was) == resolves_of(resolves)


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
        "path": _text(project.path),
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
    _write(trust_dir / "deny" / deny_key(found),
           _dump({"v": RECORD_VERSION, "path": _text(found), "denied_at": int(time.time())}))
    touch_stamp(trust_dir)
