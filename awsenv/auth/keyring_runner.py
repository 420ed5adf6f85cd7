"""Running keyring work with a deadline the OS keyring cannot break.

A locked Secret Service may wait forever for an unlock prompt nobody sees, and
a getpass-based file store waits forever for a password when no terminal is
attached. A blocked D-Bus or stdin read cannot be cancelled from Python, so the
work (including ``import keyring`` and backend selection) runs in a daemon
thread and the caller simply stops waiting after ``AWSENV_KEYRING_TIMEOUT``
seconds. The CLI then reports the error and exits; daemon threads do not hold
the process open. One deadline covers a whole operation (all pieces of a
chunked value), so the user never waits longer than the setting.

If the abandoned work had switched terminal echo off (getpass), the terminal
settings are restored, so the shell is not left without echo.

While abandoned work is still stuck, later calls in the same process fail at
once with the same error instead of each waiting out the timeout again (a
command touching several sessions would otherwise wait N times). "Same" means
the same keyring-relevant environment, so a process that switched backends, and
each isolated test, starts afresh.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from awsenv.auth import keyring_backend, keyring_errors
from awsenv.errors import ConfigError, KeyringError

log = logging.getLogger("awsenv.secrets")

T = TypeVar("T")
DEFAULT_TIMEOUT = 10.0
_KEYRING_ENV = ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_CONFIG_HOME",
                "XDG_DATA_HOME", "LOCALAPPDATA", "AWSENV_TEST_KEYRING_FILE")
_EnvKey = tuple[str | None, ...]
_stuck: dict[_EnvKey, tuple[threading.Thread, KeyringError, str]] = {}


def _still_stuck() -> tuple[_EnvKey, tuple[threading.Thread, KeyringError, str] | None]:
    key = tuple(os.environ.get(name) for name in _KEYRING_ENV)
    prior = _stuck.get(key)
    if prior is not None and not prior[0].is_alive():
        del _stuck[key]  # it answered after all: try again
        prior = None
    return key, prior


def timeout_seconds() -> float:
    raw = os.environ.get("AWSENV_KEYRING_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e6:
        raise ConfigError(f"AWSENV_KEYRING_TIMEOUT={raw!r} is not a positive number of seconds",
                          "set it to e.g. 10, or unset it for the default")
    return value


class _Terminal:
    """The controlling terminal's settings, to put back if a prompt is abandoned."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.attrs: list[Any] | None = None
        try:
            import termios
        except ImportError:  # Windows: getpass uses msvcrt, nothing to restore
            return
        try:
            self.fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
            self.attrs = termios.tcgetattr(self.fd)
        except (OSError, termios.error):
            self.close()

    @property
    def present(self) -> bool:
        return self.attrs is not None

    def restore(self) -> None:
        if self.fd is not None and self.attrs is not None:
            import termios

            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(self.fd, termios.TCSANOW, self.attrs)

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def run(work: Callable[[Any], T], *, what: str, hide: tuple[str, ...] = (),
        timeout: float | None = None,
        attempt: keyring_backend.Attempt | None = None) -> T:
    """``work(backend)`` in a daemon thread, within ``timeout`` seconds (default: the setting).

    ``hide`` lists secrets that must never appear in an error message. ``attempt``
    lets the caller see which backend was involved even when this raises.
    """
    seconds = timeout_seconds() if timeout is None else timeout
    attempt = attempt if attempt is not None else keyring_backend.Attempt()
    key, stuck = _still_stuck()
    if stuck is not None:
        log.debug("keyring %s: an earlier call is still stuck; not waiting again", what)
        attempt.backend = stuck[2]
        raise KeyringError(stuck[1].message, stuck[1].fix)
    box: dict[str, Any] = {}
    done = threading.Event()

    def worker() -> None:
        try:
            store = keyring_backend.choose(attempt)
            box["result"] = work(store)
        except BaseException as exc:  # reported by the caller's thread
            box["error"] = exc
        finally:
            done.set()

    terminal = _Terminal()
    finished = False
    thread = threading.Thread(target=worker, name=f"awsenv-keyring-{what}", daemon=True)
    try:
        thread.start()
        finished = done.wait(seconds)
    finally:
        if not finished:
            terminal.restore()
        terminal.close()
    if not finished:
        log.debug("keyring %s: no answer within %gs from %s; abandoning the call",
                  what, seconds, attempt.label())
        error = keyring_errors.timed_out(
            seconds, attempt.label(),
            asks_password=keyring_errors.asks_password(attempt.backend),
            terminal=terminal.present)
        _stuck[key] = (thread, error, attempt.backend)
        raise error
    if "error" in box:
        exc = box["error"]
        error = keyring_errors.translate(exc, attempt.label(), selecting=attempt.selecting,
                                         origin=attempt.origin, hide=hide)
        log.debug("keyring %s failed: %s", what, error.message)
        raise error from None
    return box["result"]
