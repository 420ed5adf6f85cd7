"""``Emulator``: the in-process handle tests and the sandbox use.

Runs the server on a background thread bound to 127.0.0.1 and exposes the
same knobs and actions as ``/__admin/*``, as plain method calls.
"""

from __future__ import annotations

import threading
from typing import Any

from awsenv import signalwait
from awsenv.emulator import admin, oidc
from awsenv.emulator import state as st
from awsenv.emulator.directory import Directory
from awsenv.emulator.server import App, _Server


class Emulator:
    """A local IAM Identity Center (sso-oidc, sso portal, STS, console federation).

    ``with Emulator(directory=Directory.default(), auto_approve=True) as emu:``;
    keyword arguments other than the ones below are knobs (see ``state.Knobs``).
    """

    def __init__(self, directory: Directory | None = None, *, port: int = 0,
                 start_url: str = st.DEFAULT_START_URL, region: str = st.DEFAULT_REGION,
                 verbose: bool = False, **knobs: Any) -> None:
        k = st.Knobs()
        k.update(knobs)
        self.state = st.State(directory or Directory.default(), k, start_url=start_url,
                              region=region)
        self.state.reseed()
        self._port = port
        self._app = App(self.state, verbose=verbose)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._served = False

    # -- lifecycle ---------------------------------------------------------------------

    def bind(self) -> Emulator:
        """Listen (so ``url`` is known) without serving yet; OSError if the port is taken."""
        if self._server is None:
            self._server = _Server(self._port, self._app)
            self.state.base_url = self.url
        return self

    def start(self) -> Emulator:
        """Serve on a background daemon thread."""
        if self._thread is not None:
            return self
        server = self.bind()._server
        assert server is not None
        self._served = True
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="awsenv-emulator", daemon=True)
        # Ending signals go to the main thread (the sandbox waits there on its shell).
        signalwait.start_shielded(self._thread)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self._served:
            server.shutdown()  # blocks until serve_forever has returned
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._served = False

    def serve_forever(self) -> None:
        """Serve on the calling thread (the CLI command) until ``shutdown()``."""
        server = self.bind()._server
        assert server is not None
        self._served = True
        server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Make ``serve_forever`` return; safe from a signal handler (does not block)."""
        server = self._server
        if server is not None:
            threading.Thread(target=server.shutdown, daemon=True).start()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def start_url(self) -> str:
        return self.state.start_url

    @property
    def region(self) -> str:
        return self.state.region

    @property
    def directory(self) -> Directory:
        return self.state.directory

    @directory.setter
    def directory(self, directory: Directory) -> None:
        """Swap the organisation at run time (accounts added/removed between syncs)."""
        with self.state.lock:
            self.state.directory = directory

    def env(self) -> dict[str, str]:
        """The standard endpoint variables that point SDKs and the AWS CLI here."""
        return {
            "AWS_ENDPOINT_URL_SSO": self.url,
            "AWS_ENDPOINT_URL_SSO_OIDC": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ENDPOINT_URL_SIGNIN": self.url,
        }

    # -- knobs, counters, actions ----------------------------------------------------------

    def configure(self, **knobs: Any) -> None:
        admin.configure(self.state, knobs)

    @property
    def knobs(self) -> st.Knobs:
        return self.state.knobs

    def counters(self) -> dict[str, int]:
        with self.state.lock:
            return dict(self.state.counters)

    def reset_counters(self) -> None:
        with self.state.lock:
            self.state.counters.clear()

    def approve(self, user_code: str) -> None:
        if not oidc.decide_device(self.state, user_code, True):
            raise KeyError(f"no pending device authorization with user code {user_code!r}")

    def deny(self, user_code: str) -> None:
        if not oidc.decide_device(self.state, user_code, False):
            raise KeyError(f"no pending device authorization with user code {user_code!r}")

    def pending_user_codes(self) -> list[str]:
        return oidc.pending_user_codes(self.state)

    def revoke_all(self) -> int:
        """End every Identity Center session: access and refresh tokens stop working."""
        return admin.revoke_all(self.state)

    def expire_access_tokens(self) -> int:
        """Expire access tokens only; refresh tokens keep working (forces a refresh)."""
        return admin.expire_access_tokens(self.state)

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (lifetimes, expiries; not SigV4 skew)."""
        with self.state.lock:
            self.state.clock_offset += seconds

    def sign_in(self, *, scopes: tuple[str, ...] = ("sso:account:access",)) -> dict[str, Any]:
        """Shortcut past the browser: a registered client plus fresh tokens.

        Returns ``clientId``, ``clientSecret``, ``clientSecretExpiresAt``,
        ``accessToken``, ``expiresIn`` and (with scopes) ``refreshToken``: what a
        finished ``aws sso login`` would hold. Not counted as API calls.
        """
        return admin.sign_in(self.state, tuple(scopes))
