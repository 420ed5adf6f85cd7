"""What the profile picker offers: every profile, recent choices first, and the last few choices.

Rows come from the AWS config (stdlib scan, awsenv.shells.profileinfo: name,
account, role, region, the same PROD rule `allow` and `use` show) and account
names from the portal listings awsenv keeps (awsenv.sync.listing_cache; read
whatever their age, since an account's name outlives a listing's freshness),
else the profile's own keys. No botocore, no network: the picker opens at once.

Recent choices live in a small 0600 file in awsenv's cache dir (written through
awsenv.fsutil, read through locations.read_private like every state file):
losing it only loses the order.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from awsenv import fsutil
from awsenv.environment import Environment
from awsenv.errors import AwsenvError
from awsenv.picker import Candidate
from awsenv.shells import profileinfo

# Choices remembered (and shown first).
KEEP = 5
RECENT_FILE = "picked.json"


def recent_path(env: Environment) -> Path:
    assert env.paths is not None
    return env.paths.cache_dir / RECENT_FILE


def recent(env: Environment) -> list[str]:
    """The last choices, newest first ([] when none or the file is not to be trusted)."""
    data = fsutil.read_json(recent_path(env))
    names = data.get("recent") if data else None
    if not isinstance(names, list):
        return []
    return [n for n in names if isinstance(n, str)][:KEEP]


def remember(env: Environment, name: str) -> None:
    """Put ``name`` first among the recent choices. Best effort: a cache dir that cannot
    be written only costs the order, never the switch the person asked for."""
    names = [name, *(n for n in recent(env) if n != name)][:KEEP]
    with contextlib.suppress(OSError, AwsenvError):
        fsutil.ensure_private_dir(recent_path(env).parent)
        fsutil.write_json(recent_path(env), {"v": 1, "recent": names})


def account_names(env: Environment) -> dict[str, str]:
    """Account id -> name from every portal listing awsenv keeps (any age, any session)."""
    assert env.paths is not None
    where = env.paths.cache_dir / "listings"
    try:
        files = sorted(f for f in os.listdir(where) if f.endswith(".json"))
    except OSError:
        return {}
    out: dict[str, str] = {}
    for name in files:
        data = fsutil.read_json(where / name)
        accounts = data.get("accounts") if data else None
        if not isinstance(accounts, list):
            continue
        for acc in accounts:
            if (isinstance(acc, dict) and isinstance(acc.get("id"), str)
                    and isinstance(acc.get("name"), str) and acc["name"]):
                out.setdefault(acc["id"], acc["name"])
    return out


def candidates(env: Environment) -> list[Candidate]:
    """Every profile in the AWS config as a picker row; recent choices first (newest first),
    the rest in the config's order."""
    assert env.paths is not None
    infos, _urls = profileinfo.load_all(env.paths.aws_config_file)
    if not infos:
        return []
    named = account_names(env)
    last = recent(env)
    order = {n: i for i, n in enumerate(last)}
    rows = [Candidate(name=p.name, account_name=named.get(p.account_id or ""),
                      account_id=p.account_id, role=p.role_name, region=p.region,
                      prod=p.prod, recent=p.name in order) for p in infos]
    rows.sort(key=lambda c: order.get(c.name, KEEP))  # stable: config order otherwise
    return rows


def choose(env: Environment, title: str) -> tuple[bool, str | None]:
    """(opened, chosen): the picker over the config's profiles when someone is at a
    terminal that can draw it. ``opened`` False: no terminal or no profiles (the
    caller answers as without a picker); ``chosen`` None: the person left (Esc)."""
    from awsenv import picker

    if not picker.available(env.environ):
        return False, None
    rows = candidates(env)
    if not rows:
        return False, None
    got = picker.pick(rows, title=title)
    if got is None:
        return True, None
    remember(env, got.name)
    return True, got.name
