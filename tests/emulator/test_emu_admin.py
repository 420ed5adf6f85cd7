"""``/__admin/*`` over HTTP (how tests in other processes drive the emulator), counters,
the shared ``emulator`` fixture, and directories."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from emu_helpers import DEVICE_GRANT, client, register

from awsenv.emulator import Directory, Emulator


def _admin(emu: Emulator, action: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{emu.url}/__admin/{action}", data=data,
                                 method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_admin_counters_configure_reset(emu: Emulator, portal: Any, token: str) -> None:
    portal.list_accounts(accessToken=token)
    portal.list_accounts(accessToken=token)
    assert _admin(emu, "counters") == (200, {"ListAccounts": 2})
    status, knobs = _admin(emu, "configure", {"throttle_rate": 1, "credential_ttl": "120",
                                              "malformed": "ListAccounts,Logout"})
    assert status == 200 and knobs["throttle_rate"] == 1.0 and knobs["credential_ttl"] == 120
    assert emu.knobs.malformed == frozenset({"ListAccounts", "Logout"})
    assert _admin(emu, "configure", {"no_such_knob": 1})[0] == 400
    assert _admin(emu, "reset-counters", {}) == (200, {})
    assert emu.counters() == {}
    assert _admin(emu, "knobs")[1]["throttle_rate"] == 1.0
    assert _admin(emu, "nope", {})[0] == 404
    assert emu.counters() == {}  # admin calls are not counted


def test_admin_approve_deny_pending(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    devs = [oidc.start_device_authorization(clientId=reg["clientId"],
                                            clientSecret=reg["clientSecret"],
                                            startUrl=emu.start_url) for _ in range(2)]
    status, pending = _admin(emu, "pending")
    assert status == 200
    assert sorted(pending["user_codes"]) == sorted(d["userCode"] for d in devs)
    assert _admin(emu, "approve", {"user_code": devs[0]["userCode"]})[0] == 200
    assert _admin(emu, "deny", {"user_code": devs[1]["userCode"]})[0] == 200
    assert _admin(emu, "approve", {"user_code": "ZZZZ-ZZZZ"})[0] == 404
    assert _admin(emu, "pending")[1] == {"user_codes": []}
    args = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "grantType": DEVICE_GRANT}
    assert oidc.create_token(deviceCode=devs[0]["deviceCode"], **args)["accessToken"]
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        oidc.create_token(deviceCode=devs[1]["deviceCode"], **args)


def test_admin_revoke_and_expire(emu: Emulator, portal: Any) -> None:
    signed = emu.sign_in()
    assert _admin(emu, "expire-access-tokens", {}) == (200, {"expired": 1})
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=signed["accessToken"])
    emu.sign_in()
    assert _admin(emu, "revoke-all", {}) == (200, {"revoked": 2})
    assert _admin(emu, "advance-clock", {"seconds": 5})[1]["offset"] == 5


def test_device_page_approves_like_a_person(emu: Emulator, oidc: Any) -> None:
    reg = register(oidc)
    dev = oidc.start_device_authorization(clientId=reg["clientId"],
                                          clientSecret=reg["clientSecret"],
                                          startUrl=emu.start_url)
    with urllib.request.urlopen(dev["verificationUriComplete"], timeout=10) as resp:
        page = resp.read().decode()
    assert f"value='{dev['userCode']}'" in page
    form = f"user_code={dev['userCode']}&decision=approve".encode()
    with urllib.request.urlopen(f"{emu.url}/device", data=form, timeout=10) as resp:
        assert "approved" in resp.read().decode()
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    assert tok["accessToken"]


def test_counters_count_every_operation(emu: Emulator) -> None:
    emu.configure(auto_approve=True)
    oidc, portal = client(emu, "sso-oidc"), client(emu, "sso")
    reg = register(oidc, ["sso:account:access"])
    dev = oidc.start_device_authorization(clientId=reg["clientId"],
                                          clientSecret=reg["clientSecret"],
                                          startUrl=emu.start_url)
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType=DEVICE_GRANT, deviceCode=dev["deviceCode"])
    oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                      grantType="refresh_token", refreshToken=tok["refreshToken"])
    portal.list_accounts(accessToken=tok["accessToken"])
    portal.list_account_roles(accessToken=tok["accessToken"], accountId="111111111111")
    portal.get_role_credentials(accessToken=tok["accessToken"], accountId="111111111111",
                                roleName="Developer")
    assert emu.counters() == {
        "RegisterClient": 1, "StartDeviceAuthorization": 1, "CreateToken": 2,
        "CreateToken:device_code": 1, "CreateToken:refresh_token": 1, "ListAccounts": 1,
        "ListAccountRoles": 1, "GetRoleCredentials": 1}
    emu.reset_counters()
    assert emu.counters() == {}


def test_shared_fixture_exports_endpoints(emulator: Emulator) -> None:
    assert os.environ["AWS_ENDPOINT_URL_SSO"] == emulator.url
    assert set(emulator.env()) == {"AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                                   "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SIGNIN"}
    assert emulator.url.startswith("http://127.0.0.1:")
    assert emulator.start_url == "https://d-1234567890.awsapps.com/start"
    assert emulator.region == "us-east-1"
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    # No endpoint_url: the environment variable alone routes the client here.
    portal = boto3.client("sso", region_name="us-east-1",
                          config=Config(signature_version=UNSIGNED))
    assert len(portal.list_accounts(accessToken=emulator.sign_in()["accessToken"])
               ["accountList"]) == 4


def test_directory_load_generate_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "dir.json"
    path.write_text(json.dumps({"accounts": [
        {"id": "123456789012", "name": "one", "roles": ["A", "B"]},
        {"id": "210987654321", "name": "two", "email": "t@example.com", "roles": []}]}))
    loaded = Directory.load(path)
    assert [a.name for a in loaded.accounts] == ["one", "two"]
    assert loaded.accounts[0].email == "one@example.com"
    assert Directory.from_dict(loaded.to_dict()).accounts == loaded.accounts
    big = Directory.generate(accounts=2000, roles=4)
    assert len(big) == 2000 and len({a.account_id for a in big.accounts}) == 2000
    assert big.accounts[0].roles == ("AdministratorAccess", "ReadOnlyAccess", "Developer",
                                     "Billing")
    for bad in ({"accounts": [{"id": "12", "name": "x"}]}, {"nope": []},
                {"accounts": [{"id": "123456789012", "name": "x", "roles": "A"}]},
                {"accounts": [{"id": "123456789012", "name": "x"},
                              {"id": "123456789012", "name": "y"}]}):
        path.write_text(json.dumps(bad))
        with pytest.raises(ValueError):
            Directory.load(path)
    hostile = Directory.hostile()
    names = "".join(a.name for a in hostile.accounts)
    for needle in ("'", '"', "$(", "`", "\n", "😀"):
        assert needle in names


def test_remote_emulator_drives_admin(emu: Emulator, portal: Any) -> None:
    from awsenv.emulator import RemoteEmulator

    remote = RemoteEmulator(emu.url)
    assert remote.env() == emu.env()
    signed = remote.sign_in()
    assert signed["refreshToken"] and len(signed["clientSecret"]) > 1000
    assert portal.list_accounts(accessToken=signed["accessToken"])["accountList"]
    assert remote.counters() == {"ListAccounts": 1}
    assert remote.configure(throttle_rate=0.25, error_operations={"Logout"})[
        "error_operations"] == ["Logout"]
    assert emu.knobs.throttle_rate == 0.25
    remote.configure(throttle_rate=0)
    assert remote.set_directory({"accounts": [{"id": "555555555555", "name": "solo"}]}) == 1
    names = [a["accountName"] for a in
             portal.list_accounts(accessToken=signed["accessToken"])["accountList"]]
    assert names == ["solo"]
    with pytest.raises(KeyError):
        remote.approve("ABCD-EFGH")
    with pytest.raises(ValueError):
        remote.configure(bogus=1)
    remote.advance_clock(10)
    assert remote.expire_access_tokens() == 1
    assert remote.revoke_all() == 1
    remote.reset_counters()
    assert remote.counters() == {}
    assert remote.pending_user_codes() == []
