"""botocore's own SSO credential provider resolves an [sso-session] profile via the emulator.

Runs in a subprocess: botocore fixes ~/.aws/sso/cache at import time from HOME,
and the autouse fixture gives each test its own HOME (inherited by children).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from awsenv.emulator import Emulator

SCRIPT = """
import json, boto3
ident = boto3.Session(profile_name="dev").client("sts").get_caller_identity()
print(json.dumps({"Arn": ident["Arn"], "Account": ident["Account"]}))
"""


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _setup(emu: Emulator, home: Path, expires_in: int) -> Path:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[sso-session corp]\n"
        f"sso_start_url = {emu.start_url}\n"
        f"sso_region = {emu.region}\n"
        "sso_registration_scopes = sso:account:access\n\n"
        "[profile dev]\n"
        "sso_session = corp\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = Developer\n"
        "region = us-east-1\n")
    signed = emu.sign_in()
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (hashlib.sha1(b"corp").hexdigest() + ".json")
    path.write_text(json.dumps({
        "startUrl": emu.start_url, "region": emu.region,
        "accessToken": signed["accessToken"], "expiresAt": _iso(time.time() + expires_in),
        "clientId": signed["clientId"], "clientSecret": signed["clientSecret"],
        "registrationExpiresAt": _iso(signed["clientSecretExpiresAt"]),
        "refreshToken": signed["refreshToken"]}))
    return path


def _run() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "AWS_MAX_ATTEMPTS": "1"})


def test_sso_session_profile_refreshes_and_signs(emulator: Emulator,
                                                 isolated_home: Path) -> None:
    cache_file = _setup(emulator, isolated_home, expires_in=300)  # inside the 15-min window
    old = json.loads(cache_file.read_text())
    proc = _run()
    assert proc.returncode == 0, proc.stderr
    ident = json.loads(proc.stdout)
    assert ident["Account"] == "222222222222"
    assert "assumed-role/AWSReservedSSO_Developer_" in ident["Arn"]
    counts = emulator.counters()
    assert counts["CreateToken:refresh_token"] == 1
    assert counts["GetRoleCredentials"] == 1 and counts["GetCallerIdentity"] == 1
    new = json.loads(cache_file.read_text())
    assert new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]  # rotated token written back


def test_revoked_session_surfaces_as_unauthorized(emulator: Emulator,
                                                  isolated_home: Path) -> None:
    _setup(emulator, isolated_home, expires_in=3600)
    emulator.revoke_all()
    proc = _run()
    assert proc.returncode != 0
    assert "UnauthorizedSSOTokenError" in proc.stderr
    assert emulator.counters().get("GetCallerIdentity", 0) == 0
