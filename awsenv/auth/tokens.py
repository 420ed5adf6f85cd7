"""The access token of a session: read from the AWS CLI cache, refreshed silently.

The AWS CLI token cache file (``~/.aws/sso/cache/<sha1(session key)>.json``) is
awsenv's access-token cache, so botocore's own SSO provider, the AWS CLI and
awsenv share one sign-in. awsenv writes it without ``refreshToken`` and
``clientSecret``: those stay in the keyring (``awsenv.auth.secrets``) and only
this module turns them into a new access token.

The read path (a token with more than 15 minutes left) is stdlib-only: it runs
inside ``credential-process`` and prompt hooks. boto3 and keyring are imported
only when a refresh is due. Refresh never opens a browser: when the session
has really ended the caller gets ``NotSignedIn`` naming ``awsenv login``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from awsenv import fsutil
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.errors import ConfigError, KeyringError, NotSignedIn, ServiceError
from awsenv.paths import Paths

log = logging.getLogger(__name__)

# botocore's _REFRESH_WINDOW: refresh when less than this is left.
REFRESH_WINDOW = 15 * 60
LOCK_TIMEOUT = 90.0


@dataclass(frozen=True, repr=False)
class AccessToken:
    token: str
    expires_at: float  # epoch seconds

    def __repr__(self) -> str:
        return f"AccessToken(token=<hidden>, expires_at={self.expires_at})"


# -- the cache file (stdlib only) --------------------------------------------------------

def cache_file(paths: Paths, session: SsoSession) -> Path:
    """The AWS CLI's file name for this session's token (sso-protocol §5)."""
    name = hashlib.sha1(session.key.encode("utf-8")).hexdigest()
    return paths.aws_sso_cache / f"{name}.json"


def lock_file(paths: Paths, session: SsoSession) -> Path:
    name = hashlib.sha1(session.key.encode("utf-8")).hexdigest()
    return paths.runtime_dir / "locks" / f"session-{name}.lock"


def parse_time(value: object) -> float | None:
    """Epoch seconds from the timestamp forms botocore accepts (…Z, …UTC, +00:00)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("UTC"):
        text = text[:-3] + "+00:00"
    elif text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def format_time(epoch: float) -> str:
    """The form the AWS CLI writes and every botocore version parses."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_start_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def read_cached(paths: Paths, session: SsoSession) -> AccessToken | None:
    """The cached token if the file holds one for this session's start URL.

    Tokens written by `aws sso login` count too. A file for another start URL
    (the session was re-pointed) is ignored rather than sent to the wrong portal.
    """
    data = fsutil.read_json(cache_file(paths, session))
    if data is None:
        return None
    token = data.get("accessToken")
    expires = parse_time(data.get("expiresAt"))
    start_url = data.get("startUrl")
    if not isinstance(token, str) or not token or expires is None:
        return None
    if isinstance(start_url, str) and start_url and not _same_start_url(start_url,
                                                                          session.start_url):
        return None
    return AccessToken(token, expires)


def write_cached(paths: Paths, session: SsoSession, token: AccessToken, *,
                 client_id: str | None = None,
                 registration_expires_at: float | None = None) -> Path:
    """Write the token in the exact shape botocore reads, minus the secrets."""
    record: dict[str, Any] = {
        "startUrl": session.start_url,
        "region": session.region,
        "accessToken": token.token,
        "expiresAt": format_time(token.expires_at),
    }
    if client_id:
        record["clientId"] = client_id
    if registration_expires_at:
        record["registrationExpiresAt"] = format_time(registration_expires_at)
    path = cache_file(paths, session)
    fsutil.atomic_write(path, json.dumps(record, separators=(",", ":")))
    return path


def drop(env: Environment, session: SsoSession) -> bool:
    """Forget the cached access token (the portal said 401: that is authoritative)."""
    assert env.paths is not None
    removed = fsutil.remove(cache_file(env.paths, session))
    log.debug("dropped cached access token of %s: %s", session.key, removed)
    return removed


def ended(session: SsoSession, why: str = "has ended") -> NotSignedIn:
    return NotSignedIn(f"session {session.key} {why}",
                       f"run `awsenv login --session {session.key}`")


# -- the public entry point --------------------------------------------------------------

def access_token(env: Environment, session: SsoSession, *, refresh: bool = True) -> AccessToken:
    """A usable access token for ``session``, refreshing it when < 15 min are left.

    With ``refresh=False`` a still-valid token is returned however short its
    life, and nothing but the cache file is touched.
    """
    assert env.paths is not None
    now = env.now()
    cached = read_cached(env.paths, session)
    if cached is not None and cached.expires_at - now > REFRESH_WINDOW:
        return cached
    if not refresh:
        if cached is not None and cached.expires_at > now:
            return cached
        raise ended(session, "is not signed in" if cached is None else "has expired")
    return _refresh(env, session, seen=cached)


# -- refresh (boto3 and keyring imported only here) ---------------------------------------

# CreateToken refusals that mean the session or the registration is gone for good.
_PERMANENT = frozenset({"InvalidGrantException", "InvalidClientException",
                        "UnauthorizedClientException", "AccessDeniedException",
                        "ExpiredTokenException", "InvalidRequestException",
                        "UnsupportedGrantTypeException", "InvalidScopeException"})


def _refresh(env: Environment, session: SsoSession, seen: AccessToken | None) -> AccessToken:
    """Refresh under the session lock: of N racing processes, one calls CreateToken.

    ``seen`` is the token read before waiting for the lock: if another process
    replaced it meanwhile, that new token is used even when the server issues
    tokens shorter than the refresh window (else every racer would refresh).
    """
    assert env.paths is not None
    paths = env.paths
    with fsutil.locked(lock_file(paths, session), timeout=LOCK_TIMEOUT):
        # Another process may have refreshed while we waited for the lock.
        cached = read_cached(paths, session)
        now = env.now()
        if cached is not None and cached.expires_at - now > REFRESH_WINDOW:
            return cached
        if cached is not None and cached != seen and cached.expires_at > now:
            return cached
        still_valid = cached if cached is not None and cached.expires_at > now else None

        from awsenv.auth import registration, secrets

        try:
            stored = secrets.load(session.key)
        except KeyringError:
            if still_valid is not None:  # a locked keyring is no reason to fail yet
                return still_valid
            raise
        reg = registration.load(env, session)
        if stored is None or not stored.refresh_token or reg is None \
                or (reg.start_url, reg.region) != (session.start_url, session.region):
            # Nothing to refresh with (e.g. a token from `aws sso login`): use what is left.
            if still_valid is not None:
                return still_valid
            raise ended(session, "is not signed in" if cached is None else "has ended")
        if reg.expires_at <= now:
            if still_valid is not None:
                return still_valid
            raise ended(session, "has ended (its client registration expired)")
        return _create_token(env, session, reg, stored, still_valid)


def _forget_refresh(env: Environment, session: SsoSession, client_secret: str, *,
                    registration_dead: bool) -> None:
    """After a refusal: the access token dies with its session, the refresh token is dead.

    The client secret is kept (a later login reuses the registration) unless
    the registration itself was refused. The session's cached role credentials
    go too, as `aws sso logout` deletes the CLI's: awsenv hands out nothing more
    through a session the service ended (what was handed out stays valid at AWS
    until it expires). Best effort: the caller reports the refusal either way.
    """
    from awsenv.auth import registration, secrets
    from awsenv.creds import cache

    drop(env, session)
    assert env.paths is not None
    purged = cache.purge_session(env.paths, session.key)
    log.debug("refresh refused: deleted %d cached role credential(s) of %s", purged,
              session.key)
    try:
        if registration_dead:
            registration.delete(env, session)
            secrets.delete(session.key)
        else:
            secrets.save(session.key, secrets.SessionSecrets(client_secret, None))
    except KeyringError as exc:
        log.debug("could not update the keyring after a refused refresh: %s", exc)


def _create_token(env: Environment, session: SsoSession, reg: Any, stored: Any,
                  still_valid: AccessToken | None) -> AccessToken:
    from awsenv.auth import clients, secrets

    assert env.paths is not None
    try:
        reply = clients.oidc(env, session.region).create_token(
            clientId=reg.client_id, clientSecret=stored.client_secret,
            grantType="refresh_token", refreshToken=stored.refresh_token)
    except ConfigError:
        raise  # a bad AWSENV_*_TIMEOUT: the user's fix, not a service fault
    except Exception as exc:
        code = clients.error_code(exc)
        if code in _PERMANENT or (code is not None and not clients.is_transient(exc)):
            log.debug("refresh of %s refused (%s): session over", session.key, code)
            _forget_refresh(env, session, stored.client_secret, registration_dead=code in (
                "InvalidClientException", "UnauthorizedClientException"))
            raise ended(session) from None
        log.debug("refresh of %s failed for a transient reason (%s)", session.key,
                  code or type(exc).__name__)
        if still_valid is not None:
            return still_valid
        raise clients.service_error(exc, "token refresh", session.region) from None
    try:
        clients.require(reply, "token refresh", "accessToken", "expiresIn")
    except ServiceError:
        if still_valid is not None:
            return still_valid
        raise
    token = AccessToken(reply["accessToken"], env.now() + float(reply["expiresIn"]))
    # The access token first: if the keyring fails below, this process and the
    # next ones still work until it expires, and the user hears why now.
    write_cached(env.paths, session, token, client_id=reg.client_id,
                 registration_expires_at=reg.expires_at)
    rotated = reply.get("refreshToken")
    if rotated and rotated != stored.refresh_token:
        secrets.save(session.key, secrets.SessionSecrets(stored.client_secret, rotated))
    log.debug("refreshed access token of %s", session.key)
    return token
