"""`awsenv allow` / `awsenv deny`: trust or block a directory's `.awsenv`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from awsenv.awsconfig import names
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode, printable
from awsenv.project import trust as trust_mod
from awsenv.project.file import FILENAME, find, logical_cwd


def _locate(target: str | None) -> Path:
    """DIR/.awsenv, the nearest one above DIR, or the file itself when a file is named."""
    start = target or logical_cwd(os.environ)
    if target and os.path.lexists(target) and not os.path.isdir(target):
        return Path(os.path.abspath(target))
    if not os.path.isdir(start):
        raise AwsenvError(f"{start} is not a directory", "name a directory holding a .awsenv",
                          ExitCode.USAGE)
    found = find(start)
    if found is None:
        raise AwsenvError(f"no {FILENAME} in {start} or above", f"create {FILENAME} first",
                          ExitCode.USAGE)
    return found


@click.command()
@click.argument("directory", required=False)
def allow(directory: str | None) -> None:
    """Trust the .awsenv in DIRECTORY (default: here or the nearest above).

    Trust covers these exact bytes at this exact path: any edit needs a new
    `awsenv allow`. Shows what the file asks for before trusting it.
    """
    from awsenv.shells.hook import signin_lines

    env = Environment.from_os()
    assert env.paths is not None
    path = _locate(directory)
    project = trust_mod.load(path, names.profile_names(env.paths.aws_config_file))
    trust_mod.allow(env.paths.trust_dir, project)
    shown = str(project.realpath)
    click.echo(f"awsenv: allowed {shown}", err=True)
    for line in signin_lines(env, project):
        click.echo(f"  {printable(line)}", err=True)


@click.command()
@click.argument("directory", required=False)
def deny(directory: str | None) -> None:
    """Block the .awsenv in DIRECTORY, whatever it contains, until `awsenv allow`."""
    env = Environment.from_os()
    assert env.paths is not None
    path = _locate(directory)
    real = Path(os.path.realpath(path))
    trust_mod.deny(env.paths.trust_dir, real)
    click.echo(f"awsenv: denied {real}", err=True)
