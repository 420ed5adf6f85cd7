"""`awsenv init SHELL`: print the shell integration to install in the rc file."""

from __future__ import annotations

import click

from awsenv.paths import awsenv_command
from awsenv.shells import initcache
from awsenv.shells.hook import SHELLS
from awsenv.shells.init import render_init


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def init(shell: str) -> None:
    """Print the hook for SHELL. Install it with:

    \b
      bash:  eval "$(awsenv init bash)"      at the end of ~/.bashrc
      zsh:   eval "$(awsenv init zsh)"       at the end of ~/.zshrc
      fish:  awsenv init fish | source       in ~/.config/fish/config.fish
      pwsh:  awsenv init pwsh | Out-String | Invoke-Expression   in $PROFILE

    The rendering is cached; bash, zsh and fish may source the cached copy
    directly to start no process (see the README, "Shell hook").
    """
    command = awsenv_command()
    script = render_init(shell, command)
    initcache.store(shell, script, command)  # the next shell skips click and jinja2
    click.echo(script, nl=False)
