"""Real consumers of awsenv's credentials: boto3, the AWS CLI, bash, zsh, fish, dash, dotenv."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dotenv import dotenv_values
from support import shells

from awsenv.paths import awsenv_command

AWSENV = awsenv_command()
AWS = str(Path(sys.executable).parent / "aws")
NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
         "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"]

BOTO3_IDENTITY = textwrap.dedent("""\
    import json, boto3
    session = boto3.Session(profile_name="dev")
    ident = session.client("sts").get_caller_identity()
    creds = session.get_credentials().get_frozen_credentials()
    print(json.dumps({"Account": ident["Account"], "Arn": ident["Arn"],
                      "key": creds.access_key, "region": session.region_name}))
""")


def expected(signed) -> dict[str, str]:
    """What every format must carry: the cached credentials (one fetch for the whole test)."""
    out = signed.cli("export", "dev", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == NAMES
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["AWS_CREDENTIAL_EXPIRATION"])
    assert data["AWS_REGION"] == data["AWS_DEFAULT_REGION"] == "eu-west-1"
    return data


def test_boto3_uses_the_credential_process_profile(signed) -> None:
    result = subprocess.run([sys.executable, "-c", BOTO3_IDENTITY], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    ident = json.loads(result.stdout)
    assert ident["Account"] == "111111111111"
    assert "AdministratorAccess" in ident["Arn"]
    assert ident["region"] == "eu-west-1"
    assert signed.grc() == 1
    # The AWS CLI through AWS_PROFILE reuses the cached credentials: no new fetch.
    cli = subprocess.run([AWS, "sts", "get-caller-identity", "--output", "json"],
                         env={**os.environ, "AWS_PROFILE": "dev"}, capture_output=True,
                         text=True, timeout=60, check=False)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"] == ident["Arn"]
    assert signed.grc() == 1


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_eval_export_then_aws_cli(signed, shell: str) -> None:
    script = (f'eval "$({" ".join(AWSENV)} export dev)" || exit 9\n'
              f"{AWS} sts get-caller-identity --output json > \"$PWD/ident.json\"")
    res = shells.run_and_read(shell, script, NAMES, exported=True, cwd=signed.tmp)
    assert res.returncode == 0, res.stderr
    assert {n: res.text(n) for n in NAMES} == expected(signed)
    ident = json.loads((signed.tmp / "ident.json").read_text())
    assert ident["Account"] == "111111111111" and "AdministratorAccess" in ident["Arn"]


@pytest.mark.parametrize(("fmt", "shell", "exported"), [
    ("env", "bash", True), ("env", "zsh", True), ("env", "sh", True),
    ("env-no-export", "sh", False), ("env-no-export", "bash", False),
    ("fish", "fish", True),
])
def test_shell_formats_read_back_by_their_shell(signed, fmt: str, shell: str,
                                                exported: bool) -> None:
    want = expected(signed)
    out = signed.cli("export", "dev", "--format", fmt)
    assert out.returncode == 0, out.stderr
    path = signed.tmp / f"creds.{fmt}"
    path.write_text(out.stdout)
    load = f"source {path}" if shell == "fish" else f". {path}"
    res = shells.run_and_read(shell, load, NAMES, exported=exported)
    assert res.returncode == 0 and res.stderr == b"", res.stderr
    assert {n: res.text(n) for n in NAMES} == want
    if fmt == "env-no-export":
        assert shells.run_and_read(shell, load, NAMES, exported=True).vars == dict.fromkeys(NAMES)


def test_file_formats_parse(signed) -> None:
    want = expected(signed)
    dotenv = signed.cli("export", "dev", "-f", "dotenv")
    path = signed.tmp / ".env"
    path.write_text(dotenv.stdout)
    assert dotenv_values(path) == want
    cmd = signed.cli("export", "dev", "-f", "windows-cmd").stdout.splitlines()
    assert dict(re.fullmatch(r'set "([A-Z_]+)=([^"%!]*)"', line).groups()  # type: ignore[union-attr]
                for line in cmd) == want


def test_powershell_format_parses(signed) -> None:
    import tree_sitter
    import tree_sitter_powershell

    want = expected(signed)
    src = signed.cli("export", "dev", "-f", "powershell").stdout
    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language())).parse(
        src.encode())
    assert not tree.root_node.has_error
    got = {}
    for line in src.splitlines():
        m = re.fullmatch(r"\$Env:([A-Z_]+) = '((?:[^']|'')*)'", line)
        assert m, line
        got[m.group(1)] = m.group(2).replace("''", "'")
    assert got == want


def test_export_defaults_and_completion(signed) -> None:
    by_env = signed.cli("export", "-f", "json", extra={"AWS_PROFILE": "dev"})
    assert by_env.returncode == 0 and json.loads(by_env.stdout) == expected(signed)
    none = signed.cli("export")
    assert none.returncode == 2 and "no profile given" in none.stderr
    bad = signed.cli("export", "dev", "-f", "tcsh")
    assert bad.returncode == 2 and "json" in bad.stderr
    complete = signed.cli(extra={"_AWSENV_COMPLETE": "bash_complete", "COMP_WORDS":
                                 "awsenv export dev --format p", "COMP_CWORD": "4"})
    assert "powershell" in complete.stdout
    profiles = signed.cli(extra={"_AWSENV_COMPLETE": "bash_complete",
                                 "COMP_WORDS": "awsenv export de", "COMP_CWORD": "2"})
    assert "dev" in profiles.stdout and "native" not in profiles.stdout
