"""`awsenv hook` (the prompt hook), answered before the full hook module loads.

The shell runs the hook when the user enters, leaves or moves between
`.awsenv` trees, and when a watched file changed. The full answer
(:func:`awsenv.shells.hook.hook`) imports pathlib, dataclasses, enum, re and
json through the trust, config and environment modules: three interpreter
starts before it decides anything. The common case needs none of them: a
trusted profile file whose allow record, profile index and (in env mode)
credential record are warm. That case is answered here with the rules'
stdlib-only homes (:mod:`awsenv.project.rules` for trust,
:mod:`awsenv.shells.profileindex` for the profile's facts,
:mod:`awsenv.creds.record` for credentials and the session token) through the
hook's own answer (:func:`awsenv.shells.hookanswer.answer`), so both paths
give the same bytes.

Whatever this cannot be sure of raises :class:`Unsure` before anything is
written, and the full path answers (and says what is wrong): no walk result
from the shell, a file that is not trusted as it stands (refused, unknown,
edited, denied, re-pointed, a profile that resolves elsewhere), a team's
identity file, a stale index, a chained profile, a credential record missing
or due, a session token missing or due, a refresh due or reported, a
settings file only the full reader can judge, paths pathlib would spell
differently, any error at all.
"""

from __future__ import annotations

import os
import time

from awsenv import locations
from awsenv.creds import record
from awsenv.project import rules
from awsenv.shells import hookanswer, profileindex
from awsenv.shells.answer import TOKEN_LEAD, env_values, label, profile_values
from awsenv.shells.records import PROTOCOL, SHELLS, send

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from awsenv.shells.records import Records
    from awsenv.shells.state import State, Values


class Unsure(Exception):
    """The lean answer cannot be sure: the full path answers instead."""


def _plain(path: str) -> bool:
    """An absolute path that pathlib spells as written (the full path's strings)."""
    return path.startswith("/") and os.path.normpath(path) == path


class _Asked:
    """What a trusted profile file asks for (file.ProjectFile's fields the answer reads)."""

    __slots__ = ("mode", "profile", "region")

    def __init__(self, profile: str, region: str | None, mode: str | None) -> None:
        self.profile, self.region, self.mode = profile, region, mode


class _Target:
    """What a profile sets now (identity.Target's fields): never warnings, never pending."""

    __slots__ = ("describe", "pending", "refresh_at", "values", "warnings")

    def __init__(self, values: Values, refresh_at: int, describe: str) -> None:
        self.values, self.refresh_at, self.describe = values, refresh_at, describe
        self.warnings: list[str] = []
        self.pending = ""


