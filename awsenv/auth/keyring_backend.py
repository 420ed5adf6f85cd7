"""Which keyring backend awsenv uses, who chose it, and which choices it refuses.

Runs inside the bounded worker thread (see ``keyring_runner``): ``import
keyring`` and ``get_keyring()`` may block on D-Bus, so they are never called
from the caller's thread. keyring itself caches the chosen backend per process.

Refused outright, before any secret is handed over:
- ``fail.Keyring``: nothing usable; the error says how to get a keyring or opt in
  to the encrypted file store.
- ``null.Keyring`` (``keyring --disable``): it would accept every write and
  store nothing, so the user would be "not signed in" forever without a word.
- keyrings.alt's ``PlaintextKeyring`` when keyring picked it automatically
  (merely installing keyrings.alt makes it outrank ``fail``): a cleartext file
  must be the user's explicit choice, not an accident.
"""

from __future__ import annotations

import configparser
import logging
import os
from dataclasses import dataclass
from typing import Any

from awsenv.auth import keyring_errors as errs

log = logging.getLogger("awsenv.secrets")

AUTO = "auto"
CHAINER = "keyring.backends.chainer.ChainerBackend"
WINDOWS = "keyring.backends.Windows.WinVaultKeyring"


@dataclass
class Attempt:
    """What the worker learnt so far; read by the caller even after a timeout."""

    backend: str = ""  # class that stores the entries, once known
    origin: str = AUTO  # "PYTHON_KEYRING_BACKEND", the keyringrc.cfg path, or "auto"
    selecting: bool = True

    def label(self) -> str:
        if self.backend:
            return self.backend
        return "while choosing a keyring backend"


def class_name(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _configured(attempt: Attempt) -> None:
    """Record who names the backend, before keyring builds it (which may hang or fail)."""
    named = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if named:
        attempt.origin, attempt.backend = "PYTHON_KEYRING_BACKEND", named
        return
    from keyring.util import platform_

    path = platform_.config_root() / "keyringrc.cfg"
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
        named = parser.get("backend", "default-keyring", fallback="").strip()
    except (OSError, configparser.Error):
        named = ""
    if named:
        attempt.origin, attempt.backend = str(path), named


def choose(attempt: Attempt) -> Any:
    """The keyring backend to store in (a ``KeyringBackend``), or a KeyringError."""
    import keyring.core  # slow (165-320 ms) and may touch D-Bus: only ever here

    _configured(attempt)
    chosen = keyring.core.get_keyring()
    store = chosen
    if class_name(chosen) == CHAINER:
        # The chainer writes to its first backend; that one is what holds the secrets.
        backends = list(getattr(chosen, "backends", []))
        store = backends[0] if backends else chosen
    attempt.backend = class_name(store)
    attempt.selecting = False
    log.debug("keyring backend %s (chosen by %s)", attempt.backend,
              "keyring automatically" if attempt.origin == AUTO else attempt.origin)
    if attempt.backend == errs.FAIL_BACKEND:
        raise errs.no_backend(attempt.backend)
    if attempt.backend == errs.NULL_BACKEND:
        where = ("PYTHON_KEYRING_BACKEND" if attempt.origin == "PYTHON_KEYRING_BACKEND"
                 else f"default-keyring in {attempt.origin}")
        raise errs.null_backend(where)
    if attempt.backend == errs.PLAINTEXT_STORE and attempt.origin == AUTO:
        raise errs.plaintext_refused(str(getattr(store, "file_path", "keyring_pass.cfg")))
    if attempt.backend == WINDOWS:
        # The default (enterprise) persistence roams with a domain profile to other
        # machines; a refresh token belongs to this one.
        try:
            store.persist = "local machine"
        except Exception:  # older pywin32-ctypes without the constant: keep the default
            log.debug("could not set local-machine persistence")
    return store

