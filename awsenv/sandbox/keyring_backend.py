"""The sandbox's own keyring: a JSON file inside the sandbox's temporary tree.

The sandbox signs in to the local emulator, whose tokens open nothing real, and
must work on a fresh machine without a Secret Service while never touching the
user's real keyring. It selects this backend explicitly through
PYTHON_KEYRING_BACKEND for its own processes only; the backend refuses to run
unless its file lies inside the sandbox root, so it cannot become a plaintext
store for real secrets by accident. The whole tree is deleted on exit.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class SandboxKeyring(KeyringBackend):
    priority = -1  # type: ignore[assignment]  # never chosen automatically

    def _path(self) -> Path:
        root = os.environ.get("AWSENV_SANDBOX_ROOT", "")
        store = os.environ.get("AWSENV_SANDBOX_KEYRING", "")
        if not root or not store:
            raise RuntimeError("the sandbox keyring only works inside `awsenv sandbox`")
        path = Path(store).resolve()
        if Path(root).resolve() not in path.parents:
            raise RuntimeError("the sandbox keyring file must live inside the sandbox")
        return path

    def _update(self, fn):  # type: ignore[no-untyped-def]
        path = self._path()
        fd = os.open(str(path) + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                data = {}
            result = fn(data)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            tmp.chmod(0o600)
            os.replace(tmp, path)
            return result
        finally:
            os.close(fd)

    def get_password(self, service: str, username: str) -> str | None:
        return self._update(lambda d: d.get(f"{service}\0{username}"))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._update(lambda d: d.__setitem__(f"{service}\0{username}", password))

    def delete_password(self, service: str, username: str) -> None:
        def drop(d: dict[str, str]) -> None:
            if d.pop(f"{service}\0{username}", None) is None:
                raise PasswordDeleteError("not found")

        self._update(drop)
