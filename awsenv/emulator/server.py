"""HTTP plumbing: routing, fault injection, counters, the stdlib server.

stdlib ``http.server`` on purpose: it keeps header names as sent, and the
portal's bearer header has an underscore that Werkzeug/gunicorn/nginx drop.
HTTP/1.1 keep-alive (botocore pools connections) needs an exact
``Content-Length`` on every answer, errors included.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from awsenv.emulator import admin, federation, oidc, pages, portal, sts
from awsenv.emulator import state as st
from awsenv.emulator.wire import (
    OidcError,
    PlainError,
    PortalError,
    Request,
    Response,
    StsError,
    WireError,
)

Handler = Callable[[st.State, Request], Response]

# (method, path) -> (operation name, service, handler). Service picks the error format.
ROUTES: dict[tuple[str, str], tuple[str, str, Handler]] = {
    ("POST", "/client/register"): ("RegisterClient", "oidc", oidc.register_client),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", "oidc",
                                        oidc.start_device_authorization),
    ("POST", "/token"): ("CreateToken", "oidc",
                         lambda s, r: oidc.create_token(s, r)[0]),
    ("GET", "/assignment/accounts"): ("ListAccounts", "portal", portal.list_accounts),
    ("GET", "/assignment/roles"): ("ListAccountRoles", "portal", portal.list_account_roles),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", "portal",
                                         portal.get_role_credentials),
    ("POST", "/logout"): ("Logout", "portal", portal.logout),
    ("POST", "/"): ("GetCallerIdentity", "sts", lambda s, r: sts.handle(s, r)[0]),
    ("GET", "/federation"): ("Federation", "federation",
                             lambda s, r: federation.handle(s, r)[0]),
    ("GET", "/authorize"): ("Authorize", "page", pages.authorize),
    ("POST", "/authorize"): ("AuthorizeDecision", "page", pages.authorize_decision),
    ("GET", "/device"): ("DeviceVerification", "page", pages.device_form),
    ("POST", "/device"): ("DeviceDecision", "page", pages.device_decision),
    ("GET", "/"): ("Index", "page", pages.index),
}


def _injected_error(service: str, status: int, op: str) -> WireError:
    if service == "oidc":
        return OidcError("InternalServerException", "server_error",
                         f"Injected failure in {op}", status=status)
    if service == "sts":
        return StsError("InternalFailure", f"Injected failure in {op}", status=status,
                        kind="Receiver")
    if service == "portal":
        return PortalError("InternalServerException", status, f"Injected failure in {op}")
    return PlainError(status, f"Injected failure in {op}")


def _op_name(op: str, req: Request) -> tuple[str, str | None]:
    """The counted name, plus a sub-count (``CreateToken:refresh_token``) when there is one."""
    if op == "CreateToken":
        try:
            grant = json.loads(req.body or b"{}").get("grantType")
        except (ValueError, AttributeError):
            grant = None
        if isinstance(grant, str):
            return op, f"CreateToken:{grant.rsplit(':', 1)[-1]}"
        return op, None
    if op == "GetCallerIdentity":
        action = (req.form().get("Action") or [""])[0]
        return (action or "STS"), None
    if op == "Federation":
        action = req.arg("Action")
        return {"getSigninToken": "GetSigninToken", "login": "FederationLogin"}.get(
            action or "", "Federation"), None
    return op, None


class App:
    """Dispatches one request: admin, or counters → faults → handler → malformed."""

    def __init__(self, state: st.State, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose

    def handle(self, req: Request) -> tuple[Response, str]:
        if req.path.startswith("/__admin/"):
            return admin.handle(self.state, req), "admin"
        route = ROUTES.get((req.method, req.path))
        if route is None:
            body = {"message": f"No route for {req.method} {req.path}",
                    "__type": "UnknownOperationException"}
            return Response(404, json.dumps(body).encode(), "application/json",
                            [("x-amzn-ErrorType", "UnknownOperationException")]), "unknown"
        op, service, handler = route
        name, sub = _op_name(op, req)
        knobs = self.state.knobs
        if knobs.latency_ms > 0 and service != "page":
            time.sleep(knobs.latency_ms / 1000)
        with self.state.lock:
            self.state.counters[name] += 1
            if sub:
                self.state.counters[sub] += 1
        try:
            self._faults(service, name)
            resp = handler(self.state, req)
        except WireError as err:
            return err.response(req.request_id), name
        return self._malform(name, resp), name

    def _faults(self, service: str, name: str) -> None:
        knobs, state = self.state.knobs, self.state
        if service == "portal":
            if not state.take_tps_token():
                raise PortalError("TooManyRequestsException", 429, "Rate exceeded")
            if state.chance(knobs.throttle_rate):
                raise PortalError("TooManyRequestsException", 429, "Rate exceeded")
        eligible = service != "page" and (not knobs.error_operations
                                          or name in knobs.error_operations)
        if eligible and state.chance(knobs.error_rate):
            raise _injected_error(service, 500, name)

    def _malform(self, name: str, resp: Response) -> Response:
        bad = self.state.knobs.malformed
        if resp.status != 200 or not resp.body:
            return resp
        if f"{name}:missing" in bad:
            resp.body = b"{}" if resp.content_type == "application/json" else b"<x/>"
        elif name in bad:
            resp.body = resp.body[: max(1, len(resp.body) // 2)]
        return resp


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awsenv-emulator"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            length = max(int(self.headers.get("Content-Length") or 0), 0)
        except ValueError:
            length = 0
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True  # unread chunks would corrupt the next request
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        req = Request(self.command, split.path or "/",
                      parse_qs(split.query, keep_blank_values=True), self.headers, body,
                      raw_path=self.path, request_id=str(uuid.uuid4()))
        app = self.server.app
        try:
            resp, name = app.handle(req)
        except Exception as exc:  # an emulator bug must still answer
            traceback.print_exc(file=sys.stderr)
            resp = Response.json({"message": f"emulator bug: {type(exc).__name__}: {exc}"},
                                 500)
            name = "bug"
        if app.verbose:
            sys.stderr.write(f"emulator: {self.command} {split.path} -> {resp.status} "
                             f"({name})\n")
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("x-amzn-RequestId", req.request_id)
        for key, value in resp.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD" and resp.body:
            self.wfile.write(resp.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # request lines are logged by _dispatch when verbose


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog (5) resets bursts from client thread pools

    def __init__(self, port: int, app: App) -> None:
        self.app = app
        super().__init__(("127.0.0.1", port), _RequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early (a killed process, a timeout test) is routine."""
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]
