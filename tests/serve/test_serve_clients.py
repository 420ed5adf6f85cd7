"""Real clients fetch credentials from `awsenv serve` and call STS on the emulator with them.

Each client gets only the endpoint's variables (no profile, no keys): botocore's
container provider (boto3, the AWS CLI v1), the JavaScript SDK v3's chain, and
the instance-metadata providers of both in `--imds` mode.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from serve.conftest import (
    CLIENT,
    awscli_identity,
    boto3_identity,
    client_env,
    js_identity,
    read_until,
    run,
    serving,
)
from support.world import ACCOUNT, AWSENV, ROLE, World

from awsenv.errors import ExitCode


def assert_dev(identity: dict[str, Any]) -> None:
    assert identity["account"] == ACCOUNT, identity
    assert f"/AWSReservedSSO_{ROLE}_" in identity["arn"], identity


def test_container_endpoint_serves_boto3_the_cli_and_the_js_sdk(signed: World) -> None:
    with serving(signed, "dev") as served:
        assert served.url.startswith("http://127.0.0.1:") and served.url.endswith("/dev")
        assert served.variables["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] is None
        env = client_env(signed, served.variables)
        identity = boto3_identity(env)
        assert_dev(identity)
        assert identity["method"] == "container-role"
        assert_dev(awscli_identity(env))
        assert signed.grc() == 1  # serve's own first fetch; every client reused it
        assert_dev(js_identity(env))
    assert signed.grc() == 1


def test_imds_mode_serves_boto3_the_cli_and_the_js_sdk(signed: World) -> None:
    with serving(signed, "dev", "--imds") as served:
        assert set(served.variables) == {"AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                         "AWS_EC2_METADATA_DISABLED"}
        # tests/conftest.py disables IMDS for every test; the variables unset it.
        env = client_env(signed, served.variables)
        assert "AWS_EC2_METADATA_DISABLED" not in env
        identity = boto3_identity(env)
        assert_dev(identity)
        assert identity["method"] == "iam-role"
        assert_dev(awscli_identity(env))
        assert_dev(js_identity(env))


def test_several_profiles_on_their_own_paths(signed: World) -> None:
    with serving(signed, "dev", "native") as served:
        stderr_urls = served.url.rsplit("/", 1)[0]
        native = client_env(signed, {**served.variables,
                                     "AWS_CONTAINER_CREDENTIALS_FULL_URI": stderr_urls + "/native"})
        assert boto3_identity(native)["account"] == "222222222222"
        assert_dev(boto3_identity(client_env(signed, served.variables)))
        err = served.stop()
    assert f"serving native at {stderr_urls}/native" in err
    assert signed.grc() == 2


@pytest.mark.parametrize("fmt", ["env", "env-no-export", "fish", "powershell", "windows-cmd",
                                 "dotenv", "json"])
def test_every_export_format_names_both_variables(signed: World, fmt: str) -> None:
    proc = subprocess.Popen([*AWSENV, "serve", "dev", "--format", fmt], env=signed.environ(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        first = read_until(proc, b"AWS_CONTAINER_AUTHORIZATION_TOKEN")
    finally:
        proc.terminate()
        out, raw = proc.communicate(timeout=60)
    text, err = first + out.decode(), raw.decode()
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in text
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN" in text
    assert proc.returncode == ExitCode.OK, err
    assert "awsenv: stopped" in err


def tgkill(pid: int, tid: int, signum: int) -> bool:
    """Send SIGNUM to one thread of PID (what the kernel may pick for a plain `kill`);
    False when that thread has ended meanwhile (a keyring worker finishing)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.tgkill(pid, tid, signum) == 0:
        return True
    if ctypes.get_errno() == errno.ESRCH:
        return False
    raise OSError(ctypes.get_errno(), "tgkill")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_taken_by_a_server_thread_still_stops_serve(signed: World, signum: int) -> None:
    """A `kill` may land on any thread; the main thread must wake and stop all the same.

    It slept on in time.sleep when the server's thread took the signal (a `kill` that
    serve outlived, once, under load); here the signal goes to that thread on purpose.
    """
    proc = subprocess.Popen([*AWSENV, "serve", "dev"], env=signed.environ(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        read_until(proc, b"AWS_CONTAINER_AUTHORIZATION_TOKEN")
        others = [int(t) for t in os.listdir(f"/proc/{proc.pid}/task") if int(t) != proc.pid]
        assert others, "serve answers in a thread of its own"
        assert any(tgkill(proc.pid, tid, signum) for tid in others), "no thread took it"
        try:
            _, raw = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("serve slept on after a signal one of its threads took")
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == ExitCode.OK, raw.decode()
    assert "awsenv: stopped" in raw.decode()


def test_not_signed_in_unknown_profile_and_usage(configured: World) -> None:
    r = configured.cli("serve", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN and r.stdout == ""
    assert "awsenv login" in r.stderr
    configured.login()
    r = configured.cli("serve", "nope")
    assert r.returncode == ExitCode.CONFIG and r.stdout == "", r.stderr
    r = configured.cli("serve", "dev", "native", "--imds")
    assert r.returncode == ExitCode.USAGE and r.stdout == ""
    r = configured.cli("serve", "dev", "--bind", "example.com")
    assert r.returncode == ExitCode.CONFIG and "--bind" in r.stderr and r.stdout == ""
    assert "Traceback" not in r.stderr


def test_a_client_sees_why_the_endpoint_cannot_answer(signed: World) -> None:
    with serving(signed, "dev", "--debug") as served:
        signed.expire_role_cache()
        signed.emu.revoke_all()  # the sign-in ends elsewhere: the next renewal is refused
        r = run([sys.executable, str(CLIENT), "identity"], client_env(signed, served.variables))
        assert r.returncode == 1 and "awsenv login" in r.stdout, r.stdout
        err = served.stop()
    # botocore asked three times; each reason is told once, however often the SDK retried.
    assert err.count("GET /dev -> 503") >= 3, err
    told = [line for line in err.splitlines() if line.startswith("awsenv: dev: ")]
    assert told and len(told) == len(set(told)) < err.count("GET /dev -> 503"), err
