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
  must be the user's explicit choice, not an accident. Its other file stores
  (``EncryptedKeyring``) likewise: opt-in only (README), never by priority.
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


def _no_relative_roots() -> None:
    """Drop a relative ``XDG_CONFIG_HOME``/``XDG_DATA_HOME`` before keyring reads them.

    keyring takes its ``keyringrc.cfg`` (whose ``keyring-path`` it puts first on
    ``sys.path`` and imports the named backend from) and its file stores from
    these variables as given, so a relative value makes them the current
    directory's: a cloned repository's ``.config/python_keyring/keyringrc.cfg``
    would run its own module in every awsenv process that touches the keyring,
    ``-I`` or not. The XDG spec calls a relative value invalid (ignore it), as
    :func:`awsenv.locations.app_dirs` already does.
    """
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        value = os.environ.get(name)
        if value and not os.path.isabs(value):
            del os.environ[name]


def _configured(attempt: Attempt) -> None:
    """Record who names the backend, before keyring builds it (which may hang or fail).

    A relative ``keyring-path`` in keyringrc.cfg is refused: keyring would put it
    first on ``sys.path`` as given, i.e. import from whatever directory awsenv
    runs in (a credential_process in a cloned repository).
    """
    named = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if named:  # keyring then never reads its config file
        attempt.origin, attempt.backend = "PYTHON_KEYRING_BACKEND", named
        return
    from keyring.util import platform_

    path = platform_.config_root() / "keyringrc.cfg"
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
        named = parser.get("backend", "default-keyring", fallback="").strip()
        extra = parser.get("backend", "keyring-path", fallback="").strip()
    except (OSError, configparser.Error):
        named = extra = ""
    if extra and not os.path.isabs(os.path.expanduser(extra)):
        from awsenv.textsafe import printable

        where = printable(str(path))
        raise errs.KeyringError(
            f"keyring-path in {where} is relative ({printable(extra[:80])}): keyring would "
            "import its backend from whatever directory awsenv runs in",
            f"make it an absolute path in {where}")
    if named:
        attempt.origin, attempt.backend = str(path), named


def choose(attempt: Attempt) -> Any:
    """The keyring backend to store in (a ``KeyringBackend``), or a KeyringError."""
    _no_relative_roots()
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
    if attempt.backend.startswith("keyrings.alt.") and attempt.origin == AUTO:
        # Encrypted file stores too: one would ask a `doctor` or a prompt hook for a new
        # password, and a login would lose its approved sign-in to the keyring timeout.
        raise errs.file_store_refused(attempt.backend)
    if attempt.backend == WINDOWS:
        # The default (enterprise) persistence roams with a domain profile to other
        # machines; a refresh token belongs to this one.
        try:
            store.persist = "local machine"
        except Exception:  # older pywin32-ctypes without the constant: keep the default
            log.debug("could not set local-machine persistence")
    return store

