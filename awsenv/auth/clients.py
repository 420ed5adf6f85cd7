"""boto3 clients for Identity Center sign-in (sso-oidc), the portal (sso) and STS.

One place decides timeouts, retries and signing so no caller can forget them:
a hung endpoint must never hang a shell prompt or a credential_process call.
Endpoint overrides (``AWS_ENDPOINT_URL_*``, ``[services]``) are botocore's job;
we only hand it the region. botocore reads them from the process environment
(``os.environ``), which ``Environment.from_os()`` mirrors. boto3/botocore are
imported inside functions because this module is imported on the warm path.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from awsenv import deadline, errors
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ServiceError

if TYPE_CHECKING:
    from botocore.client import BaseClient

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0  # Identity Center answers in well under a second
# Users (and CI) shorten or lengthen them per process: a hanging service then costs
# attempts × read timeout instead of attempts × 10 s.
CONNECT_TIMEOUT_VAR = "AWSENV_CONNECT_TIMEOUT"
READ_TIMEOUT_VAR = "AWSENV_READ_TIMEOUT"
MAX_TIMEOUT = 3600.0

IDENTITY_CENTER = "IAM Identity Center"
# What a failure line calls each service (a chained role's AssumeRole is STS's, and its
# fix is STS's endpoint, not Identity Center's).
SERVICE_LABELS = {"sso": IDENTITY_CENTER, "sso-oidc": IDENTITY_CENTER, "sts": "AWS STS"}

# Error codes that mean "the service is busy or broken right now": worth keeping
# cached state and trying again later, never a reason to sign the user out.
TRANSIENT_CODES = frozenset({
    "InternalServerException", "ServiceUnavailableException", "TooManyRequestsException",
    "ThrottlingException", "Throttling", "RequestTimeout", "RequestTimeoutException",
    "500", "502", "503", "504", "429",
})


# The process's botocore session, with what it was made from. A session parses the AWS
# config itself (about a second at 15,000 profiles), and its first client costs ~35 ms
# even with the models already parsed (botoloader), a second one ~4 ms. So every client
# of a process shares one, made again only when what botocore read to build it changed
# (the AWS_* variables, HOME, the config and credentials files).
_SHARED: tuple[tuple[object, ...], Any] | None = None
# botocore sessions are not thread-safe (`serve` fetches from handler threads).
_LOCK = threading.Lock()


def _session_key() -> tuple[object, ...]:
    """What a botocore session was built from: it reads os.environ, not Environment."""
    environ = os.environ
    files = []
    for var, default in (("AWS_CONFIG_FILE", "~/.aws/config"),
                         ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")):
        path = os.path.expanduser(environ.get(var) or default)
        try:
            st = os.stat(path)
            files.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            files.append((path, None))
    return (tuple(sorted((k, v) for k, v in environ.items()
                         if k.startswith("AWS_") or k == "HOME")), tuple(files))


def _session(env: Environment) -> Any:
    """The process's botocore session (see _SHARED); call with _LOCK held.

    An unknown AWS_PROFILE must not break sign-in: the active profile only
    contributes endpoint overrides here, so when it does not exist (a shell
    exported a profile that was since removed) we fall back to no profile
    instead of failing with ProfileNotFound.
    """
    global _SHARED
    key = _session_key()
    if _SHARED is not None and _SHARED[0] == key:
        return _SHARED[1]
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    from awsenv.auth import botoloader

    session = botocore.session.Session()
    try:
        session.get_scoped_config()
    except ProfileNotFound:
        session = botocore.session.Session()
        session.get_component("config_store").set_config_variable("profile", None)
    # Models and endpoints parsed once per process, not once per session (botoloader).
    session.register_component("data_loader",
                               botoloader.shared(session.get_config_variable("data_path")))
    _SHARED = (key, session)
    return session


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    return deadline.seconds_setting(environ, name, default, MAX_TIMEOUT)


def timeouts(env: Environment) -> tuple[float, float]:
    """(connect, read) seconds: AWSENV_CONNECT_TIMEOUT / AWSENV_READ_TIMEOUT or the defaults.

    A bad value is a ConfigError naming the variable, raised before any request.
    """
    return (_seconds(env.environ, CONNECT_TIMEOUT_VAR, CONNECT_TIMEOUT),
            _seconds(env.environ, READ_TIMEOUT_VAR, READ_TIMEOUT))


def _config(env: Environment, *, unsigned: bool, attempts: int | None = None,
            read_timeout: float | None = None) -> Any:
    """botocore Config; ``read_timeout`` caps the user's read timeout (never raises it)."""
    from botocore import UNSIGNED
    from botocore.config import Config

    connect, read = timeouts(env)
    if read_timeout is not None:
        read = min(read, read_timeout)
    left = deadline.remaining(env.environ)
    if left is not None:  # never wait past the command's budget (before_send cuts reads later)
        connect = min(connect, max(left, 0.1))
        read = min(read, max(left, 0.1))
    retries: dict[str, Any] = {"mode": "standard"}
    if attempts is not None:
        # Total attempts, first one included (botocore's "max_attempts" would
        # count retries only); below 1 means a single attempt.
        retries["total_max_attempts"] = max(1, attempts)
    kwargs: dict[str, Any] = {
        "connect_timeout": connect,
        "read_timeout": read,
        "retries": retries,
    }
    if unsigned:
        kwargs["signature_version"] = UNSIGNED
    return Config(**kwargs)


