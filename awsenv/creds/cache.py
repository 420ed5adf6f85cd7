"""The role credential cache: one 0600 JSON file per (AWS config file, profile).

This is the hot path: SDKs run ``credential_process`` on every client start,
so a hit must answer from one small file without parsing the AWS config or
importing anything heavy. Each record holds the AWS config file's stamp
(mtime_ns, size, inode) from when the profile was resolved; any edit to the
config makes the record a miss, so the full path re-resolves the profile.
The record rules live in :mod:`awsenv.creds.record`, which the hit uses alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from awsenv import fsutil
from awsenv.creds import record
from awsenv.creds.record import FORMAT_VERSION, MIN_VALID, REFRESH_WINDOW, refresh_threshold
from awsenv.paths import Paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MIN_VALID", "REFRESH_WINDOW", "cache_file", "config_stamp", "lock_file", "lookup",
           "purge_all", "purge_session", "refresh_threshold", "remove", "store"]


def config_path(paths: Paths) -> str:
    return os.path.abspath(str(paths.aws_config_file))


def cache_file(paths: Paths, profile_name: str) -> Path:
    return paths.credentials_dir / record.file_name(config_path(paths), profile_name)


def lock_file(paths: Paths, profile_name: str) -> Path:
    return cache_file(paths, profile_name).with_suffix(".lock")


def config_stamp(paths: Paths) -> list[int] | None:
    """(mtime_ns, size, inode) of the AWS config file; None if it is missing."""
    return record.config_stamp(config_path(paths))


def lookup(paths: Paths, profile_name: str, now: float | None = None, *,
           min_left: float | None = None) -> dict[str, Any] | None:
    """The cached credentials for ``profile_name`` if still good to hand out, else None.

    Returns the :class:`awsenv.creds.model.RoleCredentials` fields as a dict
    (``access_key_id``, ``secret_access_key``, ``session_token``, ``expiration``
    epoch seconds, ``fetched_at``, ``profile``, ``session_key``, ``account_id``,
    ``role_name``, ``region``); see :func:`awsenv.creds.record.servable`.
    """
    data = fsutil.read_json(cache_file(paths, profile_name))
    return record.servable(data, config_path(paths), profile_name, now, min_left)


def store(paths: Paths, credentials: dict[str, Any], stamp: list[int] | None) -> Path:
    """Write the record for ``credentials["profile"]`` (atomic, 0600 in a 0700 dir).

    ``stamp`` must be taken *before* the config was parsed: if the file changed
    meanwhile, the record simply never matches and the next call re-resolves.
    The profile's display facts ride along (see :func:`record.facts`).
    """
    profile = str(credentials["profile"])
    path = cache_file(paths, profile)
    fsutil.write_json(path, {
        "v": FORMAT_VERSION,
        "config": config_path(paths),
        "stamp": stamp,
        "credentials": credentials,
        "facts": _facts(paths, profile),
    })
    return path


def _facts(paths: Paths, profile: str) -> dict[str, Any] | None:
    from awsenv.shells import profileindex  # the same view `awsenv use` announces with

    info = profileindex.info(*profileindex.of_paths(paths), profile)
    if info is None:
        return None
    return {"account_id": info.account_id, "role_name": info.role_name,
            "region": info.region, "prod": info.prod}


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
        data = fsutil.read_json(path)
        creds = data.get("credentials") if data else None
        if isinstance(creds, dict) and creds.get("session_key") == session_key:
            count += fsutil.remove(path)
    return count


def purge_all(paths: Paths) -> int:
    """Delete every cached role credential; returns the count."""
    return sum(fsutil.remove(path) for path in _records(paths))
