"""`awsenv doctor` end to end: a healthy set-up, then each thing broken on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from doctor.conftest import HOOK, VENV_BIN, Doctor, SkewedDate, closed_port_url

from awsenv.auth import secrets, tokens
from awsenv.awsconfig import read
from awsenv.environment import Environment
from awsenv.errors import ExitCode


def secrets_of(doc: Doctor) -> list[str]:
    """Every secret the sign-in left behind: keyring values and the access token."""
    stored = secrets.load("corp")
    assert stored is not None and stored.refresh_token
    found = [stored.refresh_token, stored.client_secret]
    for path in (doc.home / ".aws" / "sso" / "cache").glob("*.json"):
        found.append(json.loads(path.read_text())["accessToken"])
    assert len(found) == 3
    return found


def cache_path(doc: Doctor) -> Path:
    env = Environment.from_os()
    return tokens.cache_file(env.paths, read.load(env).session("corp"))  # type: ignore[arg-type]


def test_healthy_setup_every_check_passes(signed_in: Doctor) -> None:
    """configure + device-code login + the real bash hook: all ✓, exit 0."""
    before = signed_in.emu.counters()
    script = 'eval "$(awsenv init bash)"; awsenv doctor; echo "rc=$?"; awsenv doctor --json'
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=signed_in.tmp,
                         env=signed_in.env({"PYTHONIOENCODING": "utf-8"}),
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    text, _, js = res.stdout.partition("rc=0\n")
    lines = text.splitlines()
    assert lines and all(line.startswith("✓ ") for line in lines), text
    names = [c["name"] for c in json.loads(js)]
    assert names == ["config", "keyring", "session corp", "token cache", "hook", "path",
                     "clock"]
    assert all(c["status"] == "ok" and c["fix"] is None for c in json.loads(js))
    assert "✓ hook: installed in bash (protocol 1)" in lines
    assert "✓ keyring: support.file_keyring.TestKeyring" in text
    assert "renewed silently" in text
    for secret in secrets_of(signed_in):
        assert secret not in res.stdout and secret not in res.stderr
    # Read-only: no token call; a HEAD for the clock is all doctor sent.
    after = signed_in.emu.counters()
    assert {k: v for k, v in after.items() if k.startswith("CreateToken")} == \
        {k: v for k, v in before.items() if k.startswith("CreateToken")}
    assert not signed_in.browser_ran


@pytest.mark.parametrize("shell,argv", [
    ("zsh", ["zsh", "-f", "-c", 'eval "$(awsenv init zsh)"; awsenv doctor --json']),
    ("fish", ["fish", "--no-config", "-c", "awsenv init fish | source; awsenv doctor --json"]),
])
def test_hook_seen_through_zsh_and_fish(signed_in: Doctor, shell: str, argv: list[str]) -> None:
    res = subprocess.run(argv, cwd=signed_in.tmp, env=signed_in.env(), capture_output=True,
                         text=True, timeout=120, check=False)
    hook = {c["name"]: c for c in json.loads(res.stdout)}["hook"]
    assert hook == {"name": "hook", "status": "ok", "detail": f"installed in {shell} (protocol 1)",
                    "fix": None}
    assert res.returncode == 0, res.stderr


def test_malformed_config(doc: Doctor) -> None:
    doc.config.parent.mkdir(parents=True, exist_ok=True)
    doc.config.write_text("[sso-session corp]\nsso_start_url = https://x/start\n"
                          "this line is not an option\n")
    res = doc.run(extra=HOOK)
    assert res.returncode == ExitCode.ERROR
    config = res.checks["config"]
    assert config["status"] == "fail"
    assert "line 3" in config["detail"] and "~/.aws/config" in config["detail"]
    assert config["fix"]
    text = doc.text(extra=HOOK)
    assert text.returncode == ExitCode.ERROR
    (line,) = [x for x in text.stdout.splitlines() if x.startswith("✗ config:")]
    assert f" → {config['fix']}" in line


def test_no_config_at_all(doc: Doctor) -> None:
    res = doc.run(extra=HOOK)
    assert res.returncode == ExitCode.ERROR
    assert res.status("config") == "fail"
    assert "awsenv configure" in res.checks["config"]["fix"]
    assert res.status("clock") == "warn"  # nothing to check against yet


def test_signed_out(doc: Doctor) -> None:
    doc.configure()
    res = doc.run(extra=HOOK)
    assert res.returncode == ExitCode.ERROR
    session = res.checks["session corp"]
    assert session["status"] == "fail"
    assert session["detail"] == "not signed in (no access token)"
    assert session["fix"] == "run `awsenv login --session corp`"
    assert res.status("keyring") == "ok" and res.status("config") == "ok"


def test_expired_access_token_is_renewed_not_called_signed_in(signed_in: Doctor) -> None:
    """An expired token with a refresh token in the keyring: doctor renews it (as any
    command would) and only then says signed in; the file holds the new token."""
    path = cache_path(signed_in)
    data = json.loads(path.read_text())
    data["expiresAt"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(data))
    before = signed_in.emu.counters().get("CreateToken:refresh_token", 0)
    res = signed_in.run(extra=HOOK)
    assert res.returncode == 0, res.stdout
    assert res.status("session corp") == "ok"
    assert "(renewed just now)" in res.checks["session corp"]["detail"]
    assert signed_in.emu.counters().get("CreateToken:refresh_token", 0) == before + 1
    assert json.loads(path.read_text())["expiresAt"] != "2020-01-01T00:00:00Z"


def test_token_in_its_last_minutes_is_renewed(signed_in: Doctor) -> None:
    """< 15 min left: renewed, so native profiles never reach the JS SDKs' last 5 minutes."""
    from awsenv.auth import tokens

    path = cache_path(signed_in)
    data = json.loads(path.read_text())
    data["expiresAt"] = tokens.format_time(time.time() + 600)
    path.write_text(json.dumps(data))
    res = signed_in.run(extra=HOOK)
    assert res.status("session corp") == "ok"
    left = tokens.parse_time(json.loads(path.read_text())["expiresAt"]) - time.time()
    assert left > 15 * 60


