"""Where things live, as plain strings from an environment mapping.

The credential cache hit needs two of these locations and must not pay for
pathlib or dataclasses (several milliseconds on every SDK client start), so
the rules live here once and :class:`awsenv.paths.Paths` wraps them in Path
objects for everything else. stdlib only (platformdirs off XDG systems).
"""

from __future__ import annotations

import os
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
    """tmpfs-backed ``$XDG_RUNTIME_DIR/awsenv`` when the OS has one, else under the cache dir."""
    root = env.get("XDG_RUNTIME_DIR")
    if root and os.path.isdir(root):
        return os.path.join(root, APP)
    return os.path.join(app_dirs(env)[2] if cache_dir is None else cache_dir, "runtime")


def credentials_dir(runtime: str) -> str:
    """Role credential cache: private, in the runtime dir."""
    return os.path.join(runtime, "credentials")


def awsenv_command() -> list[str]:
    """The absolute command that runs this installation of awsenv.

    Baked into shell hooks and ``credential_process`` lines so no PATH lookup or
    shim runs later (credential_process consumers want a real file first).
    """
    exe_dir = os.path.dirname(sys.executable)
    for name in ("awsenv", "awsenv.exe"):
        candidate = os.path.join(exe_dir, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if os.path.basename(argv0).startswith("awsenv") and os.path.isfile(argv0):
        return [os.path.realpath(argv0)]
    return [sys.executable, "-m", "awsenv"]


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
