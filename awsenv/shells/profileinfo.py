"""What the prompt hook needs to know about a profile, read without botocore.

The hook must switch identity without importing botocore (≈200 ms), so this
reads the few keys it needs (region, the session a profile signs in through,
account and role for messages) with the stdlib scanner in
``awsenv.awsconfig.names``, which follows configparser line for line. It is a
view for display and switching only; everything that talks to AWS resolves
profiles with ``awsenv.awsconfig.read``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from awsenv.awsconfig import names
from awsenv.digest import sha1, sha256

_OPTION = re.compile(r"(?P<option>.*?)\s*[=:]\s*(?P<value>.*)$")
_PROD = re.compile(r"(^|[^a-z])(prod|production|prd)([^a-z]|$)", re.IGNORECASE)
# Settings besides session/account/role that decide which identity a profile
# gets (an allowed `.awsenv` asks again when they change). awsenv's own
# credential_process is left out: it follows from awsenv_* and its command
# line changes with the installation, not with the identity.
_IDENTITY_KEYS = ("role_arn", "source_profile", "credential_source", "credential_process",
                  "web_identity_token_file", "aws_access_key_id", "sso_start_url",
                  "sso_session", "sso_account_id", "sso_role_name")


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    region: str | None
    session_key: str | None  # token cache key (sso-session name or legacy start URL)
    native: bool  # signs in through botocore's own sso_session provider
    account_id: str | None
    role_name: str | None
    other: str = ""  # digest of the other identity settings (_IDENTITY_KEYS), "" if none

    def resolves(self) -> dict[str, str]:
        """What this profile resolves to, as an allowed `.awsenv` is bound to it."""
        return {"session": self.session_key or "", "account": self.account_id or "",
                "role": self.role_name or "", "other": self.other}

    @property
    def prod(self) -> bool:
        """A production-looking identity: shown with a marker at allow time and on switch."""
        return any(_PROD.search(v or "") for v in (self.name, self.role_name))


def _sections(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            text = fh.read()
    except OSError:
        return {}
    out: dict[tuple[str, str], dict[str, str]] = {}
    for line in names.scan(text):
        if line.kind != "option" or line.section is None or line.section == "DEFAULT":
            continue
        ident = section_key(line.section)
        if ident is None:
            continue
        match = _OPTION.match(line.text.strip())
        if match:
            out.setdefault(ident, {}).setdefault(match.group("option").strip().lower(),
                                                 match.group("value").strip())
    return out


def section_key(header: str) -> tuple[str, str] | None:
    return names.section_identity(header)


def load(config_path: Path, profile: str) -> ProfileInfo | None:
    """The profile's switching facts, or None when the config has no such profile."""
    if profile not in names.profile_names(config_path):
        return None
    sections = _sections(config_path)
    values = sections.get(("profile", profile), {})
    session_name = values.get("sso_session")
    session_key = session_name or values.get("awsenv_session") or values.get("sso_start_url")
    return ProfileInfo(
        name=profile,
        region=values.get("region") or None,
        session_key=session_key or None,
        native=bool(session_name) and bool(values.get("sso_account_id")
                                           or values.get("sso_role_name")),
        account_id=values.get("sso_account_id") or values.get("awsenv_account_id"),
        role_name=values.get("sso_role_name") or values.get("awsenv_role_name"),
        other=_other(values),
    )


def _other(values: dict[str, str]) -> str:
    """A digest of the identity settings besides session/account/role ("" when none)."""
    keys = [k for k in _IDENTITY_KEYS if values.get(k)]
    if values.get("awsenv_session"):
        keys = [k for k in keys if k != "credential_process"]
    if not keys:
        return ""
    text = "\0".join(f"{k}={values[k]}" for k in keys)
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def token_cache_file(sso_cache: Path, session_key: str) -> Path:
    """The AWS CLI token cache file (sso-protocol.md §5): sha1(session key).json."""
    return sso_cache / (sha1(session_key.encode("utf-8")).hexdigest() + ".json")


def token_expiry(sso_cache: Path, session_key: str) -> int | None:
    """Epoch seconds when the cached access token expires; None if there is none."""
    from datetime import datetime

    from awsenv import locations

    # Never a FIFO or a planted file: the prompt reads this (locations.read_private).
    blob = locations.read_private(str(token_cache_file(sso_cache, session_key)))
    if blob is None:
        return None
    try:
        data = json.loads(blob)
        raw = str(data["expiresAt"])
    except (ValueError, KeyError, TypeError):
        return None
    raw = raw.replace("UTC", "+00:00").replace("Z", "+00:00")
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None
    return int(stamp.timestamp())
