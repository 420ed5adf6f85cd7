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
