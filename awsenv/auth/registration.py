"""The OIDC client registration of a session, split by sensitivity.

A registration lives ~90 days; reusing it spares a RegisterClient per login.
Its non-secret half (client id, expiry, scopes, grant types) is a 0600 JSON
file under ``Paths.cache_dir/registrations/``; the client secret is kept with
the refresh token in the keyring (``awsenv.auth.secrets``), because the two
are only useful together.

Flows need different registrations: PKCE needs ``authorization_code`` and a
loopback redirect URI; the device flow uses a registration without grant
restrictions, as the AWS CLI does. One registration is kept per session (the
one whose secret is in the keyring); switching flows registers anew, which
costs one unseen API call.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from awsenv import fsutil
from awsenv.awsconfig.model import SsoSession
from awsenv.environment import Environment

if TYPE_CHECKING:
    from awsenv.auth.secrets import SessionSecrets

Flow = Literal["pkce", "device"]

# Reuse only with this much life left, like the AWS CLI.
MIN_LIFETIME = 15 * 60
REDIRECT_URI = "http://127.0.0.1/oauth/callback"
PKCE_GRANTS: tuple[str, ...] = ("authorization_code", "refresh_token")
CLIENT_NAME_PREFIX = "awsenv"


@dataclass(frozen=True)
class Registration:
    client_id: str
    expires_at: float  # clientSecretExpiresAt, epoch seconds
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...]  # as registered; () = unrestricted (device flow)
    start_url: str
    region: str
    issued_at: float = 0.0
    redirect_uris: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flow(self) -> Flow:
        return "pkce" if "authorization_code" in self.grant_types else "device"

    def fits(self, session: SsoSession, flow: Flow | None, now: float) -> bool:
        """Usable for ``session`` (and ``flow``, if given) for at least 15 more minutes."""
        if self.expires_at - now <= MIN_LIFETIME:
            return False
        if (self.start_url, self.region) != (session.start_url, session.region):
            return False
        if tuple(sorted(self.scopes)) != tuple(sorted(session.scopes)):
            return False
        return flow is None or self.flow == flow

    def to_json(self) -> dict[str, object]:
        return {
            "v": 1,
            "clientId": self.client_id,
            "clientSecretExpiresAt": int(self.expires_at),
            "clientIdIssuedAt": int(self.issued_at),
            "scopes": list(self.scopes),
            "grantTypes": list(self.grant_types),
            "redirectUris": list(self.redirect_uris),
            "startUrl": self.start_url,
            "region": self.region,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Registration | None:
        try:
            client_id = data["clientId"]
            expires = float(data["clientSecretExpiresAt"])  # type: ignore[arg-type]
            start_url, region = data["startUrl"], data["region"]
            if not all(isinstance(v, str) and v for v in (client_id, start_url, region)):
                return None
            return cls(
                client_id=str(client_id), expires_at=expires,
                scopes=tuple(str(s) for s in data.get("scopes") or ()),  # type: ignore[union-attr]
                grant_types=tuple(str(g) for g in data.get("grantTypes") or ()),  # type: ignore[union-attr]
                start_url=str(start_url), region=str(region),
                issued_at=float(data.get("clientIdIssuedAt") or 0),  # type: ignore[arg-type]
                redirect_uris=tuple(str(u) for u in data.get("redirectUris") or ()),  # type: ignore[union-attr]
            )
        except (KeyError, TypeError, ValueError):
            return None


def path(env: Environment, session: SsoSession) -> Path:
    assert env.paths is not None
    name = hashlib.sha1(session.key.encode("utf-8")).hexdigest()
    return env.paths.cache_dir / "registrations" / f"{name}.json"


def load(env: Environment, session: SsoSession) -> Registration | None:
    data = fsutil.read_json(path(env, session))
    return Registration.from_json(data) if data is not None else None


def save(env: Environment, session: SsoSession, registration: Registration) -> None:
    fsutil.write_json(path(env, session), registration.to_json())


def delete(env: Environment, session: SsoSession) -> bool:
    return fsutil.remove(path(env, session))


def register(env: Environment, session: SsoSession, flow: Flow) -> tuple[Registration, str]:
    """RegisterClient for ``flow``; returns the registration and its client secret."""
    from awsenv.auth import clients

    client = clients.oidc(env, session.region)
    params: dict[str, object] = {
        "clientName": f"{CLIENT_NAME_PREFIX}-{session.name or 'legacy'}",
        "clientType": "public",
        "scopes": list(session.scopes),
    }
    if flow == "pkce":
        params.update(grantTypes=list(PKCE_GRANTS), redirectUris=[REDIRECT_URI],
                      issuerUrl=session.start_url)
    try:
        reply = client.register_client(**params)
    except Exception as exc:
        raise clients.service_error(exc, "client registration", session.region) from None
    clients.require(reply, "client registration", "clientId", "clientSecret",
                    "clientSecretExpiresAt")
    registration = Registration(
        client_id=reply["clientId"],
        expires_at=float(reply["clientSecretExpiresAt"]),
        scopes=tuple(session.scopes),
        grant_types=PKCE_GRANTS if flow == "pkce" else (),
        start_url=session.start_url,
        region=session.region,
        issued_at=float(reply.get("clientIdIssuedAt") or env.now()),
        redirect_uris=(REDIRECT_URI,) if flow == "pkce" else (),
    )
    return registration, reply["clientSecret"]


def for_login(env: Environment, session: SsoSession, flow: Flow,
              stored: SessionSecrets | None) -> tuple[Registration, str]:
    """The saved registration if it still fits ``flow`` and its secret is in the keyring."""
    current = load(env, session)
    if current is not None and stored is not None and current.fits(session, flow, env.now()):
        return current, stored.client_secret
    return register(env, session, flow)
