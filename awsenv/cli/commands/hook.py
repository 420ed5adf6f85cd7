"""`awsenv hook`: plumbing the init scripts call at the prompt (records on stdout)."""

from __future__ import annotations

import click

from awsenv.shells.hook import SHELLS, run_hook
from awsenv.shells.records import PROTOCOL


@click.command(hidden=True)
@click.option("--protocol", default=str(PROTOCOL), show_default=True,
              help="Hook protocol version of the calling init script.")
@click.argument("shell", type=click.Choice(SHELLS))
def hook(protocol: str, shell: str) -> None:
    """Answer the prompt hook with NUL-separated records (data, never code)."""
    rc = run_hook(protocol)
    if rc:
        raise click.exceptions.Exit(rc)
