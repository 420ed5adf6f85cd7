"""Authorization code + PKCE (S256) sign-in through a loopback listener.

The listener is bound on 127.0.0.1 before the browser opens (aws-sso-cli
#1441: a browser faster than the listener gets "connection refused"), serves
one callback in a background thread (``webbrowser`` may block until the
browser command exits) and checks ``state`` against what we sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import secrets
import string
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

CALLBACK_PATH = "/oauth/callback"
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"


def new_verifier() -> str:
    """64 characters from RFC 7636's unreserved set, as the AWS CLI sends."""
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(64))


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return str(uuid.uuid4())


def authorize_url(endpoint_url: str, *, client_id: str, redirect_uri: str, state: str,
                  code_challenge: str, scopes: tuple[str, ...]) -> str:
    """The browser URL: the OIDC endpoint's scheme://netloc + /authorize (§1.3).

    Built from the client's effective endpoint, so AWS_ENDPOINT_URL_SSO_OIDC
    moves the browser half of the flow along with the API half.
    """
    parts = urlsplit(endpoint_url)
    params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge_method", "S256"),
        ("scopes", " ".join(scopes)),
        ("code_challenge", code_challenge),
    ]
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
    return f"{parts.scheme}://{parts.netloc}/authorize?{query}"


@dataclass
class CallbackResult:
    code: str | None = None
    state: str | None = None
    error: str | None = None
    error_description: str | None = None


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>awsenv</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>{title}</h1><p>{body}</p></body></html>"""


class CallbackServer:
    """One-shot loopback HTTP listener for the authorization redirect."""

    def __init__(self) -> None:
        self.result: CallbackResult | None = None
        self.expected_state: str | None = None
        self._done = threading.Event()  # a callback arrived (claimed by one thread)
        self._answered = threading.Event()  # ... and its result is set
        self._replied = threading.Event()  # ... and the browser got its page
        owner = self

        class Handler(BaseHTTPRequestHandler):
            # Browsers open speculative connections that never send a request:
            # each gets its own thread and is dropped after a few seconds.
            timeout = 10

            def do_GET(self) -> None:
                owner._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return  # the query string holds the authorization code

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()

    def wait(self, timeout: float) -> CallbackResult | None:
        self._answered.wait(timeout)
        return self.result

    def close(self) -> None:
        if self._done.is_set():
            # Let the browser get its page before the process may exit.
            self._replied.wait(2.0)
        if self._thread is not None:
            self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> CallbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        with self._lock:  # the first callback wins; later ones are strays
            first = parts.path == CALLBACK_PATH and not self._done.is_set()
            if first:
                self._done.set()
        if not first:
            self._reply(request, 404, "Not found", "Nothing to see here.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        result = CallbackResult(code=query.get("code"), state=query.get("state"),
                                error=query.get("error"),
                                error_description=query.get("error_description"))
        # Hand the result over before answering: a browser that already closed
        # the tab must not leave the login waiting.
        self.result = result
        self._answered.set()
        if result.state != self.expected_state:
            page = (400, "Sign-in failed", "The answer did not match the sign-in awsenv "
                    "started. You can close this tab and run <code>awsenv login</code> again.")
        elif result.error or not result.code:
            page = (400, "Sign-in failed", "awsenv did not get an authorization code. You can "
                    "close this tab and check the terminal.")
        else:
            page = (200, "Sign-in received", "awsenv is finishing the sign-in. You can close "
                    "this tab and return to the terminal.")
        try:
            with contextlib.suppress(OSError):
                self._reply(request, *page)
        finally:
            self._replied.set()

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, title: str, body: str) -> None:
        page = _PAGE.format(title=html.escape(title), body=body).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(page)))
        request.send_header("Cache-Control", "no-store")
        request.send_header("Connection", "close")
        request.end_headers()
        request.wfile.write(page)
