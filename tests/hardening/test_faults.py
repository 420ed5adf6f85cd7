"""Network and service faults: every one ends in one clear line and a documented exit code.

The real CLI runs in a subprocess against the emulator. A transient fault
(429, 5xx, refused connection, a service that dies mid-call, a read timeout)
must leave every cache as it was and the next call after recovery must work
with no user action; a refusal that means the session is over (revoked,
ended, registration expired) must say "sign in again" with exit 3. Bounds are
generous subprocess timeouts (hang detectors), never timed assertions.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from _hardkit import BOUND, free_port, one_clear_line
from support.world import AWSENV, World

from awsenv.errors import ExitCode


def snapshot(w: World) -> dict[str, bytes]:
    out = {"token": w.token_file().read_bytes()}
    if w.role_cache().exists():
        out["role"] = w.role_cache().read_bytes()
    return out


def warm_then_expire_role(w: World) -> None:
    """A cached role credential exists but is expired, so the next call must fetch."""
    r = w.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    w.expire_role_cache()


def creds_ok(w: World) -> dict[str, Any]:
    r = w.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


TRANSIENT = {
    "throttled": {"throttle_rate": 1.0},
    "server-error": {"error_rate": 1.0},
}


@pytest.mark.parametrize("fault", sorted(TRANSIENT))
def test_transient_portal_fault_keeps_caches_and_recovers(world: World, fault: str) -> None:
    warm_then_expire_role(world)
    before = snapshot(world)
    world.emu.configure(**TRANSIENT[fault])
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.SERVICE, r.stderr
    line = one_clear_line(r.stderr)
    assert "GetRoleCredentials" in line and "retry" in line
    assert r.stdout == ""
    assert snapshot(world) == before  # nothing destroyed, nothing half-written
    world.emu.configure(throttle_rate=0.0, error_rate=0.0)
    assert creds_ok(world)["AccessKeyId"]
    assert not world.browser_ran


def test_transient_refresh_fault_keeps_the_session(world: World) -> None:
    """CreateToken failing with a 5xx with the token expired: exit 6, not 3.

    (The emulator throttles portal calls only; sso-oidc has no 429 in the wild.)
    """
    world.age_token(-60)
    before = snapshot(world)
    secrets_before = world.stored_secrets()
    world.emu.configure(error_rate=1.0, error_operations="CreateToken")
    r = world.cli("credential-process", "--profile", "dev",
                  extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    one_clear_line(r.stderr)
    assert snapshot(world) == before
    assert world.stored_secrets() == secrets_before  # the refresh token survives
    world.emu.configure(throttle_rate=0.0, error_rate=0.0)
    assert creds_ok(world)["AccessKeyId"]
    assert world.count("CreateToken") >= 2


def test_transient_fault_with_a_still_valid_token_is_invisible(world: World) -> None:
    """Inside the refresh window a failed refresh falls back to the cached token."""
    world.age_token(300)
    before = world.token_file().read_bytes()
    world.emu.configure(error_rate=1.0, error_operations="CreateToken")
    assert creds_ok(world)["AccessKeyId"]
    assert world.token_file().read_bytes() == before
    assert world.count("CreateToken") >= 1


def test_still_valid_role_credentials_survive_a_failed_refetch(world: World) -> None:
    """Credentials inside the refetch window but still valid are served when the portal fails."""
    first = creds_ok(world)
    path = world.role_cache()
    record = json.loads(path.read_text())
    creds = record["credentials"]
    # 10 minutes left of an hour: due for a refetch, still perfectly usable.
    creds["fetched_at"] = world.env().now() - 3000
    creds["expiration"] = world.env().now() + 600
    path.write_text(json.dumps(record))
    world.emu.configure(error_rate=1.0)
    again = creds_ok(world)
    assert again["AccessKeyId"] == first["AccessKeyId"]
    assert path.exists()


def test_connection_refused_is_bounded_and_clear(world: World) -> None:
    warm_then_expire_role(world)
    before = snapshot(world)
    dead = f"http://127.0.0.1:{free_port()}"
    extra = {k: dead for k in world.emu.env()}
    r = world.cli("credential-process", "--profile", "dev", extra=extra)
    assert r.returncode == ExitCode.SERVICE, r.stderr
    assert "could not connect" in one_clear_line(r.stderr)
    # The same with --debug: log lines, but still no traceback and no secret.
    r = world.cli("--debug", "credential-process", "--profile", "dev", extra=extra)
    assert r.returncode == ExitCode.SERVICE
    assert "Traceback" not in r.stderr
    assert snapshot(world) == before
    assert creds_ok(world)["AccessKeyId"]  # the service is back (same endpoints as before)


def test_refused_refresh_with_expired_token_is_a_service_error(world: World) -> None:
    world.age_token(-60)
    before = snapshot(world)
    dead = f"http://127.0.0.1:{free_port()}"
    r = world.cli("credential-process", "--profile", "dev",
                  extra={**{k: dead for k in world.emu.env()}, "AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    one_clear_line(r.stderr)
    assert snapshot(world) == before
    assert world.stored_secrets() is not None and world.stored_secrets().refresh_token


def _established(port: int) -> bool:
    """Some TCP connection to ``port`` is ESTABLISHED (from /proc/net/tcp)."""
    needle = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            parts = row.split()
            if parts[1].endswith(needle) and parts[3] == "01":
                return True
    return False


def test_service_dying_mid_call(configured: World, tmp_path: Path) -> None:
    """An emulator process killed while a GetRoleCredentials request is in flight."""
    w = configured
    port = free_port()
    server = subprocess.Popen(
        [*AWSENV, "emulator", "--port", str(port), "--auto-approve", "--device-interval", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.endswith(str(port))
        extra = {k: url for k in w.emu.env()}
        r = w.cli("login", "--session", "corp", "--use-device-code", "--no-browser",
                  extra=extra)
        assert r.returncode == 0, r.stderr
        before = w.token_file().read_bytes()
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(
            f"{url}/__admin/configure", data=json.dumps({"latency_ms": 30000}).encode(),
            headers={"Content-Type": "application/json"}), timeout=10).read()
        call = subprocess.Popen([*AWSENV, "credential-process", "--profile", "dev"],
                                env=w.environ(extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + BOUND
        while not _established(port):
            assert time.monotonic() < deadline and call.poll() is None
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=BOUND)
        out, err = call.communicate(timeout=BOUND)
        assert call.returncode == ExitCode.SERVICE, err
        one_clear_line(err)
        assert out == ""
        assert w.token_file().read_bytes() == before
        assert not w.role_cache().exists()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_revoked_session_asks_to_sign_in_again(world: World) -> None:
    warm_then_expire_role(world)
    world.emu.revoke_all()
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN, r.stderr
    assert "awsenv login --session corp" in one_clear_line(r.stderr)
    assert not world.browser_ran


@pytest.mark.parametrize("ending", ["session-ended", "registration-expired"])
def test_server_side_end_of_session_on_refresh(world: World, ending: str) -> None:
    """The refresh token (or the client registration) no longer works at the server."""
    warm_then_expire_role(world)
    world.age_token(-60)
    if ending == "session-ended":
        world.emu.advance_clock(world.emu.knobs.session_ttl + 60)
    else:
        world.emu.advance_clock(world.emu.knobs.registration_ttl + 60)
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN, r.stderr
    assert "awsenv login --session corp" in one_clear_line(r.stderr)
    assert world.count("CreateToken") >= 1
    assert not world.browser_ran
    # Signing in again is all it takes.
    world.emu.advance_clock(0)
    world.login()
    assert creds_ok(world)["AccessKeyId"]


def test_locally_expired_registration_never_calls_the_service(world: World) -> None:
    from awsenv.auth import registration

    reg_dir = world.paths.cache_dir / "registrations"
    files = list(reg_dir.glob("*.json"))
    assert len(files) == 1
    data = json.loads(files[0].read_text())
    key = next(k for k in data if "xpire" in k)
    data[key] = 1  # long ago, whichever representation the module uses
    files[0].write_text(json.dumps(data))
    assert registration.load(world.env(), world.session) is None or \
        registration.load(world.env(), world.session).expires_at <= world.env().now()
    world.age_token(-60)
    calls = world.count("CreateToken")
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN, r.stderr
    one_clear_line(r.stderr)
    assert world.count("CreateToken") == calls


@pytest.mark.slow
def test_read_timeout_is_bounded(world: World) -> None:
    """A service slower than the default client read timeout (auth.clients.READ_TIMEOUT;
    test_timeouts.py shortens it) ends the refresh with exit 6, keeps the session."""
    world.age_token(-60)
    before = snapshot(world)
    from awsenv.auth.clients import READ_TIMEOUT

    world.emu.configure(latency_ms=int(READ_TIMEOUT * 1000) + 5000)
    r = world.cli("credential-process", "--profile", "dev", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    assert "timed out" in one_clear_line(r.stderr)
    assert snapshot(world) == before
    world.emu.configure(latency_ms=0)
    assert creds_ok(world)["AccessKeyId"]


@pytest.mark.slow
def test_logout_against_a_hanging_service_still_signs_out(world: World) -> None:
    """The portal Logout is a courtesy with a short timeout: local sign-out always happens."""
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    world.emu.configure(latency_ms=60_000)
    r = world.cli("logout", "--session", "corp")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert not world.token_file().exists() and not world.role_cache().exists()
    assert world.keyring_entries() == {}


@pytest.mark.slow
def test_login_against_a_hanging_service_is_bounded(configured: World) -> None:
    configured.emu.configure(latency_ms=60_000)
    r = configured.cli("login", "--session", "corp", "--use-device-code", "--no-browser",
                       extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == ExitCode.SERVICE, r.stderr
    assert "timed out" in one_clear_line(r.stderr)
    assert not configured.token_file().exists()
    assert configured.keyring_entries() == {}
    assert not configured.browser_ran