def test_refused_renewal_is_not_signed_in(signed_in: Doctor) -> None:
    """The session was revoked server-side and the token has expired: FAIL with the fix,
    never "signed in"."""
    path = cache_path(signed_in)
    data = json.loads(path.read_text())
    data["expiresAt"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(data))
    signed_in.emu.revoke_all()
    res = signed_in.run(extra=HOOK)
    assert res.returncode == ExitCode.ERROR
    session = res.checks["session corp"]
    assert session["status"] == "fail"
    assert session["detail"].startswith("not signed in: Identity Center refused to renew")
    assert session["fix"] == "run `awsenv login --session corp`"


def test_keyring_failing(signed_in: Doctor) -> None:
    res = signed_in.run(extra={**HOOK, "AWSENV_TEST_KEYRING_FAIL": "1"})
    assert res.returncode == ExitCode.ERROR
    keyring = res.checks["keyring"]
    assert keyring["status"] == "fail"
    assert keyring["detail"].startswith("support.file_keyring.TestKeyring: the OS keyring is "
                                        "locked")
    assert keyring["fix"].startswith("unlock your keyring")
    # The access token still works; whether it renews cannot be told.
    session = res.checks["session corp"]
    assert session["status"] == "warn" and "unknown" in session["detail"]
    for secret in secrets_of(signed_in):
        assert secret not in res.stdout and secret not in res.stderr


@pytest.mark.parametrize("backend,detail,fix", [
    ("keyring.backends.null.Keyring", "the keyring is disabled", "PYTHON_KEYRING_BACKEND"),
    ("keyring.backends.fail.Keyring", "no OS keyring is available", "Secret Service"),
])
def test_null_and_fail_backends_are_named_with_their_fix(signed_in: Doctor, backend: str,
                                                          detail: str, fix: str) -> None:
    res = signed_in.run(extra={**HOOK, "PYTHON_KEYRING_BACKEND": backend})
    assert res.returncode == ExitCode.ERROR
    keyring = res.checks["keyring"]
    assert keyring["status"] == "fail"
    assert keyring["detail"].startswith(f"{backend}: {detail}")
    assert fix in keyring["fix"]
    assert "awsenv doctor" not in keyring["fix"]  # no "see `awsenv doctor`" inside doctor


def test_hook_missing_is_a_warning_with_the_install_line(signed_in: Doctor) -> None:
    res = signed_in.run(extra={"SHELL": "/usr/bin/zsh"})
    assert res.returncode == 0
    hook = res.checks["hook"]
    assert hook["status"] == "warn"
    assert 'eval "$(awsenv init zsh)"' in hook["fix"] and "~/.zshrc" in hook["fix"]
    text = signed_in.text(extra={"SHELL": "/usr/bin/fish"})
    assert text.returncode == 0
    (line,) = [x for x in text.stdout.splitlines() if x.startswith("! hook:")]
    assert line.endswith("→ add  awsenv init fish | source  to ~/.config/fish/config.fish, "
                         "then open a new shell")


def test_hook_version_mismatch(signed_in: Doctor) -> None:
    res = signed_in.run(extra={"AWSENV_HOOK_SHELL": "zsh", "AWSENV_HOOK_PROTOCOL": "0"})
    assert res.returncode == ExitCode.ERROR
    hook = res.checks["hook"]
    assert hook["status"] == "fail"
    assert "protocol 0" in hook["detail"] and "speaks 1" in hook["detail"]
    assert hook["fix"] == "open a new shell so the hook is loaded from this awsenv"


def test_server_unreachable_is_only_a_warning(signed_in: Doctor) -> None:
    url = closed_port_url()
    res = signed_in.run(extra={**HOOK, "AWS_ENDPOINT_URL_SSO_OIDC": url})
    assert res.returncode == 0, res.stdout
    clock = res.checks["clock"]
    assert clock["status"] == "warn"
    assert clock["detail"].startswith(f"not checked: {url}: could not connect")
    assert "network" in clock["fix"]


@pytest.mark.parametrize("offset,status,code", [(900, "fail", ExitCode.ERROR),
                                                (-120, "warn", ExitCode.OK),
                                                (0, "ok", ExitCode.OK)])
