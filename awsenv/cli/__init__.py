"""Console entry point.

Tries the stdlib-only fast paths first (credential cache hit, prompt hook) so
the commands that shells and SDKs run all day never import click, boto3,
botocore, keyring or jinja2; everything else goes through the click app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None, *, process: bool = False) -> int:
    """Run one command; ``process``: this is the whole process (launch.py, the console
    script), so a fast path's answer may end it at once (``fastpath.end``) instead of
    returning to a caller."""
    args = sys.argv[1:] if argv is None else list(argv)
    from awsenv.cli import fastpath

    rc = fastpath.try_fast(args)
    if rc is not None:
        if process:
            fastpath.end(rc)
        return rc
    from awsenv.cli.app import run

    return run(args)


def entry() -> int:
    """The console script's entry point: ``main`` as the whole process."""
    return main(process=True)
