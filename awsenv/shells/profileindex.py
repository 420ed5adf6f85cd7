"""The profile-facts index: what `use`, the hook and completion know of every profile.

An organisation with thousands of accounts has a config of tens of thousands
of lines (5,000 accounts × 3 roles is about 5 MB), and scanning it costs
hundreds of milliseconds: once per `awsenv use`, up to three times per hook
call entering a tree, once per TAB. So the facts of every profile
(:class:`awsenv.shells.profileinfo.ProfileInfo`, and the profile and session
names in config order) are kept in private files keyed by the AWS config's
stamp (mtime_ns, size, inode), as the credential cache keys its records: any
edit voids them, and whoever finds them void (on a slow path) rebuilds them
from one scan.

Layout, under ``<cache dir>/profile-index/``, per config file
(``P`` = sha256 of its absolute path, 32 hex digits): ``P.names.json`` (the
names), ``P.<k>.json`` for k in 0..buckets-1, each holding the profiles
whose name hashes to k, and ``P.reach.json`` (the sessions and the role each
SSO profile reaches, as botocore's loader resolves them: `awsenv list`). The
bucket count follows the config's size (part of the stamp), so a 10-profile
config is one small file and a switch in a 5 MB config reads about 40 KiB.
Every file carries the config path and stamp and is checked on its own, so a
reader never mixes two states of the config.

The readers (:func:`read_names`, :func:`read_facts`) are stdlib-only with the
credential cache hit's modules (no pathlib, dataclasses, enum, re, json):
`awsenv use`'s fast path and completion call them. Building imports the
config scanner and writes through :mod:`awsenv.fsutil` (0600 files in a 0700
directory, atomic); reading goes through :func:`awsenv.locations.read_private`,
so a planted, linked or foreign file is simply stale.
"""

from __future__ import annotations

import os

from awsenv import fastjson, locations
from awsenv.digest import sha256
from awsenv.locations import config_stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from awsenv.shells.profileinfo import ProfileInfo

VERSION = 1
# Config bytes per bucket: sync's profiles are ~300 bytes, so ~200 profiles a bucket.
SPAN = 64 << 10
MAX_BUCKETS = 256
FACT_KEYS = ("region", "session", "account_id", "role_name", "other")


def index_dir(cache_dir: str | os.PathLike[str]) -> str:
    """``<cache dir>/profile-index``."""
    return os.path.join(os.fspath(cache_dir), "profile-index")


def location(environ: Mapping[str, str]) -> tuple[str, str]:
    """(the index directory, the AWS config file as every index key names it: absolute)."""
    return (index_dir(locations.app_dirs(environ)[2]),
            os.path.abspath(locations.aws_config_file(environ)))


def of_paths(paths: Any) -> tuple[str, str]:
    """:func:`location` from an :class:`awsenv.paths.Paths`."""
    return index_dir(paths.cache_dir), os.path.abspath(paths.aws_config_file)


def buckets(size: int) -> int:
    """How many bucket files a config of ``size`` bytes is split into (a power of two)."""
    n = 1
    while n < MAX_BUCKETS and n * SPAN < size:
        n *= 2
    return n


def _hash(text: str) -> str:
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def bucket_of(name: str, count: int) -> int:
    return int(_hash(name)[:8], 16) % count


def names_file(directory: str, config: str) -> str:
    return os.path.join(directory, _hash(config)[:32] + ".names.json")


def bucket_file(directory: str, config: str, k: int) -> str:
    return os.path.join(directory, f"{_hash(config)[:32]}.{k}.json")


