"""`awsenv console [PROFILE] [--print] [--destination URL]`: open the AWS console as the role."""

from __future__ import annotations

import click

from awsenv.cli.commands.credential_process import complete_profile
from awsenv.cli.commands.export import default_profile
from awsenv.console import login_url
from awsenv.creds import get
from awsenv.environment import Environment


@click.command()
@click.argument("profile", required=False, shell_complete=complete_profile)
@click.option("--print", "print_", is_flag=True,
              help="Print the sign-in URL instead of opening a browser.")
@click.option("--destination", metavar="URL", default=None,
              help="Console page to land on (default: the console home in the profile's region).")
def console(profile: str | None, print_: bool, destination: str | None) -> None:
    """Sign in to the AWS console as PROFILE's role.

    PROFILE defaults to $AWSENV_PROFILE, then $AWS_PROFILE. The URL works once,
    for about 15 minutes, and grants the role: don't share it.
    """
    env = Environment.from_os()
    creds = get(env, default_profile(profile))
    url = login_url(env.environ, creds, destination)
    if print_:
        click.echo(url)
        return
    from awsenv.auth.browser import open_url

    if not open_url(url):
        click.echo("awsenv: could not open a browser; open this URL yourself:", err=True)
        click.echo(url)
