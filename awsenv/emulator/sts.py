"""STS GetCallerIdentity with real SigV4 verification.

The point of this endpoint is to prove that credentials a client handed to an
SDK are the ones the portal issued, intact: the signature is recomputed with
the secret issued for the access key (canonical request per the SigV4 spec,
written here in stdlib so the check does not trust the signer it checks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from datetime import datetime, timezone
from urllib.parse import quote, unquote_plus
from xml.sax.saxutils import escape

from awsenv.emulator import state as st
from awsenv.emulator.wire import STS_NS, Request, Response, StsError

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-f]{64})\s*$")
MAX_SKEW = 15 * 60
_BAD_SIGNATURE = ("The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method. Consult the "
                  "service documentation for details.")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _uri_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(raw_query: str) -> str:
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        key, _, value = part.partition("=")
        pairs.append((_uri_encode(unquote_plus(key)), _uri_encode(unquote_plus(value))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(req: Request, signed_headers: list[str]) -> str:
    path, _, raw_query = req.raw_path.partition("?")
    lines = []
    for name in signed_headers:
        values = req.headers.get_all(name) or []
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}\n")
    payload_hash = req.headers.get("x-amz-content-sha256") or hashlib.sha256(
        req.body).hexdigest()
    return "\n".join([
        req.method,
        quote(path or "/", safe="/~"),
        canonical_query(raw_query),
        "".join(lines),
        ";".join(signed_headers),
        payload_hash,
    ])


def signature(secret: str, amz_date: str, scope: str, creq: str) -> str:
    date, region, service, terminal = scope.split("/")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, terminal):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify(state: st.State, req: Request) -> st.RoleCredential:
    """The issued credential that signed ``req``, or the StsError AWS would send."""
    auth = req.headers.get("Authorization") or ""
    if not auth:
        raise StsError("MissingAuthenticationToken", "Request is missing Authentication Token")
    m = _AUTH.match(auth)
    if m is None:
        raise StsError("IncompleteSignature",
                       "Authorization header requires Credential, SignedHeaders, Signature",
                       status=400)
    key_id, _, scope = m["cred"].partition("/")
    with state.lock:
        cred = state.credentials.get(key_id)
    token = req.headers.get("X-Amz-Security-Token")
    if cred is None or token != cred.session_token:
        raise StsError("InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if cred.expires_at <= state.now():
        raise StsError("ExpiredToken", "The security token included in the request is expired",
                       status=400)
    amz_date = req.headers.get("X-Amz-Date") or ""
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise StsError("IncompleteSignature", "X-Amz-Date header is missing or invalid",
                       status=400) from exc
    # Real time, not the emulator's advanceable clock: the client signs with wall time.
    if abs(signed_at.timestamp() - time.time()) > MAX_SKEW:
        raise StsError("SignatureDoesNotMatch", f"Signature expired: {amz_date} is outside "
                       "the allowed time window")
    parts = scope.split("/")
    signed = m["signed"].split(";")
    if (len(parts) != 4 or parts[0] != amz_date[:8] or parts[2] != "sts"
            or parts[3] != "aws4_request" or "host" not in signed):
        raise StsError("SignatureDoesNotMatch", _BAD_SIGNATURE)
    expected = signature(cred.secret_access_key, amz_date, scope, canonical_request(req, signed))
    if not hmac.compare_digest(expected, m["sig"]):
        raise StsError("SignatureDoesNotMatch", _BAD_SIGNATURE)
    return cred


def role_suffix(account_id: str, role_name: str) -> str:
    return hashlib.sha256(f"{account_id}/{role_name}".encode()).hexdigest()[:16]


def role_id(account_id: str, role_name: str) -> str:
    digest = hashlib.sha256(f"role/{account_id}/{role_name}".encode()).digest()
    return "AROA" + base64.b32encode(digest).decode()[:17]


def assumed_role_arn(cred: st.RoleCredential) -> str:
    suffix = role_suffix(cred.account_id, cred.role_name)
    return (f"arn:aws:sts::{cred.account_id}:assumed-role/"
            f"AWSReservedSSO_{cred.role_name}_{suffix}/{cred.user_name}")


def handle(state: st.State, req: Request) -> tuple[Response, str]:
    """``POST /`` query protocol; returns the action name for the counters."""
    form = req.form()
    action = (form.get("Action") or [""])[0]
    version = (form.get("Version") or [""])[0]
    if action != "GetCallerIdentity" or version != "2011-06-15":
        raise StsError("InvalidAction",
                       f"Could not find operation {action} for version {version}", status=400)
    return get_caller_identity(state, req), action


def get_caller_identity(state: st.State, req: Request) -> Response:
    cred = verify(state, req)
    user_id = f"{role_id(cred.account_id, cred.role_name)}:{cred.user_name}"
    xml = (f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
           "  <GetCallerIdentityResult>\n"
           f"    <Arn>{escape(assumed_role_arn(cred))}</Arn>\n"
           f"    <UserId>{escape(user_id)}</UserId>\n"
           f"    <Account>{cred.account_id}</Account>\n"
           "  </GetCallerIdentityResult>\n"
           f"  <ResponseMetadata>\n    <RequestId>{req.request_id}</RequestId>\n"
           "  </ResponseMetadata>\n</GetCallerIdentityResponse>\n")
    return Response(200, xml.encode(), "text/xml")
