"""`awsenv use PROFILE`: switch the current shell (through the function `awsenv init` defines)."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from awsenv.errors import AwsenvError, ExitCode
from awsenv.shells.fastuse import picked
from awsenv.shells.hook import run_use


class UseCommand(click.Command):
    """`use`, whose usage errors still answer the shell function.

    The function reads a complete answer (records ending in ``end CODE``) and
    maps anything else to 1; a mistyped option must exit 2 through the hook as
    it does from the binary (README's exit codes), so the answer says so.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        emit = "--emit" in args  # before click consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if emit:
                _answer_the_shell(exc.exit_code)
            raise


@click.command(cls=UseCommand)
@click.argument("profile", required=False)
@click.option("--mode", type=click.Choice(["profile", "env"]), default=None,
              help="profile: export AWS_PROFILE (default); env: export the credentials.")
@click.option("--region", default=None, metavar="REGION",
              help="Also set AWS_REGION / AWS_DEFAULT_REGION.")
@click.option("--unset", is_flag=True, help="Undo `awsenv use`: restore what was there before.")
@click.option("--debug", is_flag=True,
              help="Log what awsenv does on stderr (never secrets). Put it after `use`: "
                   "the shell hook only sees `awsenv use …`.")
@click.option("--chain", "chain", metavar="ROLE_ARN", multiple=True,
              help="Assume ROLE_ARN with PROFILE's credentials (repeat to chain further); "
                   "env mode.")
@click.option("--emit", is_flag=True, hidden=True)
@click.option("--protocol", default=None, hidden=True)
def use(profile: str | None, mode: str | None, region: str | None, unset: bool, debug: bool,
        emit: bool, protocol: str | None, chain: tuple[str, ...] = ()) -> None:
    """Switch this shell to PROFILE (needs the shell hook from `awsenv init`).

    PROFILE may be an account id, an account name, ACCOUNT/ROLE or an ARN
    instead: the profile your AWS config has for it (several: they are named).

    PROFILE `-` goes back to what this shell showed before the last `awsenv use`
    or --unset, like `cd -`.

    A chained profile (role_arn + source_profile) works in both modes; --chain
    ROLE_ARN assumes that role on top of PROFILE without a profile for it, which
    only env mode can carry (the prompt hook renews it before it ends).

    Without PROFILE on a terminal, a picker: type to filter (name, account,
    id, role, region), arrows, Enter switches, Esc leaves (exit 130). With
    "picker": "fzf" in awsenv's settings.json (~/.config/awsenv/), fzf
    instead, on the same rows.
    """
    if chain:
        if unset or not profile:
            _usage(emit, "--chain needs a PROFILE to assume the role with")
        if mode == "profile":
            _usage(emit, "--chain needs env mode: no profile in the AWS config names this "
                         "chain (drop --mode profile)")
        from awsenv.creds.chain import compose

        try:
            mode, profile = "env", compose(str(profile), chain)
        except AwsenvError as exc:
            _usage(emit, exc.line())
    if debug:
        from awsenv.cli.app import enable_debug

        enable_debug()
        import logging

        logging.getLogger("awsenv.use").debug(
            "use %s (mode %s, region %s)%s", "--unset" if unset else repr(profile),
            mode or "from settings", region or "from the profile",
            "" if emit else " without the shell hook")
    if not emit:
        root: Any = click.get_current_context().find_root().obj or {}
        if root.get("debug"):
            # The hook's function only recognises `awsenv use …` as its first word.
            raise AwsenvError(
                "`awsenv --debug use` reached awsenv itself, which cannot change this shell",
                "put --debug after `use`: `awsenv use --debug "
                + (profile or "PROFILE") + "`", ExitCode.USAGE)
        raise AwsenvError(
            "`awsenv use` changes the current shell, which needs the awsenv shell hook",
            "add `eval \"$(awsenv init bash)\"` to ~/.bashrc (zsh alike; fish: "
            "`awsenv init fish | source`; pwsh: `awsenv init pwsh | Out-String | "
            "Invoke-Expression`), then open a new shell",
            ExitCode.USAGE,
        )
    opts = {"emit": True, "protocol": protocol, "mode": mode, "region": region,
            "unset": unset, "profile": profile}
    rc = picked(opts)  # no PROFILE on a terminal: the picker's choice (or Esc's 130)
    if rc is None:
        rc = run_use(opts)
    if rc:
        raise click.exceptions.Exit(rc)


def _usage(emit: bool, message: str) -> NoReturn:
    """A usage error that still answers the shell function (exit 2 through the hook)."""
    if emit:
        _answer_the_shell(ExitCode.USAGE)
    raise click.UsageError(message)


def _answer_the_shell(code: int) -> None:
    """The complete, empty answer the shell function waits for, ending in ``code``."""
    from awsenv.shells.records import Records

    try:
        sys.stdout.buffer.write(Records().finish(code))
        sys.stdout.flush()
    except OSError:
        pass
