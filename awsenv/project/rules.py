"""The rules a `.awsenv` passes before it takes effect, on plain strings and bytes.

Each rule has this one home. The full modules call it: awsenv.project.trust
(the walk to the file, the one checked read, the allow/deny records; its
docstring says why each rule is there) and awsenv.project.file (the schema).
The prompt hook's lean answer (awsenv.shells.fasthook) calls it too, before
any of those modules loads: so this is stdlib only (os and stat, which the
interpreter itself loads), with no pathlib, dataclasses, enum, re or json.

A refusal is :class:`Refused` (one line and its fix); the full modules raise
it as their AwsenvError (trust.UnsafeFile, file.ProjectFileError), while
the lean answer hands the whole decision to the full path instead.
"""

from __future__ import annotations

import os
import stat

from awsenv import fastjson
from awsenv.digest import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MAX_BYTES = 4096
MODES = ("profile", "env")
KEYS = ("profile", "region", "mode", "account", "role", "start_url", "role_arn")
IDENTITY_KEYS = ("account", "role", "start_url", "role_arn")

# Format of the allow records this version writes (older ones ask again).
RECORD_VERSION = 2
# A record is a few hundred bytes; anything much larger is not one of ours.
RECORD_MAX = 16384
# Symlink hops followed while resolving a `.awsenv` (Linux's own limit).
MAX_HOPS = 40
# What a profile resolves to, as stored in an allow record (see awsenv.project.trust).
RESOLVES_KEYS = ("session", "account", "role", "other")

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
              | getattr(os, "O_CLOEXEC", 0))


class Refused(Exception):
    """A rule said no: ``message`` and ``fix``, as the user reads them.

    ``unsafe``: someone else could change the file (trust.UnsafeFile, exit 8);
    otherwise the file cannot be used as written (file.ProjectFileError, exit 4).
    """

    def __init__(self, message: str, fix: str, *, unsafe: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.unsafe = unsafe


def shown(found: str | os.PathLike[str], real: str | os.PathLike[str] | None) -> str:
    """``found`` or ``found (-> target)`` when a symlink leads elsewhere (for messages)."""
    found = os.path.abspath(found)
    if real is None or os.fspath(real) == found:
        return found
    return f"{found} (-> {os.fspath(real)})"


# ---- the walk: resolve the found path one component at a time, checking each step ----

def shared(mode: int) -> bool:
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))


