"""The HTTP endpoint: container-credentials paths per profile, or IMDSv2 (``imds=True``).

One process serves every client: a ``ThreadingHTTPServer`` answers each
connection in its own thread, and concurrent first requests for a profile make
one role-credential call because the source (``awsenv.creds.get``) fetches
under the profile's lock and re-reads the cache once it holds it.

Who gets an answer:

- container mode: requests whose ``Authorization`` header is this run's random
  bearer token (compared in constant time); none → 401, another → 403, both
  with an empty body, so a prober learns nothing;
- IMDS mode has no token a client could be given (the protocol has none), so
  it answers only IMDSv2 sessions (``PUT`` first) and, on loopback, only
  sockets of this user or root (``/proc/net/tcp``, as awsenv's other loopback
  listeners; root can read everything of this user anyway: that is what lets
  ``docker run --network host`` containers in);
- both: a ``Host`` that names an IP address, ``localhost``, a container
  runtime's ``*.docker.internal``/``*.containers.internal`` name or the bound
  address, else 403: a web page that rebinds its own DNS name to 127.0.0.1
  cannot make the browser read the endpoint.

Nothing secret is logged: request lines are logged (``--debug``) without
headers or query, and credentials appear only in a response body.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from awsenv.creds.model import RoleCredentials, iso_z
from awsenv.errors import AwsenvError, ConfigError
from awsenv.serve import imds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from awsenv.environment import Environment

log = logging.getLogger(__name__)

# The whole credential source: a profile name in, its role credentials out (or an
# AwsenvError). Chained profiles come with whatever ``creds.get`` resolves.
Source = Callable[[str], RoleCredentials]
# Told about a request that could not be answered with credentials (the edge prints it).
ErrorListener = Callable[[str, AwsenvError], None]

LOOPBACK = "127.0.0.1"
CONTAINER_HOST_SUFFIXES = (".docker.internal", ".containers.internal")


def default_source(env: Environment) -> Source:
    """``awsenv.creds.get`` bound to ``env``: the role cache, renewed before it ends."""
    from awsenv.creds import get

    return lambda profile: get(env, profile)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def check_bind(host: str) -> str:
    """The address to bind: an IP literal or ``localhost`` (→ 127.0.0.1); else ConfigError."""
    if host == "localhost":
        return LOOPBACK
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise ConfigError(f"--bind {host!r} is not an IP address",
                          "give an address of this host, e.g. --bind 127.0.0.1") from None


def _url_host(host: str) -> str:
    """The host part of a URL clients on this machine use for a server bound to ``host``."""
    ip = ipaddress.ip_address(host)
    if ip.is_unspecified:  # 0.0.0.0 / ::: local clients come over loopback
        return LOOPBACK if ip.version == 4 else "[::1]"
    return f"[{ip}]" if ip.version == 6 else str(ip)


class CredentialServer:
    """A credentials endpoint for ``profiles``; bound in ``__init__``, served by ``start``.

    ``token`` is the bearer token (a fresh random one by default); ``imds`` serves
    the first profile over IMDSv2 instead of the container paths.
    """

    def __init__(self, source: Source, profiles: Sequence[str], *, host: str = LOOPBACK,
                 port: int = 0, imds_mode: bool = False, token: str | None = None,
                 on_error: ErrorListener | None = None) -> None:
        if not profiles:
            raise ValueError("at least one profile")
        self.profiles = list(dict.fromkeys(profiles))
        self.imds = imds_mode
        self.token = token or secrets.token_urlsafe(32)
        self._source = source
        self._on_error = on_error
        self._sessions = imds.SessionTokens()
        self._lock = threading.Lock()
        self.served = 0  # credential answers given (tests, --debug)
        self.refused = 0  # requests refused before any credential lookup
        self.bind_host = check_bind(host)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # an idle or trickling connection is dropped, not kept forever
            server_version = "awsenv"
            sys_version = ""

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def do_PUT(self) -> None:
                owner._handle(self, "PUT")

            def do_POST(self) -> None:
                owner._handle(self, "POST")

            def do_DELETE(self) -> None:
                owner._handle(self, "DELETE")

            def do_HEAD(self) -> None:
                owner._handle(self, "HEAD")

            def do_OPTIONS(self) -> None:  # a browser's preflight gets no CORS grant
                owner._handle(self, "OPTIONS")

            def log_message(self, format: str, *args: Any) -> None:
                return  # http.server would print request lines on stderr

        class Server(ThreadingHTTPServer):
            address_family = _family(self.bind_host)
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                log.debug("connection from %s failed", client_address[0])  # no traceback

        self._httpd = Server((self.bind_host, port), Handler)
        self._thread: threading.Thread | None = None

    # -- addresses ------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.bind_host)}:{self.port}"

    def url(self, profile: str) -> str:
        """The container-credentials URL of ``profile`` (its name, percent-encoded)."""
        return f"{self.base_url}/{quote(profile, safe='')}"

    @property
    def loopback_only(self) -> bool:
        return is_loopback(self.bind_host)

    # -- life -----------------------------------------------------------------------

    def start(self) -> CredentialServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="awsenv-serve",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`close` is called from another one."""
        self._httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> CredentialServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(request.path).path
        try:
            status = self._route(request, method, path)
        except OSError:  # the client went away mid-answer
            status = 0
        except Exception as exc:
            log.debug("%s %s failed: %s", method, _shown(path), type(exc).__name__)
            status = 500
            with contextlib.suppress(OSError):
                status = _reply(request, 500, None)
        log.debug("%s %s -> %s", method, _shown(path), status or "dropped")

    def _route(self, request: BaseHTTPRequestHandler, method: str, path: str) -> int:
        if not self._host_allowed(request.headers.get("Host")):
            return self._refuse(request, 403)
        if self.imds:
            return self._route_imds(request, method, path)
        if method != "GET":
            return self._refuse(request, 405)
        given = request.headers.get("Authorization")
        if given is None:
            return self._refuse(request, 401)
        if not secrets.compare_digest(given.encode("utf-8", "surrogateescape"),
                                      self.token.encode("ascii")):
            return self._refuse(request, 403)
        profile = unquote(path[1:], errors="strict") if path.startswith("/") else ""
        if profile not in self.profiles:
            return _reply(request, 404, None)
        creds = self._lookup(profile)
        if isinstance(creds, AwsenvError):
            return _unavailable(request, creds)
        return _reply(request, 200, {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token,
            "Expiration": iso_z(creds.expiration),
            "AccountId": creds.account_id,
        })

    def _route_imds(self, request: BaseHTTPRequestHandler, method: str, path: str) -> int:
        if not self._peer_allowed(request):
            return self._refuse(request, 403)
        if path == imds.TOKEN_PATH:
            if method != "PUT":
                return self._refuse(request, 405)
            if request.headers.get("X-Forwarded-For") is not None:
                return self._refuse(request, 403)  # IMDSv2 refuses proxied token requests
            ttl = imds.parse_ttl(request.headers.get(imds.TTL_HEADER))
            if ttl is None:
                return self._refuse(request, 400)
            token = self._sessions.issue(ttl)
            return _reply(request, 200, token, headers={imds.TTL_HEADER: str(ttl)})
        if method != "GET":
            return self._refuse(request, 405)
        if not self._sessions.valid(request.headers.get(imds.TOKEN_HEADER)):
            return self._refuse(request, 401)
        if not path.startswith(imds.CREDENTIALS_PATH):
            return _reply(request, 404, None)
        profile = self.profiles[0]
        creds = self._lookup(profile)
        if isinstance(creds, AwsenvError):
            return _unavailable(request, creds)
        role = creds.role_name
        rest = unquote(path[len(imds.CREDENTIALS_PATH):], errors="strict")
        if rest == "":
            return _reply(request, 200, role)
        if rest != role:
            return _reply(request, 404, None)
        return _reply(request, 200, imds.credentials_document(creds))

    def _lookup(self, profile: str) -> RoleCredentials | AwsenvError:
        try:
            creds = self._source(profile)
        except AwsenvError as exc:
            if self._on_error is not None:
                self._on_error(profile, exc)
            return exc
        with self._lock:
            self.served += 1
        return creds

    def _refuse(self, request: BaseHTTPRequestHandler, status: int) -> int:
        with self._lock:
            self.refused += 1
        return _reply(request, status, None)

    def _host_allowed(self, header: str | None) -> bool:
        if header is None:
            return True  # HTTP/1.0 clients send none; a browser always does
        host = header.strip().lower()
        if host.startswith("["):
            host = host[1:].partition("]")[0]
        elif host.count(":") == 1:
            host = host.partition(":")[0]
        if host in ("localhost", self.bind_host):
            return True
        # A container runtime's names, for the token-guarded container mode only: IMDS has
        # no secret, and a hostile resolver can point such a name at 127.0.0.1 for a page
        # (a container reaches a loopback IMDS through host networking, as localhost).
        if host.endswith(CONTAINER_HOST_SUFFIXES):
            return not self.imds
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True

    def _peer_allowed(self, request: BaseHTTPRequestHandler) -> bool:
        """On loopback, IMDS answers this user's and root's sockets only (Linux tells)."""
        client = request.client_address
        if not is_loopback(str(client[0])):
            return True  # --bind: anyone who reaches the address (the warning said so)
        from awsenv.auth.loopback import socket_owner

        local = request.connection.getsockname()
        try:
            owner = socket_owner((str(client[0]), int(client[1])), (str(local[0]), int(local[1])))
        except LookupError:
            return False
        return owner is None or owner in (os.geteuid(), 0)


def _unavailable(request: BaseHTTPRequestHandler, exc: AwsenvError) -> int:
    """503 with the one-line reason: the caller proved it may know it (token/session),
    and the SDK puts it in its own error, which is where the user looks."""
    return _reply(request, 503, {"Code": type(exc).__name__, "Message": exc.line()})


def _reply(request: BaseHTTPRequestHandler, status: int, body: Any, *,
           headers: dict[str, str] | None = None) -> int:
    """Send ``body`` (None: empty; str: text; else JSON), never cached, connection closed."""
    if body is None:
        data, kind = b"", None
    elif isinstance(body, str):
        data, kind = body.encode("utf-8"), "text/plain"
    else:
        data, kind = json.dumps(body).encode("utf-8"), "application/json"
    request.send_response(status)
    if kind is not None:
        request.send_header("Content-Type", kind)
    request.send_header("Content-Length", str(len(data)))
    request.send_header("Cache-Control", "no-store")
    request.send_header("Connection", "close")
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(data)
    return status


def _shown(path: str) -> str:
    from awsenv.textsafe import printable

    with contextlib.suppress(Exception):
        path = unquote(path)
    return printable(path[:200])
