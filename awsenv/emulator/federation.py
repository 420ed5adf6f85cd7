"""Console federation endpoint (``/federation``), as aws-vault-style ``console`` uses it.

``getSigninToken`` only accepts credentials the portal issued and that are
still valid; ``SessionDuration`` (900..43200) is honoured for Identity Center
role credentials and refused for role-chained ones, the way AWS refuses it, so
clients learn to omit it there.
``login`` spends the sign-in token once and says who got signed in where.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets

from awsenv.emulator import state as st
from awsenv.emulator.wire import PlainError, Request, Response

SIGNIN_TOKEN_TTL = 15 * 60


def handle(state: st.State, req: Request) -> tuple[Response, str]:
    action = req.arg("Action") or ""
    if action == "getSigninToken":
        return get_signin_token(state, req), "GetSigninToken"
    if action == "login":
        return login(state, req), "FederationLogin"
    raise PlainError(400, f"Unsupported Action: {action or '(none)'}")


def get_signin_token(state: st.State, req: Request) -> Response:
    raw = req.arg("Session")
    try:
        session = json.loads(raw or "")
        key_id, secret, token = (session["sessionId"], session["sessionKey"],
                                 session["sessionToken"])
    except (ValueError, TypeError, KeyError) as exc:
        raise PlainError(400, "Invalid credentials parameter") from exc
    with state.lock:
        cred = state.credentials.get(str(key_id))
    if (cred is None
            or not hmac.compare_digest(cred.secret_access_key.encode(), str(secret).encode())
            or not hmac.compare_digest(cred.session_token.encode(), str(token).encode())
            or cred.expires_at <= state.now()):
        raise PlainError(400, "Invalid credentials parameter")
    duration = req.arg("SessionDuration")
    # Role-chained credentials (AssumeRole with role credentials) cannot pick a
    # console duration (aws-sso-cli #1247, aws-vault #77); Identity Center role
    # credentials can, from 15 minutes to 12 hours.
    if duration is not None and (cred.chained or not duration.isdigit()
                                 or not 900 <= int(duration) <= 43200):
        raise PlainError(400, "Invalid credentials parameter")
    signin = st.SigninToken(secrets.token_urlsafe(96), cred,
                            state.now() + SIGNIN_TOKEN_TTL,
                            session_duration=int(duration) if duration else None)
    with state.lock:
        state.signin_tokens[signin.token] = signin
    return Response.json({"SigninToken": signin.token})


def login(state: st.State, req: Request) -> Response:
    token, destination = req.arg("SigninToken"), req.arg("Destination")
    if not token or not destination:
        raise PlainError(400, "SigninToken and Destination are required")
    with state.lock:
        signin = state.signin_tokens.get(token)
        if signin is None or signin.used or signin.expires_at <= state.now():
            raise PlainError(400, "Invalid or expired sign-in token")
        signin.used = True
    cred = signin.credential
    issuer = req.arg("Issuer") or ""
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Signed in</title></head>"
        f"<body><h1>Signed in as role {html.escape(cred.role_name)} in account "
        f"{html.escape(cred.account_id)}</h1>"
        f"<p>Session duration: {signin.session_duration or 'default'}</p>"
        f"<p>Destination: <a href='{html.escape(destination, quote=True)}'>"
        f"{html.escape(destination)}</a></p>"
        f"<p>Issuer: {html.escape(issuer)}</p></body></html>")
    return Response.html(page)
