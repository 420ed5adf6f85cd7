"""Each completion file really completes, in real bash, zsh and fish.

bash: the file is sourced, `complete -p` shows the function, which is called with
COMP_WORDS/COMP_CWORD as readline would. zsh: an interactive `zsh -i` under a
pty autoloads `_awsenv` from $fpath (the documented install) and TAB is pressed;
a key bound to a widget writes the edited line to a file. fish: `complete -C`.
Hostile profile names must come back as data: escaped for the command line,
never run (a name that would run `touch PWNED` leaves no file).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pexpect
import pytest
from completion.conftest import COMPLETIONS, HOSTILE, PROFILES, SESSIONS

pytestmark = pytest.mark.shells

# --- bash ----------------------------------------------------------------------------

BASH_DRIVER = r"""
source "$1"
complete -p awsenv
shift
# Each argument is one command line, words separated by US (\x1f); the last word is
# the one being completed. Prints one line per candidate, then a separator.
for line in "$@"; do
  IFS=$'\x1f' read -r -a COMP_WORDS <<< "$line"
  [[ $line == *$'\x1f' ]] && COMP_WORDS+=('')
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _awsenv awsenv "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}"
  printf -- '--\n'
done
"""


def bash_complete(tmp: Path, *lines: list[str]) -> tuple[str, list[list[str]]]:
    args = ["\x1f".join(words) for words in lines]
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", BASH_DRIVER, "drv",
                          str(COMPLETIONS / "awsenv.bash"), *args],
                         cwd=tmp, capture_output=True, text=True, check=False, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    head, _, body = res.stdout.partition("\n")
    blocks = body.split("--\n")[:-1]
    return head, [[c for c in b.split("\n") if c] for b in blocks]


def unescape_bash(tmp: Path, words: list[str]) -> list[str]:
    """What bash makes of each inserted word (parsing only: `declare -a` of the words)."""
    script = "arr=(" + " ".join(words) + "); printf '%s\\0' \"${arr[@]}\""
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=tmp,
                         capture_output=True, check=True, timeout=60)
    return res.stdout.decode().split("\0")[:-1]


def test_bash(names_config: Path, tmp_path: Path) -> None:
    head, out = bash_complete(
        tmp_path,
        ["awsenv", "use", "d"],
        ["awsenv", "use", ""],
        ["awsenv", "ex"],
        ["awsenv", "export", "--format", ""],
        ["awsenv", "export", "--format", "=", "j"],
        ["awsenv", "export", "-f", "json", "p"],
        ["awsenv", "login", "--session", ""],
        ["awsenv", "login", "--profile", "pr"],
        ["awsenv", "credential-process", "--profile", "de"],
        ["awsenv", "console", "--print", "pr"],
        ["awsenv", "exec", "prod", "l"],
        ["awsenv", "init", ""],
        ["awsenv", "login", "--"],
        ["awsenv", "--debug", "sta"],
        ["awsenv", "use", "prod", ""],
        ["awsenv", "use", "dev\\ o"],
        ["awsenv", "use", "h\\$\\(t"],
    )
    assert head == "complete -F _awsenv awsenv"
    use_d, use_all, ex, formats, fmt_eq, export_p, sessions, login_pr, cp, console, exec_, \
        init, login_opts, after_global, second, escaped, escaped_hostile = out
    assert use_d == ["default", "dev", "dev\\ ops"]
    assert unescape_bash(tmp_path, use_all) == PROFILES
    assert ex == ["exec", "export"]
    assert formats == ["env", "env-no-export", "fish", "powershell", "windows-cmd", "dotenv",
                       "json"]
    assert fmt_eq == ["json"]
    assert export_p == ["prod"]
    assert unescape_bash(tmp_path, sessions) == SESSIONS
    assert login_pr == ["prod"] and console == ["prod"]
    assert cp == ["default", "dev", "dev\\ ops"]
    assert "ls" in exec_ and "prod" not in exec_  # after the profile: a command
    assert init == ["bash", "zsh", "fish", "pwsh"]
    assert login_opts == ["--session", "--profile", "--no-browser", "--use-device-code", "--help"]
    assert after_global == ["status"]
    assert second == []  # `use` takes one profile
    assert escaped == ["dev\\ ops"]
    assert unescape_bash(tmp_path, escaped_hostile) == [HOSTILE[0]]
    assert not (tmp_path / "PWNED").exists()


# --- fish ----------------------------------------------------------------------------

def fish_complete(tmp: Path, line: str, *, autoload_home: Path | None = None) -> list[str]:
    if autoload_home is None:
        argv = ["fish", "--no-config", "-c",
                f"source {COMPLETIONS / 'awsenv.fish'}; complete -C \"$T_LINE\""]
    else:  # the documented install: ~/.config/fish/completions/awsenv.fish, loaded on use
        argv = ["fish", "-c", "complete -C \"$T_LINE\""]
    res = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, check=False,
                         timeout=60, env=dict(os.environ, T_LINE=line))
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    return [c.split("\t")[0] for c in res.stdout.split("\n") if c]


def test_fish(names_config: Path, tmp_path: Path) -> None:
    assert fish_complete(tmp_path, "awsenv use d") == ["default", "dev", "dev ops"]
    assert sorted(fish_complete(tmp_path, "awsenv use ")) == sorted(PROFILES)
    assert fish_complete(tmp_path, "awsenv ex") == ["exec", "export"]
    assert fish_complete(tmp_path, "awsenv export --format j") == ["json"]
    assert fish_complete(tmp_path, "awsenv export --format=d") == ["--format=dotenv"]
    assert fish_complete(tmp_path, "awsenv export -f json p") == ["prod"]
    assert fish_complete(tmp_path, "awsenv login --session ") == SESSIONS
    assert fish_complete(tmp_path, "awsenv login --profile pr") == ["prod"]
    assert fish_complete(tmp_path, "awsenv credential-process --profile pr") == ["prod"]
    assert fish_complete(tmp_path, "awsenv init ") == ["bash", "fish", "pwsh", "zsh"]
    assert fish_complete(tmp_path, "awsenv use prod ") == []
    assert "--use-device-code" in fish_complete(tmp_path, "awsenv login --")
    assert not (tmp_path / "PWNED").exists()


def test_fish_autoloads_from_the_documented_place(names_config: Path, tmp_path: Path) -> None:
    target = Path(os.environ["XDG_CONFIG_HOME"]) / "fish" / "completions" / "awsenv.fish"
    target.parent.mkdir(parents=True)
    target.write_bytes((COMPLETIONS / "awsenv.fish").read_bytes())
    assert fish_complete(tmp_path, "awsenv use pr", autoload_home=target) == ["prod"]


# --- zsh -----------------------------------------------------------------------------

ZSHRC = """\
PS1='%% '
unsetopt prompt_sp
fpath=({fpath} $fpath)
autoload -Uz compinit
compinit -u -d {tmp}/zcompdump
_t_dump() {{
  print -r -- "${{BUFFER}}"$'\\n'"${{(Q)${{(z)BUFFER}}[-1]}}" > {tmp}/buffer.$((++_t_n))
}}
zle -N _t_dump
bindkey '^T' _t_dump
print READY
"""


class Zsh:
    """An interactive zsh with the completion autoloaded from $fpath."""

    def __init__(self, home: Path, tmp: Path) -> None:
        (home / ".zshrc").write_text(ZSHRC.format(fpath=COMPLETIONS, tmp=tmp))
        self.tmp = tmp
        self.count = 0
        env = {k: v for k, v in os.environ.items() if k not in ("ZDOTDIR", "PROMPT_COMMAND")}
        env.update(TERM="dumb", LC_ALL="C.UTF-8")
        self.child = pexpect.spawn("zsh", ["-i"], cwd=str(tmp), env=env, timeout=60,
                                   dimensions=(40, 200))
        self.child.expect("READY")

    def complete(self, typed: str) -> tuple[str, str]:
        """Type ``typed``, press TAB, dump the line; (buffer, its last word unquoted)."""
        self.count += 1
        self.child.send(typed + "\t\x14\x15")
        path = self.tmp / f"buffer.{self.count}"
        polls = 0
        while not path.exists() or not path.read_text().endswith("\n"):
            polls += 1
            try:  # read the terminal meanwhile so zsh never blocks on output
                self.child.expect(pexpect.TIMEOUT, timeout=0.05)
            except pexpect.EOF:
                raise AssertionError(self.child.before) from None
            assert polls < 1200, f"no completion for {typed!r}"
        buffer, word = path.read_text()[:-1].split("\n", 1)
        return buffer, word

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)


def test_zsh(names_config: Path, isolated_home: Path, tmp_path: Path) -> None:
    zsh = Zsh(isolated_home, tmp_path)
    try:
        assert zsh.complete("awsenv use pr") == ("awsenv use prod ", "prod")
        assert zsh.complete("awsenv use dev\\ o") == ("awsenv use dev\\ ops ", "dev ops")
        assert zsh.complete("awsenv exp") == ("awsenv export ", "export")
        assert zsh.complete("awsenv export --format js") == ("awsenv export --format json ",
                                                               "json")
        assert zsh.complete("awsenv export --format=dot") == ("awsenv export --format=dotenv ",
                                                                "--format=dotenv")
        assert zsh.complete("awsenv login --session corp\\ ")[1] == "corp two"
        assert zsh.complete("awsenv login --profile pro")[1] == "prod"
        assert zsh.complete("awsenv init fi") == ("awsenv init fish ", "fish")
        assert zsh.complete("awsenv login --use-d") == ("awsenv login --use-device-code ",
                                                         "--use-device-code")
        for name in HOSTILE:
            typed = "awsenv use " + (name[:2] if name[1].isalnum() else name[:1])
            buffer, word = zsh.complete(typed)
            assert word == name, buffer
        assert not (tmp_path / "PWNED").exists()
    finally:
        zsh.close()


def test_bash_interactive_tab_with_the_hook_installed(names_config: Path, isolated_home: Path,
                                                      tmp_path: Path) -> None:
    """The README set-up: hook and completion in ~/.bashrc; TAB calls `awsenv complete`
    through the hook's `awsenv` function."""
    dump = tmp_path / "line"
    (isolated_home / ".bashrc").write_text(
        "PS1='$ '\n"
        'eval "$(awsenv init bash)"\n'
        'eval "$(awsenv completion bash)"\n'
        f"bind -x '\"\\C-t\": printf \"%s\\n\" \"$READLINE_LINE\" >> {dump}'\n"
        "echo READY\n")
    env = {k: v for k, v in os.environ.items() if k not in ("BASH_ENV", "PROMPT_COMMAND")}
    env.update(TERM="dumb", LC_ALL="C.UTF-8")
    child = pexpect.spawn("bash", ["-i"], cwd=str(tmp_path), env=env, timeout=60,
                          dimensions=(40, 200))
    try:
        child.expect("READY")
        expected = ["awsenv use prod ", "awsenv export --format json ",
                    "awsenv login --session corp\\ two "]
        for typed in ("awsenv use pr", "awsenv export --format js",
                      "awsenv login --session corp\\ "):
            child.send(typed + "\t\x14\x15")
        polls = 0
        while not dump.exists() or len(dump.read_text().splitlines()) < len(expected):
            polls += 1
            child.expect(pexpect.TIMEOUT, timeout=0.05)
            assert polls < 1200, dump.read_text() if dump.exists() else "nothing dumped"
        assert dump.read_text().splitlines() == expected
    finally:
        child.sendline("exit")
        child.expect(pexpect.EOF)
