"""sso-oidc: client registration, device and PKCE sign-in, token refresh.

Semantics follow the protocol reference §1–§3: refresh tokens only for
clients registered with scopes, rotation on every use, the Identity Center
session outliving access tokens but not forever, device codes that really
expire (the AWS CLI has no client-side timeout), PKCE with S256 only and an
identical redirect URI (port included) at the token step.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
import uuid
from urllib.parse import urlencode, urlsplit

from awsenv.emulator import state as st
from awsenv.emulator.wire import OidcError, Request, Response, required

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
KNOWN_GRANTS = frozenset({"authorization_code", "refresh_token", DEVICE_GRANT})
_SCOPE = re.compile(r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.*-]+)+$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


# The regional endpoint a request was sent to, when it came by AWS's own host name
# (a client behind a proxy playing them; tests/interop/_tlsproxy.py).
_REGIONAL_HOST = re.compile(r"(?:oidc|portal\.sso)\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")


def asked_region(state: st.State, req: Request) -> str:
    """The region the client asked for: from a real regional Host name, else the
    instance's own region (a loopback URL names no region)."""
    host = (req.headers.get("Host") or "").rsplit(":", 1)[0].lower()
    m = _REGIONAL_HOST.fullmatch(host)
    return m.group(1) if m else state.region


def elsewhere(state: st.State, client: st.Client) -> bool:
    """A client registered in another region than the instance's own (a wrong
    ``sso_region``): AWS registers it and starts its sign-ins, but the person's
    approval, made at the instance's portal, fails there with invalid_grant
    ("Invalid grant provided") and never reaches the client's region."""
    return bool(client.region) and client.region != state.region


def _invalid_client(message: str = "Invalid client") -> OidcError:
    return OidcError("InvalidClientException", "invalid_client", message, status=401)


def _invalid_grant(message: str) -> OidcError:
    return OidcError("InvalidGrantException", "invalid_grant", message)


def _interval(value: float) -> int:
    # The API field is an integer (botocore truncates floats): round sub-second knobs up.
    return math.ceil(value)


def is_loopback_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def redirect_matches(registered: tuple[str, ...], uri: str) -> bool:
    """RFC 8252 §7.3: any port on a registered loopback redirect URI."""
    if not is_loopback_uri(uri):
        return False
    got = urlsplit(uri)
    for reg in registered:
        want = urlsplit(reg)
        if (want.scheme, want.hostname, want.path or "/") == (
                got.scheme, got.hostname, got.path or "/"):
            return True
    return False


def check_client(state: st.State, client_id: str, client_secret: str | None,
                 region: str | None = None) -> st.Client:
    """The registered client; InvalidClient (401) if unknown (in ``region``: registrations
    are regional), wrong secret or expired."""
    with state.lock:
        client = state.clients.get(client_id)
    if client is None or (region is not None and client.region
                          and client.region != region):
        raise _invalid_client("Invalid client")
    if client_secret is not None and not hmac.compare_digest(client.client_secret,
                                                            client_secret):
        raise _invalid_client("Invalid client credentials")
    if client.expires_at <= state.now():
        raise _invalid_client("Client registration has expired")
    return client


def _require_grant(client: st.Client, grant: str) -> None:
    # No grantTypes at registration = the device-flow client the AWS CLI registers.
    allowed = client.grant_types or (DEVICE_GRANT, "refresh_token")
    if grant not in allowed:
        raise OidcError("UnauthorizedClientException", "unauthorized_client",
                        f"Client is not authorized for grant type {grant}")


