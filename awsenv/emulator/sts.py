"""STS GetCallerIdentity and AssumeRole with real SigV4 verification.

The point of this endpoint is to prove that credentials a client handed to an
SDK are the ones the portal (or an earlier AssumeRole) issued, intact: the
signature is recomputed with the secret issued for the access key (canonical
request per the SigV4 spec, written here in stdlib so the check does not trust
the signer it checks).

AssumeRole refuses what STS refuses, in its words and statuses: the model's
constraints first (``ValidationError`` 400, "N validation error(s) detected:
Value ... at 'roleSessionName' failed to satisfy constraint: ..."), then the
trust policy (``AccessDenied`` 403 "User: <caller> is not authorized to perform:
sts:AssumeRole on resource: <role>", also for a role that does not exist and a
missing or wrong ExternalId), then the session limits (``ValidationError``: the
one-hour cap of role chaining, which applies to every AssumeRole made with role
credentials, Identity Center's included; the role's MaxSessionDuration).
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
# STS's own window, both ways: its answers read "(<now> - 15 min.)" and
# "(<now> + 15 min.)" (many other services allow 5 minutes; STS does not).
MAX_SKEW = 15 * 60
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AMZ_EXPIRY = "%Y-%m-%dT%H:%M:%SZ"
# Headers the signature check reads one value of: a second copy would let the
# value checked differ from the value signed.
_SINGLE = ("Authorization", "Host", "X-Amz-Date", "X-Amz-Security-Token",
           "X-Amz-Content-Sha256")
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
    """The SigV4 canonical request, its payload hash taken from the body received.

    Never from an ``x-amz-content-sha256`` header: STS has no unsigned-payload
    mode, and a hash the client merely claims would let a body changed after
    signing pass with the original signature.
    """
    path, _, raw_query = req.raw_path.partition("?")
    lines = []
    for name in signed_headers:
        values = req.headers.get_all(name) or []
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}\n")
    return "\n".join([
        req.method,
        quote(path or "/", safe="/~"),
        canonical_query(raw_query),
        "".join(lines),
        ";".join(signed_headers),
        hashlib.sha256(req.body).hexdigest(),
    ])


def signature(secret: str, amz_date: str, scope: str, creq: str) -> str:
    date, region, service, terminal = scope.split("/")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, terminal):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _incomplete(message: str) -> StsError:
    return StsError("IncompleteSignature", message, status=400)


def _parse(req: Request) -> tuple[re.Match[str], str, list[str], str, datetime]:
    """The Authorization header's parts, or the IncompleteSignature STS answers."""
    for name in _SINGLE:
        if len(req.headers.get_all(name) or []) > 1:
            raise _incomplete(f"Request has more than one '{name}' header.")
    auth = req.headers.get("Authorization") or ""
    if not auth:
        raise StsError("MissingAuthenticationToken", "Request is missing Authentication Token")
    m = _AUTH.match(auth)
    if m is None:
        raise _incomplete("Authorization header requires 'Credential' parameter. Authorization "
                          "header requires 'Signature' parameter. Authorization header requires "
                          "'SignedHeaders' parameter.")
    key_id, _, scope = m["cred"].partition("/")
    if not key_id or len(scope.split("/")) != 4:
        raise _incomplete("Credential must have exactly 5 slash-delimited elements, e.g. "
                          f"keyid/date/region/service/term, got '{m['cred']}'")
    signed = m["signed"].split(";")
    if "host" not in signed:
        raise _incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                          "Authorization.")
    if "x-amz-date" not in signed:
        raise _incomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
    amz_date = req.headers.get("X-Amz-Date") or ""
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise _incomplete("Authorization header requires existence of either a 'X-Amz-Date' "
                          "or a 'Date' header.") from exc
    return m, key_id, signed, scope, signed_at


