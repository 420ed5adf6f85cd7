"""The long-lived secrets of an Identity Center session, kept only in the OS keyring.

What is stored, and why this way
--------------------------------
Each sso-session (its *session key*: the sso-session name, or the start URL of a
legacy profile) has **one** keyring entry: service ``awsenv:<session key>``,
username ``session``, value ``{"v":1,"clientSecret":…,"refreshToken":…}``.
These are the only two values that outlive an access token and would let anyone
mint new ones; the access token itself goes to the AWS CLI cache file (interop
with botocore), and the non-secret half of the client registration to a 0600
file. One entry per session keeps keychain prompts (macOS asks once per item
after a Python upgrade) and writes (macOS recreates the item's ACL on every
write) to a minimum. On Windows the entries persist for the local machine only,
not roaming with a domain profile.

**Chunking.** Windows Credential Manager stores at most 1280 UTF-16 code units
per entry and fails beyond that with "error 1783: the stub received bad data";
an OIDC client secret plus a refresh token can exceed it. A value over 1200
units is therefore cut into pieces of at most 1200 units (an astral character
is never split across pieces) stored under the services ``awsenv:<session
key>:0``, ``:1``… (distinct *services*, because Windows keeps one entry per
service). The pieces are written first, then the primary entry is replaced by
the manifest ``awsenv:v1:chunked:<n>:<sha256 hex of the whole value>``, then
leftover pieces ``>= n`` from a longer old value are deleted. A reader checks
the count and the hash: a missing, stale or half-written piece makes the session
read as absent ("not signed in"), never as a garbled secret. A session whose
key is another's plus ``:<digit>`` would share names with the other's pieces:
awsenv never deletes or overwrites such an entry and says which sessions
collide instead.

**Timeouts.** Every keyring operation, including ``import keyring`` and backend
selection (both may block on D-Bus), runs in a daemon thread and is abandoned
after ``AWSENV_KEYRING_TIMEOUT`` seconds (default 10), raising ``KeyringError``.
A blocked D-Bus call cannot be cancelled; the CLI exits afterwards and daemon
threads do not keep it alive. Never call this module from a prompt hook.

**Honest failures.** No usable keyring, a disabled one (``keyring --disable``
selects a backend that silently stores nothing), a locked collection, a D-Bus
failure or an oversize entry each raise a one-line ``KeyringError`` naming the
fix. awsenv never falls back to a plaintext file on its own.

Headless Linux without a keyring (text the README can quote)
------------------------------------------------------------
awsenv keeps the refresh token in the OS keyring. On a server, container or SSH
session with no Secret Service, either run one for the shell you work in
(Debian/Ubuntu: ``apt install gnome-keyring dbus``)::

    dbus-run-session -- bash -c 'read -rsp "keyring password: " pw; echo
        printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        unset pw; exec "$SHELL"'

(the first password you type creates the keyring; later ones must match it),
or opt in to keyrings.alt's encrypted file store, which asks for its password
on the terminal in every awsenv process that reads or writes the secrets::

    pip install keyrings.alt pycryptodome   # into awsenv's environment
                                            # (pipx: pipx inject awsenv keyrings.alt pycryptodome)
    export PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring

The file store cannot prompt without a terminal (cron, CI, a
``credential_process`` run by an SDK): there awsenv gives up after
``AWSENV_KEYRING_TIMEOUT`` seconds and says why. keyrings.alt's
``PlaintextKeyring`` (a cleartext file) is refused unless you name it yourself
in ``PYTHON_KEYRING_BACKEND`` or ``keyringrc.cfg``. ``awsenv doctor`` shows the
backend in use and test-writes an entry.

Logging (``awsenv.secrets``, debug level) names the backend and the operations,
never a value.
"""

from __future__ import annotations

import json
import logging
import secrets as _random
import time
from dataclasses import dataclass
from typing import Any

from awsenv.auth import keyring_backend, keyring_chunks, keyring_runner
from awsenv.errors import KeyringError

