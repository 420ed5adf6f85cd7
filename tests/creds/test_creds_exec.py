"""`awsenv exec`: the child's environment, exit codes, signals, a real AWS CLI child."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from awsenv.errors import ExitCode
from awsenv.paths import awsenv_command

AWSENV = awsenv_command()
AWS = str(Path(sys.executable).parent / "aws")
SHOWN = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
         "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION", "AWSENV_PROFILE",
         "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "KEEP_ME"]

# Reports the signal it receives, so the test sees it reached the command.
SIGNAL_CHILD = textwrap.dedent("""\
    import os, pathlib, signal, sys, time
    out = pathlib.Path(sys.argv[1])
    def handler(signum, frame):
        out.write_text(f"got {signum}")
        sys.exit(99)
    signal.signal(signal.SIGTERM, handler)
    out.with_suffix(".tmp").write_text(str(os.getpid()))
    os.replace(out.with_suffix(".tmp"), out.with_suffix(".ready"))
    while True:
        time.sleep(0.05)
""")


def test_child_environment(signed) -> None:
    stale = {"AWS_PROFILE": "prod", "AWS_DEFAULT_PROFILE": "prod", "AWS_SECURITY_TOKEN": "old",
             "AWS_SESSION_TOKEN": "old", "KEEP_ME": "yes"}
    show = f"import json, os; print(json.dumps({{k: os.environ.get(k) for k in {SHOWN!r}}}))"
    result = signed.cli("exec", "dev", "--", sys.executable, "-c", show, extra=stale)
    assert result.returncode == 0, result.stderr
    child = json.loads(result.stdout)
    process = json.loads(signed.cli("credential-process", "--profile", "dev").stdout)
    assert child["AWS_ACCESS_KEY_ID"] == process["AccessKeyId"]
    assert child["AWS_SECRET_ACCESS_KEY"] == process["SecretAccessKey"]
    assert child["AWS_SESSION_TOKEN"] == process["SessionToken"]
    assert child["AWS_CREDENTIAL_EXPIRATION"] == process["Expiration"]
    assert child["AWS_REGION"] == child["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert child["AWSENV_PROFILE"] == "dev" and child["KEEP_ME"] == "yes"
    assert child["AWS_PROFILE"] is None and child["AWS_DEFAULT_PROFILE"] is None
    assert child["AWS_SECURITY_TOKEN"] is None
    assert signed.grc() == 1


def test_aws_cli_child(signed) -> None:
    result = signed.cli("exec", "native", "--", AWS, "sts", "get-caller-identity",
                        "--output", "json", extra={"AWS_PROFILE": "dev"})
    assert result.returncode == 0, result.stderr
    ident = json.loads(result.stdout)
    assert ident["Account"] == "222222222222" and "Developer" in ident["Arn"]


def test_exit_codes(signed) -> None:
    assert signed.cli("exec", "dev", "--", "true").returncode == 0
    code = signed.cli("exec", "dev", "--", sys.executable, "-c", "raise SystemExit(42)")
    assert code.returncode == 42
    # Options after the command belong to the command, `--` or not.
    assert signed.cli("exec", "dev", "sh", "-c", "exit 5").returncode == 5
    missing = signed.cli("exec", "dev", "--", "no-such-command-awsenv")
    assert missing.returncode == 127
    assert missing.stderr.strip().splitlines() == [
        missing.stderr.strip()] and "not found" in missing.stderr
    not_exec = signed.tmp / "plain.txt"
    not_exec.write_text("x")
    assert signed.cli("exec", "dev", "--", str(not_exec)).returncode == 126
    assert signed.cli("exec", "dev").returncode == ExitCode.USAGE


def test_signed_out_exits_3_without_running_the_command(configured) -> None:
    marker = configured.tmp / "ran"
    result = configured.cli("exec", "dev", "--", "touch", str(marker))
    assert result.returncode == ExitCode.NOT_SIGNED_IN
    assert "awsenv login" in result.stderr
    assert not marker.exists()


def test_sigterm_reaches_the_command(signed) -> None:
    script = signed.tmp / "child.py"
    script.write_text(SIGNAL_CHILD)
    out = signed.tmp / "signal.txt"
    proc = subprocess.Popen([*AWSENV, "exec", "dev", "--", sys.executable, str(script),
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready = out.with_suffix(".ready")
    deadline = time.monotonic() + 60
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), proc.communicate(timeout=5)
    # On POSIX awsenv became the command (execve): same process, nothing in between.
    if os.name == "posix":
        assert int(ready.read_text()) == proc.pid
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 99
    assert out.read_text() == f"got {int(signal.SIGTERM)}"
