"""A keyring that hangs, is locked, is missing or silently stores nothing.

login, refresh and logout each end within AWSENV_KEYRING_TIMEOUT (plus process
start-up; the subprocess timeout is only a hang detector) with one line that
names the fix and exit 5, and nothing already cached is lost.
"""

from __future__ import annotations

import pytest
from _hardkit import one_clear_line
from support.world import World

from awsenv.errors import ExitCode

HANG = {"AWSENV_TEST_KEYRING_SLEEP": "600", "AWSENV_KEYRING_TIMEOUT": "1"}
LOCKED = {"AWSENV_TEST_KEYRING_FAIL": "1"}
FAIL_BACKEND = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
NULL_BACKEND = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
FAULTS = {"hang": HANG, "locked": LOCKED, "fail-backend": FAIL_BACKEND,
          "null-backend": NULL_BACKEND}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_login_reports_the_keyring_and_the_fix(configured: World, fault: str) -> None:
    r = configured.cli("login", "--session", "corp", "--use-device-code", "--no-browser",
                       extra=FAULTS[fault], timeout=60)
    assert r.returncode == ExitCode.KEYRING, (r.stdout, r.stderr)
    line = one_clear_line(r.stderr)
    assert "keyring" in line.lower() and ";" in line  # a message and its fix
    # No half sign-in: no access token without its refresh token.
    assert not configured.token_file().exists()
    assert not configured.browser_ran


@pytest.mark.parametrize("fault", ["hang", "locked", "fail-backend"])
def test_refresh_with_expired_token_reports_the_keyring(world: World, fault: str) -> None:
    world.age_token(-60)
    before = world.token_file().read_bytes()
    r = world.cli("credential-process", "--profile", "dev", extra=FAULTS[fault], timeout=60)
    assert r.returncode == ExitCode.KEYRING, r.stderr
    one_clear_line(r.stderr)
    assert world.token_file().read_bytes() == before
    assert world.stored_secrets() is not None  # the entry is still there for next time
    r = world.cli("credential-process", "--profile", "dev")  # keyring back
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("fault", ["hang", "locked"])
def test_refresh_with_valid_token_rides_out_the_keyring(world: World, fault: str) -> None:
    world.age_token(300)
    r = world.cli("credential-process", "--profile", "dev", extra=FAULTS[fault], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


@pytest.mark.parametrize("fault", ["hang", "locked"])
def test_logout_is_bounded_and_still_removes_the_files(world: World, fault: str) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    r = world.cli("logout", "--session", "corp", extra=FAULTS[fault], timeout=60)
    assert r.returncode == ExitCode.KEYRING, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "keyring" in r.stderr.lower()
    assert not world.token_file().exists()
    assert not world.role_cache().exists()
    # The keyring entry could not be removed: a later logout finishes the job.
    r = world.cli("logout", "--session", "corp")
    assert r.returncode == 0, r.stderr
    assert world.keyring_entries() == {}