log = logging.getLogger("awsenv.secrets")

USERNAME = "session"
_PROBE_SERVICE = "awsenv:probe:"


@dataclass(frozen=True, repr=False)
class SessionSecrets:
    """The refresh token (None when the sign-in granted none) and the OIDC client secret."""

    client_secret: str
    refresh_token: str | None

    def __repr__(self) -> str:
        token = "None" if self.refresh_token is None else "<hidden>"
        return f"SessionSecrets(client_secret=<hidden>, refresh_token={token})"


@dataclass(frozen=True)
class BackendInfo:
    """What `awsenv status` / `awsenv doctor` show about the keyring."""

    name: str
    usable: bool
    detail: str


def service(session_key: str) -> str:
    return f"awsenv:{session_key}"


def piece_service(session_key: str, index: int) -> str:
    return f"awsenv:{session_key}:{index}"


def _encode(value: SessionSecrets) -> str:
    obj = {"v": 1, "clientSecret": value.client_secret, "refreshToken": value.refresh_token}
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no backend could store it raw
        text = json.dumps(obj, separators=(",", ":"))
    return text


def _decode(text: str) -> SessionSecrets | None:
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("v") != 1:
        return None
    client_secret, refresh_token = obj.get("clientSecret"), obj.get("refreshToken")
    if not isinstance(client_secret, str) or not isinstance(refresh_token, (str, type(None))):
        return None
    return SessionSecrets(client_secret=client_secret, refresh_token=refresh_token)


def _hide(value: SessionSecrets) -> tuple[str, ...]:
    return tuple(s for s in (value.client_secret, value.refresh_token) if s)


def _is_primary(text: str | None) -> bool:
    """Whether an entry is a whole session value (a manifest or the JSON), not a piece."""
    if text is None:
        return False
    return keyring_chunks.parse_manifest(text) is not None or _decode(text) is not None


def _collision(session_key: str, index: int) -> KeyringError:
    other = f"{session_key}:{index}"
    return KeyringError(
        f"the keyring entries of sso-sessions {session_key!r} and {other!r} collide "
        f"(service {piece_service(session_key, index)!r} holds the latter's secrets)",
        "rename one of the two sso-sessions in your AWS config, then sign in again")


def _drop_pieces(store: Any, session_key: str, start: int) -> int:
    """Delete pieces ``start``, ``start+1``… up to the first missing one; how many went.

    Stops, too, at an entry that is a whole session value: that is the primary
    entry of a session literally named ``<session key>:<i>``, not a piece.
    """
    from keyring.errors import PasswordDeleteError

    removed = 0
    for index in range(start, keyring_chunks.MAX_PIECES + 1):
        name = piece_service(session_key, index)
        existing = store.get_password(name, USERNAME)
        if existing is None:
            break
        if _is_primary(existing):
            log.debug("keyring %s: %s belongs to another session; kept", session_key, name)
            break
        try:
            store.delete_password(name, USERNAME)
            removed += 1
        except PasswordDeleteError:
            break
    return removed


def load(session_key: str) -> SessionSecrets | None:
    """The session's secrets, or None if absent or incomplete (then: sign in again)."""

    def work(store: Any) -> str | None:
        primary = store.get_password(service(session_key), USERNAME)
        if primary is None or not primary.startswith(keyring_chunks.MANIFEST_PREFIX):
            return primary
        parsed = keyring_chunks.parse_manifest(primary)
        if parsed is None:
            log.debug("keyring load %s: unreadable manifest", session_key)
            return None
        count, digest = parsed
        pieces: list[str] = []
        for index in range(count):
            piece = store.get_password(piece_service(session_key, index), USERNAME)
            if piece is None:
                log.debug("keyring load %s: piece %d of %d missing", session_key, index, count)
                return None
            pieces.append(piece)
        joined = keyring_chunks.join(pieces, digest)
        if joined is None:
            log.debug("keyring load %s: %d pieces do not match the manifest", session_key, count)
        return joined

    text = keyring_runner.run(work, what="load")
    if text is None:
        log.debug("keyring load %s: absent", session_key)
        return None
    value = _decode(text)
    log.debug("keyring load %s: %s", session_key, "found" if value else "unreadable, ignored")
    return value