def _read(path: str, config: str, stamp: list[int]) -> dict[str, Any] | None:
    blob = locations.read_private(path)
    if blob is None:
        return None
    try:
        data = fastjson.loads(blob.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        return None
    if (not isinstance(data, dict) or data.get("v") != VERSION or data.get("config") != config
            or data.get("stamp") != stamp):
        return None
    return data


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def read_names(directory: str, config: str) -> tuple[list[str], list[str]] | None:
    """(profile names, sso-session names) in config order; None when the index is stale."""
    stamp = config_stamp(config)
    if stamp is None:
        return None
    data = _read(names_file(directory, config), config, stamp)
    if data is None or not _strings(data.get("profiles")) or not _strings(data.get("sessions")):
        return None
    return data["profiles"], data["sessions"]


def reach_file(directory: str, config: str) -> str:
    return os.path.join(directory, _hash(config)[:32] + ".reach.json")


def read_reach(directory: str, config: str) -> dict[str, Any] | None:
    """`awsenv list`'s view of the config (see :func:`reach_of`); None when stale."""
    stamp = config_stamp(config)
    if stamp is None:
        return None
    data = _read(reach_file(directory, config), config, stamp)
    if data is None or not _reach_valid(data.get("sessions"), data.get("profiles")):
        return None
    return {"sessions": data["sessions"], "profiles": data["profiles"]}


def _reach_valid(sessions: Any, profiles: Any) -> bool:
    if not isinstance(sessions, list) or not isinstance(profiles, list):
        return False
    for entry in sessions:
        if (not isinstance(entry, list) or len(entry) != 5
                or not all(x is None or isinstance(x, str) for x in entry)
                or not all(isinstance(x, str) for x in (entry[0], entry[2], entry[3]))):
            return False
    return all(isinstance(e, list) and len(e) == 4 and _strings(e) for e in profiles)


def read_facts(directory: str, config: str, profile: str
               ) -> tuple[bool, dict[str, Any] | None]:
    """(fresh, the profile's facts): (True, None) means the config has no such profile.

    Facts: ``region``, ``session`` (token cache key), ``native``,
    ``account_id``, ``role_name``, ``other``, ``chain`` (``[profile, account,
    role, prod]`` per link, source first), ``prod``. (False, None): the index
    is missing, damaged or from another state of the config.
    """
    stamp = config_stamp(config)
    if stamp is None:
        return False, None
    path = bucket_file(directory, config, bucket_of(profile, buckets(stamp[1])))
    data = _read(path, config, stamp)
    profiles = data.get("profiles") if data is not None else None
    if not isinstance(profiles, dict):
        return False, None
    found = profiles.get(profile)
    if found is None:
        return True, None
    if not _valid(found):
        return False, None
    return True, found


def _valid(fact: Any) -> bool:
    if not isinstance(fact, dict) or not isinstance(fact.get("prod"), bool):
        return False
    if not isinstance(fact.get("native"), bool) or not isinstance(fact.get("chain"), list):
        return False
    return all(fact.get(k) is None or isinstance(fact.get(k), str) for k in FACT_KEYS)


# ---- building (slow path: the scanner, dataclasses and fsutil load here) ----

def fact_of(info: ProfileInfo) -> dict[str, Any]:
    return {"region": info.region, "session": info.session_key, "native": info.native,
            "account_id": info.account_id, "role_name": info.role_name,
            "other": info.other, "prod": info.prod,
            "chain": [[x.profile, x.account_id, x.role_name, x.prod] for x in info.chain]}


def info_of(name: str, fact: Mapping[str, Any]) -> ProfileInfo:
    from awsenv.shells.profileinfo import Link, ProfileInfo

    chain = tuple(Link(str(p), a, r, bool(prod)) for p, a, r, prod in fact["chain"])
    return ProfileInfo(name=name, region=fact["region"], session_key=fact["session"],
                       native=fact["native"], account_id=fact["account_id"],
                       role_name=fact["role_name"], other=fact["other"] or "", chain=chain)


# What awsenv.awsconfig.read requires of an SSO profile (kept equal to its constants).
_SSO_TRIGGER_KEYS = ("sso_account_id", "sso_role_name")
_REQUIRED_SSO_KEYS = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")


def reach_of(sections: Mapping[tuple[str, str], Mapping[str, str]], profiles: list[str],
             sessions: list[str]) -> dict[str, Any]:
    """The sessions and the (session key, account, role) of every profile, resolved as
    :func:`awsenv.awsconfig.read.resolve` resolves them, from the scanner's sections.

    `awsenv list` maps roles to local profiles from this instead of botocore's
    loader (over a second on a 15,000-profile config). It mirrors read.resolve
    rule for rule: a profile read.resolve records as a problem (inconsistent
    with its sso-session, lacking keys, on a broken sso-session) reaches
    nothing here either; chained and other profiles reach nothing.
    ``sessions``: ``[key, name or None (legacy), start URL, region, scopes
    setting or None]`` in read.resolve's order; ``profiles``: ``[profile,
    session key, account, role]``.
    """
    def text(values: Mapping[str, str], key: str) -> str | None:
        return values.get(key) or None

    raw = {name: sections.get(("sso-session", name), {}) for name in sessions}
    found: dict[str, list[str | None]] = {}
    for name, values in raw.items():
        url, region = text(values, "sso_start_url"), text(values, "sso_region")
        if url and region:
            found[name] = [name, name, url, region, values.get("sso_registration_scopes")]
    out: list[list[str]] = []
    deferred: list[tuple[str, Mapping[str, str]]] = []
    for name in profiles:
        values = sections.get(("profile", name), {})
        if not any(k in values for k in _SSO_TRIGGER_KEYS):
            deferred.append((name, values))
            continue
        merged = dict(values)
        session_name = text(values, "sso_session")
        if session_name is not None:
            if session_name not in raw:
                continue
            if any(merged.get(k, v) != v for k, v in raw[session_name].items()):
                continue
            merged.update(raw[session_name])
        if any(text(merged, k) is None for k in _REQUIRED_SSO_KEYS):
            continue
        if session_name is not None:
            if session_name not in found:
                continue
            key = session_name
        else:
            key = merged["sso_start_url"]
            if key not in found:
                found[key] = [key, None, key, merged["sso_region"],
                              merged.get("sso_registration_scopes")]
        out.append([name, key, merged["sso_account_id"], merged["sso_role_name"]])
    for name, values in deferred:
        ref = text(values, "awsenv_session")
        account, role = text(values, "awsenv_account_id"), text(values, "awsenv_role_name")
        if ref is not None and ref in found and account and role:
            out.append([name, ref, account, role])
    return {"sessions": list(found.values()), "profiles": out}


class Index:
    """Every profile's facts from one scan of the config (what :func:`build` returns)."""

    def __init__(self, profiles: list[str], sessions: list[str],
                 infos: dict[str, ProfileInfo],
                 reach: dict[str, Any] | None = None) -> None:
        self.profiles = profiles
        self.sessions = sessions
        self.infos = infos
        self.reach = reach if reach is not None else {"sessions": [], "profiles": []}


def build(directory: str, config: str, *, write: bool = True) -> Index:
    """Scan the config once and (unless it changed meanwhile) write the index.

    A config that cannot be read is an empty index, written like any other so
    the fast paths stop scanning (its stamp is None: nothing is written).
    Failing to write (a refused directory, a full disk) costs only speed.
    """
    from awsenv.awsconfig import names
    from awsenv.shells import profileinfo

    stamp = config_stamp(config)
    try:
        with open(config, encoding="utf-8", errors="replace", newline="") as fh:
            text = fh.read()
    except OSError:
        text = ""
    lines = names.scan(text)
    profiles: dict[str, None] = {}
    sessions: dict[str, None] = {}
    for line in lines:
        if line.kind != "header" or line.section == "DEFAULT":
            continue
        ident = names.section_identity(line.section or "")
        if ident is not None and ident[0] == "profile":
            profiles.setdefault(ident[1], None)
        elif ident is not None and ident[0] == "sso-session":
            sessions.setdefault(ident[1], None)
    sections = profileinfo.sections_of(lines)
    infos = {name: profileinfo._load(sections, name) for name in profiles}
    index = Index(list(profiles), list(sessions), infos,
                  reach_of(sections, list(profiles), list(sessions)))
    if write and stamp is not None and config_stamp(config) == stamp:
        _write(directory, config, stamp, index)
    return index


def _write(directory: str, config: str, stamp: list[int], index: Index) -> None:
    import contextlib
    from pathlib import Path

    from awsenv import fsutil

    count = buckets(stamp[1])
    parts: list[dict[str, Any]] = [{} for _ in range(count)]
    for name, info in index.infos.items():
        parts[bucket_of(name, count)][name] = fact_of(info)
    head = {"v": VERSION, "config": config, "stamp": stamp}
    try:
        for k, part in enumerate(parts):
            fsutil.atomic_write(Path(bucket_file(directory, config, k)),
                                fastjson.dumps({**head, "profiles": part}))
        fsutil.atomic_write(Path(reach_file(directory, config)),
                            fastjson.dumps({**head, **index.reach}))
        # The names last: a reader that finds them fresh finds fresh buckets too.
        fsutil.atomic_write(Path(names_file(directory, config)), fastjson.dumps(
            {**head, "profiles": index.profiles, "sessions": index.sessions}))
    except (OSError, fsutil.UnsafeState):
        return
    # Buckets of a larger earlier state of this config are never read again.
    k = count
    while os.path.lexists(bucket_file(directory, config, k)):
        with contextlib.suppress(OSError):
            os.unlink(bucket_file(directory, config, k))
        k += 1


def current(directory: str, config: str) -> tuple[list[str], list[str]]:
    """(profile names, session names): from the index, else from a rebuild that writes it."""
    found = read_names(directory, config)
    if found is not None:
        return found
    index = build(directory, config)
    return index.profiles, index.sessions


def read_every_fact(directory: str, config: str, names: list[str]
                    ) -> dict[str, dict[str, Any]] | None:
    """Every profile's facts (:func:`read_facts`' shape) from all the buckets, keyed by
    name in the order of ``names`` (:func:`read_names`' profiles); None when any bucket
    is stale or damaged or they do not hold exactly ``names``. Stdlib-only: the picker
    reads its rows here without the dataclasses :func:`load` builds."""
    stamp = config_stamp(config)
    if stamp is None:
        return None
    facts: dict[str, dict[str, Any]] = {}
    for k in range(buckets(stamp[1])):
        data = _read(bucket_file(directory, config, k), config, stamp)
        part = data.get("profiles") if data is not None else None
        if not isinstance(part, dict) or not all(_valid(v) for v in part.values()):
            return None
        facts.update(part)
    if len(facts) != len(names) or not all(n in facts for n in names):
        return None
    return {n: facts[n] for n in names}


def load(directory: str, config: str) -> Index:
    """Every profile's facts: read from all the buckets when fresh, else built (and written)."""
    names = read_names(directory, config)
    facts = read_every_fact(directory, config, names[0]) if names is not None else None
    if names is not None and facts is not None:
        return Index(names[0], names[1], {n: info_of(n, f) for n, f in facts.items()})
    return build(directory, config)


def reach(directory: str, config: str) -> dict[str, Any]:
    """:func:`reach_of`'s answer: read when fresh, else built (and written)."""
    found = read_reach(directory, config)
    if found is not None:
        return found
    return build(directory, config).reach


def info(directory: str, config: str, profile: str) -> ProfileInfo | None:
    """The profile's facts (:func:`awsenv.shells.profileinfo.load`'s answer) through the index.

    An ad hoc chain (``PROFILE+ROLE_ARN``, no section of its own) is resolved by
    profileinfo itself.
    """
    fresh, fact = read_facts(directory, config, profile)
    if not fresh:
        index = build(directory, config)
        found = index.infos.get(profile)
        if found is not None or "+arn:" not in profile:
            return found
    elif fact is not None:
        return info_of(profile, fact)
    elif "+arn:" not in profile:
        return None
    from awsenv.shells import profileinfo

    return profileinfo.load(config, profile)  # type: ignore[arg-type]
