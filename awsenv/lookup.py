"""Take me to this account: the profile for an account id, account name, ACCOUNT/ROLE or ARN.

People are told "look at 111111111111" or handed an ARN, not a profile name, and
profile names differ from one laptop to the next (each `sync` names them). So
`use`, `exec`, `export` and `console` accept these in place of a profile name,
and a team's `.awsenv` may name the account and role (awsenv.project.resolve).

Local data only: the AWS config (stdlib scan, awsenv.shells.profileinfo) and
the account names of the portal listings awsenv keeps (awsenv.sync.listing_cache
writes them; read here whatever their age: a name outlives the listing's
freshness). Never the network: a lookup runs where a profile name would have
been read. One rule picks among several profiles of an account, for every
command (console ARN pages included): the role of the profile in use now
(AWSENV_PROFILE, then AWS_PROFILE) if the account has it, else the only one.
stdlib only, and imported only when a name is not a profile name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from awsenv.errors import AwsenvError, ConfigError, ExitCode
from awsenv.shells.profileinfo import ProfileInfo
from awsenv.textsafe import printable

ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
# Any ARN; the account field is empty for a few services (S3 buckets).
_ARN = re.compile(r"arn:(?P<partition>aws(?:-[a-z]+)*):(?P<service>[a-z0-9-]+):"
                  r"(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12})?:(?P<resource>.+)", re.ASCII)
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# The IAM role Identity Center makes for a permission set in each account.
_SSO_ROLE = re.compile(r"AWSReservedSSO_(?P<ps>[\w+=,.@-]{1,32})_[0-9a-f]{16}", re.ASCII)


@dataclass(frozen=True)
class Wanted:
    """What a lookup asks for."""

    text: str  # as given, for messages
    account: str | None  # an account id, or an account name when ``by_name``
    by_name: bool = False
    role: str | None = None
    # From an ARN naming a role: no profile with that role means the account's rule,
    # as for any other ARN (a role typed as ACCOUNT/ROLE must match).
    role_or_account: bool = False
    start_url: str | None = None
    role_arn: str | None = None  # a `.awsenv`'s chained role (awsenv.project.resolve)


@dataclass(frozen=True)
class Sources:
    """The local data a lookup searches, read once."""

    profiles: list[ProfileInfo]
    start_urls: dict[str, str]  # session key -> start URL
    account_names: dict[str, list[str]]  # account id -> names the listings give it
    config: str  # the AWS config, as shown in messages
    listings: str  # where the listings are, as shown
    listings_found: int = 0

    def ids_named(self, name: str) -> list[str]:
        """The account ids listed under ``name`` (exactly, else ignoring case)."""
        exact = [i for i, ns in self.account_names.items() if name in ns]
        if exact:
            return exact
        folded = name.casefold()
        return [i for i, ns in self.account_names.items()
                if any(n.casefold() == folded for n in ns)]


class NoMatch(ConfigError):
    """Nothing local matches (exit 4): the line says what was searched."""


class Ambiguous(AwsenvError):
    """Several profiles match (exit 2). ``candidates`` are what a picker would offer."""

    code = ExitCode.USAGE

    def __init__(self, message: str, fix: str, candidates: list[ProfileInfo],
                 account_names: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message, fix)
        self.candidates = candidates
        self.account_names = dict(account_names or {})


def choose(environ: Mapping[str, str], err: AwsenvError, title: str) -> str | None:
    """The profile picked among an Ambiguous lookup's candidates on this terminal (in
    the picker the settings name: awsenv.choices.show); None where no picker can be
    drawn (the caller keeps the line naming them). Leaving the picker raises an
    exit-130 error: nothing is done."""
    from awsenv import choices, picker

    if not isinstance(err, Ambiguous) or not picker.available(environ):
        return None
    rows = [picker.Candidate(name=p.name, account_name=next(iter(
                err.account_names.get(p.account_id or "", [])), None),
                account_id=p.account_id, role=p.role_name, region=p.region, prod=p.prod)
            for p in err.candidates]
    got = choices.show(environ, rows, title=title)
    if got is None:
        raise AwsenvError("left the picker: nothing changed", None, ExitCode.INTERRUPTED)
    return got.name


def _sso_role(name: str) -> str:
    """``AWSReservedSSO_AdministratorAccess_0123456789abcdef`` -> AdministratorAccess."""
    m = _SSO_ROLE.fullmatch(name)
    return m["ps"] if m else name


def wanted(text: str) -> Wanted | None:
    """``text`` read as a lookup; None when it cannot be one (an empty string)."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("arn:"):
        m = _ARN.fullmatch(text)
        if not m or not m["account"]:
            raise AwsenvError(
                f"{printable(text)} names no account" if m else f"{printable(text)} is not an ARN",
                "pass an ARN with an account id (S3 bucket ARNs have none), an account id, "
                "or a profile name", ExitCode.USAGE)
        svc, res = m["service"], m["resource"]
        role = None
        if svc == "iam" and res.startswith("role/"):
            role = _sso_role(res.rsplit("/", 1)[-1])
        elif svc == "sts" and res.startswith("assumed-role/") and res.count("/") >= 2:
            role = _sso_role(res.split("/")[1])
        return Wanted(text, m["account"], role=role, role_or_account=role is not None)
    if ACCOUNT_ID.fullmatch(text):
        return Wanted(text, text)
    account, slash, role = text.rpartition("/")
    if slash and account.strip() and ROLE_NAME.fullmatch(role):
        account = account.strip()
        return Wanted(text, account, by_name=not ACCOUNT_ID.fullmatch(account), role=role)
    return Wanted(text, text, by_name=True)


