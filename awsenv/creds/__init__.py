"""Role credentials for a profile: cached, fetched once under a lock.

The ``credential-process`` cache hit imports this package's ``__init__``,
``fast`` and ``record`` only, so ``__init__`` loads ``cache`` and ``model``
on first use; everything that needs botocore lives in ``fetch`` and is
imported on a miss.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from awsenv.creds.model import RoleCredentials
    from awsenv.environment import Environment

__all__ = ["RoleCredentials", "cache", "get", "keep_session"]


def __getattr__(name: str) -> ModuleType | type[RoleCredentials]:
    """``awsenv.creds.cache`` and ``awsenv.creds.RoleCredentials`` load on first use."""
    if name == "cache":
        import importlib  # `from awsenv.creds import cache` would land back here

        return importlib.import_module("awsenv.creds.cache")
    if name == "RoleCredentials":
        from awsenv.creds.model import RoleCredentials

        return RoleCredentials
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The holder may be refreshing the token (keyring + CreateToken) and then retrying
# GetRoleCredentials: waiters should outlast that rather than fail beside it.
LOCK_TIMEOUT = 120.0


def get(env: Environment, profile_name: str) -> RoleCredentials:
    """Credentials for ``profile_name``: a cache hit, or one fetch however many ask.

    Concurrent callers for the same profile serialize on a per-profile flock and
    re-check the cache once they hold it, so N processes starting together on a
    cold cache make exactly one GetRoleCredentials call (or, for a chained
    profile or a ``PROFILE+ROLE_ARN`` chain, one AssumeRole per hop:
    :mod:`awsenv.creds.chain`).
    """
    from awsenv import fsutil
    from awsenv.creds import cache
    from awsenv.creds.model import RoleCredentials

    paths = env.paths
    assert paths is not None
    hit = cache.lookup(paths, profile_name, env.now())
    if hit is not None:
        return RoleCredentials.from_dict(keep_session(env, hit))
    with fsutil.locked(cache.lock_file(paths, profile_name), timeout=LOCK_TIMEOUT):
        hit = cache.lookup(paths, profile_name, env.now())
        if hit is not None:
            return RoleCredentials.from_dict(keep_session(env, hit))
        from awsenv.creds import chain, fetch
        from awsenv.errors import KeyringError, ServiceError

        # Stamp first: a config edited during the parse then never matches.
        stamp = cache.config_stamp(paths)
        link = chain.hop(env, profile_name)
        profile = fetch.resolve(env, profile_name) if link is None else None
        try:
            if profile is not None:
                creds = fetch.fetch(env, profile)
            else:
                # A chained profile: one AssumeRole with its source's credentials, which
                # come through get() themselves (each link cached, fetched once).
                assert link is not None
                creds = chain.fetch(env, link, get)
        except (ServiceError, KeyringError):
            # Can't refetch right now (5xx, throttled, offline, keyring stuck):
            # credentials that are still valid beat an error.
            usable = cache.lookup(paths, profile_name, env.now(), min_left=cache.MIN_VALID)
            if usable is None:
                raise
            return RoleCredentials.from_dict(usable)
        cache.store(paths, creds.to_dict(), stamp)
        return creds


def keep_session(env: Environment, hit: dict[str, Any]) -> dict[str, Any]:
    """``hit``, once the session it came through is known to be alive enough.

    When the session's access token is missing or has < 15 minutes left, renew it
    (what every awsenv process reading the token cache does, so native profiles
    never reach the last minutes in which SDKs without the refresh token give up).
    When the session is over (a renewal the service refused: revoked, `aws sso
    logout`; or an expired token with nothing to renew it) NotSignedIn ends the
    hand-outs too; a refused renewal has also deleted the session's cached role
    credentials (awsenv.auth.tokens), as `aws sso logout` deletes the CLI's. A transient
    failure (offline, 5xx, a locked keyring) keeps the hit: its credentials are
    still valid, and AWS honours them until they expire.
    """
    from awsenv.creds import record

    paths = env.paths
    assert paths is not None
    key = hit.get("session_key")
    if not record.token_due(str(paths.aws_sso_cache), key, env.now()):
        return hit
    import contextlib

    from awsenv.auth import tokens
    from awsenv.awsconfig import read
    from awsenv.errors import ConfigError, KeyringError, ServiceError

    try:
        session = read.load(env).session_by_key(str(key))
    except ConfigError:  # not in the config any more: the record is void anyway
        return hit
    # NotSignedIn goes up (a refused renewal also deleted the session's records).
    with contextlib.suppress(ServiceError, KeyringError):
        tokens.access_token(env, session)
    return hit
