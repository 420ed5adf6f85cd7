"""What awsenv understands of the user's AWS config: sessions and profiles.

Plain dataclasses, shared by every part of awsenv (and cached alongside role
credentials), so this module stays stdlib-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_SCOPES: tuple[str, ...] = ("sso:account:access",)

ProfileKind = Literal["native", "legacy", "awsenv", "other"]


@dataclass(frozen=True)
class SsoSession:
    """One IAM Identity Center sign-in.

    ``key`` names the sign-in everywhere (keyring service, AWS CLI token cache
    file name): the ``[sso-session NAME]`` name, or for legacy inline profiles
    the start URL exactly as configured, which is what the AWS CLI uses.
    """

    key: str
    name: str | None
    start_url: str
    region: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @property
    def legacy(self) -> bool:
        return self.name is None


@dataclass(frozen=True)
class Profile:
    """A profile that resolves to one role in one account through a session.

    kind: ``native`` (sso_session + sso_account_id/sso_role_name), ``legacy``
    (sso_start_url inline), ``awsenv`` (credential_process profile written by
    ``awsenv sync``, identity in ``awsenv_*`` keys), ``other`` (not SSO).
    """

    name: str
    kind: ProfileKind
    session: SsoSession | None = None
    account_id: str | None = None
    role_name: str | None = None
    region: str | None = None
