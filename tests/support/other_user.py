"""A second, real local user for the trust-boundary tests.

Attacks from "another local user" are only proven when the planted files
really belong to another uid and, where it matters, were made by a process
running as that uid. CI runs as root, so the fixture creates the account with
``useradd`` once per machine (it is left in place: creating it again costs a
second and it owns nothing outside the tests' temporary trees). Without root
the attack cannot be staged honestly: outside CI the tests skip, under CI
they fail, because a skipped security test is no proof.
"""

from __future__ import annotations

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
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        NAME], check=True, capture_output=True)
        entry = pwd.getpwnam(NAME)
    if os.geteuid() != 0:
        why = "planting files as another user needs root"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {why}")
        pytest.skip(why)
    return OtherUser(NAME, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="session")
def other_user() -> OtherUser:
    return get_other_user()
