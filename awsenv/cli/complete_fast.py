"""``awsenv complete profiles|sessions|targets``: names for shell completion, before click loads.

``targets`` (where `use`/`exec`/`export`/`console` take a profile) adds the
account ids the profiles reach and those accounts' names (awsenv.lookup).

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

KINDS = ("profiles", "sessions", "targets")
USAGE = "usage: awsenv complete profiles|sessions|targets"


def printable(name: str) -> bool:
    """No control/format-breaking characters: each name must stay one clean line."""
    # isprintable() is False for every Cc/Zl/Zp character: the per-character check
    # only runs for the rare name it cannot clear (15,000 names per TAB otherwise),
    # and only then loads unicodedata (a shared library: a TAB never pays for it).
    if not name:
        return False
    if name.isprintable():
        return True
    import unicodedata

    return not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name)


def names(kind: str, config_file: str, index_dir: str | None = None) -> list[str]:
    """The names in config order: from the profile-facts index when it is fresh (a
    15,000-profile config is 5 MB to scan on every TAB), else from one scan that
    rebuilds it (awsenv.shells.profileindex)."""
    if kind == "targets" and index_dir is not None:
        from awsenv import lookup

        found = lookup.completions(index_dir, config_file)
    elif index_dir is None:
        from awsenv.awsconfig import names as config_names

        found = (config_names.profile_names(config_file) if kind == "profiles"
                 else config_names.session_names(config_file))
    else:
        from awsenv.shells import profileindex

        profiles, sessions = profileindex.current(index_dir, config_file)
        found = profiles if kind == "profiles" else sessions
    return [n for n in found if printable(n)]


def complete(args: list[str]) -> int:
    """Always answers (never falls through to click): completion must stay fast."""
    if len(args) != 1 or args[0] not in KINDS:
        sys.stderr.write(f"awsenv: {USAGE}\n")
        return 2
    import os

    from awsenv.shells import profileindex

    try:
        directory, config = profileindex.location(os.environ)
        found = names(args[0], config, directory)
    except Exception:  # completion never shows a traceback at the prompt
        return 1
    data = "".join(f"{n}\n" for n in found).encode("utf-8", "surrogateescape")
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (OSError, ValueError):  # the shell stopped reading: nothing to report
        return 1
    return 0
