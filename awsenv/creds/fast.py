"""``awsenv credential-process --profile P`` answered from the cache, before click loads.

SDKs run the ``credential_process`` command on every client start, so a warm
cache must answer with the interpreter's start-up and little more: this module
reads one file through :mod:`awsenv.locations` and :mod:`awsenv.creds.record`
(the C JSON codec and a builtin SHA-256; no pathlib, dataclasses or typing, let alone
click, boto3, botocore, keyring or jinja2). Anything this handler does not
fully understand (other options, a miss) returns None and the click command
takes over. So does a hit whose session's access token is missing or has
less than 15 minutes left (:func:`awsenv.creds.record.token_due`): the full
path renews it, which is what keeps native ``sso_session`` profiles working in
SDKs that cannot refresh a token themselves.
"""

from __future__ import annotations

import os
import sys


def parse_profile(argv: list[str]) -> str | None:
    """The profile from exactly ``--profile P`` or ``--profile=P``; None otherwise."""
    if len(argv) == 2 and argv[0] == "--profile":
        name = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--profile="):
        name = argv[0][len("--profile="):]
    else:
        return None
    return name if name and not name.startswith("-") else None


def credential_process(argv: list[str]) -> int | None:
    profile = parse_profile(argv)
    if profile is None:
        return None
    from awsenv import locations
    from awsenv.creds import record

    try:
        env = os.environ
        config = os.path.abspath(locations.aws_config_file(env))
        folder = locations.credentials_dir(locations.runtime_dir(env))
        data = record.read(os.path.join(folder, record.file_name(config, profile)))
        hit = record.servable(data, config, profile)
        if hit is None:
            return None
        # Once per token lifetime: the full path renews the session's access token
        # (or finds the sign-in over) before anything is handed out.
        if record.token_due(record.sso_cache(env), hit.get("session_key")):
            return None
        out = record.process_json(hit) + "\n"
    except Exception:  # anything odd (missing, unreadable): the full path decides and reports it
        return None
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except OSError:  # the reader went away (broken pipe): nothing to tell anyone
        return 1
    return 0
