"""AWS console sign-in URL from role credentials (the federation endpoint, as aws-vault `login`).

Two steps (sso-protocol.md §10): exchange the credentials for a SigninToken
(``Action=getSigninToken``), then build the ``Action=login`` URL. The token
works once and for ~15 minutes, so the URL is built right before it is opened
and never logged. ``SessionDuration`` (how long the console session lasts, 15
minutes to 12 hours) is sent when asked for, except for role-chained
credentials, which AWS refuses it for.

The Identity Center portal's own shortcut link (:func:`portal_link`) reaches
the same page without any credentials: the browser's portal session signs in.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from awsenv import errors
from awsenv.creds.model import RoleCredentials
from awsenv.errors import AwsenvError, ExitCode, ServiceError
from awsenv.textsafe import printable

log = logging.getLogger(__name__)

ISSUER = "awsenv"
_PLAIN_URL = re.compile(r"[\x21-\x5b\x5d-\x7e]+")  # printable ASCII, no backslash, no space
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+")  # the whole netloc: no userinfo, port, escapes
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TIMEOUT = 15.0
SIGNIN = "the AWS sign-in endpoint"


@dataclass(frozen=True)
class Partition:
    name: str
    signin: str  # federation endpoint base, without /federation
    console: str  # console host base


PARTITIONS = {
    "aws": Partition("aws", "https://signin.aws.amazon.com", "console.aws.amazon.com"),
    "aws-cn": Partition("aws-cn", "https://signin.amazonaws.cn", "console.amazonaws.cn"),
    "aws-us-gov": Partition("aws-us-gov", "https://signin.amazonaws-us-gov.com",
                            "console.amazonaws-us-gov.com"),
}


def partition(region: str | None) -> Partition:
    if region and region.startswith("cn-"):
        return PARTITIONS["aws-cn"]
    if region and region.startswith("us-gov-"):
        return PARTITIONS["aws-us-gov"]
    return PARTITIONS["aws"]


def federation_endpoint(environ: Mapping[str, str], region: str | None) -> str:
    """``AWS_ENDPOINT_URL_SIGNIN`` (then ``AWS_ENDPOINT_URL``) if set, else the partition's."""
    base = (environ.get("AWS_ENDPOINT_URL_SIGNIN") or environ.get("AWS_ENDPOINT_URL")
            or partition(region).signin).rstrip("/")
    return base if base.endswith("/federation") else base + "/federation"


def console_page(region: str | None, path: str) -> str:
    """``https://<console host>/<path>?region=R[#fragment]`` in ``region``'s partition."""
    part = partition(region)
    path, hash_, fragment = path.partition("#")
    tail = f"#{fragment}" if hash_ else ""
    if not region:
        return f"https://{part.console}/{path}{tail}"
    host = f"{region}.{part.console}" if part.name == "aws" else part.console
    joint = "&" if "?" in path else "?"
    return f"https://{host}/{path}{joint}region={urllib.parse.quote(region)}{tail}"


def default_destination(region: str | None) -> str:
    return console_page(region, "console/home")


def service_destination(name: str, region: str | None) -> str:
    """The console page of a service from :mod:`awsenv.consoleservices` (usage error else)."""
    from awsenv.consoleservices import SERVICES

    path = SERVICES.get(name.lower())
    if path is None:
        raise AwsenvError(f"unknown service {printable(name)!r}",
                          "pick one of: " + ", ".join(sorted(SERVICES)), ExitCode.USAGE)
    return console_page(region, path)


def check_destination(url: str, region: str | None) -> str:
    """``url`` when it is an https page on the console of ``region``'s partition.

    Why refuse anything else: the sign-in URL hands the role to whatever page it
    lands on, and a Destination off the console is an open redirect with the
    user's session attached.
    """
    part = partition(region)
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        host, port, parts = "", None, None
    # urlsplit and a browser disagree on some URLs: a browser reads a backslash as '/' and
    # drops tabs and newlines, so 'https://evil.example\\.console.aws.amazon.com/' is
    # evil.example to it. Only plain ASCII without those, and a host of letters, digits,
    # dots and hyphens alone, mean the same host to both.
    if (parts is None or parts.scheme != "https" or not _PLAIN_URL.fullmatch(url)
            or not _PLAIN_HOST.fullmatch(parts.netloc) or port is not None
            or not (host == part.console or host.endswith("." + part.console))):
        raise AwsenvError(
            f"--destination {printable(url)!r} is not an https:// page of the AWS console "
            f"({part.console})",
            f"pass e.g. --destination https://{part.console}/s3/home, or --service NAME",
            ExitCode.USAGE)
    return url


