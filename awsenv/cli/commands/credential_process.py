"""`awsenv credential-process --profile P`: role credentials as `credential_process` JSON.

A warm cache never gets here (awsenv.creds.fast answers first); this is the
miss path. stdout carries only the JSON; errors go to stderr without secrets
and never open a browser (a signed-out session says to run `awsenv login`).
"""

from __future__ import annotations

import click

from awsenv.creds import get
from awsenv.environment import Environment


def complete_profile(ctx: click.Context, param: click.Parameter,
                     incomplete: str) -> list[str]:
    """Profile names straight from the config file (no botocore: completion must be quick)."""
    from awsenv.awsconfig.names import profile_names
    from awsenv.paths import Paths

    return [n for n in profile_names(Paths.from_environ().aws_config_file)
            if n.startswith(incomplete)]


@click.command("credential-process")
@click.option("--profile", "profile", required=True, metavar="PROFILE",
              shell_complete=complete_profile, help="The AWS profile to get credentials for.")
def credential_process(profile: str) -> None:
    """Print PROFILE's role credentials for an AWS `credential_process` setting.

    Use it in ~/.aws/config for tools that cannot read SSO profiles:
    `credential_process = /abs/path/awsenv credential-process --profile dev`.
    """
    creds = get(Environment.from_os(), profile)
    click.echo(creds.process_output())
