"""awsenv.doctor pieces: fix splitting, durations, the skew measurement, endpoint choice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from doctor.conftest import HOOK, Doctor, SkewedDate, closed_port_url

from awsenv import doctor
from awsenv.awsconfig.model import SsoSession
from awsenv.errors import ExitCode

SESSION = SsoSession("corp", "corp", "https://x.awsapps.com/start", "eu-west-1")


@pytest.mark.parametrize("line,expected", [
    ("the OS keyring is locked (B: Locked: a; b); unlock it and retry; see `awsenv doctor`",
     ("the OS keyring is locked (B: Locked: a; b)", "unlock it and retry")),
    ("no keyring (x); install one (pip install a; b)",
     ("no keyring (x)", "install one (pip install a; b)")),
    ("just a message", ("just a message", None)),
])
def test_split_fix(line: str, expected: tuple[str, str | None]) -> None:
    assert doctor.split_fix(line) == expected


@pytest.mark.parametrize("seconds,text", [(5, "5s"), (61, "1m"), (3599, "59m"), (3600, "1h00m"),
                                          (7325, "2h02m")])
def test_duration(seconds: float, text: str) -> None:
    assert doctor.duration(seconds) == text


@pytest.mark.parametrize("seconds,text", [(0.4, "0s"), (59.6, "60s"), (119.7, "2m"),
                                          (900.2, "15m"), (3 * 3600 + 40, "3h01m")])
def test_about(seconds: float, text: str) -> None:
    assert doctor.about(seconds) == text


def test_endpoint_honours_the_service_then_the_global_variable() -> None:
    assert doctor.oidc_endpoint({}, "eu-west-1") == "https://oidc.eu-west-1.amazonaws.com"
    assert doctor.oidc_endpoint({"AWS_ENDPOINT_URL": "http://g"}, "x") == "http://g"
    assert doctor.oidc_endpoint({"AWS_ENDPOINT_URL": "http://g",
                                 "AWS_ENDPOINT_URL_SSO_OIDC": "http://s"}, "x") == "http://s"


@pytest.mark.parametrize("offset", [0, 42, -42, 3600, -400])
def test_measure_skew(skewed: SkewedDate, offset: int) -> None:
    skewed.offset = offset
    skew = doctor.measure_skew(skewed.url, timeout=10)
    # Date has whole seconds; the measurement is within that plus the round trip.
    assert abs(skew - offset) <= 1.5
    assert skewed.requests == 1


def test_measure_skew_with_a_fake_local_clock(skewed: SkewedDate) -> None:
    real = time.time()
    assert doctor.measure_skew(skewed.url, 10, clock=lambda: real - 500) == \
        pytest.approx(500, abs=1.5)


@pytest.mark.parametrize("offset,status", [(0, "ok"), (59, "ok"), (61, "warn"), (-299, "warn"),
                                           (301, "fail"), (-86400, "fail")])
def test_check_clock_thresholds(skewed: SkewedDate, offset: int, status: str) -> None:
    skewed.offset = offset
    check = doctor.check_clock({"AWS_ENDPOINT_URL_SSO_OIDC": skewed.url}, [SESSION], 10)
    assert check.status == status, check
    assert (check.fix is None) == (status == "ok")


def test_check_clock_unreachable_and_unconfigured() -> None:
    url = closed_port_url()
    check = doctor.check_clock({"AWS_ENDPOINT_URL_SSO_OIDC": url}, [SESSION], 2)
    assert check.status == "warn"
    assert check.detail.startswith(f"not checked: {url}: could not connect")
    assert doctor.check_clock({}, [], 2).status == "warn"


def test_check_hook() -> None:
    assert doctor.check_hook(HOOK).status == "ok"
    assert doctor.check_hook({"SHELL": "/bin/zsh"}).fix == doctor.INIT_LINES["zsh"]
    assert doctor.check_hook({"SHELL": "/bin/tcsh"}).fix == doctor.INIT_LINES["bash"]
    bad = doctor.check_hook({"AWSENV_HOOK_SHELL": "fish"})
    assert bad.status == "fail" and "protocol ?" in bad.detail


def test_a_hanging_keyring_is_abandoned_within_the_setting(doc: Doctor) -> None:
    """A keyring that never answers (like a locked one waiting on a prompt) is a ✗, not a hang."""
    doc.configure()
    proc = subprocess.Popen([sys.executable, "-m", "awsenv", "doctor", "--json"],
                            env=doc.env({**HOOK, "AWSENV_TEST_KEYRING_SLEEP": "600",
                                         "AWSENV_KEYRING_TIMEOUT": "1"}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=doc.tmp)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == ExitCode.ERROR, err
    checks = {c["name"]: c for c in json.loads(out)}
    keyring = checks["keyring"]
    assert keyring["status"] == "fail"
    assert "did not answer within 1s (support.file_keyring.TestKeyring)" in keyring["detail"]
    assert "AWSENV_KEYRING_TIMEOUT" in keyring["fix"]
    assert checks["session corp"]["status"] == "fail"  # not signed in, keyring unreadable


def test_check_objects_serialise() -> None:
    check = doctor.Check("x", "warn", "d", "f")
    assert check.to_json() == {"name": "x", "status": "warn", "detail": "d", "fix": "f"}
    assert doctor.failed([check]) is False
    assert doctor.failed([check, doctor.Check("y", "fail", "d")]) is True


def test_core_never_imports_click() -> None:
    code = "import sys, awsenv.doctor; print('click' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert res.stdout == "False\n"


def test_config_with_one_broken_profile_is_a_warning(doc: Doctor, tmp_path: Path) -> None:
    doc.configure()
    with doc.config.open("a") as fh:
        fh.write("\n[profile broken]\nsso_session = nosuch\nsso_account_id = 1\n"
                 "sso_role_name = R\n")
    doc.login()
    res = doc.run(extra=HOOK)
    assert res.returncode == 0, res.stdout
    config = res.checks["config"]
    assert config["status"] == "warn"
    assert "1 entry cannot be used" in config["detail"] and config["fix"]


def test_a_slow_keyring_gets_the_wait_the_setting_gives(doc: Doctor) -> None:
    """doctor waits as long as AWSENV_KEYRING_TIMEOUT says, like every command: it used
    to stop at 5 s whatever the setting, while its own fix said to raise it. Each of the
    probe's four calls takes 1.5 s here: over 5 s in all, well within 30."""
    doc.configure()
    r = subprocess.run([sys.executable, "-m", "awsenv", "doctor", "--json"],
                       env=doc.env({**HOOK, "AWSENV_TEST_KEYRING_SLEEP": "1.5",
                                    "AWSENV_KEYRING_TIMEOUT": "30"}),
                       capture_output=True, text=True, timeout=180, cwd=doc.tmp)
    keyring = {c["name"]: c for c in json.loads(r.stdout)}["keyring"]
    assert keyring["status"] == "ok", keyring
    assert "test entry written, read back and deleted" in keyring["detail"]
