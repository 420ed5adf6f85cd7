"""Run `exec --server`'s command as a child and pass signals and its end through.

Plain `awsenv exec` becomes the command (``execve``); with ``--server`` awsenv
must stay alive to serve the endpoint, so it waits for a child instead and
makes that invisible:

- signals another process sends awsenv (``kill``, a supervisor, ``timeout``)
  go on to the command; those the terminal sends the whole foreground group
  (Ctrl-C, Ctrl-\\, a hang-up) already reached it and are not sent twice. On
  Linux ``sigtimedwait`` tells them apart by ``si_code`` (> 0: the kernel);
  elsewhere Ctrl-C and Ctrl-\\ are left to the terminal and the rest forwarded;
- the command's exit code is awsenv's; a command killed by a signal kills
  awsenv with the same signal, so a shell sees what it would have seen.

The signals are blocked in the calling thread *before* the endpoint's threads
start (they inherit the mask), so none of them can take one; the child is
started with ``posix_spawn`` and an empty mask, default dispositions for the
signals Python ignores (SIGPIPE, SIGXFSZ), and awsenv's stdin/stdout/stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence

FORWARDED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1",
                                       "SIGUSR2", "SIGBREAK") if hasattr(signal, name))
# Sent by the terminal to the foreground process group (the child is in it).
TERMINAL = tuple(getattr(signal, n) for n in ("SIGINT", "SIGQUIT") if hasattr(signal, n))
_PRECISE = hasattr(signal, "sigtimedwait") and hasattr(signal, "pthread_sigmask")
_RESET = tuple(getattr(signal, n) for n in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, n))


class Relay:
    """``with Relay() as relay:`` block signals, start threads, ``relay.run(...)``."""

    def __init__(self) -> None:
        self._pid: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._blocked = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Relay:
        if _PRECISE:
            signal.pthread_sigmask(signal.SIG_BLOCK, {*FORWARDED, signal.SIGCHLD})
            self._blocked = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        """Signals back to how they were (before awsenv ends or re-raises one)."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()
        if self._blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {*FORWARDED, signal.SIGCHLD})
            self._blocked = False

    def run(self, program: str, argv: Sequence[str], environ: Mapping[str, str]) -> int:
        """Run the command to its end; its wait status as ``os.waitstatus_to_exitcode``
        gives it (negative: killed by that signal). Raises OSError if it cannot start."""
        if not hasattr(os, "posix_spawn"):
            return self._run_popen(program, argv, environ)
        self._pid = os.posix_spawn(program, list(argv), dict(environ), setsigmask=(),
                                   setsigdef=_RESET)
        for signum in FORWARDED:  # a lingering thread that takes one still passes it on
            self._previous[signum] = signal.signal(signum, self._fallback)
        if _PRECISE:
            return self._wait_precise()
        return self._wait()

    def _fallback(self, signum: int, _frame: object) -> None:
        if not _PRECISE and signum in TERMINAL:
            return  # the terminal sent it to the child as well
        self._send(signum)

    def _send(self, signum: int) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signum)

    def _wait_precise(self) -> int:
        assert self._pid is not None
        watched = {*FORWARDED, signal.SIGCHLD}
        while True:
            status = self._reap()
            if status is not None:
                return status
            info = signal.sigtimedwait(watched, 1.0)
            if info is None or info.si_signo == signal.SIGCHLD:
                continue
            if info.si_code > 0 and info.si_signo in (*TERMINAL, signal.SIGHUP):
                continue  # from the terminal (SI_KERNEL): the child's group got it too
            self._send(info.si_signo)

    def _reap(self) -> int | None:
        assert self._pid is not None
        pid, status = os.waitpid(self._pid, os.WNOHANG)
        if pid == 0:
            return None
        self._pid = None
        return os.waitstatus_to_exitcode(status)

    def _wait(self) -> int:
        assert self._pid is not None
        _, status = os.waitpid(self._pid, 0)  # handlers run between retries (PEP 475)
        self._pid = None
        return os.waitstatus_to_exitcode(status)

    def _run_popen(self, program: str, argv: Sequence[str], environ: Mapping[str, str]) -> int:
        self._proc = proc = subprocess.Popen([program, *argv[1:]], env=dict(environ))
        self._pid = proc.pid
        for signum in FORWARDED:
            self._previous[signum] = signal.signal(signum, lambda s, _f: proc.send_signal(s))
        code = proc.wait()
        self._pid = None
        return code


def end_like(code: int) -> int:
    """Make this process end as the child did: killed by its signal, else its exit code.

    Returns the code to exit with when the signal did not end the process (one it
    ignores for good, or an OS without them): 128 + the signal number, as shells report.
    """
    if code >= 0:
        return code
    signum = -code
    try:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    except (OSError, ValueError):
        pass
    return 128 + signum
