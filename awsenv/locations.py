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
