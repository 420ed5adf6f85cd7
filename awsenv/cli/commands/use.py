"""`awsenv use PROFILE`: switch the current shell (through the function `awsenv init` defines)."""

from __future__ import annotations

import click

from awsenv.errors import AwsenvError, ExitCode
from awsenv.shells.hook import run_use


@click.command()
@click.argument("profile", required=False)
@click.option("--mode", type=click.Choice(["profile", "env"]), default=None,
              help="profile: export AWS_PROFILE (default); env: export the credentials.")
@click.option("--region", default=None, help="Also set AWS_REGION / AWS_DEFAULT_REGION.")
@click.option("--unset", is_flag=True, help="Undo `awsenv use`: restore what was there before.")
@click.option("--emit", is_flag=True, hidden=True)
@click.option("--protocol", default=None, hidden=True)
def use(profile: str | None, mode: str | None, region: str | None, unset: bool, emit: bool,
        protocol: str | None) -> None:
    """Switch this shell to PROFILE (needs the shell hook from `awsenv init`)."""
    if not emit:
        raise AwsenvError(
            "`awsenv use` changes the current shell, which needs the awsenv shell hook",
            "add `eval \"$(awsenv init bash)\"` to ~/.bashrc (zsh alike; fish: "
            "`awsenv init fish | source`; pwsh: `awsenv init pwsh | Out-String | "
            "Invoke-Expression`), then open a new shell",
            ExitCode.USAGE,
        )
    rc = run_use({"emit": True, "protocol": protocol, "mode": mode, "region": region,
                  "unset": unset, "profile": profile})
    if rc:
        raise click.exceptions.Exit(rc)
