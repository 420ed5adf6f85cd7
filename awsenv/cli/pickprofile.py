"""The picker for commands that got no profile: `console`, `export`, `exec` (`use` has its own,
in awsenv.shells.fastuse, as its answer goes through the shell hook)."""

from __future__ import annotations

import os

import click

from awsenv.errors import AwsenvError, ExitCode


def chosen(title: str) -> str | None:
    """The profile picked on this terminal; None when there is no terminal to pick on (or
    no profile), where the caller keeps its usage error. Esc/Ctrl-C end the command
    with 130 and nothing done (and nothing on stdout, so `eval "$(awsenv export)"`
    evaluates nothing)."""
    from awsenv import choices

    try:
        opened, name = choices.choose(os.environ, title)
    except (AwsenvError, click.exceptions.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # a terminal the library cannot drive: one line, no traceback
        raise AwsenvError(f"the profile picker failed ({type(exc).__name__})",
                          "pass PROFILE (`awsenv list` names them)") from None
    if opened and name is None:
        raise click.exceptions.Exit(int(ExitCode.INTERRUPTED))
    return name