def check_region(region: str, creds_region: str | None, profile: str) -> None:
    """A console region in another partition than the role's cannot be signed in to.

    The region becomes part of the console host name (``REGION.console.aws.amazon.com``),
    so only a region name's letters, digits and hyphens are taken.
    """
    if not _REGION.fullmatch(region):
        raise AwsenvError(f"--region {printable(region)!r} is not an AWS region name",
                          "pass e.g. --region eu-west-1", ExitCode.USAGE)
    mine = partition(creds_region)
    theirs = partition(region)
    if creds_region and mine.name != theirs.name:
        raise AwsenvError(
            f"--region {printable(region)} is in partition {theirs.name}, profile "
            f"{printable(profile)}'s role is in {mine.name}",
            f"pass a region of partition {mine.name}", ExitCode.USAGE)


MIN_DURATION, MAX_DURATION = 15 * 60, 12 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> int:
    """Seconds of ``--duration``: ``3600``, ``90m``, ``12h``, ``1h30m``; 15 min to 12 h."""
    raw = text.strip().lower()
    seconds: int | None = None
    if raw.isdigit():
        seconds = int(raw)
    elif raw and re.fullmatch(r"(?:[0-9]+[hms])+", raw):
        seconds = sum(int(n) * _UNITS[u] for n, u in re.findall(r"([0-9]+)([hms])", raw))
    if seconds is None or not MIN_DURATION <= seconds <= MAX_DURATION:
        raise AwsenvError(
            f"--duration {printable(text)!r} is not a console session length from 15m to 12h",
            "pass e.g. --duration 1h, 90m or 43200 (seconds)", ExitCode.USAGE)
    return seconds


def session_duration(creds: RoleCredentials, seconds: int | None) -> tuple[int | None, str | None]:
    """The SessionDuration to send, and a note when the one asked for cannot be.

    AWS's federation endpoint refuses SessionDuration for role-chained
    credentials (the whole sign-in fails), so it is dropped there and said so.
    """
    if seconds is None or not creds.chained:
        return seconds, None
    return None, (f"awsenv: --duration not sent: {printable(creds.profile)} is a chained "
                  "role, and AWS refuses a console session duration for those (the "
                  "console session lasts as long as the role's credentials)")


def portal_link(start_url: str, account_id: str, role_name: str,
                destination: str | None = None) -> str:
    """The access portal's shortcut link: the portal signs in to the role, then lands.

    ``<start_url>/#/console?account_id=...&role_name=...[&destination=...]``; no
    credential in it, so it can be bookmarked and shared.
    """
    base = start_url.split("#", 1)[0].rstrip("/")
    query = {"account_id": account_id, "role_name": role_name}
    if destination is not None:
        query["destination"] = destination
    return f"{base}/#/console?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


def signin_token(endpoint: str, creds: RoleCredentials, duration: int | None = None) -> str:
    """Exchange the role credentials for a one-use SigninToken."""
    session = json.dumps({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    })
    params = {"Action": "getSigninToken", "Session": session}
    if duration is not None:
        params["SessionDuration"] = str(duration)
    url = endpoint + "?" + urllib.parse.urlencode(params)
    log.debug("getSigninToken at %s", endpoint)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            word = errors.THROTTLED if exc.code == 429 else errors.SERVER
            raise errors.service_failed(SIGNIN, "getSigninToken", word,
                                        f"HTTP {exc.code}") from None
        raise ServiceError(
            f"the AWS sign-in endpoint refused the role credentials (HTTP {exc.code})",
            "retry; if it persists the role may not allow console access",
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise errors.service_failed(SIGNIN, "getSigninToken", errors.os_cause(exc)) from None
    try:
        token = json.loads(body)["SigninToken"]
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str) or not token:
        raise ServiceError("the AWS sign-in endpoint answered without a SigninToken", "retry")
    return token


def login_url(environ: Mapping[str, str], creds: RoleCredentials,
              destination: str | None = None, duration: int | None = None) -> str:
    """A console sign-in URL for ``creds`` (contains a secret: only print or open it).

    ``duration`` is sent as SessionDuration; callers drop it for chained
    credentials first (:func:`session_duration`).
    """
    if destination is not None:
        check_destination(destination, creds.region)
    endpoint = federation_endpoint(environ, creds.region)
    token = signin_token(endpoint, creds, duration)
    return endpoint + "?" + urllib.parse.urlencode({
        "Action": "login",
        "Issuer": ISSUER,
        "Destination": destination or default_destination(creds.region),
        "SigninToken": token,
    })