def register_client(state: st.State, req: Request) -> Response:
    data = req.json()
    name, client_type = required(data, "clientName", "clientType")
    if client_type != "public":
        raise OidcError("InvalidClientMetadataException", "invalid_client_metadata",
                        "Invalid client type: only public clients are supported")
    scopes = data.get("scopes") or []
    grants = data.get("grantTypes") or []
    redirects = data.get("redirectUris") or []
    for value, label in ((scopes, "scopes"), (grants, "grantTypes"),
                         (redirects, "redirectUris")):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise OidcError("InvalidRequestException", "invalid_request",
                            f"Invalid parameter: {label}")
    bad_scope = next((s for s in scopes if not _SCOPE.match(s)), None)
    if bad_scope is not None:
        raise OidcError("InvalidScopeException", "invalid_scope",
                        f"Invalid scope: {bad_scope}")
    bad_grant = next((g for g in grants if g not in KNOWN_GRANTS), None)
    if bad_grant is not None:
        raise OidcError("InvalidClientMetadataException", "invalid_client_metadata",
                        f"Unsupported grant type: {bad_grant}")
    bad_uri = next((u for u in redirects if not is_loopback_uri(u)), None)
    if bad_uri is not None:
        raise OidcError("InvalidRedirectUriException", "invalid_redirect_uri",
                        "Redirect URI must be an http loopback address")
    if "authorization_code" in grants and not redirects:
        raise OidcError("InvalidClientMetadataException", "invalid_client_metadata",
                        "authorization_code grant requires redirectUris")
    now = int(state.now())
    client = st.Client(
        client_id=st.new_client_id(), client_secret=st.new_client_secret(), name=name,
        scopes=tuple(scopes), grant_types=tuple(grants), redirect_uris=tuple(redirects),
        issued_at=now, expires_at=now + state.knobs.registration_ttl,
        region=asked_region(state, req))
    with state.lock:
        state.clients[client.client_id] = client
    return Response.json({
        "clientId": client.client_id,
        "clientSecret": client.client_secret,
        "clientIdIssuedAt": client.issued_at,
        "clientSecretExpiresAt": client.expires_at,
        "authorizationEndpoint": f"{state.base_url}/authorize",
        "tokenEndpoint": f"{state.base_url}/token",
    })


