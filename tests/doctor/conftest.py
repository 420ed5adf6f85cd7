"""Fixtures for `awsenv doctor`: an emulator-backed session, the real CLI, a skewed clock.

`Doctor.run()` starts `python -m awsenv doctor` as a user would, with the test's
isolated environment (plus the emulator's endpoint variables); `--json` output is
parsed into ``{check name: check}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support.world import browser_ran, forbidden_browser

VENV_BIN = str(Path(sys.executable).parent)
# Variables that would change which sign-in flow the CLI picks.
FLOW_VARS = ("CI", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "WSL_DISTRO_NAME", "WSL_INTEROP",
             "DISPLAY", "WAYLAND_DISPLAY")
HOOK = {"AWSENV_HOOK_SHELL": "bash", "AWSENV_HOOK_PROTOCOL": "1"}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def status(self, name: str) -> str:
        return self.checks[name]["status"]


@dataclass
class Doctor:
    emu: Any
    home: Path
    tmp: Path

    def env(self, extra: dict[str, str | None] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def cli(self, *args: str, extra: dict[str, str | None] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "awsenv", *args], env=self.env(extra),
                              capture_output=True, text=True, timeout=timeout, check=False,
                              cwd=self.tmp)

    def run(self, *args: str, extra: dict[str, str | None] | None = None) -> Result:
        """`awsenv doctor --json`, parsed."""
        proc = self.cli("doctor", "--json", *args, extra=extra)
        checks = {c["name"]: c for c in json.loads(proc.stdout)} if proc.stdout else {}
        return Result(proc.returncode, proc.stdout, proc.stderr, checks)

    def text(self, extra: dict[str, str | None] | None = None,
             encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
        env = {"PYTHONIOENCODING": encoding, **(extra or {})}
        proc = subprocess.run([sys.executable, "-m", "awsenv", "doctor"], env=self.env(env),
                              capture_output=True, timeout=120, check=False, cwd=self.tmp)
        return subprocess.CompletedProcess(proc.args, proc.returncode,
                                           proc.stdout.decode(encoding),
                                           proc.stderr.decode("utf-8", "replace"))

    def configure(self) -> None:
        res = self.cli("configure", "--start-url", self.emu.start_url, "--sso-region",
                       self.emu.region, "--session", "corp")
        assert res.returncode == 0, res.stderr

    def login(self) -> None:
        # --no-browser: device code without opening the verification page, so the
        # forbidden browser stays unrun and tests can check doctor never opens one.
        res = self.cli("login", "--session", "corp", "--no-browser")
        assert res.returncode == 0, res.stderr

    @property
    def browser_ran(self) -> bool:
        return browser_ran(self.tmp.parent)

    @property
    def config(self) -> Path:
        return self.home / ".aws" / "config"


@pytest.fixture
def doc(emulator: Any, isolated_home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Doctor:
    for name in FLOW_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("SHELL", "/bin/bash")
    # A browser that must never run: it leaves a marker (Doctor.browser_ran). An
    # executable, because webbrowser runs BROWSER as one program name: "python x.py"
    # names no program and would never run, so the check could not fail.
    monkeypatch.setenv("BROWSER", forbidden_browser(tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    return Doctor(emulator, isolated_home, work)


@pytest.fixture
def signed_in(doc: Doctor) -> Doctor:
    doc.configure()
    doc.login()
    return doc


class SkewedDate:
    """A loopback HTTP server whose Date header is ``offset`` seconds off (403 to all)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def date_time_string(self, timestamp: float | None = None) -> str:
                return formatdate(time.time() + outer.offset, usegmt=True)

            def do_HEAD(self) -> None:
                outer.requests += 1
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def skewed() -> Iterator[SkewedDate]:
    server = SkewedDate()
    try:
        yield server
    finally:
        server.close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
