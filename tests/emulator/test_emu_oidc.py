"""sso-oidc through real boto3: registration, device flow, refresh, error shapes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emu_helpers import DEVICE_GRANT, client, device_sign_in, register

from awsenv.emulator import Emulator


def _start(emu: Emulator, oidc: Any, reg: dict[str, Any]) -> dict[str, Any]:
    return oidc.start_device_authorization(clientId=reg["clientId"],
                                           clientSecret=reg["clientSecret"],
                                           startUrl=emu.start_url)


def _poll(oidc: Any, reg: dict[str, Any], dev: dict[str, Any]) -> dict[str, Any]:
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])


def test_register_client_shape(emu: Emulator, oidc: Any) -> None:
    before = int(time.time())
    reg = register(oidc, ["sso:account:access"])
    assert reg["clientSecretExpiresAt"] >= before + 89 * 86400  # epoch seconds, ~90 days
    assert reg["clientSecretExpiresAt"] < 10**11  # not milliseconds
    assert reg["clientIdIssuedAt"] >= before
    assert len(reg["clientSecret"]) > 1000
    assert reg["tokenEndpoint"] == f"{emu.url}/token"
    assert register(oidc)["clientId"] != reg["clientId"]


def test_register_client_registration_ttl(emu: Emulator, oidc: Any) -> None:
    emu.configure(registration_ttl=120)
    reg = register(oidc)
    assert reg["clientSecretExpiresAt"] - reg["clientIdIssuedAt"] == 120


@pytest.mark.parametrize(("kwargs", "shape", "error"), [
    ({"clientType": "confidential"}, "InvalidClientMetadataException",
     "invalid_client_metadata"),
    ({"redirectUris": ["https://evil.example.com/cb"], "grantTypes": ["authorization_code"]},
     "InvalidRedirectUriException", "invalid_redirect_uri"),
    ({"scopes": ["not a scope"]}, "InvalidScopeException", "invalid_scope"),
])
def test_register_client_errors(oidc: Any, kwargs: dict[str, Any], shape: str,
                                error: str) -> None:
    args = {"clientName": "x", "clientType": "public", **kwargs}
    with pytest.raises(getattr(oidc.exceptions, shape)) as info:
        oidc.register_client(**args)
    assert info.value.response["Error"]["Code"] == shape
    assert info.value.response["error"] == error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_device_flow_pending_slow_down_approve(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc, ["sso:account:access"])
    dev = _start(emu, oidc, reg)
    assert dev["verificationUriComplete"] == f"{emu.url}/device?user_code={dev['userCode']}"
    assert dev["expiresIn"] == 600 and dev["interval"] == 1
    assert emu.pending_user_codes() == [dev["userCode"]]
    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as info:
        _poll(oidc, reg, dev)
    assert info.value.response["error"] == "authorization_pending"
    with pytest.raises(oidc.exceptions.SlowDownException):
        _poll(oidc, reg, dev)  # immediately again: faster than the interval
    emu.approve(dev["userCode"].lower().replace("-", ""))  # forgiving user-code match
    assert emu.pending_user_codes() == []
    emu.advance_clock(1.5)
    tok = _poll(oidc, reg, dev)
    assert tok["tokenType"] == "Bearer" and tok["expiresIn"] == 8 * 3600
    assert tok["accessToken"] and tok["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        _poll(oidc, reg, dev)  # device code is single-use
    counts = emu.counters()
    assert counts["CreateToken"] == 4 and counts["CreateToken:device_code"] == 4


def test_device_flow_denied(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    dev = _start(emu, oidc, reg)
    emu.deny(dev["userCode"])
    with pytest.raises(oidc.exceptions.AccessDeniedException) as info:
        _poll(oidc, reg, dev)
    assert info.value.response["error"] == "access_denied"
    with pytest.raises(KeyError):
        emu.approve(dev["userCode"])  # no longer pending


def test_device_flow_expires(emu: Emulator, oidc: Any) -> None:
    emu.configure(device_code_ttl=30)
    reg = register(oidc)
    dev = _start(emu, oidc, reg)
    assert dev["expiresIn"] == 30
    emu.advance_clock(31)
    assert emu.pending_user_codes() == []
    with pytest.raises(oidc.exceptions.ExpiredTokenException) as info:
        _poll(oidc, reg, dev)
    assert info.value.response["error"] == "expired_token"


def test_auto_approve_and_deny_approvals(emu: Emulator, oidc: Any) -> None:
    emu.configure(auto_approve=True)
    reg = register(oidc)
    assert _poll(oidc, reg, _start(emu, oidc, reg))["accessToken"]
    emu.configure(deny_approvals=True)
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        _poll(oidc, reg, _start(emu, oidc, reg))


def test_invalid_client_is_401(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    with pytest.raises(oidc.exceptions.InvalidClientException) as info:
        oidc.start_device_authorization(clientId=reg["clientId"], clientSecret="wrong",
                                        startUrl=emu.start_url)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert info.value.response["error"] == "invalid_client"
    with pytest.raises(oidc.exceptions.InvalidClientException):
        oidc.create_token(clientId="nope", clientSecret="x", grantType="refresh_token",
                          refreshToken="x")


def test_expired_registration_is_invalid_client(emu: Emulator, oidc: Any) -> None:
    reg, tok = device_sign_in(emu, client(emu, "sso-oidc"))
    emu.advance_clock(91 * 86400)
    with pytest.raises(oidc.exceptions.InvalidClientException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])


def test_wrong_start_url_and_unsupported_grant(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    with pytest.raises(oidc.exceptions.InvalidRequestException):
        oidc.start_device_authorization(clientId=reg["clientId"],
                                        clientSecret=reg["clientSecret"],
                                        startUrl="https://d-0000000000.awsapps.com/start")
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException) as info:
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="password")
    assert info.value.response["error"] == "unsupported_grant_type"


def test_refresh_rotates_and_old_token_is_rejected(emu: Emulator, oidc: Any) -> None:
    reg, tok = device_sign_in(emu, oidc)
    args = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "grantType": "refresh_token"}
    new = oidc.create_token(refreshToken=tok["refreshToken"], **args)
    assert new["refreshToken"] != tok["refreshToken"]
    assert new["accessToken"] != tok["accessToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException) as info:
        oidc.create_token(refreshToken=tok["refreshToken"], **args)
    assert info.value.response["error"] == "invalid_grant"
    assert oidc.create_token(refreshToken=new["refreshToken"], **args)["accessToken"]
    assert emu.counters()["CreateToken:refresh_token"] == 3


def test_refresh_without_rotation_keeps_token(emu: Emulator, oidc: Any) -> None:
    emu.configure(refresh_rotation=False)
    reg, tok = device_sign_in(emu, oidc)
    args = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "grantType": "refresh_token", "refreshToken": tok["refreshToken"]}
    assert oidc.create_token(**args)["refreshToken"] == tok["refreshToken"]
    assert oidc.create_token(**args)["accessToken"]


def test_no_refresh_token_without_scopes(emu: Emulator, oidc: Any) -> None:
    _, tok = device_sign_in(emu, oidc, scopes=[])
    assert "refreshToken" not in tok
    assert tok["accessToken"]


def test_refresh_fails_after_session_ends(emu: Emulator, oidc: Any) -> None:
    emu.configure(session_ttl=3600, access_token_ttl=600)
    reg, tok = device_sign_in(emu, oidc)
    args = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "grantType": "refresh_token"}
    emu.advance_clock(1800)
    tok = oidc.create_token(refreshToken=tok["refreshToken"], **args)  # session still alive
    emu.advance_clock(1801)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(refreshToken=tok["refreshToken"], **args)


def test_refresh_token_bound_to_its_client(emu: Emulator, oidc: Any) -> None:
    _, tok = device_sign_in(emu, oidc)
    other = register(oidc, ["sso:account:access"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=other["clientId"], clientSecret=other["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])


def test_missing_member_is_invalid_request(emu: Emulator) -> None:
    import json
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"{emu.url}/token", data=json.dumps({"clientId": "x"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 400
    assert info.value.headers["x-amzn-ErrorType"].startswith("InvalidRequestException:")
    assert json.loads(info.value.read())["error"] == "invalid_request"


def test_injected_server_error(emu: Emulator) -> None:
    emu.configure(error_rate=1.0, error_operations=["RegisterClient"])
    oidc = client(emu, "sso-oidc", attempts=1)
    with pytest.raises(oidc.exceptions.InternalServerException) as info:
        register(oidc)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert info.value.response["error"] == "server_error"
    emu.configure(error_rate=0.0)
    assert register(oidc)["clientId"]
    assert emu.counters()["RegisterClient"] == 2


def test_error_shapes_reach_clienterror_code(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    dev = _start(emu, oidc, reg)
    with pytest.raises(ClientError) as info:
        _poll(oidc, reg, dev)
    assert info.value.response["Error"]["Code"] == "AuthorizationPendingException"
