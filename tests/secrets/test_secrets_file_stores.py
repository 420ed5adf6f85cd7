"""keyrings.alt file stores: refused when picked automatically, usable when opted in.

EncryptedKeyring asks for its password through getpass. Without a terminal it
would wait forever on stdin: the timeout must catch that and say why. With a
terminal (a real pty via pexpect) the documented opt-in must work end to end,
and a prompt abandoned at the timeout must not leave the terminal without echo.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from awsenv.auth import secrets
from awsenv.auth.secrets import SessionSecrets
from awsenv.errors import ExitCode, KeyringError

pytest.importorskip("keyrings.alt.file")
pytest.importorskip("Crypto.Cipher")

ENCRYPTED = "keyrings.alt.file.EncryptedKeyring"
PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"

ROUND_TRIP = """
from awsenv.auth import secrets
from awsenv.errors import AwsenvError
try:
    if secrets.load("dev") is None:
        secrets.save("dev", secrets.SessionSecrets("CLIENT-SECRET-88", "REFRESH-TOKEN-88" * 100))
        print("saved")
    found = secrets.load("dev")
    print("found", found.refresh_token == "REFRESH-TOKEN-88" * 100)
except AwsenvError as exc:
    print("awsenv:", exc.line())
"""


def _automatic(monkeypatch: pytest.MonkeyPatch, backend: object) -> None:
    """As if keyring had picked ``backend`` by priority (no env var, no keyringrc.cfg)."""
    import keyring

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    (Path(os.environ["XDG_CONFIG_HOME"]) / "python_keyring" / "keyringrc.cfg").unlink()
    keyring.set_keyring(backend)  # type: ignore[arg-type]


def test_plaintext_picked_automatically_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyrings.alt.file import PlaintextKeyring

    store = PlaintextKeyring()
    _automatic(monkeypatch, store)
    with pytest.raises(KeyringError) as info:
        secrets.save("dev", SessionSecrets("CLIENT-SECRET-QZXK", "REFRESH-TOKEN-QZXK"))
    line = info.value.line()
    assert f"refusing {PLAINTEXT}" in line and "cleartext file" in line
    assert store.file_path in line
    assert f"PYTHON_KEYRING_BACKEND={ENCRYPTED}" in line
    assert "QZXK" not in line  # (the line names a temporary path: "88" could be in it)
    assert not Path(store.file_path).exists(), "nothing may reach the cleartext file"
    info_ = secrets.backend_info()
    assert (info_.name, info_.usable) == (PLAINTEXT, False)


def test_plaintext_named_explicitly_is_the_users_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT)
    value = SessionSecrets("cs", "rt")
    secrets.save("dev", value)
    assert secrets.load("dev") == value
    assert secrets.backend_info() == secrets.BackendInfo(PLAINTEXT, True,
                                                         "set by PYTHON_KEYRING_BACKEND")


def _no_terminal(stdin: int, timeout: str = "1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": ENCRYPTED, "AWSENV_KEYRING_TIMEOUT": timeout}
    # start_new_session: no controlling terminal, so getpass falls back to stdin
    return subprocess.run([sys.executable, "-c", ROUND_TRIP], env=env, stdin=stdin,
                          capture_output=True, text=True, timeout=25, start_new_session=True)


def test_encrypted_store_without_terminal_times_out_and_says_why() -> None:
    # stdin is an open pipe nobody writes to: getpass would wait forever
    reader, writer = os.pipe()
    try:
        done = _no_terminal(reader)
    finally:
        os.close(reader)
        os.close(writer)
    assert done.returncode == 0, done.stderr
    assert ("awsenv: the keyrings.alt file store did not answer within 1s ("
            "keyrings.alt.file.EncryptedKeyring "
            "waits for its password on a terminal, and none is attached); run awsenv from a "
            "terminal") in done.stdout


def test_encrypted_store_with_closed_stdin() -> None:
    done = _no_terminal(subprocess.DEVNULL, timeout="20")
    assert done.returncode == 0, done.stderr
    assert ("awsenv: keyrings.alt.file.EncryptedKeyring asked for its password, but standard "
            "input is closed and no terminal is attached") in done.stdout


def _spawn(code: str, timeout: str = "20") -> pexpect.spawn:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": ENCRYPTED, "AWSENV_KEYRING_TIMEOUT": timeout}
    return pexpect.spawn(sys.executable, ["-c", code], env=env, encoding="utf-8", timeout=20)


def test_encrypted_store_opt_in_on_a_terminal() -> None:
    child = _spawn(ROUND_TRIP)
    child.expect("set a password for your new keyring: ")
    child.sendline("correct horse")
    child.expect("confirm the password: ")
    child.sendline("correct horse")
    child.expect("found True")
    child.expect(pexpect.EOF)
    data_file = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "crypted_pass.cfg"
    assert data_file.exists() and "REFRESH-TOKEN" not in data_file.read_text()
    # a later process asks for the password and finds the session
    child = _spawn(ROUND_TRIP)
    child.expect("password for encrypted keyring: ")
    child.sendline("correct horse")
    child.expect("found True")
    child.expect(pexpect.EOF)
    child = _spawn(ROUND_TRIP)
    for _ in range(2):  # keyrings.alt asks twice before giving up on a wrong password
        child.expect("password for encrypted keyring: ")
        child.sendline("wrong")
    child.expect("awsenv: wrong password for keyrings.alt.file.EncryptedKeyring")
    child.expect(pexpect.EOF)


ABANDON = """
import os
from awsenv.auth import secrets
from awsenv.errors import AwsenvError
secrets.backend_info()  # choose (and import) the backend with the default timeout
os.environ["AWSENV_KEYRING_TIMEOUT"] = "1"
try:
    secrets.save("dev", secrets.SessionSecrets("CLIENT-SECRET-QZXK", "REFRESH-TOKEN-QZXK"))
