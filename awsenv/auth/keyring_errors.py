"""Turning whatever a keyring backend raised into one honest line and its fix.

Exceptions are recognised by the names in their class hierarchy rather than by
``isinstance``: that needs no ``import keyring`` (slow, and possibly still held
by a stuck worker thread) and also covers backend libraries that keyring does
not wrap (jeepney, secretstorage, dbus-python, pywin32).

Backend messages are quoted for diagnosis, reduced to one short line and
scrubbed of any secret the caller was handling, so a backend that echoes its
input can never put a refresh token on the terminal.
"""

from __future__ import annotations

import sys

from awsenv.errors import KeyringError

FILE_STORE = "keyrings.alt.file.EncryptedKeyring"
PLAINTEXT_STORE = "keyrings.alt.file.PlaintextKeyring"
FAIL_BACKEND = "keyring.backends.fail.Keyring"
NULL_BACKEND = "keyring.backends.null.Keyring"
DOCTOR = "see `awsenv doctor`"


def store_name(backend: str) -> str:
    """What to call ``backend`` in a message: keyrings.alt's stores are files, no OS keyring
    (the user opted in to one; calling it "the OS keyring" sends them to the wrong place)."""
    return "the keyrings.alt file store" if backend.startswith("keyrings.alt.") \
        else "the OS keyring"


def asks_password(backend: str) -> bool:
    """File stores that read their password through getpass (blocking without a terminal)."""
    return backend.startswith("keyrings.alt.") and "Encrypted" in backend


def unlock_hint() -> str:
    if sys.platform == "darwin":
        return "unlock your keychain (e.g. `security unlock-keychain`)"
    if sys.platform == "win32":
        return "check that Windows Credential Manager is reachable in this session"
    return ("unlock your keyring (e.g. `gnome-keyring-daemon --unlock`, or the desktop's "
            "Passwords and Keys / KWallet)")


def no_backend_fix() -> str:
    if sys.platform.startswith("linux"):
        return ("start a Secret Service in this D-Bus session (e.g. gnome-keyring) or opt in to "
                f"an encrypted file store with PYTHON_KEYRING_BACKEND={FILE_STORE} "
                "(pip install keyrings.alt pycryptodome); " + DOCTOR)
    return ("install or enable your OS keyring, or opt in to an encrypted file store with "
            f"PYTHON_KEYRING_BACKEND={FILE_STORE} (pip install keyrings.alt pycryptodome); "
            + DOCTOR)


def no_backend(backend: str) -> KeyringError:
    return KeyringError(f"no OS keyring is available to hold the sign-in secrets ({backend})",
                        no_backend_fix())


def null_backend(config_hint: str) -> KeyringError:
    return KeyringError(
        f"the keyring is disabled ({NULL_BACKEND}, e.g. after `keyring --disable`): it stores "
        "nothing, so awsenv could never stay signed in",
        f"remove that setting ({config_hint}) or point PYTHON_KEYRING_BACKEND at a real "
        "backend; " + DOCTOR)


def plaintext_refused(data_file: str) -> KeyringError:
    return KeyringError(
        f"refusing {PLAINTEXT_STORE}, which keyring picked on its own only because keyrings.alt "
        f"is installed: it keeps secrets in a cleartext file ({data_file})",
        "start your OS keyring, or opt in explicitly with "
        f"PYTHON_KEYRING_BACKEND={FILE_STORE} (or {PLAINTEXT_STORE} if you accept cleartext); "
        + DOCTOR)


def file_store_refused(backend: str) -> KeyringError:
    """keyring fell back to a keyrings.alt file store by priority (installing the package
    is enough): awsenv promises the OS keyring, the file store only when asked for."""
    return KeyringError(
        f"no OS keyring is available to hold the sign-in secrets: keyring picked the file "
        f"store {backend} on its own only because keyrings.alt is installed",
        "start a Secret Service (e.g. gnome-keyring), or opt in explicitly with "
        f"PYTHON_KEYRING_BACKEND={FILE_STORE}; " + DOCTOR)


def timed_out(seconds: float, backend: str, *, asks_password: bool,
              terminal: bool) -> KeyringError:
    """The timeout error; ``asks_password`` for file stores that prompt through getpass."""
    if asks_password and not terminal:
        return KeyringError(
            f"{store_name(backend)} did not answer within {seconds:g}s ({backend} waits for its "
            "password on a terminal, and none is attached)",
            "run awsenv from a terminal to type the keyring password, or use your OS keyring "
            "instead; " + DOCTOR)
    if asks_password:
        return KeyringError(
            f"{store_name(backend)} did not answer within {seconds:g}s ({backend} waits for its "
            "password)",
            "type the keyring password when asked, or raise AWSENV_KEYRING_TIMEOUT; " + DOCTOR)
    return KeyringError(
        f"{store_name(backend)} did not answer within {seconds:g}s ({backend})",
        f"{unlock_hint()} or set AWSENV_KEYRING_TIMEOUT; {DOCTOR}")


