"""The injectable environment that core functions receive.

Modelled on httpie's Environment: tests and the sandbox build one pointing at
temporary paths, an emulator and a fake clock instead of patching globals.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from awsenv.paths import Paths


@dataclass
class Environment:
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    paths: Paths | None = None
    now: Callable[[], float] = time.time
    stdin_isatty: bool = False
    stderr_isatty: bool = False

    def __post_init__(self) -> None:
        if self.paths is None:
            self.paths = Paths.from_environ(self.environ)

    @classmethod
    def from_os(cls) -> Environment:
        return cls(
            environ=dict(os.environ),
            stdin_isatty=sys.stdin.isatty() if sys.stdin else False,
            stderr_isatty=sys.stderr.isatty() if sys.stderr else False,
        )
