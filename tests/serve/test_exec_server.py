"""`awsenv exec --server P -- CMD`: CMD gets a private endpoint for its life, not raw keys.

CMD is a real child of awsenv (which serves the endpoint in its own threads):
its exit code and its death by a signal are awsenv's, signals sent to awsenv
reach it, and the endpoint is gone as soon as awsenv is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from serve.conftest import CLIENT, cmdlines
from serve.test_serve_safety import request
from support.world import ACCOUNT, AWSENV, World

from awsenv.errors import ExitCode

# Writes its environment to argv[1], then waits; SIGTERM writes a marker and exits 3.
WAITER = """
import json, os, signal, sys, time
def term(signum, frame):
    open(sys.argv[1] + ".term", "w").close()
    sys.exit(3)
if sys.argv[2] == "catch":
    signal.signal(signal.SIGTERM, term)
with open(sys.argv[1] + ".tmp", "w") as fh:
    json.dump({"pid": os.getpid(), "env": dict(os.environ)}, fh)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
"""


def wait_for(path: Path, proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The child's report, once written (a hang detector bounds it, not an assertion)."""
    end = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the command never started"
        time.sleep(0.05)
    return dict(json.loads(path.read_text()))


def start_waiter(world: World, tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str],
                                                                    Path, dict[str, Any]]:
    report = tmp_path / "child.json"
    proc = subprocess.Popen([*AWSENV, "exec", "--server", "dev", "--", sys.executable, "-c",
                             WAITER, str(report), mode], env=world.environ(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, report, wait_for(report, proc)


def gone(url: str) -> bool:
    try:
        request(url)
    except ConnectionRefusedError:
        return True
    return False


def test_the_command_gets_the_endpoint_and_no_keys(signed: World) -> None:
    extra = {"AWS_ACCESS_KEY_ID": "AKIASTALE", "AWS_SECRET_ACCESS_KEY": "stale",
             "AWS_SESSION_TOKEN": "stale", "AWS_PROFILE": "native",
             "AWS_EC2_METADATA_DISABLED": "true"}
    script = "import json, os; print(json.dumps(dict(os.environ)))"
    r = signed.cli("exec", "--server", "dev", "--", sys.executable, "-c", script, extra=extra)
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_CREDENTIAL_EXPIRATION"):
        assert name not in env, name
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWSENV_PROFILE"] == "dev"
    # The SDK in the command finds its credentials at the endpoint.
    r = signed.cli("exec", "--server", "dev", "--", sys.executable, str(CLIENT), "identity",
                   extra=extra)
    assert r.returncode == 0, (r.stdout, r.stderr)
    identity = json.loads(r.stdout)
    assert identity["account"] == ACCOUNT and identity["method"] == "container-role"
    assert "AKIASTALE" not in identity["key"]


@pytest.mark.parametrize("code", [0, 1, 7, 127])
def test_the_exit_code_passes_through(signed: World, code: int) -> None:
    r = signed.cli("exec", "--server", "dev", "--", "sh", "-c", f"exit {code}")
    assert r.returncode == code, r.stderr


def test_a_missing_command_and_a_signed_out_session(configured: World) -> None:
    configured.login()
    r = configured.cli("exec", "--server", "dev", "--", "no-such-command-awsenv")
    assert r.returncode == 127 and "command not found" in r.stderr
    configured.emu.revoke_all()
    configured.expire_role_cache()
    r = configured.cli("exec", "--server", "dev", "--", "true")
    assert r.returncode == ExitCode.NOT_SIGNED_IN and "awsenv login" in r.stderr


def test_sigterm_reaches_the_command_and_its_end_is_awsenvs(signed: World,
                                                            tmp_path: Path) -> None:
    proc, report, child = start_waiter(signed, tmp_path, "catch")
    url = child["env"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    token = child["env"]["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert request(url, headers={"Authorization": token})[0] == 200  # alive while CMD runs
    assert not [p for p, line in cmdlines().items() if token.encode() in line]
    proc.send_signal(signal.SIGTERM)  # to awsenv only
    proc.communicate(timeout=60)
    assert Path(str(report) + ".term").exists()  # the command got it from awsenv
    assert proc.returncode == 3  # and its exit code is awsenv's
    assert gone(url)


def test_a_command_killed_by_a_signal_kills_awsenv_with_it(signed: World,
                                                           tmp_path: Path) -> None:
    proc, _, child = start_waiter(signed, tmp_path, "default")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM  # as if the command itself had been killed
    assert gone(child["env"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"])


def test_the_endpoint_dies_with_awsenv(signed: World, tmp_path: Path) -> None:
    proc, _, child = start_waiter(signed, tmp_path, "default")
    url = child["env"]["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    try:
        proc.kill()  # SIGKILL: nothing of awsenv's can run, the endpoint's threads included
        proc.wait(timeout=60)  # (the command still holds the output pipes)
        assert gone(url)
        os.kill(child["pid"], 0)  # the command itself lives on; its SDK can renew no more
    finally:
        os.kill(child["pid"], signal.SIGKILL)


# Counts SIGINTs: reports "ready", and after the first one waits for a second that a
# relay forwarding the terminal's Ctrl-C would add, then writes the count.
COUNTER = """
import signal, sys, time
seen = []
signal.signal(signal.SIGINT, lambda s, f: seen.append(s))
print("ready", flush=True)
while not seen:
    time.sleep(0.05)
for _ in range(20):
    time.sleep(0.05)
open(sys.argv[1], "w").write(str(len(seen)))
"""


def test_ctrl_c_at_a_terminal_reaches_the_command_once(signed: World, tmp_path: Path) -> None:
    """The terminal sends Ctrl-C to the whole foreground group (awsenv and CMD): awsenv
    must not send it again, or a command that counts interrupts sees two."""
    import pexpect

    out = tmp_path / "count"
    child = pexpect.spawn(AWSENV[0], [*AWSENV[1:], "exec", "--server", "dev", "--",
                                      sys.executable, "-c", COUNTER, str(out)],
                          env=signed.environ(), timeout=60, encoding="utf-8")
    try:
        child.expect("ready")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert out.read_text() == "1"
    assert child.exitstatus == 0


@pytest.mark.parametrize("where", ["config-sso", "credentials-keys"])
def test_a_default_profile_that_beats_the_endpoint_is_refused(signed: World, tmp_path: Path,
                                                              where: str) -> None:
    """SDKs read [default] before the container endpoint: the command would run as that
    identity (another account's SSO role, or stale keys), so awsenv refuses to start it."""
    if where == "config-sso":
        with signed.config.open("a") as fh:
            fh.write("\n[default]\nsso_session = corp\nsso_account_id = 222222222222\n"
                     "sso_role_name = Developer\n")
    else:
        creds = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
        creds.parent.mkdir(parents=True, exist_ok=True)
        creds.write_text("[default]\naws_access_key_id = AKIAOLDKEY\n"
                         "aws_secret_access_key = old\n")
    marker = tmp_path / "ran"
    r = signed.cli("exec", "--server", "dev", "--", sys.executable, "-c",
                   f"open({str(marker)!r}, 'w').close()")
    assert r.returncode == ExitCode.CONFIG, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "[default]" in lines[0] and "would not run as dev" in lines[0]
    assert not marker.exists()
    # The same command without such a [default] runs.
    if where == "config-sso":
        text = signed.config.read_text()
        signed.config.write_text(text[:text.index("\n[default]")] + "\n")
    else:
        Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text("[default]\nregion = x\n")
    r = signed.cli("exec", "--server", "dev", "--", sys.executable, "-c",
                   f"open({str(marker)!r}, 'w').close()")
    assert r.returncode == 0, r.stderr
    assert marker.exists()
