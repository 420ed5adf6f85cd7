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
    """DIR/.awsenv, the nearest one above DIR, or the file itself when a file is named.

    Relative names are taken from the logical current directory (`$PWD`), as
    the shell's own `cd` and its hook walk do, so the path allowed is the path
    the hook finds (trust is bound to the path a `.awsenv` is found at).
    """
    if target and os.path.isabs(target):
        here = "/"
    else:
        try:
            here = logical_cwd(os.environ)
        except FileNotFoundError:  # getcwd() of a deleted directory
            pwd = os.environ.get("PWD", "")
            where = f" ({printable(pwd)})" if os.path.isabs(pwd) else ""
            raise AwsenvError(f"the current directory{where} no longer exists",
                              "cd to an existing directory (`cd \"$PWD\"` if it was "
                              "recreated) and run it again", ExitCode.USAGE) from None
    start = os.path.normpath(os.path.join(here, target)) if target else here
    if target and os.path.lexists(start) and not os.path.isdir(start):
        return Path(start)
    if not os.path.isdir(start):
        raise AwsenvError(f"{printable(start)} is not a directory",
                          "name a directory holding a .awsenv", ExitCode.USAGE)
    found = find(start)
    if found is None:
        raise AwsenvError(f"no {FILENAME} in {printable(start)} or above",
                          f"create {FILENAME} first", ExitCode.USAGE)
    return found


@click.command()
@click.argument("directory", required=False)
def allow(directory: str | None) -> None:
    """Trust the .awsenv in DIRECTORY (default: here or the nearest above).

    Trust covers these exact bytes, found at this exact path (and leading to
    this file when it is a symlink), for the account and role its profile
    resolves to now: a change to any of them needs a new `awsenv allow`.
    Shows what the file asks for before trusting it. A file naming an account
    and role (a team's) is bound to the local profile it resolves to as well.
    """
    from awsenv.shells import identity
    from awsenv.shells.hook import signin_lines

    env = Environment.from_os()
    assert env.paths is not None
    path = _locate(directory)
    project = trust_mod.load(path, names.profile_names(env.paths.aws_config_file))
    if project.identity:  # a team's file: bound to the local profile it resolves to now
        from awsenv.project import resolve

        project = resolve.resolve(project, env.paths.aws_config_file)
    pinfo = identity.info(env, project.profile)
    trust_mod.allow(env.paths.trust_dir, project, pinfo.resolves())
    click.echo(f"awsenv: allowed {printable(trust_mod.shown(project.path, project.realpath))}",
               err=True)
    for line in signin_lines(env, project):
        click.echo(f"  {printable(line)}", err=True)


@click.command()
@click.argument("directory", required=False)
def deny(directory: str | None) -> None:
    """Block the .awsenv in DIRECTORY, whatever it contains, until `awsenv allow`.

    The deny is bound to the path the file is found at: denying a symlinked
    .awsenv blocks that link, never the file it points to.
    """
    env = Environment.from_os()
    assert env.paths is not None
    path = _locate(directory)
    trust_mod.deny(env.paths.trust_dir, path)
    real = os.path.realpath(path)
    click.echo(f"awsenv: denied {printable(trust_mod.shown(path, real))}", err=True)
