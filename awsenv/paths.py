"""Where awsenv and the AWS tools keep things.

Computed from an environment mapping so tests (and the sandbox) can point every
location at a temporary tree. stdlib only on XDG systems (platformdirs
elsewhere): this module is on the credential cache hit path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "awsenv"


@dataclass(frozen=True)
class Paths:
    home: Path
    aws_config_file: Path
    aws_sso_cache: Path
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    runtime_dir: Path

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        home = Path(env.get("HOME") or os.path.expanduser("~"))
        cfg = env.get("AWS_CONFIG_FILE")
        aws_config = Path(os.path.expanduser(cfg)) if cfg else home / ".aws" / "config"
        config, data, cache = _app_dirs(env, home)
        runtime_root = env.get("XDG_RUNTIME_DIR")
        if runtime_root and os.path.isdir(runtime_root):
            runtime = Path(runtime_root) / APP
        else:
            runtime = cache / "runtime"
        return cls(
            home=home,
            aws_config_file=aws_config,
            # botocore fixes this at ~/.aws/sso/cache with no override.
            aws_sso_cache=home / ".aws" / "sso" / "cache",
            config_dir=config,
            data_dir=data,
            cache_dir=cache,
            runtime_dir=runtime,
        )

    @property
    def credentials_dir(self) -> Path:
        """Role credential cache: tmpfs-backed runtime dir where the OS has one."""
        return self.runtime_dir / "credentials"

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"


def _app_dirs(env: Mapping[str, str], home: Path) -> tuple[Path, Path, Path]:
    """Config, data and cache directories.

    On XDG systems they are read from ``env`` itself (not os.environ), so a
    sandbox or test can hand a child environment to core code; elsewhere
    platformdirs knows the platform's conventions.
    """
    if sys.platform in ("darwin", "win32"):
        import platformdirs

        return (Path(platformdirs.user_config_dir(APP, appauthor=False)),
                Path(platformdirs.user_data_dir(APP, appauthor=False)),
                Path(platformdirs.user_cache_dir(APP, appauthor=False)))

    def xdg(var: str, default: str) -> Path:
        value = env.get(var, "").strip()
        return Path(value) if value and os.path.isabs(value) else home / default

    return (xdg("XDG_CONFIG_HOME", ".config") / APP,
            xdg("XDG_DATA_HOME", ".local/share") / APP,
            xdg("XDG_CACHE_HOME", ".cache") / APP)


def awsenv_command() -> list[str]:
    """The absolute command that runs this installation of awsenv.

    Baked into shell hooks and ``credential_process`` lines so no PATH lookup or
    shim runs later (credential_process consumers want a real file first).
    """
    exe_dir = Path(sys.executable).parent
    for candidate in (exe_dir / "awsenv", exe_dir / "awsenv.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name.startswith("awsenv") and argv0.is_file():
        return [str(argv0.resolve())]
    return [sys.executable, "-m", "awsenv"]
