"""Where awsenv and the AWS tools keep things.

Computed from an environment mapping so tests (and the sandbox) can point every
location at a temporary tree. stdlib + platformdirs only: this module is on the
credential cache hit path.
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
        import platformdirs

        env = os.environ if environ is None else environ
        home = Path(env.get("HOME") or os.path.expanduser("~"))
        cfg = env.get("AWS_CONFIG_FILE")
        aws_config = Path(os.path.expanduser(cfg)) if cfg else home / ".aws" / "config"
        cache = Path(platformdirs.user_cache_dir(APP, appauthor=False))
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
            config_dir=Path(platformdirs.user_config_dir(APP, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP, appauthor=False)),
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