class Walk:
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
                raise Refused(f"cannot inspect {d} above {self.found}",
                              "check its permissions") from None
            if st.st_uid not in (self.me, 0):
                raise Refused(f"{self.found} is refused: directory {d} belongs to another "
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
                raise Refused(f"{self.found} points at a file that does not exist"
                              if self.linked else f"{self.found} does not exist",
                              "remove it or point it at a real file") from None
            raise Refused(f"{self.found}: {path} does not exist",
                          "remove the link or point it at a real file") from None
        except OSError as exc:
            raise Refused(f"cannot inspect {path} ({exc.strerror})",
                          "check its permissions") from None
        if last and stat.S_ISLNK(st.st_mode) and st.st_uid != self.me:
            try:  # shown, never followed
                where = f"{path} (-> {os.readlink(path)})"
            except OSError:
                where = path
            lead = "" if path == self.found else f"{self.found} is refused: "
            raise Refused(f"{lead}{where} is a symlink owned by another user "
                          f"(uid {st.st_uid})", "only your own .awsenv files can be trusted")
        if shared(dst.st_mode):
            if last and (self.linked or stat.S_ISLNK(st.st_mode)):
                what = (f"{self.found} is a symlink in {d}" if path == self.found else
                        f"{shown(self.found, path)} leads through {d}")
                raise Refused(f"{what}, a directory other users can write to",
                              f"replace {self.found} with a plain file of your own")
            if not dst.st_mode & stat.S_ISVTX:
                raise Refused(f"{shown(self.found, path if last else None)} is refused: "
                              f"directory {d} is writable by other users",
                              f"run `chmod go-w {d}`")
            if st.st_uid not in (self.me, 0):
                raise Refused(f"{self.found} is refused: {path} in the shared directory "
                              f"{d} belongs to another user (uid {st.st_uid})",
                              "only your own .awsenv files can be trusted")
        return path, st

    def resolve(self) -> tuple[str, os.stat_result]:
        """The real path of the file and its lstat, every step checked (see trust's docstring)."""
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
                    raise Refused(f"{self.found} is refused: {path} is a symlink owned by "
                                  f"another user (uid {st.st_uid})",
                                  "only paths you own can lead to a trusted .awsenv")
                self.hops += 1
                if cur not in self.via:
                    self.via.append(cur)
                if self.hops > MAX_HOPS:
                    raise Refused(f"{self.found}: too many levels of symbolic links",
                                  "remove the link loop")
                try:
                    target = os.readlink(path)
                except OSError as exc:
                    raise Refused(f"cannot read the link {path} ({exc.strerror})",
                                  "check its permissions") from None
                if target.startswith("/"):
                    cur = "/"
                todo.extend(p for p in reversed(target.split("/")) if p)
                continue
            if last:
                return path, st
            if not stat.S_ISDIR(st.st_mode):
                raise Refused(f"{self.found}: {path} is not a directory",
                              "remove it or point it at a real file")
            cur = path
        # The found path resolved to a directory ("/" itself, or a link to one).
        raise Refused(f"{self.found} is not a regular file", "replace it with a plain file")


def check_file(where: str, real: str, st: os.stat_result) -> None:
    """The rules for the file itself (applied to the lstat, then again to the fstat)."""
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{where} is not a regular file", "replace it with a plain file")
    if st.st_uid != os.getuid():
        raise Refused(f"{where} is owned by another user (uid {st.st_uid})",
                      "only your own .awsenv files can be trusted")
    if shared(st.st_mode):
        raise Refused(f"{where} is writable by other users", f"run `chmod go-w {real}`")


def check_safe(found: str) -> tuple[str, list[str]]:
    """(the real path of ``found``, absolute and as found, the directories holding each
    link on the way): every step vetted, then the file it ends at (trust.check_safe)."""
    walk = Walk(found)
    real, st = walk.resolve()
    check_file(shown(found, real), real, st)
    return real, walk.via


def read(found: str, real: str) -> bytes:
    """The file's bytes (at most one more than the limit), read from one checked descriptor.

    ``O_NOFOLLOW`` (the real path has no final link; one swapped in is refused),
    ``O_NONBLOCK`` (a FIFO swapped in is opened, seen by ``fstat`` and never
    read), then the owner/type/mode rules again on what is actually open.
    """
    where = shown(found, real)
    try:
        fd = os.open(real, OPEN_FLAGS)
    except FileNotFoundError:
        raise Refused(f"{where} does not exist (or is a dangling symlink)",
                      "remove it or point it at a real file", unsafe=False) from None
    except OSError as exc:
        import errno  # not loaded by the interpreter itself: only on this rare path

        if exc.errno == errno.ELOOP:
            raise Refused(f"{where} was replaced by a symlink while being read",
                          "check who else can write there") from None
        raise Refused(f"cannot read {where} ({exc.strerror})", "check its permissions",
                      unsafe=False) from None
    try:
        check_file(where, real, os.fstat(fd))
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
        raise Refused(f"{where} is not a regular file", "replace it with a plain file") \
            from None
    except OSError as exc:
        raise Refused(f"cannot read {where} ({exc.strerror})", "check its permissions",
                      unsafe=False) from None
    finally:
        os.close(fd)


# ---- the schema (what file.parse accepts) ----

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
# What botocore accepts as a profile name in practice, minus anything a
# terminal or shell could misread (controls, quotes, spaces are refused).
_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@+/:-")
_NAME_REST = _NAME_FIRST | {"="}


def profile_name(text: str) -> bool:
    """A profile name a `.awsenv` may ask for: 1 to 128 of ``A-Za-z0-9_.@+/:-`` (and ``=``
    after the first)."""
    return (0 < len(text) <= 128 and text[0] in _NAME_FIRST
            and all(c in _NAME_REST for c in text[1:]))


def region_name(text: str) -> bool:
    """An AWS region's shape: a partition prefix (2-3 letters: us, cn, eu...), one to
    three words (``gov-west``, ``iso-east``...), then one or two ASCII digits."""
    parts = text.split("-")
    return (3 <= len(parts) <= 5 and 2 <= len(parts[0]) <= 3
            and all(p and all(c in _LOWER for c in p) for p in parts[:-1])
            and 1 <= len(parts[-1]) <= 2 and all(c in _DIGITS for c in parts[-1]))


def asked(where: str, data: bytes, known_profiles: list[str] | None,
          check_identity: Callable[[str, dict[str, str], str], None] | None
          ) -> tuple[str, str | None, str | None, tuple[tuple[str, str], ...]]:
    """(profile, region, mode, identity) the bytes of the `.awsenv` at ``where`` ask for.

    A bare profile name, or ``key = value`` lines with KEYS only; the profile
    must be one of ``known_profiles`` (None skips that check). A file naming
    an identity (IDENTITY_KEYS: profile "") is checked by ``check_identity``
    (awsenv.project.file's, with the ARN and URL patterns); None leaves it
    unchecked (the lean answer never uses such a file). Refused otherwise.
    """
    fix = (f"edit {where} (a profile name, or `profile =` or `account =` with `role =`, "
           "`region =`, `mode =` lines)")

    def refuse(message: str, how: str = fix) -> Refused:
        return Refused(message, how, unsafe=False)

    if len(data) > MAX_BYTES:
        raise refuse(f"{where} is larger than {MAX_BYTES} bytes")
    if b"\0" in data:
        raise refuse(f"{where} contains a NUL byte")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse(f"{where} is not valid UTF-8") from None
    text = text.removeprefix("\ufeff")
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            if values:
                raise refuse(f"{where}:{number}: expected `key = value`")
            values["profile"] = line
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key not in KEYS:
            raise refuse(f"{where}:{number}: unknown key {key[:40]!r}")
        if key in values:
            raise refuse(f"{where}:{number}: {key} is given twice")
        values[key] = value
    profile = values.get("profile")
    identity = tuple((k, values[k]) for k in IDENTITY_KEYS if k in values)
    if identity:
        if check_identity is not None:
            check_identity(where, values, fix)
        profile = ""
    elif not profile:
        raise refuse(f"{where} names no profile")
    elif not profile_name(profile):
        raise refuse(f"{where}: {profile[:60]!r} is not a valid profile name")
    if known_profiles is not None and profile and profile not in known_profiles:
        raise refuse(f"{where} asks for profile {profile!r}, which is not in your AWS config",
                     "run `awsenv list` to see your profiles, then fix the file")
    region = values.get("region")
    if region is not None and not region_name(region):
        raise refuse(f"{where}: {region[:60]!r} is not an AWS region")
    mode = values.get("mode")
    if mode is not None and mode not in MODES:
        raise refuse(f"{where}: mode must be `profile` or `env`, not {mode[:20]!r}")
    return profile or "", region, mode, identity


# ---- allow and deny records ----

def found_text(found: str | os.PathLike[str]) -> str:
    """The found path as records hold it: absolute, symlinks unresolved."""
    return os.fsdecode(os.path.abspath(found))


def allow_key(found: str | os.PathLike[str], data: bytes) -> str:
    """The allow record's name: sha256(path as found + "\\n" + content), direnv's key."""
    return sha256(os.fsencode(os.path.abspath(found)) + b"\n" + data).hexdigest()


def deny_key(found: str | os.PathLike[str]) -> str:
    """The deny record's name: the path as found alone (content does not matter to a deny)."""
    return sha256(os.fsencode(os.path.abspath(found)) + b"\n").hexdigest()


def read_record(path: str | os.PathLike[str]) -> dict[str, object] | None:
    """A trust record as awsenv wrote it, or None (missing, planted, damaged, foreign).

    Checked on the open descriptor: a regular file (not a link), owned by the
    user, not group/other-writable, small, one JSON object.
    """
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or shared(st.st_mode)
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


def verdict(trust_dir: str, found: str | os.PathLike[str], real: str, data: bytes,
            profile: str, identity: bool) -> tuple[str, dict[str, object] | None]:
    """("denied", None), ("untrusted", None), ("allowed", record) (the profile binding
    is not checked) or ("moved", record): an identity file allowed while another local
    profile answered it (trust.lookup, whose Trust values these are).

    A record counts only when it is one awsenv wrote for exactly this found
    path, target and content; anything else in the directory approves nothing.
    """
    text = found_text(found)
    denied = read_record(os.path.join(trust_dir, "deny", deny_key(found)))
    if denied is not None and denied.get("path") == text:
        return "denied", None
    record = read_record(os.path.join(trust_dir, "allow", allow_key(found, data)))
    if (
        record is None
        or record.get("v") != RECORD_VERSION
        or record.get("path") != text
        or record.get("target") != real
        or record.get("sha256") != sha256(data).hexdigest()
        or not isinstance(record.get("resolves"), dict)
        or not isinstance(record.get("profile"), str)
    ):
        return "untrusted", None
    if record.get("profile") != profile:
        # The same bytes name the same profile, unless they name an identity
        # (awsenv.project.resolve): then another local profile answers it now.
        return ("moved", record) if identity else ("untrusted", None)
    return "allowed", record


def resolves_of(facts: Mapping[str, object]) -> dict[str, str]:
    """The comparable form of what a profile resolves to (missing facts = "")."""
    return {k: str(facts.get(k) or "") for k in RESOLVES_KEYS}


def bound_to(record: Mapping[str, object], resolves: Mapping[str, object]) -> bool:
    """True when the profile still resolves to what it did when the file was allowed."""
    was = record.get("resolves")
    return isinstance(was, dict) and resolves_of(was) == resolves_of(resolves)
