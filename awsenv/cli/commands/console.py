"""`awsenv console [PROFILE] [--print] [--destination URL]`: open the AWS console as the role."""

from __future__ import annotations

import click

from awsenv.cli.chainopt import chain_option, say_notes, target
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
@chain_option
def console(profile: str | None, print_: bool, destination: str | None) -> None:
    """Sign in to the AWS console as PROFILE's role.

    PROFILE defaults to $AWSENV_PROFILE, then $AWS_PROFILE. The URL works once,
    for about 15 minutes, and grants the role: don't share it. The browser gets
    it through a one-shot local redirect, never on its command line (which
    every local user can read); awsenv waits until the browser has followed it.
    Where `awsenv login` would not open a browser (no display, SSH, CI, only a
    text browser) and BROWSER is unset, the link is shown on the terminal instead.
    """
    env = Environment.from_os()
    name = target(default_profile(profile))
    creds = get(env, name)
    say_notes(env, name)
    url = login_url(env.environ, creds, destination)
    if print_:
        click.echo(url)
        return
    from awsenv.auth.browser import check, hand_over
    from awsenv.auth.login import wait_limit

    found = check(env.environ)
    if not env.environ.get("BROWSER", "").strip() and not found.usable:
        # login's judgement (no display, SSH, CI, only a text browser): opening one would
        # take over this terminal and spend the one-time link. The person gets the link.
        _show_on_terminal(url, found.reason)
        return

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


def _show_on_terminal(url: str, why: str) -> None:
    """The secret link on the terminal (stderr) only, never into a pipe, log or CI output."""
    import sys

    if not sys.stderr.isatty():
        raise AwsenvError(f"no browser to open the console in ({why})",
                          "run `awsenv console --print` to get the link on stdout, or set "
                          "BROWSER")
    click.echo(f"awsenv: no browser to open it in ({why}); open this one-time sign-in link "
               "yourself within 15 minutes (it grants the role: don't share it):", err=True)
    click.echo(url, err=True)
