"""The emulator's STS refuses what real STS refuses, so the suite is as strict as AWS.

Each request is signed by botocore's own SigV4Auth with credentials the
emulator's portal issued, then tampered with and sent byte for byte with
http.client (botocore would re-sign or normalise it). The answers are checked
against STS's wire shape: the query-protocol ``ErrorResponse`` with its code,
type and HTTP status, and the wording STS uses where clients show it.

STS's clock window is 15 minutes (its own answers read "(<now> - 15 min.)" and
"(<now> + 15 min.)"), not the 5 minutes many other services allow; the
emulator keeps STS's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from awsenv.emulator import Directory, Emulator

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
OTHER_BODY = b"Action=GetCallerIdentity&Version=2011-06-15&Tampered=1"
NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(directory=Directory.default()) as server:
        yield server


@pytest.fixture
def creds(emu: Emulator) -> dict[str, str]:
    token = emu.sign_in()["accessToken"]
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    portal = boto3.client("sso", region_name=emu.region, endpoint_url=emu.url,
                          config=Config(signature_version=UNSIGNED))
    out = portal.get_role_credentials(accessToken=token, accountId="111111111111",
                                      roleName="AdministratorAccess")["roleCredentials"]
    return {"key": out["accessKeyId"], "secret": out["secretAccessKey"],
            "token": out["sessionToken"]}


def sign(emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch, *,
         body: bytes = BODY, region: str | None = None, skew: dt.timedelta | None = None,
         extra: dict[str, str] | None = None, auth_class: Any = None,
         url: str | None = None) -> Any:
    """A request botocore's SigV4Auth signed for STS (``skew`` shifts the signer's clock)."""
    from botocore import auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    if skew is not None:
        shifted = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + skew
        monkeypatch.setattr(auth, "get_current_datetime", lambda: shifted)
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(extra or {})}
    req = AWSRequest(method="POST", url=url or emu.url + "/", data=body, headers=headers)
    signer = (auth_class or auth.SigV4Auth)(
        Credentials(creds["key"], creds["secret"], creds["token"]), "sts", region or emu.region)
    signer.add_auth(req)
    monkeypatch.undo()
    return req


def send(emu: Emulator, headers: list[tuple[str, str]], body: bytes) -> tuple[int, dict[str, str]]:
    """POST exactly these headers (duplicates kept) and body; the status and the parsed answer."""
    url = urlsplit(emu.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.putrequest("POST", "/", skip_host=True, skip_accept_encoding=True)
        names = {name.lower() for name, _ in headers}
        if "host" not in names:
            conn.putheader("Host", url.netloc)
        for name, value in headers:
            conn.putheader(name, value)
        if "content-length" not in names:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        status, data = resp.status, resp.read()
    finally:
        conn.close()
    root = ElementTree.fromstring(data)
    if root.tag == f"{NS}ErrorResponse":
        err = root.find(f"{NS}Error")
        assert err is not None
        return status, {child.tag[len(NS):]: child.text or "" for child in err}
    result = root.find(f"{NS}GetCallerIdentityResult")
    assert result is not None
    return status, {child.tag[len(NS):]: child.text or "" for child in result}


def headers_of(req: Any, *, drop: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(k, v) for k, v in req.headers.items() if k.lower() not in drop]


def refused(answer: tuple[int, dict[str, str]], status: int, code: str) -> str:
    got_status, err = answer
    assert (got_status, err.get("Code"), err.get("Type")) == (status, code, "Sender"), answer
    return err["Message"]


def test_a_request_signed_by_botocore_passes(emu: Emulator, creds: dict[str, str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    req = sign(emu, creds, monkeypatch)
    status, ident = send(emu, headers_of(req), BODY)
    assert status == 200 and ident["Account"] == "111111111111"


def test_a_body_changed_after_signing_is_refused(emu: Emulator, creds: dict[str, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    req = sign(emu, creds, monkeypatch)
    message = refused(send(emu, headers_of(req), OTHER_BODY), 403, "SignatureDoesNotMatch")
    assert message.startswith("The request signature we calculated does not match")


def test_an_unsigned_content_hash_cannot_vouch_for_a_changed_body(
        emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack: change the body, add the signed body's hash in an unsigned header."""
    req = sign(emu, creds, monkeypatch)
    assert "x-amz-content-sha256" not in req.headers["Authorization"]
    forged = [*headers_of(req), ("X-Amz-Content-SHA256", hashlib.sha256(BODY).hexdigest())]
    refused(send(emu, forged, OTHER_BODY), 403, "SignatureDoesNotMatch")


