"""`awsenv sandbox`: the offline demo."""

from __future__ import annotations

import sys

import click

from awsenv.errors import AwsenvError, ExitCode


@click.command()
@click.option("--shell", "shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash",
              show_default=True, help="Shell for the interactive sandbox.")
@click.option("--script", is_flag=True,
              help="Run the scripted tour even on a terminal (what CI does).")
def sandbox(shell: str, script: bool) -> None:
    """Try everything offline: a local emulator, a sign-in, synced profiles and two projects.

    Starts an IAM Identity Center emulator on a free loopback port, builds an
    isolated home, AWS config and keyring under a temporary directory (your own
    ~/.aws and keyring are never touched), signs in through the real login
    flow, runs `awsenv sync`, creates two sample projects with `.awsenv` files,
    and opens a subshell set up as the README says: awsenv on PATH, the hook,
    `awsenv_prompt` and tab completion. Leaving the subshell stops the emulator
    and removes everything.

    Without a terminal (or with --script) it runs the same tour as a script,
    prints each step's result, and exits 0 only if every step worked.
    """
    from awsenv.sandbox import Ended

    interactive = not script and sys.stdin.isatty() and sys.stdout.isatty()
    try:
        _run(shell, interactive)
    except Ended as ended:
        # The tree is gone and the shell was told to end; nothing is printed, as
        # the terminal may be gone too (SIGHUP). Exit the way a shell reports it.
        raise click.exceptions.Exit(128 + ended.signum) from None


def _run(shell: str, interactive: bool) -> None:
    from awsenv.cli.completion_spec import render
    from awsenv.sandbox import Sandbox, install_completion, interactive_argv, tour, welcome

    with Sandbox(shell=shell) as box:
        click.echo(f"Sandbox in {box.root} (emulator at {box.emulator.url})", err=True)
        failed = 0
        for step in box.setup():
            _show(step.title, step.ok, step.detail)
            failed += not step.ok
        if failed:
            raise AwsenvError("the sandbox could not be set up", "rerun with --debug and report it")
        if interactive:
            count = box.awsenv("list", "--json").stdout.count('"role_name"')
            click.echo(welcome(box, count), err=True, nl=False)
            install_completion(box, shell, render(shell))
            box.run_child(interactive_argv(box, shell))
            click.echo("Sandbox removed.", err=True)
            return
        results, transcript = tour(box)
        click.echo(transcript)
        bad = [r for r in results if not r.ok]
        click.echo(f"{len(results) - len(bad)} passed, {len(bad)} failed")
        if bad or not results:
            raise click.exceptions.Exit(ExitCode.ERROR)


def _show(title: str, ok: bool, detail: str) -> None:
    click.echo(f"{'✓' if ok else '✗'} {title}", err=True)
    if detail and not ok:
        for line in detail.splitlines()[-5:]:
            click.echo(f"    {line}", err=True)
