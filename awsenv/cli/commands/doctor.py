"""`awsenv doctor [--json]`: check the set-up; exit 1 if any check failed."""

from __future__ import annotations

import json
import sys

import click

from awsenv.environment import Environment
from awsenv.errors import ExitCode, printable

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}
ASCII_MARKS = {"ok": "+", "warn": "!", "fail": "x"}


def marks() -> tuple[dict[str, str], str]:
    """✓ ! ✗ and an arrow, or ASCII where stdout's encoding has no such characters."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗→".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS, "->"
    return MARKS, "→"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as a JSON list.")
def doctor(as_json: bool) -> None:
    """Check the set-up (config, sign-in, keyring, shell hook, PATH, clock, token cache).

    Read-only: never refreshes a token or opens a browser. Each line that is not
    ✓ says what to fix. Exit status 1 when a check failed (✗); warnings (!) alone
    exit 0.
    """
    from awsenv import doctor as core

    checks = core.run(Environment.from_os())
    if as_json:
        # ensure_ascii: json escapes C0 itself, but would leave C1 controls raw.
        click.echo(json.dumps([c.to_json() for c in checks], indent=2, ensure_ascii=True))
    else:
        mark, arrow = marks()
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        for check in checks:
            # Details name sessions, profiles and paths from the config: never raw.
            line = f"{mark[check.status]} {printable(check.name)}: {printable(check.detail)}"
            if check.status != "ok" and check.fix:
                line += f" {arrow} {printable(check.fix)}"
            try:  # a name from the config may not fit the terminal's encoding either
                line.encode(encoding)
            except (UnicodeEncodeError, LookupError):
                line = line.encode("ascii", "backslashreplace").decode("ascii")
            click.echo(line)
    if core.failed(checks):
        raise click.exceptions.Exit(int(ExitCode.ERROR))
