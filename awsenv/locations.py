"""Where things live, as plain strings from an environment mapping.

The credential cache hit needs two of these locations and must not pay for
pathlib or dataclasses (several milliseconds on every SDK client start), so
the rules live here once and :class:`awsenv.paths.Paths` wraps them in Path
objects for everything else. stdlib only (platformdirs off XDG systems).
"""

from __future__ import annotations

import os
import stat  # loaded by os itself: free
import sys

TYPE_CHECKING = False  # typing itself costs ~5 ms on this path
if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "awsenv"


def home(env: Mapping[str, str]) -> str:
    return env.get("HOME") or os.path.expanduser("~")


def aws_config_file(env: Mapping[str, str]) -> str:
    cfg = env.get("AWS_CONFIG_FILE")
    return os.path.expanduser(cfg) if cfg else os.path.join(home(env), ".aws", "config")


def app_dirs(env: Mapping[str, str]) -> tuple[str, str, str]:
    """Config, data and cache directories.

    On XDG systems they are read from ``env`` itself (not os.environ), so a
    sandbox or test can hand a child environment to core code; elsewhere
    platformdirs knows the platform's conventions.
    """
    if sys.platform in ("darwin", "win32"):
        import platformdirs

        return (platformdirs.user_config_dir(APP, appauthor=False),
                platformdirs.user_data_dir(APP, appauthor=False),
                platformdirs.user_cache_dir(APP, appauthor=False))
    base = home(env)

    def xdg(var: str, default: str) -> str:
        value = env.get(var, "").strip()
        return os.path.join(value if value and os.path.isabs(value)
                            else os.path.join(base, default), APP)

    return (xdg("XDG_CONFIG_HOME", ".config"), xdg("XDG_DATA_HOME", ".local/share"),
            xdg("XDG_CACHE_HOME", ".cache"))


def runtime_dir(env: Mapping[str, str], cache_dir: str | None = None) -> str:
    """tmpfs-backed ``$XDG_RUNTIME_DIR/awsenv`` when the OS has one, else under the cache dir.

    A ``XDG_RUNTIME_DIR`` that is not the user's own private directory (another
    local user may have made ``/tmp/runtime-$USER`` first) is not used: the
    freedesktop spec's advice is a replacement of similar properties, and the
    cache dir's ``runtime/`` is one (see :func:`runtime_refused`).
    """
    if runtime_refused(env) is None:
        return os.path.join(str(env["XDG_RUNTIME_DIR"]), APP)
    return os.path.join(app_dirs(env)[2] if cache_dir is None else cache_dir, "runtime")


def runtime_refused(env: Mapping[str, str]) -> tuple[str, str] | None:
    """None when ``XDG_RUNTIME_DIR`` is usable, else (the directory, why it is not).

    Usable: an absolute path to an existing directory of this user that no one
    else can enter (the spec's 0700), reached through directories no one else
    can change. Unset or missing is ("", "") or (path, "does not exist"): a
    silent fallback, not an attack.
    """
    root = env.get("XDG_RUNTIME_DIR") or ""
    if not root or not os.path.isabs(root):
        return (root, "")
    problem = unsafe_dir(root, private=True)
    if problem is None and not os.path.isdir(root):
        return (root, "")
    return problem


def config_stamp(config_path: str) -> list[int] | None:
    """(mtime_ns, size, inode) of the AWS config file; None if it is missing. What the
    credential records and the profile-facts index are keyed by: any edit voids them."""
    try:
        st = os.stat(config_path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def credentials_dir(runtime: str) -> str:
    """Role credential cache: private, in the runtime dir."""
    return os.path.join(runtime, "credentials")


def entry_script() -> str | None:
    """The installed ``awsenv`` console script of this interpreter, if there is one.

    The script pip writes next to the interpreter (a venv's or pipx's ``bin/``),
    or the one this process was started as. Only a Python script counts: a
    Windows ``awsenv.exe`` launcher cannot be handed to the interpreter.
    """
    candidates = [os.path.join(os.path.dirname(sys.executable), "awsenv")]
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if os.path.basename(argv0) == "awsenv":
        candidates.append(os.path.realpath(argv0))
    for candidate in candidates:
        try:
            with open(candidate, "rb") as handle:
                if handle.read(2) == b"#!":
                    return os.path.abspath(candidate)
        except OSError:
            continue
    return None


def awsenv_command() -> list[str]:
    """The absolute, isolated command that runs this installation of awsenv.

    Baked into shell hooks and ``credential_process`` lines and used to start
    awsenv's own children, so no PATH lookup or shim runs later. It must never
    import code from wherever it happens to run: ``python -m`` and ``-c`` put the
    current directory first on ``sys.path`` (a cloned repository's ``json.py``
    or ``awsenv/`` would run as the user), and ``PYTHONPATH`` may be a
    project's. So it is this interpreter, isolated (``-I``: no cwd, no
    ``PYTHON*`` variables, no user site), running awsenv's own launcher file
    (:mod:`awsenv.launch`), never a bare ``-m`` nor pip's console script.
    ``-S``: the launcher runs ``site`` only once something beyond the standard
    library and awsenv is imported, which the hot paths never do.
    """
    return [sys.executable, "-I", "-S",
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "launch.py")]


