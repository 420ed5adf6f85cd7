"""Which accounts and roles a signed-in user can reach (for `list` and `sync`).

Identity Center's portal API shares a 20 requests/s quota, and peers fall over
with a few hundred accounts (aws-sso-util #112, granted #811) or, worse, open a
new browser tab on every throttled retry (aws-sso-cli #520). So: one global
token bucket paces every request from every worker thread, throttling and 5xx
answers are retried with jittered backoff (bounded per request), and nothing
here can start a sign-in: the access token is read once, and a 401 drops it and
raises NotSignedIn for the user to run `awsenv login` themselves.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awsenv import deadline, errors
from awsenv.auth import clients
from awsenv.errors import ServiceError

if TYPE_CHECKING:
    from awsenv.awsconfig.model import SsoSession
    from awsenv.environment import Environment

log = logging.getLogger(__name__)

DEFAULT_TPS = 20.0
DEFAULT_WORKERS = 8
PAGE_SIZE = 100  # the portal's maximum max_result

@dataclass
class AccountRoles:
    """One account and the role (permission set) names the user may assume in it.

    ``error`` is set (and ``roles`` empty) when the portal refused to list this
    account's roles (403/404): callers must not read that as "no roles" when
    deciding what to delete.
    """

    account_id: str
    account_name: str
    email: str
    roles: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Progress:
    """Reported to the caller's callback: phase is "accounts" or "roles"."""

    phase: str
    done: int
    total: int | None


ProgressFn = Callable[[Progress], None]


@dataclass
class Stats:
    """What the listing cost: every HTTP request made, and how many were retried."""

    requests: int = 0
    throttled: int = 0
    server_errors: int = 0
    network_errors: int = 0
    waited_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        with self.lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for throttled/failed requests; bounded so a listing always ends."""

    max_attempts: int = 40
    base_s: float = 0.1
    cap_s: float = 8.0
    max_wait_s: float = 180.0  # total backoff one request may accumulate
    max_network_attempts: int = 5

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, base*2^n)]."""
        return rng.uniform(0, min(self.cap_s, self.base_s * (2 ** min(attempt, 20))))


