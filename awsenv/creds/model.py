"""Role credentials as awsenv hands them out.

stdlib only. The cache hit itself skips this module (dataclasses costs
milliseconds) and answers through :mod:`awsenv.creds.record`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from awsenv.creds.record import credential_variables as record_variables
from awsenv.creds.record import iso_z, process_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["RoleCredentials", "iso_z", "process_json", "variables"]


@dataclass(frozen=True)
class RoleCredentials:
    """Credentials for one role, plus what they were resolved from.

    ``expiration`` and ``fetched_at`` are epoch seconds; ``fetched_at`` gives the
    role's lifetime, which sets how early the cache refreshes.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float
    fetched_at: float
    profile: str
    session_key: str
    account_id: str
    role_name: str
    region: str | None = None
    # The IAM role assumed when these came from role chaining (awsenv.creds.chain);
    # None for Identity Center role credentials. Chained sessions cannot pick a
    # console SessionDuration.
    role_arn: str | None = None

    @property
    def chained(self) -> bool:
        return self.role_arn is not None

    def __repr__(self) -> str:
        # Never let a secret reach a log line or traceback through repr().
        return (f"RoleCredentials(profile={self.profile!r}, account_id={self.account_id!r}, "
                f"role_name={self.role_name!r}, expiration={iso_z(self.expiration)!r})")

    @property
    def lifetime(self) -> float:
        return max(0.0, self.expiration - self.fetched_at)

    def remaining(self, now: float | None = None) -> float:
        return self.expiration - (time.time() if now is None else now)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoleCredentials:
        return cls(
            access_key_id=str(data["access_key_id"]),
            secret_access_key=str(data["secret_access_key"]),
            session_token=str(data["session_token"]),
            expiration=float(data["expiration"]),
            fetched_at=float(data["fetched_at"]),
            profile=str(data["profile"]),
            session_key=str(data["session_key"]),
            account_id=str(data["account_id"]),
            role_name=str(data["role_name"]),
            region=data.get("region") or None,
            role_arn=data.get("role_arn") or None,
        )

    def credential_variables(self) -> dict[str, str]:
        """The four ``export-credentials`` variables (see :func:`record.credential_variables`)."""
        return record_variables(self.to_dict())

    def process_output(self) -> str:
        """The ``credential_process`` JSON (sso-protocol.md §8): Version 1, ``Z`` expiry."""
        return process_json(self.to_dict())


def variables(creds: RoleCredentials) -> list[tuple[str, str | None]]:
    """The ``export-credentials`` variables (+ both region names when the profile has one)."""
    from awsenv.shells.exports import credential_variables

    return credential_variables(
        creds.access_key_id,
        creds.secret_access_key,
        creds.session_token,
        creds.expiration,
        creds.region,
    )
