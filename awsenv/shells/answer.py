"""What a `use` answer is made of: values, the announcement, the state switch, the ending.

The decisions layer of ``awsenv.shells``, below both entry points: the fast
answers (:mod:`awsenv.shells.fastuse`, :mod:`awsenv.shells.fastprofile`), the
full hook (:mod:`awsenv.shells.hook`) and its identity facts
(:mod:`awsenv.shells.identity`) import from here, never the other way, so the
modules import one way: records/state at the bottom, this above them, the
decisions (identity, profileinfo, refresh), then the entry points. Stdlib only:
the warm `use` loads it.
"""

from __future__ import annotations

import os

from awsenv.shells.records import Records
from awsenv.shells.state import Layer, State, Values, current, diff, pop, push

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Credentials shorter-lived than the cache's refresh window would otherwise
# make every prompt refresh: never sooner than this after a fetch.
MIN_GAP = 2

# The prompt hook renews the access token this long before it expires: inside
# awsenv.auth.tokens' 15-minute refresh window, and before the prompt segment's
# 10-minute warning, so in profile mode "!" only shows once a renewal has failed.
TOKEN_LEAD = 12 * 60
CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_CREDENTIAL_EXPIRATION")


def label(name: str, prod: bool, account_id: str | None, role_name: str | None,
          region: str | None) -> str:
    """``dev [PROD] (111111111111/Developer, eu-west-1)``: how a switch is announced."""
    parts = [x for x in (account_id, role_name) if x]
    details = ["/".join(parts)] if parts else []
    if region:
        details.append(region)
    text = name + (" [PROD]" if prod else "")
    return text + (f" ({', '.join(details)})" if details else "")


def env_values(creds: Mapping[str, Any], profile: str, region: str | None,
               profile_region: str | None, now: float) -> tuple[Values, int, str | None]:
    """Env mode's variables for these role credentials, when to refresh them, the region.

    ``creds`` has the :class:`awsenv.creds.model.RoleCredentials` fields; the
    region is the one asked for, else the credentials', else the profile's.
    """
    from awsenv.creds.record import credential_variables, refresh_threshold

    expiration = float(creds["expiration"])
    values: Values = {"AWS_PROFILE": None, **credential_variables(creds)}
    region = region or creds.get("region") or profile_region
    if region:
        values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = region
    values["AWSENV_PROFILE"] = profile
    values["AWSENV_EXPIRES"] = str(int(expiration))
    lifetime = expiration - float(creds["fetched_at"])
    refresh_at = max(int(expiration - refresh_threshold(lifetime)), int(now) + MIN_GAP)
    return values, refresh_at, region


def profile_values(profile: str, expires: int | None, region: str | None) -> Values:
    """Profile mode's variables: ``AWS_PROFILE`` (exported keys that would override it
    cleared: the SDKs fetch credentials themselves), the region if any, and the prompt
    segment's name and the session token's expiry."""
    values: Values = {
        "AWS_PROFILE": profile,
        **dict.fromkeys(CREDENTIAL_VARS),
        "AWSENV_PROFILE": profile,
        "AWSENV_EXPIRES": str(expires) if expires else None,
    }
    if region:
        values["AWS_REGION"] = region
        values["AWS_DEFAULT_REGION"] = region
    return values


def switch(recs: Records, state: State, cur: Values, layer: Layer, values: Values,
           describe: str, warnings: list[str]) -> None:
    """Replace this shell's `use` layer (if any) with ``layer`` and announce it."""
    state.previous = state.identity()  # for `awsenv use -`
    if state.top is not None and state.top.kind == "use":
        pop(state, cur)
    push(state, cur, layer, values)
    for line in warnings:
        recs.msg(line)
    recs.msg(f"awsenv: {describe}" + (", env mode" if layer.mode == "env" else ""))


def base_watches(environ: Mapping[str, str]) -> list[str]:
    """What every shell watches, in a tree or not: the trust stamp, and where sign-ins
    show (the AWS CLI token cache directory, whose date moves when a token file is
    written or deleted; before the first sign-in the nearest folder above it)."""
    from awsenv import locations

    stamp = os.path.join(locations.app_dirs(environ)[1], "trust", "stamp")
    cache = os.path.join(locations.home(environ), ".aws", "sso", "cache")
    signin = cache
    for candidate in (cache, os.path.dirname(cache), os.path.dirname(os.path.dirname(cache))):
        if os.path.isdir(candidate):
            signin = candidate
            break
    return [stamp, signin]


def conclude(recs: Records, environ: Mapping[str, str], state: State, cur0: Values,
             cur: Values, runtime_dir: str) -> None:
    """The records every `use` answer ends with: changes, state, refresh time, reference file.

    Outside any `.awsenv` tree the hook may never have run in this shell, so the
    answer names what to watch (a tree's answer from the hook already did).
    """
    from awsenv.shells import refs

    for name, value in diff(cur0, cur):
        recs.env(name, value)
    recs.add("state", state.encode())
    if not environ.get("_AWSENV_FOUND"):
        for watch in base_watches(environ):
            recs.add("watch", watch)
    refresh_at = state.top.refresh_at if state.top else 0
    recs.add("refresh", str(refresh_at))
    ref = environ.get("_AWSENV_REF") or ""
    if not ref or not refs.usable(ref, runtime_dir):
        # Dated at the epoch: whatever the hook watches counts as changed.
        ref = refs.touch(runtime_dir, environ.get("_AWSENV_PID", ""),
                         environ.get("_AWSENV_FOUND") or "", [], 0)
    recs.add("ref", ref)
    refs.mark_refresh(ref, refresh_at)


def use_answer(environ: Mapping[str, str], layer: Layer, values: Values, describe: str,
               runtime: str) -> bytes:
    """The hook's answer to a `use` outside any tree: push ``layer`` with ``values``
    over the shell's state, then the watches and the end record (both fast paths)."""
    state = State.decode(environ.get("_AWSENV_STATE"))
    cur0 = current(environ)
    cur = dict(cur0)
    recs = Records()
    switch(recs, state, cur, layer, values, describe, [])
    conclude(recs, environ, state, cur0, cur, runtime)
    return recs.finish(0)


def back(opts: dict[str, Any], previous: Mapping[str, str | None] | None) -> dict[str, Any]:
    """`use -`'s options: the previous identity's profile, mode and region where not given."""
    if previous is None:
        return opts
    return {**opts, "profile": previous["profile"] or None, "unset": not previous["profile"],
            "mode": opts["mode"] or previous["mode"],
            "region": opts["region"] or previous["region"]}
