"""Can this process open a browser that can reach a loopback listener here?

PKCE is one click but needs a browser on the same machine (its redirect goes to
127.0.0.1 here). Over SSH, in CI, in a bare container or on WSL without a
bridge, the browser either does not exist or runs elsewhere, so login falls
back to the device code, which works from any device (sso-protocol §1.3,
anchors §2: aws-sso-cli #1371, aws-cli #10242).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Console browsers webbrowser falls back to: they would take over the terminal
# that shows the prompt, so only an explicit BROWSER may pick one.
TEXT_BROWSERS = frozenset({"www-browser", "links", "links2", "elinks", "lynx", "w3m"})


@dataclass(frozen=True)
class BrowserCheck:
    usable: bool
    reason: str


def _truthy(value: str | None) -> bool:
    return bool(value) and value.strip().lower() not in ("0", "false", "no", "off")


def _is_wsl(environ: Mapping[str, str]) -> bool:
    if environ.get("WSL_DISTRO_NAME") or environ.get("WSL_INTEROP"):
        return True
    try:
        return "microsoft" in Path("/proc/version").read_text(errors="replace").lower()
    except OSError:
        return False


def _in_container(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("container")) or any(
        Path(p).exists() for p in ("/.dockerenv", "/run/.containerenv"))


def check(environ: Mapping[str, str] | None = None, *, platform: str | None = None) -> BrowserCheck:
    """Decide PKCE vs device code; ``reason`` says why, for the user and --debug."""
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    has_browser_var = bool(env.get("BROWSER", "").strip())
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return BrowserCheck(False, "this is an SSH session")
    if _truthy(env.get("CI")):
        return BrowserCheck(False, "this looks like CI")
    if plat.startswith("linux"):
        if _is_wsl(env):
            if has_browser_var or shutil.which("wslview", path=env.get("PATH")):
                return BrowserCheck(True, "WSL with a browser bridge")
            return BrowserCheck(False, "WSL without wslview or BROWSER")
        if _in_container(env) and not has_browser_var:
            return BrowserCheck(False, "this is a container without BROWSER")
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) and not has_browser_var:
            return BrowserCheck(False, "no graphical display (DISPLAY/WAYLAND_DISPLAY) or BROWSER")
    import webbrowser

    try:
        found = webbrowser.get()
    except webbrowser.Error:
        return BrowserCheck(False, "Python's webbrowser module found no browser")
    name = os.path.basename(getattr(found, "name", "") or "")
    if name in TEXT_BROWSERS and not has_browser_var:
        return BrowserCheck(False, f"the only browser is the text-mode {name}")
    return BrowserCheck(True, "a local browser is available")


def open_url(url: str) -> bool:
    """Open ``url`` with webbrowser's first choice (BROWSER if set); False if it could not.

    Some browser commands print to stdout; awsenv's stdout is machine output,
    so the child inherits stderr in its place while the browser starts.
    """
    import webbrowser

    saved = None
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):
        saved = None
    try:
        # Only the first choice (BROWSER if set): webbrowser.open would fall
        # through to console browsers when it fails.
        return bool(webbrowser.get().open(url, new=2))
    except webbrowser.Error:
        return False
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


class Opener:
    """Runs ``open_url`` in a thread: webbrowser may block until the browser command exits."""

    def __init__(self, url: str) -> None:
        self.opened: bool | None = None
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        self.opened = open_url(url)

    @property
    def failed(self) -> bool:
        return self.opened is False


Handover = Literal["fetched", "failed", "timeout"]


def hand_over(url: str, timeout: float) -> Handover:
    """Send the browser to ``url`` without putting ``url`` in any process's argv.

    The browser is started on a one-shot loopback redirect that only this user's
    connections can follow (``loopback``); we wait until it was followed, the
    browser command failed, or ``timeout`` seconds passed.
    """
    from awsenv.auth.loopback import LoopbackServer

    with LoopbackServer() as relay:
        opener = Opener(relay.handoff(url))
        deadline = time.monotonic() + timeout
        while not relay.fetched.wait(min(0.2, max(deadline - time.monotonic(), 0))):
            if opener.failed:
                return "failed"
            if time.monotonic() >= deadline:
                return "timeout"
        return "fetched"
