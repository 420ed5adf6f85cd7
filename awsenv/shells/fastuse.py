"""`awsenv use --emit …` (from the shell function), answered before the hook module loads.

`use` is typed by hand and should feel instant. The full answer
(:func:`awsenv.shells.hook.use`) imports pathlib, dataclasses, enum and re
through the config, trust and environment modules: about 25 ms before it
does anything. The common warm case needs none of them: env mode, outside a
`.awsenv` tree, role credentials cached. That case is answered here from the
credential record (which carries the profile's display facts and is void once
the AWS config changes) with stdlib-only modules, and profile mode from the
profile-facts index (:mod:`awsenv.shells.fastprofile`); everything else (a
tree in play, a cache miss, ``--unset``, any error) goes to the full path,
which also shares this module's value and record building.
"""

from __future__ import annotations

import os
import sys
import time

from awsenv.shells.records import PROTOCOL, Records
from awsenv.shells.state import Layer, State, Values, current, diff, pop, push

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Credentials shorter-lived than the cache's refresh window would otherwise
# make every prompt refresh: never sooner than this after a fetch.
MIN_GAP = 2


def parse_use_args(args: list[str]) -> dict[str, Any] | None:
    """``--emit --protocol N [--mode M] [--region R] [--unset] [PROFILE]``; None → click."""
    opts: dict[str, Any] = {"emit": False, "protocol": None, "mode": None, "region": None,
                            "unset": False, "profile": None}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--emit":
            opts["emit"] = True
        elif a == "--unset":
            opts["unset"] = True
        elif a in ("--protocol", "--mode", "--region") and i + 1 < len(args):
            opts[a[2:]] = args[i + 1]
            i += 1
        elif (a.startswith("-") and a != "-") or opts["profile"] is not None:
            return None
        else:
            opts["profile"] = a
        i += 1
    if not opts["emit"]:
        return None
    return opts


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


def warm_env_answer(environ: Mapping[str, str], profile: str, region: str | None) -> bytes | None:
    """The whole answer to `use --mode env PROFILE` from the cache, or None (full path)."""
    from awsenv import locations
    from awsenv.creds import record

    now = time.time()
    config = os.path.abspath(locations.aws_config_file(environ))
    runtime = locations.runtime_dir(environ)
    data = record.read(os.path.join(locations.credentials_dir(runtime),
                                    record.file_name(config, profile)))
    creds = record.servable(data, config, profile, now)
    facts = record.facts(data)
    if creds is None or facts is None:
        return None
    values, refresh_at, shown = env_values(creds, profile, region, facts["region"], now)
    describe = label(profile, facts["prod"], facts["account_id"], facts["role_name"], shown)
    return use_answer(environ, Layer("use", None, profile, "env", region=region,
                                     refresh_at=refresh_at), values, describe, runtime)


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


def _warm(opts: dict[str, Any]) -> int | None:
    environ = os.environ
    if opts["profile"] == "-":
        opts = back(opts, State.decode(environ.get("_AWSENV_STATE")).previous)
    profile = opts["profile"]
    if (opts["protocol"] != str(PROTOCOL) or opts["unset"] or opts["mode"] not in (None, "env",
                                                                                  "profile")
            or not profile or profile == "-" or environ.get("_AWSENV_FOUND") != ""):
        return None
    try:
        mode = opts["mode"]
        if mode is None:
            from awsenv.shells.fastprofile import default_mode

            mode = default_mode(environ)
        if mode == "env":
            data = warm_env_answer(environ, profile, opts["region"])
        elif mode == "profile":  # from the profile-facts index (awsenv.shells.fastprofile)
            from awsenv.shells.fastprofile import warm_profile_answer

            data = warm_profile_answer(environ, profile, opts["region"])
        else:
            return None
    except Exception:  # anything odd: the full path decides and reports it
        return None
    if data is None:
        return None
    try:
        out = sys.stdout.buffer
        out.write(data)
        out.flush()
    except OSError:  # the shell went away (Ctrl-C): nothing to answer
        return 1
    return 0


def picked(opts: dict[str, Any]) -> int | None:
    """`awsenv use` without PROFILE on a terminal: open the picker (awsenv.choices).

    The choice is put in ``opts`` and goes on exactly as `awsenv use CHOICE`
    would (this module's warm answer included); the picker draws on the
    terminal while stdout stays the hook's answer. Returns an exit code when
    the answer is already written: left with Esc/Ctrl-C (130, nothing
    changes) or an error. None: go on (with a choice, or without a terminal,
    where the full path lists the profiles in one line as before).
    """
    if opts["profile"] is not None or opts["unset"] or opts["protocol"] != str(PROTOCOL):
        return None
    from awsenv import choices
    from awsenv.environment import Environment
    from awsenv.errors import AwsenvError, ExitCode

    try:
        opened, name = choices.choose(Environment.from_os(), "awsenv use")
        rc = 0 if name or not opened else int(ExitCode.INTERRUPTED)
    except AwsenvError as exc:
        sys.stderr.write(f"awsenv: {exc.line()}\n")
        rc = int(exc.code)
    except KeyboardInterrupt:
        rc = int(ExitCode.INTERRUPTED)
    except Exception as exc:  # a terminal the library cannot drive: one line, no traceback
        sys.stderr.write(f"awsenv: the profile picker failed ({type(exc).__name__}); "
                         "run `awsenv use PROFILE` (`awsenv list` names them)\n")
        rc = int(ExitCode.ERROR)
    if rc == 0:
        opts["profile"] = name
        return None
    try:
        sys.stdout.buffer.write(Records().finish(rc))
        sys.stdout.flush()
    except OSError:
        pass
    return rc


def fast_use(args: list[str]) -> int | None:
    opts = parse_use_args(args)
    if opts is None:
        return None
    rc = picked(opts)
    if rc is not None:
        return rc
    rc = _warm(opts)
    if rc is not None:
        return rc
    from awsenv.shells import hook

    return hook.run_use(opts)