def test_clock_skew_against_the_sso_oidc_endpoint(signed_in: Doctor, skewed: SkewedDate,
                                                  offset: int, status: str,
                                                  code: ExitCode) -> None:
    skewed.offset = offset
    res = signed_in.run(extra={**HOOK, "AWS_ENDPOINT_URL_SSO_OIDC": skewed.url})
    assert skewed.requests == 1
    assert res.returncode == code, res.stdout
    clock = res.checks["clock"]
    assert clock["status"] == status
    if offset > 0:
        assert "15m behind" in clock["detail"] and "NTP" in clock["fix"]
    elif offset < 0:
        assert "2m ahead of" in clock["detail"]


def test_plaintext_refresh_token_from_aws_sso_login_is_a_warning(signed_in: Doctor) -> None:
    path = cache_path(signed_in)
    data = json.loads(path.read_text())
    data.update(refreshToken="plaintext-refresh-SECRET", clientSecret="plaintext-client-SECRET")
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    res = signed_in.run(extra=HOOK)
    assert res.returncode == 0
    cache = res.checks["token cache corp"]
    assert cache["status"] == "warn"
    assert "plaintext refresh token and client secret" in cache["detail"]
    assert "aws sso login" in cache["detail"]
    assert cache["fix"].startswith("run `awsenv login --session corp`")
    assert "SECRET" not in res.stdout and "SECRET" not in res.stderr


def test_token_cache_for_another_portal_and_readable_by_others(signed_in: Doctor) -> None:
    path = cache_path(signed_in)
    data = json.loads(path.read_text())
    data["startUrl"] = "https://elsewhere.awsapps.com/start"
    path.write_text(json.dumps(data))
    path.chmod(0o644)
    res = signed_in.run(extra=HOOK)
    details = [c for c in json.loads(res.stdout) if c["name"] == "token cache corp"]
    assert [c["status"] for c in details] == ["warn", "warn"]
    assert "another start URL (https://elsewhere.awsapps.com/start" in details[0]["detail"]
    assert "mode 0644" in details[1]["detail"] and details[1]["fix"].startswith("chmod 600 ")
    # The other portal's token is not this session's; the refresh token still is, and
    # renewing it replaced the file with this portal's token, private again.
    assert res.status("session corp") == "ok"
    assert "(renewed just now)" in res.checks["session corp"]["detail"]
    assert json.loads(path.read_text())["startUrl"] == signed_in.emu.start_url
    assert path.stat().st_mode & 0o777 == 0o600


def test_path_without_awsenv_and_with_another_installation(signed_in: Doctor,
                                                           tmp_path: Path) -> None:
    bare = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != VENV_BIN)
    res = signed_in.run(extra={**HOOK, "PATH": bare})
    assert res.returncode == 0
    assert res.checks["path"]["status"] == "warn"
    assert res.checks["path"]["fix"] == f"add {VENV_BIN} to PATH"
    other = tmp_path / "other-bin"
    other.mkdir()
    fake = other / "awsenv"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    res = signed_in.run(extra={**HOOK, "PATH": f"{other}{os.pathsep}{os.environ['PATH']}"})
    path = res.checks["path"]
    assert path["status"] == "warn"
    assert path["detail"] == f"awsenv on PATH is {fake}, but this is {VENV_BIN}/awsenv"


def test_ascii_marks_when_stdout_cannot_encode_them(doc: Doctor) -> None:
    doc.configure()
    with doc.config.open("a", encoding="utf-8") as fh:
        fh.write(f"\n[sso-session café]\nsso_start_url = {doc.emu.start_url}\n"
                 f"sso_region = {doc.emu.region}\n")
    text = doc.text(extra=HOOK, encoding="ascii")
    assert text.returncode == ExitCode.ERROR, text.stderr
    assert text.stderr == ""
    lines = text.stdout.splitlines()
    assert any(line.startswith("+ config: ") for line in lines)
    assert any(line.startswith("x session corp: not signed in (no access token) -> run ")
               for line in lines)
    assert any(line.startswith("x session caf\\xe9: not signed in") for line in lines), lines


def test_help_says_what_it_checks() -> None:
    res = subprocess.run([sys.executable, "-m", "awsenv", "doctor", "--help"],
                         capture_output=True, text=True, check=False, timeout=60)
    assert res.returncode == 0
    assert "--json" in res.stdout and "never refreshes" in res.stdout.lower()


@pytest.mark.keyring
def test_real_secret_service_is_named_and_probed(signed_in: Doctor) -> None:
    """With gnome-keyring's Secret Service the whole set-up is healthy too."""
    res = signed_in.run(extra=HOOK)
    assert res.returncode == 0, res.stdout
    keyring = res.checks["keyring"]
    assert keyring["status"] == "ok"
    assert keyring["detail"].startswith("keyring.backends.SecretService.Keyring (")
    assert "test entry written, read back and deleted" in keyring["detail"]
    assert res.status("session corp") == "ok"
    assert "renewed silently" in res.checks["session corp"]["detail"]
