"""`awsenv emulator`: prints its URL and exports, serves boto3, exits 0 on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "awsenv", "emulator", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    directory = tmp_path / "dir.json"
    directory.write_text(json.dumps({"accounts": [
        {"id": "123456789012", "name": "only-one", "roles": ["Admin"]}]}))
    proc = _start("--directory", str(directory), "--auto-approve", "--credential-ttl", "900")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        exports = [proc.stdout.readline().strip() for _ in range(4)]
        assert f"export AWS_ENDPOINT_URL_SSO={url}" in exports
        assert f"export AWS_ENDPOINT_URL_SSO_OIDC={url}" in exports
        # Drive it as a test in another process would: admin + a real boto3 client.
        emu_url, emu_region = url, "us-east-1"
        with urllib.request.urlopen(f"{emu_url}/__admin/knobs", timeout=10) as resp:
            knobs = json.loads(resp.read())
        assert knobs["auto_approve"] is True and knobs["credential_ttl"] == 900
        oidc = _client(emu_url, emu_region, "sso-oidc")
        reg = oidc.register_client(clientName="cli", clientType="public")
        dev = oidc.start_device_authorization(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"],
            startUrl="https://d-1234567890.awsapps.com/start")
        tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                grantType="urn:ietf:params:oauth:grant-type:device_code",
                                deviceCode=dev["deviceCode"])
        portal = _client(emu_url, emu_region, "sso")
        accounts = portal.list_accounts(accessToken=tok["accessToken"])["accountList"]
        assert [a["accountName"] for a in accounts] == ["only-one"]
        with urllib.request.urlopen(f"{emu_url}/__admin/counters", timeout=10) as resp:
            assert json.loads(resp.read())["ListAccounts"] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_cli_stops_cleanly_on_ctrl_c() -> None:
    proc = _start("--port", "0")
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    with urllib.request.urlopen(f"{url}/__admin/counters", timeout=10) as resp:
        assert json.loads(resp.read()) == {}
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_cli_port_in_use_is_a_clear_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "awsenv", "emulator", "--port", str(port)],
                              capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"awsenv: cannot listen on 127.0.0.1:{port}")
    assert "--port" in proc.stderr


def _client(url: str, region: str, service: str) -> object:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.client(service, region_name=region, endpoint_url=url,
                        config=Config(signature_version=UNSIGNED))


def test_cli_bad_directory_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = subprocess.run([sys.executable, "-m", "awsenv", "emulator", "--directory", str(bad)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 4
    assert proc.stderr.startswith("awsenv: cannot read directory file")
    assert "Traceback" not in proc.stderr


def test_cli_help_documents_directory_format() -> None:
    proc = subprocess.run([sys.executable, "-m", "awsenv", "emulator", "--help"],
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0
    assert '"accounts"' in proc.stdout and "--auto-approve" in proc.stdout

