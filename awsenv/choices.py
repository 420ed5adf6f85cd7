"""What the profile picker offers: every profile, recent choices first, and the last few choices.

Rows come from the profile-facts index (awsenv.shells.profileindex: name,
account, role, region, the same PROD rule `allow` and `use` show; rebuilt
from one scan of the config when the config changed) and account names from
the portal listings awsenv keeps (awsenv.sync.listing_cache; read whatever
their age, since an account's name outlives a listing's freshness), else the
profile's own keys. No botocore, no network, no parse of the config.

The picker's first screen has a budget (150 ms at 15,000 profiles, issue
#15): :class:`Rows` reads the names and the facts of one screenful (a few
small files) for it, and every row only once the picker is up. This module
and what it loads before the picker draws are stdlib-only with the fast
paths' modules (no pathlib, dataclasses or json: ~15 ms); writing the recent
choices, after the choice, loads :mod:`awsenv.fsutil`.

Recent choices live in a small 0600 file in awsenv's cache dir (written through
awsenv.fsutil, read through locations.read_private like every state file):
losing it only loses the order.
"""

from __future__ import annotations

import contextlib
import os

from awsenv import fastsettings, locations
from awsenv.creds.record import read as read_state
from awsenv.picker import Candidate
from awsenv.shells import profileindex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

# Choices remembered (and shown first).
KEEP = 5
RECENT_FILE = "picked.json"


def recent_path(environ: Mapping[str, str]) -> str:
    return os.path.join(locations.app_dirs(environ)[2], RECENT_FILE)


def recent(environ: Mapping[str, str]) -> list[str]:
    """The last choices, newest first ([] when none or the file is not to be trusted)."""
    data = read_state(recent_path(environ))
    names = data.get("recent") if isinstance(data, dict) else None
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str)][:KEEP]


def remember(environ: Mapping[str, str], name: str) -> None:
    """Put ``name`` first among the recent choices. Best effort: a cache dir that cannot
    be written only costs the order, never the switch the person asked for."""
    from pathlib import Path

    from awsenv import fsutil
    from awsenv.errors import AwsenvError

    names = [name, *(n for n in recent(environ) if n != name)][:KEEP]
    path = Path(recent_path(environ))
    with contextlib.suppress(OSError, AwsenvError):
        fsutil.ensure_private_dir(path.parent)
        fsutil.write_json(path, {"v": 1, "recent": names})


def account_names(environ: Mapping[str, str]) -> dict[str, str]:
    """Account id -> name from every portal listing awsenv keeps (any age, any session)."""
    where = os.path.join(locations.app_dirs(environ)[2], "listings")
    try:
        files = sorted(f for f in os.listdir(where) if f.endswith(".json"))
    except OSError:
        return {}
    out: dict[str, str] = {}
    for name in files:
        data = read_state(os.path.join(where, name))
        accounts = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(accounts, list):
            continue
        for acc in accounts:
            if (isinstance(acc, dict) and isinstance(acc.get("id"), str)
                    and isinstance(acc.get("name"), str) and acc["name"]):
                out.setdefault(acc["id"], acc["name"])
    return out


class Rows:
    """Every profile as a picker row in the picker's order: recent choices first (newest
    first), the rest in the config's order. :meth:`first` reads only the rows asked for
    (the index's names file and a bucket per row); :meth:`every` all of them."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.directory, self.config = profileindex.location(environ)
        self._facts: dict[str, dict[str, Any]] | None = None
        self._last = recent(environ)
        found = profileindex.read_names(self.directory, self.config)
        self._arrange(found[0] if found is not None else self._rebuild())
        self.accounts = account_names(environ)

    def _rebuild(self) -> list[str]:
        """A stale index: one scan of the config rebuilds it (and every fast path's)."""
        index = profileindex.build(self.directory, self.config)
        self._facts = {n: profileindex.fact_of(i) for n, i in index.infos.items()}
        return index.profiles

    def _arrange(self, names: list[str]) -> None:
        known = set(names)
        last = [n for n in self._last if n in known]
        self.recent = set(last)
        self.order = last + [n for n in names if n not in self.recent]

    def __len__(self) -> int:
        return len(self.order)

    def _row(self, name: str, fact: Mapping[str, Any]) -> Candidate:
        account = fact["account_id"]
        return Candidate(name=name, account_name=self.accounts.get(account or ""),
                         account_id=account, role=fact["role_name"], region=fact["region"],
                         prod=fact["prod"], recent=name in self.recent)

    def first(self, count: int) -> list[Candidate]:
        """The first ``count`` rows, each read from its own bucket of the index."""
        if self._facts is not None:
            return self.every()[:count]
        out = []
        for name in self.order[:count]:
            fresh, fact = profileindex.read_facts(self.directory, self.config, name)
            if not fresh or fact is None:  # the config changed meanwhile
                return self.every()[:count]
            out.append(self._row(name, fact))
        return out

    def every(self) -> list[Candidate]:
        """Every row (all the index's buckets; rebuilt from the config when stale)."""
        if self._facts is None:
            self._facts = profileindex.read_every_fact(self.directory, self.config, self.order)
        if self._facts is None:  # the config changed since the names were read
            self._arrange(self._rebuild())
        facts = self._facts
        return [self._row(n, facts[n]) for n in self.order]


def candidates(environ: Mapping[str, str]) -> list[Candidate]:
    """Every profile in the AWS config as a picker row; recent choices first (newest first),
    the rest in the config's order."""
    return Rows(environ).every()


def kind(environ: Mapping[str, str]) -> str:
    """The ``picker`` setting: "builtin" or "fzf" (a setting awsenv cannot use is
    :func:`awsenv.settings.load`'s one-line ConfigError)."""
    found = fastsettings.value(environ, "picker", fastsettings.PICKERS)
    if found is None:
        from awsenv import settings
        from awsenv.environment import Environment

        found = settings.load(Environment(environ=environ)).picker
    return found


def show(environ: Mapping[str, str], rows: Sequence[Candidate], *, title: str,
         complete: Callable[[], Sequence[Candidate]] | None = None,
         total: int | None = None) -> Candidate | None:
    """The row chosen in the picker the settings name (None: the person left it).
    ``complete``/``total`` as :func:`awsenv.picker.pick` takes them; fzf gets every
    row at once (its own first screen is not budgeted)."""
    if kind(environ) == "fzf":
        from awsenv import pickfzf

        return pickfzf.pick(complete() if complete is not None else rows, title=title)
    from awsenv import picker

    return picker.pick(rows, title=title, complete=complete, total=total)


def choose(environ: Mapping[str, str], title: str) -> tuple[bool, str | None]:
    """(opened, chosen): the picker over the config's profiles when someone is at a
    terminal that can draw it. ``opened`` False: no terminal or no profiles (the
    caller answers as without a picker); ``chosen`` None: the person left (Esc)."""
    from awsenv import picker

    if not picker.available(environ):
        return False, None
    rows = Rows(environ)
    if not rows:
        return False, None
    rest = rows.every if len(rows) > picker.HEIGHT else None
    got = show(environ, rows.first(picker.HEIGHT), title=title, complete=rest,
               total=len(rows))
    if got is None:
        return True, None
    remember(environ, got.name)
    return True, got.name
