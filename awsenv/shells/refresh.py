"""Refreshes the prompt hook hands off, so a prompt never waits on the keyring.

Refreshing an access token needs the refresh token from the OS keyring, which
can block on an unlock prompt nobody sees (keyring.md §2). The hook therefore
never does it itself: it starts this module detached (new session, no
terminal), answers the prompt at once, and watches the result file this
writes when done; the next prompt applies the fresh token or credentials from
the caches, or shows one line if the sign-in has ended. Never a browser.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

from awsenv import fsutil, locations
from awsenv.environment import Environment
from awsenv.paths import Paths

# The hidden command that runs a refresh (awsenv.cli.fastpath dispatches it to
# awsenv.shells.refresher, the detached process's side).
COMMAND = "_refresh"


def result_path(paths: Paths, profile: str, mode: str) -> Path:
    key = f"{paths.aws_config_file}\0{profile}\0{mode}".encode("utf-8", "surrogateescape")
    return paths.runtime_dir / "refresh" / (hashlib.sha256(key).hexdigest()[:32] + ".json")


def spawn(env: Environment, profile: str, mode: str) -> str:
    """Start the detached refresher; the result file the hook should watch."""
    assert env.paths is not None
    path = result_path(env.paths, profile, mode)
    fsutil.ensure_private_dir(path.parent)
    fsutil.remove(path)
    environ = {k: v for k, v in env.environ.items() if not k.startswith("_AWSENV_")}
    # Never `python -m` in the shell's directory: that would import a cloned
    # repository's json.py as the user. The isolated command, run from the
    # private directory the result lands in.
    subprocess.Popen(
        [*locations.awsenv_command(), COMMAND, profile, mode],
        env=environ, cwd=os.fspath(path.parent), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        close_fds=True,
    )
    return os.fspath(path)


def wait(path: str, timeout: float) -> dict[str, object] | None:
    """The refresher's result if it arrives within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        result = fsutil.read_json(Path(path))
        if result is not None or time.monotonic() >= deadline:
            return result
        time.sleep(0.02)
