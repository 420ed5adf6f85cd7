"""The committed completion files are what the commands generate, and safe to load."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import tree_sitter
import tree_sitter_powershell
from completion.conftest import COMPLETIONS, REPO

from awsenv.cli import app
from awsenv.cli.completion_spec import FILES, SHELLS, build, render
from awsenv.shells.exports import FORMATS
from awsenv.shells.hook import SHELLS as HOOK_SHELLS

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def generator():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", COMPLETIONS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_up_to_date() -> None:
    """Fails after a command, option or choice changed: run `make completions`."""
    outputs = generator().outputs()
    assert sorted(p.name for p in outputs) == sorted(FILES.values())
    stale = [p.name for p, data in outputs.items() if not p.exists() or p.read_bytes() != data]
    assert stale == [], "stale completion files: run `make completions`"


def test_generate_script_writes_the_files(tmp_path: Path) -> None:
    """The script itself, run from a copy so the checkout is never rewritten by a test."""
    copy = tmp_path / "completions"
    copy.mkdir()
    shutil.copy(COMPLETIONS / "generate.py", copy / "generate.py")
    res = subprocess.run([sys.executable, str(copy / "generate.py")], cwd=tmp_path,
                         capture_output=True, text=True, check=False, timeout=120)
    assert res.returncode == 0, res.stderr
    assert sorted(res.stdout.splitlines()) == sorted(f"wrote completions/{n}"
                                                     for n in FILES.values())
    for name in FILES.values():
        assert (copy / name).read_bytes() == (COMPLETIONS / name).read_bytes(), name


@pytest.mark.parametrize("shell", SHELLS)
def test_cli_prints_the_committed_file(shell: str) -> None:
    res = subprocess.run([sys.executable, "-m", "awsenv", "completion", shell],
                         capture_output=True, check=False, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout == (COMPLETIONS / FILES[shell]).read_bytes()


def test_unknown_shell_is_a_usage_error() -> None:
    res = subprocess.run([sys.executable, "-m", "awsenv", "completion", "tcsh"],
                         capture_output=True, text=True, check=False, timeout=60)
    assert res.returncode == 2
    assert "tcsh" in res.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_each_file_says_where_it_goes(shell: str) -> None:
    head = (COMPLETIONS / FILES[shell]).read_text(encoding="utf-8").split("\n")[:8]
    assert any("Where it goes" in line for line in head)
    assert any(f"awsenv completion {shell}" in line for line in head)
    if shell == "zsh":
        assert head[0] == "#compdef awsenv"  # compinit reads the first line


def test_spec_walks_every_visible_command() -> None:
    spec = build()
    names = [c.name for c in spec.commands]
    group = app.cli
    ctx = click.Context(group)
    visible = [n for n in group.list_commands(ctx) if not group.get_command(ctx, n).hidden]
    assert names == visible
    assert "hook" not in names and "completion" in names
    by_name = {c.name: c for c in spec.commands}
    export = by_name["export"]
    (fmt,) = [o for o in export.options if "--format" in o.names]
    assert fmt.names == ("-f", "--format")
    assert fmt.value.kind == "choice" and fmt.value.choices == FORMATS
    assert by_name["init"].slots[0].choices == HOOK_SHELLS
    for name in ("use", "export", "exec", "console"):  # also account ids and names
        assert by_name[name].slots[0].kind == "targets", name
    login = {o.names[-1]: o.value.kind for o in by_name["login"].options}
    assert login["--profile"] == "profiles" and login["--session"] == "sessions"
    assert login["--no-browser"] == "none"
    cp = {o.names[-1]: o.value.kind for o in by_name["credential-process"].options}
    assert cp["--profile"] == "profiles"
    exec_ = by_name["exec"]
    assert [v.kind for v in exec_.slots] == ["targets", "command"]
    assert exec_.rest is not None and exec_.rest.kind == "file"
    # Hidden options stay hidden.
    use_opts = {n for o in by_name["use"].options for n in o.names}
    assert "--emit" not in use_opts and "--mode" in use_opts


def _toy(help_text: str, choices: tuple[str, ...] = ("a", "b")) -> click.Group:
    @click.group()
    def grp() -> None:
        """Toy."""

    @grp.command(help=help_text)
    @click.option("--pick", type=click.Choice(choices), help=help_text)
    @click.option("--profile", help=help_text)
    def cmd(pick: str, profile: str) -> None:
        """unused"""

    return grp


def test_refuses_words_it_could_not_paste_safely() -> None:
    with pytest.raises(ValueError):
        build(_toy("x", choices=("ok", "not ok")))


HOSTILE_HELP = "It's `x` $(touch PWNED) ]bracket[ \"q\" \\ back; semi 名前"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_hostile_help_text_stays_text(shell: str, tmp_path: Path) -> None:
    """Descriptions go through each shell's quoter: loading the script runs nothing."""
    text = render(shell, build(_toy(HOSTILE_HELP)))
    assert ("PWNED" in text) == (shell != "bash")  # bash shows no descriptions
    script = tmp_path / "c"
    script.write_text(text, encoding="utf-8")
    argv = {"bash": ["bash", "--norc", "--noprofile", "-c", f"source {script}; complete -p awsenv"],
            "zsh": ["zsh", "-f", "-c",
                    f"autoload -Uz compinit; compinit -u -d {tmp_path}/zc; source {script}; "
                    "print -r -- $_comps[awsenv]"],
            "fish": ["fish", "--no-config", "-c", f"source {script}; complete -C 'awsenv cmd --'"]}
    res = subprocess.run(argv[shell], cwd=tmp_path, capture_output=True, text=True,
                         check=False, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert not (tmp_path / "PWNED").exists()
    if shell == "fish":
        assert "--pick\tIt's `x` $(touch PWNED) ]bracket[" in res.stdout
    else:
        assert "_awsenv" in res.stdout


def _errors(source: bytes) -> list[str]:
    tree = PARSER.parse(source)
    found: list[str] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "ERROR" or node.is_missing:
            found.append(f"{node.type} at {node.start_point}: "
                         f"{source[node.start_byte:node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return found


def test_powershell_file_parses_cleanly() -> None:
    source = (COMPLETIONS / FILES["pwsh"]).read_bytes()
    assert _errors(source) == []
    assert b"Register-ArgumentCompleter -Native -CommandName awsenv -ScriptBlock {" in source
    # The grammar does catch a broken script (the check above can fail).
    assert _errors(source.replace(b"'allow 0' = 'dir'", b"'allow 0 = 'dir'", 1)) != []
    assert _errors(source.rstrip(b"}\n")) != []


def test_powershell_hostile_help_parses_and_stays_in_strings() -> None:
    source = render("pwsh", build(_toy(HOSTILE_HELP))).encode("utf-8")
    assert _errors(source) == []
    tree = PARSER.parse(source)
    # The help text only ever appears inside verbatim (single-quoted) strings.
    strings: list[bytes] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "verbatim_string_characters":
            strings.append(source[node.start_byte:node.end_byte])
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    assert any(b"$(touch PWNED)" in s for s in strings)
    assert source.count(b"$(touch PWNED)") == sum(s.count(b"$(touch PWNED)") for s in strings)


def test_makefile_target_runs_the_generator() -> None:
    assert "$(PY) completions/generate.py" in (REPO / "Makefile").read_text()


def test_powershell_hashtables_have_unique_keys() -> None:
    """A repeated key in a hashtable literal is a runtime error in PowerShell (keys ignore case)."""
    import re

    text = (COMPLETIONS / FILES["pwsh"]).read_text(encoding="utf-8")
    tables = re.findall(r"\$(\w+) = (?:\[ordered\])?@\{\n(.*?)\n    \}", text, re.S)
    assert sorted(name for name, _ in tables) == ["commands", "kinds", "options"]
    for name, body in tables:
        keys = re.findall(r"^        '((?:[^']|'')*)' = ", body, re.M)
        assert keys, name
        lowered = [k.lower() for k in keys]
        assert len(lowered) == len(set(lowered)), name
    kinds = dict(re.findall(r"^        '([^']*)' = '([^']*)'$", dict(tables)["kinds"], re.M))
    assert kinds["use 0"] == "targets" and kinds["login --session"] == "sessions"
    assert kinds["export --format"] == "choice" and kinds["exec *"] == "file"