def _check_time(amz_date: str, signed_at: datetime) -> None:
    """STS's clock-skew refusal, worded as STS words it (SignatureDoesNotMatch, 403)."""
    # Real time, not the emulator's advanceable clock: the client signs with wall time.
    now = time.time()

    def stamp(t: float) -> str:
        return datetime.fromtimestamp(t, timezone.utc).strftime(_AMZ_DATE)

    minutes = MAX_SKEW // 60
    if signed_at.timestamp() < now - MAX_SKEW:
        raise StsError("SignatureDoesNotMatch", f"Signature expired: {amz_date} is now earlier "
                       f"than {stamp(now - MAX_SKEW)} ({stamp(now)} - {minutes} min.)")
    if signed_at.timestamp() > now + MAX_SKEW:
        raise StsError("SignatureDoesNotMatch", f"Signature not yet current: {amz_date} is "
                       f"still later than {stamp(now + MAX_SKEW)} ({stamp(now)} + {minutes} "
                       "min.)")


# AWS's own STS host names, as a client behind a proxy playing them sends them
# (tests/interop/_tlsproxy.py): sts.REGION.amazonaws.com, or the global sts.amazonaws.com.
_STS_HOST = re.compile(r"sts(?:\.([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?")


def served_regions(state: st.State, req: Request) -> frozenset[str]:
    """The regions the endpoint the client reached serves: the one in a regional AWS
    host name (us-east-1 for the global one), else, for the emulator's own loopback
    URL, its region and the ``sts_regions`` knob's."""
    host = (req.headers.get("Host") or "").rsplit(":", 1)[0].lower()
    m = _STS_HOST.fullmatch(host)
    if m:
        return frozenset({m.group(1) or "us-east-1"})
    return state.sts_regions()


def _check_scope(state: st.State, req: Request, scope: str, amz_date: str) -> None:
    """<date of X-Amz-Date>/<a region this endpoint serves>/sts/aws4_request, as STS checks."""
    date, region, service, terminal = scope.split("/")
    if date != amz_date[:8]:
        raise StsError("SignatureDoesNotMatch", "Date in Credential scope does not match "
                       "YYYYMMDD from ISO-8601 version of date from HTTP: "
                       f"'{date}' != '{amz_date[:8]}', from '{amz_date}'.")
    if region not in served_regions(state, req):
        raise StsError("SignatureDoesNotMatch",
                       f"Credential should be scoped to a valid region, not '{region}'. ")
    if service != "sts":
        raise StsError("SignatureDoesNotMatch",
                       "Credential should be scoped to correct service: 'sts'. ")
    if terminal != "aws4_request":
        raise StsError("SignatureDoesNotMatch", "Credential should be scoped with a valid "
                       f"terminator: 'aws4_request', not '{terminal}'. ")


