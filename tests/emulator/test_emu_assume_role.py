"""STS AssumeRole as AWS serves it: trust, session limits, ExternalId, names, error shapes.

Driven with real boto3 (the query protocol, SigV4 with the issued secret) and
through botocore's own chaining (a ``role_arn`` + ``source_profile`` profile, in
a subprocess since botocore reads the config and HOME once). The default
directory's chain: dev's Identity Center roles AdministratorAccess/Developer may
assume staging's ``deploy`` (12 h maximum), which may assume prod's
``/security/audit`` with ExternalId ``awsenv-demo``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emu_helpers import client

from awsenv.emulator import Directory, Emulator
from awsenv.emulator.directory import Account, IamRole

DEPLOY = "arn:aws:iam::222222222222:role/deploy"
AUDIT = "arn:aws:iam::333333333333:role/security/audit"


def _sso(emu: Emulator, token: str, account: str = "111111111111",
         role: str = "Developer") -> dict[str, str]:
    out = client(emu, "sso").get_role_credentials(
        accessToken=token, accountId=account, roleName=role)["roleCredentials"]
    return {"aws_access_key_id": out["accessKeyId"],
            "aws_secret_access_key": out["secretAccessKey"],
            "aws_session_token": out["sessionToken"]}


def _sts(emu: Emulator, keys: dict[str, str]) -> Any:
    """A real boto3 STS client; botocore's own length/range checks off, so the service's
    answers to what they would have refused are what the tests see."""
    import boto3
    from botocore.config import Config

    return boto3.client("sts", region_name=emu.region, endpoint_url=emu.url,
                        config=Config(parameter_validation=False,
                                      retries={"total_max_attempts": 1, "mode": "legacy"}),
                        **keys)


def _keys(answer: dict[str, Any]) -> dict[str, str]:
    c = answer["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def _refused(call: Any, status: int, code: str) -> str:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
            response["Error"]["Type"]) == (status, code, "Sender"), response
    return str(response["Error"]["Message"])


def test_assume_role_from_an_identity_center_role(emu: Emulator, token: str) -> None:
    sts = _sts(emu, _sso(emu, token))
    answer = sts.assume_role(RoleArn=DEPLOY, RoleSessionName="alice@example.com")
    user = answer["AssumedRoleUser"]
    assert user["Arn"] == "arn:aws:sts::222222222222:assumed-role/deploy/alice@example.com"
    assert user["AssumedRoleId"].startswith("AROA")
    assert user["AssumedRoleId"].endswith(":alice@example.com")
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    left = (creds["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < left <= 3600  # the default DurationSeconds
    ident = _sts(emu, _keys(answer)).get_caller_identity()
    assert ident == {**ident, "Account": "222222222222", "Arn": user["Arn"],
                     "UserId": user["AssumedRoleId"]}
    assert emu.counters()["AssumeRole"] == 1


def test_two_levels_deep_with_external_id_and_role_path(emu: Emulator, token: str) -> None:
    first = _sts(emu, _sso(emu, token, role="AdministratorAccess")).assume_role(
        RoleArn=DEPLOY, RoleSessionName="hop1", DurationSeconds=900)
    second = _sts(emu, _keys(first)).assume_role(
        RoleArn=AUDIT, RoleSessionName="hop2", ExternalId="awsenv-demo")
    # The STS ARN drops the role's path; the role ARN keeps it.
    assert second["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::333333333333:assumed-role/audit/hop2"
    ident = _sts(emu, _keys(second)).get_caller_identity()
    assert ident["Arn"] == "arn:aws:sts::333333333333:assumed-role/audit/hop2"
    left = (first["Credentials"]["Expiration"] - datetime.now(timezone.utc)).total_seconds()
    assert 800 < left <= 900


def test_a_caller_the_role_does_not_trust_is_access_denied(emu: Emulator, token: str) -> None:
    caller = _sso(emu, token, role="ReadOnlyAccess")  # not in deploy's trust
    message = _refused(lambda: _sts(emu, caller).assume_role(
        RoleArn=DEPLOY, RoleSessionName="s1"), 403, "AccessDenied")
    assert message.startswith("User: arn:aws:sts::111111111111:assumed-role/"
                              "AWSReservedSSO_ReadOnlyAccess_")
    assert message.endswith(f" is not authorized to perform: sts:AssumeRole on resource: {DEPLOY}")
    # The second hop trusts deploy only: the Identity Center role itself is refused...
    dev = _sso(emu, token)
    _refused(lambda: _sts(emu, dev).assume_role(
        RoleArn=AUDIT, RoleSessionName="s1", ExternalId="awsenv-demo"), 403, "AccessDenied")
    # ...and a role that does not exist looks exactly like one that does not trust you.
    for arn in ("arn:aws:iam::222222222222:role/nope", "arn:aws:iam::999999999999:role/deploy",
                "arn:aws:iam::222222222222:role/other/deploy",
                "arn:aws-cn:iam::222222222222:role/deploy"):
        message = _refused(lambda arn=arn: _sts(emu, dev).assume_role(
            RoleArn=arn, RoleSessionName="s1"), 403, "AccessDenied")
        assert message.endswith(f"on resource: {arn}")


def test_external_id_missing_or_wrong_is_access_denied(emu: Emulator, token: str) -> None:
    hop = _keys(_sts(emu, _sso(emu, token)).assume_role(RoleArn=DEPLOY, RoleSessionName="hh"))
    sts = _sts(emu, hop)
    for extra in ({}, {"ExternalId": "awsenv-dem0"}, {"ExternalId": "awsenv-demo-x"}):
        _refused(lambda extra=extra: sts.assume_role(RoleArn=AUDIT, RoleSessionName="h2",
                                                     **extra), 403, "AccessDenied")
    assert sts.assume_role(RoleArn=AUDIT, RoleSessionName="h2", ExternalId="awsenv-demo")
    # A role without the condition ignores an ExternalId.
    assert _sts(emu, _sso(emu, token)).assume_role(RoleArn=DEPLOY, RoleSessionName="hh",
                                                   ExternalId="anything")


def test_duration_bounds(emu: Emulator, token: str) -> None:
    sts = _sts(emu, _sso(emu, token))
    # deploy allows 12 h, but a role session assuming a role is role chaining: 1 h.
    message = _refused(lambda: sts.assume_role(RoleArn=DEPLOY, RoleSessionName="dd",
                                               DurationSeconds=3601), 400, "ValidationError")
    assert message == ("The requested DurationSeconds exceeds the 1 hour session limit "
                       "for roles assumed by role chaining.")
    assert sts.assume_role(RoleArn=DEPLOY, RoleSessionName="dd", DurationSeconds=3600)
    message = _refused(lambda: sts.assume_role(RoleArn=DEPLOY, RoleSessionName="dd",
                                               DurationSeconds=899), 400, "ValidationError")
    assert message == ("1 validation error detected: Value '899' at 'durationSeconds' failed "
                       "to satisfy constraint: Member must have value greater than or equal "
                       "to 900")
    message = _refused(lambda: sts.assume_role(RoleArn=DEPLOY, RoleSessionName="dd",
                                               DurationSeconds=43201), 400, "ValidationError")
    assert message.endswith("Member must have value less than or equal to 43200")


@pytest.mark.parametrize(("name", "rule"), [
    ("a", "Member must have length greater than or equal to 2"),
    ("x" * 65, "Member must have length less than or equal to 64"),
    ("bad name", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ("dependabot[bot]", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ("a:b", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
    ("ünï", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
])
def test_role_session_name_is_validated(emu: Emulator, token: str, name: str, rule: str) -> None:
    sts = _sts(emu, _sso(emu, token))
    message = _refused(lambda: sts.assume_role(RoleArn=DEPLOY, RoleSessionName=name),
                       400, "ValidationError")
    assert message == (f"1 validation error detected: Value '{name}' at 'roleSessionName' "
                       f"failed to satisfy constraint: {rule}")


def test_every_broken_constraint_is_reported_at_once(emu: Emulator, token: str) -> None:
    sts = _sts(emu, _sso(emu, token))
    message = _refused(lambda: sts.assume_role(RoleArn=DEPLOY, RoleSessionName="a b",
                                               DurationSeconds=60, ExternalId="x"),
                       400, "ValidationError")
    assert message.startswith("3 validation errors detected: Value 'a b' at 'roleSessionName'")
    assert "; Value '60' at 'durationSeconds'" in message
    assert "; Value 'x' at 'externalId' failed to satisfy constraint: Member must have length " \
           "greater than or equal to 2" in message
    assert emu.counters()["AssumeRole"] == 1


def test_signature_is_still_checked_first(emu: Emulator, token: str) -> None:
    keys = _sso(emu, token)
    wrong = {**keys, "aws_secret_access_key": keys["aws_secret_access_key"][::-1]}
    _refused(lambda: _sts(emu, wrong).assume_role(RoleArn=DEPLOY, RoleSessionName="a b"),
             403, "SignatureDoesNotMatch")


def test_chained_credentials_expire_and_cannot_pick_a_console_duration(
        emu: Emulator, token: str) -> None:
    import urllib.error
    import urllib.request
    from urllib.parse import quote

    answer = _sts(emu, _sso(emu, token)).assume_role(RoleArn=DEPLOY, RoleSessionName="cc",
                                                     DurationSeconds=900)
    c = answer["Credentials"]
    session = quote(json.dumps({"sessionId": c["AccessKeyId"], "sessionKey": c["SecretAccessKey"],
                                "sessionToken": c["SessionToken"]}))

    def status(query: str) -> int:
        try:
            with urllib.request.urlopen(f"{emu.url}/federation?{query}", timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert status(f"Action=getSigninToken&Session={session}") == 200
    assert status(f"Action=getSigninToken&SessionDuration=3600&Session={session}") == 400
    emu.advance_clock(901)
    _refused(lambda: _sts(emu, _keys(answer)).get_caller_identity(), 400, "ExpiredToken")


def test_trust_is_configurable_in_the_directory(emu: Emulator, token: str) -> None:
    emu.directory = Directory.from_dict({"accounts": [
        {"id": "111111111111", "name": "dev", "roles": ["Developer"]},
        {"id": "555555555555", "name": "tools", "roles": [], "iam_roles": [
            {"name": "any-dev", "trust": ["111111111111"]},
            {"name": "root-form", "trust": ["arn:aws:iam::111111111111:root"]},
            {"name": "nobody", "trust": []}]}]})
    assert emu.directory.account("555555555555") == Account(
        "555555555555", "tools", "tools@example.com", (),
        (IamRole("any-dev", ("111111111111",)),
         IamRole("root-form", ("arn:aws:iam::111111111111:root",)), IamRole("nobody")))
    sts = _sts(emu, _sso(emu, token))
    assert sts.assume_role(RoleArn="arn:aws:iam::555555555555:role/any-dev", RoleSessionName="ss")
    assert sts.assume_role(RoleArn="arn:aws:iam::555555555555:role/root-form",
                           RoleSessionName="ss")
    _refused(lambda: sts.assume_role(RoleArn="arn:aws:iam::555555555555:role/nobody",
                                     RoleSessionName="ss"), 403, "AccessDenied")
    with pytest.raises(ValueError, match="max_session_duration"):
        Directory.from_dict({"accounts": [{"id": "555555555555", "name": "t", "iam_roles": [
            {"name": "r", "max_session_duration": 60}]}]})


BOTOCORE_CHAIN = """
import json, boto3
out = {}
for name in ("hop1", "hop2"):
    out[name] = boto3.Session(profile_name=name).client("sts").get_caller_identity()["Arn"]
