"""The role credential cache: one 0600 JSON file per (AWS config file, profile).

This is the hot path: SDKs run ``credential_process`` on every client start,
so a hit must answer from one small file without parsing the AWS config or
importing anything heavy (stdlib only; fsutil imports filelock lazily). Each
record holds the AWS config file's stamp (mtime_ns, size, inode) from when the
profile was resolved; any edit to the config makes the record a miss, so the
full path re-resolves the profile.

Freshness (sso-protocol.md §8): botocore re-runs ``credential_process`` on
*every* access once fewer than 15 minutes are left, so the cache refreshes
before that window and always hands out more than 15 minutes when the role's
lifetime allows it.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

from awsenv import fsutil
from awsenv.paths import Paths

FORMAT_VERSION = 1
# botocore's advisory refresh window (900 s) plus a minute of margin, so what
# we hand out is not already inside it.
REFRESH_WINDOW = 15 * 60 + 60
# Never hand out credentials that could expire while a command is starting.
MIN_VALID = 120


def refresh_threshold(lifetime: float) -> float:
    """Seconds left below which a record is refetched rather than served.

    Roles living at least twice the window refresh at the window; shorter ones
    (test knobs, odd permission sets) at half their lifetime, never below
    MIN_VALID, so a fresh fetch is always servable for a while.
    """
    if lifetime >= 2 * REFRESH_WINDOW:
        return REFRESH_WINDOW
    return max(MIN_VALID, lifetime / 2)


def config_path(paths: Paths) -> str:
    return os.path.abspath(str(paths.aws_config_file))


def cache_file(paths: Paths, profile_name: str) -> Path:
    key = f"{config_path(paths)}\0{profile_name}".encode("utf-8", "surrogateescape")
    return paths.credentials_dir / f"{hashlib.sha256(key).hexdigest()}.json"


def lock_file(paths: Paths, profile_name: str) -> Path:
    return cache_file(paths, profile_name).with_suffix(".lock")


def config_stamp(paths: Paths) -> list[int] | None:
    """(mtime_ns, size, inode) of the AWS config file; None if it is missing."""
    try:
        st = os.stat(config_path(paths))
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def lookup(paths: Paths, profile_name: str, now: float | None = None, *,
           min_left: float | None = None) -> dict[str, Any] | None:
    """The cached credentials for ``profile_name`` if still good to hand out, else None.

    Returns the :class:`awsenv.creds.model.RoleCredentials` fields as a dict
    (``access_key_id``, ``secret_access_key``, ``session_token``, ``expiration``
    epoch seconds, ``fetched_at``, ``profile``, ``session_key``, ``account_id``,
    ``role_name``, ``region``). A miss covers: no record, a record from another
    config file state, an unreadable record, or too little time left.
    ``min_left`` replaces the refresh threshold (a fallback when a refetch failed).
    """
    record = fsutil.read_json(cache_file(paths, profile_name))
    if not record or record.get("v") != FORMAT_VERSION:
        return None
    if record.get("config") != config_path(paths) or record.get("stamp") != config_stamp(paths):
        return None
    creds = record.get("credentials")
    if not isinstance(creds, dict) or creds.get("profile") != profile_name:
        return None
    try:
        expiration = float(creds["expiration"])
        lifetime = expiration - float(creds["fetched_at"])
        for key in ("access_key_id", "secret_access_key", "session_token"):
            if not isinstance(creds[key], str) or not creds[key]:
                return None
    except (KeyError, TypeError, ValueError):
        return None
    left = expiration - (time.time() if now is None else now)
    if left < (refresh_threshold(lifetime) if min_left is None else min_left):
        return None
    return creds


def store(paths: Paths, credentials: dict[str, Any], stamp: list[int] | None) -> Path:
    """Write the record for ``credentials["profile"]`` (atomic, 0600 in a 0700 dir).

    ``stamp`` must be taken *before* the config was parsed: if the file changed
    meanwhile, the record simply never matches and the next call re-resolves.
    """
    path = cache_file(paths, str(credentials["profile"]))
    fsutil.write_json(path, {
        "v": FORMAT_VERSION,
        "config": config_path(paths),
        "stamp": stamp,
        "credentials": credentials,
    })
    return path


def remove(paths: Paths, profile_name: str) -> bool:
    return fsutil.remove(cache_file(paths, profile_name))


def _records(paths: Paths) -> list[Path]:
    try:
        return sorted(paths.credentials_dir.glob("*.json"))
    except OSError:
        return []


def purge_session(paths: Paths, session_key: str) -> int:
    """Delete every record resolved through ``session_key`` (logout); returns the count.

    Lock files stay: deleting a lock someone holds would let a second holder in.
    """
    count = 0
    for path in _records(paths):
        record = fsutil.read_json(path)
        creds = record.get("credentials") if record else None
        if isinstance(creds, dict) and creds.get("session_key") == session_key:
            count += fsutil.remove(path)
    return count


def purge_all(paths: Paths) -> int:
    """Delete every cached role credential; returns the count."""
    return sum(fsutil.remove(path) for path in _records(paths))
