"""Authorization code + PKCE, the test playing the browser against /authorize."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from emu_helpers import client

from awsenv.emulator import Emulator

CALLBACK = "http://127.0.0.1/oauth/callback"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, follow: bool = True, data: bytes | None = None) -> tuple[int, str, Any]:
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(
        _NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=10) as resp:
            return resp.status, resp.read().decode(), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


@pytest.fixture
def listener() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """The CLI's loopback callback server: bound before the 'browser' opens."""
    hits: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(parse_qs(urlsplit(self.path).query))
            body = b"done"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oauth/callback", hits
    server.shutdown()
    server.server_close()


def _verifier() -> tuple[str, str]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    verifier = "".join(secrets.choice(alphabet) for _ in range(64))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _register(emu: Emulator, oidc: Any) -> dict[str, Any]:
    return oidc.register_client(
        clientName="botocore-client-corp", clientType="public",
        grantTypes=["authorization_code", "refresh_token"], redirectUris=[CALLBACK],
        issuerUrl=emu.start_url, scopes=["sso:account:access"])


def _authorize_url(emu: Emulator, client_id: str, redirect_uri: str, state: str,
                   challenge: str) -> str:
    # Same parameters, order and encoding as the AWS CLI builds (reference §1.3).
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "state": state,
                       "code_challenge_method": "S256", "scopes": "sso:account:access",
                       "code_challenge": challenge}, quote_via=quote)
    return f"{emu.url}/authorize?{query}"


def _token(oidc: Any, reg: dict[str, Any], code: str, redirect_uri: str,
           verifier: str) -> dict[str, Any]:
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType="authorization_code", code=code,
                             redirectUri=redirect_uri, codeVerifier=verifier)


def test_pkce_end_to_end_with_real_callback(emu: Emulator, oidc: Any, listener: Any) -> None:
    emu.configure(auto_approve=True)
    redirect_uri, hits = listener
    reg = _register(emu, oidc)
    verifier, challenge = _verifier()
    state = str(uuid.uuid4())
    status, body, _ = _get(_authorize_url(emu, reg["clientId"], redirect_uri, state, challenge))
    assert (status, body) == (200, "done")  # the redirect reached our listener
    assert hits[0]["state"] == [state]
    tok = _token(oidc, reg, hits[0]["code"][0], redirect_uri, verifier)
    assert tok["accessToken"] and tok["refreshToken"]
    portal = client(emu, "sso")
    assert portal.list_accounts(accessToken=tok["accessToken"])["accountList"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        _token(oidc, reg, hits[0]["code"][0], redirect_uri, verifier)  # code is single-use
    assert emu.counters()["CreateToken:authorization_code"] == 2
    assert emu.counters()["Authorize"] == 1


def _code(emu: Emulator, reg: dict[str, Any], redirect_uri: str, challenge: str) -> str:
    status, _, headers = _get(_authorize_url(emu, reg["clientId"], redirect_uri, "s1",
                                             challenge), follow=False)
    assert status == 302
    location = headers["Location"]
    assert location.startswith(redirect_uri + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_verifier_mismatch_rejected(emu: Emulator, oidc: Any) -> None:
    emu.configure(auto_approve=True)
    reg = _register(emu, oidc)
    _, challenge = _verifier()
    redirect_uri = "http://127.0.0.1:45678/oauth/callback"
    code = _code(emu, reg, redirect_uri, challenge)
    with pytest.raises(oidc.exceptions.InvalidGrantException) as info:
        _token(oidc, reg, code, redirect_uri, _verifier()[0])
    assert "verifier" in info.value.response["error_description"]


def test_redirect_uri_mismatch_rejected(emu: Emulator, oidc: Any) -> None:
    emu.configure(auto_approve=True)
    reg = _register(emu, oidc)
    verifier, challenge = _verifier()
    code = _code(emu, reg, "http://127.0.0.1:45678/oauth/callback", challenge)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        # Same path, other port: must be identical at the token step.
        _token(oidc, reg, code, "http://127.0.0.1:45679/oauth/callback", verifier)


def test_approval_page_approve_and_deny(emu: Emulator, oidc: Any) -> None:
    reg = _register(emu, oidc)
    verifier, challenge = _verifier()
    redirect_uri = "http://127.0.0.1:45678/oauth/callback"
    url = _authorize_url(emu, reg["clientId"], redirect_uri, "st", challenge)
    for decision in ("deny", "approve"):
        status, page, _ = _get(url, follow=False)
        assert status == 200 and "Approve" in page
        rid = re.search(r"name='request_id' value='([^']+)'", page)
        assert rid
        form = urlencode({"request_id": rid.group(1), "decision": decision}).encode()
        status, _, headers = _get(f"{emu.url}/authorize", follow=False, data=form)
        assert status == 302
        query = parse_qs(urlsplit(headers["Location"]).query)
        assert query["state"] == ["st"]
        if decision == "deny":
            assert query["error"] == ["access_denied"]
        else:
            assert _token(oidc, reg, query["code"][0], redirect_uri, verifier)["accessToken"]


@pytest.mark.parametrize("bad", ["client", "path", "host"])
def test_authorize_refuses_unknown_client_or_redirect(emu: Emulator, oidc: Any,
                                                      bad: str) -> None:
    emu.configure(auto_approve=True)
    reg = _register(emu, oidc)
    client_id = "unknown" if bad == "client" else reg["clientId"]
    redirect = {"path": "http://127.0.0.1:4000/other",
                "host": "http://example.com:4000/oauth/callback"}.get(
        bad, "http://127.0.0.1:4000/oauth/callback")
    status, _, headers = _get(_authorize_url(emu, client_id, redirect, "s", "c" * 43),
                              follow=False)
    assert status == 400 and "Location" not in headers


def test_device_registration_cannot_use_authorize(emu: Emulator, oidc: Any) -> None:
    reg = oidc.register_client(clientName="d", clientType="public")
    with pytest.raises(oidc.exceptions.UnauthorizedClientException):
        _token(oidc, reg, "x", CALLBACK, "v" * 43)
