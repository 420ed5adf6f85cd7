"""`awsenv console` where `awsenv login` would not open a browser shows the link instead.

On Linux without a display, Python's webbrowser falls back to text browsers:
console used to start lynx full-screen in the terminal, which spent the
one-time sign-in URL. Now the same judgement as login's (auth.browser.check)
decides, and the link goes to the terminal only: never into a pipe or a log.
"""

from __future__ import annotations

import os
from pathlib import Path

import pexpect
from support.world import AWSENV, World

HIDDEN = ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT",
          "CI")


def headless(world: World, tmp: Path) -> tuple[dict[str, str], Path]:
    """A Linux session without a display whose PATH offers only a text browser (a fake
    lynx that records being run)."""
    bin_dir = tmp / "textbrowsers"
    bin_dir.mkdir()
    marker = tmp / "lynx.ran"
    for name in ("lynx", "www-browser"):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\necho \"$@\" > {marker}\n")
        script.chmod(0o755)
    env = {k: v for k, v in world.environ().items() if k not in HIDDEN}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["AWSENV_LOGIN_TIMEOUT"] = "2"
    return env, marker


def signin_tokens(world: World) -> list[str]:
    state = world.emu.state
    with state.lock:
        return list(state.signin_tokens)


def test_console_without_a_display_prints_the_link_on_the_terminal(world: World,
                                                                   tmp_path: Path) -> None:
    env, marker = headless(world, tmp_path)
    child = pexpect.spawn(AWSENV[0], [*AWSENV[1:], "console", "dev"], env=env,
                          encoding="utf-8", timeout=60, dimensions=(50, 4000))
    child.expect(pexpect.EOF)
    child.close()
    text = child.before
    assert child.exitstatus == 0, text
    assert not marker.exists(), "a text browser was started"
    [token] = signin_tokens(world)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines[0].startswith("awsenv: no browser to open it in ("), text
    assert token in lines[1] or token in lines[1].replace("%2F", "/"), text
    assert len(lines) == 2, text


def test_console_without_a_display_or_terminal_refuses_in_one_line(world: World,
                                                                   tmp_path: Path) -> None:
    import subprocess

    env, marker = headless(world, tmp_path)
    r = subprocess.run([*AWSENV, "console", "dev"], env=env, capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("awsenv: no browser to open the console in (") and "--print" in line
    assert not marker.exists()
    assert not any(t in r.stderr for t in signin_tokens(world))