def save(session_key: str, secrets: SessionSecrets) -> None:
    """Store the session's secrets, replacing any previous ones."""
    text = _encode(secrets)
    hide = _hide(secrets)
    pieces = keyring_chunks.split(text) if keyring_chunks.needs_chunking(text) else []
    if len(pieces) > keyring_chunks.MAX_PIECES:
        raise KeyringError(
            f"the secrets of session {session_key!r} are too long for the keyring "
            f"({len(text)} characters)",
            "this is unexpected from IAM Identity Center: please report it")

    def work(store: Any) -> None:
        for index in range(len(pieces)):
            if _is_primary(store.get_password(piece_service(session_key, index), USERNAME)):
                raise _collision(session_key, index)
        for index, piece in enumerate(pieces):
            store.set_password(piece_service(session_key, index), USERNAME, piece)
        primary = keyring_chunks.manifest(text, len(pieces)) if pieces else text
        store.set_password(service(session_key), USERNAME, primary)
        stale = _drop_pieces(store, session_key, len(pieces))
        log.debug("keyring save %s: %s, %d stale pieces removed", session_key,
                  f"{len(pieces)} pieces" if pieces else "one entry", stale)

    keyring_runner.run(work, what="save", hide=hide)


def delete(session_key: str) -> bool:
    """Remove the session's entry and all its pieces; whether anything was there."""

    def work(store: Any) -> bool:
        from keyring.errors import PasswordDeleteError

        existed = store.get_password(service(session_key), USERNAME) is not None
        if existed:
            try:
                store.delete_password(service(session_key), USERNAME)
            except PasswordDeleteError:
                existed = False
        pieces = _drop_pieces(store, session_key, 0)
        log.debug("keyring delete %s: entry %s, %d pieces removed", session_key,
                  "removed" if existed else "absent", pieces)
        return existed or pieces > 0

    return keyring_runner.run(work, what="delete")


def _origin_text(attempt: keyring_backend.Attempt) -> str:
    if attempt.origin == keyring_backend.AUTO:
        return "chosen automatically by keyring"
    return f"set by {attempt.origin}"


def backend_info() -> BackendInfo:
    """Which backend would hold the secrets and whether it is acceptable (no entry written).

    Never raises a KeyringError: the answer is data for `awsenv status`/`doctor`.
    """
    attempt = keyring_backend.Attempt()
    try:
        keyring_runner.run(lambda store: None, what="backend", attempt=attempt)
    except KeyringError as exc:
        return BackendInfo(attempt.backend or "unknown", False, exc.line())
    return BackendInfo(attempt.backend, True, _origin_text(attempt))


def probe(timeout: float | None = None) -> BackendInfo:
    """Write, read back and delete a throwaway entry: proof that the keyring really works."""
    attempt = keyring_backend.Attempt()
    name = _PROBE_SERVICE + _random.token_hex(8)
    value = _random.token_urlsafe(24)

    def work(store: Any) -> str:
        started = time.monotonic()
        store.set_password(name, USERNAME, value)
        try:
            back = store.get_password(name, USERNAME)
        finally:
            store.delete_password(name, USERNAME)
        if back != value:
            return "it accepted a test entry but returned something else when read back"
        if store.get_password(name, USERNAME) is not None:
            return "it did not delete a test entry"
        return f"test entry written, read back and deleted in {time.monotonic() - started:.2f}s"

    try:
        outcome = keyring_runner.run(work, what="probe", hide=(value,), timeout=timeout,
                                     attempt=attempt)
    except KeyringError as exc:
        return BackendInfo(attempt.backend or "unknown", False, exc.line())
    usable = outcome.startswith("test entry written")
    detail = f"{_origin_text(attempt)}; {outcome}"
    return BackendInfo(attempt.backend, usable, detail)
