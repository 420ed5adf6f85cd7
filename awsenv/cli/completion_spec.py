"""What shell completion knows about the CLI, read from the click commands themselves.

The completion scripts are static files rendered from ``shell/completion/<shell>.j2``
with this data, so they can never drift from the commands: `completions/generate.py`
writes them into the repository, `awsenv completion SHELL` renders the same bytes
at run time, and a test compares the two. Names from the user's config (profiles,
sessions) are not known here: the scripts fetch them with the fast, stdlib-only
``awsenv complete profiles|sessions|targets``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import click

# How a value completes: nothing (a flag), fixed choices, names from the AWS config,
# paths, a command name, or anything (no suggestions).
Kind = Literal["none", "choice", "profiles", "sessions", "targets", "file", "dir", "command",
               "any"]

SHELLS = ("bash", "zsh", "fish", "pwsh")
# Output file name per shell, in completions/ (what each shell's loader expects).
FILES = {"bash": "awsenv.bash", "zsh": "_awsenv", "fish": "awsenv.fish", "pwsh": "awsenv.ps1"}

# Words are pasted into scripts inside quotes, but also into zsh _arguments specs and
# bash/fish case patterns: only plain tokens get there.
_OPTION = re.compile(r"-{1,2}[A-Za-z0-9][A-Za-z0-9-]*")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Value:
    """What one option value or positional slot completes to."""

    kind: Kind
    label: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]  # long and short spellings
    help: str
    value: Value  # kind "none" for flags

    @property
    def takes_value(self) -> bool:
        return self.value.kind != "none"


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    # Fixed positional slots in order, then what any further word is (None: nothing).
    slots: tuple[Value, ...]
    rest: Value | None

    @property
    def value_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.takes_value)


@dataclass(frozen=True)
class Spec:
    options: tuple[Option, ...]  # before the subcommand
    commands: tuple[Command, ...]


def _one_line(text: str | None, limit: int = 72) -> str:
    """The first sentence, on one line: descriptions are hints, not documentation."""
    if not text:
        return ""
    para = " ".join(text.replace("\b", "").split("\n\n")[0].split())
    depth, end = 0, len(para)
    for i, ch in enumerate(para):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth <= 0 and ch in ".;" and (i + 1 == len(para) or para[i + 1] == " ") \
                and not para[: i + 1].endswith(("e.g.", "i.e.")):
            end = i
            break
    first = para[:end].strip()
    if len(first) > limit:
        first = first[: limit - 1].rstrip() + "…"
    return first


def _value(param: click.Parameter) -> Value:
    label = (param.name or "value").replace("_", "-")
    ptype = param.type
    if isinstance(param, click.Option) and (param.is_flag or param.count):
        return Value("none")
    if isinstance(ptype, click.Choice):
        choices = tuple(str(c) for c in ptype.choices)
        for choice in choices:
            if not _WORD.fullmatch(choice):
                raise ValueError(f"choice {choice!r} of {param.name} is not a plain word")
        return Value("choice", label, choices)
    names = set(getattr(param, "opts", ())) | {param.name or ""}
    if names & {"profile", "--profile"}:
        # A PROFILE argument (use/exec/export/console) also takes account ids and names.
        return Value("targets" if isinstance(param, click.Argument) else "profiles", "profile")
    if names & {"session", "session_name", "--session"}:
        return Value("sessions", "session")
    if param.name == "directory":
        return Value("dir", "directory")
    if isinstance(ptype, click.Path):
        return Value("dir" if ptype.dir_okay and not ptype.file_okay else "file", label)
    if param.name == "command" and ptype is click.UNPROCESSED:
        return Value("command", "command")
    return Value("any", label)


def _option(param: click.Option) -> Option:
    names = tuple(sorted(param.opts + param.secondary_opts, key=lambda n: (n.startswith("--"), n)))
    for name in names:
        if not _OPTION.fullmatch(name):
            raise ValueError(f"option {name!r} cannot be completed")
    return Option(names, _one_line(param.help), _value(param))


def _command(name: str, cmd: click.Command, parent: click.Context) -> Command:
    if not _WORD.fullmatch(name):
        raise ValueError(f"command {name!r} cannot be completed")
    ctx = click.Context(cmd, info_name=name, parent=parent, **cmd.context_settings)
    options: list[Option] = []
    slots: list[Value] = []
    rest: Value | None = None
    for param in cmd.get_params(ctx):
        if isinstance(param, click.Option):
            if not param.hidden:
                options.append(_option(param))
        elif isinstance(param, click.Argument) and rest is None:
            value = _value(param)
            if param.nargs == -1:
                if value.kind == "command":  # a command line: its name, then its arguments
                    slots.append(value)
                    rest = Value("file", "argument")
                else:
                    rest = value
            else:
                slots.extend([value] * param.nargs)
    help_text = cmd.short_help or _one_line(cmd.help)
    return Command(name, _one_line(help_text), tuple(options), tuple(slots), rest)


def build(group: click.Group | None = None) -> Spec:
    """Walk the app: every visible subcommand with its options, choices and arguments."""
    if group is None:
        from awsenv.cli.app import cli as group
    ctx = click.Context(group, info_name="awsenv", **group.context_settings)
    commands = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        commands.append(_command(name, cmd, ctx))
    options = tuple(_option(p) for p in group.get_params(ctx)
                    if isinstance(p, click.Option) and not p.hidden)
    return Spec(options, tuple(commands))


def render(shell: str, spec: Spec | None = None) -> str:
    """The completion script for ``shell``: the same bytes as ``completions/<file>``."""
    if shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}; expected one of {', '.join(SHELLS)}")
    from awsenv.shells import templates

    return templates.render(f"completion/{shell}.j2", spec=spec or build(),
                            zdesc=zsh_description, file=FILES[shell])


def zsh_description(text: str) -> str:
    """Text for the ``[explanation]`` of a zsh ``_arguments`` spec, which ends at ``]``."""
    return re.sub(r"([\\\]])", r"\\\1", text)
