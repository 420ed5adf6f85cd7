"""Each real client against both profile kinds `awsenv sync` writes.

``kind`` "awsenv": ``credential_process`` + ``awsenv_*`` keys (the client runs awsenv);
``kind`` "native": ``sso_session`` profiles (the client reads the token cache awsenv
keeps and calls the portal itself). Every client: the AWS CLI v2 (Debian's), the
AWS CLI v1 (botocore from PyPI) and the AWS SDK for JavaScript v3.
"""

from __future__ import annotations

import shlex

import pytest
from interop.conftest import (
    ACCOUNT,
    AWSENV,
    CLIENTS,
    PROFILE,
    ROLE,
    Interop,
    assert_role,
    need,
    parse_identity,
)

pytestmark = pytest.mark.interop

AWS_CLIS = ("awscli-v2", "awscli-v1")
NAMES = {"dev-administratoraccess", "dev-developer", "dev-readonlyaccess",
         "prod-administratoraccess", "prod-readonlyaccess", "sandbox-administratoraccess",
         "sandbox-developer", "staging-developer", "staging-readonlyaccess"}


def exports(text: str) -> dict[str, str]:
    """``export NAME=value`` lines (what `aws configure export-credentials --format env`
    and `awsenv export` print) as a dict; values are shell-quoted or bare."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            found[name] = shlex.split(value)[0] if value else ""
    return found


@pytest.mark.parametrize("client", CLIENTS)
def test_get_caller_identity(interop: Interop, client: str) -> None:
    """STS GetCallerIdentity through the profile, as the client resolves it."""
    need(client)
    before = interop.world.grc()
    assert_role(interop.caller_identity(client))
    # Who fetched: awsenv (its role cache now holds the profile) or the client itself.
    assert interop.world.role_cache(PROFILE).exists() is (interop.kind == "awsenv")
    assert interop.world.grc() == before + 1


@pytest.mark.parametrize("provider", ["ini", "named"])
def test_js_sdk_named_providers(interop: Interop, provider: str) -> None:
    """fromIni, and the provider made for the kind: fromProcess / fromSSO."""
    need("js-sdk-v3")
    if provider == "named":
        provider = "process" if interop.kind == "awsenv" else "sso"
    r = interop.aws("js-sdk-v3", provider, PROFILE, extra={"AWS_REGION": "us-east-1"})
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert_role(parse_identity(r.stdout))


def test_export_credentials(interop: Interop) -> None:
    """`aws configure export-credentials` (CLI v2) hands out working credentials; for
    the awsenv kind they are awsenv's own (served from its cache)."""
    need("awscli-v2")
    r = interop.aws("awscli-v2", "configure", "export-credentials", "--profile", PROFILE,
                    "--format", "env")
    assert r.returncode == 0, r.stderr
    exported = exports(r.stdout)
    assert exported["AWS_ACCESS_KEY_ID"] and exported["AWS_SESSION_TOKEN"]
    assert exported["AWS_CREDENTIAL_EXPIRATION"]
    ours = exports(interop.cli("export", PROFILE).stdout)
    same = exported["AWS_ACCESS_KEY_ID"] == ours["AWS_ACCESS_KEY_ID"]
    assert same is (interop.kind == "awsenv")
    # The exported keys alone (no profile) are a working identity.
    assert_role(interop.caller_identity("awscli-v1", None, extra={
        **{k: v for k, v in exported.items() if k != "AWS_CREDENTIAL_EXPIRATION"},
        "AWS_DEFAULT_REGION": "us-east-1"}))


def test_list_profiles(interop: Interop) -> None:
    """`aws configure list-profiles` (CLI v2) on the file awsenv edited: every synced name."""
    need("awscli-v2")
    r = interop.aws("awscli-v2", "configure", "list-profiles")
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) == NAMES


@pytest.mark.parametrize("client", AWS_CLIS)
def test_configure_get(interop: Interop, client: str) -> None:
    """`aws configure get KEY --profile P` reads back what awsenv wrote."""
    need(client)

    def get(key: str) -> str:
        r = interop.aws(client, "configure", "get", key, "--profile", PROFILE)
        assert r.returncode == 0, (key, r.stdout, r.stderr)
        return r.stdout.strip()

    assert get("region") == "us-east-1"
    if interop.kind == "native":
        assert (get("sso_session"), get("sso_account_id"), get("sso_role_name")) == (
            "corp", ACCOUNT, ROLE)
    else:
        assert shlex.split(get("credential_process")) == [
            *AWSENV, "credential-process", "--profile", PROFILE]
        assert (get("awsenv_account_id"), get("awsenv_role_name")) == (ACCOUNT, ROLE)


@pytest.mark.parametrize("client", CLIENTS)
def test_exec_hands_off(interop: Interop, client: str) -> None:
    """`awsenv exec P -- CLIENT`: the client runs on the credentials awsenv put in its
    environment (no profile reaches it; it fetches nothing itself)."""
    need(client)
    r = interop.cli("export", PROFILE)  # warm awsenv's cache: one fetch
    assert r.returncode == 0, r.stderr
    before = interop.world.grc()
    r = interop.cli("exec", PROFILE, "--", *interop.caller_identity_argv(client, None),
                    extra={"AWS_PROFILE": PROFILE})
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert_role(parse_identity(r.stdout))
    assert interop.world.grc() == before


@pytest.mark.parametrize("client", CLIENTS)
def test_export_hands_off(interop: Interop, client: str) -> None:
    """`eval "$(awsenv export P)"` in bash, then the client with nothing but that."""
    need(client)
    argv = interop.caller_identity_argv(client, None)
    if client == "js-sdk-v3":
        argv = interop.client_argv(client, "env")
    script = f'eval "$({shlex.join([*interop.awsenv, "export", PROFILE])})" && exec ' \
             + shlex.join(argv)
    before = interop.world.grc()
    r = interop.run(["bash", "-c", script])
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert_role(parse_identity(r.stdout))
    assert interop.world.grc() == before + 1  # awsenv's fetch, none by the client
