"""Device-code sign-in (RFC 8628), for machines whose browser is elsewhere.

Polls CreateToken at the server's ``interval``, slowing by 5 s on
``slow_down``, and stops on ``expired_token`` / ``access_denied`` with a line
saying what to do. The AWS CLI has no client-side deadline and polls forever
against a server that never expires codes; we stop shortly after ``expiresIn``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awsenv.errors import LoginFailed

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
MIN_INTERVAL = 0.2  # never a tight loop, whatever the server says
# Grace past expiresIn before we give up on a server that never says expired_token.
DEADLINE_GRACE = 30.0


class ClientRejected(LoginFailed):
    """The registration was refused (InvalidClient): a fresh one may work."""


class Stalled(LoginFailed):
    """The code expired unapproved, or the grant was refused: what a wrong
    ``sso_region`` gives (the approval lands in another region's service)."""


@dataclass(frozen=True)
class DeviceAuthorization:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: float
    interval: float

    def __repr__(self) -> str:
        return (f"DeviceAuthorization(user_code={self.user_code!r}, "
                f"verification_uri={self.verification_uri!r})")


def start(client: Any, *, client_id: str, client_secret: str, start_url: str,
          region: str) -> DeviceAuthorization:
    from awsenv.auth import clients

    try:
        reply = client.start_device_authorization(
            clientId=client_id, clientSecret=client_secret, startUrl=start_url)
    except Exception as exc:
        code = clients.error_code(exc)
        if code == "InvalidClientException":
            raise ClientRejected("IAM Identity Center no longer knows this client registration",
                                 "run `awsenv login` again") from None
        if code == "InvalidRequestException":
            raise Stalled(
                f"IAM Identity Center refused the device sign-in for {start_url} "
                f"({code})",
                "check sso_start_url and sso_region in the sso-session") from None
        raise clients.service_error(exc, "device authorization", region) from None
    clients.require(reply, "device authorization", "deviceCode", "userCode", "verificationUri")
    complete = reply.get("verificationUriComplete") or reply["verificationUri"]
    interval = reply.get("interval")
    return DeviceAuthorization(
        device_code=reply["deviceCode"],
        user_code=reply["userCode"],
        verification_uri=reply["verificationUri"],
        verification_uri_complete=complete,
        expires_in=float(reply.get("expiresIn") or 600),
        interval=float(interval) if interval is not None else DEFAULT_INTERVAL,
    )


def poll(client: Any, auth: DeviceAuthorization, *, client_id: str, client_secret: str,
         region: str, sleep: Callable[[float], None] = time.sleep,
         monotonic: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """CreateToken until the user approves; the CreateToken reply."""
    from awsenv import deadline as budget
    from awsenv.auth import clients

    deadline = monotonic() + auth.expires_in + DEADLINE_GRACE
    interval = max(auth.interval, MIN_INTERVAL)
    first = True
    while True:
        if not first:
            sleep(interval)
        first = False
        if monotonic() > deadline:
            raise _expired()
        budget.renew()  # waiting for the person's approval is not Identity Center's time
        try:
            return dict(client.create_token(clientId=client_id, clientSecret=client_secret,
                                            grantType=DEVICE_GRANT,
                                            deviceCode=auth.device_code))
        except Exception as exc:
            code = clients.error_code(exc)
            if code == "AuthorizationPendingException":
                continue
            if code == "SlowDownException":
                interval += SLOW_DOWN_STEP
                continue
            if code == "ExpiredTokenException":
                raise _expired() from None
            if code == "AccessDeniedException":
                raise LoginFailed("the sign-in request was denied",
                                  "run `awsenv login` again and choose Allow") from None
            if code is not None and not clients.is_transient(exc):
                raise Stalled(f"IAM Identity Center refused the sign-in ({code})",
                              "run `awsenv login` again") from None
            raise clients.service_error(exc, "sign-in", region) from None


def _expired() -> LoginFailed:
    return Stalled("the sign-in code expired before it was approved",
                   "run `awsenv login` again and approve the code within its lifetime")
