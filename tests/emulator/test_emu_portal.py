"""sso portal through real boto3: listing, pagination, credentials, logout, faults."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emu_helpers import client, device_sign_in

from awsenv.emulator import Directory, Emulator


def _raw_get(emu: Emulator, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(f"{emu.url}{path}", headers={"x-amz-sso_bearer_token": token})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_list_accounts_and_roles(emu: Emulator, portal: Any, token: str) -> None:
    accounts = portal.list_accounts(accessToken=token)
    assert "nextToken" not in accounts or accounts["nextToken"] is None
    names = [a["accountName"] for a in accounts["accountList"]]
    assert names == ["dev", "staging", "prod", "sandbox"]
    assert all(len(a["accountId"]) == 12 and "@" in a["emailAddress"]
               for a in accounts["accountList"])
    roles = portal.list_account_roles(accessToken=token, accountId="222222222222")["roleList"]
    assert roles == [{"roleName": "Developer", "accountId": "222222222222"},
                     {"roleName": "ReadOnlyAccess", "accountId": "222222222222"}]


def test_pagination_across_pages() -> None:
    with Emulator(directory=Directory.generate(accounts=45, roles=8)) as emu:
        portal, token = client(emu, "sso"), emu.sign_in()["accessToken"]
        first = portal.list_accounts(accessToken=token)
        assert len(first["accountList"]) == 20 and first["nextToken"]  # AWS-like default
        pages = list(portal.get_paginator("list_accounts").paginate(
            accessToken=token, PaginationConfig={"PageSize": 7}))
        assert [len(p["accountList"]) for p in pages] == [7] * 6 + [3]
        ids = [a["accountId"] for p in pages for a in p["accountList"]]
        assert ids == [a.account_id for a in emu.directory.accounts]
        role_pages = list(portal.get_paginator("list_account_roles").paginate(
            accessToken=token, accountId=ids[3], PaginationConfig={"PageSize": 3}))
        assert [len(p["roleList"]) for p in role_pages] == [3, 3, 2]
        assert emu.counters()["ListAccounts"] == 8
        assert emu.counters()["ListAccountRoles"] == 3


def test_invalid_page_size_and_token(emu: Emulator, token: str) -> None:
    for query in ("max_result=0", "max_result=101", "max_result=x", "next_token=garbage!"):
        status, headers, body = _raw_get(emu, f"/assignment/accounts?{query}", token)
        assert status == 400, query
        assert headers["x-amzn-ErrorType"] == "InvalidRequestException"
        assert json.loads(body)["__type"].endswith("#InvalidRequestException")
        if "max_result" in query:
            assert "1-100" in json.loads(body)["message"]


def test_bearer_header_with_underscore_is_honoured(emu: Emulator, token: str) -> None:
    status, headers, body = _raw_get(emu, "/assignment/accounts?max_result=1", token)
    assert status == 200 and len(json.loads(body)["accountList"]) == 1
    assert headers["x-amzn-RequestId"]
    assert int(headers["Content-Length"]) == len(body)


def test_unauthorized(emu: Emulator, portal: Any) -> None:
    with pytest.raises(portal.exceptions.UnauthorizedException) as info:
        portal.list_accounts(accessToken="not-a-token")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert info.value.response["Error"]["Message"] == "Session token not found or invalid"


def test_resource_not_found(portal: Any, token: str) -> None:
    with pytest.raises(portal.exceptions.ResourceNotFoundException) as info:
        portal.list_account_roles(accessToken=token, accountId="999999999999")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_forbidden_role_is_generic_clienterror(portal: Any, token: str) -> None:
    with pytest.raises(ClientError) as info:
        portal.get_role_credentials(accessToken=token, accountId="222222222222",
                                    roleName="AdministratorAccess")
    assert type(info.value) is not portal.exceptions.UnauthorizedException
    assert info.value.response["Error"]["Code"] == "ForbiddenException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_role_credentials_unique_and_in_milliseconds(emu: Emulator, portal: Any,
                                                     token: str) -> None:
    emu.configure(credential_ttl=900)
    before = time.time()
    creds = [portal.get_role_credentials(accessToken=token, accountId="111111111111",
                                         roleName="Developer")["roleCredentials"]
             for _ in range(2)]
    assert creds[0]["accessKeyId"] != creds[1]["accessKeyId"]
    assert creds[0]["secretAccessKey"] != creds[1]["secretAccessKey"]
    assert creds[0]["accessKeyId"].startswith("ASIA") and len(creds[0]["accessKeyId"]) == 20
    expiration = creds[0]["expiration"]
    assert expiration > 10**12  # milliseconds
    assert before + 890 < expiration / 1000 < time.time() + 910


def test_logout_revokes_access_and_refresh(emu: Emulator) -> None:
    oidc, portal = client(emu, "sso-oidc"), client(emu, "sso")
    emu.configure(auto_approve=True)
    reg, tok = device_sign_in(emu, oidc)
    _, other = device_sign_in(emu, oidc)  # a second session survives
    portal.logout(accessToken=tok["accessToken"])
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=tok["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])
    assert portal.list_accounts(accessToken=other["accessToken"])["accountList"]
    assert emu.counters()["Logout"] == 1


def test_revoke_all_and_expire_access_tokens(emu: Emulator) -> None:
    oidc, portal = client(emu, "sso-oidc"), client(emu, "sso")
    emu.configure(auto_approve=True)
    reg, tok = device_sign_in(emu, oidc)
    emu.expire_access_tokens()
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=tok["accessToken"])
    new = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType="refresh_token", refreshToken=tok["refreshToken"])
    assert portal.list_accounts(accessToken=new["accessToken"])["accountList"]
    assert emu.revoke_all() == 1
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=new["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="refresh_token", refreshToken=new["refreshToken"])


def test_access_token_ttl(emu: Emulator, portal: Any) -> None:
    emu.configure(access_token_ttl=60)
    token = emu.sign_in()["accessToken"]
    assert portal.list_accounts(accessToken=token)
    emu.advance_clock(61)
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token)


def test_throttle_rate_gives_too_many_requests(emu: Emulator, token: str) -> None:
    emu.configure(throttle_rate=1.0)
    portal = client(emu, "sso", attempts=1)
    with pytest.raises(portal.exceptions.TooManyRequestsException) as info:
        portal.list_accounts(accessToken=token)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_throttle_rate_is_reproducible_with_seed(token: str) -> None:
    def outcomes(seed: int) -> list[bool]:
        with Emulator(throttle_rate=0.5, seed=seed) as emu:
            portal, tok = client(emu, "sso", attempts=1), emu.sign_in()["accessToken"]
            out = []
            for _ in range(12):
                try:
                    portal.list_accounts(accessToken=tok)
                    out.append(True)
                except portal.exceptions.TooManyRequestsException:
                    out.append(False)
            return out

    first = outcomes(7)
    assert first == outcomes(7)
    assert True in first and False in first


def test_tps_limit_token_bucket(emu: Emulator, token: str) -> None:
    emu.configure(tps_limit=1)
    portal = client(emu, "sso", attempts=1)
    throttled = 0
    for _ in range(6):  # a 1/s bucket cannot serve 6 back-to-back calls
        try:
            portal.list_accounts(accessToken=token)
        except portal.exceptions.TooManyRequestsException:
            throttled += 1
    assert throttled >= 1
    assert emu.counters()["ListAccounts"] == 6


def test_botocore_retries_429_then_succeeds(emu: Emulator, token: str) -> None:
    emu.configure(throttle_rate=0.5, seed=3)
    portal = client(emu, "sso", attempts=10)
    for _ in range(3):
        assert portal.list_accounts(accessToken=token)["accountList"]
    assert emu.counters()["ListAccounts"] > 3  # some calls were retried


def test_injected_500_for_selected_operation(emu: Emulator, token: str) -> None:
    emu.configure(error_rate=1.0, error_operations="GetRoleCredentials")
    portal = client(emu, "sso", attempts=1)
    assert portal.list_accounts(accessToken=token)["accountList"]
    with pytest.raises(ClientError) as info:
        portal.get_role_credentials(accessToken=token, accountId="111111111111",
                                    roleName="Developer")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_malformed_answers(emu: Emulator, token: str) -> None:
    emu.configure(malformed=["ListAccounts", "GetRoleCredentials:missing"])
    status, _, body = _raw_get(emu, "/assignment/accounts", token)
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    portal = client(emu, "sso")
    got = portal.get_role_credentials(accessToken=token, accountId="111111111111",
                                      roleName="Developer")
    assert "roleCredentials" not in got


def test_latency_knob_keeps_answers_correct(emu: Emulator, portal: Any, token: str) -> None:
    emu.configure(latency_ms=20)
    assert len(portal.list_accounts(accessToken=token)["accountList"]) == 4


def test_hostile_names_round_trip(token: str) -> None:
    directory = Directory.hostile()
    with Emulator(directory=directory) as emu:
        portal, tok = client(emu, "sso"), emu.sign_in()["accessToken"]
        got = [a for p in portal.get_paginator("list_accounts").paginate(accessToken=tok)
               for a in p["accountList"]]
        assert [a["accountName"] for a in got] == [a.name for a in directory.accounts]
        assert any("\n" in a["accountName"] for a in got)
        acct = directory.accounts[1]
        roles = portal.list_account_roles(accessToken=tok, accountId=acct.account_id)
        assert [r["roleName"] for r in roles["roleList"]] == list(acct.roles)
        creds = portal.get_role_credentials(accessToken=tok, accountId=acct.account_id,
                                            roleName=acct.roles[-1])["roleCredentials"]
        assert creds["accessKeyId"]


def test_concurrent_burst_is_served(emu: Emulator, token: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def call(_: int) -> int:
        # One client per worker: separate connection pools, a real burst of connects.
        portal = client(emu, "sso", attempts=1)
        return len(portal.list_accounts(accessToken=token)["accountList"])

    with ThreadPoolExecutor(max_workers=24) as pool:
        assert list(pool.map(call, range(32))) == [4] * 32
    assert emu.counters()["ListAccounts"] == 32
