"""``RemoteEmulator``: the ``Emulator`` actions for an emulator in another process.

Tests that start ``awsenv emulator`` (or the sandbox) as a subprocess drive it
through ``/__admin/*``; this wraps those calls with the same method names as
the in-process ``Emulator`` so a test reads the same either way. stdlib only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from awsenv.emulator.state import DEFAULT_REGION, DEFAULT_START_URL


class RemoteEmulator:
    def __init__(self, url: str, *, start_url: str = DEFAULT_START_URL,
                 region: str = DEFAULT_REGION, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self.start_url = start_url
        self.region = region
        self.timeout = timeout

    def _call(self, action: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/__admin/{action}", data=data,
                                     method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = json.loads(exc.read() or b"{}").get("error", exc.reason)
            if exc.code == 404 and action in ("approve", "deny"):
                raise KeyError(detail) from None
            raise ValueError(f"emulator admin {action}: {detail}") from None

    def env(self) -> dict[str, str]:
        return {name: self.url for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                                            "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SIGNIN")}

    def counters(self) -> dict[str, int]:
        return dict(self._call("counters"))

    def knobs(self) -> dict[str, Any]:
        return dict(self._call("knobs"))

    def configure(self, **knobs: Any) -> dict[str, Any]:
        values = {k: sorted(v) if isinstance(v, (set, frozenset)) else v
                  for k, v in knobs.items()}
        return dict(self._call("configure", values))

    def reset_counters(self) -> None:
        self._call("reset-counters", {})

    def approve(self, user_code: str) -> None:
        self._call("approve", {"user_code": user_code})

    def deny(self, user_code: str) -> None:
        self._call("deny", {"user_code": user_code})

    def pending_user_codes(self) -> list[str]:
        return list(self._call("pending")["user_codes"])

    def revoke_all(self) -> int:
        return int(self._call("revoke-all", {})["revoked"])

    def expire_access_tokens(self) -> int:
        return int(self._call("expire-access-tokens", {})["expired"])

    def advance_clock(self, seconds: float) -> None:
        self._call("advance-clock", {"seconds": seconds})

    def sign_in(self, *, scopes: tuple[str, ...] = ("sso:account:access",)) -> dict[str, Any]:
        return dict(self._call("sign-in", {"scopes": list(scopes)}))

    def set_directory(self, directory: dict[str, Any]) -> int:
        """Replace the accounts (``Directory.to_dict()`` / the JSON file format)."""
        return int(self._call("directory", directory)["accounts"])
