"""`awsenv emulator`: run the local IAM Identity Center in the foreground."""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from awsenv.errors import AwsenvError, ConfigError

_DIRECTORY_HELP = (
    'JSON file of accounts: {"accounts": [{"id": "111111111111", "name": "dev", '
    '"email": "dev@example.com", "roles": ["AdministratorAccess"]}]}.'
)


@click.command("emulator")
@click.option("--port", type=int, default=0, show_default=True,
              help="Loopback port (0 picks a free one).")
@click.option("--directory", "directory_file", type=click.Path(dir_okay=False),
              help=_DIRECTORY_HELP)
@click.option("--accounts", type=int, help="Generate N accounts instead of the default four.")
@click.option("--roles", type=int, default=3, show_default=True,
              help="Roles per generated account (with --accounts).")
@click.option("--hostile", is_flag=True,
              help="Account/role names full of quotes, $(), backticks, newlines, unicode.")
@click.option("--start-url", help="Start URL to accept (default the fake awsapps.com one).")
@click.option("--region", help="Region the start URL lives in (default us-east-1).")
@click.option("--auto-approve", is_flag=True,
              help="Approve device and browser sign-ins without the approval page.")
@click.option("--deny-approvals", is_flag=True, help="Turn every approval into a denial.")
@click.option("--latency-ms", type=int, help="Delay every API answer.")
@click.option("--throttle-rate", type=float, help="Fraction of portal calls answered 429.")
@click.option("--tps-limit", type=float, help="Portal calls per second before 429 (AWS: 20).")
@click.option("--error-rate", type=float, help="Fraction of calls answered 500.")
@click.option("--error-operations", help="Comma list of operations --error-rate applies to.")
@click.option("--seed", type=int, help="Seed for throttle/error decisions (reproducible).")
@click.option("--access-token-ttl", type=int, help="Access token lifetime, seconds.")
@click.option("--no-refresh-rotation", is_flag=True, help="Keep refresh tokens on refresh.")
@click.option("--session-ttl", type=int, help="Identity Center session lifetime, seconds.")
@click.option("--credential-ttl", type=int, help="Role credential lifetime, seconds.")
@click.option("--registration-ttl", type=int, help="Client registration lifetime, seconds.")
@click.option("--device-interval", type=float, help="Device flow poll interval, seconds.")
@click.option("--device-code-ttl", type=int, help="Device code lifetime, seconds.")
@click.option("--malformed",
              help="Comma list of operations answering broken JSON (`Op`) or `{}` (`Op:missing`).")
@click.option("--user-name", help="User name in assumed-role ARNs.")
@click.option("--verbose", is_flag=True, help="Log each request on stderr.")
def emulator(port: int, directory_file: str | None, accounts: int | None, roles: int,
             hostile: bool, start_url: str | None, region: str | None, verbose: bool,
             no_refresh_rotation: bool, **knobs: Any) -> None:
    """Run a local IAM Identity Center (sso-oidc, sso portal, STS, console federation).

    Prints the base URL on the first line, then the `export AWS_ENDPOINT_URL_…`
    lines that point the AWS CLI, SDKs and awsenv at it. Serves on 127.0.0.1
    until Ctrl-C or SIGTERM. Admin API for tests: /__admin/counters,
    /__admin/configure, /__admin/approve, …
    """
    from awsenv.emulator import Directory, Emulator

    try:
        if directory_file:
            directory = Directory.load(directory_file)
        elif accounts is not None:
            directory = Directory.generate(accounts=accounts, roles=roles, hostile=hostile)
        elif hostile:
            directory = Directory.hostile()
        else:
            directory = Directory.default()
    except ValueError as exc:
        raise ConfigError(str(exc), "fix the file (format: `awsenv emulator --help`)") from exc
    values = {k: v for k, v in knobs.items() if v is not None and v is not False}
    if no_refresh_rotation:
        values["refresh_rotation"] = False
    extra = {k: v for k, v in (("start_url", start_url), ("region", region)) if v}
    emu = Emulator(directory, port=port, verbose=verbose, **extra, **values)
    try:
        emu.bind()
    except OSError as exc:
        raise AwsenvError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
                          "pick another port with --port") from exc
    signal.signal(signal.SIGTERM, lambda *_: emu.shutdown())
    try:
        click.echo(emu.url)
        for name, value in emu.env().items():
            click.echo(f"export {name}={value}")
        click.echo(f"# start URL {emu.start_url}, region {emu.region}; approve sign-ins at "
                   f"{emu.url}/device", err=True)
        sys.stdout.flush()
        emu.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
