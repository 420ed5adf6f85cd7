"""The picker's library loads on the picker's path only (issue #15).

prompt_toolkit costs ~90 ms to import: the prompt hook, `awsenv use P` (warm
and full), the credential cache hit and completion must never pay it, nor
load the picker's modules at all; `awsenv use` without a profile loads the
picker's modules to ask whether a terminal is there, and prompt_toolkit only
when one is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_use_fast import PROBE, USE, warm

from awsenv.digest import sha1
from awsenv.errors import ExitCode
from awsenv.paths import Paths

PICKER = ("prompt_toolkit", "wcwidth", "awsenv.picker", "awsenv.choices")


def loaded_by(args: list[str], extra: dict[str, str] | None = None) -> tuple[set[str], int]:
    """The modules ``awsenv ARGS`` loads beyond the interpreter (stdin not a terminal)."""
    res = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                         stdin=subprocess.DEVNULL, env={**os.environ, **(extra or {})},
                         timeout=120, check=False)
    return set(res.stderr.decode().rpartition("LOADED=")[2].strip().split(",")), res.returncode


def picker_modules(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in PICKER[:2] or m in PICKER[2:])


def signed_token() -> None:
    """An access token file valid for hours: the cache hit answers without the full path."""
    cache = Paths.from_environ(os.environ).aws_sso_cache
    cache.mkdir(parents=True, exist_ok=True)
    (cache / (sha1(b"corp").hexdigest() + ".json")).write_text(
        '{"accessToken": "t", "expiresAt": "2099-01-01T00:00:00Z"}')


@pytest.mark.parametrize("case", ["use-warm", "use-full", "hook", "hit", "complete"])
def test_hot_paths_never_load_the_picker(plain_config: Path, case: str) -> None:
    warm("dev")
    signed_token()
    shell = {"_AWSENV_FOUND": "", "_AWSENV_PID": "4242", "TERM": "xterm"}
    args = {"use-warm": [*USE, "dev"],
            "use-full": ["use", "--emit", "--protocol", "1", "dev"],
            "hook": ["hook", "--protocol", "1", "bash"],
            "hit": ["credential-process", "--profile", "dev"],
            "complete": ["complete", "profiles"]}[case]
    loaded_by(args, shell)  # a new shell's first answer creates its reference file
    loaded, rc = loaded_by(args, shell)
    assert rc == 0
    assert picker_modules(loaded) == []
    if case == "hit":  # it was the hit, not the full path
        assert "awsenv.creds.fast" in loaded and "botocore" not in loaded


def test_use_without_a_profile_asks_for_a_terminal_first(plain_config: Path) -> None:
    loaded, rc = loaded_by(["use", "--emit", "--protocol", "1"],
                           {"_AWSENV_FOUND": "", "TERM": "xterm"})
    assert rc == ExitCode.USAGE  # no terminal: the one-line list, as before
    assert "awsenv.picker" in loaded
    assert not any(m.split(".")[0] == "prompt_toolkit" for m in loaded)
