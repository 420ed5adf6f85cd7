"""Console entry point.

Tries the stdlib-only fast paths first (credential cache hit, prompt hook) so
the commands that shells and SDKs run all day never import click, boto3,
botocore, keyring or jinja2; everything else goes through the click app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None, *, process: bool = False) -> int:
    """Run one command; ``process``: this is the whole process (launch.py, the console
    script, ``python -m awsenv``), so it ends when the command is done
    (``fastpath.end``: no interpreter finalisation) instead of returning to a caller."""
    args = sys.argv[1:] if argv is None else list(argv)
    from awsenv.cli import fastpath

    rc = fastpath.try_fast(args)
    if rc is None:
        from awsenv.cli.app import run

        rc = run(args)
    if process:
        fastpath.end(rc)
    return rc


def entry() -> int:
    """The console script's entry point: ``main`` as the whole process."""
    return main(process=True)
