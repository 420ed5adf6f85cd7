"""A real gnome-keyring that cannot be unlocked or does not answer: what headless users hit.

Each test starts its own private D-Bus session and gnome-keyring daemon (not the
shared unlocked one from tests/with-secret-service), so locking it disturbs
nothing else. No display exists, so gnome-keyring's unlock prompt cannot appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awsenv.errors import ExitCode

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon")

DRIVER = """
import sys
from awsenv.auth import secrets
from awsenv.errors import AwsenvError
print(secrets.probe(5).detail)
try:
    secrets.save("dev", secrets.SessionSecrets("CLIENT-SECRET-QZXN", "REFRESH-TOKEN-QZXN"))
except AwsenvError as exc:
    print("awsenv:", exc.line())
    sys.exit(int(exc.code))
"""


FROZEN = """
import os, signal
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from awsenv.auth import secrets
from awsenv.errors import AwsenvError
secrets.save("dev", secrets.SessionSecrets("CLIENT-SECRET-QZXN", "REFRESH-TOKEN-QZXN"))
os.environ["AWSENV_KEYRING_TIMEOUT"] = "1"  # backend chosen and warm: 1 s is plenty
bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                  interface="org.freedesktop.DBus")
with open_dbus_connection() as conn:
    pid = conn.send_and_get_reply(new_method_call(
        bus, "GetConnectionUnixProcessID", "s", ("org.freedesktop.secrets",))).body[0]
os.kill(pid, signal.SIGSTOP)  # the daemon this test started stops answering
try:
    secrets.load("dev")
except AwsenvError as exc:
    print("awsenv:", exc.line())
finally:
    os.kill(pid, signal.SIGCONT)
"""


def in_session(data: Path, daemon: str, password: str, driver: str = DRIVER,
               timeout: str = "5") -> subprocess.CompletedProcess[str]:
    """Run ``driver`` in a new D-Bus session after ``gnome-keyring-daemon <daemon>``."""
    run = data.parent / f"run-{os.urandom(4).hex()}"
    run.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_DATA_HOME=str(data), XDG_RUNTIME_DIR=str(run), AWSENV_KEYRING_TIMEOUT=timeout,
               PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring")
    script = (f'printf %s "$1" | gnome-keyring-daemon {daemon} --components=secrets >/dev/null;'
              f' exec "{sys.executable}" -c "$2"')
    # A session of its own: FROZEN stops this daemon, and a stopped process in the suite's
    # process group lets the kernel send the whole group SIGHUP and SIGCONT if the group
    # becomes orphaned (POSIX); the shared test Secret Service quits on SIGHUP.
    return subprocess.run(["dbus-run-session", "--", "sh", "-c", script, "sh", password, driver],
                          env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, start_new_session=True)


def test_never_unlocked_keyring_prompt_dismissed(tmp_path: Path) -> None:
    done = in_session(tmp_path / "data", "--start", "")
    assert done.returncode == ExitCode.KEYRING, done.stderr
    expected = ("awsenv: the OS keyring is locked and its unlock prompt could not be shown "
                "(keyring.backends.SecretService.Keyring: InitError: Failed to create the "
                "collection: Prompt dismissed")
    assert expected in done.stdout
    assert "gnome-keyring-daemon --unlock" in done.stdout
    probe_detail = done.stdout.splitlines()[0]
    assert "unlock prompt could not be shown" in probe_detail
    assert "QZXN" not in done.stdout


def test_keyring_unlocked_with_the_wrong_password(tmp_path: Path) -> None:
    first = in_session(tmp_path / "data", "--unlock", "right-password")
    assert first.returncode == 0, first.stdout + first.stderr
    second = in_session(tmp_path / "data", "--unlock", "wrong-password")
    assert second.returncode == ExitCode.KEYRING, second.stderr
    assert ("awsenv: the OS keyring is locked (keyring.backends.SecretService.Keyring: "
            "KeyringLocked: Failed to unlock the collection!)") in second.stdout


def test_secret_service_that_stops_answering_times_out_and_the_process_exits(
        tmp_path: Path) -> None:
    """The worker stays blocked in a D-Bus read; the process still ends right after the timeout.

    (subprocess.run's 60 s guard would fail the test if the process waited for the daemon.)
    """
    done = in_session(tmp_path / "data", "--unlock", "pw", driver=FROZEN, timeout="30")
    assert done.returncode == 0, done.stderr
    assert ("awsenv: the OS keyring did not answer within 1s "
            "(keyring.backends.SecretService.Keyring); unlock your keyring") in done.stdout


def _doc_blocks() -> list[str]:
    """The literal blocks of the headless-Linux section of awsenv.auth.secrets' docstring."""
    import textwrap

    from awsenv.auth import secrets

    doc = secrets.__doc__ or ""
    section = doc[doc.index("Headless Linux without a keyring"):]
    blocks = []
    for part in section.split("::\n\n")[1:]:
        lines = []
        for line in part.splitlines():
            if line and not line.startswith("    "):
                break
            lines.append(line)
        blocks.append(textwrap.dedent("\n".join(lines)).strip())
    return blocks


def test_documented_headless_recipe_works(tmp_path: Path) -> None:
    """The README quotes this recipe: run it as written, then awsenv picks the Secret Service."""
    import pexpect

    recipe, opt_in = _doc_blocks()
    assert "export PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring" in opt_in
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "DISPLAY")}
    # A config home without the test backend's keyringrc.cfg: keyring chooses by itself.
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               SHELL="/bin/bash", PS1="$ ")
    child = pexpect.spawn("bash", ["--norc", "--noprofile", "-c", recipe], env=env,
                          encoding="utf-8", timeout=30)
    child.expect("keyring password: ")
    child.sendline("typed-password")
    code = ("from awsenv.auth import secrets as s; "
            "s.save('dev', s.SessionSecrets('cs', 'rt')); "
            "print('found', s.load('dev') == s.SessionSecrets('cs', 'rt'), s.backend_info().name)")
    child.sendline(f'{sys.executable} -c "{code}"; exit')
    child.expect("found True keyring.backends.SecretService.Keyring")
    child.expect(pexpect.EOF)
