"""Pure parts: the child's environment, program lookup, the two variable builders agree."""

from __future__ import annotations

import json
import os
import sys

import pytest

from awsenv.creds.child import (
    CommandNotExecutable,
    CommandNotFound,
    child_environ,
    find_program,
)
from awsenv.creds.model import RoleCredentials, process_json, variables

CREDS = RoleCredentials(
    access_key_id="ASIAEXAMPLE", secret_access_key="s/k+1", session_token="tok==",
    expiration=1_800_000_000, fetched_at=1_799_996_400, profile="dev", session_key="corp",
    account_id="111111111111", role_name="Admin", region="eu-west-1",
)


def test_variables_agree_with_the_stdlib_builder() -> None:
    full = dict(variables(CREDS))
    assert {k: full[k] for k in CREDS.credential_variables()} == CREDS.credential_variables()
    assert full["AWS_CREDENTIAL_EXPIRATION"] == "2027-01-15T08:00:00Z"
    assert full["AWS_REGION"] == full["AWS_DEFAULT_REGION"] == "eu-west-1"
    no_region = RoleCredentials(**{**CREDS.to_dict(), "region": None})
    assert "AWS_REGION" not in dict(variables(no_region))


def test_process_json_shape() -> None:
    assert json.loads(process_json(CREDS.to_dict())) == {
        "Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s/k+1",
        "SessionToken": "tok==", "Expiration": "2027-01-15T08:00:00Z"}


def test_child_environ_removes_competitors() -> None:
    parent = {"PATH": "/bin", "AWS_PROFILE": "prod", "AWS_DEFAULT_PROFILE": "prod",
              "AWS_SECURITY_TOKEN": "old", "AWS_ACCESS_KEY_ID": "OLD", "AWS_REGION": "us-east-1"}
    env = child_environ(parent, CREDS)
    assert "AWS_PROFILE" not in env and "AWS_DEFAULT_PROFILE" not in env
    assert "AWS_SECURITY_TOKEN" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAEXAMPLE" and env["AWS_REGION"] == "eu-west-1"
    assert env["AWSENV_PROFILE"] == "dev" and env["PATH"] == "/bin"
    keep = child_environ({"AWS_REGION": "us-east-1"}, RoleCredentials(
        **{**CREDS.to_dict(), "region": None}))
    assert keep["AWS_REGION"] == "us-east-1"  # no profile region: the user's stays


def test_find_program(tmp_path) -> None:
    assert find_program("sh", {"PATH": os.defpath}).endswith("/sh")
    assert find_program(sys.executable, {}) == sys.executable
    with pytest.raises(CommandNotFound) as missing:
        find_program("no-such-awsenv-cmd", {"PATH": str(tmp_path)})
    assert int(missing.value.code) == 127
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(CommandNotExecutable) as denied:
        find_program(str(plain), {})
    assert int(denied.value.code) == 126
    with pytest.raises(CommandNotFound):
        find_program(str(tmp_path / "nope"), {})
