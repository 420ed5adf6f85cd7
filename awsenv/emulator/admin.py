"""``/__admin/*``: the Python API's actions over HTTP, for tests in other processes.

Bodies and answers are JSON; failures answer ``{"error": …}`` with 400/404.
The admin surface is loopback-only like the rest of the server.
"""

from __future__ import annotations

import json

from awsenv.emulator import oidc
from awsenv.emulator import state as st
from awsenv.emulator.wire import Request, Response


def _body(req: Request) -> dict[str, object]:
    if not req.body.strip():
        return {}
    data = json.loads(req.body)
    if not isinstance(data, dict):
        raise ValueError("admin body must be a JSON object")
    return data


def configure(state: st.State, values: dict[str, object]) -> None:
    with state.lock:
        state.knobs.update(values)
        if "seed" in values:
            state.reseed()


def revoke_all(state: st.State) -> int:
    with state.lock:
        ids = [s.session_id for s in state.sessions.values() if not s.revoked]
        for sid in ids:
            state.revoke_session(sid)
        return len(ids)


def expire_access_tokens(state: st.State) -> int:
    with state.lock:
        past = state.now() - 1
        for token in state.access_tokens.values():
            token.expires_at = min(token.expires_at, past)
        return len(state.access_tokens)


def sign_in(state: st.State, scopes: tuple[str, ...]) -> dict[str, object]:
    """A registered client plus fresh tokens, as a finished sign-in would hold."""
    now = int(state.now())
    client = st.Client(st.new_client_id(), st.new_client_secret(), "emulator-sign-in",
                       scopes, (), (), now, now + state.knobs.registration_ttl)
    with state.lock:
        state.clients[client.client_id] = client
    tokens = oidc.issue_tokens(state, client)
    return {"clientId": client.client_id, "clientSecret": client.client_secret,
            "clientSecretExpiresAt": client.expires_at, **tokens}


def handle(state: st.State, req: Request) -> Response:
    action = req.path[len("/__admin/"):].strip("/")
    try:
        data = _body(req) if req.method == "POST" else {}
        if req.method == "GET" and action == "counters":
            with state.lock:
                return Response.json(dict(state.counters))
        if req.method == "GET" and action == "pending":
            return Response.json({"user_codes": oidc.pending_user_codes(state)})
        if req.method == "GET" and action == "knobs":
            with state.lock:
                return Response.json(state.knobs.as_dict())
        if req.method != "POST":
            return Response.json({"error": f"unknown admin action {action}"}, 404)
        if action == "configure":
            configure(state, data)
            with state.lock:
                return Response.json(state.knobs.as_dict())
        if action == "reset-counters":
            with state.lock:
                state.counters.clear()
            return Response.json({})
        if action == "revoke-all":
            return Response.json({"revoked": revoke_all(state)})
        if action == "expire-access-tokens":
            return Response.json({"expired": expire_access_tokens(state)})
        if action == "advance-clock":
            seconds = float(data.get("seconds", 0))  # type: ignore[arg-type]
            with state.lock:
                state.clock_offset += seconds
            return Response.json({"offset": state.clock_offset})
        if action == "sign-in":
            scopes = data.get("scopes", ["sso:account:access"])
            if not isinstance(scopes, list):
                raise ValueError("scopes must be a list")
            return Response.json(sign_in(state, tuple(str(s) for s in scopes)))
        if action == "directory":
            from awsenv.emulator.directory import Directory

            directory = Directory.from_dict(data)
            with state.lock:
                state.directory = directory
            return Response.json({"accounts": len(directory)})
        if action in ("approve", "deny"):
            code = str(data.get("user_code", ""))
            if not oidc.decide_device(state, code, action == "approve"):
                return Response.json({"error": f"no pending user code {code!r}"}, 404)
            return Response.json({})
    except (ValueError, TypeError) as exc:
        return Response.json({"error": str(exc)}, 400)
    return Response.json({"error": f"unknown admin action {action}"}, 404)
