"""Stdlib-only handling of hot commands.

Each handler returns an exit code when it could answer from local state, or
None to fall through to the full CLI (which then imports what it needs).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

# command name -> "module:function"; each module must stay stdlib-only.
FAST: dict[str, str] = {
    "credential-process": "awsenv.creds.fast:credential_process",
    "hook": "awsenv.shells.fasthook:fast_hook",
    "use": "awsenv.shells.fastuse:fast_use",
    "complete": "awsenv.cli.complete_fast:complete",
    "init": "awsenv.shells.initcache:fast_init",
    # The prompt hook's detached refresher (awsenv.shells.refresh.spawn); not for users.
    "_refresh": "awsenv.shells.refresher:main",
}


def try_fast(args: list[str]) -> int | None:
    if not args or args[0] not in FAST:
        return None
    module, _, func = FAST[args[0]].partition(":")
    try:
        __import__(module)  # importlib itself would be one more import on every prompt
    except Exception:  # a broken install: the click path reports it in one line
        return None
    rc: int | None = getattr(sys.modules[module], func)(args[1:])
    return rc


def end(rc: int) -> NoReturn:
    """End the process after a fast path answered, skipping the interpreter's finalisation.

    Tearing down the modules loaded and collecting what they hold costs about 2 ms,
    as much as the hot path's own work; a shell pays it on every prompt that runs
    the hook. The answer is complete by then: every file a fast path writes is
    closed (atomic writes are renamed before the answer is sent), and stdout and
    stderr are flushed here. When the process has more to finish (a thread still
    running, an ``atexit`` handler: the refresher's full path can leave either),
    it exits the normal way instead. A failed flush exits 120, as CPython's own
    exit does.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            rc = rc or 120
    if _nothing_left_to_finish():
        os._exit(rc)
    sys.exit(rc)


def _nothing_left_to_finish() -> bool:
    """No other thread alive and no ``atexit`` handler registered (if unsure: False)."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    atexit = sys.modules.get("atexit")
    if atexit is None:  # never imported: nothing can have registered a handler
        return True
    count = getattr(atexit, "_ncallbacks", None)
    return count is not None and count() == 0
