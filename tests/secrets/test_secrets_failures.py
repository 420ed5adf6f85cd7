"""Every known keyring failure becomes one KeyringError line naming the fix, within the timeout.

Hangs are asserted by their error, not by a stopwatch: the hanging backend
sleeps 30 s and the call returns after AWSENV_KEYRING_TIMEOUT=1, so a test
that waited for the backend would take 30 s (and the subprocess guard fails).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from awsenv.auth import keyring_runner, secrets
from awsenv.auth.secrets import SessionSecrets
from awsenv.errors import ConfigError, ExitCode, KeyringError

SECRET = SessionSecrets(client_secret="CLIENT-SECRET-QZXM", refresh_token="REFRESH-TOKEN-QZXM" * 90)

# Runs one operation in a fresh process and prints the error line as the CLI would.
DRIVER = """
import sys
from awsenv.auth import secrets
from awsenv.errors import AwsenvError
op = sys.argv[1]
try:
    if op == "save":
        secrets.save("dev", secrets.SessionSecrets("CLIENT-SECRET-QZXM", "REFRESH-TOKEN-QZXM"))
    elif op == "info":
        print(secrets.backend_info())
    else:
        print(getattr(secrets, op)("dev"))
except AwsenvError as exc:
    print("awsenv:", exc.line(), file=sys.stderr)
    sys.exit(int(exc.code))
