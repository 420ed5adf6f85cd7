"""Time from starting a command on a real terminal until it shows a given text.

The picker draws on the terminal (``/dev/tty``), so its first screen can only
be timed there: the command runs with a pseudo-terminal as its controlling
terminal, stdin and stderr (stdout stays a pipe, as under the shell hook), and
the clock stops when the text is among what it wrote to the terminal. Then Esc
leaves it and the process is reaped, outside the measured time.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence

CPR_ASK = b"\x1b[6n"  # a cursor position request: a terminal answers it, so this does
CPR_ANSWER = b"\x1b[1;1R"


def _controlling_tty() -> None:
    """In the child, after setsid: make stdin (the pty) its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _drain(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the child closed its end
        return b""


def first_screen(argv: Sequence[str], env: Mapping[str, str], expect: bytes,
                 leave: bytes = b"\x1b", timeout: float = 60.0,
                 rows: int = 24, cols: int = 100) -> tuple[float, int]:
    """(ms until ``expect`` is on the terminal, the exit code after ``leave`` was typed)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=dict(env), stdin=slave, stderr=slave,
                                stdout=subprocess.PIPE, start_new_session=True,
                                preexec_fn=_controlling_tty)
        os.close(slave)
        slave = -1
        deadline = start + timeout
        while expect not in seen:
            if time.perf_counter() > deadline or proc.poll() is not None:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"{argv[0]} never showed {expect!r}: {seen[-400:]!r}")
            chunk = _drain(master, 0.5)
            if CPR_ASK in chunk:
                os.write(master, CPR_ANSWER)
            seen += chunk
        elapsed = (time.perf_counter() - start) * 1000
        os.write(master, leave)
        assert proc.stdout is not None
        while proc.poll() is None:
            if CPR_ASK in _drain(master, 0.1):
                os.write(master, CPR_ANSWER)
        proc.stdout.read()
        proc.stdout.close()
        return elapsed, proc.wait()
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
