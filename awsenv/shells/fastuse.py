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

from awsenv.shells.answer import back, env_values, label, use_answer
from awsenv.shells.records import PROTOCOL, Records, send
from awsenv.shells.state import Layer, State

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

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
    if record.token_due(record.sso_cache(environ), creds.get("session_key"), now):
        return None  # signed out or due: the full path renews it or refuses (exit 3)
    values, refresh_at, shown = env_values(creds, profile, region, facts["region"], now)
    describe = label(profile, facts["prod"], facts["account_id"], facts["role_name"], shown)
    return use_answer(environ, Layer("use", None, profile, "env", region=region,
                                     refresh_at=refresh_at), values, describe, runtime)


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
    return 0 if send(data) else 1  # False: the shell went away (Ctrl-C)


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
    from awsenv.errors import AwsenvError, ExitCode

    try:
        opened, name = choices.choose(os.environ, "awsenv use")
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
