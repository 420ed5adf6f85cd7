"""Where awsenv and the AWS tools keep things.

Computed from an environment mapping so tests (and the sandbox) can point every
location at a temporary tree. The rules themselves are in
:mod:`awsenv.locations` (strings, for the credential cache hit).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from awsenv import locations


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
        home = locations.home(env)
        config, data, cache = locations.app_dirs(env)
        return cls(
            home=Path(home),
            aws_config_file=Path(locations.aws_config_file(env)),
            # botocore fixes this at ~/.aws/sso/cache with no override.
            aws_sso_cache=Path(home) / ".aws" / "sso" / "cache",
            config_dir=Path(config),
            data_dir=Path(data),
            cache_dir=Path(cache),
            runtime_dir=Path(locations.runtime_dir(env, cache)),
        )

    @property
    def credentials_dir(self) -> Path:
        """Role credential cache: tmpfs-backed runtime dir where the OS has one."""
        return Path(locations.credentials_dir(str(self.runtime_dir)))

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"


def awsenv_command() -> list[str]:
    """The absolute command that runs this installation of awsenv (see locations)."""
    return locations.awsenv_command()


# In the replacement runtime dir: the refused XDG_RUNTIME_DIR the user was told about.
_TOLD = "runtime-dir-refused"


def runtime_notice(environ: Mapping[str, str], paths: Paths) -> str | None:
    """The one line saying XDG_RUNTIME_DIR was refused, the first time only; else None.

    "Once" is remembered in the replacement dir itself (private, the user's,
    and where every later run looks anyway) by the refused path: a new refusal
    is told again, the same one never, and the prompt hook and
    ``credential_process`` never tell at all (no stderr worth having there).
    """
    refused = locations.runtime_refused(environ)
    if refused is None or not refused[1]:
        return None
    where, why = refused
    marker = paths.runtime_dir / _TOLD
    told = locations.read_private(os.fspath(marker))
    key = os.fsencode(where)
    if told == key:
        return None
    from awsenv import fsutil
    from awsenv.errors import AwsenvError
    from awsenv.textsafe import printable

    with contextlib.suppress(OSError, AwsenvError):  # else told again: better than never
        fsutil.atomic_write(marker, key)
    return printable(f"awsenv: XDG_RUNTIME_DIR {where} {why}; not using it: awsenv keeps "
                     f"its runtime files in {paths.runtime_dir} instead")
