"""`awsenv credential-process`: schema, exit codes, caching, concurrency, the import-free hit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from awsenv import creds
from awsenv.auth import tokens
from awsenv.creds import cache
from awsenv.environment import Environment
from awsenv.errors import ExitCode
from awsenv.paths import awsenv_command

AWSENV = awsenv_command()

HIT_MODULES = {"awsenv", "awsenv.cli", "awsenv.cli.fastpath", "awsenv.creds",
               "awsenv.creds.fast", "awsenv.creds.record", "awsenv.locations",
               "awsenv.fastjson", "awsenv.digest", "_json", "__future__"}
HEAVY = ("boto3", "botocore", "keyring", "jinja2", "click")
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` / PYTHONPROFILEIMPORTTIME output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":
                names.add(name)
    return names


def heavy(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in HEAVY}


def parse_output(stdout: str) -> dict[str, object]:
    data = json.loads(stdout)
    assert set(data) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken",
                         "Expiration"}
    assert data["Version"] == 1
    assert all(isinstance(data[k], str) and data[k] for k in list(data)[1:])
    assert ISO_Z.fullmatch(data["Expiration"])
    return data


def seconds_left(expiration: str) -> float:
    moment = datetime.strptime(expiration, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.timestamp() - time.time()


def test_miss_then_hit_without_api_calls_or_heavy_imports(signed, tmp_path: Path) -> None:
    first = signed.cli("credential-process", "--profile", "dev",
                       extra={"PYTHONPROFILEIMPORTTIME": "1"})
    assert first.returncode == 0, first.stderr
    data = parse_output(first.stdout)
    assert seconds_left(str(data["Expiration"])) > 15 * 60  # outside botocore's window
    assert signed.grc() == 1
    # The miss went through click and botocore: the probe sees them.
    assert {"click", "botocore"} <= heavy(imported(first.stderr))

    second = signed.cli("credential-process", "--profile=dev",
                        extra={"PYTHONPROFILEIMPORTTIME": "1"})
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == data
    assert signed.grc() == 1  # zero API calls on a hit
    names = imported(second.stderr)
    assert heavy(names) == set(), sorted(heavy(names))
    # Beyond what the same interpreter loads to run an empty script the same way, the
    # hit loads only these: json, re, pathlib, dataclasses, typing or hashlib would each
    # add milliseconds to every SDK start. What an interpreter loads by itself differs
    # between Python versions (and a module it already has is no cost of the hit).
    empty = tmp_path / "empty.py"
    empty.write_text("")
    bare = subprocess.run([AWSENV[0], "-X", "importtime", *AWSENV[1:2], str(empty)],
                          capture_output=True, text=True, check=True)
    start = imported(bare.stderr)
    extra = names - start - {"_sha1", "_sha2", "_sha256"}
    assert extra == HIT_MODULES - start, sorted(extra ^ (HIT_MODULES - start))


def test_all_profile_kinds_resolve(signed) -> None:
    from awsenv.auth import login
    from awsenv.awsconfig import read

    env = signed.env()
    # The legacy profile is its own sign-in, keyed by the start URL (like the AWS CLI).
    legacy = read.load(env).session_for_profile("legacy")
    login.login(env, legacy, use_device_code=True, no_browser=True)
    got = {name: creds.get(env, name) for name in ("dev", "native", "legacy")}
    assert (got["dev"].account_id, got["dev"].role_name, got["dev"].region) == (
        "111111111111", "AdministratorAccess", "eu-west-1")
    assert (got["native"].account_id, got["native"].role_name, got["native"].region) == (
        "222222222222", "Developer", "us-west-2")
    assert (got["legacy"].account_id, got["legacy"].region) == ("333333333333", None)
    assert got["legacy"].session_key == signed.emu.start_url  # legacy key = start URL
    assert signed.grc() == 3
    assert len({c.access_key_id for c in got.values()}) == 3


def test_signed_out_exits_3_and_never_opens_a_browser(configured) -> None:
    browser, marker = configured.forbidden_browser()
    result = configured.cli("credential-process", "--profile", "dev",
                            extra={"BROWSER": browser})
    assert result.returncode == ExitCode.NOT_SIGNED_IN
    assert result.stdout == ""
    assert "awsenv login" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not marker.exists()
    assert configured.grc() == 0


def test_portal_401_drops_the_token_and_exits_3(signed) -> None:
    assert tokens.read_cached(signed.env().paths, signed.session) is not None
    signed.emu.revoke_all()
    browser, marker = signed.forbidden_browser()
    result = signed.cli("credential-process", "--profile", "dev", extra={"BROWSER": browser})
    assert result.returncode == ExitCode.NOT_SIGNED_IN, result.stderr
    assert "awsenv login --session corp" in result.stderr
    assert tokens.read_cached(signed.env().paths, signed.session) is None
    assert not marker.exists()


def test_portal_401_with_a_live_refresh_token_recovers(signed) -> None:
    # The cached token still claims hours of life, but the service forgot it.
    signed.emu.expire_access_tokens()
    before = signed.emu.counters().get("CreateToken:refresh_token", 0)
    result = signed.cli("credential-process", "--profile", "dev")
    assert result.returncode == 0, result.stderr
    parse_output(result.stdout)
    assert signed.grc() == 2  # the refused call, then one with the refreshed token
    assert signed.emu.counters().get("CreateToken:refresh_token", 0) == before + 1
    assert tokens.read_cached(signed.env().paths, signed.session) is not None


def test_unassigned_role_is_a_config_error(signed) -> None:
    result = signed.cli("credential-process", "--profile", "unassigned")
    assert result.returncode == ExitCode.CONFIG
    assert "not assigned" in result.stderr and result.stdout == ""


def test_unknown_and_non_sso_profiles(signed) -> None:
    with open(signed.config, "a") as fh:
        fh.write("\n[profile static]\nregion = us-east-1\n")
    unknown = signed.cli("credential-process", "--profile", "nope")
    assert unknown.returncode == ExitCode.CONFIG and "unknown profile" in unknown.stderr
    static = signed.cli("credential-process", "--profile", "static")
    assert static.returncode == ExitCode.CONFIG
    assert "does not use IAM Identity Center" in static.stderr
    assert signed.grc() == 0


@pytest.mark.parametrize("knobs", [
    {"error_rate": 1.0, "error_operations": "GetRoleCredentials"},
    {"throttle_rate": 1.0},
])
def test_server_errors_are_retried_a_bounded_number_of_times(signed, knobs) -> None:
    signed.emu.configure(**knobs)
    result = signed.cli("credential-process", "--profile", "dev")
    assert result.returncode == ExitCode.SERVICE, result.stderr
    assert "GetRoleCredentials" in result.stderr and result.stdout == ""
    assert signed.grc() == 4
    assert "ASIA" not in result.stderr


def test_twenty_parallel_cold_calls_make_one_fetch(signed) -> None:
    procs = [subprocess.Popen([*AWSENV, "credential-process", "--profile", "dev"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(20)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, [e for _, e in outputs if e]
    assert len({out for out, _ in outputs}) == 1
    assert signed.grc() == 1


def test_config_edit_re_resolves(signed) -> None:
    env = signed.env()
    before = creds.get(env, "dev")
    assert creds.get(env, "dev") == before and signed.grc() == 1
    text = signed.config.read_text().replace("region = eu-west-1", "region = ap-south-1")
    signed.config.write_text(text)
    after = creds.get(env, "dev")
    assert after.region == "ap-south-1" and signed.grc() == 2
    # An unrelated edit still re-resolves (no parse on the hit path to tell the difference).
    with open(signed.config, "a") as fh:
        fh.write("\n# comment\n")
    assert cache.lookup(env.paths, "dev") is None


def test_near_expiry_is_refetched(signed) -> None:
    real = signed.env()
    first = creds.get(real, "dev")
    # 45 minutes later a 1-hour credential has 15 left: inside the refresh window.
    later = Environment(environ=real.environ, paths=real.paths, now=lambda: time.time() + 2700)
    assert creds.get(later, "dev").access_key_id != first.access_key_id
    assert signed.grc() == 2


def test_short_lived_roles_are_never_served_under_two_minutes(signed) -> None:
    signed.emu.configure(credential_ttl=100)
    for _ in range(2):
        result = signed.cli("credential-process", "--profile", "dev")
        assert result.returncode == 0, result.stderr
        assert 0 < seconds_left(json.loads(result.stdout)["Expiration"]) <= 100
    assert signed.grc() == 2
    signed.emu.configure(credential_ttl=600)  # refresh at half-life: served twice, one fetch
    for _ in range(2):
        assert signed.cli("credential-process", "--profile", "dev").returncode == 0
    assert signed.grc() == 3


def test_logout_purges_the_sessions_role_credentials(signed) -> None:
    env = signed.env()
    creds.get(env, "dev")
    creds.get(env, "native")
    assert cache.lookup(env.paths, "dev") is not None
    assert signed.cli("logout", "--session", "corp").returncode == 0
    assert cache.lookup(env.paths, "dev") is None and cache.lookup(env.paths, "native") is None
    after = signed.cli("credential-process", "--profile", "dev")
    assert after.returncode == ExitCode.NOT_SIGNED_IN and after.stdout == ""


def test_cache_files_are_private(signed) -> None:
    env = signed.env()
    creds.get(env, "dev")
    path = cache.cache_file(env.paths, "dev")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.parent.parent.stat().st_mode & 0o777 == 0o700
    assert str(path).startswith(os.environ["XDG_RUNTIME_DIR"])


@pytest.mark.parametrize("argv", [["--profile"], []])
def test_usage_errors(signed, argv: list[str]) -> None:
    result = signed.cli("credential-process", *argv)
    assert result.returncode == ExitCode.USAGE and result.stdout == ""


def test_awkward_profile_names(signed) -> None:
    name = "it's a \"dev\" $(id) prof"
    with open(signed.config, "a") as fh:
        fh.write(f"\n[profile {json.dumps(name)}]\nawsenv_session = corp\n"
                 "awsenv_account_id = 111111111111\nawsenv_role_name = Developer\n")
    first = signed.cli("credential-process", "--profile", name)
    assert first.returncode == 0, first.stderr
    second = signed.cli("credential-process", f"--profile={name}")
    assert second.stdout == first.stdout and signed.grc() == 1
    exported = signed.cli("export", name, "-f", "json")
    assert json.loads(exported.stdout)["AWS_ACCESS_KEY_ID"] == json.loads(
        first.stdout)["AccessKeyId"]
