"""The HTML a person sees in the sandbox: device verification and PKCE approval.

Plain forms that POST back, so a test can drive them with urllib just like a
person with a browser (and a person can actually use the sandbox).
"""

from __future__ import annotations

from html import escape

from awsenv.emulator import oidc
from awsenv.emulator import state as st
from awsenv.emulator.wire import Request, Response

_STYLE = ("<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}"
          "button{font-size:1.1em;margin-right:1em}</style>")


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response.html(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"{_STYLE}</head><body><h1>{escape(title)}</h1>{body}</body></html>", status)


def _invalid_grant(state: st.State) -> Response:
    """The portal's answer to an approval for a client of another region (a wrong
    sso_region): the sign-in goes no further, the client is never told."""
    with state.lock:
        state.counters["InvalidGrantPage"] += 1
    return _page("invalid_grant", "<p>Invalid grant provided</p>", 400)


def index(state: st.State, req: Request) -> Response:
    return _page("awsenv IAM Identity Center emulator",
                 f"<p>Start URL: <code>{escape(state.start_url)}</code>, region "
                 f"<code>{escape(state.region)}</code>.</p>"
                 "<p>Approve a device sign-in at <a href='/device'>/device</a>.</p>")


def device_form(state: st.State, req: Request) -> Response:
    code = escape(req.arg("user_code") or "", quote=True)
    return _page("Authorize request", (
        "<p>Enter the code shown in your terminal.</p>"
        "<form method='post' action='/device'>"
        f"<input name='user_code' value='{code}' autocomplete='off'> "
        "<button name='decision' value='approve'>Approve</button>"
        "<button name='decision' value='deny'>Deny</button></form>"))


def device_decision(state: st.State, req: Request) -> Response:
    form = req.form()
    code = (form.get("user_code") or [""])[0]
    approve = (form.get("decision") or [""])[0] == "approve"
    if approve and state.knobs.deny_approvals:
        approve = False
    device = oidc.pending_device(state, code)
    if device is not None and oidc.misrouted(state, device):
        return _invalid_grant(state)
    if not oidc.decide_device(state, code, approve):
        return _page("Code not found", "<p>That code is unknown, used or expired.</p>", 404)
    if approve:
        return _page("Request approved", "<p>You can close this window.</p>")
    return _page("Request denied", "<p>The sign-in was denied.</p>")


def authorize(state: st.State, req: Request) -> Response:
    try:
        result = oidc.begin_authorize(state, req)
    except oidc.InvalidGrantPage:
        return _invalid_grant(state)
    except oidc.AuthorizePageError as exc:
        return _page("Invalid request", f"<p>{escape(str(exc))}</p>", 400)
    if isinstance(result, Response):
        return result
    knobs = state.knobs
    if knobs.auto_approve:
        done = oidc.finish_authorize(state, result.request_id, not knobs.deny_approvals)
        assert done is not None
        return done
    rid = escape(result.request_id, quote=True)
    return _page("Allow access?", (
        f"<p>Allow <code>{escape(result.client_id)}</code> to access your AWS accounts "
        f"(scopes: <code>{escape(result.scopes)}</code>)?</p>"
        "<form method='post' action='/authorize'>"
        f"<input type='hidden' name='request_id' value='{rid}'>"
        "<button name='decision' value='approve'>Approve</button>"
        "<button name='decision' value='deny'>Deny</button></form>"))


def authorize_decision(state: st.State, req: Request) -> Response:
    form = req.form()
    rid = (form.get("request_id") or [""])[0]
    approve = (form.get("decision") or [""])[0] == "approve" and not state.knobs.deny_approvals
    done = oidc.finish_authorize(state, rid, approve)
    if done is None:
        return _page("Request not found", "<p>This request was already answered.</p>", 404)
    return done
