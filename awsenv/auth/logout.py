"""Sign out of a session: end it at the portal, then forget everything it left here.

Local cleanup is what matters (the keyring entries, the access-token cache
file, the registration, the role credentials minted through the session); the
portal Logout is a courtesy that must not make logout slow or fail offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from awsenv import fsutil
from awsenv.auth import registration, tokens
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.errors import AwsenvError
from awsenv.paths import Paths

log = logging.getLogger(__name__)

LOGOUT_READ_TIMEOUT = 5.0


@dataclass
class LogoutResult:
    session: SsoSession
    portal_logout: bool = False  # the portal accepted Logout
    keyring_entry: bool = False  # a keyring entry was removed
    token_file: bool = False
    registration_file: bool = False
    role_credentials: int = 0
    listing_file: bool = False  # the copy of the account listing `awsenv list` reuses
    errors: list[AwsenvError] = field(default_factory=list)

    @property
    def removed_anything(self) -> bool:
        return any((self.portal_logout, self.keyring_entry, self.token_file,
                    self.registration_file, self.role_credentials, self.listing_file))


def _portal_logout(env: Environment, session: SsoSession) -> bool:
    """Best effort, one attempt, short timeouts: errors are ignored like the AWS CLI does."""
    assert env.paths is not None
    cached = tokens.read_cached(env.paths, session)
    if cached is None or cached.expires_at <= env.now():
        return False
    try:
        from awsenv.auth import clients

        clients.portal(env, session.region, attempts=1,
                       read_timeout=LOGOUT_READ_TIMEOUT).logout(accessToken=cached.token)
    except Exception as exc:  # the local cleanup matters, not this call
        log.debug("portal logout of %s failed (%s); ignored", session.key, type(exc).__name__)
        return False
    return True


def purge_role_credentials(paths: Paths, session_key: str) -> int:
    """Role credentials minted through the session (the creds module's cache)."""
    from awsenv.creds import cache

    return cache.purge_session(paths, session_key)


def logout(env: Environment, session: SsoSession) -> LogoutResult:
    """Sign out of ``session``; keyring failures are collected, the files still go."""
    from awsenv.auth import secrets

    assert env.paths is not None
    result = LogoutResult(session)
    result.portal_logout = _portal_logout(env, session)
    with fsutil.locked(tokens.lock_file(env.paths, session), timeout=tokens.LOCK_TIMEOUT):
        try:
            result.keyring_entry = secrets.delete(session.key)
        except AwsenvError as exc:
            result.errors.append(exc)
        result.token_file = fsutil.remove(tokens.cache_file(env.paths, session))
        result.registration_file = registration.delete(env, session)
        result.role_credentials = purge_role_credentials(env.paths, session.key)
        from awsenv.sync import listing_cache

        # Account names are not secret, but logout leaves nothing of the session behind.
        result.listing_file = listing_cache.drop(env, session)
    log.debug("logout %s: %s", session.key, result)
    return result
