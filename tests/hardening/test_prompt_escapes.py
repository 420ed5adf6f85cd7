"""`awsenv_prompt` never sends a control character from AWSENV_PROFILE to the terminal.

A profile named in your own AWS config (or a value someone exported) can
carry ESC/OSC sequences, BEL, CR, newlines, DEL or C1 controls: printed raw
in every prompt they retitle, clear or rewrite the terminal. The prompt
segment shows each as `?`, in pure shell (the strace process-count guards in
tests/shell still hold), and prints an ordinary name unchanged. bash, zsh and
fish run for real; PowerShell is checked with its grammar.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from support import shells

from awsenv.paths import awsenv_command

CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
SEP = "<<SEP>>"
AWSENV = awsenv_command()
HOSTILE = "ev\x1b]0;pwned\x07\x1b[2J\r\nx\x7f\u009b31my\x08\t"
NORMAL = "dev-1_ok.prod@team/dév✓"

SCRIPTS = {
    "bash": 'eval "$(cat "$INIT")"\n'
            'awsenv_prompt; printf "$SEP"\n'
            'AWSENV_EXPIRES=$((EPOCHSECONDS + 4000)) awsenv_prompt; printf "$SEP"\n'
            'AWSENV_EXPIRES=$((EPOCHSECONDS + 300)) awsenv_prompt; printf "$SEP"\n'
            'AWSENV_EXPIRES=1 awsenv_prompt -v seg; printf "%s" "$seg"\n',
    "zsh": 'eval "$(cat "$INIT")"\n'
           'awsenv_prompt; printf "$SEP"\n'
           'AWSENV_EXPIRES=$((EPOCHSECONDS + 4000)) awsenv_prompt; printf "$SEP"\n'
           'AWSENV_EXPIRES=$((EPOCHSECONDS + 300)) awsenv_prompt; printf "$SEP"\n'
           'AWSENV_EXPIRES=1 awsenv_prompt -v seg; printf "%s" "$seg"\n',
    "fish": 'source $INIT\n'
            'awsenv_prompt; printf "%s" $SEP\n'
            'AWSENV_EXPIRES=(math (date +%s) + 4000) awsenv_prompt; printf "%s" $SEP\n'
            'AWSENV_EXPIRES=(math (date +%s) + 300) awsenv_prompt; printf "%s" $SEP\n'
            'AWSENV_EXPIRES=1 awsenv_prompt\n',
}


def init_script(shell: str, tmp_path: Path) -> Path:
    out = tmp_path / f"init.{shell}"
    proc = subprocess.run([*AWSENV, "init", shell], capture_output=True, timeout=60,
                          check=True)
    out.write_bytes(proc.stdout)
    return out


def segments(shell: str, tmp_path: Path, profile: str) -> list[str]:
    res = shells.run(shell, SCRIPTS[shell], env={
        "INIT": str(init_script(shell, tmp_path)), "SEP": SEP, "AWSENV_PROFILE": profile,
        "AWSENV_EXPIRES": None})
    assert res.returncode == 0 and res.stderr == b"", res.stderr
    parts = res.stdout.decode("utf-8").split(SEP)
    assert len(parts) == 4, parts
    return parts


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_hostile_profile_name_reaches_the_prompt_without_controls(shell: str,
                                                                  tmp_path: Path) -> None:
    assert shells.available(shell)
    parts = segments(shell, tmp_path, HOSTILE)
    shown = CONTROLS.sub("?", HOSTILE)
    assert parts[0] == shown, parts  # one `?` per control character, the rest kept
    for part in parts:
        assert not CONTROLS.search(part), ascii(part)
        assert part.startswith(shown)
    assert re.fullmatch(re.escape(shown) + r" 1h0[56]m", parts[1]), parts
    assert re.fullmatch(re.escape(shown) + r" ![45]m", parts[2]), parts
    assert parts[3] == f"{shown} ✗"


@pytest.mark.parametrize("shell", sorted(SCRIPTS))
def test_normal_profile_name_prints_unchanged(shell: str, tmp_path: Path) -> None:
    parts = segments(shell, tmp_path, NORMAL)
    assert parts[0] == NORMAL
    assert re.fullmatch(re.escape(NORMAL) + r" 1h0[56]m", parts[1]), parts
    assert parts[3] == f"{NORMAL} ✗"


# -- PowerShell: the grammar, and what the functions say ---------------------------------

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def pwsh_functions() -> dict[str, str]:
    src = subprocess.run([*AWSENV, "init", "pwsh"], capture_output=True, timeout=60,
                         check=True).stdout
    tree = PARSER.parse(src)
    assert not tree.root_node.has_error
    found: dict[str, str] = {}
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "function_statement":
            name = next(c for c in node.children if c.type == "function_name")
            found[(name.text or b"").decode().removeprefix("global:")] = (
                node.text or b"").decode()
        stack.extend(node.children)
    return found


def test_pwsh_prompt_replaces_control_characters() -> None:
    body = pwsh_functions()["awsenv_prompt"]
    # The one read of the variable goes through the .NET class of control characters
    # (\p{Cc}: U+0000-U+001F, U+007F-U+009F); every output uses that value.
    assert body.count("$env:AWSENV_PROFILE") == 1
    assert "$p = $env:AWSENV_PROFILE -replace '\\p{Cc}', '?'" in body


def test_pwsh_tells_doctor_the_hook_is_installed() -> None:
    """Like bash/zsh/fish: only `awsenv doctor` gets AWSENV_HOOK_SHELL/_PROTOCOL, restored after."""
    body = pwsh_functions()["awsenv"]
    branch = body[body.index("'doctor'"):]
    assert "$env:AWSENV_HOOK_SHELL = 'pwsh'" in branch
    assert "$env:AWSENV_HOOK_PROTOCOL = $global:_AWSENV_PROTOCOL" in branch
    assert "finally" in branch and "$env:AWSENV_HOOK_SHELL = $oldShell" in branch
    assert body.count("AWSENV_HOOK_SHELL = 'pwsh'") == 1


def test_bash_wrapper_tells_doctor_the_hook_is_installed(tmp_path: Path) -> None:
    """The check the pwsh branch mirrors, run for real in bash: doctor sees the hook."""
    res = shells.run("bash", 'eval "$(cat "$INIT")"; awsenv doctor', env={
        "INIT": str(init_script("bash", tmp_path))}, timeout=120)
    out = (res.stdout + res.stderr).decode()
    assert "installed in bash" in out, out
