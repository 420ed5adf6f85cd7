"""``awsenv complete profiles|sessions``: names for shell completion, before click loads.

The completion scripts in ``completions/`` call this on every TAB, so it is
stdlib-only (no click, boto3, botocore, keyring, jinja2) and reads the AWS
config with the same line scanner as botocore's parser (``awsconfig.names``).

Names come from a file anyone may have edited: they are written one per line
and a name that could break that framing or a terminal (control characters,
line or paragraph separators) is left out. The shell side reads the lines as
data and never evaluates them.
"""

from __future__ import annotations

import sys
import unicodedata

KINDS = ("profiles", "sessions")
USAGE = "usage: awsenv complete profiles|sessions"


def printable(name: str) -> bool:
    """No control/format-breaking characters: each name must stay one clean line."""
    return bool(name) and not any(
        unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name)


def names(kind: str, config_file: str) -> list[str]:
    from awsenv.awsconfig import names as config_names

    found = (config_names.profile_names(config_file) if kind == "profiles"
             else config_names.session_names(config_file))
    return [n for n in found if printable(n)]


def complete(args: list[str]) -> int:
    """Always answers (never falls through to click): completion must stay fast."""
    if len(args) != 1 or args[0] not in KINDS:
        sys.stderr.write(f"awsenv: {USAGE}\n")
        return 2
    from awsenv.paths import Paths

    try:
        found = names(args[0], str(Paths.from_environ().aws_config_file))
    except Exception:  # completion never shows a traceback at the prompt
        return 1
    data = "".join(f"{n}\n" for n in found).encode("utf-8", "surrogateescape")
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (OSError, ValueError):  # the shell stopped reading: nothing to report
        return 1
    return 0
