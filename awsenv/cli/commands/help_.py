"""`awsenv help [COMMAND]`: what `awsenv [COMMAND] --help` shows, as git and go do."""

from __future__ import annotations

import click


@click.command("help")
@click.argument("command", required=False)
@click.pass_context
def help_(ctx: click.Context, command: str | None) -> None:
    """Show awsenv's help, or COMMAND's (the same as `awsenv COMMAND --help`)."""
    from awsenv.cli.app import unknown_command

    root = ctx.find_root()
    group = root.command
    if command is None:
        click.echo(root.get_help())
        return
    assert isinstance(group, click.Group)
    cmd = group.get_command(root, command)
    if cmd is None or cmd.hidden:
        raise unknown_command(group, root, command, prefix="awsenv help ")
    with click.Context(cmd, info_name=command, parent=root, **cmd.context_settings) as sub:
        click.echo(cmd.get_help(sub))
