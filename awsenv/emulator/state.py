"""Everything the emulated Identity Center remembers, behind one lock.

Handlers run on server threads and tests poke the same state from theirs
(``approve``, ``revoke_all``, ``configure``), so every read-modify-write goes
through ``State.lock``. Time is ``State.now()``: the wall clock plus an offset
tests can advance, so lifetimes can be crossed without sleeping.
"""

from __future__ import annotations

import random
import secrets
import string
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, fields

from awsenv.emulator.directory import Directory

DEFAULT_START_URL = "https://d-1234567890.awsapps.com/start"
DEFAULT_REGION = "us-east-1"

_B64URL = string.ascii_letters + string.digits + "-_"
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
_KEY_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class Knobs:
    """Behaviour switches; all settable at start and at run time (``configure``)."""

    latency_ms: int = 0
    throttle_rate: float = 0.0  # fraction of portal calls answered 429
    tps_limit: float = 0.0  # token bucket over portal calls; 0 = unlimited (AWS: 20)
    error_rate: float = 0.0  # fraction of calls answered 500 ...
    error_operations: frozenset[str] = frozenset()  # ... among these ops (empty = all)
    seed: int | None = None  # makes throttle/error decisions reproducible
    access_token_ttl: int = 8 * 3600
    refresh_rotation: bool = True
    session_ttl: int = 8 * 3600  # the Identity Center session behind refresh tokens
    credential_ttl: int = 3600
    # AssumeRole credentials live this long instead of DurationSeconds (0 = as asked):
    # lets tests cross a chained session's refresh without waiting 15 minutes.
    assume_role_ttl: int = 0
    registration_ttl: int = 90 * 86400
    device_interval: float = 1  # enforced as is; sent rounded up (the field is an integer)
    device_code_ttl: int = 600
    auth_code_ttl: int = 300
    auto_approve: bool = False
    deny_approvals: bool = False  # auto/page approvals become denials
    malformed: frozenset[str] = frozenset()  # "Op" → truncated JSON, "Op:missing" → {}
    # Regions whose STS this endpoint also answers for, besides the emulator's own
    # ``region``: a request signed for any other region is refused, as a regional
    # STS endpoint refuses it (one loopback URL stands in for every regional one).
    sts_regions: frozenset[str] = frozenset()
    user_name: str = "awsenv-user"
    # Answered as StartDeviceAuthorization's verificationUri (and, with
    # ?user_code=..., verificationUriComplete) instead of the emulator's page:
    # tests hand the client a hostile service answer with it.
    verification_uri: str = ""

    @classmethod
    def names(cls) -> set[str]:
        return {f.name for f in fields(cls)}

    def update(self, values: dict[str, object]) -> None:
        """Coerce and apply; unknown names raise so typos in tests fail loudly."""
        unknown = set(values) - self.names()
        if unknown:
            raise ValueError(f"unknown emulator knob(s): {', '.join(sorted(unknown))}")
        for name, value in values.items():
            current = getattr(self, name)
            if name in ("error_operations", "malformed", "sts_regions"):
                if isinstance(value, str):
                    value = [v for v in value.split(",") if v]
                value = frozenset(str(v) for v in (value or ()))
            elif name == "seed":
                value = None if value is None else int(value)  # type: ignore[call-overload]
            elif isinstance(current, bool):
                if isinstance(value, str):
                    value = value.lower() in ("1", "true", "yes", "on")
                value = bool(value)
            elif name in ("user_name", "verification_uri"):
                value = str(value)
            elif isinstance(current, (int, float)) and not isinstance(current, bool):
                value = float(value) if name in (  # type: ignore[arg-type]
                    "throttle_rate", "error_rate", "tps_limit", "device_interval") \
                    else int(value)  # type: ignore[call-overload]
            setattr(self, name, value)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = sorted(v) if isinstance(v, frozenset) else v
        return out


@dataclass
class Client:
    client_id: str
    client_secret: str
    name: str
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    issued_at: int
    expires_at: int
    # The region whose sso-oidc endpoint registered it (the Host a client reached
    # through a proxy playing AWS's names; the instance's own region otherwise).
    region: str = ""


@dataclass
class DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    expires_at: float
    status: str = "pending"  # pending | approved | denied | consumed
    last_poll: float | None = None


@dataclass
class AuthRequest:
    """A browser /authorize visit waiting for Approve/Deny on the page."""

    request_id: str
    client_id: str
    redirect_uri: str
    state: str
    challenge: str
    scopes: str


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float
    used: bool = False


