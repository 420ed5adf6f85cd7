"""The prompt hook against a hanging service: it answers at once and never opens a browser.

The hook's contract (awsenv.shells.hook / awsenv.shells.refresh): it makes no
keyring call and never waits on the network for a refresh; anything that needs
the keyring or a slow service runs in a detached process whose result a later
prompt applies. So the hook's own process has no timeout of its own to wait
out: its bound is "no network wait". We check that with a service slower than
the client's read timeout (auth.clients.READ_TIMEOUT): a hook that waited on it
could not answer inside HOOK_BOUND, a hang detector below that, not a speed test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support.world import AWSENV, World

from awsenv.auth.clients import READ_TIMEOUT
from awsenv.awsconfig import names
from awsenv.project import trust
from awsenv.shells import identity, profileinfo, records

# Below the portal/OIDC read timeout: a hook that waited on the hanging service could
# not return in time.
HOOK_BOUND = max(3.0, 0.8 * READ_TIMEOUT)


def allow_project(w: World, body: str) -> Path:
    proj = w.tmp / "proj"
    proj.mkdir(mode=0o700, exist_ok=True)
    os.chmod(w.tmp, 0o700)
    path = proj / ".awsenv"
    path.write_text(body)
    project = trust.load(path, names.profile_names(w.config))
    info = profileinfo.load(w.config, project.profile)
    assert info is not None
    trust.allow(w.paths.trust_dir, project, info.resolves())
    return path


def run_hook(w: World, found: Path) -> tuple[int, list[tuple[str, ...]], str]:
    env = w.environ({"_AWSENV_FOUND": str(found), "_AWSENV_PID": str(os.getpid()),
                     "PWD": str(found.parent)})
    proc = subprocess.run([*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"],
                          env=env, cwd=found.parent, capture_output=True,
                          timeout=HOOK_BOUND, check=False, stdin=subprocess.DEVNULL)
    return proc.returncode, records.parse(proc.stdout), proc.stderr.decode()


@pytest.mark.parametrize(("mode", "token_left"), [
    ("profile", 120),     # inside the hook's lead: detached refresh
    ("profile", identity.TOKEN_LEAD + 60),  # inside the 15-minute window, outside the lead
    ("env", 120),         # cold role cache, token due: detached refresh
    ("env", 8 * 3600),    # cold role cache, fresh token: detached fetch, bounded wait
])
def test_hook_answers_at_once_against_a_hanging_service(world: World, mode: str,
                                                        token_left: int) -> None:
    found = allow_project(world, f"profile = dev\nmode = {mode}\n")
    world.age_token(token_left)
    world.emu.configure(latency_ms=60_000)
    rc, recs, err = run_hook(world, found)  # TimeoutExpired = the hook blocked
    assert rc == 0, err
    assert "Traceback" not in err
    assert any(r[0] == "state" for r in recs)
    assert not world.browser_ran


def test_hook_signed_out_never_opens_a_browser(configured: World) -> None:
    found = allow_project(configured, "profile = dev\nmode = env\n")
    rc, _recs, err = run_hook(configured, found)
    assert rc == 0, err
    assert not configured.browser_ran
    assert configured.count("StartDeviceAuthorization") == 0
    assert configured.count("RegisterClient") == 0


def test_hook_with_a_hanging_keyring_answers_at_once(world: World) -> None:
    found = allow_project(world, "profile = dev\nmode = profile\n")
    world.age_token(identity.TOKEN_LEAD + 60)  # refresh window, outside the hook's lead
    # A keyring call from the hook would wait out 30 s, past HOOK_BOUND.
    env_extra = {"AWSENV_TEST_KEYRING_SLEEP": "60", "AWSENV_KEYRING_TIMEOUT": "30"}
    env = world.environ({"_AWSENV_FOUND": str(found), "_AWSENV_PID": str(os.getpid()),
                         **env_extra})
    proc = subprocess.run([*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"],
                          env=env, cwd=found.parent, capture_output=True,
                          timeout=HOOK_BOUND, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert not world.browser_ran
