"""`awsenv login`: sign in to an IAM Identity Center session (prompts on stderr)."""

from __future__ import annotations

import time
from datetime import datetime

import click

from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, printable


def resolve_session(env: Environment, session: str | None, profile: str | None) -> SsoSession:
    """--session NAME, --profile P (its session) or the only configured session."""
    from awsenv.awsconfig import read

    if session and profile:
        raise AwsenvError("--session and --profile both name a session", "pass only one",
                          ExitCode.USAGE)
    cfg = read.load(env)
    if session:
        return cfg.session(session)
    if profile:
        return cfg.session_for_profile(profile)
    return cfg.default_session()


def when(epoch: float, now: float | None = None) -> str:
    """Local wall-clock time plus how long from now, for people."""
    now = time.time() if now is None else now
    stamp = datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    left = int(epoch - now)
    if left <= 0:
        return f"{stamp} (expired)"
    hours, minutes = divmod(left // 60, 60)
    return f"{stamp} (in {hours}h{minutes:02d}m)" if hours else f"{stamp} (in {minutes}m)"


def _show_prompt(prompt: object) -> None:
    """The sign-in prompt on stderr. Every value came from the config or the service
    (a hostile ``verificationUri`` too): shown through ``printable``, never raw."""
    from awsenv.auth.login import BrowserPrompt, DevicePrompt

    if isinstance(prompt, BrowserPrompt):
        _say(f"Opening the browser to sign in to {prompt.session.start_url} "
             f"(session {prompt.session.key}).")
        _say_region(prompt.session)
        _say("If it does not open, visit this URL on this machine:")
        _say(f"  {prompt.url}")
    elif isinstance(prompt, DevicePrompt):
        minutes = max(1, int(prompt.expires_in // 60))
        _say(f"Sign in to {prompt.session.start_url} (session {prompt.session.key}) "
             f"using a device code ({prompt.reason}).")
        _say_region(prompt.session)
        _say(f"Open on any device: {prompt.verification_uri}")
        _say(f"and enter the code: {prompt.user_code}")
        _say("or open this link, which carries the code:")
        _say(f"  {prompt.verification_uri_complete}")
        _say(f"Waiting for approval (the code is valid for {minutes} min)...")


def _say_region(session: SsoSession) -> None:
    """The region in use, before the browser or the code: a wrong sso_region is the
    most common sign-in failure and shows only in the browser, after signing in."""
    _say(f"IAM Identity Center region: {session.region} (sso_region). If the browser ends "
         f"in \"Invalid grant provided\", that region is wrong: the AWS access portal shows "
         f"the right one under \"Access keys\" (SSO Region).")


def _say(text: str) -> None:
    click.echo(printable(text), err=True)


@click.command()
@click.option("--session", "session_name", metavar="NAME", help="The sso-session to sign in to.")
@click.option("--profile", metavar="PROFILE", help="Sign in to the session this profile uses.")
@click.option("--no-browser", is_flag=True,
              help="Never open a browser: sign in with a device code shown here.")
@click.option("--use-device-code", is_flag=True,
              help="Use a device code instead of the browser redirect (PKCE).")
def login(session_name: str | None, profile: str | None, no_browser: bool,
          use_device_code: bool) -> None:
    """Sign in to IAM Identity Center once; awsenv renews the sign-in silently.

    Opens the browser (PKCE) when one can reach this machine, else shows a
    device code (SSH, CI, containers, WSL without a browser bridge).
    """
    from awsenv.auth.login import login as run_login
    from awsenv.awsconfig.configure import usable_session

    env = Environment.from_os()
    session = usable_session(resolve_session(env, session_name, profile))
    result = run_login(env, session, use_device_code=use_device_code, no_browser=no_browser,
                       on_prompt=_show_prompt)
    _say(f"Signed in to {session.start_url} (session {session.key}) until "
         f"{when(result.expires_at)}.")
    if result.refreshable:
        click.echo("awsenv renews this sign-in without a browser until the Identity Center "
                   "session ends.", err=True)
    else:
        click.echo("No refresh token was issued (the session has no registration scopes): "
                   "sign in again when this expires; set sso_registration_scopes = "
                   "sso:account:access to stay signed in.", err=True)
