"""`awsenv exec [--server] PROFILE -- CMD [ARGS...]`: run one command with the role's credentials.

On POSIX awsenv replaces itself with CMD (``execve``), so CMD *is* the process:
exit codes and signals need no forwarding. Elsewhere a child is run and every
catchable signal is passed on. With ``--server`` awsenv stays, serving a private
credentials endpoint in its own threads (so it ends with awsenv) while CMD runs
as its child (awsenv.serve.relay passes signals and the exit status through).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click

from awsenv.cli.chainopt import chain_option, say_notes, target
from awsenv.cli.commands.credential_process import complete_profile
from awsenv.creds import get
from awsenv.creds.child import CommandNotExecutable, child_environ, find_program
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, ExitCode


class ExecCommand(click.Command):
    """`exec`, which also reads `awsenv exec [OPTIONS] -- COMMAND`: no PROFILE before `--`.

    click drops a `--` that comes before any positional argument and would
    take COMMAND's first word for PROFILE; an empty PROFILE is put in its
    place instead, which the command fills from the picker on a terminal.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        i = 0
        while i < len(args) and args[i] != "--" and args[i].startswith("-"):
            i += 2 if args[i] == "--chain" else 1
        if i < len(args) and args[i] == "--":
            args = [*args[:i], "--", "", *args[i + 1:]]
        return super().parse_args(ctx, args)


@click.command(cls=ExecCommand, context_settings={"ignore_unknown_options": True,
                                                  "allow_interspersed_args": False})
@click.option("--server", is_flag=True,
              help="Give COMMAND a private credentials endpoint that renews, not raw keys.")
@chain_option
@click.argument("profile", shell_complete=complete_profile)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(profile: str, command: tuple[str, ...], server: bool) -> None:
    """Run COMMAND with PROFILE's credentials, region and AWSENV_PROFILE in its environment.

    AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN are removed so nothing
    competes with the credentials. COMMAND's exit code is awsenv's exit code;
    127 when COMMAND is not found.

    --server: COMMAND gets AWS_CONTAINER_CREDENTIALS_FULL_URI and
    AWS_CONTAINER_AUTHORIZATION_TOKEN of an endpoint that lives as long as it
    does, so its SDK renews for as long as the sign-in lasts (no raw keys).

    Without PROFILE (`awsenv exec -- COMMAND`) a picker offers the profiles on a terminal.

    PROFILE may be an account id, an account name, ACCOUNT/ROLE or an ARN
    instead: the profile your AWS config has for it (several: they are named).

    Example: awsenv exec dev -- terraform plan; awsenv exec --server dev -- cdk deploy
    """
    if command[:1] == ("--",):  # click keeps `--` once positional parsing has begun
        command = command[1:]
    if not command:
        raise click.UsageError("missing COMMAND after --")
    if not profile:
        from awsenv.cli.pickprofile import chosen

        profile = chosen("awsenv exec") or ""
        if not profile:
            raise AwsenvError("no profile given", "run `awsenv exec PROFILE -- COMMAND` "
                              "(see `awsenv list`)", ExitCode.USAGE)
    env = Environment.from_os()
    profile = target(profile)  # --chain ROLE_ARN: that role, assumed with PROFILE's
    say_notes(env, profile)
    if server:
        raise click.exceptions.Exit(_exec_with_server(env, profile, list(command)))
    creds = get(env, profile)
    child_env = child_environ(env.environ, creds)
    program = find_program(command[0], child_env)
    argv = list(command)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        try:
            os.execve(program, argv, child_env)
        except OSError as exc:
            raise CommandNotExecutable(f"{command[0]}: cannot run it ({exc.strerror})",
                                       "check that it is an executable for this system") from None
    raise click.exceptions.Exit(_run_forwarding(program, argv, child_env))


def _refuse_a_shadowing_default(env: Environment, profile: str, command: str) -> None:
    """An SDK reads a ``[default]`` profile before the container endpoint: with one that
    carries credentials, COMMAND would run as that identity, not PROFILE's."""
    import os

    from botocore.configloader import raw_config_parse

    from awsenv.awsconfig import read
    from awsenv.errors import ConfigError
    from awsenv.serve import endpoint

    assert env.paths is not None
    credentials = env.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(
        os.fspath(env.paths.home), ".aws", "credentials")
    try:
        shared = raw_config_parse(credentials).get("default", {})
    except Exception:  # unreadable or malformed: the SDK would fail on it, not use it
        shared = {}
    found = endpoint.default_shadow({
        os.fspath(env.paths.aws_config_file): read.load(env).raw_profiles.get("default", {}),
        credentials: shared,
    })
    if found is not None:
        path, key = found
        # AwsenvError.line() makes the names printable.
        raise ConfigError(
            f"the [default] profile in {path} sets {key}, which SDKs use before the "
            f"endpoint: {command} would not run as {profile}",
            f"remove {key} from [default], or use `awsenv exec {profile} -- {command}` "
            "(raw keys win over [default])")


def _exec_with_server(env: Environment, profile: str, argv: list[str]) -> int:
    """Serve PROFILE on loopback for the life of ``argv``; the child's end is awsenv's."""
    from awsenv import deadline
    from awsenv.cli.commands.serve import bind_server, error_printer
    from awsenv.serve import default_source, endpoint, relay

    _refuse_a_shadowing_default(env, profile, argv[0])
    source = default_source(env)
    creds = source(profile)  # signed in and fetchable, before anything starts
    program = find_program(argv[0], env.environ)
    # The endpoint renews for as long as CMD runs: no command-wide budget, and no
    # waiting lines on CMD's terminal (each attempt keeps its own timeouts).
    deadline.end()
    deadline.listen(None)
    sys.stdout.flush()
    sys.stderr.flush()
    # Signals are blocked before the endpoint's threads exist (they inherit the mask).
    with relay.Relay() as signals, bind_server(source, [profile], host="127.0.0.1", port=0,
                                               imds=False, on_error=error_printer()) as server:
        child_env = endpoint.child_environ(env.environ, server.url(profile), server.token,
                                           profile, creds.region)
        try:
            code = signals.run(program, argv, child_env)
        except OSError as exc:
            raise CommandNotExecutable(f"{argv[0]}: cannot run it ({exc.strerror})",
                                       "check that it is an executable for this system") from None
    return relay.end_like(code)


def _run_forwarding(program: str, argv: list[str], child_env: dict[str, str]) -> int:
    """Run the child and pass interrupts on (non-POSIX fallback)."""
    proc = subprocess.Popen([program, *argv[1:]], env=child_env)
    forwarded = [s for s in (signal.SIGINT, getattr(signal, "SIGBREAK", None),
                             getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {s: signal.signal(s, lambda signum, _frame: proc.send_signal(signum))
                for s in forwarded}
    try:
        return proc.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
