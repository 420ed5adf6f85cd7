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
    """End the process once its command is done, without the interpreter's finalisation.

    Tearing down every loaded module and collecting what they hold costs about 2 ms
    after a fast path (as much as the hook's own work, on every prompt) and 20-50 ms
    after the full path (botocore, keyring). What a normal exit does that matters is
    done here: the ``atexit`` handlers run (logging's flush, ``weakref.finalize``),
    then stdout and stderr are flushed. Every file awsenv writes is closed before its
    command returns (``fsutil.atomic_write``). A thread that is not a daemon is left to
    the normal exit, which waits for it. A failed flush exits 120, as CPython's does.
    """
    if _threads_to_wait_for() or not _ran_exit_handlers():
        sys.exit(rc)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            rc = rc or 120
    os._exit(rc)


def _threads_to_wait_for() -> bool:
    """Another thread is alive and not a daemon (the normal exit would wait for it)."""
    threading = sys.modules.get("threading")
    if threading is None:
        return False
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def _ran_exit_handlers() -> bool:
    """Run the ``atexit`` handlers now, as the normal exit would first; False if unsure how."""
    atexit = sys.modules.get("atexit")
    if atexit is None:  # never imported: nothing can have registered a handler
        return True
    run = getattr(atexit, "_run_exitfuncs", None)
    if run is None:
        return False
    run()  # runs each handler once and clears them, as at a normal exit
    return True