def template_dir() -> str:
    """Where the shell templates are: ``awsenv/_shell`` in a wheel, else the checkout's ``shell/``.

    The wheel force-includes ``shell`` as ``awsenv/_shell`` (pyproject.toml); an
    editable install or a source checkout has only the top-level directory.
    """
    package = os.path.dirname(os.path.realpath(__file__))
    shipped = os.path.join(package, "_shell")
    if os.path.isdir(shipped):
        return shipped
    checkout = os.path.join(os.path.dirname(package), "shell")
    if os.path.isdir(checkout):
        return checkout
    raise FileNotFoundError(f"awsenv shell templates not found in {shipped} or {checkout}")


# ---- directories and records another local user could have made or changed ----
#
# Everything here runs on the credential cache hit and the prompt hook: plain
# os/stat calls (both loaded by the interpreter itself), no new imports, one
# lstat per path component and one open + fstat per record.

def unsafe_dir(path: str, *, private: bool = False) -> tuple[str, str] | None:
    """(directory, why) when awsenv must not trust ``path`` with its state, else None.

    OpenSSH's rule for ``~/.ssh``, applied to every component from ``/``: the
    directory itself belongs to this user and no one else can write to it
    (``private``: nor enter it, the spec's 0700 for ``XDG_RUNTIME_DIR``); every
    directory above it belongs to root or this user and only they can write to
    it, unless sticky (``/tmp``), where no one can rename what is not theirs. A
    symlink on the way counts only if root or this user made it, and then its
    target is checked the same way. Group write is allowed where the group is
    the user's own private group (Debian's OpenSSH does the same), so a umask
    of 002 is no problem. Not there (yet) is not a problem: there is nothing
    to read, and creating it goes through :func:`awsenv.fsutil.ensure_private_dir`.
    Refused, never repaired: chmod/chown cannot undo what was planted before.
    """
    if not hasattr(os, "geteuid"):  # Windows: per-user profile directories, ACLs
        return None
    return _unsafe(os.path.abspath(path), private, 0)


def _unsafe(path: str, private: bool, depth: int) -> tuple[str, str] | None:
    uid = os.geteuid()
    here = os.sep
    names = [n for n in path.split(os.sep) if n]
    for i in range(len(names) + 1):
        if i:
            here = os.path.join(here, names[i - 1])
        last = i == len(names)
        try:
            st = os.lstat(here)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            return (here, f"cannot be inspected ({exc.strerror})")
        if stat.S_ISLNK(st.st_mode):
            if st.st_uid not in (0, uid):
                return (here, f"is a symlink owned by another user (uid {st.st_uid})")
            if depth > 16:
                return (here, "is a symlink loop")
            rest = os.sep.join(names[i:])
            target = os.path.realpath(here)
            return _unsafe(os.path.join(target, rest) if rest else target, private, depth + 1)
        if not stat.S_ISDIR(st.st_mode):
            return (here, "is not a directory")
        if st.st_uid != uid and (last or st.st_uid != 0):
            return (here, f"is owned by another user (uid {st.st_uid})")
        mode = st.st_mode
        if mode & 0o002 and (last or not mode & stat.S_ISVTX):
            return (here, "is writable by other users")
        if mode & 0o020 and (last or not mode & stat.S_ISVTX) and not _own_group(st.st_gid):
            return (here, "is writable by its group")
        if last and private and mode & 0o077:
            return (here, "can be entered by other users (the spec asks for 0700)")
    return None


def _own_group(gid: int) -> bool:
    """Is ``gid`` this user's private group (named after the user, no other member)?"""
    if gid != os.getegid():
        return False
    try:
        import grp
        import pwd

        group = grp.getgrgid(gid)
        name = pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return False
    return group.gr_name == name and all(member == name for member in group.gr_mem)


def unsafe_file(st: os.stat_result) -> str | None:
    """Why a state file awsenv is about to read is not to be trusted, or None.

    ``st`` comes from ``fstat`` on the open descriptor, so the verdict is about
    the object actually read: a regular file of this user that no one else
    can write.
    """
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return f"is owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022:
        return "is writable by other users"
    return None


# A state file larger than this is damage, not a record (the largest, a listing
# of thousands of accounts, is a few hundred KiB).
MAX_STATE = 16 << 20


def read_private(path: str) -> bytes | None:
    """The bytes of a state file awsenv wrote, or None when it is not to be used.

    None: missing, in a directory :func:`unsafe_dir` refuses, a symlink
    (``O_NOFOLLOW``), anything but a regular file (a FIFO is never waited on:
    ``O_NONBLOCK``), owned by someone else or writable by others, or
    unreadable. A damaged record is thus simply absent; the caller rewrites it.
    """
    if unsafe_dir(os.path.dirname(os.path.abspath(path))) is not None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if unsafe_file(st) is not None or st.st_size > MAX_STATE:
            return None
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, max(st.st_size + 1 - size, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_STATE:
                return None
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
