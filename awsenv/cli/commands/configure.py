"""`awsenv configure`: write a standard [sso-session NAME] section to the AWS config.

Thin: prompting and printing here, validation and the edit in
``awsenv.awsconfig.configure``. Human text goes to stderr.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from awsenv.awsconfig.configure import configure as configure_core
from awsenv.awsconfig.configure import (
    derive_session_name,
    validate_region,
    validate_session_name,
    validate_start_url,
)
from awsenv.awsconfig.read import display_path
from awsenv.awsconfig.starturl import pinned_region
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, printable


def _ask(text: str, check: Callable[[str], str], hint: str,
         default: str | None = None) -> str:
    """Ask until ``check`` accepts the answer.

    A refusal is one line saying what is wrong and what would fit, then the same
    question: no click "Error:" prefix, and no flag name (the person is answering
    a question, not writing a command line), unless the check's own fix names none.
    """
    while True:
        value = click.prompt(text, default=default, err=True)
        try:
            return check(value)
        except AwsenvError as exc:
            fix = exc.fix if exc.fix and "--" not in exc.fix else hint
            click.echo(printable(f"  {exc.message}; {fix}"), err=True)


@click.command()
@click.option("--start-url", metavar="URL",
              help="AWS access portal URL, e.g. https://mycorp.awsapps.com/start.")
@click.option("--sso-region", metavar="REGION",
              help="Identity Center's own region (not where you deploy), e.g. us-east-1.")
@click.option("--session", "session", metavar="NAME",
              help="sso-session name [default: the start URL's first label, "
                   "https://mycorp.awsapps.com/start -> mycorp].")
@click.option("--region", metavar="REGION",
              help="Default region for the profiles `awsenv sync` generates for this session.")
@click.option("--scopes", multiple=True, metavar="SCOPES",
              help="Registration scopes, comma-separated or repeated "
                   "[default: sso:account:access, which enables refresh tokens].")
def configure(start_url: str | None, sso_region: str | None, session: str | None,
              region: str | None, scopes: tuple[str, ...]) -> None:
    """Add or update an [sso-session NAME] section in ~/.aws/config.

    Honours AWS_CONFIG_FILE. Everything else in the file is kept byte for byte.
    On a terminal, missing values are asked for; elsewhere pass --start-url and
    --sso-region. The session name defaults to the start URL's subdomain
    (https://d-1234567890.awsapps.com/start -> d-1234567890). A region the start
    URL rules out is refused: GovCloud (start.us-gov-home.awsapps.com/directory/ID)
    only in us-gov-west-1/us-gov-east-1, China (start.home.awsapps.cn/directory/ID)
    only in cn-north-1/cn-northwest-1, an additional-Region portal
    (ssoins-ID.REGION.portal.amazonaws.com) only in its REGION, awsapps.com only
    in a commercial region.
    """
    env = Environment.from_os()
    if start_url is None or sso_region is None:
        if not env.stdin_isatty:
            missing = " and ".join(
                f for f, v in (("--start-url", start_url), ("--sso-region", sso_region))
                if v is None
            )
            raise AwsenvError(f"missing {missing} (no terminal to ask on)",
                              "pass --start-url URL --sso-region REGION", ExitCode.USAGE)
        if start_url is None:
            start_url = _ask("AWS access portal (start) URL", validate_start_url,
                             "type the AWS access portal URL, e.g. "
                             "https://mycorp.awsapps.com/start")
        if sso_region is None:
            url = start_url

            def region_for_url(value: str) -> str:
                region = validate_region(value)
                validate_start_url(url, region)  # a region this URL's form rules out
                return region

            sso_region = _ask("IAM Identity Center region", region_for_url,
                              "type a region name, e.g. us-east-1",
                              default=pinned_region(start_url))
        if session is None:
            try:
                suggested: str | None = derive_session_name(start_url)
            except AwsenvError:
                suggested = None
            session = _ask("Session name", validate_session_name,
                           "use letters, digits, '.', '_' or '-', e.g. mycorp",
                           default=suggested)
        if region is None:
            # As `aws configure sso` asks for the CLI default client Region.
            region = _ask("Default region for the profiles `awsenv sync` writes",
                          validate_region, "type a region name, e.g. eu-west-1",
                          default=sso_region)
    result = configure_core(env, start_url=start_url, sso_region=sso_region,
                            session=session, region=region, scopes=scopes)
    assert env.paths is not None
    where = printable(display_path(result.path, env.paths.home))
    header = f"[sso-session {result.session}]"
    nxt = f"next: awsenv login --session {result.session}"
    if result.region:
        nxt = f"generated profiles default to {result.region}; {nxt}"
    if not result.changed:
        click.echo(f"{header} in {where} is already up to date; {nxt}", err=True)
    else:
        verb = f"Wrote {header} to" if result.created else f"Updated {header} in"
        click.echo(f"{verb} {where}; {nxt}", err=True)
        for key, old, new in result.replaced:
            click.echo(printable(f"  {key} was {old} (now {new})"), err=True)
