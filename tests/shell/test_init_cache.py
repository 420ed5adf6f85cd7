"""`awsenv init SHELL` from its cached rendering: same text, no click or jinja2, never stale."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.world import traced as importtime

from awsenv.paths import awsenv_command
from awsenv.shells import initcache
from awsenv.shells.init import render_init

AWSENV = awsenv_command()
SHELLS = ("bash", "zsh", "fish", "pwsh")


def init(shell: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(importtime([*AWSENV, "init", shell], extra), capture_output=True,
                          text=True, env={**os.environ, **extra}, check=False)


def modules(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def cache_path(shell: str) -> Path:
    return Path(initcache.cache_file(shell))


@pytest.mark.parametrize("shell", SHELLS)
def test_second_init_is_the_same_script_without_click_or_jinja2(shell: str) -> None:
    first = init(shell, PYTHONPROFILEIMPORTTIME="1")
    assert first.returncode == 0, first.stderr
    assert {"click", "jinja2"} <= modules(first.stderr)
    assert first.stdout == render_init(shell)
    second = init(shell, PYTHONPROFILEIMPORTTIME="1")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    loaded = modules(second.stderr)
    assert not {"click", "jinja2", "awsenv.shells.templates"} & loaded
    assert "awsenv.shells.initcache" in loaded
    assert cache_path(shell).stat().st_mode & 0o777 == 0o600
    assert cache_path(shell).parent.stat().st_mode & 0o777 == 0o700


def test_a_cache_for_another_command_is_rendered_again() -> None:
    """A moved or upgraded install bakes a different command: the old copy must not be served."""
    initcache.store("bash", "echo stale\n", ["/old/venv/bin/awsenv"])
    assert initcache.load("bash") is None
    result = init("bash", PYTHONPROFILEIMPORTTIME="1")
    assert result.stdout == render_init("bash")
    assert "jinja2" in modules(result.stderr)
    assert initcache.load("bash") == result.stdout  # and the fresh copy replaced it


def test_a_changed_template_is_rendered_again(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """The key holds the template's stat, so an edited checkout never serves the old hook."""
    from awsenv import locations

    copy = tmp_path / "shell"
    (copy / "init").mkdir(parents=True)
    template = copy / "init" / "bash.j2"
    template.write_text("# v1\n")
    monkeypatch.setattr(locations, "template_dir", lambda: str(copy))
    initcache.store("bash", "# v1 rendered\n", awsenv_command())
    assert initcache.load("bash") == "# v1 rendered\n"
    template.write_text("# v2, longer\n")
    assert initcache.load("bash") is None


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_cache_others_can_write_is_never_evaluated(mode: int) -> None:
    """Anyone who could write the file could run code in every new shell: re-render instead."""
    assert init("bash").returncode == 0
    path = cache_path("bash")
    header, _, _ = path.read_text().partition("\n")
    path.write_text(f"{header}\necho pwned\n")
    path.chmod(mode)
    result = init("bash")
    assert result.returncode == 0
    assert "pwned" not in result.stdout
    assert result.stdout == render_init("bash")


def test_a_symlinked_cache_is_not_followed(tmp_path: Path) -> None:
    assert init("bash").returncode == 0
    path = cache_path("bash")
    header, _, _ = path.read_text().partition("\n")
    target = tmp_path / "elsewhere.sh"
    target.write_text(f"{header}\necho pwned\n")
    target.chmod(0o600)
    path.unlink()
    path.symlink_to(target)
    result = init("bash")
    assert "pwned" not in result.stdout
    assert result.stdout == render_init("bash")


def test_an_unknown_shell_still_gets_clicks_error() -> None:
    result = init("fsh")
    assert result.returncode == 2
    assert "'fsh' is not one of" in result.stderr
    assert not cache_path("fsh").exists()


# ---- rc files that source the cached copy directly (no interpreter start) ----

# The rc lines exactly as the README gives them (a test below holds the README to them):
# the cached copy is sourced only when it is ours, no symlink, in a directory of ours.
RC_LINES = {
    "bash": 'f=${XDG_CACHE_HOME:-$HOME/.cache}/awsenv/init/bash.sh; if [[ -O $f && ! -L $f && '
            '-O ${f%/*} ]]; then source "$f"; else eval "$(awsenv init bash)"; fi',
    "fish": "set -l f (set -q XDG_CACHE_HOME; and echo $XDG_CACHE_HOME; or echo $HOME/.cache)"
            "/awsenv/init/fish.sh; if test -O $f -a ! -L $f -a -O (string replace -r "
            "'/[^/]*$' '' -- $f); source $f; else; awsenv init fish | source; end",
}
RC_LINES["zsh"] = RC_LINES["bash"].replace("bash", "zsh")
DIRECT = {
    "bash": ["bash", "--norc", "--noprofile", "-c",
             RC_LINES["bash"] + "; type -t _awsenv_hook", "-"],
    "zsh": ["zsh", "-f", "-c", RC_LINES["zsh"] + "; whence -w _awsenv_hook", "-"],
    "fish": ["fish", "--no-config", "-c",
             RC_LINES["fish"] + "; functions -q _awsenv_hook; and echo _awsenv_hook: function",
             "--"],
}