@dataclass
class Session:
    """The Identity Center session one sign-in creates; tokens die with it."""

    session_id: str
    user_name: str
    expires_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    session_id: str
    client_id: str
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    session_id: str
    client_id: str
    valid: bool = True


@dataclass
class RoleCredential:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    role_name: str
    user_name: str
    expires_at: float  # epoch seconds
    # Set for credentials STS AssumeRole issued (empty: the portal's Identity Center
    # role): the IAM role's ARN (with its path), the RoleSessionName, and the ARN of
    # the role session that asked. Every AssumeRole made with role credentials is
    # role chaining (AWS: one hour at most, no console SessionDuration).
    role_arn: str = ""
    session_name: str = ""
    source_arn: str = ""

    @property
    def chained(self) -> bool:
        return bool(self.role_arn)


@dataclass
class SigninToken:
    token: str
    credential: RoleCredential
    expires_at: float
    used: bool = False
    session_duration: int | None = None  # the console session asked for (SessionDuration)


@dataclass
class State:
    directory: Directory
    knobs: Knobs
    start_url: str = DEFAULT_START_URL
    region: str = DEFAULT_REGION
    base_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock_offset: float = 0.0
    clients: dict[str, Client] = field(default_factory=dict)
    devices: dict[str, DeviceAuth] = field(default_factory=dict)  # by device code
    auth_requests: dict[str, AuthRequest] = field(default_factory=dict)
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    credentials: dict[str, RoleCredential] = field(default_factory=dict)  # by key id
    signin_tokens: dict[str, SigninToken] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)
    rng: random.Random = field(default_factory=random.Random)
    _bucket: float = 0.0
    _bucket_at: float = 0.0

    def now(self) -> float:
        return time.time() + self.clock_offset

    def sts_regions(self) -> frozenset[str]:
        """The regions a SigV4 scope may name here: the emulator's own and ``sts_regions``."""
        return self.knobs.sts_regions | {self.region}

    def reseed(self) -> None:
        self.rng = random.Random(self.knobs.seed)

    # -- fault decisions -----------------------------------------------------------

    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        if rate >= 1:
            return True
        with self.lock:
            return self.rng.random() < rate

    def take_tps_token(self) -> bool:
        """Token bucket over real time: burst of one second's worth, like AWS quotas."""
        limit = self.knobs.tps_limit
        if limit <= 0:
            return True
        with self.lock:
            mono = time.monotonic()
            if self._bucket_at == 0.0:
                self._bucket, self._bucket_at = limit, mono
            self._bucket = min(limit, self._bucket + (mono - self._bucket_at) * limit)
            self._bucket_at = mono
            if self._bucket >= 1:
                self._bucket -= 1
                return True
            return False

    # -- token lookups ---------------------------------------------------------------

    def live_access_token(self, token: str | None) -> AccessToken | None:
        """The token if it, its session and its client are all still valid."""
        if not token:
            return None
        with self.lock:
            at = self.access_tokens.get(token)
            if at is None or at.expires_at <= self.now():
                return None
            session = self.sessions.get(at.session_id)
            if session is None or session.revoked or session.expires_at <= self.now():
                return None
            return at

    def revoke_session(self, session_id: str) -> None:
        with self.lock:
            session = self.sessions.get(session_id)
            if session:
                session.revoked = True
            for rt in self.refresh_tokens.values():
                if rt.session_id == session_id:
                    rt.valid = False
            for token in [t for t, at in self.access_tokens.items()
                          if at.session_id == session_id]:
                del self.access_tokens[token]


# -- identifiers ---------------------------------------------------------------------

def random_b64(n: int) -> str:
    return "".join(secrets.choice(_B64URL) for _ in range(n))


def new_client_id() -> str:
    return random_b64(22)


def new_client_secret() -> str:
    # Real secrets are long JWTs; the length exercises keyring chunking in clients.
    return "eyJraWQiOiJrZXktZW11bGF0b3IiLCJhbGciOiJIUzM4NCJ9." + random_b64(1100) + "." + \
        random_b64(64)


def new_access_token() -> str:
    return "aoa" + random_b64(300) + ":" + random_b64(96)


def new_refresh_token() -> str:
    return "aor" + random_b64(420) + ":" + random_b64(96)


def new_device_code() -> str:
    return random_b64(43)


def new_user_code() -> str:
    raw = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_user_code(code: str) -> str:
    raw = "".join(c for c in code.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else code.strip().upper()


def new_access_key_id() -> str:
    return "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits + "+/")
                   for _ in range(40))


def new_session_token() -> str:
    return "IQoJb3JpZ2luX2VjE" + random_b64(600)
