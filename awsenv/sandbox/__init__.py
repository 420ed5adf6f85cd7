"""The offline sandbox: everything awsenv does, against a local emulator.

A newcomer runs one command and sees the real flows work in a throwaway world:
an emulator on a free loopback port, an isolated HOME/XDG tree and AWS config,
a keyring of the sandbox's own, the real login and sync, and two sample
projects with `.awsenv` files. Nothing outside the temporary tree is read or
written, and all of it is removed on exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from awsenv.emulator import Directory, Emulator
from awsenv.paths import awsenv_command

SESSION = "sandbox"
# Sample projects and the (account, role) each one selects.
PROJECTS = {"web-app": ("dev", "Developer"), "billing": ("prod", "ReadOnlyAccess")}


@dataclass
class StepResult:
    title: str
    ok: bool
    detail: str = ""


@dataclass
class Sandbox:
    """A context manager owning the temporary world; core only (never prints)."""

    shell: str = "bash"
    directory: Directory | None = None
    knobs: dict[str, object] = field(default_factory=dict)
    root: Path = field(init=False)
    env: dict[str, str] = field(init=False)
    emulator: Emulator = field(init=False)

    def __enter__(self) -> Sandbox:
        self.root = Path(tempfile.mkdtemp(prefix="awsenv-sandbox-"))
        home = self.root / "home"
        home.mkdir(mode=0o700)
        (self.root / "run").mkdir(mode=0o700)
        self.emulator = Emulator(directory=self.directory or Directory.default(),
                                 auto_approve=True, **self.knobs)
        self.emulator.__enter__()
        self.env = self._environ(home)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.emulator.__exit__(None, None, None)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _environ(self, home: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("AWS_", "AWSENV_", "_AWSENV", "XDG_", "PYTHON_KEYRING"))}
        keep.update(self.emulator.env())
        keep.update({
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_RUNTIME_DIR": str(self.root / "run"),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWSENV_SANDBOX": "1",
            "AWSENV_SANDBOX_ROOT": str(self.root),
            "AWSENV_SANDBOX_KEYRING": str(self.root / "keyring.json"),
            "PYTHON_KEYRING_BACKEND": "awsenv.sandbox.keyring_backend.SandboxKeyring",
        })
        return keep

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def projects_dir(self) -> Path:
        return self.home / "projects"

    def awsenv(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run this installation's awsenv inside the sandbox."""
        return subprocess.run([*awsenv_command(), *args], env=self.env, text=True,
                              capture_output=True, timeout=timeout, cwd=self.home,
                              stdin=subprocess.DEVNULL)

    def _step(self, title: str, *args: str) -> StepResult:
        proc = self.awsenv(*args)
        text = (proc.stdout + proc.stderr).strip()
        return StepResult(title, proc.returncode == 0, text)

    def setup(self) -> list[StepResult]:
        """Configure, sign in, sync and lay out the sample projects; stops at the first failure."""
        steps = [
            ("Write [sso-session sandbox] to the sandbox's ~/.aws/config",
             ("configure", "--start-url", self.emulator.start_url,
              "--sso-region", self.emulator.region, "--session", SESSION)),
            ("Sign in (device code, approved by the emulator)",
             ("login", "--session", SESSION, "--use-device-code")),
            ("Write one profile per account and role (awsenv sync)",
             ("sync", "--session", SESSION)),
        ]
        results: list[StepResult] = []
        for title, args in steps:
            results.append(self._step(title, *args))
            if not results[-1].ok:
                return results
        results.append(self._projects())
        return results

    def profile_for(self, account: str, role: str) -> str:
        return f"{account}-{role}".lower()

    def _projects(self) -> StepResult:
        lines = []
        for name, (account, role) in PROJECTS.items():
            folder = self.projects_dir / name
            folder.mkdir(parents=True, mode=0o700)
            profile = self.profile_for(account, role)
            (folder / ".awsenv").write_text(f"# {name} works in {account}\nprofile = {profile}\n")
            lines.append(f"{folder}: profile = {profile}")
        return StepResult("Create two sample projects with .awsenv files", True, "\n".join(lines))


def profiles(box: Sandbox) -> tuple[str, str]:
    """The two profiles the tour uses: the sample projects' targets."""
    (dev_account, dev_role), (prod_account, prod_role) = PROJECTS.values()
    return box.profile_for(dev_account, dev_role), box.profile_for(prod_account, prod_role)


def render(box: Sandbox, name: str) -> str:
    """One of the sandbox's shell files (tour or start-up file) from shell/sandbox/."""
    import shlex
    import sys

    from awsenv.shells.templates import render as render_template

    dev, prod = profiles(box)
    return render_template(
        f"sandbox/{name}.j2", awsenv=shlex.join(awsenv_command()), home=str(box.home),
        projects=str(box.projects_dir), dev=dev, prod=prod, python=sys.executable)


def tour(box: Sandbox) -> tuple[list[StepResult], str]:
    """Run the scripted tour in real bash; one result per step, plus the full transcript."""
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", render(box, "tour.bash")],
                          env=box.env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=300, cwd=box.home,
                          stdin=subprocess.DEVNULL)
    transcript = proc.stdout
    results: list[StepResult] = []
    for line in proc.stdout.splitlines():
        if line.startswith("== "):
            results.append(StepResult(line[3:], False))
        elif results and line == "ok":
            results[-1].ok = True
        elif results and line.startswith("FAILED: "):
            results[-1].detail = line[len("FAILED: "):]
    if proc.returncode != 0 and not results:
        results.append(StepResult("run the tour", False, transcript.strip()[-300:]))
    return results, transcript


def interactive_argv(box: Sandbox, shell: str) -> list[str]:
    """How to start the user's subshell with the hook and the prompt segment installed."""
    rc = box.root / f"rc.{shell}"
    rc.write_text(render(box, f"rc.{shell}"))
    if shell == "bash":
        return ["bash", "--rcfile", str(rc), "-i"]
    if shell == "zsh":
        zdot = box.root / "zdotdir"
        zdot.mkdir(exist_ok=True)
        (zdot / ".zshrc").write_text(rc.read_text())
        box.env["ZDOTDIR"] = str(zdot)
        return ["zsh", "-i"]
    return ["fish", "--no-config", "--init-command", f"source {rc}", "-i"]


TOUR_TEXT = """\
Welcome to the awsenv sandbox. Everything here is temporary and offline:
a local IAM Identity Center emulator at {url}, signed in, {n} profiles synced.
Try:
  awsenv use {dev}                 # switch this shell (AWS_PROFILE)
  python -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
  awsenv use --mode env {prod}     # raw AWS_* variables instead
  awsenv use --unset
  cd ~/projects/web-app            # a .awsenv asks for {dev}: not trusted yet
  awsenv allow                     # trust it; cd ~/projects/billing, cd ~ ...
  awsenv list; awsenv status; awsenv export {dev}
Leave with `exit`: the emulator stops and everything is removed.
"""