class LeanWorld:
    """The hook's facts from warm local state alone (hookanswer.World); Unsure otherwise."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.config_file = locations.aws_config_file(environ)
        self.runtime_dir = locations.runtime_dir(environ)
        self.home = locations.home(environ).rstrip("/")
        if not (_plain(self.config_file) and _plain(self.runtime_dir)
                and (not self.home or os.path.normpath(self.home) == self.home)):
            raise Unsure
        self.index = profileindex.location(environ)
        self.facts: dict[str, dict[str, Any]] = {}
        self.via: list[str] = []

    def now(self) -> float:
        return time.time()

    def found(self) -> str:
        found = self.environ.get("_AWSENV_FOUND")
        if found is None or (found and not _plain(found)):
            raise Unsure  # the full path walks the directory itself
        return found

    def _fact(self, profile: str) -> dict[str, Any]:
        """The profile's facts from a fresh index (read once: evaluate, then resolve)."""
        fact = self.facts.get(profile)
        if fact is None:
            fresh, fact = profileindex.read_facts(*self.index, profile)
            if not fresh or fact is None or fact["chain"]:
                raise Unsure
            self.facts[profile] = fact
        return fact

    def evaluate(self, found: str, why: list[str]) -> tuple[str | None, _Asked | None, str]:
        """The tree when its `.awsenv` is trusted as it stands (hook.evaluate's rules)."""
        if not found:
            return None, None, ""
        trust_dir = os.path.join(locations.app_dirs(self.environ)[1], "trust")
        names = profileindex.read_names(*self.index)
        if locations.unsafe_dir(trust_dir) is not None or names is None:
            raise Unsure
        try:
            real, self.via = rules.check_safe(found)
            data = rules.read(found, real)
            profile, region, mode, identity = rules.asked(found, data, names[0], None)
        except rules.Refused:
            raise Unsure from None
        if identity:
            raise Unsure  # a team's file: awsenv.project.resolve finds the profile
        verdict, allowed = rules.verdict(trust_dir, found, real, data, profile, False)
        if verdict != "allowed" or allowed is None:
            raise Unsure
        fact = self._fact(profile)
        resolves = {"session": fact["session"], "account": fact["account_id"],
                    "role": fact["role_name"], "other": fact["other"]}
        if not rules.bound_to(allowed, resolves):
            raise Unsure
        return found, _Asked(profile, region, mode), ""

    def default_mode(self) -> str:
        """``shell_mode`` read plainly (awsenv.fastsettings); a file only settings.load
        can judge is the full path's to report."""
        from awsenv import fastsettings

        mode = fastsettings.value(self.environ, "shell_mode", fastsettings.SHELL_MODES)
        if mode is None:
            raise Unsure
        return mode

    def resolve(self, profile: str, mode: str, region: str | None) -> tuple[_Target, str]:
        """identity.resolve without the keyring, when nothing needs renewing."""
        fact = self._fact(profile)
        now = time.time()
        if mode == "env":
            config = os.path.abspath(self.config_file)
            data = record.read(os.path.join(locations.credentials_dir(self.runtime_dir),
                                            record.file_name(config, profile)))
            creds = record.servable(data, config, profile, now)
            if creds is None:
                raise Unsure  # a fetch: detached, waited for (the full path)
            if record.token_due(record.sso_cache(self.environ), creds.get("session_key"), now):
                raise Unsure  # the session signed out or due: renewed or refused (full path)
            values, refresh_at, shown = env_values(creds, profile, region, fact["region"], now)
        elif mode == "profile":
            shown = region or fact["region"]
            expires = None
            refresh_at = 0
            if fact["session"]:
                expires = self._token_expiry(fact["session"])
                if expires - now <= TOKEN_LEAD:
                    raise Unsure  # a renewal: the keyring (the full path)
                refresh_at = expires - TOKEN_LEAD
            values = profile_values(profile, expires, shown)
        else:
            raise Unsure
        describe = label(profile, fact["prod"], fact["account_id"], fact["role_name"], shown)
        return _Target(values, refresh_at, describe), ""

    def _token_expiry(self, session: str) -> int:
        expires = record.token_expiry(record.sso_cache(self.environ), session)
        if expires is None:
            raise Unsure  # signed out: the full path says so
        return int(expires)

    def refresh_top(self, state: State, cur: Values, recs: Records) -> None:
        raise Unsure

    def follow_signin(self, state: State, cur: Values, recs: Records) -> None:
        """hook._follow_signin where it changes nothing: the top identity's session
        still signed in and its expiry shown; anything else is the full path's."""
        top = state.top
        assert top is not None
        if "+arn:" in top.profile:
            raise Unsure
        fresh, fact = profileindex.read_facts(*self.index, top.profile)
        if not fresh:
            raise Unsure
        if fact is None or not fact["session"]:
            return  # a profile gone from the config, or one that needs no sign-in
        self._token_expiry(fact["session"])
        if cur.get("AWSENV_EXPIRES") in (None, "0"):
            raise Unsure  # signed in again: the full path resolves it afresh

    def link_dirs(self, found: str) -> list[str]:
        return self.via  # the walk evaluate took, trust.link_dirs' answer

    def display(self, path: str) -> str:
        return hookanswer.display(self.home, path)

    def parent(self, path: str) -> str:
        if not _plain(path):
            raise Unsure
        return os.path.dirname(path)


def lean_answer(environ: Mapping[str, str]) -> bytes | None:
    """The whole answer to one hook call from warm local state, or None (the full path)."""
    try:
        return hookanswer.answer(LeanWorld(environ)).finish(0)
    except Exception:  # Unsure, or anything odd: the full path decides and reports it
        return None


def fast_hook(args: list[str]) -> int | None:
    """`awsenv hook --protocol N SHELL`: the lean answer when it can be given, else the
    full one (awsenv.shells.hook.run_hook); other arguments are click's."""
    if len(args) != 3 or args[0] != "--protocol" or args[2] not in SHELLS:
        return None
    data = lean_answer(os.environ) if args[1] == str(PROTOCOL) else None
    if data is not None:
        return 0 if send(data) else 1
    from awsenv.shells.hook import run_hook

    return run_hook(args[1])
