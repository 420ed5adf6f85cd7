"""`awsenv completion SHELL`: print the tab-completion script for SHELL."""

from __future__ import annotations

import click

from awsenv.cli.completion_spec import SHELLS


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (the same file as completions/ ships).

    \b
      bash:  awsenv completion bash > ~/.local/share/bash-completion/completions/awsenv
      zsh:   awsenv completion zsh > ~/.zfunc/_awsenv   (with ~/.zfunc on $fpath)
      fish:  awsenv completion fish > ~/.config/fish/completions/awsenv.fish
      pwsh:  awsenv completion pwsh | Out-String | Invoke-Expression   in $PROFILE
    """
    from awsenv.cli.completion_spec import render

    click.echo(render(shell), nl=False)
