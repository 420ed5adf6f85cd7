"""How long one command may wait for IAM Identity Center, and who hears about the wait.

Timeouts per attempt are not enough: botocore retries, the portal lister
retries, and a slow service then costs attempts × read timeout (four tries of
10 s froze a shell for 40 s). So each command gets one total budget, retries
included, that every call to the service draws from (``auth.clients`` caps
each attempt's read timeout at what is left and refuses to start an attempt
once it is spent):

- commands: ``AWSENV_DEADLINE`` seconds (default 30);
- what a prompt waits on (`awsenv use`, the prompt hook): ``AWSENV_PROMPT_DEADLINE``
  (default 5), its own short bound;
- `list`/`sync` make one call per account, so an answer renews the budget
  (:func:`renew`): they stop once that long passes without any answer; so does
  the time a person takes to approve a sign-in.

The budget runs only once an entry point calls :func:`begin` (the CLI, the hook,
the detached refresher): library callers and in-process tests get per-attempt
timeouts only. Its clock starts at the command's first attempt to reach the
service (:func:`attempt`), not at :func:`begin`: the interpreter, imports and
botocore's set-up are local work, and on a loaded machine they alone took
more than a 1 s budget before a request was sent. Core code reports slow calls
and retries to one listener the edge installs (:func:`listen`), which decides
whether a person sees a line.
Stdlib only (imported by the prompt hook).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping

VAR = "AWSENV_DEADLINE"
PROMPT_VAR = "AWSENV_PROMPT_DEADLINE"
DEFAULT = 30.0
PROMPT_DEFAULT = 5.0
MAX = 3600.0

# (event, operation, attempt, attempts, reason): event is "send" (an attempt
# starts), "done" (it ended, answered or not) or "retry" (another attempt follows).
Listener = Callable[[str, str, int, int, str], None]

_armed = False  # a budget runs (begin): its clock starts at the first attempt
_started: float | None = None
_prompt = False
_listener: Listener | None = None


def begin(*, prompt: bool = False) -> None:
    """This command has a budget (``prompt``: the short bound of `use`/the hook); its
    clock starts at the first attempt (:func:`attempt`)."""
    global _armed, _started, _prompt
    _armed, _started, _prompt = True, None, prompt


def end() -> None:
    """No budget any more (tests, long-running servers)."""
    global _armed, _started
    _armed, _started = False, None


def attempt() -> None:
    """An attempt to reach the service is about to start: the clock runs from the first."""
    global _started
    if _armed and _started is None:
        _started = time.monotonic()


def renew() -> None:
    """An answer arrived (listing) or a person finished approving: the full budget again."""
    global _started
    if _armed:
        _started = time.monotonic()


def variable() -> str:
    return PROMPT_VAR if _prompt else VAR


def limit(environ: Mapping[str, str] | None = None) -> float:
    """The budget in seconds; a bad value is a ConfigError naming the variable."""
    return seconds_setting(os.environ if environ is None else environ, variable(),
                           PROMPT_DEFAULT if _prompt else DEFAULT)


def seconds_setting(environ: Mapping[str, str], name: str, default: float,
                    maximum: float = MAX) -> float:
    """A number of seconds from ``environ[name]`` (unset: ``default``), the one rule for
    every such setting (deadlines here, timeouts in ``auth.clients``): above 0, at
    most ``maximum``; anything else is a ConfigError naming the variable."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= maximum:  # also refuses nan and inf
        from awsenv.errors import ConfigError

        raise ConfigError(f"{name}={raw!r} is not a number of seconds above 0",
                          f"set it to seconds, e.g. {name}={default:g}, or unset it")
    return value


def remaining(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds left (may be negative), or None when no budget runs; all of it before
    the first attempt."""
    if not _armed:
        return None
    if _started is None:
        return limit(environ)
    return _started + limit(environ) - time.monotonic()


def passed(action: str, environ: Mapping[str, str] | None = None,
           service: str = "IAM Identity Center") -> Exception:
    """The error for a spent budget: "timed out" (exit 6) in awsenv's one vocabulary
    (``awsenv.errors``), like a read timeout, so the caller keeps the session and caches."""
    from awsenv import errors

    return errors.service_failed(
        service, action, errors.TIMED_OUT,
        f"no answer within {limit(environ):g} s, {variable()}, retries included",
        f"retry; on a slow network raise {variable()} (seconds)")


def listen(listener: Listener | None) -> None:
    """Install the edge's listener (one per process; None removes it)."""
    global _listener
    _listener = listener


def report(event: str, operation: str, attempt: int = 1, attempts: int = 1,
           reason: str = "") -> None:
    listener = _listener
    if listener is not None:
        listener(event, operation, attempt, attempts, reason)
