"""Run snippets in real, non-interactive shells and read variables back byte for byte.

Reusable by any test that drives bash, zsh, fish or dash (hooks, exports):

    from support import shells

    res = shells.run_and_read("zsh", 'eval "$(cat out.sh)"', ["AWS_REGION", "AWS_PROFILE"])
    assert res.vars == {"AWS_REGION": b"eu-west-1", "AWS_PROFILE": None}   # None = unset
    assert res.returncode == 0 and res.stderr == b""

- Shells start without user config: ``bash --norc --noprofile``, ``zsh -f``,
  ``fish --no-config``, ``dash``. The environment is the test's (already isolated
  by the autouse fixture in conftest.py) minus start-up hooks (BASH_ENV, ENV,
  ZDOTDIR, PROMPT_COMMAND), with ``LC_ALL=C.UTF-8``; ``env=`` overrides entries
  (a ``None`` value removes one).
- Variables are written NUL-separated to a private file, not stdout, so the
  snippet's own output stays in ``res.stdout`` untouched.
- ``exported=True`` reads the variables from a child process (``env -0``), i.e.
  what programs started from that shell would see, instead of the shell's own
  view; use it to prove something was *exported*, not just set.
- One process per call: batch many assignments into one snippet to stay fast.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

ARGV: dict[str, list[str]] = {
    "bash": ["bash", "--norc", "--noprofile", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "fish": ["fish", "--no-config", "-c"],
    "sh": ["dash", "-c"],
}
# Variables that make a shell run code at start-up or before a prompt.
_STARTUP = ("BASH_ENV", "ENV", "ZDOTDIR", "PROMPT_COMMAND", "PS4")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class ShellResult:
    returncode: int
    stdout: bytes
    stderr: bytes
    # name -> value bytes, or None when unset (or not exported, with exported=True).
    vars: dict[str, bytes | None] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A variable decoded the way Python decodes the environment (surrogateescape)."""
        raw = self.vars[name]
        return None if raw is None else raw.decode("utf-8", "surrogateescape")


def available(shell: str) -> bool:
    return shell in ARGV and shutil.which(ARGV[shell][0]) is not None


def shell_env(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment a test shell starts with (see the module docstring)."""
    out = {k: v for k, v in os.environ.items() if k not in _STARTUP}
    out["LC_ALL"] = "C.UTF-8"
    for key, value in (env or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _reader(shell: str, names: Sequence[str], exported: bool) -> str:
    """Shell code that writes `set`/`unset` + value per name, NUL-separated, to $_SHELLS_OUT."""
    for name in names:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a variable name: {name!r}")
    if exported:
        # `command env` is an external process: it sees only what is exported.
        target = "$_SHELLS_OUT" if shell == "fish" else '"$_SHELLS_OUT"'
        return f"command env -0 > {target}"
    parts = []
    for name in names:
        if shell == "fish":
            parts.append(
                f"if set -q {name}; printf 'set\\0%s\\0' \"${name}\"; "
                "else; printf 'unset\\0\\0'; end"
            )
        else:
            parts.append(
                f'if [ -n "${{{name}+x}}" ]; then printf \'set\\0%s\\0\' "${name}"; '
                "else printf 'unset\\0\\0'; fi"
            )
    body = "; ".join(parts) if parts else "true"
    if shell == "fish":
        return f"begin; {body}; end > $_SHELLS_OUT"
    return f'{{ {body}; }} > "$_SHELLS_OUT"'


def run(shell: str, script: str | bytes, *, env: Mapping[str, str | None] | None = None,
        cwd: str | os.PathLike[str] | None = None, timeout: float = 60) -> ShellResult:
    """Run ``script`` with ``shell -c``; no variables read back."""
    return run_and_read(shell, script, (), env=env, cwd=cwd, timeout=timeout)


def run_and_read(shell: str, script: str | bytes, names: Sequence[str], *,
                 env: Mapping[str, str | None] | None = None, exported: bool = False,
                 cwd: str | os.PathLike[str] | None = None, timeout: float = 60) -> ShellResult:
    """Run ``script``, then read ``names`` as the shell (or, exported, its children) sees them.

    The reader runs after the script in the same process, so the script must
    not ``exit``; its exit status is ``returncode`` only when the reader ran.
    ``str`` scripts are encoded UTF-8 with surrogateescape (raw bytes survive).
    """
    if shell not in ARGV:
        raise ValueError(f"unknown shell {shell!r}")
    raw = script.encode("utf-8", "surrogateescape") if isinstance(script, str) else script
    fd, out_path = tempfile.mkstemp(prefix="shells-", suffix=".out")
    os.close(fd)
    try:
        full = raw + b"\n" + _reader(shell, names, exported).encode() + b"\n"
        environ = shell_env(env)
        environ["_SHELLS_OUT"] = out_path
        # Arguments cannot hold NUL: a script that does is a test bug.
        proc = subprocess.run([*ARGV[shell], full], env=environ, cwd=cwd, capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)
        with open(out_path, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(out_path)
    result = ShellResult(proc.returncode, proc.stdout, proc.stderr)
    if exported:
        seen = dict(e.split(b"=", 1) for e in data.split(b"\0") if b"=" in e)
        result.vars = {n: seen.get(n.encode()) for n in names}
    elif names:
        fields = data.split(b"\0")
        if len(fields) != 2 * len(names) + 1:
            raise AssertionError(
                f"{shell} did not run the reader (rc={proc.returncode}): {proc.stderr[-2000:]!r}")
        result.vars = {n: (fields[2 * i + 1] if fields[2 * i] == b"set" else None)
                       for i, n in enumerate(names)}
    return result