def _attempts(session: Any, attempts: int | None) -> int:
    """Total tries per call as botocore will make them (for "retry 2/4")."""
    if attempts is not None:
        return max(1, attempts)
    try:
        return max(1, int(session.get_config_variable("max_attempts") or 3))
    except (TypeError, ValueError):
        return 3


def _cause_of(exception: BaseException | None,
              response: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(cause, detail) of an attempt that failed, None for one that did not."""
    if exception is not None:
        return None if isinstance(exception, AwsenvError) else cause(exception)
    status = int(((response or {}).get("status_code")) or 0)
    if status < 300:
        return None
    body = (response or {}).get("body") or b""
    throttled = isinstance(body, bytes) and any(c.encode() in body for c in THROTTLE_CODES
                                                if not c.isdigit())
    return status_cause(429 if throttled else status, None)[0], f"HTTP {status}"


def _why(exception: BaseException | None, response: Mapping[str, Any] | None) -> str:
    """Why an attempt failed, for the retry line: the words of ``cause`` (no service text)."""
    found = _cause_of(exception, response)
    if found is None:
        return ""
    word, detail = found
    return f"{word}, {detail}" if detail and word != detail else word


def _watched(env: Environment, client: BaseClient, session: Any,
             attempts: int | None) -> BaseClient:
    """Hold every attempt of every call to the command's deadline and report it.

    Before each attempt: refuse to start once the budget is spent, and cut the
    attempt's read timeout to what is left (botocore honours a per-request
    ``read_timeout`` in the request context). The listener (the edge) hears
    each attempt start and end, and each retry with the previous attempt's
    failure, so a person on a terminal can be told what the wait is.
    """
    total = _attempts(session, attempts)
    environ = env.environ
    service = label(client)

    def before_send(request: Any, **_: Any) -> None:
        context = getattr(request, "context", None)
        if not isinstance(context, dict):
            context = {}
        op = context.get("awsenv_op", "")
        attempt = int((context.get("retries") or {}).get("attempt") or 1)
        deadline.attempt()  # the budget's clock runs from the first request, not the start
        left = deadline.remaining(environ)
        if left is not None:
            if left <= 0.05:
                log.debug("%s: deadline spent before attempt %d", op, attempt)
                word, detail = context.get("awsenv_cause") or (errors.TIMED_OUT, "")
                if attempt > 1 and word != errors.TIMED_OUT:
                    # Answered (throttled, 5xx) or refused every time: name that cause.
                    raise errors.service_failed(service, op, word,
                                                ", ".join(x for x in (detail, f"{attempt - 1} "
                                                                      "tries") if x))
                raise deadline.passed(op, environ, service)
            config = context.get("client_config")
            read = getattr(config, "read_timeout", None) or READ_TIMEOUT
            context["read_timeout"] = max(min(float(read), left), 0.05)
        if attempt > 1:
            deadline.report("retry", op, attempt, total, context.get("awsenv_why", ""))
        deadline.report("send", op, attempt, total)

    def received(context: Any = None, exception: BaseException | None = None,
                 response_dict: Any = None, **_: Any) -> None:
        if isinstance(context, dict):
            context["awsenv_why"] = _why(exception, response_dict)
            context["awsenv_cause"] = _cause_of(exception, response_dict)
            deadline.report("done", context.get("awsenv_op", ""))

    def named(params: Any, model: Any, context: Any = None, **_: Any) -> None:
        if isinstance(context, dict):
            context["awsenv_op"] = getattr(model, "name", "")

    events = client.meta.events
    events.register("before-parameter-build", named)
    events.register("before-send", before_send)
    events.register("response-received", received)
    return client


def _create(env: Environment, service: str, region: str, config: Any,
            attempts: int | None = None, **kwargs: Any) -> BaseClient:
    with _LOCK:
        session = _session(env)
        client = session.create_client(service, region_name=region, config=config, **kwargs)
    return _watched(env, client, session, attempts)


def oidc(env: Environment, region: str) -> BaseClient:
    """sso-oidc client (RegisterClient, StartDeviceAuthorization, CreateToken are unsigned)."""
    return _create(env, "sso-oidc", region, _config(env, unsigned=True))


def portal(env: Environment, region: str, *, attempts: int | None = None,
           read_timeout: float | None = None) -> BaseClient:
    """SSO portal client; authenticated by the bearer token, so unsigned.

    ``attempts``: total tries per call including the first (0 or 1: no retries);
    None leaves it to AWS_MAX_ATTEMPTS / the config, default 3. ``read_timeout``:
    an upper bound for this client (logout's courtesy call), below the user's.
    """
    return _create(env, "sso", region,
                   _config(env, unsigned=True, attempts=attempts, read_timeout=read_timeout),
                   attempts)


def sts(env: Environment, region: str, creds: Mapping[str, str]) -> BaseClient:
    """STS client signed with role credentials.

    ``creds`` takes either the portal's camelCase keys (accessKeyId, …) or the
    boto3 PascalCase ones (AccessKeyId, …).
    """

    def pick(*names: str) -> str | None:
        for name in names:
            if creds.get(name):
                return creds[name]
        return None

    return _create(
        env, "sts", region, _config(env, unsigned=False),
        aws_access_key_id=pick("accessKeyId", "AccessKeyId", "aws_access_key_id"),
        aws_secret_access_key=pick("secretAccessKey", "SecretAccessKey",
                                   "aws_secret_access_key"),
        aws_session_token=pick("sessionToken", "SessionToken", "aws_session_token"),
    )


def require(reply: Mapping[str, Any], action: str, *fields: str) -> None:
    """Raise a ServiceError unless ``reply`` has every field.

    botocore turns a truncated or empty JSON body into a dict without them; that
    is a broken answer to retry, not a reason to crash or to sign anyone out.
    """
    missing = [f for f in fields if reply.get(f) in (None, "")]
    if missing:
        raise ServiceError(
            f"IAM Identity Center {action} returned an incomplete answer "
            f"(no {', '.join(missing)})",
            "retry; if it persists, rerun with --debug and report it",
        )


def error_code(exc: BaseException) -> str | None:
    """botocore's Error.Code for a ClientError, else None."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def is_transient(exc: BaseException) -> bool:
    """True for failures that say nothing about the session: network, timeouts, 5xx, 429."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or status == 429 or (error_code(exc) or "") in TRANSIENT_CODES
    return isinstance(exc, (BotoCoreError, OSError))


# Error codes that mean the caller is being rate-limited.
THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling",
                            "SlowDown", "RequestLimitExceeded", "429"})


def status_cause(status: int, code: str | None) -> tuple[str, str]:
    """(cause, detail) for an HTTP answer: throttled, a server error, or the service's code."""
    if status == 429 or (code or "") in THROTTLE_CODES:
        return errors.THROTTLED, f"HTTP {status}" if status else ""
    if status >= 500:
        return errors.SERVER, f"HTTP {status}"
    return code or "error", f"HTTP {status}" if status else ""


def cause(exc: BaseException) -> tuple[str, str]:
    """(cause, detail) of a failed call in awsenv's one vocabulary (``awsenv.errors``).

    A refused connection, an unknown host and a proxy that does not answer are
    "could not connect"; a connect or read timeout is "timed out"; a connection
    closed mid-answer is "connection dropped"; 429/throttling codes "throttled";
    5xx "server error". Anything else keeps its class name.
    """
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        HTTPClientError,
        ProxyConnectionError,
        ReadTimeoutError,
        SSLError,
    )
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status_cause(status, error_code(exc))
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        return errors.TIMED_OUT, ""
    if isinstance(exc, SSLError):
        return errors.UNREACHABLE, "TLS failed: a proxy, or AWS_CA_BUNDLE"
    if isinstance(exc, (EndpointConnectionError, ProxyConnectionError, ConnectionRefusedError)):
        return errors.UNREACHABLE, ""
    if isinstance(exc, (ConnectionClosedError, BotoConnectionError, HTTPClientError,
                        ConnectionError)):
        return errors.DROPPED, ""
    return type(exc).__name__, ""


def label(client: Any) -> str:
    """The service a client talks to, as failure lines name it."""
    name = getattr(getattr(getattr(client, "meta", None), "service_model", None),
                   "service_name", "")
    return SERVICE_LABELS.get(name, IDENTITY_CENTER)


def service_error(exc: BaseException, action: str, region: str | None = None, *,
                  service: str = IDENTITY_CENTER) -> AwsenvError:
    """The one line for a failure botocore already retried (``awsenv.errors`` vocabulary).

    Only the cause, error code and HTTP status go into the message: a service
    message could echo request fields, and those include tokens. An AwsenvError
    raised inside the call (the command's deadline, a bad setting) is already
    that line.
    """
    if isinstance(exc, AwsenvError):
        return exc
    where = f" in {region}" if region else ""
    word, detail = cause(exc)
    log.debug("%s failed: %s %s", action, word, detail)
    return errors.service_failed(service, f"{action}{where}", word, detail)