def listing_names(listings: str) -> tuple[dict[str, list[str]], int]:
    """Account id -> names from every listing awsenv kept (awsenv.sync.listing_cache)."""
    from awsenv import fastjson, locations

    out: dict[str, list[str]] = {}
    try:
        files = sorted(f for f in os.listdir(listings) if f.endswith(".json"))
    except OSError:
        return out, 0
    seen = 0
    for name in files:
        blob = locations.read_private(os.path.join(listings, name))
        try:
            data = fastjson.loads(blob.decode("utf-8")) if blob else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            data = None
        if not isinstance(data, dict) or data.get("v") != 1:
            continue
        seen += 1
        for acct in data.get("accounts") or []:
            if not isinstance(acct, dict):
                continue
            ident, label = acct.get("id"), acct.get("name")
            if (isinstance(ident, str) and ACCOUNT_ID.fullmatch(ident)
                    and isinstance(label, str) and label):
                names = out.setdefault(ident, [])
                if label not in names:
                    names.append(label)
    return out, seen


def _shown(path: str, environ: Mapping[str, str]) -> str:
    home = environ.get("HOME", "").rstrip("/")
    if home and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home):]
    return path


def sources(config: Path, cache_dir: str | os.PathLike[str], environ: Mapping[str, str],
            *, names: bool = True) -> Sources:
    """Every profile's facts (through the profile-facts index: no scan while it is fresh)
    and, with ``names``, the listings' account names. Start URLs are not needed here
    (only a team `.awsenv` asks for one: awsenv.project.resolve reads them)."""
    from awsenv.shells import profileindex

    index = profileindex.load(profileindex.index_dir(cache_dir), os.path.abspath(config))
    profiles = [index.infos[n] for n in index.profiles if n in index.infos]
    urls: dict[str, str] = {}
    listings = os.path.join(os.fspath(cache_dir), "listings")
    account_names, seen = listing_names(listings) if names else ({}, 0)
    return Sources(profiles, urls, account_names, _shown(os.fspath(config), environ),
                   _shown(listings, environ), seen)


def _same(values: Iterable[ProfileInfo], wanted_text: str,
          key: Callable[[ProfileInfo], str | None]) -> list[ProfileInfo]:
    """Those whose ``key`` is ``wanted_text`` exactly, else ignoring case."""
    pool = list(values)
    exact = [p for p in pool if key(p) == wanted_text]
    if exact:
        return exact
    folded = wanted_text.casefold()
    return [p for p in pool if (key(p) or "").casefold() == folded]


def _url(url: str | None) -> str:
    """A start URL as compared: scheme and host case, a trailing '/', '#' or '#/' dropped."""
    text = (url or "").strip()
    while text.endswith(("/", "#")):
        text = text[:-1]
    scheme, sep, rest = text.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}{sep}{host.lower()}{slash}{path}"


def completions(index_dir: str, config: str) -> list[str]:
    """What `awsenv complete targets` offers: the profile names, then the account ids they
    reach and those accounts' names from the kept listings (no name twice)."""
    from awsenv.shells import profileindex

    index = profileindex.load(index_dir, config)
    ids = list(dict.fromkeys(i.account_id for i in index.infos.values() if i.account_id))
    listed, _ = listing_names(os.path.join(os.path.dirname(index_dir), "listings"))
    out = dict.fromkeys(index.profiles)
    out.update(dict.fromkeys(ids))
    out.update(dict.fromkeys(n for i in ids for n in listed.get(i, [])))
    return list(out)