except AwsenvError as exc:
    print("awsenv:", exc.line())
"""


def test_abandoned_password_prompt_leaves_echo_on() -> None:
    """getpass turns echo off; when the timeout abandons it, the terminal must get it back."""
    script = f"{sys.executable} -c '{ABANDON}'; stty -a"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": ENCRYPTED}
    child = pexpect.spawn("bash", ["--norc", "--noprofile", "-c", script], env=env,
                          encoding="utf-8", timeout=20)
    child.expect("set a password for your new keyring: ")
    child.expect(r"awsenv: the keyrings.alt file store did not answer within 1s \(" + ENCRYPTED
                 + r" waits for its password\); type the keyring password")
    child.expect(pexpect.EOF)
    modes = child.before.split()
    assert "echo" in modes and "-echo" not in modes
    assert child.exitstatus == ExitCode.OK or child.exitstatus is None


def test_encrypted_store_is_never_picked_by_itself_in_the_demo_venv(tmp_path: Path) -> None:
    """The venv `make demo`/`make test` builds holds keyrings.alt and pycryptodome (test
    extras), so on a machine without a Secret Service keyring's own priority order lands
    on EncryptedKeyring: a read-only `doctor` asked for a new keyring password. awsenv
    refuses a file store nobody asked for, in one line, before any password prompt."""
    (Path(os.environ["XDG_CONFIG_HOME"]) / "python_keyring" / "keyringrc.cfg").unlink()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}
    from awsenv.paths import awsenv_command

    command = awsenv_command()
    for args in (["doctor"],):
        child = pexpect.spawn(command[0], [*command[1:], *args], env=env, encoding="utf-8",
                              timeout=60, cwd=str(tmp_path))
        seen = child.expect(["password", pexpect.EOF])
        text = child.before
        child.close(force=True)
        assert seen == 1, f"{args}: asked for a keyring password: {text}"
        assert f"keyring picked the file store {ENCRYPTED} on its own" in text, text
        assert f"PYTHON_KEYRING_BACKEND={ENCRYPTED}" in text
    data = Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "crypted_pass.cfg"
    assert not data.exists()
