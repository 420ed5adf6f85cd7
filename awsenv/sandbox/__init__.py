"""The offline sandbox: everything awsenv does, against a local emulator.

A newcomer runs one command and sees the real flows work in a throwaway world:
an emulator on a free loopback port, an isolated HOME/XDG tree and AWS config,
a keyring of the sandbox's own, the real login and sync, and two sample
projects with `.awsenv` files. Nothing outside the temporary tree is read or
written, and all of it is removed on every way out that can be caught: a normal
exit, an exception, Ctrl-C, SIGHUP (the terminal closed) and SIGTERM. The tree
holds a keyring file with the emulator's refresh token, so it is created
private (``mkdtemp``: a fresh name, mode 0700) in a temporary directory no other
user can swap it out of, and the shell inside gets the signal too (it would
otherwise outlive the sandbox it works in).

The shell is set up as the README tells a user to set up theirs, so that what
the newcomer sees is what they will get: this installation's ``awsenv`` first
on PATH, the hook, the prompt segment and tab completion. Its `.awsenv` walk
stops at the tree's root (``AWSENV_CEILING``): a stray `.awsenv` in the
temporary directory above it is no part of the demo. It gets none of the
caller's ``PYTHON*`` variables that change what Python imports (a project's
``PYTHONPATH`` would otherwise run in the tour's boto3 call).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from awsenv import locations
from awsenv.emulator import Directory, Emulator
from awsenv.errors import AwsenvError, printable
from awsenv.paths import awsenv_command
from awsenv.project.file import CEILING

# The signals that end the sandbox (and its shell) with the tree removed; SIGINT
# arrives as KeyboardInterrupt and takes the same way out.
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
# How long a child that was told to end may take before it is killed.
CHILD_GRACE = 5.0

# The caller's PYTHON* variables the sandbox's shell keeps: they only choose an
# encoding or buffering, or make imports stricter. Every other one (PYTHONPATH,
# PYTHONHOME, PYTHONSTARTUP, PYTHONUSERBASE, PYTHONPYCACHEPREFIX, PYTHONWARNINGS
# (it imports the categories it names), PYTHONBREAKPOINT, ...) is dropped.
PYTHON_KEPT = frozenset({"PYTHONIOENCODING", "PYTHONUTF8", "PYTHONCOERCECLOCALE",
                         "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONSAFEPATH",
                         "PYTHONNOUSERSITE"})
# Where each shell's completion script goes under the sandbox's HOME: the
# README's places ("Completions"); the start-up files load them from there.
COMPLETION_FILES = {"bash": ".local/share/bash-completion/completions/awsenv",
                    "zsh": ".zfunc/_awsenv",
                    "fish": ".config/fish/completions/awsenv.fish"}

SESSION = "sandbox"
# Sample projects and the (account, role) each one selects.
PROJECTS = {"web-app": ("dev", "Developer"), "billing": ("prod", "ReadOnlyAccess")}


class Ended(Exception):
    """A catchable signal ended the sandbox; raised from its handler to unwind cleanly."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first), from /proc; [] where there is none."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat_line = fh.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat_line[stat_line.rfind(b")") + 2:].split()
        if len(fields) > 1:
            parents.setdefault(int(fields[1]), []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        kids = parents.get(todo.pop(0), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def scratch_parent() -> Path:
    """The temporary directory to create the sandbox in, if no other user can meddle there.

    ``mkdtemp`` makes a fresh name with O_EXCL and mode 0700, so nobody can
    pre-create it; what remains is the parent: writable by others without the
    sticky bit, or owned by another user, lets them rename the tree away and
    put their own in its place.
    """
    parent = Path(tempfile.gettempdir())
    try:
        st = os.stat(parent)
    except OSError as exc:
        raise AwsenvError(f"the temporary directory {printable(str(parent))} cannot be used "
                          f"({exc.strerror})", "set TMPDIR to a directory of your own") from exc
    foreign = st.st_uid not in (0, os.geteuid())
    open_to_others = st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not st.st_mode & stat.S_ISVTX
    if foreign or open_to_others:
        why = "belongs to another user" if foreign else \
            "is writable by other users without the sticky bit"
        raise AwsenvError(f"the temporary directory {printable(str(parent))} {why}",
                          "set TMPDIR to a directory of your own")
    return parent


def make_private_root(parent: Path) -> Path:
    """A fresh 0700 directory under ``parent``, checked to be ours and private."""
    root = Path(tempfile.mkdtemp(prefix="awsenv-sandbox-", dir=parent))
    st = os.lstat(root)
    if (not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid()
            or stat.S_IMODE(st.st_mode) & 0o077):
        raise AwsenvError(f"the sandbox directory {printable(str(root))} is not private",
                          "set TMPDIR to a directory of your own")
    return root


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
    # repr=False: set by __enter__, and repr() must work before (signal.signal builds
    # the repr of the bound handler it replaces).
    root: Path = field(init=False, repr=False)
    env: dict[str, str] = field(init=False, repr=False)
    emulator: Emulator = field(init=False, repr=False)
    _previous: dict[int, Any] = field(init=False, default_factory=dict)
    _child: subprocess.Popen[Any] | None = field(init=False, default=None)
    _hung_up: subprocess.Popen[Any] | None = field(init=False, default=None)
    _stragglers: list[int] = field(init=False, default_factory=list)
    _emulator_up: bool = field(init=False, default=False)

    def __enter__(self) -> Sandbox:
        """Handlers first, then the tree: a signal at any point after this finds both."""
        self._catch_signals()
        try:
            self.root = make_private_root(scratch_parent())
            home = self.root / "home"
            home.mkdir(mode=0o700)
            (self.root / "run").mkdir(mode=0o700)
            self.emulator = Emulator(directory=self.directory or Directory.default(),
                                     auto_approve=True, **self.knobs)
            self.emulator.__enter__()
            self._emulator_up = True
            self.env = self._environ(home, self._bin())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the emulator and remove the tree; a second signal cannot cut this short."""
        self._hold_signals()
        try:
            if self._child is not None:
                self._end_child()
            if self._emulator_up:
                self._emulator_up = False
                self.emulator.__exit__(None, None, None)
        finally:
            root = getattr(self, "root", None)
            if root is not None:
                shutil.rmtree(root, ignore_errors=True)
            self._restore_signals()

    # -- signals and the child --------------------------------------------------------

    def _catch_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread can handle signals (tests driving it in a thread)
        for sig in ENDING_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def _hold_signals(self) -> None:
        for sig in self._previous:
            signal.signal(sig, signal.SIG_IGN)

    def _restore_signals(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Hang up the child, then unwind. No waiting here: the handler may run inside
        the child's own ``wait`` (which holds Popen's wait lock); ``run_child`` waits."""
        self._hold_signals()  # the unwinding below must not be cut short by a second one
        self._hang_up()
        raise Ended(signum)

    def _hang_up(self) -> None:
        """SIGHUP to the running child, whichever signal ended the sandbox, and later to
        what it had started: SIGHUP is what ends every interactive shell, as a closed
        terminal would (bash and zsh ignore SIGTERM, fish exits on it leaving its jobs
        running, and zsh does not pass a SIGHUP on to background jobs)."""
        proc = self._child
        if proc is None or proc.returncode is not None:  # reaped: its pid may be reused
            return
        if self._hung_up is proc:
            return  # once: the shell is already ending
        self._hung_up = proc
        # Taken before the shell ends: once it has, its orphans belong to init.
        self._stragglers = descendants(proc.pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGHUP)

    def _end_child(self) -> None:
        """Hang up the child, wait a grace, SIGKILL it if still there, then hang up what
        it started that is still running (a job started with nohup ignores this)."""
        proc = self._child
        if proc is None:
            return
        self._hang_up()
        self._child = None
        try:
            proc.wait(timeout=CHILD_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in self._stragglers:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGHUP)
        self._stragglers = []

    def run_child(self, argv: Sequence[str], *, timeout: float | None = None,
                  **popen: Any) -> subprocess.CompletedProcess[Any]:
        """Run ``argv`` in the sandbox (its env, cwd = its home); the child is told to end
        with the sandbox whatever ends it (a signal, Ctrl-C, an exception, ``timeout``)."""
        proc = subprocess.Popen(list(argv), env=self.env, cwd=self.home, **popen)
        self._child = proc
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:
            self._end_child()
            raise
        finally:
            if self._child is proc:
                self._child = None
        return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)

    def _bin(self) -> Path:
        """``<root>/bin`` holding ``awsenv``: this installation's, as a user has it on PATH.

        A link to the console script pip wrote (what ``awsenv doctor`` checks PATH
        against); without one (a bare checkout), a script running the baked command.
        """
        bindir = self.root / "bin"
        bindir.mkdir(mode=0o700)
        script = locations.entry_script()
        if script is not None:
            (bindir / "awsenv").symlink_to(script)
        else:
            import shlex

            wrapper = bindir / "awsenv"
            wrapper.write_text(f'#!/bin/sh\nexec {shlex.join(awsenv_command())} "$@"\n')
            wrapper.chmod(0o700)
        return bindir

    def _environ(self, home: Path, bindir: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("AWS_", "AWSENV_", "_AWSENV", "XDG_", "PYTHON"))
                or k in PYTHON_KEPT}
        keep.update(self.emulator.env())
        path = keep.get("PATH", os.defpath)
        keep.update({
            "PATH": f"{bindir}{os.pathsep}{path}" if path else str(bindir),
            CEILING: str(self.root),
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
    completion = box.home / COMPLETION_FILES[name[3:]] if name.startswith("rc.") else None
    return render_template(
        f"sandbox/{name}.j2", awsenv=shlex.join(awsenv_command()), home=str(box.home),
        projects=str(box.projects_dir), dev=dev, prod=prod, python=sys.executable,
        completion=str(completion or ""),
        completion_dir=str(completion.parent if completion else ""))


def tour(box: Sandbox) -> tuple[list[StepResult], str]:
    """Run the scripted tour in real bash; one result per step, plus the full transcript."""
    proc = box.run_child(["bash", "--norc", "--noprofile", "-c", render(box, "tour.bash")],
                         text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, timeout=300)
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


def install_completion(box: Sandbox, shell: str, script: str) -> Path:
    """Put ``script`` (``awsenv completion SHELL``'s text: the CLI renders it, as it
    needs the commands) where the README says, in the sandbox's HOME."""
    path = box.home / COMPLETION_FILES[shell]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(script)
    return path


def interactive_argv(box: Sandbox, shell: str) -> list[str]:
    """How to start the user's subshell with the hook, the prompt segment and the
    completions (see install_completion) installed."""
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


def welcome(box: Sandbox, count: int | None) -> str:
    """What the interactive sandbox prints before its shell starts: what to try.

    The boto3 line names the sandbox's own interpreter (the one that has boto3),
    isolated (``-I``: no PYTHON* variables, no current directory or user site on
    the import path), rather than whatever ``python`` PATH finds first.
    """
    import shlex
    import sys

    dev, prod = profiles(box)
    boto3_call = (f"{shlex.quote(sys.executable)} -I -c 'import boto3; "
                  "print(boto3.client(\"sts\").get_caller_identity()[\"Arn\"])'")
    tries = [
        (f"awsenv use {dev}", "switch this shell (AWS_PROFILE); TAB completes names"),
        (boto3_call, ""),
        (f"awsenv use --mode env {prod}", "raw AWS_* variables instead"),
        ("awsenv use --unset", "back to what was there before"),
        ("cd ~/projects/web-app", f"a .awsenv asks for {dev}: not trusted yet"),
        ("awsenv allow", "trust it (~/projects/billing asks for its own allow)"),
        (f"awsenv list; awsenv status; awsenv doctor; awsenv export {dev}", ""),
    ]
    width = max(len(cmd) for cmd, note in tries if note)
    lines = [f"  {cmd:<{width}}  # {note}" if note else f"  {cmd}" for cmd, note in tries]
    return "\n".join([
        "Welcome to the awsenv sandbox. Everything here is temporary and offline:",
        f"a local IAM Identity Center emulator at {box.emulator.url}, signed in, "
        f"{count or 'the'} profiles synced.",
        "Try:", *lines,
        "Leave with `exit`: the emulator stops and everything is removed.", ""])
