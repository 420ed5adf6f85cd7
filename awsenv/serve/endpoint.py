"""The variables that point a client at an endpoint, for `serve`'s output and `exec --server`.

An SDK takes the first credentials its chain finds, so the statements also
unset what would win over the endpoint: ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI``
(botocore prefers it to the full URI) and a token file (preferred to the token);
for IMDS, ``AWS_EC2_METADATA_DISABLED``. `exec --server`'s command gets no raw
keys at all (they beat every endpoint) and none of the variables that pick
another identity before the container provider (a profile, web identity).
"""

from __future__ import annotations

from collections.abc import Mapping

FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
IMDS_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
IMDS_DISABLED = "AWS_EC2_METADATA_DISABLED"

Variables = list[tuple[str, "str | None"]]

# What `exec --server` takes out of the command's environment: every way an SDK
# would find credentials before the container provider, and stale hints about them.
CHILD_REMOVED = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION", "AWSENV_EXPIRES",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    RELATIVE_URI, TOKEN_FILE,
)


# Keys of a ``[default]`` profile (config or credentials file) that give an SDK
# credentials before it ever asks the container endpoint: the command would run
# as that identity, not the one awsenv serves.
DEFAULT_SHADOWS = ("aws_access_key_id", "sso_session", "sso_start_url", "sso_account_id",
                   "credential_process", "role_arn", "web_identity_token_file",
                   "credential_source")


def default_shadow(files: Mapping[str, Mapping[str, object]]) -> tuple[str, str] | None:
    """(file, key) of the first ``[default]`` setting that beats the endpoint, if any.

    ``files`` maps a file's path to its ``[default]`` section (absent: empty).
    """
    for path, section in files.items():
        for key in DEFAULT_SHADOWS:
            if section.get(key):
                return path, key
    return None


def container_variables(url: str, token: str) -> Variables:
    """The container-credentials variables for ``url`` (``None``: unset)."""
    return [(FULL_URI, url), (TOKEN, token), (RELATIVE_URI, None), (TOKEN_FILE, None)]


def imds_variables(base_url: str) -> Variables:
    """The instance-metadata variables for an IMDS endpoint at ``base_url``."""
    return [(IMDS_ENDPOINT, base_url.rstrip("/") + "/"), (IMDS_DISABLED, None)]


def child_environ(environ: Mapping[str, str], url: str, token: str, profile: str,
                  region: str | None) -> dict[str, str]:
    """`exec --server`'s command environment: the endpoint instead of keys, and the region."""
    env = {k: v for k, v in environ.items() if k not in CHILD_REMOVED}
    for name, value in container_variables(url, token):
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    env["AWSENV_PROFILE"] = profile
    return env