def _names(exc: BaseException) -> set[str]:
    return {f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__}


_WINDOW = 12


def _quotes_secret(text: str, hide: tuple[str, ...]) -> bool:
    """Whether ``text`` contains any 12-character stretch of a secret (a truncated echo, say)."""
    long_ones = [s for s in hide if len(s) >= _WINDOW]
    return any(text[i:i + _WINDOW] in secret
               for secret in long_ones for i in range(len(text) - _WINDOW + 1))


def _one_line(exc: BaseException, hide: tuple[str, ...]) -> str:
    name = type(exc).__name__
    text = " ".join(str(exc).split())
    if _quotes_secret(text, hide):
        return f"{name}: its message quoted a secret and is withheld"
    for secret in hide:
        if len(secret) >= 8:  # shorter strings are no real secret, and scrubbing them mangles text
            text = text.replace(secret, "<hidden>")
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{name}: {text}" if text else name


def _winerror(exc: BaseException) -> int | None:
    code = getattr(exc, "winerror", None)
    if code is None and isinstance(exc, OSError):
        code = exc.errno
    if code is None and exc.args and isinstance(exc.args[0], int):
        code = exc.args[0]
    return code if isinstance(code, int) else None


def translate(exc: BaseException, backend: str, *, selecting: bool, origin: str,
              hide: tuple[str, ...] = ()) -> KeyringError:
    """The KeyringError to show for ``exc`` raised by ``backend``.

    ``selecting`` is true when the failure happened while keyring chose or built
    the backend; ``origin`` says who chose it (for a fix that names the setting).
    """
    if isinstance(exc, KeyringError):
        return exc
    names = _names(exc)
    detail = _one_line(exc, hide)
    modules = {n.split(".", 1)[0] for n in names}
    if asks_password(backend) and isinstance(exc, EOFError):
        return KeyringError(
            f"{backend} asked for its password, but standard input is closed and no terminal "
            "is attached",
            "run awsenv from a terminal to type the keyring password, or use your OS keyring "
            "instead; " + DOCTOR)
    if asks_password(backend) and "Incorrect Password" in str(exc):
        return KeyringError(f"wrong password for {backend}",
                            "retry and type the password you set for that file store")
    if "keyring.errors.NoKeyringError" in names:
        return no_backend(backend)
    if "keyring.errors.KeyringLocked" in names:
        return KeyringError(f"{store_name(backend)} is locked ({backend}: {detail})",
                            f"{unlock_hint()} and retry; {DOCTOR}")
    if "keyring.errors.InitError" in names and "prompt" in detail.lower():
        return KeyringError(
            f"{store_name(backend)} is locked and its unlock prompt could not be shown ({backend}: "
            f"{detail})",
            f"{unlock_hint()}, then retry; {DOCTOR}")
    if _winerror(exc) == 1783:
        return KeyringError(
            f"Windows Credential Manager rejected an entry as too large ({backend}: error 1783, "
            "the stub received bad data)",
            "this is an awsenv bug (long values are split to fit): please report it with the "
            "output of `awsenv doctor`")
    if modules & {"jeepney", "secretstorage", "dbus"} or "org.freedesktop" in detail:
        return KeyringError(
            f"the keyring's D-Bus service failed ({backend}: {detail})",
            "check that a Secret Service (gnome-keyring, KeePassXC, KWallet) runs in this "
            "D-Bus session (DBUS_SESSION_BUS_ADDRESS), or opt in to "
            f"PYTHON_KEYRING_BACKEND={FILE_STORE}; {DOCTOR}")
    if selecting and origin != "auto" and isinstance(exc, (ImportError, AttributeError)):
        return KeyringError(
            f"cannot load the keyring backend {backend} named by {origin} ({detail})",
            f"install the package that provides it or correct {origin}; {DOCTOR}")
    if selecting and origin != "auto" and isinstance(exc, RuntimeError):
        return KeyringError(
            f"the keyring backend {backend} named by {origin} is not usable here ({detail})",
            f"make it usable or correct {origin}; `keyring --list-backends` shows what works")
    if "keyring.errors.KeyringError" in names:
        return KeyringError(f"{store_name(backend)} failed ({backend}: {detail})",
                            f"{unlock_hint()} and retry; {DOCTOR}")
    return KeyringError(f"{store_name(backend)} failed unexpectedly ({backend}: {detail})",
                        f"retry; if it persists, {DOCTOR}")
