"""`awsenv console [PROFILE] [--print] [--destination URL]`: open the AWS console as the role."""

from __future__ import annotations

import click

from awsenv.cli.commands.credential_process import complete_profile
from awsenv.cli.commands.export import default_profile
from awsenv.console import login_url
from awsenv.creds import get
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode


@click.command()
@click.argument("profile", required=False, shell_complete=complete_profile)
@click.option("--print", "print_", is_flag=True,
              help="Print the sign-in URL instead of opening a browser.")
@click.option("--destination", metavar="URL", default=None,
              help="Console page to land on (default: the console home in the profile's region).")
def console(profile: str | None, print_: bool, destination: str | None) -> None:
    """Sign in to the AWS console as PROFILE's role.

    PROFILE defaults to $AWSENV_PROFILE, then $AWS_PROFILE. The URL works once,
    for about 15 minutes, and grants the role: don't share it. The browser gets
    it through a one-shot local redirect, never on its command line (which
    every local user can read); awsenv waits until the browser has followed it.
    """
    env = Environment.from_os()
    creds = get(env, default_profile(profile))
    url = login_url(env.environ, creds, destination)
    if print_:
        click.echo(url)
        return
    from awsenv.auth.browser import hand_over
    from awsenv.auth.login import wait_limit

    # Never `open_url(url)`: the browser's argv is readable by every local user.
    limit = wait_limit(env)
    outcome = hand_over(url, limit)
    if outcome == "failed":
        raise AwsenvError("could not open a browser",
                          "run `awsenv console --print` and open the URL yourself")
    if outcome == "timeout":
        raise AwsenvError(f"the browser did not open the sign-in link within {limit:.0f}s",
                          "run `awsenv console --print` and open the URL yourself",
                          ExitCode.TIMEOUT)
