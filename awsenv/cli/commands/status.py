"""`awsenv status`: which sessions are signed in (exit 3 if one is not)."""

from __future__ import annotations

import json

import click

from awsenv.environment import Environment
from awsenv.errors import ExitCode, printable


@click.command()
@click.option("--session", "session_name", metavar="NAME", help="Only this sso-session.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--check", is_flag=True,
              help="Ask Identity Center whether it still honours each sign-in (one call per "
                   "session); exit 6 if it could not be asked.")
def status(session_name: str | None, as_json: bool, check: bool) -> None:
    """Show each session's sign-in state; exit 0 only if all shown are signed in.

    Without --check the answer is local: a token with time left counts until awsenv
    next talks to the service. --check asks it, so a sign-in revoked by an
    administrator or ended by `aws sso logout` elsewhere shows as signed out.
    """
    from awsenv.auth.status import status as run_status
    from awsenv.awsconfig import read
    from awsenv.cli.commands.login import when
    from awsenv.sync import remembered_filter

    env = Environment.from_os()
    cfg = read.load(env)
    if session_name:
        sessions = [cfg.session(session_name)]
    else:
        sessions = list(cfg.sessions.values()) or [cfg.default_session()]
    report = run_status(env, sessions, check=check)
    filters = {s.key: remembered_filter(env, s.key) for s in sessions}
    if as_json:
        data = report.to_json()
        for entry in data["sessions"]:  # type: ignore[attr-defined]
            chosen = filters.get(entry["session"])
            entry["sync_filter"] = chosen.as_json() if chosen else None
        click.echo(json.dumps(data, indent=2))
    else:
        rows = [("SESSION", "START URL", "REGION", "SIGNED IN", "ACCESS TOKEN EXPIRES",
                 "REFRESH")]
        for s in report.sessions:
            refresh = {True: "yes", False: "no", None: "unknown"}[s.can_refresh]
            rows.append((printable(s.session.key), printable(s.session.start_url),
                         printable(s.session.region),
                         "yes" if s.signed_in else "no",
                         when(s.expires_at, env.now()) if s.expires_at else "-", refresh))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        usable = "usable" if report.keyring.usable else "NOT usable"
        # The backend's name and detail can carry its own error text: never raw.
        click.echo(printable(f"keyring: {report.keyring.name} ({usable}: "
                             f"{report.keyring.detail})"))
        for key, chosen in filters.items():
            if chosen:  # what a plain `awsenv sync` of that session repeats
                click.echo(printable(f"sync filter for {key}: {chosen.describe()} "
                                     "(`awsenv sync --no-filter` drops it)"))
        for s in report.sessions:
            if s.problem and (not s.signed_in or check):
                click.echo(f"awsenv: {printable(str(s.problem))}", err=True)
    if not report.all_signed_in:
        raise click.exceptions.Exit(int(ExitCode.NOT_SIGNED_IN))
    if check and not all(s.confirmed for s in report.sessions):
        raise click.exceptions.Exit(int(ExitCode.SERVICE))
