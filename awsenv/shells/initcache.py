"""``awsenv init SHELL`` served from the last rendering, before click and jinja2 load.

Every new shell runs ``eval "$(awsenv init bash)"``; rendering costs click and
jinja2 (~80 ms), which users pay at every terminal tab. The rendering depends
only on awsenv's version, the command baked in, and the template and module
files below, so a copy keyed by all of them is exactly as good as a fresh one.
Any change to one of them (an upgrade, an edited template in a checkout, a
moved virtual environment) changes the key and the next run renders again.

The cached text is shell code the user's rc evaluates, so it is only served
from a file the user owns that nobody else can write. stdlib only.

For bash, zsh and fish the file can also be sourced directly from the rc file,
which saves the interpreter start too: a rendered prologue
(``shell/initcache/<shell>.j2``) then checks with the shell's builtin ``-nt``
that no file the rendering depends on is newer than the copy, and renders
again through awsenv if one is.
"""

from __future__ import annotations

import os
import sys

from awsenv import __version__, locations

# Modules whose constants the init template is rendered with.
_SOURCES = ("init.py", "records.py", "state.py", "quote.py", "templates.py", "initcache.py")
_HEADER = "# awsenv init cache "
# Ends the prologue of a directly sourceable copy; the script served follows it.
_BODY = "# awsenv init script\n"


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def dependencies(shell: str, command: list[str]) -> list[str]:
    """Every file the cached script for ``shell`` was rendered from or bakes in."""
    here = os.path.dirname(os.path.abspath(__file__))
    templates = locations.template_dir()
    deps = [command[0]] if os.path.isabs(command[0]) else []
    deps += [os.path.join(templates, "init", f"{shell}.j2"),
             os.path.join(templates, "initcache", f"{shell}.j2"),
             os.path.join(os.path.dirname(here), "__init__.py")]
    return deps + [os.path.join(here, name) for name in _SOURCES]


def key(shell: str, command: list[str]) -> str:
    """One line naming everything the rendering of ``init/<shell>.j2`` depends on."""
    from awsenv.digest import sha256

    parts = [__version__, "\0".join(command)]
    parts += [_stat(path) for path in dependencies(shell, command)]
    return sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def cache_file(shell: str, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    _config, _data, cache = locations.app_dirs(env)
    return os.path.join(cache, "init", f"{shell}.sh")


def load(shell: str, environ: dict[str, str] | None = None) -> str | None:
    """The cached init script for ``shell`` if it is current and safe to serve, else None."""
    try:
        if not os.path.isfile(os.path.join(locations.template_dir(), "init", f"{shell}.j2")):
            return None  # not a shell we know: let click say so
        # Shell code the shell will run: only awsenv's own plain file in a cache
        # dir no one else controls (never a link, a FIFO or someone's planted script).
        data = locations.read_private(cache_file(shell, environ))
        if data is None:
            return None
        text = data.decode("utf-8")
    except (OSError, ValueError):
        return None
    first, _, rest = text.partition("\n")
    _prologue, marker, body = rest.partition(_BODY)
    if first != _HEADER + key(shell, locations.awsenv_command()) or not marker or not body:
        return None
    return body


def store(shell: str, script: str, command: list[str],
          environ: dict[str, str] | None = None) -> None:
    """Keep ``script`` (rendered for ``command``) for the next ``awsenv init``; best effort."""
    import contextlib
    from pathlib import Path

    from awsenv import fsutil

    prologue = ""
    if os.path.isfile(os.path.join(locations.template_dir(), "initcache", f"{shell}.j2")):
        from awsenv.shells import templates

        prologue = templates.render(f"initcache/{shell}.j2", command=command,
                                    deps=dependencies(shell, command))
    # A read-only (or refused) cache dir only costs the next shell a render.
    from awsenv.errors import AwsenvError

    with contextlib.suppress(OSError, AwsenvError):
        fsutil.atomic_write(Path(cache_file(shell, environ)),
                            f"{_HEADER}{key(shell, command)}\n{prologue}{_BODY}{script}")


def fast_init(args: list[str]) -> int | None:
    """``awsenv init SHELL`` from the cache; None (render through click) on any miss."""
    if len(args) != 1 or args[0].startswith("-"):
        return None
    script = load(args[0])
    if script is None:
        return None
    try:
        sys.stdout.write(script)
        sys.stdout.flush()
    except OSError:
        return 1
    return 0
