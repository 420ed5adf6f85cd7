"""Drive real interactive bash, zsh and fish with the awsenv hook installed as the README says.

Each shell gets an rc file in the test's temporary HOME (`~/.bashrc`, `~/.zshrc`,
`~/.config/fish/config.fish`) holding a counting prompt and then the install
line (`eval "$(awsenv init bash)"`, zsh alike, `awsenv init fish | source`).
The prompt prints ``__P<n>:<status>__``: ``n`` counts prompts (so a command is
done when prompt n+1 shows) and ``status`` is what the *next* prompt hook after
awsenv's sees as the last exit status (proves awsenv preserves it).

Optionally the whole shell runs under ``strace -f -e trace=execve`` so a test
can count the processes a prompt or a `cd` started.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pexpect

VENV_BIN = str(Path(sys.executable).parent)
PROMPT = re.compile(rb"__P(\d+):(\d+)__ ")

RC = {
    "bash": (".bashrc", """\
PS1='__P${_tc}:${_ts}__ '
PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}"'_ts=$?; _tc=$((_tc+1))'
eval "$(awsenv init bash)"
"""),
    "zsh": (".zshrc", """\
setopt prompt_subst
unsetopt prompt_sp
PS1='__P${_tc}:${_ts}__ '
_t_precmd() { _ts=$?; _tc=$((_tc+1)); }
precmd_functions+=(_t_precmd)
eval "$(awsenv init zsh)"
"""),
    "fish": (".config/fish/config.fish", """\
set -g fish_greeting ''
set -g _tc 0
function fish_prompt
    printf '__P%s:%s__ ' $_tc $_ts
end
function _t_count --on-event fish_prompt
    set -g _ts $status
    set -g _tc (math $_tc + 1)
end
awsenv init fish | source
"""),
}

ARGV = {"bash": ["bash", "-i"], "zsh": ["zsh", "-i"], "fish": ["fish", "-i"]}


class Shell:
    def __init__(self, kind: str, home: Path, cwd: Path, *, strace: Path | None = None,
                 env: dict[str, str] | None = None, extra_rc: str = "",
                 after_rc: str = "") -> None:
        self.kind = kind
        self.home = home
        self.strace = strace
        name, body = RC[kind]
        rc = home / name
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(extra_rc + body + after_rc)  # after_rc: lines after awsenv's install
        if kind == "fish":
            # Mark fish as initialised: its first start would otherwise spawn a
            # background man-page completion scan (noise for process counts).
            (rc.parent / "fish_variables").write_text(
                "# This file contains fish universal variable definitions.\n"
                "# VERSION: 3.0\nSETUVAR __fish_initialized:3400\n")
            data = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
            (data / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)
        self.out = home / f".shell-out-{kind}"
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("PROMPT_COMMAND", "BASH_ENV", "ENV", "ZDOTDIR", "PS1")}
        environ.update({"TERM": "dumb", "LC_ALL": "C.UTF-8",
                        "PATH": VENV_BIN + os.pathsep + environ.get("PATH", "/usr/bin:/bin")})
        environ.update(env or {})
        argv = ARGV[kind]
        if strace is not None:
            # -s: whole argv strings (strace cuts them at 32 characters by default, and
            # awsenv's command is `python -I <site-packages>/awsenv/launch.py`).
            argv = [shutil.which("strace") or "strace", "-f", "-qq", "-s", "4096",
                    "-e", "trace=execve",
                    "-o", str(strace), *argv]
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=str(cwd), env=environ, timeout=60,
                                   dimensions=(50, 400))
        self.n = 0
        self.status = 0
        self.transcript = b""
        self._wait(first=True)

    def _wait(self, first: bool = False, exactly: int | None = None) -> bytes:
        """Wait for the next prompt (``exactly``: the prompt numbered so, e.g. a child's first)."""
        collected = b""
        while True:
            self.child.expect(PROMPT)
            collected += self.child.before + self.child.after
            n = int(self.child.match.group(1))
            if exactly is not None and n != exactly:
                continue
            if first or exactly is not None or n > self.n:
                self.n = n
                self.status = int(self.child.match.group(2))
                self.transcript += collected
                return collected

    def run(self, line: str) -> str:
        """Type ``line``, wait for the next prompt; the terminal text in between."""
        self.child.sendline(line)
        return self._wait().decode("utf-8", "replace")

    def var(self, name: str) -> str | None:
        """A variable's value as the shell holds it (None = unset), through a file."""
        if self.kind == "fish":
            self.run(f"if set -q {name}; printf 'set:%s' \"${name}\" > {self.out}; "
                     f"else; printf unset > {self.out}; end")
        else:
            self.run(f"if [[ -n ${{{name}+x}} ]]; then printf 'set:%s' \"${name}\" > {self.out}; "
                     f"else printf unset > {self.out}; fi")
        text = self.out.read_text()
        return text[4:] if text.startswith("set:") else None

    def vars(self, *names: str) -> dict[str, str | None]:
        return {n: self.var(n) for n in names}

    def exported(self) -> dict[str, str]:
        """What a child process sees (`env -0`)."""
        self.run(f"command env -0 > {self.out}")
        data = self.out.read_bytes().split(b"\0")
        return dict(e.decode().split("=", 1) for e in data if b"=" in e)

    def execs(self) -> list[str]:
        """execve lines traced so far (needs strace=)."""
        assert self.strace is not None
        return [ln for ln in self.strace.read_text(errors="replace").splitlines()
                if "execve(" in ln]

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendline("exit")
            try:
                self.child.expect(pexpect.EOF, timeout=10)
            except pexpect.TIMEOUT:
                self.child.terminate(force=True)
