"""Console entry point.

Tries the stdlib-only fast paths first (credential cache hit, prompt hook) so
the commands that shells and SDKs run all day never import click, boto3,
botocore, keyring or jinja2; everything else goes through the click app.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    from awsenv.cli import fastpath

    rc = fastpath.try_fast(args)
    if rc is not None:
        return rc
    from awsenv.cli.app import run

    return run(args)
