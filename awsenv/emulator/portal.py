"""sso portal: account/role listing with pagination, role credentials, logout.

The bearer token arrives in ``x-amz-sso_bearer_token`` (underscore: the reason
this server is stdlib ``http.server``). Credentials are unique per call so
clients that cache them can be told apart from clients that refetch.
"""

from __future__ import annotations

import base64
import binascii

from awsenv.emulator import state as st
from awsenv.emulator.wire import PortalError, Request, Response

BEARER_HEADER = "x-amz-sso_bearer_token"
DEFAULT_PAGE_SIZE = 20  # what users with 21+ accounts see on the first page
MAX_PAGE_SIZE = 100


def _session_token(state: st.State, req: Request) -> st.AccessToken:
    token = state.live_access_token(req.headers.get(BEARER_HEADER))
    if token is None:
        raise PortalError("UnauthorizedException", 401, "Session token not found or invalid")
    return token


def _page_args(req: Request, kind: str) -> tuple[int, int]:
    raw_max = req.arg("max_result")
    size = DEFAULT_PAGE_SIZE
    if raw_max is not None:
        try:
            size = int(raw_max)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise PortalError("InvalidRequestException", 400,
                              "ResultSize parameter must be within the valid limits of: 1-100")
    offset = 0
    raw_next = req.arg("next_token")
    if raw_next:
        try:
            got_kind, _, num = base64.urlsafe_b64decode(raw_next.encode()).decode().partition(
                ":")
            offset = int(num)
            if got_kind != kind or offset < 0:
                raise ValueError(raw_next)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise PortalError("InvalidRequestException", 400,
                              "Invalid pagination token") from exc
    return offset, size


def _next_token(kind: str, offset: int, total: int) -> str | None:
    if offset >= total:
        return None
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode()


def list_accounts(state: st.State, req: Request) -> Response:
    _session_token(state, req)
    offset, size = _page_args(req, "accounts")
    accounts = state.directory.accounts
    page = accounts[offset:offset + size]
    return Response.json({
        "nextToken": _next_token("accounts", offset + size, len(accounts)),
        "accountList": [a.to_wire() for a in page],
    })


def list_account_roles(state: st.State, req: Request) -> Response:
    _session_token(state, req)
    account_id = req.arg("account_id")
    if not account_id:
        raise PortalError("InvalidRequestException", 400, "accountId is required")
    account = state.directory.account(account_id)
    if account is None:
        raise PortalError("ResourceNotFoundException", 404, "Account not found")
    offset, size = _page_args(req, f"roles/{account_id}")
    page = account.roles[offset:offset + size]
    return Response.json({
        "nextToken": _next_token(f"roles/{account_id}", offset + size, len(account.roles)),
        "roleList": [{"roleName": r, "accountId": account_id} for r in page],
    })


def get_role_credentials(state: st.State, req: Request) -> Response:
    token = _session_token(state, req)
    account_id, role_name = req.arg("account_id"), req.arg("role_name")
    if not account_id or not role_name:
        raise PortalError("InvalidRequestException", 400, "accountId and roleName are required")
    if not state.directory.has_role(account_id, role_name):
        raise PortalError("ForbiddenException", 403, "No access")
    with state.lock:
        session = state.sessions[token.session_id]
        cred = st.RoleCredential(
            st.new_access_key_id(), st.new_secret_access_key(), st.new_session_token(),
            account_id, role_name, session.user_name,
            expires_at=state.now() + state.knobs.credential_ttl)
        state.credentials[cred.access_key_id] = cred
    return Response.json({"roleCredentials": {
        "accessKeyId": cred.access_key_id,
        "secretAccessKey": cred.secret_access_key,
        "sessionToken": cred.session_token,
        "expiration": int(cred.expires_at * 1000),
    }})


def logout(state: st.State, req: Request) -> Response:
    token = state.live_access_token(req.headers.get(BEARER_HEADER))
    if token is None:
        raise PortalError("UnauthorizedException", 401, "Session token not found or invalid")
    state.revoke_session(token.session_id)
    return Response(200, b"", None)
