"""Errors the user can act on, and the exit codes scripts can rely on.

Every user-facing failure is an :class:`AwsenvError`: one line saying what went
wrong and one short fix. The CLI prints it on stderr and exits with ``code``;
no traceback unless ``--debug``. Messages must never contain secrets.
"""

from __future__ import annotations

from enum import IntEnum

from awsenv.textsafe import printable as printable  # re-exported


class ExitCode(IntEnum):
    """Documented exit codes (README "Exit codes")."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_SIGNED_IN = 3
    CONFIG = 4
    KEYRING = 5
    SERVICE = 6
    TIMEOUT = 7
    UNTRUSTED = 8
    LOGIN_FAILED = 9
    INTERRUPTED = 130


class AwsenvError(Exception):
    """A failure with a one-line explanation and the fix to try."""

    code: ExitCode = ExitCode.ERROR
    # A second line the edge shows after ``line()``: a likely cause worth naming
    # (a wrong sso_region behind a sign-in that timed out), never a secret.
    hint: str | None = None

    def __init__(self, message: str, fix: str | None = None, code: ExitCode | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        if code is not None:
            self.code = code

    def line(self) -> str:
        """The single line shown to the user."""
        text = printable(self.message.replace("\n", " ").strip())
        if self.fix:
            return f"{text}; {printable(self.fix)}"
        return text

    def __str__(self) -> str:
        return self.line()


class ConfigError(AwsenvError):
    code = ExitCode.CONFIG


class NotSignedIn(AwsenvError):
    code = ExitCode.NOT_SIGNED_IN


class KeyringError(AwsenvError):
    code = ExitCode.KEYRING


class ServiceError(AwsenvError):
    code = ExitCode.SERVICE


class LoginFailed(AwsenvError):
    code = ExitCode.LOGIN_FAILED


class UntrustedError(AwsenvError):
    code = ExitCode.UNTRUSTED


class TimeoutError_(AwsenvError):
    code = ExitCode.TIMEOUT


# -- One vocabulary for a call to a service that failed (exit 6) ---------------------------
# Each cause has one wording and one fix wherever it happens: sign-in, refresh, role
# credentials, listing, `status --check`, the console link, the retry lines on a
# terminal. A refused connection never mentions throttling; a slow one always says
# "timed out". `auth.clients.cause` sorts botocore's exceptions into these.
UNREACHABLE = "could not connect"
TIMED_OUT = "timed out"
THROTTLED = "throttled"
DROPPED = "connection dropped"
SERVER = "server error"

CAUSE_FIXES = {
    UNREACHABLE: "check the network, a proxy (HTTPS_PROXY) or an AWS_ENDPOINT_URL_* setting, "
                 "then retry",
    TIMED_OUT: "retry; on a slow network raise AWSENV_READ_TIMEOUT (seconds per attempt)",
    THROTTLED: "wait a minute and retry; other tools may share the request quota "
               "(AWSENV_TPS lowers awsenv's own rate)",
    DROPPED: "retry; if it keeps happening, check the network or proxy",
    SERVER: "retry in a while; AWS may be having a problem",
}
OTHER_FIX = "retry; if it persists, rerun with --debug and report it"


def os_cause(exc: BaseException) -> str:
    """An OSError/urllib failure (no botocore: the console link, doctor) in these words."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return TIMED_OUT
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
        return DROPPED
    return UNREACHABLE  # refused, no route, unknown host, TLS


def service_failed(service: str, action: str, cause: str, detail: str = "",
                   fix: str | None = None) -> ServiceError:
    """``SERVICE ACTION failed: CAUSE (DETAIL); FIX``: the one line for every cause above.

    ``cause`` is one of the words above (or an error code the service sent);
    ``detail`` says more of the same cause ("HTTP 503", "3 tries") and never
    carries service text (it could echo request fields, tokens among them).
    """
    shown = f"{cause} ({detail})" if detail else cause
    return ServiceError(f"{service} {action} failed: {shown}",
                        fix or CAUSE_FIXES.get(cause, OTHER_FIX))
