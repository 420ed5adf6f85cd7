"""IMDSv2's session tokens and answer shapes, for `awsenv serve --imds`.

IMDSv2 hands out credentials only to a caller that first made a ``PUT`` with a
TTL header (a plain ``GET`` through an open proxy or a server-side request
forgery cannot); a ``GET`` without a live token gets a 401, as on an instance
that requires IMDSv2. The paths and header names are the ones botocore
(``utils.IMDSFetcher``) and the JavaScript SDK (``@smithy/credential-provider-imds``)
send.
"""

from __future__ import annotations

import secrets
import threading
import time

from awsenv.creds.model import RoleCredentials, iso_z

TOKEN_PATH = "/latest/api/token"
CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TTL = 21600  # six hours: the service's own bound
MAX_TOKENS = 4096  # live tokens kept; the oldest go first (a loop of PUTs cannot grow memory)


class SessionTokens:
    """Live IMDSv2 session tokens and their ends (monotonic clock)."""

    def __init__(self, clock: object = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, ttl: int) -> str:
        token = secrets.token_urlsafe(32)
        now = self._now()
        with self._lock:
            for old in [t for t, end in self._tokens.items() if end <= now]:
                del self._tokens[old]
            while len(self._tokens) >= MAX_TOKENS:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[token] = now + ttl
        return token

    def valid(self, token: str | None) -> bool:
        """True for a live token; compared in constant time against each live one."""
        if not token:
            return False
        given = token.encode("utf-8", "surrogateescape")
        now = self._now()
        with self._lock:
            live = [t for t, end in self._tokens.items() if end > now]
        found = False
        for candidate in live:
            found |= secrets.compare_digest(candidate.encode("ascii"), given)
        return found

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]


def parse_ttl(value: str | None) -> int | None:
    """The requested TTL in seconds (1..21600), or None when missing or invalid (400)."""
    text = (value or "").strip()
    # ASCII digits only, and short: str.isdigit() takes '²' (int() then raises) and
    # int() of thousands of digits is refused by Python's conversion limit.
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        return None
    ttl = int(text)
    return ttl if 1 <= ttl <= MAX_TTL else None


def credentials_document(creds: RoleCredentials) -> dict[str, str]:
    """The JSON an instance's security-credentials path answers with."""
    return {
        "Code": "Success",
        "LastUpdated": iso_z(creds.fetched_at),
        "Type": "AWS-HMAC",
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": iso_z(creds.expiration),
        "AccountId": creds.account_id,
    }
