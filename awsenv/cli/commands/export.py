"""`awsenv export PROFILE [--format F]`: role credentials as shell/env-file statements.

`eval "$(awsenv export dev)"` in bash/zsh; `awsenv export dev --format fish | source`.
"""

from __future__ import annotations

import os

import click

from awsenv.cli.chainopt import chain_option, say_notes, target
from awsenv.cli.commands.credential_process import complete_profile
from awsenv.creds import get
from awsenv.creds.model import variables
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode
from awsenv.shells.exports import FORMATS, render_export


def default_profile(profile: str | None) -> str:
    """PROFILE, else the one this shell uses ($AWSENV_PROFILE, then $AWS_PROFILE), else
    the one picked on this terminal (awsenv.picker)."""
    name = profile or os.environ.get("AWSENV_PROFILE") or os.environ.get("AWS_PROFILE")
    if not name:
        from awsenv.cli.pickprofile import chosen

        ctx = click.get_current_context(silent=True)
        name = chosen(f"awsenv {ctx.info_name if ctx else 'export'}")
    if not name:
        raise AwsenvError("no profile given and none active in this shell",
                          "pass PROFILE (see `awsenv list`)", ExitCode.USAGE)
    return name


@click.command()
@click.argument("profile", required=False, shell_complete=complete_profile)
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="env",
              show_default=True, help="Output format: the shell or file that reads it.")
@chain_option
def export(profile: str | None, fmt: str) -> None:
    """Print PROFILE's credentials (and region) as statements for a shell.

    PROFILE defaults to $AWSENV_PROFILE, then $AWS_PROFILE, then a picker on a terminal.
    bash/zsh: eval "$(awsenv export dev)"; fish: awsenv export dev -f fish | source.
    A chained profile (role_arn + source_profile) or --chain ROLE_ARN gives that role's.
    PROFILE may be an account id, an account name, ACCOUNT/ROLE or an ARN instead:
    the profile your AWS config has for it (several: they are named).
    """
    env = Environment.from_os()
    name = target(default_profile(profile))
    creds = get(env, name)
    say_notes(env, name)
    click.echo(render_export(fmt, variables(creds)), nl=False)
