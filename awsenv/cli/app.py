"""The click application: global options, lazy subcommands, error rendering."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys

import click

from awsenv import __version__
from awsenv.errors import AwsenvError, ExitCode, printable

# name -> (module under awsenv.cli.commands, attribute). Modules are imported
# only when the command runs (or for --help), so startup stays cheap.
COMMANDS: dict[str, tuple[str, str]] = {
    "configure": ("configure", "configure"),
    "login": ("login", "login"),
    "logout": ("logout", "logout"),
    "status": ("status", "status"),
    "list": ("list_", "list_"),
    "credential-process": ("credential_process", "credential_process"),
    "export": ("export", "export"),
    "exec": ("exec_", "exec_"),
    "serve": ("serve", "serve"),
    "sync": ("sync", "sync"),
    "console": ("console", "console"),
    "init": ("init", "init"),
    "use": ("use", "use"),
    "allow": ("trust", "allow"),
    "deny": ("trust", "deny"),
    "hook": ("hook", "hook"),
    "completion": ("completion", "completion"),
    "doctor": ("doctor", "doctor"),
    "sandbox": ("sandbox", "sandbox"),
    "emulator": ("emulator", "emulator"),
    "help": ("help_", "help_"),
}


def _module_name(name: str) -> str:
    return f"awsenv.cli.commands.{COMMANDS[name][0]}"


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if importlib.util.find_spec(_module_name(n)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not importlib.util.find_spec(_module_name(cmd_name)):
            return None
        module = importlib.import_module(_module_name(cmd_name))
        return getattr(module, COMMANDS[cmd_name][1])

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        """A mistyped command is one line naming the closest one (click's own is four)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and not ctx.resilient_parsing \
                and self.get_command(ctx, name) is None:
            raise unknown_command(self, ctx, name)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped (click cuts it at the width)."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def unknown_command(group: click.Group, ctx: click.Context, name: str,
                    prefix: str = "awsenv ") -> AwsenvError:
    """"no command 'lst'; did you mean `awsenv list`?" (exit 2)."""
    import difflib

    names = [n for n in group.list_commands(ctx)
             if not getattr(group.get_command(ctx, n), "hidden", True)]
    close = [n for n in names if n.startswith(name)][:1] or \
        difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    listed = "`awsenv help` lists the commands"
    fix = f"did you mean `{prefix}{close[0]}`? ({listed})" if close else listed
    return AwsenvError(f"no command '{name}'", fix, ExitCode.USAGE)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="awsenv")
@click.option("--debug", is_flag=True, help="Log what awsenv does on stderr (never secrets).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """awsenv: AWS IAM Identity Center sign-in, credentials and shell switching.

    Sign in once (`awsenv login`), then switch the shell with `awsenv use PROFILE`
    or a trusted `.awsenv` file. Run `awsenv help COMMAND` (or `awsenv COMMAND
    --help`) for details.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        enable_debug()
    if ctx.invoked_subcommand not in QUIET:
        _runtime_notice()
    if ctx.invoked_subcommand not in UNBOUNDED:
        from awsenv import deadline
        from awsenv.cli import waiting

        deadline.begin()  # one budget for every call to Identity Center (README)
        waiting.install()


# Servers that run until stopped (their in-process calls are the tour's or each
# request's, each bounded per attempt): no command-wide deadline.
UNBOUNDED = ("sandbox", "emulator", "serve")


def enable_debug() -> None:
    """`--debug`: awsenv's log on stderr (`awsenv --debug CMD`, and `awsenv use --debug`,
    which the shell hook's function passes on). Never secrets: nothing logs them."""
    log = logging.getLogger("awsenv")
    if log.isEnabledFor(logging.DEBUG):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("awsenv[debug] %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


# Commands whose stderr no person reads at a terminal (SDKs, the prompt, completion):
# the once-only notices wait for an interactive command.
QUIET = ("credential-process", "hook", "complete", "completion", "init")


def _runtime_notice() -> None:
    """Say once that XDG_RUNTIME_DIR was refused (awsenv.paths.runtime_notice)."""
    import os

    from awsenv.paths import Paths, runtime_notice

    line = runtime_notice(os.environ, Paths.from_environ())
    if line:
        click.echo(line, err=True)


def run(args: list[str]) -> int:
    debug = "--debug" in args
    try:
        # Without standalone mode click *returns* the code of a raised Exit.
        rc = cli.main(args=args, prog_name="awsenv", standalone_mode=False)
        if isinstance(rc, int) and not isinstance(rc, bool):
            return rc
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("awsenv: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except AwsenvError as exc:
        click.echo(f"awsenv: {exc.line()}", err=True)
        if exc.hint:
            click.echo(f"awsenv: {printable(exc.hint)}", err=True)
        return int(exc.code)
    except KeyboardInterrupt:
        click.echo("awsenv: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.ERROR
    except Exception as exc:  # last-resort guard: no tracebacks for users
        if debug:
            raise
        click.echo(
            f"awsenv: internal error ({type(exc).__name__}); rerun with --debug and report it",
            err=True,
        )
        return ExitCode.ERROR
    return ExitCode.OK