def test_the_readme_gives_these_rc_lines() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert RC_LINES["bash"] in readme and RC_LINES["fish"] in readme


def traced(argv: list[str], log: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``argv`` under strace; the programs it executed, in order."""
    env = {**os.environ, "PATH": f"{Path(AWSENV[0]).parent}:{os.environ['PATH']}"}
    result = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(log), *argv],
                            capture_output=True, text=True, env=env, check=False)
    programs = [line.split('execve("', 1)[1].split('"', 1)[0]
                for line in log.read_text().splitlines() if 'execve("' in line]
    return result, programs


@pytest.mark.parametrize("shell", list(DIRECT))
def test_sourcing_a_current_copy_starts_no_process(shell: str, tmp_path: Path) -> None:
    assert init(shell).returncode == 0
    result, programs = traced(DIRECT[shell], tmp_path / "trace")
    assert result.returncode == 0, result.stderr
    assert "function" in result.stdout.split()[-1]
    assert len(programs) == 1, programs  # the shell itself, nothing else


@pytest.mark.parametrize("shell", list(DIRECT))
def test_sourcing_an_outdated_copy_renders_again(shell: str, tmp_path: Path) -> None:
    """Older than awsenv or a template (an upgrade, an edited checkout): awsenv renders anew."""
    assert init(shell).returncode == 0
    path = cache_path(shell)
    # What an upgrade leaves: a copy keyed to the old files, older than the new ones.
    _header, _, rest = path.read_text().partition("\n")
    path.write_text("# awsenv init cache 0000\n" + rest.replace(
        "# awsenv init script\n", "# awsenv init script\necho stale-copy\n"))
    os.utime(path, (1_000_000, 1_000_000))  # 1970: every dependency is newer
    result, programs = traced(DIRECT[shell], tmp_path / "trace")
    assert result.returncode == 0, result.stderr
    assert "function" in result.stdout.split()[-1]
    assert "stale-copy" not in result.stdout + result.stderr
    assert any(p.endswith(("awsenv", "python", "python3")) or "python" in p
               for p in programs[1:]), programs
    assert "stale-copy" not in path.read_text()  # rewritten by that render
    assert path.stat().st_mtime > 1_000_000


@pytest.mark.parametrize("shell", list(DIRECT))
def test_without_a_copy_the_rc_line_falls_back_to_awsenv_init(shell: str,
                                                               tmp_path: Path) -> None:
    assert not cache_path(shell).exists()
    result, _ = traced(DIRECT[shell], tmp_path / "trace")
    assert result.returncode == 0, result.stderr
    assert "function" in result.stdout.split()[-1]
    assert cache_path(shell).is_file()  # the next shell sources it


def test_the_served_script_never_contains_the_prologue() -> None:
    """`eval "$(awsenv init bash)"` must get the script only: the prologue's `return`
    and BASH_SOURCE make sense only when the file itself is sourced."""
    assert init("bash").returncode == 0
    served = init("bash").stdout
    assert served == render_init("bash")
    assert "BASH_SOURCE[0]} ||" not in served
    assert "BASH_SOURCE[0]} ||" in cache_path("bash").read_text()


@pytest.mark.parametrize("shell", list(DIRECT))
@pytest.mark.parametrize("plant", ["foreign-file", "symlink", "foreign-dir"])
def test_the_rc_line_never_sources_a_planted_copy(shell: str, plant: str, other_user: Any,
                                                  tmp_path: Path) -> None:
    """The ownership test inside the cached file runs only after the file does: the rc line
    must refuse another user's copy (or a link to one) before sourcing a byte of it."""
    assert init(shell).returncode == 0
    path = cache_path(shell)
    evil = tmp_path / "evil.sh"
    evil.write_text("echo PLANTED-COPY-RAN\n")
    evil.chmod(0o755)
    if plant == "foreign-file":
        path.write_text(evil.read_text())
        os.chown(path, other_user.uid, other_user.gid)
    elif plant == "symlink":
        path.unlink()
        other_user.plant_symlink(path, evil)  # the link is theirs; the target is ours
    else:
        os.chown(path.parent, other_user.uid, other_user.gid)
        path.write_text(evil.read_text())
    result, _ = traced(DIRECT[shell], tmp_path / "trace")
    assert "PLANTED-COPY-RAN" not in result.stdout + result.stderr
    assert "function" in result.stdout.split()[-1], result.stderr
