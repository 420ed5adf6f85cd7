"""Authorization code + PKCE (S256) sign-in through a loopback listener.

The listener is bound on 127.0.0.1 before the browser opens (aws-sso-cli
#1441: a browser faster than the listener gets "connection refused"), serves
one callback in a background thread (``webbrowser`` may block until the
browser command exits) and takes only the callback whose ``state`` is the one
we sent. The browser is started on a one-shot local hand-off URL, not on the
authorize URL (``loopback``): the state and code challenge stay out of argv.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import string
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import SplitResult, parse_qs, quote, urlsplit

from awsenv.auth import loopback

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


class CallbackServer:
    """Loopback HTTP listener for the authorization redirect (and the browser's hand-off).

    Only a callback carrying the ``state`` we sent is the answer: anything else
    on the callback path (a stray or forged request, a port scanner) gets a bare
    400 and the listener keeps waiting until the login's deadline, so one bad
    request cannot abort the sign-in. Connections from other local users are
    refused before that (``loopback``), so one who read the state in a
    process list cannot answer for the browser either.
    """

    def __init__(self) -> None:
        self.result: CallbackResult | None = None
        self.expected_state: str | None = None
        self.strays = 0  # callbacks ignored for a wrong state (for --debug)
        self._done = threading.Event()  # the answer arrived (claimed by one thread)
        self._answered = threading.Event()  # ... and its result is set
        self._replied = threading.Event()  # ... and the browser got its page
        self._lock = threading.Lock()
        self._server = loopback.LoopbackServer(self._handle)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def handoff(self, url: str) -> str:
        """The URL to give the browser: a one-shot local redirect to ``url``
        (the authorize URL's state and challenge never reach a process list)."""
        return self._server.handoff(url)

    def start(self) -> None:
        self._server.start()

    def wait(self, timeout: float) -> CallbackResult | None:
        self._answered.wait(timeout)
        return self.result

    def close(self) -> None:
        if self._done.is_set():
            # Let the browser get its page before the process may exit.
            self._replied.wait(2.0)
        self._server.close()

    def __enter__(self) -> CallbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _handle(self, request: BaseHTTPRequestHandler, parts: SplitResult) -> bool:
        if parts.path != CALLBACK_PATH:
            return False
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        state = query.get("state")
        expected = self.expected_state
        matches = (state is not None and expected is not None
                   and hmac.compare_digest(state.encode(), expected.encode()))
        with self._lock:  # the first matching callback wins; later ones are strays
            first = matches and not self._done.is_set()
            if first:
                self._done.set()
            elif not matches:
                self.strays += 1
        if not first:
            # No detail: whoever sent it learns nothing, and the sign-in goes on.
            with contextlib.suppress(OSError):
                loopback.reply(request, 400 if not matches else 404, "Not found", "")
            return True
        result = CallbackResult(code=query.get("code"), state=state, error=query.get("error"),
                                error_description=query.get("error_description"))
        # Hand the result over before answering: a browser that already closed
        # the tab must not leave the login waiting.
        self.result = result
        self._answered.set()
        if result.error or not result.code:
            page = (400, "Sign-in failed", "awsenv did not get an authorization code. You can "
                    "close this tab and check the terminal.")
        else:
            page = (200, "Sign-in received", "awsenv is finishing the sign-in. You can close "
                    "this tab and return to the terminal.")
        try:
            with contextlib.suppress(OSError):
                loopback.reply(request, *page)
        finally:
            self._replied.set()
        return True
