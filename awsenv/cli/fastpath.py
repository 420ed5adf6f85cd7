"""Stdlib-only handling of hot commands.

Each handler returns an exit code when it could answer from local state, or
None to fall through to the full CLI (which then imports what it needs).
"""

from __future__ import annotations

import sys

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