class RateLimiter:
    """A token bucket shared by all threads: at most ``rate`` requests per second.

    Tokens accrue continuously up to ``burst``; ``acquire`` blocks until one is
    available (or ``stop`` is set, which returns False).
    """

    def __init__(self, rate: float, burst: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._at = clock()

    def reserve(self) -> float:
        """Take a token now or in the future; returns how long to wait for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens -= 1
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def acquire(self, stop: threading.Event | None = None) -> bool:
        delay = self.reserve()
        if delay <= 0:
            return True
        if stop is None:
            time.sleep(delay)
            return True
        return not stop.wait(delay)


def tps_from_env(environ: Mapping[str, str]) -> float:
    """``AWSENV_TPS`` (requests per second), default 20 like the AWS quota."""
    raw = environ.get("AWSENV_TPS", "").strip()
    if not raw:
        return DEFAULT_TPS
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 10_000:
        from awsenv.errors import ConfigError

        raise ConfigError(f"AWSENV_TPS={raw!r} is not a positive number",
                          "set it to requests per second, e.g. AWSENV_TPS=20")
    return value


class _Cancelled(Exception):
    """Another worker failed or the user interrupted: stop quietly."""


class PortalLister:
    """Lists accounts, then every account's roles on a thread pool, all paced.

    Takes a ready botocore ``sso`` client and a raw access token: the pacing
    and retry rules stay apart from sign-in, which ``list_account_roles``
    below wires in (and which is the only place a 401 is turned into
    NotSignedIn).
    """

    def __init__(self, client: Any, access_token: str, *, rate: float = DEFAULT_TPS,
                 workers: int = DEFAULT_WORKERS, policy: RetryPolicy | None = None,
                 progress: ProgressFn | None = None, stats: Stats | None = None,
                 rng: random.Random | None = None) -> None:
        self.client = client
        self.token = access_token
        self.limiter = RateLimiter(rate)
        self.workers = max(1, workers)
        self.policy = policy or RetryPolicy()
        self.progress = progress
        self.stats = stats if stats is not None else Stats()
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._stop = threading.Event()

    # -- public ---------------------------------------------------------------------

    def run(self) -> list[AccountRoles]:
        accounts = self.list_accounts()
        self._report("roles", 0, len(accounts))
        if not accounts:
            return []
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(accounts)),
                                  thread_name_prefix="awsenv-portal")
        futures: list[Future[None]] = []
        done = 0
        done_lock = threading.Lock()

        def one(acct: AccountRoles) -> None:
            nonlocal done
            self._fill_roles(acct)
            with done_lock:
                done += 1
                n = done
            self._report("roles", n, len(accounts))

        try:
            futures = [pool.submit(one, acct) for acct in accounts]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for fut in finished:
                exc = fut.exception()
                if exc is not None and not isinstance(exc, _Cancelled):
                    raise exc
        finally:
            # Ctrl-C or a failure: wake sleeping workers and drop queued work.
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            st = self.stats
            log.debug("portal: %d requests, %d throttled, %d server errors, %d network errors, "
                      "%.1fs backing off", st.requests, st.throttled, st.server_errors,
                      st.network_errors, st.waited_s)
        return accounts

    def list_accounts(self) -> list[AccountRoles]:
        out: list[AccountRoles] = []
        seen: set[str] = set()
        seen_tokens: set[str] = set()
        token: str | None = None
        self._report("accounts", 0, None)
        while True:
            kwargs: dict[str, Any] = {"accessToken": self.token, "maxResults": PAGE_SIZE}
            if token:
                kwargs["nextToken"] = token
            page = self._call("ListAccounts", self.client.list_accounts, kwargs)
            _require_list(page, "accountList", "ListAccounts")
            for item in page.get("accountList") or []:
                account_id = str(item.get("accountId") or "")
                if not account_id or account_id in seen:
                    continue
                seen.add(account_id)
                out.append(AccountRoles(account_id, str(item.get("accountName") or ""),
                                        str(item.get("emailAddress") or "")))
            self._report("accounts", len(out), None)
            token = _next(page, seen_tokens, "ListAccounts")
            if not token:
                return out

    # -- internals --------------------------------------------------------------------

    def _fill_roles(self, acct: AccountRoles) -> None:
        token: str | None = None
        seen_tokens: set[str] = set()
        roles: list[str] = []
        while True:
            kwargs: dict[str, Any] = {"accessToken": self.token, "accountId": acct.account_id,
                                      "maxResults": PAGE_SIZE}
            if token:
                kwargs["nextToken"] = token
            try:
                page = self._call("ListAccountRoles", self.client.list_account_roles, kwargs)
            except _AccountRefused as exc:
                acct.roles, acct.error = [], exc.code
                return
            _require_list(page, "roleList", "ListAccountRoles")
            for item in page.get("roleList") or []:
                name = item.get("roleName")
                if isinstance(name, str) and name and name not in roles:
                    roles.append(name)
            token = _next(page, seen_tokens, "ListAccountRoles")
            if not token:
                acct.roles = roles
                return

    def _report(self, phase: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(Progress(phase, done, total))

    def _sleep(self, seconds: float) -> None:
        self.stats.add(waited_s=seconds)
        if self._stop.wait(seconds):
            raise _Cancelled

    def _backoff(self, attempt: int) -> float:
        with self._rng_lock:
            return self.policy.delay(attempt, self.rng)

    def _call(self, op: str, method: Callable[..., dict[str, Any]],
              kwargs: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectionError,
            HTTPClientError,
        )

        policy = self.policy
        waited = 0.0
        network_failures = 0
        attempt = 0
        while True:
            if self._stop.is_set() or not self.limiter.acquire(self._stop):
                raise _Cancelled
            attempt += 1
            self.stats.add(requests=1)
            try:
                page = method(**kwargs)
                deadline.renew()  # an answer: the listing is moving (awsenv.deadline)
                return page
            except ClientError as exc:
                code, status = _error_code(exc)
                if status == 401 or code == "UnauthorizedException":
                    raise _Unauthorized from None
                if code in ("ForbiddenException", "ResourceNotFoundException") and \
                        op == "ListAccountRoles":
                    raise _AccountRefused(code) from None
                reason, detail = clients.status_cause(status, code)
                if reason == errors.THROTTLED:
                    self.stats.add(throttled=1)
                elif reason == errors.SERVER:
                    self.stats.add(server_errors=1)
                else:
                    raise ServiceError(
                        f"IAM Identity Center {op} failed: {code} (HTTP {status}: "
                        f"{_one_line(exc.response.get('Error', {}).get('Message'))})",
                        "check the sign-in's start URL/region with `awsenv status`") from None
            except (ConnectionError, HTTPClientError) as exc:
                self.stats.add(network_errors=1)
                network_failures += 1
                reason, detail = clients.cause(exc)
                if network_failures >= policy.max_network_attempts:
                    raise errors.service_failed(
                        "IAM Identity Center", op, reason,
                        _tries(network_failures, detail)) from None
                deadline.report("retry", op, network_failures + 1, policy.max_network_attempts,
                                reason)
            except BotoCoreError as exc:
                raise errors.service_failed("IAM Identity Center", op,
                                            clients.cause(exc)[0]) from None
            if attempt >= policy.max_attempts or waited >= policy.max_wait_s:
                raise errors.service_failed("IAM Identity Center", op, reason,
                                            _tries(attempt, detail))
            delay = self._backoff(attempt)
            left = deadline.remaining()
            if left is not None and delay >= left - 0.05:
                # No try could start after this wait (auth.clients refuses one then).
                if reason == errors.TIMED_OUT:
                    raise deadline.passed(op)
                # Answered (throttled, 5xx) or refused every time: that cause is the
                # one to name, not the budget it used up.
                raise errors.service_failed("IAM Identity Center", op, reason,
                                            _tries(attempt, detail))
            waited += delay
            log.debug("%s %s; retry %d in %.2fs", op, reason, attempt, delay)
            self._sleep(delay)


def _tries(n: int, detail: str = "") -> str:
    """"HTTP 429, 4 tries": how often the same cause was met."""
    return ", ".join(x for x in (detail, f"{n} tries" if n > 1 else "") if x)


class _Unauthorized(Exception):
    pass


class _AccountRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _next(page: dict[str, Any], seen: set[str], op: str) -> str | None:
    """The next page's token; a token seen before would loop forever, so refuse it."""
    token = page.get("nextToken")
    if not token:
        return None
    token = str(token)
    if token in seen:
        raise ServiceError(f"the SSO portal repeated a {op} page token",
                           "retry later; if it persists, report it to AWS support")
    seen.add(token)
    return token


def _error_code(exc: Any) -> tuple[str, int]:
    resp = getattr(exc, "response", None) or {}
    code = str((resp.get("Error") or {}).get("Code") or "")
    status = int((resp.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    return code, status


def _one_line(text: object) -> str:
    s = " ".join(str(text or "").split())
    return s[:200]


def portal_client(env: Environment, region: str) -> Any:
    """The portal client with botocore's own retries off: our limiter does the pacing."""
    from awsenv.auth import clients

    return clients.portal(env, region, attempts=0)


def list_account_roles(env: Environment, session: SsoSession, *,
                       progress: ProgressFn | None = None, stats: Stats | None = None,
                       workers: int = DEFAULT_WORKERS,
                       policy: RetryPolicy | None = None) -> list[AccountRoles]:
    """Every account the session's user can see, each with its role names.

    Raises NotSignedIn (never signs in) when there is no usable token or the
    portal rejects it; ServiceError when the portal keeps failing.
    """
    from awsenv.auth import tokens

    access = tokens.access_token(env, session)
    lister = PortalLister(portal_client(env, session.region), access.token,
                          rate=tps_from_env(env.environ), workers=workers, policy=policy,
                          progress=progress, stats=stats)
    try:
        return lister.run()
    except _Unauthorized:
        tokens.drop(env, session)
        raise tokens.ended(session, "was rejected by the SSO portal (signed out or expired)") \
            from None


def _require_list(page: Mapping[str, Any], key: str, action: str) -> None:
    """A page without its list is a garbled answer, not an empty one: `sync --prune`
    must never read it as "no accounts" and delete every profile."""
    if not isinstance(page.get(key), list):
        raise ServiceError(f"IAM Identity Center {action} returned an incomplete answer",
                           "retry; if it persists, rerun with --debug and report it")
