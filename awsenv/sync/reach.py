"""`awsenv list`: what a session can reach, and which local profile reaches it.

A role counts as configured when any profile (native, legacy or awsenv
managed) resolves to the same start URL, account and role: users keep
hand-written profiles next to generated ones, and both should show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from awsenv.awsconfig.model import SsoSession
    from awsenv.awsconfig.read import AwsConfig
    from awsenv.environment import Environment
    from awsenv.portal import AccountRoles, ProgressFn
    from awsenv.sync.filters import Filter


@dataclass(frozen=True)
class RoleRow:
    """One role in one account (``role_name`` None: the account has no roles for you)."""

    account_id: str
    account_name: str
    email: str
    role_name: str | None
    profiles: tuple[str, ...] = ()
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"account_id": self.account_id, "account_name": self.account_name,
                "email": self.email, "role_name": self.role_name,
                "profiles": list(self.profiles), "error": self.error}


def local_profiles(cfg: AwsConfig, session: SsoSession) -> dict[tuple[str, str], list[str]]:
    """(account, role) -> profile names reaching it through this session's portal."""
    out: dict[tuple[str, str], list[str]] = {}
    want = session.start_url.rstrip("/")
    for name, prof in cfg.profiles.items():
        if prof.session is None or prof.session.start_url.rstrip("/") != want:
            continue
        if prof.account_id and prof.role_name:
            out.setdefault((prof.account_id, prof.role_name), []).append(name)
    return out


def indexed(env: Environment, session_name: str | None
            ) -> tuple[SsoSession, dict[tuple[str, str], list[str]]] | None:
    """The session and :func:`local_profiles`' mapping from the profile-facts index.

    botocore's loader takes over a second on a 15,000-profile config; the index
    is read stdlib-only (or rebuilt from one scan when stale). None unless the
    session resolves plainly (the named one exists, or exactly one is
    configured): every error is read.load's to word, so the caller falls back.
    """
    from awsenv.awsconfig.model import SsoSession
    from awsenv.awsconfig.read import parse_scopes
    from awsenv.shells import profileindex

    assert env.paths is not None
    data = profileindex.reach(*profileindex.of_paths(env.paths))
    sessions = {entry[0]: entry for entry in data["sessions"]}
    if session_name:
        entry = sessions.get(session_name)
    else:
        entry = next(iter(sessions.values())) if len(sessions) == 1 else None
    if entry is None:
        return None
    key, name, start_url, region, scopes = entry
    session = SsoSession(key=key, name=name, start_url=start_url, region=region,
                         scopes=parse_scopes(scopes))
    urls = {entry[0]: entry[2].rstrip("/") for entry in data["sessions"]}
    want = start_url.rstrip("/")
    out: dict[tuple[str, str], list[str]] = {}
    for profile, session_key, account, role in data["profiles"]:
        if urls.get(session_key) == want:
            out.setdefault((account, role), []).append(profile)
    return session, out


def rows(listing: list[AccountRoles],
         profiles: dict[tuple[str, str], list[str]]) -> list[RoleRow]:
    out: list[RoleRow] = []
    for acct in sorted(listing, key=lambda a: (a.account_name.lower(), a.account_id)):
        if not acct.roles:
            out.append(RoleRow(acct.account_id, acct.account_name, acct.email, None,
                               error=acct.error))
        for role in sorted(acct.roles, key=str.lower):
            names = tuple(sorted(profiles.get((acct.account_id, role), [])))
            out.append(RoleRow(acct.account_id, acct.account_name, acct.email, role, names))
    return out


@dataclass(frozen=True)
class Reach:
    session: SsoSession
    rows: list[RoleRow]
    cached_age: float | None = None  # seconds, when the listing came from the short cache


def reachable(env: Environment, session_name: str | None = None, *,
              progress: ProgressFn | None = None, refresh: bool = False,
              filter: Filter | None = None) -> Reach:
    """The session used and every role it reaches (that ``filter`` keeps), with local
    profile names.

    A listing younger than ``AWSENV_LIST_CACHE`` seconds is reused unless
    ``refresh`` (see ``listing_cache``). The filter applies to the rows only: the
    cached listing stays whole, so another filter needs no new listing.
    """
    from awsenv import portal
    from awsenv.sync import listing_cache

    local = indexed(env, session_name)
    if local is None:
        from awsenv.awsconfig import read

        cfg = read.load(env)
        session = cfg.session(session_name) if session_name else cfg.default_session()
        local = session, local_profiles(cfg, session)
    session, mapping = local
    cached = None if refresh else listing_cache.load(env, session)
    age = None
    if cached is not None:
        listing, age = cached
    else:
        listing = portal.list_account_roles(env, session, progress=progress)
        listing_cache.save(env, session, listing)
    found = rows(listing, mapping)
    if filter:
        found = [r for r in found if filter.keeps(r.account_name, r.account_id,
                                                  r.role_name or "")]
    return Reach(session, found, age)
