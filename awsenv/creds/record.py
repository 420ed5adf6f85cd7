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
from awsenv.digest import sha1, sha256
from awsenv.locations import config_stamp

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
# awsenv.auth.tokens.REFRESH_WINDOW (botocore's): with less than this left on the
# session's access token, an awsenv process renews it. The JavaScript SDKs give up
# on a native profile's token in its last 5 minutes (they find no refresh token in
# the file), so the token must never get there while awsenv runs at all.
TOKEN_WINDOW = 15 * 60


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


def token_file(sso_cache: str, session_key: str) -> str:
    """The AWS CLI token cache file of a session: ``<sso_cache>/sha1(key).json``."""
    name = sha1(session_key.encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(sso_cache, name + ".json")


def sso_cache(env: Mapping[str, str]) -> str:
    """``~/.aws/sso/cache`` as botocore fixes it (awsenv.paths.Paths.aws_sso_cache)."""
    return os.path.join(locations.home(env), ".aws", "sso", "cache")


def token_due(sso_cache_dir: str, session_key: Any, now: float | None = None) -> bool:
    """True when the session's cached access token needs an awsenv process now.

    That is: less than TOKEN_WINDOW left, expired, missing (``aws sso logout``
    deletes it) or unreadable. The ``credential-process`` hit then leaves the
    answer to the full path, which renews the token from the keyring or finds
    the sign-in over (:func:`awsenv.creds.get`): once per token lifetime, since
    a renewed token is fresh again. A record without a session is never due.
    """
    if not isinstance(session_key, str) or not session_key:
        return False
    expires = token_expiry(sso_cache_dir, session_key)
    if expires is None:
        return True
    return expires - (time.time() if now is None else now) < TOKEN_WINDOW


def token_expiry(sso_cache_dir: str, session_key: str) -> float | None:
    """Epoch seconds the session's cached access token expires; None when there is no
    usable token (missing, not awsenv's to trust, damaged, an ``expiresAt`` in another
    form than :func:`iso_epoch` reads). Every reader of the token's expiry asks this."""
    data = read(token_file(sso_cache_dir, session_key))
    return iso_epoch(data.get("expiresAt")) if isinstance(data, dict) else None


def iso_epoch(value: Any) -> float | None:
    """Epoch seconds of a UTC ``YYYY-MM-DDTHH:MM:SS`` stamp with ``Z``, ``UTC`` or
    ``+00:00``, optionally with a fraction (the forms the AWS CLI, botocore and the
    JavaScript SDK write); None for anything else. No datetime: it loads ~2 ms of
    modules the cache hit never needs.
    """
    if not isinstance(value, str) or len(value) < 20:
        return None
    head, tail = value[:19], value[19:]
    if head[4::3] != "--T::" and head[4::3] != "-- ::":  # positions 4, 7, 10, 13, 16
        return None
    if tail[:1] == ".":
        digits = tail[1:].lstrip("0123456789")
        fraction, tail = tail[1:len(tail) - len(digits)], digits
        if not fraction:
            return None
    else:
        fraction = ""
    if tail not in ("Z", "z", "UTC", "+00:00"):
        return None
    try:
        year, month, day = int(head[0:4]), int(head[5:7]), int(head[8:10])
        hour, minute, second = int(head[11:13]), int(head[14:16]), int(head[17:19])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    # Days from 1970-01-01 to the civil date (proleptic Gregorian; H. Hinnant's method).
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    return seconds + (float("0." + fraction) if fraction else 0.0)


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
