"""STS GetCallerIdentity: the emulator checks SigV4 against the secret it issued."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from emu_helpers import client

from awsenv.emulator import Emulator, sts


def _creds(emu: Emulator, token: str, account: str = "111111111111",
           role: str = "Developer") -> dict[str, Any]:
    portal = client(emu, "sso")
    return portal.get_role_credentials(accessToken=token, accountId=account,
                                       roleName=role)["roleCredentials"]


def _sts(emu: Emulator, creds: dict[str, Any], **override: str) -> Any:
    keys = {"aws_access_key_id": creds["accessKeyId"],
            "aws_secret_access_key": creds["secretAccessKey"],
            "aws_session_token": creds["sessionToken"], **override}
    return client(emu, "sts", attempts=1, **keys)


def test_get_caller_identity_with_issued_credentials(emu: Emulator, token: str) -> None:
    ident = _sts(emu, _creds(emu, token, "333333333333", "ReadOnlyAccess")).get_caller_identity()
    assert ident["Account"] == "333333333333"
    prefix = "arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_ReadOnlyAccess_"
    assert ident["Arn"].startswith(prefix)
    suffix, user = ident["Arn"][len(prefix):].split("/")
    assert len(suffix) == 16 and int(suffix, 16) >= 0
    assert user == "awsenv-user"
    assert ident["UserId"].startswith("AROA") and ident["UserId"].endswith(":awsenv-user")
    assert emu.counters()["GetCallerIdentity"] == 1


def test_wrong_secret_is_signature_does_not_match(emu: Emulator, token: str) -> None:
    creds = _creds(emu, token)
    wrong = creds["secretAccessKey"][:-1] + ("A" if creds["secretAccessKey"][-1] != "A" else "B")
    with pytest.raises(ClientError) as info:
        _sts(emu, creds, aws_secret_access_key=wrong).get_caller_identity()
    err = info.value.response["Error"]
    assert (err["Code"], err["Type"]) == ("SignatureDoesNotMatch", "Sender")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_and_wrong_session_token(emu: Emulator, token: str) -> None:
    creds = _creds(emu, token)
    for override in ({"aws_access_key_id": "ASIAAAAAAAAAAAAAAAAA"},
                     {"aws_session_token": creds["sessionToken"] + "x"}):
        with pytest.raises(ClientError) as info:
            _sts(emu, creds, **override).get_caller_identity()
        assert info.value.response["Error"]["Code"] == "InvalidClientTokenId"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_expired_credentials(emu: Emulator, token: str) -> None:
    emu.configure(credential_ttl=900)
    creds = _creds(emu, token)
    emu.advance_clock(901)
    with pytest.raises(ClientError) as info:
        _sts(emu, creds).get_caller_identity()
    assert info.value.response["Error"]["Code"] == "ExpiredToken"


def test_unsigned_request_is_rejected(emu: Emulator) -> None:
    req = urllib.request.Request(emu.url + "/",
                                 data=b"Action=GetCallerIdentity&Version=2011-06-15")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 403
    body = info.value.read().decode()
    assert "<Code>MissingAuthenticationToken</Code>" in body
    assert body.startswith("<ErrorResponse")


def test_canonical_request_matches_botocore() -> None:
    """The stdlib canonicalization equals botocore's for the requests clients send."""
    from email.message import Message

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    for url, body in (("http://127.0.0.1:4321/", "Action=GetCallerIdentity&Version=2011-06-15"),
                      ("http://127.0.0.1:4321/a%20b/c?b=2&a=1&a=0&x=%2F%20", "")):
        request = AWSRequest(method="POST", url=url, data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        signer = SigV4Auth(Credentials("AKID", "secret", "tok"), "sts", "us-east-1")
        signer.add_auth(request)
        prepared = request.prepare()
        headers = Message()
        for key, value in prepared.headers.items():
            headers[key] = value
        headers["Host"] = "127.0.0.1:4321"
        path = url.split("127.0.0.1:4321", 1)[1]
        ours = sts.Request(method="POST", path=path.split("?")[0], query={}, headers=headers,
                           body=body.encode(), raw_path=path)
        auth = prepared.headers["Authorization"]
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        del request.headers["Authorization"]  # as it was when botocore signed
        assert sts.canonical_request(ours, signed) == signer.canonical_request(request)


def test_console_federation(emu: Emulator, token: str) -> None:
    creds = _creds(emu, token, "444444444444", "AdministratorAccess")
    session = json.dumps({"sessionId": creds["accessKeyId"],
                          "sessionKey": creds["secretAccessKey"],
                          "sessionToken": creds["sessionToken"]})

    def get(query: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{emu.url}/federation?{query}", timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    status, body = get(f"Action=getSigninToken&Session={quote(session)}")
    assert status == 200
    signin = json.loads(body)["SigninToken"]
    # Identity Center role credentials may pick a console duration (15 min to 12 h).
    assert get(f"Action=getSigninToken&SessionDuration=3600&Session={quote(session)}")[0] == 200
    for bad_duration in ("899", "43201", "1h"):
        status, body = get(f"Action=getSigninToken&SessionDuration={bad_duration}"
                           f"&Session={quote(session)}")
        assert (status, body) == (400, "Invalid credentials parameter")
    bad = json.dumps({**json.loads(session), "sessionKey": "wrong"})
    assert get(f"Action=getSigninToken&Session={quote(bad)}")[0] == 400
    dest = "https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1"
    login = f"Action=login&Issuer=awsenv&Destination={quote(dest, safe='')}" \
            f"&SigninToken={quote(signin, safe='')}"
    status, body = get(login)
    assert status == 200
    assert "Signed in as role AdministratorAccess in account 444444444444" in body
    assert "console.aws.amazon.com" in body
    assert get(login)[0] == 400  # single use
    counts = emu.counters()
    assert counts["GetSigninToken"] == 6 and counts["FederationLogin"] == 2
