"""Sign in to one IAM Identity Center session (PKCE by default, device code where needed).

The outcome is stored where each piece belongs: refresh token + client secret
in the keyring, the registration's non-secret half in a 0600 file, the access
token in the AWS CLI cache file (what botocore and awsenv both read). Core
code: the caller gets prompts through ``on_prompt`` and renders them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from awsenv import fsutil
from awsenv.auth import browser, clients, device, loopback, pkce, registration, tokens
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ConfigError, ExitCode, LoginFailed, TimeoutError_

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0
Flow = Literal["pkce", "device"]


@dataclass(frozen=True)
class BrowserPrompt:
    """PKCE: the URL the browser is being sent to (show it in case it doesn't open)."""

    url: str
    session: SsoSession


@dataclass(frozen=True)
class DevicePrompt:
    """Device code: what the person types or opens on any device."""

    verification_uri: str
    user_code: str
    verification_uri_complete: str
    expires_in: float
    opening_browser: bool
    reason: str  # why the device flow (for the "why not a browser?" question)
    session: SsoSession


Prompt = BrowserPrompt | DevicePrompt


@dataclass(frozen=True)
class LoginResult:
    session: SsoSession
    flow: Flow
    expires_at: float  # access token, epoch seconds
    refreshable: bool  # a refresh token was issued and stored


def wait_limit(env: Environment) -> float:
    """How long to wait for the browser (AWSENV_LOGIN_TIMEOUT; login and console)."""
    raw = env.environ.get("AWSENV_LOGIN_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise AwsenvError(f"AWSENV_LOGIN_TIMEOUT={raw!r} is not a number of seconds",
                          "unset it or set e.g. 300", ExitCode.USAGE) from None
    return value if value > 0 else DEFAULT_TIMEOUT


def choose_flow(env: Environment, *, use_device_code: bool,
                no_browser: bool) -> tuple[Flow, bool, str]:
    """(flow, open a browser?, why) from the flags and what this machine can do."""
    if no_browser:
        return "device", False, "--no-browser was given"
    found = browser.check(env.environ)
    if use_device_code:
        return "device", found.usable, "--use-device-code was given"
    return ("pkce" if found.usable else "device"), found.usable, found.reason


def login(env: Environment, session: SsoSession, *, use_device_code: bool = False,
          no_browser: bool = False, on_prompt: Callable[[Prompt], None] = lambda p: None,
          sleep: Callable[[float], None] = time.sleep) -> LoginResult:
    """Run a fresh sign-in for ``session`` and store its outcome; never reuses a token."""
    from awsenv.auth import secrets

    assert env.paths is not None
    _check_region(session)
    flow, open_browser, reason = choose_flow(env, use_device_code=use_device_code,
                                             no_browser=no_browser)
    log.debug("login %s: %s flow (%s)", session.key, flow, reason)
    # Read the keyring first: if it is unusable we say so before any browser dance.
    stored = secrets.load(session.key)
    reg, client_secret = registration.for_login(env, session, flow, stored)
    with _region_hint(session):  # a stalled sign-in names the likeliest cause
        client = clients.oidc(env, session.region)
        reply: dict[str, Any] | None = None
        if flow == "pkce":
            try:
                reply = _pkce(env, session, client, reg, client_secret, on_prompt)
            except _BrowserFailed:
                log.debug("login %s: the browser command failed; device code instead", session.key)
                flow, open_browser, reason = "device", False, "the browser could not be opened"
                reg, client_secret = registration.for_login(env, session, flow, stored)
        if reply is None:
            try:
                auth = device.start(client, client_id=reg.client_id, client_secret=client_secret,
                                    start_url=session.start_url, region=session.region)
            except device.ClientRejected:
                # A reused registration the service forgot: one fresh registration, no loop.
                reg, client_secret = registration.register(env, session, flow)
                auth = device.start(client, client_id=reg.client_id, client_secret=client_secret,
                                    start_url=session.start_url, region=session.region)
            open_browser = open_browser and _openable(auth.verification_uri_complete)
            on_prompt(DevicePrompt(auth.verification_uri, auth.user_code,
                                   auth.verification_uri_complete, auth.expires_in,
                                   open_browser, reason, session))
            with contextlib.ExitStack() as stack:
                if open_browser:
                    # The link carries the user code: whoever approves it first signs this
                    # process in, so it reaches the browser through a one-shot local
                    # redirect only this user can follow, never through argv.
                    relay = stack.enter_context(loopback.LoopbackServer())
                    _open_in_background(relay.handoff(auth.verification_uri_complete))
                reply = device.poll(client, auth, client_id=reg.client_id,
                                    client_secret=client_secret, region=session.region, sleep=sleep)
    clients.require(reply, "sign-in", "accessToken", "expiresIn")
    token = tokens.AccessToken(reply["accessToken"], env.now() + float(reply["expiresIn"]))
    refresh_token = reply.get("refreshToken") or None
    _store(env, session, reg, client_secret, refresh_token, token)
    return LoginResult(session, flow, token.expires_at, refresh_token is not None)


def _check_region(session: SsoSession) -> None:
    """Refuse an sso_region the start URL's form rules out, before any browser."""
    from awsenv.awsconfig import starturl

    wrong = starturl.region_problem(session.start_url, session.region)
    if wrong:
        where = (f"[sso-session {session.name}]" if session.name else "the profile")
        raise ConfigError(f"sso_region {session.region} in {where} cannot be right for "
                          f"{session.start_url}: {wrong}",
                          starturl.region_fix(session.start_url, "set sso_region =")
                          + f" in {where} in the AWS config")


class _Stalled(LoginFailed):
    """The browser's answer was a refusal a wrong sso_region also gives."""


@contextlib.contextmanager
def _region_hint(session: SsoSession) -> Iterator[None]:
    """Add the wrong-sso_region hint to the failures it explains.

    Identity Center registers the client and starts the sign-in in any region;
    only the approval fails ("Invalid grant provided", in the browser), so the
    client sees a code that expires, a browser that never calls back, or a
    refused grant, never the cause.
    """
    from awsenv.awsconfig import starturl

    try:
        yield
    except (device.Stalled, _Stalled, TimeoutError_) as exc:
        exc.hint = starturl.wrong_region_hint(session.start_url, session.region, session.name)
        raise


def _store(env: Environment, session: SsoSession, reg: registration.Registration,
           client_secret: str, refresh_token: str | None, token: tokens.AccessToken) -> None:
    """Keyring, then registration, then access token, under the session's refresh lock."""
    from awsenv.auth import secrets

    assert env.paths is not None
    with fsutil.locked(tokens.lock_file(env.paths, session), timeout=tokens.LOCK_TIMEOUT):
        try:
            secrets.save(session.key, secrets.SessionSecrets(client_secret, refresh_token))
        except AwsenvError:
            # Usable for this access token's life; the registration file keeps
            # matching the secret still in the keyring.
            tokens.write_cached(env.paths, session, token)
            raise
        registration.save(env, session, reg)
        tokens.write_cached(env.paths, session, token, client_id=reg.client_id,
                            registration_expires_at=reg.expires_at)


def _open_in_background(url: str) -> browser.Opener:
    return browser.Opener(url)


def _openable(url: str) -> bool:
    """Only an http(s) link from the service goes to the browser (no file:, javascript:)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.netloc) and url.isprintable()


class _BrowserFailed(Exception):
    """The browser command failed at once: fall back to a device code."""


def _pkce(env: Environment, session: SsoSession, client: Any, reg: registration.Registration,
          client_secret: str, on_prompt: Callable[[Prompt], None]) -> dict[str, Any]:
    timeout = wait_limit(env)
    verifier = pkce.new_verifier()
    state = pkce.new_state()
    with pkce.CallbackServer() as server:  # bound before the browser opens
        server.expected_state = state
        url = pkce.authorize_url(client.meta.endpoint_url, client_id=reg.client_id,
                                 redirect_uri=server.redirect_uri, state=state,
                                 code_challenge=pkce.challenge(verifier), scopes=reg.scopes)
        on_prompt(BrowserPrompt(url, session))
        # The browser's argv is public: it gets a one-shot local redirect, not the URL.
        opener = _open_in_background(server.handoff(url))
        deadline = time.monotonic() + timeout
        result = None
        while result is None and time.monotonic() < deadline:
            result = server.wait(min(0.2, max(deadline - time.monotonic(), 0)))
            if result is None and opener.failed:
                raise _BrowserFailed
        redirect_uri = server.redirect_uri
        # The person's time in the browser is not Identity Center's (awsenv.deadline).
        from awsenv import deadline as budget

        budget.renew()
        if server.strays:
            log.debug("login %s: ignored %d callback(s) with a wrong state", session.key,
                      server.strays)
    if result is None:
        raise TimeoutError_(
            f"no answer from the browser sign-in within {timeout:.0f}s",
            f"run `awsenv login --session {session.key}` again, or add --use-device-code "
            "if the browser runs on another machine")
    # State first: a forged callback must not pass for a real answer, error or not
    # (the listener already ignores them; this guards the listener).
    if result.state != state:
        raise LoginFailed("failed to retrieve an authorization code: the browser's answer "
                          "does not belong to this sign-in (state mismatch)",
                          f"run `awsenv login --session {session.key}` again")
    if result.error or not result.code:
        error = "".join(c for c in (result.error or "no code") if c.isalnum() or c in "_ ")[:40]
        if error == "access_denied":
            raise LoginFailed("sign-in was denied in the browser",
                              f"run `awsenv login --session {session.key}` again and allow "
                              "access")
        raise _Stalled(f"failed to retrieve an authorization code ({error})",
                       f"run `awsenv login --session {session.key}` again")
    try:
        return dict(client.create_token(clientId=reg.client_id, clientSecret=client_secret,
                                        grantType="authorization_code", code=result.code,
                                        redirectUri=redirect_uri, codeVerifier=verifier))
    except Exception as exc:
        code = clients.error_code(exc)
        if code is not None and not clients.is_transient(exc):
            raise _Stalled(f"IAM Identity Center refused the authorization code ({code})",
                           f"run `awsenv login --session {session.key}` again") from None
        raise clients.service_error(exc, "sign-in", session.region) from None
