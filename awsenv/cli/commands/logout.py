"""`awsenv logout`: end a session and forget its tokens, registration and role credentials."""

from __future__ import annotations

import click

from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, printable


@click.command()
@click.option("--session", "session_name", metavar="NAME", help="The sso-session to sign out of.")
@click.option("--all", "all_sessions", is_flag=True, help="Sign out of every configured session.")
def logout(session_name: str | None, all_sessions: bool) -> None:
    """Sign out: end the portal session, delete keyring entries and cached credentials."""
    from awsenv.auth.logout import logout as run_logout
    from awsenv.awsconfig import read
    from awsenv.cli.commands.login import resolve_session

    env = Environment.from_os()
    if all_sessions and session_name:
        raise AwsenvError("--all and --session both given", "pass only one", ExitCode.USAGE)
    if all_sessions:
        sessions = list(read.load(env).sessions.values())
        if not sessions:
            click.echo("No IAM Identity Center sessions are configured; nothing to sign out of.",
                       err=True)
    else:
        sessions = [resolve_session(env, session_name, None)]
    errors: list[AwsenvError] = []
    signed_out = False
    for session in sessions:
        result = run_logout(env, session)
        errors.extend(result.errors)
        signed_out = signed_out or result.removed_anything
        what = "signed out" if result.removed_anything else "was not signed in"
        click.echo(printable(f"Session {session.key} ({session.start_url}): {what}."), err=True)
    if signed_out:
        # Other shells are other processes: say what they hold and when that ends.
        click.echo("awsenv: open shells using these sessions drop their role credentials "
                   "(env mode) and mark the profile ✗ at their next prompt; credentials "
                   "already handed out stay valid at AWS until they expire (AWS cannot "
                   "recall them).", err=True)
    if errors:
        raise errors[0]
