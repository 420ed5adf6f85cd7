"""``awsenv credential-process --profile P`` answered from the cache, before click loads.

SDKs run the ``credential_process`` command on every client start, so a warm
cache must answer with only the stdlib (+ platformdirs for the paths): no
click, boto3, botocore, keyring or jinja2. Anything this handler does not
fully understand (other options, a miss) returns None and the click command
takes over.
"""

from __future__ import annotations

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
    from awsenv.creds import cache
    from awsenv.creds.model import process_json
    from awsenv.paths import Paths

    try:
        hit = cache.lookup(Paths.from_environ(), profile)
        if hit is None:
            return None
        out = process_json(hit) + "\n"
    except Exception:  # anything odd: the full path decides and reports it
        return None
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except OSError:  # the reader went away (broken pipe): nothing to tell anyone
        return 1
    return 0