print(json.dumps(out))
"""


def test_botocore_chains_through_the_emulator(emulator: Emulator, isolated_home: Path) -> None:
    """botocore's own AssumeRoleProvider: source_profile with keys, then a profile on top."""
    token = emulator.sign_in()["accessToken"]
    keys = _sso(emulator, token)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[profile base]\n"
        f"aws_access_key_id = {keys['aws_access_key_id']}\n"
        f"aws_secret_access_key = {keys['aws_secret_access_key']}\n"
        f"aws_session_token = {keys['aws_session_token']}\n"
        "region = us-east-1\n\n"
        "[profile hop1]\n"
        f"role_arn = {DEPLOY}\nsource_profile = base\nrole_session_name = botocore-1\n"
        "duration_seconds = 900\nregion = us-east-1\n\n"
        "[profile hop2]\n"
        f"role_arn = {AUDIT}\nsource_profile = hop1\nexternal_id = awsenv-demo\n"
        "role_session_name = botocore-2\nregion = us-east-1\n")
    proc = subprocess.run([sys.executable, "-c", BOTOCORE_CHAIN], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "AWS_MAX_ATTEMPTS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "hop1": "arn:aws:sts::222222222222:assumed-role/deploy/botocore-1",
        "hop2": "arn:aws:sts::333333333333:assumed-role/audit/botocore-2"}
    # hop1 once for itself and once as hop2's source; hop2 once.
    assert emulator.counters()["AssumeRole"] == 3


def test_botocore_chaining_surfaces_the_refusal(emulator: Emulator,
                                                isolated_home: Path) -> None:
    token = emulator.sign_in()["accessToken"]
    keys = _sso(emulator, token)
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[profile base]\n"
        f"aws_access_key_id = {keys['aws_access_key_id']}\n"
        f"aws_secret_access_key = {keys['aws_secret_access_key']}\n"
        f"aws_session_token = {keys['aws_session_token']}\n\n"
        "[profile hop1]\n"
        f"role_arn = {DEPLOY}\nsource_profile = base\nduration_seconds = 7200\n"
        "region = us-east-1\n")
    script = ("import boto3\n"
              "boto3.Session(profile_name='hop1').client('sts').get_caller_identity()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "AWS_MAX_ATTEMPTS": "1"})
    assert proc.returncode != 0
    assert "ValidationError" in proc.stderr
    assert "1 hour session limit for roles assumed by role chaining" in proc.stderr
