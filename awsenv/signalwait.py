"""Signals reach the main thread, whichever thread the kernel hands them to.

A signal sent to a process (``kill PID``, a supervisor's SIGTERM, a hang-up) is
taken by whichever of its threads the kernel picks. Python's C-level handler then
only notes it; the Python handler runs later, in the main thread, at its next
bytecode. A main thread blocked in ``time.sleep`` or a child's ``wait`` is not woken
when another thread took the signal, so the process outlives the ``kill`` (seen
once under load: `awsenv serve` slept on after a SIGTERM). Two cures, one home:

- :func:`start_shielded` starts a thread with the ending signals blocked in it (a
  thread inherits its creator's mask), so the kernel never picks it. Only for
  threads that start no processes: a child would inherit the mask too.
- :func:`wakeup_fd` + :func:`wait_for`: the C-level handler writes the signal's
  number to the wakeup fd in whatever thread runs it, so a main thread waiting on
  that fd always wakes and learns which signal came. For waits beside threads
  awsenv does not start itself (keyring's workers). No polling.
"""

from __future__ import annotations

import contextlib
import select
import signal
import socket
import threading
from collections.abc import Collection, Iterator

# What ends or interrupts awsenv's long-running commands.
ENDING: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM")
    if hasattr(signal, name))


def start_shielded(thread: threading.Thread) -> None:
    """``thread.start()`` with :data:`ENDING` blocked in the new thread (POSIX)."""
    if not hasattr(signal, "pthread_sigmask"):
        thread.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def wakeup_fd() -> Iterator[socket.socket]:
    """Install a wakeup fd for the block (main thread only); yields its read end.

    A socket pair, not a pipe: Windows takes only a socket as the wakeup fd."""
    read, write = socket.socketpair()
    with read, write:
        write.setblocking(False)  # the C-level handler must never block on it
        previous = signal.set_wakeup_fd(write.fileno(), warn_on_full_buffer=False)
        try:
            yield read
        finally:
            signal.set_wakeup_fd(previous)


def wait_for(read: socket.socket, signums: Collection[int]) -> int:
    """Block until one of ``signums`` arrives, whichever thread took it; return it.

    Their Python handlers become no-ops from here on and stay so (a signal still
    flagged for Python must not raise later; `serve` ends its process right after,
    a caller that goes on restores them). The wakeup fd carries the signal's
    number, and the wait must not depend on the handler running soon. Before 3.12
    it may not: another thread that takes the GIL can clear the main thread's
    pending-signal flag, so a handler that raises could run only much later (seen on
    3.10: `serve` slept on after SIGTERM).
    """
    for signum in signums:
        signal.signal(signum, _ignore)
    while True:
        select.select([read], [], [])
        for number in read.recv(512):
            if number in signums:
                return number


def _ignore(_signum: int, _frame: object) -> None:
    """The handler while :func:`wait_for` waits: the wakeup fd says what came."""
