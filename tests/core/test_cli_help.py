"""The help people read: whole command summaries, the same value names, `awsenv help`.

The top-level `--help` used to cut summaries at the terminal width ("Check the
set-up (config, sign-in, keyring, shell..."), and `use --help` showed
`--region TEXT` where every other command shows `REGION`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from awsenv.cli.app import cli

AWSENV = str(Path(sys.executable).parent / "awsenv")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AWSENV, *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "80", "HOME": "/nonexistent"})


def summaries(text: str) -> dict[str, str]:
    """Command name -> its summary, wrapped lines joined, from the Commands section."""
    rows: dict[str, str] = {}
    name = ""
    for line in text.split("Commands:\n", 1)[1].splitlines():
        m = re.match(r"^  (\S+)\s+(.*)$", line)
        if m:
            name = m.group(1)
            rows[name] = m.group(2).strip()
        elif name and line.strip():
            rows[name] += " " + line.strip()
    return rows


def test_top_level_help_shows_each_summary_whole() -> None:
    r = run("--help")
    assert r.returncode == 0, r.stderr
    rows = summaries(r.stdout)
    ctx = click.Context(cli, info_name="awsenv")
    visible = [n for n in cli.list_commands(ctx) if not cli.get_command(ctx, n).hidden]
    assert sorted(rows) == sorted(visible) and "help" in rows
    for name, shown in rows.items():
        assert not shown.endswith("..."), (name, shown)
        assert shown.endswith((".", ")", "`")), (name, shown)
    assert rows["doctor"] == ("Check the set-up (config, sign-in, keyring, shell hook, PATH, "
                              "clock, token cache).")


def test_value_names_are_words_not_types() -> None:
    ctx = click.Context(cli, info_name="awsenv")
    for name in cli.list_commands(ctx):
        if name == "emulator" or cli.get_command(ctx, name).hidden:  # test tool, internals
            continue
        r = run(name, "--help")
        assert r.returncode == 0, (name, r.stderr)
        assert not re.search(r"--\S+ TEXT\b", r.stdout), (name, r.stdout)
    assert "--region REGION" in run("use", "--help").stdout


def test_help_command_is_the_commands_help() -> None:
    assert run("help", "sync").stdout == run("sync", "--help").stdout
    assert run("help").stdout == run("--help").stdout
    r = run("help", "snyc")
    assert r.returncode == 2
    assert r.stderr == ("awsenv: no command 'snyc'; did you mean `awsenv help sync`? "
                        "(`awsenv help` lists the commands)\n")
