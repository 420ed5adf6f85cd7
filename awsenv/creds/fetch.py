"""Resolve a profile and fetch its role credentials from the IAM Identity Center portal.

The miss path: imports botocore (through ``awsenv.auth.clients``) and the AWS
config reader. Errors become one-line AwsenvErrors the user can act on; none
carries the access token or credentials.
"""

from __future__ import annotations

import logging
from typing import Any

from awsenv.awsconfig.model import Profile
from awsenv.creds.model import RoleCredentials
from awsenv.environment import Environment
from awsenv.errors import ConfigError, NotSignedIn, ServiceError

log = logging.getLogger(__name__)

# botocore's standard retry mode (jittered backoff) retries throttling, 5xx and
# network errors up to this many attempts in all; then the user gets one line.
ATTEMPTS = 4


def resolve(env: Environment, profile_name: str) -> Profile:
    """The profile, checked to name one role in one account through a session."""
    from awsenv.awsconfig import read

    profile = read.load(env).profile(profile_name)
    if profile.session is None or not profile.account_id or not profile.role_name:
        raise ConfigError(
            f"profile '{profile_name}' does not use IAM Identity Center",
            "pick an SSO profile from `awsenv list` (or create them with `awsenv sync`)",
        )
    return profile


def fetch(env: Environment, profile: Profile) -> RoleCredentials:
    """GetRoleCredentials for ``profile`` with the session's access token."""
    from botocore.exceptions import BotoCoreError, ClientError

    from awsenv.auth import clients, tokens

    session = profile.session
    assert session is not None and profile.account_id and profile.role_name
    token = tokens.access_token(env, session)
    client = clients.portal(env, session.region, attempts=ATTEMPTS)
    for retry_after_refresh in (True, False):
        try:
            response = client.get_role_credentials(
                roleName=profile.role_name,
                accountId=profile.account_id,
                accessToken=token.token,
            )
            break
        except ClientError as exc:
            code = clients.error_code(exc) or ""
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code == "UnauthorizedException" or status == 401:
                # The token is dead server-side although its expiresAt says otherwise
                # (AWS CLI #7340, aws-vault #854): forget it, and try once more with a
                # token refreshed from the keyring; a revoked session fails that refresh.
                tokens.drop(env, session)
                if retry_after_refresh:
                    log.debug("portal refused the access token; refreshing it once")
                    token = tokens.access_token(env, session)
                    continue
                raise NotSignedIn(
                    f"the sign-in for session '{session.key}' is no longer valid",
                    f"run `awsenv login --session {session.key}`",
                ) from None
            if code in ("ForbiddenException", "ResourceNotFoundException") \
                    or status in (403, 404):
                raise ConfigError(
                    f"role '{profile.role_name}' is not assigned to you in account "
                    f"{profile.account_id} (profile '{profile.name}')",
                    "ask your administrator, or run `awsenv sync` to refresh your profiles",
                ) from None
            raise clients.service_error(exc, "GetRoleCredentials", session.region) from None
        except BotoCoreError as exc:
            raise clients.service_error(exc, "GetRoleCredentials", session.region) from None
    return _credentials(env, profile, response)


def _credentials(env: Environment, profile: Profile, response: dict[str, Any]) -> RoleCredentials:
    assert profile.session is not None
    role = response.get("roleCredentials") or {}
    try:
        access_key_id = role["accessKeyId"]
        secret_access_key = role["secretAccessKey"]
        session_token = role["sessionToken"]
        expiration = float(role["expiration"]) / 1000.0  # epoch milliseconds on the wire
    except (KeyError, TypeError, ValueError):
        raise ServiceError(
            "IAM Identity Center returned incomplete role credentials",
            "retry; report it with --debug output if it persists",
        ) from None
    if not all(isinstance(v, str) and v for v in (access_key_id, secret_access_key,
                                                    session_token)):
        raise ServiceError("IAM Identity Center returned empty role credentials", "retry")
    return RoleCredentials(
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        expiration=expiration,
        fetched_at=env.now(),
        profile=profile.name,
        session_key=profile.session.key,
        account_id=profile.account_id or "",
        role_name=profile.role_name or "",
        region=profile.region,
    )