def test_a_signed_content_hash_must_be_the_hash_of_the_body_received(
        emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore signs a claimed payload hash as the payload's: the body must still match it."""
    req = sign(emu, creds, monkeypatch,
               extra={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    assert "x-amz-content-sha256" in req.headers["Authorization"]
    assert send(emu, headers_of(req), BODY)[0] == 200
    refused(send(emu, headers_of(req), OTHER_BODY), 403, "SignatureDoesNotMatch")


@pytest.mark.parametrize(("minutes", "wording"), [
    (-16, r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
          r"\(\d{8}T\d{6}Z - 15 min\.\)"),
    (16, r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z "
         r"\(\d{8}T\d{6}Z \+ 15 min\.\)"),
])
def test_a_clock_off_by_more_than_sts_allows_is_refused(
        emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        minutes: int, wording: str) -> None:
    req = sign(emu, creds, monkeypatch, skew=dt.timedelta(minutes=minutes))
    message = refused(send(emu, headers_of(req), BODY), 403, "SignatureDoesNotMatch")
    assert re.fullmatch(wording, message), message


@pytest.mark.parametrize("minutes", [-14, -6, 6, 14])
def test_a_clock_within_sts_window_is_accepted(emu: Emulator, creds: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              minutes: int) -> None:
    """STS's window is 15 minutes both ways (6 minutes off passes there, as here)."""
    req = sign(emu, creds, monkeypatch, skew=dt.timedelta(minutes=minutes))
    assert send(emu, headers_of(req), BODY)[0] == 200


def test_a_scope_naming_another_region_is_refused(emu: Emulator, creds: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert emu.region != "eu-west-1"
    req = sign(emu, creds, monkeypatch, region="eu-west-1")
    message = refused(send(emu, headers_of(req), BODY), 403, "SignatureDoesNotMatch")
    assert message == "Credential should be scoped to a valid region, not 'eu-west-1'. "


def test_a_region_the_endpoint_serves_is_accepted(emu: Emulator, creds: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    emu.configure(sts_regions=["eu-west-1"])
    req = sign(emu, creds, monkeypatch, region="eu-west-1")
    assert send(emu, headers_of(req), BODY)[0] == 200
    req = sign(emu, creds, monkeypatch, region="ap-south-1")
    refused(send(emu, headers_of(req), BODY), 403, "SignatureDoesNotMatch")


def test_a_scope_date_other_than_x_amz_date_is_refused(emu: Emulator, creds: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.auth import SigV4Auth

    class YesterdayScope(SigV4Auth):
        def credential_scope(self, request: Any) -> str:
            when = dt.datetime.strptime(request.context["timestamp"][:8], "%Y%m%d")
            day = (when - dt.timedelta(days=1)).strftime("%Y%m%d")
            return "/".join([day, self._region_name, self._service_name, "aws4_request"])

        def scope(self, request: Any) -> str:  # the Credential= value botocore writes
            return f"{self.credentials.access_key}/{self.credential_scope(request)}"

    req = sign(emu, creds, monkeypatch, auth_class=YesterdayScope)
    message = refused(send(emu, headers_of(req), BODY), 403, "SignatureDoesNotMatch")
    assert message.startswith("Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                              "version of date from HTTP: ")


@pytest.mark.parametrize("unsigned", ["host", "x-amz-date"])
def test_host_and_date_must_be_signed(emu: Emulator, creds: dict[str, str],
                                      monkeypatch: pytest.MonkeyPatch, unsigned: str) -> None:
    """A signature that leaves out Host or X-Amz-Date could be replayed elsewhere or later."""
    from botocore.auth import SigV4Auth

    class Without(SigV4Auth):
        def headers_to_sign(self, request: Any) -> Any:
            out = super().headers_to_sign(request)
            del out[unsigned]
            return out

    req = sign(emu, creds, monkeypatch, auth_class=Without)
    assert f"{unsigned};" not in req.headers["Authorization"].split("SignedHeaders=")[1]
    refused(send(emu, headers_of(req), BODY), 400, "IncompleteSignature")


@pytest.mark.parametrize("name", ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
def test_a_repeated_signing_header_is_refused(emu: Emulator, creds: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              name: str) -> None:
    req = sign(emu, creds, monkeypatch)
    headers = headers_of(req)
    headers.append((name, dict(headers)[name]))
    refused(send(emu, headers, BODY), 400, "IncompleteSignature")


def test_a_credential_with_a_short_scope_is_an_incomplete_signature(
        emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    req = sign(emu, creds, monkeypatch)
    auth = re.sub(r"(Credential=[^/]+/\d{8})/[^/]+(/sts/aws4_request)", r"\1\2",
                  req.headers["Authorization"])
    headers = [(k, auth if k == "Authorization" else v) for k, v in headers_of(req)]
    message = refused(send(emu, headers, BODY), 400, "IncompleteSignature")
    assert message.startswith("Credential must have exactly 5 slash-delimited elements")


def test_a_signed_header_missing_from_the_request_is_refused(
        emu: Emulator, creds: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    req = sign(emu, creds, monkeypatch, extra={"X-Amz-Meta": ""})
    assert "x-amz-meta" in req.headers["Authorization"]
    refused(send(emu, headers_of(req, drop=("x-amz-meta",)), BODY), 403,
            "SignatureDoesNotMatch")



@pytest.mark.parametrize(("host", "serves"), [
    ("sts.eu-west-1.amazonaws.com", "eu-west-1"),
    ("sts.amazonaws.com", "us-east-1"),
])
def test_a_regional_host_name_serves_its_region_only(emu: Emulator, creds: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     host: str, serves: str) -> None:
    """Reached by AWS's own host name (a client behind the interop proxy), the endpoint
    serves that name's region, as the real regional endpoint does, whatever the knob says."""
    emu.configure(sts_regions=["ap-south-1"])
    for region in (serves, "ap-south-1"):
        req = sign(emu, creds, monkeypatch, region=region, url=f"https://{host}/")
        answer = send(emu, [("Host", host), *headers_of(req)], BODY)
        if region == serves:
            assert answer[0] == 200, answer
        else:
            message = refused(answer, 403, "SignatureDoesNotMatch")
            assert message == f"Credential should be scoped to a valid region, not '{region}'. "
