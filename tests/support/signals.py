"""Signal dispositions the suite hands to the processes its tests start."""

from __future__ import annotations

import signal

# What a shell without job control (`make test &` in a script) or nohup leaves ignored.
INHERITED_IGNORED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGQUIT", "SIGHUP")
                          if hasattr(signal, name))


def _ignored(signum: int, frame: object) -> None:
    """Does nothing: the process that calls unignore_for_children still ignores the signal."""


def unignore_for_children() -> None:
    """Catch (with a no-op) each of INHERITED_IGNORED that this process ignores.

    An ignored signal stays ignored across exec, so a suite started in the background
    gave every awsenv, shell and server it started a SIGINT they could not receive, and
    every Ctrl-C test failed. A caught signal is reset to the default at exec: catching
    it with a handler that does nothing keeps this process as the user started it and
    gives its children the dispositions a user's terminal gives them.
    """
    for signum in INHERITED_IGNORED:
        if signal.getsignal(signum) is signal.SIG_IGN:
            signal.signal(signum, _ignored)
