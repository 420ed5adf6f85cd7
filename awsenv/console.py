"""AWS console sign-in URL from role credentials (the federation endpoint, as aws-vault `login`).

Two steps (sso-protocol.md §10): exchange the credentials for a SigninToken
(``Action=getSigninToken``), then build the ``Action=login`` URL. The token
works once and for ~15 minutes, so the URL is built right before it is opened
and never logged. ``SessionDuration`` is omitted: role credentials refuse it.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from awsenv import errors
from awsenv.creds.model import RoleCredentials
from awsenv.errors import AwsenvError, ServiceError

log = logging.getLogger(__name__)

ISSUER = "awsenv"
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


def default_destination(region: str | None) -> str:
    part = partition(region)
    if not region:
        return f"https://{part.console}/console/home"
    host = f"{region}.{part.console}" if part.name == "aws" else part.console
    return f"https://{host}/console/home?region={urllib.parse.quote(region)}"


def signin_token(endpoint: str, creds: RoleCredentials) -> str:
    """Exchange the role credentials for a one-use SigninToken."""
    session = json.dumps({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    })
    url = endpoint + "?" + urllib.parse.urlencode({"Action": "getSigninToken",
                                                  "Session": session})
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
              destination: str | None = None) -> str:
    """A console sign-in URL for ``creds`` (contains a secret: only print or open it)."""
    if destination is not None and not destination.startswith("https://"):
        raise AwsenvError(f"destination must be an https:// URL, not {destination!r}",
                          "pass e.g. --destination https://console.aws.amazon.com/s3/")
    endpoint = federation_endpoint(environ, creds.region)
    token = signin_token(endpoint, creds)
    return endpoint + "?" + urllib.parse.urlencode({
        "Action": "login",
        "Issuer": ISSUER,
        "Destination": destination or default_destination(creds.region),
        "SigninToken": token,
    })
