"""A short-lived copy of the last portal listing, so `awsenv list` is instant.

Listing a 1,000-account organisation takes about a minute at the 20 requests/s
quota, and that quota is shared with every credential fetch in the account; so
`awsenv list` reuses a listing younger than ``AWSENV_LIST_CACHE`` seconds
(default 300, 0 = off) while the session's access token is still valid
locally. `awsenv sync` always lists afresh (it may delete profiles) and
refreshes this copy. Account names and ids only: no tokens, nothing secret;
0600 like every awsenv file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsenv import fsutil
from awsenv.portal import AccountRoles

if TYPE_CHECKING:
    from awsenv.awsconfig.model import SsoSession
    from awsenv.environment import Environment

VERSION = 1
DEFAULT_MAX_AGE = 300.0


def path(env: Environment, session: SsoSession) -> Path:
    assert env.paths is not None
    digest = hashlib.sha256(f"{session.key}\n{session.start_url}".encode()).hexdigest()[:32]
    return env.paths.cache_dir / "listings" / f"{digest}.json"


def max_age(env: Environment) -> float:
    raw = env.environ.get("AWSENV_LIST_CACHE", "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_MAX_AGE
    except ValueError:
        return DEFAULT_MAX_AGE


def save(env: Environment, session: SsoSession, listing: list[AccountRoles]) -> None:
    fsutil.write_json(path(env, session), {
        "v": VERSION, "start_url": session.start_url, "fetched_at": env.now(),
        "accounts": [{"id": a.account_id, "name": a.account_name, "email": a.email,
                      "roles": list(a.roles), "error": a.error} for a in listing],
    })


def load(env: Environment, session: SsoSession) -> tuple[list[AccountRoles], float] | None:
    """(listing, age in seconds) if a fresh enough copy exists and we are signed in."""
    from awsenv.auth import tokens

    limit = max_age(env)
    if limit <= 0:
        return None
    data = fsutil.read_json(path(env, session))
    if data is None or data.get("v") != VERSION or data.get("start_url") != session.start_url:
        return None
    fetched = data.get("fetched_at")
    if not isinstance(fetched, (int, float)):
        return None
    age = env.now() - fetched
    if not 0 <= age <= limit:
        return None
    assert env.paths is not None
    token = tokens.read_cached(env.paths, session)
    if token is None or token.expires_at <= env.now():
        return None  # signed out: say so through the normal path, never list from cache
    try:
        return [_account(a) for a in data.get("accounts", [])], age
    except (TypeError, ValueError, KeyError):
        return None


def drop(env: Environment, session: SsoSession) -> bool:
    """Forget the session's listing (logout); True if there was one."""
    return fsutil.remove(path(env, session))


def _account(raw: Any) -> AccountRoles:
    roles = raw["roles"]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ValueError("roles")
    error = raw.get("error")
    return AccountRoles(str(raw["id"]), str(raw["name"]), str(raw["email"]), list(roles),
                        error=str(error) if error else None)
