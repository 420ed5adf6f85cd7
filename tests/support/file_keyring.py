"""A keyring backend for tests that stores entries in a JSON file.

Selected with PYTHON_KEYRING_BACKEND=support.file_keyring.TestKeyring (with
tests/ on PYTHONPATH) so subprocesses share it. The file lives in the test's
temporary directory; the real OS keyring is never touched. Tests marked
``keyring`` use the real Secret Service instead.

Knobs (environment): AWSENV_TEST_KEYRING_FILE (required),
AWSENV_TEST_KEYRING_MAXLEN (reject longer values, like Windows' 1280 chars),
AWSENV_TEST_KEYRING_SLEEP (seconds to hang, like a locked collection),
AWSENV_TEST_KEYRING_FAIL (raise KeyringLocked on every call).
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class TestKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _file(self) -> str:
        return os.environ["AWSENV_TEST_KEYRING_FILE"]

    def _knobs(self) -> None:
        delay = float(os.environ.get("AWSENV_TEST_KEYRING_SLEEP", "0") or 0)
        if delay:
            time.sleep(delay)
        if os.environ.get("AWSENV_TEST_KEYRING_FAIL"):
            raise KeyringLocked("Failed to unlock the collection!")

    def _update(self, fn):  # type: ignore[no-untyped-def]
        path = self._file()
        with open(path + ".lock", "a") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            try:
                with open(path) as fh:
                    data = json.load(fh)
            except (OSError, ValueError):
                data = {}
            result = fn(data)
            tmp = path + ".tmp"
            with open(tmp, "w") as fh:
                json.dump(data, fh)
            os.replace(tmp, path)
            return result

    def get_password(self, service: str, username: str) -> str | None:
        self._knobs()
        return self._update(lambda d: d.get(f"{service}\0{username}"))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._knobs()
        limit = int(os.environ.get("AWSENV_TEST_KEYRING_MAXLEN", "0") or 0)
        if limit and len(password) > limit:
            raise OSError(1783, "CredWrite", "The stub received bad data.")
        self._update(lambda d: d.__setitem__(f"{service}\0{username}", password))

    def delete_password(self, service: str, username: str) -> None:
        self._knobs()

        def drop(d):  # type: ignore[no-untyped-def]
            if d.pop(f"{service}\0{username}", None) is None:
                raise PasswordDeleteError("not found")

        self._update(drop)