def current_role(src: Sources, environ: Mapping[str, str]) -> str | None:
    """The role name of the profile this shell uses (AWSENV_PROFILE, then AWS_PROFILE)."""
    name = environ.get("AWSENV_PROFILE") or environ.get("AWS_PROFILE")
    for p in src.profiles:
        if name and p.name == name:
            return p.role_name
    return None


def matches(src: Sources, w: Wanted, role_now: str | None) -> list[ProfileInfo]:
    """The profiles ``w`` asks for; several only when the rule cannot choose.

    The rule for an account alone (an id, a name, any ARN): the role in use now
    if that account has it, else the only profile there.
    """
    if w.account is None:
        ids: list[str] = []
    elif w.by_name:
        ids = src.ids_named(w.account)
    else:
        ids = [w.account]
    here = [p for p in src.profiles if p.account_id in ids and not p.adhoc]
    if w.start_url:
        here = [p for p in here
                if _url(src.start_urls.get(p.session_key or "")) == _url(w.start_url)]
    if w.role:
        same = _same(here, w.role, lambda p: p.role_name)
        if same or not w.role_or_account:
            return same
    if len(here) > 1 and role_now:
        same = [p for p in here if p.role_name == role_now]
        if len(same) == 1:
            return same
    return here


def what(src: Sources, w: Wanted) -> str:
    """What was asked for, in words: "account 111111111111", "role Admin in 'Prod' (1111...)"."""
    if w.by_name:
        ids = src.ids_named(w.account or "")
        acct = f"account {printable(w.account or '')!r}" + (f" ({', '.join(ids)})" if ids else "")
    else:
        acct = f"account {w.account}"
    text = f"role {printable(w.role)} in {acct}" if w.role else acct
    if w.start_url:
        text += f" of {printable(w.start_url)}"
    return text


def candidates_text(found: list[ProfileInfo]) -> str:
    """``a (Developer), b (ReadOnly)``; with the account when they are in several."""
    several = len({p.account_id for p in found}) > 1
    return ", ".join(
        f"{printable(p.name)} ("
        + (f"{p.account_id}/" if several else "") + f"{printable(p.role_name or '?')})"
        for p in found)


def searched(src: Sources, w: Wanted) -> str:
    """Where a lookup looked, for the "none" line."""
    if w.by_name:
        count = f"{src.listings_found} listing" + ("" if src.listings_found == 1 else "s")
        return (f"the profiles in {src.config} and the account names of the {count} "
                f"awsenv keeps in {src.listings}")
    return f"the profiles in {src.config}"


def find(src: Sources, text: str, environ: Mapping[str, str]) -> ProfileInfo:
    """The one profile ``text`` (not a profile name) names, else NoMatch / Ambiguous.

    The "none" line starts as an unknown profile name did before lookups
    existed (with its "did you mean"), then says what else was searched.
    """
    w = wanted(text)
    if w is None:
        raise NoMatch("no profile given", "pass a profile name or an account id")
    role_now = current_role(src, environ)
    found = matches(src, w, role_now)
    if w.by_name and w.role:
        # Read as ACCOUNT_NAME/ROLE, but an account's own name may hold a slash
        # ("Data/Platform"): the whole text as a name counts too, both readings' matches
        # together (several are one line naming them, as ever).
        whole = matches(src, Wanted(text, text.strip(), by_name=True), role_now)
        found = list({p.name: p for p in (*found, *whole)}.values())
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(f"{printable(text)} matches several profiles: "
                        f"{candidates_text(found)}",
                        "pass one of those profile names (or ACCOUNT/ROLE)", found,
                        src.account_names)
    fix = ("run `awsenv list` to see accounts and profiles, or `awsenv sync` to write "
           "profiles for them")
    where = searched(src, w)
    if text.startswith("arn:") or not w.by_name or w.role:
        raise NoMatch(f"no profile for {what(src, w)} (searched {where})", fix)
    import difflib

    close = difflib.get_close_matches(text, [p.name for p in src.profiles], n=1)
    hint = f"did you mean '{printable(close[0])}'? " if close else ""
    raise NoMatch(f"unknown profile '{printable(text)}', and no account name matches it "
                  f"(searched {where})", hint + fix)


def label(p: ProfileInfo) -> str:
    """``dev (111111111111/AdministratorAccess)``: what a lookup found, for stderr."""
    ident = "/".join(x for x in (p.account_id, p.role_name) if x)
    return f"{printable(p.name)} ({printable(ident)})" if ident else printable(p.name)
