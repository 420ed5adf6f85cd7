"""What the prompt hook needs to know about a profile, read without botocore.

The hook must switch identity without importing botocore (≈200 ms), so this
reads the few keys it needs (region, the session a profile signs in through,
account and role for messages) with the stdlib scanner in
``awsenv.awsconfig.names``, which follows configparser line for line. It is a
view for display and switching only; everything that talks to AWS resolves
profiles with ``awsenv.awsconfig.read``.
"""

from __future__ import annotations

import os
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


# A role ARN in a chain (awsenv.creds.chain.ROLE_ARN, which this module must not import).
_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::(?P<account>[0-9]{12}):"
                       r"role(?:/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,64})", re.ASCII)
# source_profile links followed at most (a loop or more is refused when credentials are
# fetched: awsenv.creds.chain); the display stops there.
_MAX_HOPS = 32


@dataclass(frozen=True)
class Link:
    """One identity along a chain: the profile giving it (if any), its account and role."""

    profile: str
    account_id: str | None
    role_name: str | None
    prod: bool


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    region: str | None
    session_key: str | None  # token cache key (sso-session name or legacy start URL)
    native: bool  # signs in through botocore's own sso_session provider
    account_id: str | None
    role_name: str | None
    other: str = ""  # digest of the other identity settings (_IDENTITY_KEYS), "" if none
    # A chained profile (role_arn + source_profile, or an ad hoc PROFILE+ROLE_ARN name):
    # every identity from the signed-in source to the target role; () otherwise.
    chain: tuple[Link, ...] = ()
    adhoc: bool = False  # an ad hoc chain: no profile in the config names it

    def resolves(self) -> dict[str, str]:
        """What this profile resolves to, as an allowed `.awsenv` is bound to it."""
        return {"session": self.session_key or "", "account": self.account_id or "",
                "role": self.role_name or "", "other": self.other}

    @property
    def prod(self) -> bool:
        """A production-looking identity (any link of a chain): shown with a marker at
        allow time and on switch."""
        return any(_PROD.search(v or "") for v in (self.name, self.role_name)) or any(
            link.prod for link in self.chain)


def _sections(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            text = fh.read()
    except OSError:
        return {}
    return sections_of(names.scan(text))


def sections_of(lines: list[names.Line]) -> dict[tuple[str, str], dict[str, str]]:
    """Each section's options (first value wins, as configparser merges) from scanned lines:
    the profile-facts index (awsenv.shells.profileindex) builds from the same scan."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for line in lines:
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


def _looks_prod(*values: str | None) -> bool:
    return any(_PROD.search(v or "") for v in values)


def load(config_path: Path, profile: str) -> ProfileInfo | None:
    """The profile's switching facts, or None when the config has no such profile.

    A chained profile (``role_arn`` + ``source_profile``) signs in through its
    source's session (followed to the end); its account and role are the role
    ARN's. ``PROFILE+ROLE_ARN[+...]`` (an ad hoc ``--chain``) is PROFILE with
    those roles on top.
    """
    known = names.profile_names(config_path)
    if profile not in known:
        return _adhoc(config_path, profile, known)
    return _load(_sections(config_path), profile)


def load_all(config_path: Path) -> tuple[list[ProfileInfo], dict[str, str]]:
    """Every profile's switching facts (config order) and each session key's start URL,
    from one read: what an account/role lookup (awsenv.lookup) searches."""
    sections = _sections(config_path)
    infos = [_load(sections, name) for name in names.profile_names(config_path)]
    urls: dict[str, str] = {}
    for (kind, name), values in sections.items():
        if kind == "sso-session" and values.get("sso_start_url"):
            urls[name] = values["sso_start_url"]
    for info in infos:  # legacy inline profiles: the session key is the start URL itself
        if info.session_key and info.session_key not in urls and "://" in info.session_key:
            urls[info.session_key] = info.session_key
    return infos, urls


def _adhoc(config_path: Path, name: str, known: list[str]) -> ProfileInfo | None:
    head, sep, _ = name.partition("+arn:")
    if not sep or head not in known:
        return None
    parts = name[len(head) + 1:].split("+arn:")
    arns = [parts[0], *("arn:" + p for p in parts[1:])]
    matches = [_ROLE_ARN.fullmatch(a) for a in arns]
    if not all(matches):
        return None
    base = _load(_sections(config_path), head)
    links = list(base.chain) or [Link(head, base.account_id, base.role_name,
                                      _looks_prod(head, base.role_name))]
    for m in matches:
        assert m is not None
        links.append(Link("", m["account"], m["name"], _looks_prod(m["name"])))
    last = matches[-1]
    assert last is not None
    text = "\0".join([base.resolves()["session"], *(f"{x.account_id}/{x.role_name}"
                                                     for x in links), base.other])
    return ProfileInfo(name=name, region=base.region, session_key=base.session_key,
                       native=base.native, account_id=last["account"], role_name=last["name"],
                       other=sha256(text.encode("utf-8", "surrogateescape")).hexdigest(),
                       chain=tuple(links), adhoc=True)


def _load(sections: dict[tuple[str, str], dict[str, str]], profile: str,
          depth: int = 0) -> ProfileInfo:
    values = sections.get(("profile", profile), {})
    if values.get("role_arn") and values.get("source_profile") and depth < _MAX_HOPS:
        return _chained(sections, profile, values, depth)
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


def link_text(link: Link) -> str:
    """``dev 111111111111/Developer [PROD]``: one identity of a chain, for list and allow."""
    ident = "/".join(x for x in (link.account_id, link.role_name) if x) or "?"
    return " ".join(x for x in (link.profile, ident, "[PROD]" if link.prod else "") if x)


def chain_text(info: ProfileInfo) -> str:
    """The whole chain, source first: ``dev 1111.../Developer -> hop1 2222.../deploy``."""
    return " -> ".join(link_text(link) for link in info.chain)


def _chained(sections: dict[tuple[str, str], dict[str, str]], profile: str,
             values: dict[str, str], depth: int) -> ProfileInfo:
    """A role_arn + source_profile profile: its source's sign-in, its role's identity."""
    source_name = values["source_profile"]
    if source_name == profile or ("profile", source_name) not in sections:
        source = ProfileInfo(source_name, None, None, False, None, None)
    else:
        source = _load(sections, source_name, depth + 1)
    links = list(source.chain) or [Link(source_name, source.account_id, source.role_name,
                                        _looks_prod(source_name, source.role_name))]
    m = _ROLE_ARN.fullmatch(values["role_arn"])
    account, role = (m["account"], m["name"]) if m else (None, None)
    links.append(Link(profile, account, role, _looks_prod(profile, role)))
    # Bound to the whole chain: the source moving to another account asks again too.
    own = _other(values)
    text = "\0".join([own, *(f"{k}={v}" for k, v in sorted(source.resolves().items()))])
    return ProfileInfo(
        name=profile, region=values.get("region") or None, session_key=source.session_key,
        native=source.native, account_id=account, role_name=role,
        other=sha256(text.encode("utf-8", "surrogateescape")).hexdigest(), chain=tuple(links))


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
    """Epoch seconds when the cached access token expires; None if there is none.

    Read as every hot path reads it (:func:`awsenv.creds.record.token_expiry`:
    never a FIFO or a planted file, the UTC forms the AWS tools write), so the
    prompt's lean answer and this one never disagree on a token.
    """
    from awsenv.creds import record

    expires = record.token_expiry(os.fspath(sso_cache), session_key)
    return None if expires is None else int(expires)
