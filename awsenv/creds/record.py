"""One cached role credential record: its file name, freshness and wire form.

Everything the ``credential-process`` cache hit needs, as plain functions on
strings and dicts, so the hit pays for nothing beyond ``json`` and a SHA-256.
:mod:`awsenv.creds.cache` builds the Path-based API on top.

Freshness (sso-protocol.md §8): botocore re-runs ``credential_process`` on
*every* access once fewer than 15 minutes are left, so the cache refreshes
before that window and always hands out more than 15 minutes when the role's
lifetime allows it.
"""

from __future__ import annotations

import os
import time

from awsenv import fastjson, locations
from awsenv.digest import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

FORMAT_VERSION = 1
# botocore's advisory refresh window (900 s) plus a minute of margin, so what
# we hand out is not already inside it.
REFRESH_WINDOW = 15 * 60 + 60
# Never hand out credentials that could expire while a command is starting.
MIN_VALID = 120
SECRET_KEYS = ("access_key_id", "secret_access_key", "session_token")


def refresh_threshold(lifetime: float) -> float:
    """Seconds left below which a record is refetched rather than served.

    Roles living at least twice the window refresh at the window; shorter ones
    (test knobs, odd permission sets) at half their lifetime, never below
    MIN_VALID, so a fresh fetch is always servable for a while.
    """
    if lifetime >= 2 * REFRESH_WINDOW:
        return REFRESH_WINDOW
    return max(MIN_VALID, lifetime / 2)


def file_name(config_path: str, profile_name: str) -> str:
    """``<sha256(config path, profile)>.json``: one record per config file and profile."""
    key = f"{config_path}\0{profile_name}".encode("utf-8", "surrogateescape")
    return f"{sha256(key).hexdigest()}.json"


def config_stamp(config_path: str) -> list[int] | None:
    """(mtime_ns, size, inode) of the AWS config file; None if it is missing."""
    try:
        st = os.stat(config_path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def servable(record: Any, config_path: str, profile_name: str, now: float | None = None,
             min_left: float | None = None) -> dict[str, Any] | None:
    """The record's credentials if they may be handed out now, else None.

    A miss covers a record from another format, another config file or another
    state of it (any edit re-resolves the profile), missing or mistyped fields,
    and too little time left. ``min_left`` replaces the refresh threshold (a
    fallback when a refetch failed).
    """
    if not isinstance(record, dict) or record.get("v") != FORMAT_VERSION:
        return None
    if record.get("config") != config_path or record.get("stamp") != config_stamp(config_path):
        return None
    creds = record.get("credentials")
    if not isinstance(creds, dict) or creds.get("profile") != profile_name:
        return None
    try:
        expiration = float(creds["expiration"])
        lifetime = expiration - float(creds["fetched_at"])
        for key in SECRET_KEYS:
            if not isinstance(creds[key], str) or not creds[key]:
                return None
    except (KeyError, TypeError, ValueError):
        return None
    left = expiration - (time.time() if now is None else now)
    if left < (refresh_threshold(lifetime) if min_left is None else min_left):
        return None
    return creds


def facts(record: Any) -> dict[str, Any] | None:
    """The profile's display facts stored beside the credentials, or None.

    ``{"account_id", "role_name", "region", "prod"}`` as the AWS config said
    when the record was written (awsenv.shells.profileinfo): the record's
    config stamp voids them with the credentials, so `awsenv use` can announce
    a switch without parsing the config.
    """
    found = record.get("facts") if isinstance(record, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("prod"), bool):
        return None
    for key in ("account_id", "role_name", "region"):
        if not (found.get(key) is None or isinstance(found.get(key), str)):
            return None
    return found


def credential_variables(creds: Mapping[str, Any]) -> dict[str, str]:
    """The four ``export-credentials`` variables in the AWS CLI's order (§9), no region.

    From the record's credential fields; the expiry uses ``Z`` so starship reads it.
    """
    return {
        "AWS_ACCESS_KEY_ID": str(creds["access_key_id"]),
        "AWS_SECRET_ACCESS_KEY": str(creds["secret_access_key"]),
        "AWS_SESSION_TOKEN": str(creds["session_token"]),
        "AWS_CREDENTIAL_EXPIRATION": iso_z(float(creds["expiration"])),
    }


def iso_z(epoch: float) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: what botocore writes and starship/dateutil read."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def read(path: str) -> Any:
    """A record file's content, decoded without importing ``json``; None when there is none.

    Only a regular 0600-style file of this user in directories no one else
    controls counts (:func:`awsenv.locations.read_private`): a record another
    local user planted, a link, a FIFO, a directory or garbage is a miss, and
    the full path fetches and rewrites it.
    """
    data = locations.read_private(path)
    if data is None:
        return None
    try:
        return fastjson.loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        return None


def process_json(data: dict[str, Any]) -> str:
    """The ``credential_process`` JSON (sso-protocol.md §8): Version 1, ``Z`` expiry.

    Laid out as ``json.dumps(..., indent=2)`` would, but built from quoted
    strings so the cache hit never imports ``json``.
    """
    fields = (
        ("AccessKeyId", data["access_key_id"]),
        ("SecretAccessKey", data["secret_access_key"]),
        ("SessionToken", data["session_token"]),
        ("Expiration", iso_z(float(data["expiration"]))),
    )
    body = "".join(f',\n  "{key}": {fastjson.quote(str(value))}' for key, value in fields)
    return '{\n  "Version": 1' + body + "\n}"
