"""Where each session stands: signed in, until when, and whether it renews itself.

"Signed in" means awsenv can hand out an access token right now without a
browser: the cached token has time left, or a refresh (the same one any other
command would do) succeeds. So status answers the question scripts care about,
and a session the server ended shows as signed out once awsenv has talked to
the service. A token with time left is not proof the service still honours it
(revoked by an administrator, or ended by `aws sso logout` elsewhere):
``check=True`` (`awsenv status --check`) asks the portal with it, and a refused
token is handled as any portal 401 is: dropped, renewed if the service agrees,
else the session is signed out (and its cached role credentials deleted).
"""

from __future__ import annotations

from dataclasses import dataclass

from awsenv.auth import tokens
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment
from awsenv.errors import AwsenvError, KeyringError, NotSignedIn


@dataclass(frozen=True)
class SessionStatus:
    session: SsoSession
    signed_in: bool
    expires_at: float | None  # access token, epoch seconds
    can_refresh: bool | None  # refresh token in the keyring; None if it could not be read
    problem: str | None = None  # a line saying why not signed in / what failed
    keyring_error: str | None = None  # reading the keyring failed (then can_refresh is None)
    # check=True: the service accepted the token (True), refused it (False), or
    # could not be asked (None, with ``problem`` saying why); None without check.
    confirmed: bool | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "session": self.session.key,
            "name": self.session.name,
            "start_url": self.session.start_url,
            "region": self.session.region,
            "signed_in": self.signed_in,
            "expires_at": tokens.format_time(self.expires_at) if self.expires_at else None,
            "expires_epoch": int(self.expires_at) if self.expires_at else None,
            "can_refresh": self.can_refresh,
            "problem": self.problem,
            "keyring_error": self.keyring_error,
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True)
class Keyring:
    name: str
    usable: bool
    detail: str


@dataclass(frozen=True)
class StatusReport:
    sessions: list[SessionStatus]
    keyring: Keyring

    @property
    def all_signed_in(self) -> bool:
        return bool(self.sessions) and all(s.signed_in for s in self.sessions)

    def to_json(self) -> dict[str, object]:
        return {
            "sessions": [s.to_json() for s in self.sessions],
            "keyring": {"backend": self.keyring.name, "usable": self.keyring.usable,
                        "detail": self.keyring.detail},
            "all_signed_in": self.all_signed_in,
        }


def ask_service(env: Environment, session: SsoSession, token: tokens.AccessToken) -> bool:
    """Does the portal accept ``token``? One ListAccounts call, no retries.

    False after a 401 (the token is dropped first, as on any portal 401); a
    network or service failure raises ServiceError.
    """
    from awsenv.auth import clients

    try:
        clients.portal(env, session.region, attempts=1).list_accounts(
            accessToken=token.token, maxResults=1)
    except Exception as exc:
        if clients.error_code(exc) == "UnauthorizedException":
            tokens.drop(env, session)
            return False
        raise clients.service_error(exc, "the sign-in check", session.region) from None
    return True


def session_status(env: Environment, session: SsoSession, *,
                   check: bool = False) -> SessionStatus:
    from awsenv.auth import secrets

    assert env.paths is not None
    can_refresh: bool | None
    problem: str | None = None
    keyring_error: str | None = None
    try:
        stored = secrets.load(session.key)
        can_refresh = bool(stored and stored.refresh_token)
    except KeyringError as exc:
        can_refresh, keyring_error = None, exc.line()
    try:
        token = tokens.access_token(env, session)
        if not check:
            return SessionStatus(session, True, token.expires_at, can_refresh, None,
                                 keyring_error)
        if not ask_service(env, session, token):
            # Refused: renewed if the service still honours the refresh token (else
            # NotSignedIn below), and that token must pass too.
            token = tokens.access_token(env, session)
            if not ask_service(env, session, token):
                raise tokens.ended(session, "was refused by Identity Center")
        return SessionStatus(session, True, token.expires_at, can_refresh, None,
                             keyring_error, confirmed=True)
    except NotSignedIn as exc:
        problem = exc.line()
    except AwsenvError as exc:  # network or keyring trouble during a refresh
        problem = exc.line()
    cached = tokens.read_cached(env.paths, session)
    expires = cached.expires_at if cached is not None else None
    if expires is not None and expires > env.now():
        # A transient failure left a token with time left: still usable (unconfirmed).
        return SessionStatus(session, True, expires, can_refresh, problem, keyring_error)
    # A refused refresh may just have removed the refresh token; read again.
    if can_refresh:
        try:
            stored = secrets.load(session.key)
            can_refresh = bool(stored and stored.refresh_token)
        except KeyringError:
            pass
    return SessionStatus(session, False, expires, can_refresh, problem, keyring_error)


def status(env: Environment, sessions: list[SsoSession], *, check: bool = False) -> StatusReport:
    """Each session's state; ``check`` asks the service about every signed-in one."""
    from awsenv.auth import secrets

    info = secrets.backend_info()
    found = [session_status(env, s, check=check) for s in sessions]
    keyring = Keyring(info.name, info.usable, info.detail)
    failed = next((s.keyring_error for s in found if s.keyring_error), None)
    if failed and keyring.usable:
        # The backend loads, but reading this session's entry failed: say so.
        keyring = Keyring(info.name, False, failed)
    return StatusReport(found, keyring)
