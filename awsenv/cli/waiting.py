"""Lines on a terminal while IAM Identity Center is slow (the edge's deadline listener).

A person staring at a silent terminal for 40 s cannot tell a slow service from
a hang. Once a call has taken more than about a second this says so on stderr,
and each retry after that gets its own line ("retry 2/4 (timed out)"). Only on
an interactive stderr: scripts, SDKs and pipes get nothing. Stdlib only (the
prompt hook and `awsenv use` install it too); no click.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

from awsenv import deadline

if TYPE_CHECKING:
    import threading

SLOW = 1.0  # seconds a call may take before a person hears about it


class Waiting:
    """The listener: one "waiting" line per command, then a line per retry."""

    def __init__(self, stream: TextIO, delay: float = SLOW) -> None:
        import threading

        self._threading = threading
        self.stream = stream
        self.delay = delay
        self._lock = threading.Lock()
        self._shown = False
        self._said_waiting = False
        self._timers: dict[int, threading.Timer] = {}
        self._since: dict[int, float] = {}

    def __call__(self, event: str, operation: str, attempt: int, attempts: int,
                 reason: str) -> None:
        me = self._threading.get_ident()
        with self._lock:
            if event == "send":
                now = time.monotonic()
                if attempt <= 1:
                    self._since[me] = now
                self._cancel(me)
                if not self._shown:
                    left = self.delay - (now - self._since.get(me, now))
                    timer = self._threading.Timer(max(left, 0.0), self._slow, (operation,))
                    timer.daemon = True
                    self._timers[me] = timer
                    timer.start()
            elif event == "done":
                self._cancel(me)
            elif event == "retry":
                self._cancel(me)
                waited = time.monotonic() - self._since.get(me, time.monotonic())
                if self._shown or waited >= self.delay:
                    self._waiting(operation)
                    why = f" ({reason})" if reason else ""
                    self._say(f"awsenv: waiting for IAM Identity Center… "
                              f"retry {attempt}/{attempts}{why}")

    def _cancel(self, me: int) -> None:
        timer = self._timers.pop(me, None)
        if timer is not None:
            timer.cancel()

    def _slow(self, operation: str) -> None:
        with self._lock:
            self._waiting(operation)

    def _waiting(self, operation: str) -> None:
        """The one "waiting" line of this command (caller holds the lock)."""
        if self._said_waiting:
            return
        self._said_waiting = True
        try:
            budget = f"; gives up after {deadline.limit():g} s" \
                if deadline.remaining() is not None else ""
        except Exception:  # a bad AWSENV_DEADLINE: the call itself reports it
            budget = ""
        self._say(f"awsenv: waiting for IAM Identity Center ({operation}{budget})…")

    def _say(self, line: str) -> None:
        self._shown = True
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        with self._lock:
            for me in list(self._timers):
                self._cancel(me)


def install(stream: TextIO | None = None) -> None:
    """Listen for slow calls when ``stream`` (default stderr) is a terminal.

    The listener is built on the first call to the service, so the prompt hook,
    which installs it and almost never calls out, pays for no thread machinery.
    """
    stream = sys.stderr if stream is None else stream
    try:
        interactive = stream is not None and stream.isatty()
    except (OSError, ValueError):
        interactive = False
    if not interactive:
        deadline.listen(None)
        return
    built: list[Waiting] = []

    def first(event: str, operation: str, attempt: int, attempts: int, reason: str) -> None:
        if not built:
            built.append(Waiting(stream))
            deadline.listen(built[0])
        built[0](event, operation, attempt, attempts, reason)

    deadline.listen(first)
