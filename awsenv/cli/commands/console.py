"""`awsenv console [PROFILE]`: open the AWS console as the role, on the page asked for.

Where to land: ``--service NAME`` or ``--destination URL`` (console pages of the
profile's partition only), in ``--region R``. ``--via-portal`` gives the access
portal's shortcut link instead of a federation sign-in URL.
"""

from __future__ import annotations

import click

from awsenv import console as core
from awsenv import consolearn
from awsenv.cli.chainopt import chain_option, say_notes, target
from awsenv.cli.commands.credential_process import complete_profile
from awsenv.cli.commands.export import default_profile
from awsenv.creds import get
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode


def _complete_service(_ctx: click.Context, _param: click.Parameter,
                      incomplete: str) -> list[str]:
    from awsenv.consoleservices import SERVICES

    return [n for n in sorted(SERVICES) if n.startswith(incomplete)]


@click.command()
@click.argument("profile", required=False, shell_complete=complete_profile)
@click.option("--print", "print_", is_flag=True,
              help="Print the sign-in URL instead of opening a browser.")
@click.option("--destination", metavar="URL", default=None,
              help="Console page to land on, on the partition's console host (default: the "
                   "console home in the region).")
@click.option("--service", metavar="NAME", default=None, shell_complete=_complete_service,
              help="Land on this service's console page (s3, ec2, lambda, logs, ...).")
@click.option("--region", metavar="R", default=None,
              help="Console region (default: the profile's region).")
@click.option("--duration", metavar="D", default=None,
              help="Console session length, 15m to 12h (e.g. 1h, 90m, 3600); not for "
                   "chained roles.")
@click.option("--via-portal", is_flag=True,
              help="Use the access portal's shortcut link (signs in with the browser's "
                   "portal session) instead of a one-time sign-in URL.")
@chain_option
def console(profile: str | None, print_: bool, destination: str | None, service: str | None,
            region: str | None, duration: str | None, via_portal: bool) -> None:
    """Sign in to the AWS console as PROFILE's role.

    PROFILE defaults to $AWSENV_PROFILE, then $AWS_PROFILE, then a picker on a
    terminal. In its place, a resource ARN opens that resource's page, as a
    profile for its account (the current profile's role there, else the only
    role there). The URL works once,
    for about 15 minutes, and grants the role: don't share it. The browser gets
    it through a one-shot local redirect, never on its command line (which
    every local user can read); awsenv waits until the browser has followed it.
    Where `awsenv login` would not open a browser (no display, SSH, CI, only a
    text browser) and BROWSER is unset, the link is shown on the terminal instead.

    An account id, an account name or ACCOUNT/ROLE also stands for the profile
    your AWS config has for it (several: they are named).
    """
    if service is not None and destination is not None:
        raise AwsenvError("--service and --destination both name the page to land on",
                          "pass only one of them", ExitCode.USAGE)
    seconds = core.parse_duration(duration) if duration is not None else None
    if service is not None:
        core.service_destination(service, None)  # an unknown name fails before any sign-in
    env = Environment.from_os()
    res = None
    if profile is not None and consolearn.looks_like_arn(profile):
        res, profile = _for_arn(env, profile, service, destination)
    name = target(default_profile(profile))
    if via_portal:
        if seconds is not None:
            raise AwsenvError("--duration does not apply to --via-portal (the portal "
                              "decides the session length)", "drop --duration",
                              ExitCode.USAGE)
        _via_portal(env, name, print_, service, destination, region, res)
        return
    creds = get(env, name)
    say_notes(env, name)
    where = _destination(service, destination, region, creds.region, name, res)
    seconds, note = core.session_duration(creds, seconds)
    if note:
        click.echo(note, err=True)
    url = core.login_url(env.environ, creds, where, seconds)
    if print_:
        click.echo(url)
        return
    _open(env, url, secret=True)


def _for_arn(env: Environment, arn: str, service: str | None,
             destination: str | None) -> tuple[consolearn.Resource, str | None]:
    """The resource's page and the profile to open it as (None: the current one), by
    awsenv.lookup's rule for an ARN (its role if a profile has it, else the current
    profile's role in its account, else the only role there)."""
    from awsenv import lookup
    from awsenv.cli.chainopt import requested

    if service is not None or destination is not None or requested():
        raise AwsenvError("an ARN names the page and the account: --service, --destination "
                          "and --chain do not go with it", "drop them", ExitCode.USAGE)
    res = consolearn.resource(arn)
    if res.account_id is None:  # S3: its ARNs name no account
        return res, None
    assert env.paths is not None
    src = lookup.sources(env.paths.aws_config_file, env.paths.cache_dir, env.environ,
                         names=False)
    found = lookup.find(src, arn, env.environ)
    click.echo(f"awsenv: as profile {lookup.label(found)}", err=True)
    return res, found.name


def _destination(service: str | None, destination: str | None, region: str | None,
                 profile_region: str | None, name: str,
                 res: consolearn.Resource | None = None) -> str | None:
    """The page to land on; None for the console home in the profile's region."""
    if region is not None:
        core.check_region(region, profile_region, name)
    where_region = region or profile_region
    if res is not None:
        return core.check_destination(consolearn.page(res, where_region),
                                      res.region or where_region)
    if service is not None:
        return core.service_destination(service, where_region)
    if destination is not None:
        return core.check_destination(destination, where_region)
    if region is not None:
        return core.default_destination(region)
    return None


def _via_portal(env: Environment, name: str, print_: bool, service: str | None,
                destination: str | None, region: str | None,
                res: consolearn.Resource | None) -> None:
    """The access portal's shortcut link for PROFILE's account and role (local data only)."""
    from awsenv.awsconfig import read
    from awsenv.creds import chain
    from awsenv.textsafe import printable

    # An unknown profile fails with cfg.profile's own line (and its suggestion).
    prof = None if chain.split(name) else read.load(env).profile(name)
    if prof is None or prof.session is None or not prof.account_id or not prof.role_name:
        raise AwsenvError(
            f"profile {printable(name)} is not an IAM Identity Center role, so the access "
            "portal cannot sign in to it (a chained role is assumed by awsenv, not the portal)",
            "drop --via-portal to get a sign-in URL", ExitCode.USAGE)
    where = _destination(service, destination, region, prof.region, name, res)
    url = core.portal_link(prof.session.start_url, prof.account_id, prof.role_name, where)
    if print_:
        click.echo(url)
        return
    _open(env, url, secret=False)


def _open(env: Environment, url: str, *, secret: bool) -> None:
    """Hand ``url`` to the browser through the one-shot loopback link (never its argv)."""
    from awsenv.auth.browser import check, hand_over
    from awsenv.auth.login import wait_limit

    found = check(env.environ)
    if not env.environ.get("BROWSER", "").strip() and not found.usable:
        # login's judgement (no display, SSH, CI, only a text browser): opening one would
        # take over this terminal and spend the one-time link. The person gets the link.
        if secret:
            _show_on_terminal(url, found.reason)
        else:
            click.echo(f"awsenv: no browser to open it in ({found.reason}); open this "
                       "link yourself:", err=True)
            click.echo(url)
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