"""


def drive(op: str, *, stdin: int | None = subprocess.DEVNULL, guard: float = 25,
          **env: str) -> subprocess.CompletedProcess[str]:
    """``op`` in a new session (no controlling terminal); ``guard`` < the 30 s hang."""
    return subprocess.run([sys.executable, "-c", DRIVER, op], env={**os.environ, **env},
                          stdin=stdin, capture_output=True, text=True, timeout=guard,
                          start_new_session=True)


def assert_clean(err: KeyringError | str) -> str:
    line = err.line() if isinstance(err, KeyringError) else err
    assert "\n" not in line.strip() and "Traceback" not in line
    assert "QZXM" not in line, "a secret leaked into the message"
    return line


def test_hanging_backend_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring_runner, "_stuck", {})
    monkeypatch.setenv("AWSENV_TEST_KEYRING_SLEEP", "30")
    monkeypatch.setenv("AWSENV_KEYRING_TIMEOUT", "1")
    with pytest.raises(KeyringError) as info:
        secrets.load("dev")
    assert info.value.code == ExitCode.KEYRING
    assert info.value.message == ("the OS keyring did not answer within 1s "
                                  "(support.file_keyring.TestKeyring)")
    assert "set AWSENV_KEYRING_TIMEOUT; see `awsenv doctor`" in assert_clean(info.value)
    assert "unlock your keyring" in info.value.fix


def test_hanging_backend_process_exits_despite_the_stuck_thread() -> None:
    done = drive("save", AWSENV_TEST_KEYRING_SLEEP="30", AWSENV_KEYRING_TIMEOUT="1")
    assert done.returncode == ExitCode.KEYRING, done.stderr
    line = assert_clean(done.stderr)
    assert "did not answer within 1s (support.file_keyring.TestKeyring)" in line


def test_backend_info_reports_a_hang_as_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # choosing the backend does not touch the store, so it is quick even when calls hang
    monkeypatch.setattr(keyring_runner, "_stuck", {})
    monkeypatch.setenv("AWSENV_TEST_KEYRING_SLEEP", "30")
    monkeypatch.setenv("AWSENV_KEYRING_TIMEOUT", "1")
    assert secrets.backend_info().usable
    probed = secrets.probe(1)
    assert not probed.usable and "did not answer within 1s" in probed.detail


def test_locked_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWSENV_TEST_KEYRING_FAIL", "1")
    for call in (lambda: secrets.save("dev", SECRET), lambda: secrets.load("dev"),
                 lambda: secrets.delete("dev")):
        with pytest.raises(KeyringError) as info:
            call()
        line = assert_clean(info.value)
        assert info.value.message.startswith("the OS keyring is locked (")
        assert "Failed to unlock the collection!" in line
        assert "gnome-keyring-daemon --unlock" in info.value.fix
    probed = secrets.probe(5)
    assert not probed.usable and "locked" in probed.detail


def test_oversize_entry_error_1783_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # A backend stricter than Windows: even 1200-unit pieces are refused.
    monkeypatch.setenv("AWSENV_TEST_KEYRING_MAXLEN", "100")
    with pytest.raises(KeyringError) as info:
        secrets.save("dev", SECRET)
    assert "rejected an entry as too large" in assert_clean(info.value)
    assert "error 1783" in info.value.message


def test_fail_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with pytest.raises(KeyringError) as info:
        secrets.save("dev", SECRET)
    line = assert_clean(info.value)
    assert info.value.message == ("no OS keyring is available to hold the sign-in secrets "
                                  "(keyring.backends.fail.Keyring)")
    if sys.platform.startswith("linux"):
        assert "start a Secret Service" in line
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring" in line
    info_ = secrets.backend_info()
    assert (info_.name, info_.usable) == ("keyring.backends.fail.Keyring", False)
    assert "no OS keyring" in info_.detail


def test_null_backend_from_keyring_disable() -> None:
    """`keyring --disable` (the real CLI) selects a backend that stores nothing: say so."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    config = os.path.join(os.environ["XDG_CONFIG_HOME"], "python_keyring", "keyringrc.cfg")
    os.unlink(config)  # the test backend's; `keyring --disable` writes its own
    subprocess.run([sys.executable, "-m", "keyring", "--disable"], env=env, check=True,
                   capture_output=True, timeout=60)
    done = subprocess.run([sys.executable, "-c", DRIVER, "save"], env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == ExitCode.KEYRING
    line = assert_clean(done.stderr)
    assert "keyring.backends.null.Keyring" in line and "stores nothing" in line
    assert f"default-keyring in {config}" in line


def test_null_backend_named_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(KeyringError, match="stores nothing") as info:
        secrets.load("dev")
    assert "PYTHON_KEYRING_BACKEND" in info.value.fix


def test_unusable_backend_named_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "nosuchpackage.Keyring")
    with pytest.raises(KeyringError) as info:
        secrets.load("dev")
    assert info.value.message.startswith(
        "cannot load the keyring backend nosuchpackage.Keyring named by PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(KeyringError) as info:
        secrets.load("dev")
    assert "is not usable here" in info.value.message
    assert "DBUS_SESSION_BUS_ADDRESS" in info.value.message


def test_bad_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in ("soon", "0", "-3"):
        monkeypatch.setenv("AWSENV_KEYRING_TIMEOUT", raw)
        with pytest.raises(ConfigError, match="AWSENV_KEYRING_TIMEOUT"):
            secrets.load("dev")


def test_importing_secrets_does_not_import_keyring() -> None:
    code = ("import sys, awsenv.auth.secrets; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('keyring', 'secretstorage', 'jeepney', 'keyrings')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("awsenv-keyring-")]


def test_after_a_hang_later_calls_fail_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command touching several sessions must not wait out the timeout once per session."""
    monkeypatch.setattr(keyring_runner, "_stuck", {})
    monkeypatch.setenv("AWSENV_TEST_KEYRING_SLEEP", "30")
    monkeypatch.setenv("AWSENV_KEYRING_TIMEOUT", "1")
    with pytest.raises(KeyringError, match="did not answer within 1s"):
        secrets.load("dev")
    before = set(_workers())
    for call in (lambda: secrets.load("prod"), lambda: secrets.save("dev", SECRET),
                 lambda: secrets.delete("dev")):
        with pytest.raises(KeyringError, match="did not answer within 1s"):
            call()
    assert not set(_workers()) - before, "no new worker may be started while one is stuck"
    probed = secrets.probe(1)
    assert probed.name == "support.file_keyring.TestKeyring" and not probed.usable


def test_a_keyring_that_answers_late_is_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring_runner, "_stuck", {})
    monkeypatch.setenv("AWSENV_TEST_KEYRING_SLEEP", "1.5")
    monkeypatch.setenv("AWSENV_KEYRING_TIMEOUT", "0.5")
    before = set(_workers())
    with pytest.raises(KeyringError, match=r"did not answer within 0\.5s"):
        secrets.load("dev")
    monkeypatch.delenv("AWSENV_TEST_KEYRING_SLEEP")
    for thread in set(_workers()) - before:
        thread.join(10)  # the "unlock" happened: the stuck call returns
    secrets.save("dev", SessionSecrets("cs", "rt"))
    assert secrets.load("dev") == SessionSecrets("cs", "rt")
