"""A second, real local user for the trust-boundary tests.

Attacks from "another local user" are only proven when the planted files
really belong to another uid and, where it matters, were made by a process
running as that uid. CI runs as root, so the fixture creates the account with
``useradd`` once per machine (it is left in place: creating it again costs a
second and it owns nothing outside the tests' temporary trees); parallel test
workers racing to create it all end up with the one account. Without root
the attack cannot be staged honestly: outside CI the tests skip, under CI
they fail, because a skipped security test is no proof.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

NAME = "awsenv-other"


@dataclass(frozen=True)
class OtherUser:
    name: str
    uid: int
    gid: int

    def run(self, argv: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` as this user (real uid/gid switch through setpriv)."""
        cmd = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
               "--", *argv]
        kwargs.setdefault("check", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("timeout", 60)
        return subprocess.run(cmd, **kwargs)  # type: ignore[call-overload,no-any-return]

    def plant_dir(self, path: Path, mode: int = 0o700) -> Path:
        """A directory at ``path`` made by this user (its parent must let them in)."""
        path.mkdir(mode=mode, parents=True, exist_ok=True)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)
        return path

    def plant_file(self, path: Path, data: bytes = b"", mode: int = 0o644) -> Path:
        path.write_bytes(data)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)
        return path

    def plant_symlink(self, path: Path, target: str | os.PathLike[str]) -> Path:
        """A symlink owned by this user (lchown: the link itself, not its target)."""
        os.symlink(target, path)
        os.lchown(path, self.uid, self.gid)
        return path


def get_other_user() -> OtherUser:
    """The second user, created when missing; skip (or fail under CI) without root."""
    try:
        entry = pwd.getpwnam(NAME)
    except KeyError:
        if os.geteuid() != 0 or not shutil.which("useradd"):
            why = "needs root and useradd to create a second local user"
            if os.environ.get("CI"):
                pytest.fail(f"CI: {why}")
            pytest.skip(why)
        entry = _create()
    if os.geteuid() != 0:
        why = "planting files as another user needs root"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {why}")
        pytest.skip(why)
    return OtherUser(NAME, entry.pw_uid, entry.pw_gid)


def _create() -> pwd.struct_passwd:
    """Create the user once per machine, however many test processes race for it.

    Parallel workers (pytest-xdist) all start with the user missing, and
    concurrent useradd runs are not safe here: three racing ones each exit 0,
    handing out different uids of which only the last one's survives in
    /etc/passwd. So the look-up and the create run under one flock, machine-wide
    because it is taken on /etc/passwd itself (advisory, read-only: it blocks
    no other program), and a useradd that still finds the name taken is fine.
    """
    with open("/etc/passwd", "rb") as passwd:
        fcntl.flock(passwd.fileno(), fcntl.LOCK_EX)
        try:
            try:
                return pwd.getpwnam(NAME)  # made by whoever held the lock before us
            except KeyError:
                pass
            done = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                                   "/usr/sbin/nologin", NAME], capture_output=True, text=True,
                                  check=False)
            if done.returncode not in (0, USERADD_EXISTS):
                raise AssertionError(f"useradd {NAME} failed ({done.returncode}): {done.stderr}")
            return pwd.getpwnam(NAME)
        finally:
            fcntl.flock(passwd.fileno(), fcntl.LOCK_UN)


# useradd's exit code when the name exists (made by a program that does not take our lock).
USERADD_EXISTS = 9


@pytest.fixture(scope="session")
def other_user() -> OtherUser:
    return get_other_user()
