"""`awsenv serve [PROFILE...]`: a local credentials endpoint that SDKs renew from by themselves.

stdout carries only the variables to export (any `export` format); what a
person reads (the URLs, the warning for a non-loopback address, why a request
could not be answered) goes to stderr. Runs until Ctrl-C or SIGTERM (exit 0).
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
from collections.abc import Callable

import click

from awsenv import signalwait
from awsenv.cli.commands.credential_process import complete_profile
from awsenv.cli.commands.export import default_profile
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, printable
from awsenv.serve import CredentialServer, default_source, endpoint
from awsenv.shells.exports import FORMATS, render_export

STOPPING = (signal.SIGINT, signal.SIGTERM)


class _Stop(Exception):
    """SIGTERM during set-up (the first fetch): leave like Ctrl-C does; once serving,
    :func:`awsenv.signalwait.wait_for` takes both."""


def error_printer(prefix: str = "awsenv: ") -> Callable[[str, AwsenvError], None]:
    """Print why a request got no credentials, once per profile and reason (SDKs retry)."""
    last: dict[str, str] = {}
    lock = threading.Lock()

    def show(profile: str, exc: AwsenvError) -> None:
        line = exc.line()
        with lock:
            if last.get(profile) == line:
                return
            last[profile] = line
        click.echo(f"{prefix}{printable(profile)}: {line}", err=True)

    return show


def bind_server(source: Callable[..., object], profiles: list[str], *, host: str, port: int,
                imds: bool, on_error: Callable[[str, AwsenvError], None]) -> CredentialServer:
    """The bound endpoint, or one line naming the address when it cannot listen."""
    try:
        return CredentialServer(source, profiles, host=host, port=port,  # type: ignore[arg-type]
                                imds_mode=imds, on_error=on_error)
    except OSError as exc:
        raise AwsenvError(f"cannot listen on {printable(host)} port {port} ({exc.strerror})",
                          "pick another --port (0: any free one) or --bind address") from None


@click.command()
@click.argument("profiles", nargs=-1, metavar="[PROFILE]...", shell_complete=complete_profile)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="TCP port to listen on (0: any free port).")
@click.option("--bind", "bind", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="IP address to listen on; anything but loopback is reachable by others.")
@click.option("--imds", is_flag=True,
              help="Answer as the EC2 instance metadata service (IMDSv2), for one PROFILE.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="env",
              show_default=True, help="Output format of the variables to export.")
def serve(profiles: tuple[str, ...], port: int, bind: str, imds: bool, fmt: str) -> None:
    """Serve PROFILE's credentials on a local endpoint that SDKs renew from by themselves.

    Prints the variables to export (AWS_CONTAINER_CREDENTIALS_FULL_URI and a fresh
    AWS_CONTAINER_AUTHORIZATION_TOKEN; with --imds, AWS_EC2_METADATA_SERVICE_ENDPOINT),
    then serves until Ctrl-C. Credentials are renewed from awsenv's cache and the
    keyring before they end, never with a browser. Several profiles are served on
    their own paths (the variables name the first). PROFILE defaults to
    $AWSENV_PROFILE, then $AWS_PROFILE.

    Example: awsenv serve dev
    """
    names = list(dict.fromkeys(profiles)) or [default_profile(None)]
    if imds and len(names) > 1:
        raise click.UsageError("--imds serves one PROFILE (the instance has one role)")
    previous = {s: signal.getsignal(s) for s in STOPPING}
    signal.signal(signal.SIGTERM, _stop)  # before the first line is out
    try:
        with signalwait.wakeup_fd() as woken:
            _serve(names, port=port, bind=bind, imds=imds, fmt=fmt, woken=woken)
    except (KeyboardInterrupt, _Stop):
        pass
    except BaseException:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        raise
    # Stopped: the process ends now. The handlers stay as the wait left them (no-ops),
    # so a signal still flagged for Python cannot raise past this line.
    click.echo("awsenv: stopped", err=True)
    raise click.exceptions.Exit(ExitCode.OK)


def _stop(_signum: int, _frame: object) -> None:
    raise _Stop


def _serve(names: list[str], *, port: int, bind: str, imds: bool, fmt: str,
           woken: socket.socket) -> None:
    env = Environment.from_os()
    source = default_source(env)
    for name in names:  # signed in, known, fetchable: say so now, not at the first request
        source(name)
    server = bind_server(source, names, host=bind, port=port, imds=imds,
                         on_error=error_printer())
    with server:
        if not server.loopback_only:
            who = "anyone who reaches it" if imds else "anyone who reaches it with the token"
            click.echo(f"awsenv: warning: serving on {server.bind_host}, not loopback: {who} "
                       "gets these credentials", err=True)
        if imds:
            variables = endpoint.imds_variables(server.base_url)
        else:
            variables = endpoint.container_variables(server.url(names[0]), server.token)
        click.echo(render_export(fmt, variables), nl=False)
        sys.stdout.flush()
        where = [server.base_url + "/"] if imds else [server.url(n) for n in names]
        for name, url in zip(names, where, strict=False):
            click.echo(f"awsenv: serving {printable(name)} at {printable(url)}", err=True)
        click.echo("awsenv: Ctrl-C stops it", err=True)
        # The server answers in its own threads; Ctrl-C or SIGTERM ends the wait,
        # whichever thread the kernel gave the signal to.
        signalwait.wait_for(woken, STOPPING)