def verify(state: st.State, req: Request) -> st.RoleCredential:
    """The issued credential that signed ``req``, or the StsError AWS would send.

    Refuses what STS refuses: a malformed Authorization (IncompleteSignature, 400),
    an unknown key or token (InvalidClientTokenId), a request signed more than 15
    minutes away from now, a scope whose date is not X-Amz-Date's or whose region
    this endpoint does not serve, and any signature that does not cover the body
    actually received (SignatureDoesNotMatch, 403).
    """
    m, key_id, signed, scope, signed_at = _parse(req)
    amz_date = req.headers.get("X-Amz-Date") or ""
    with state.lock:
        cred = state.credentials.get(key_id)
    token = req.headers.get("X-Amz-Security-Token") or ""
    if cred is None or not hmac.compare_digest(token.encode(), cred.session_token.encode()):
        raise StsError("InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if cred.expires_at <= state.now():
        raise StsError("ExpiredToken", "The security token included in the request is expired",
                       status=400)
    _check_time(amz_date, signed_at)
    _check_scope(state, req, scope, amz_date)
    if any(not req.headers.get_all(name) or name != name.lower() for name in signed):
        raise StsError("SignatureDoesNotMatch", _BAD_SIGNATURE)
    claimed = req.headers.get("X-Amz-Content-Sha256")
    if claimed is not None and claimed != hashlib.sha256(req.body).hexdigest():
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
    if version == "2011-06-15" and action == "GetCallerIdentity":
        return get_caller_identity(state, req), action
    if version == "2011-06-15" and action == "AssumeRole":
        return assume_role(state, req, form), action
    raise StsError("InvalidAction",
                   f"Could not find operation {action} for version {version}", status=400)


def _partition(cred: st.RoleCredential) -> str:
    return cred.role_arn.split(":")[1] if cred.role_arn else "aws"


def principal_arn(cred: st.RoleCredential) -> str:
    """The IAM role behind a credential, as trust policies name it (with its path)."""
    if cred.role_arn:
        return cred.role_arn
    suffix = role_suffix(cred.account_id, cred.role_name)
    return (f"arn:aws:iam::{cred.account_id}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{cred.role_name}_{suffix}")


def session_arn(cred: st.RoleCredential) -> str:
    """``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``: what GetCallerIdentity answers."""
    if not cred.role_arn:
        return assumed_role_arn(cred)
    name = cred.role_arn.rsplit("/", 1)[1]
    return f"arn:{_partition(cred)}:sts::{cred.account_id}:assumed-role/{name}/{cred.session_name}"


def session_user_id(cred: st.RoleCredential) -> str:
    if not cred.role_arn:
        return f"{role_id(cred.account_id, cred.role_name)}:{cred.user_name}"
    return f"{role_id(cred.account_id, cred.role_arn)}:{cred.session_name}"


def get_caller_identity(state: st.State, req: Request) -> Response:
    cred = verify(state, req)
    xml = (f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
           "  <GetCallerIdentityResult>\n"
           f"    <Arn>{escape(session_arn(cred))}</Arn>\n"
           f"    <UserId>{escape(session_user_id(cred))}</UserId>\n"
           f"    <Account>{cred.account_id}</Account>\n"
           "  </GetCallerIdentityResult>\n"
           f"  <ResponseMetadata>\n    <RequestId>{req.request_id}</RequestId>\n"
           "  </ResponseMetadata>\n</GetCallerIdentityResponse>\n")
    return Response(200, xml.encode(), "text/xml")


# -- AssumeRole --------------------------------------------------------------------

# STS's model (Java's \w is ASCII): RoleSessionName [\w+=,.@-]*, 2..64;
# ExternalId [\w+=,.@:/-]*, 2..1224; RoleArn 20..2048; DurationSeconds 900..43200.
_SESSION_NAME = re.compile(r"[\w+=,.@-]*", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*", re.ASCII)
_ROLE_ARN = re.compile(r"arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>[0-9]{12}):"
                       r"role(?P<path>/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,64})", re.ASCII)
CHAINED_MAX = 3600
DEFAULT_DURATION = 3600


def _pattern_and_length(value: str, field: str, regex: re.Pattern[str], pattern: str,
                        low: int, high: int) -> list[str]:
    """STS's constraint messages for a string parameter (pattern, then length), in its order."""
    found = []
    if not regex.fullmatch(value):
        found.append(_constraint(value, field,
                                 f"must satisfy regular expression pattern: {pattern}"))
    if len(value) < low:
        found.append(_constraint(value, field, f"must have length greater than or equal to {low}"))
    elif len(value) > high:
        found.append(_constraint(value, field, f"must have length less than or equal to {high}"))
    return found


def _constraint(value: str | None, member: str, rule: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{member}' failed to satisfy constraint: Member {rule}"


def _validate(form: dict[str, list[str]]) -> tuple[str, str, int | None, str | None]:
    """The model's checks, all of them at once as STS reports them (ValidationError)."""
    def one(name: str) -> str | None:
        values = form.get(name)
        return values[0] if values else None

    arn, name, duration, external = (one("RoleArn"), one("RoleSessionName"),
                                     one("DurationSeconds"), one("ExternalId"))
    problems: list[str] = []
    if arn is None:
        problems.append(_constraint(None, "roleArn", "must not be null"))
    elif len(arn) < 20:
        problems.append(_constraint(arn, "roleArn", "must have length greater than or equal to 20"))
    elif len(arn) > 2048:
        problems.append(_constraint(arn, "roleArn", "must have length less than or equal to 2048"))
    if name is None:
        problems.append(_constraint(None, "roleSessionName", "must not be null"))
    else:
        problems += _pattern_and_length(name, "roleSessionName", _SESSION_NAME,
                                        "[\\w+=,.@-]*", 2, 64)
    seconds: int | None = None
    if duration is not None:
        try:
            seconds = int(duration)
        except ValueError:
            raise StsError("ValidationError", f"Value '{duration}' for parameter "
                           "DurationSeconds is invalid.", status=400) from None
        if seconds < 900:
            problems.append(_constraint(duration, "durationSeconds",
                                        "must have value greater than or equal to 900"))
        elif seconds > 43200:
            problems.append(_constraint(duration, "durationSeconds",
                                        "must have value less than or equal to 43200"))
    if external is not None:
        problems += _pattern_and_length(external, "externalId", _EXTERNAL_ID,
                                        "[\\w+=,.@:\\/-]*", 2, 1224)
    if problems:
        count = len(problems)
        raise StsError("ValidationError", f"{count} validation error{'s' if count > 1 else ''} "
                       f"detected: " + "; ".join(problems), status=400)
    assert arn is not None and name is not None
    return arn, name, seconds, external


def assume_role(state: st.State, req: Request, form: dict[str, list[str]]) -> Response:
    """STS AssumeRole: the caller must be a principal the role's trust policy names."""
    cred = verify(state, req)
    arn, session_name, seconds, external = _validate(form)
    caller = session_arn(cred)
    denied = StsError("AccessDenied", f"User: {caller} is not authorized to perform: "
                      f"sts:AssumeRole on resource: {arn}")
    m = _ROLE_ARN.fullmatch(arn)
    with state.lock:
        account = state.directory.account(m["account"]) if m else None
    role = account.iam_role(m["name"]) if account and m else None
    if m is None or role is None or role.path != m["path"] or \
            m["partition"] != _partition(cred) or \
            not role.trusts(principal_arn(cred), cred.account_id):
        raise denied
    if role.external_id is not None and (
            external is None or not hmac.compare_digest(external.encode(),
                                                        role.external_id.encode())):
        raise denied
    # Every caller here holds role credentials (the portal's or an AssumeRole's):
    # role chaining, whose sessions AWS caps at one hour whatever the role allows.
    if seconds is not None and seconds > CHAINED_MAX:
        raise StsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                       "session limit for roles assumed by role chaining.", status=400)
    if seconds is not None and seconds > role.max_session_duration:
        raise StsError("ValidationError", "The requested DurationSeconds exceeds the "
                       "MaxSessionDuration set for this role.", status=400)
    lifetime = state.knobs.assume_role_ttl or min(seconds or DEFAULT_DURATION,
                                                  role.max_session_duration)
    new = st.RoleCredential(
        access_key_id=st.new_access_key_id(),
        secret_access_key=st.new_secret_access_key(),
        session_token=st.new_session_token(),
        account_id=m["account"], role_name=m["name"], user_name=cred.user_name,
        expires_at=state.now() + lifetime,
        role_arn=arn, session_name=session_name, source_arn=caller)
    with state.lock:
        state.credentials[new.access_key_id] = new
    expiration = datetime.fromtimestamp(int(new.expires_at), timezone.utc)
    xml = (f'<AssumeRoleResponse xmlns="{STS_NS}">\n'
           "  <AssumeRoleResult>\n"
           "    <AssumedRoleUser>\n"
           f"      <AssumedRoleId>{escape(session_user_id(new))}</AssumedRoleId>\n"
           f"      <Arn>{escape(session_arn(new))}</Arn>\n"
           "    </AssumedRoleUser>\n"
           "    <Credentials>\n"
           f"      <AccessKeyId>{new.access_key_id}</AccessKeyId>\n"
           f"      <SecretAccessKey>{escape(new.secret_access_key)}</SecretAccessKey>\n"
           f"      <SessionToken>{escape(new.session_token)}</SessionToken>\n"
           f"      <Expiration>{expiration.strftime(_AMZ_EXPIRY)}</Expiration>\n"
           "    </Credentials>\n"
           "  </AssumeRoleResult>\n"
           f"  <ResponseMetadata>\n    <RequestId>{req.request_id}</RequestId>\n"
           "  </ResponseMetadata>\n</AssumeRoleResponse>\n")
    return Response(200, xml.encode(), "text/xml")