def _same_start_url(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        return u.split("#", 1)[0].rstrip("/").lower()
    return norm(a) == norm(b)


def start_device_authorization(state: st.State, req: Request) -> Response:
    data = req.json()
    client_id, client_secret, start_url = required(data, "clientId", "clientSecret",
                                                   "startUrl")
    client = check_client(state, client_id, client_secret, asked_region(state, req))
    _require_grant(client, DEVICE_GRANT)
    if not _same_start_url(start_url, state.start_url):
        raise OidcError("InvalidRequestException", "invalid_request",
                        "Invalid start URL")
    knobs = state.knobs
    with state.lock:
        user_code = st.new_user_code()
        while any(d.user_code == user_code for d in state.devices.values()):
            user_code = st.new_user_code()
        device = st.DeviceAuth(st.new_device_code(), user_code, client_id,
                               expires_at=state.now() + knobs.device_code_ttl)
        if knobs.auto_approve and not elsewhere(state, client):
            device.status = "denied" if knobs.deny_approvals else "approved"
        state.devices[device.device_code] = device
    verification = knobs.verification_uri or f"{state.base_url}/device"
    return Response.json({
        "deviceCode": device.device_code,
        "userCode": user_code,
        "verificationUri": verification,
        "verificationUriComplete": f"{verification}?{urlencode({'user_code': user_code})}",
        "expiresIn": knobs.device_code_ttl,
        "interval": _interval(knobs.device_interval),
    })


def decide_device(state: st.State, user_code: str, approve: bool) -> bool:
    """Approve/deny a pending device authorization; False if no such pending code,
    or when its client is registered in another region (``misrouted``)."""
    code = st.normalize_user_code(user_code)
    with state.lock:
        for device in state.devices.values():
            if (device.user_code == code and device.status == "pending"
                    and device.expires_at > state.now()):
                if misrouted(state, device):
                    return False
                device.status = "approved" if approve else "denied"
                return True
    return False


def misrouted(state: st.State, device: st.DeviceAuth) -> bool:
    """The device code belongs to a client of another region: its approval fails."""
    with state.lock:
        client = state.clients.get(device.client_id)
    return client is not None and elsewhere(state, client)


def pending_device(state: st.State, user_code: str) -> st.DeviceAuth | None:
    code = st.normalize_user_code(user_code)
    with state.lock:
        return next((d for d in state.devices.values() if d.user_code == code
                     and d.status == "pending" and d.expires_at > state.now()), None)


def pending_user_codes(state: st.State) -> list[str]:
    with state.lock:
        now = state.now()
        return [d.user_code for d in state.devices.values()
                if d.status == "pending" and d.expires_at > now]


def issue_tokens(state: st.State, client: st.Client, session: st.Session | None = None,
                 old_refresh: st.RefreshToken | None = None) -> dict[str, object]:
    """Access token (+ refresh token for scoped clients), creating a session on sign-in."""
    knobs = state.knobs
    with state.lock:
        now = state.now()
        if session is None:
            session = st.Session(uuid.uuid4().hex, knobs.user_name, now + knobs.session_ttl)
            state.sessions[session.session_id] = session
        access = st.AccessToken(st.new_access_token(), session.session_id, client.client_id,
                                now + knobs.access_token_ttl)
        state.access_tokens[access.token] = access
        out: dict[str, object] = {"accessToken": access.token, "tokenType": "Bearer",
                                  "expiresIn": knobs.access_token_ttl}
        if old_refresh is not None and not knobs.refresh_rotation:
            out["refreshToken"] = old_refresh.token
        elif client.scopes:
            if old_refresh is not None:
                old_refresh.valid = False
            refresh = st.RefreshToken(st.new_refresh_token(), session.session_id,
                                      client.client_id)
            state.refresh_tokens[refresh.token] = refresh
            out["refreshToken"] = refresh.token
        return out


def create_token(state: st.State, req: Request) -> tuple[Response, str]:
    """CreateToken; also returns the grant name for the per-grant counter."""
    data = req.json()
    client_id, client_secret, grant = required(data, "clientId", "clientSecret", "grantType")
    sub = {DEVICE_GRANT: "device_code"}.get(grant, grant)
    if grant not in KNOWN_GRANTS:
        raise OidcError("UnsupportedGrantTypeException", "unsupported_grant_type",
                        f"Unsupported grant type: {grant}")
    client = check_client(state, client_id, client_secret, asked_region(state, req))
    _require_grant(client, grant)
    if grant == DEVICE_GRANT:
        return Response.json(_device_grant(state, client, data)), sub
    if grant == "authorization_code":
        return Response.json(_code_grant(state, client, data)), sub
    return Response.json(_refresh_grant(state, client, data)), sub


def _device_grant(state: st.State, client: st.Client, data: dict[str, object]) -> dict:
    (device_code,) = required(data, "deviceCode")
    with state.lock:
        device = state.devices.get(device_code)
        now = state.now()
        if device is None or device.client_id != client.client_id:
            raise _invalid_grant("Invalid device code provided")
        if device.status == "consumed":
            raise _invalid_grant("Device code has already been used")
        if device.expires_at <= now:
            raise OidcError("ExpiredTokenException", "expired_token",
                            "Device code has expired")
        if device.status == "denied":
            raise OidcError("AccessDeniedException", "access_denied",
                            "Authorization was denied")
        too_fast = (device.last_poll is not None
                    and now - device.last_poll < state.knobs.device_interval)
        device.last_poll = now
        if device.status == "pending":
            if too_fast:
                raise OidcError("SlowDownException", "slow_down",
                                "Client is polling too quickly")
            raise OidcError("AuthorizationPendingException", "authorization_pending",
                            "Authorization is still pending")
        device.status = "consumed"
        return issue_tokens(state, client)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _code_grant(state: st.State, client: st.Client, data: dict[str, object]) -> dict:
    code, redirect_uri, verifier = required(data, "code", "redirectUri", "codeVerifier")
    with state.lock:
        auth = state.auth_codes.get(code)
        if auth is None or auth.client_id != client.client_id or auth.used:
            raise _invalid_grant("Invalid authorization code provided")
        auth.used = True  # single use, even when the rest of the request is wrong
        if auth.expires_at <= state.now():
            raise _invalid_grant("Authorization code has expired")
    if redirect_uri != auth.redirect_uri:
        raise _invalid_grant("Redirect URI does not match the authorization request")
    if not hmac.compare_digest(pkce_challenge(verifier), auth.challenge):
        raise _invalid_grant("Code verifier does not match the code challenge")
    return issue_tokens(state, client)


def _refresh_grant(state: st.State, client: st.Client, data: dict[str, object]) -> dict:
    (token,) = required(data, "refreshToken")
    with state.lock:
        refresh = state.refresh_tokens.get(token)
        if refresh is None or not refresh.valid or refresh.client_id != client.client_id:
            raise _invalid_grant("Invalid refresh token provided")
        session = state.sessions.get(refresh.session_id)
        if session is None or session.revoked or session.expires_at <= state.now():
            refresh.valid = False
            raise _invalid_grant("The session has expired; sign in again")
        return issue_tokens(state, client, session=session, old_refresh=refresh)


# -- browser side: /authorize (PKCE) ---------------------------------------------------

class AuthorizePageError(Exception):
    """A request we must not redirect for (unknown client, unregistered redirect URI)."""


class InvalidGrantPage(AuthorizePageError):
    """What the portal shows for a client of another region: "Invalid grant provided"."""

    def __init__(self) -> None:
        super().__init__("invalid_grant: Invalid grant provided")


def begin_authorize(state: st.State, req: Request) -> st.AuthRequest | Response:
    """Validate an /authorize visit; a redirect Response for errors the client should see."""
    client_id = req.arg("client_id") or ""
    redirect_uri = req.arg("redirect_uri") or ""
    with state.lock:
        client = state.clients.get(client_id)
    if client is None or client.expires_at <= state.now():
        raise AuthorizePageError("Unknown or expired client_id")
    if not redirect_matches(client.redirect_uris, redirect_uri):
        raise AuthorizePageError("redirect_uri is not registered for this client")
    if elsewhere(state, client):
        # The person signs in at the instance's portal; the grant for a client of
        # another region fails there, and the browser is never sent back.
        raise InvalidGrantPage()
    oauth_state = req.arg("state") or ""
    challenge = req.arg("code_challenge") or ""
    if (req.arg("response_type") != "code" or req.arg("code_challenge_method") != "S256"
            or not challenge or "authorization_code" not in client.grant_types):
        return Response.redirect(_with_query(redirect_uri, {
            "error": "invalid_request", "state": oauth_state}))
    auth = st.AuthRequest(secrets.token_urlsafe(16), client_id, redirect_uri, oauth_state,
                          challenge, req.arg("scopes") or req.arg("scope") or "")
    with state.lock:
        state.auth_requests[auth.request_id] = auth
    return auth


def finish_authorize(state: st.State, request_id: str, approve: bool) -> Response | None:
    """Redirect back to the client with a code or access_denied; None if no such request."""
    with state.lock:
        auth = state.auth_requests.pop(request_id, None)
        if auth is None:
            return None
        if not approve:
            return Response.redirect(_with_query(auth.redirect_uri, {
                "error": "access_denied", "state": auth.state}))
        code = st.AuthCode(secrets.token_urlsafe(32), auth.client_id, auth.redirect_uri,
                           auth.challenge, state.now() + state.knobs.auth_code_ttl)
        state.auth_codes[code.code] = code
    return Response.redirect(_with_query(auth.redirect_uri, {
        "code": code.code, "state": auth.state}))


def _with_query(uri: str, params: dict[str, str]) -> str:
    sep = "&" if urlsplit(uri).query else "?"
    return f"{uri}{sep}{urlencode(params)}"
