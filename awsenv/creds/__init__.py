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

    from awsenv.creds.model import RoleCredentials
    from awsenv.environment import Environment

__all__ = ["RoleCredentials", "cache", "get"]


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
    cold cache make exactly one GetRoleCredentials call.
    """
    from awsenv import fsutil
    from awsenv.creds import cache
    from awsenv.creds.model import RoleCredentials

    paths = env.paths
    assert paths is not None
    hit = cache.lookup(paths, profile_name, env.now())
    if hit is not None:
        return RoleCredentials.from_dict(hit)
    with fsutil.locked(cache.lock_file(paths, profile_name), timeout=LOCK_TIMEOUT):
        hit = cache.lookup(paths, profile_name, env.now())
        if hit is not None:
            return RoleCredentials.from_dict(hit)
        from awsenv.creds import fetch
        from awsenv.errors import KeyringError, ServiceError

        # Stamp first: a config edited during the parse then never matches.
        stamp = cache.config_stamp(paths)
        profile = fetch.resolve(env, profile_name)
        try:
            creds = fetch.fetch(env, profile)
        except (ServiceError, KeyringError):
            # Can't refetch right now (5xx, throttled, offline, keyring stuck):
            # credentials that are still valid beat an error.
            usable = cache.lookup(paths, profile_name, env.now(), min_left=cache.MIN_VALID)
            if usable is None:
                raise
            return RoleCredentials.from_dict(usable)
        cache.store(paths, creds.to_dict(), stamp)
        return creds
