"""Damaged state files are absent, never a crash or a hang.

Where awsenv keeps a file, a directory, a FIFO, garbage bytes or a dangling
symlink may sit instead (a crash, a user's mistake, a tool gone wrong). Every
reader treats it as absent (a FIFO is never waited on), every writer replaces
it; only what cannot be replaced (a directory with something in it) is one
clear line naming the fix. The prompt hook, ``credential-process``, ``use``,
``list``, ``init`` and ``configure`` are driven as real processes; a hang
shows as a timeout (a bound, never a timed assertion).
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from _hardkit import one_clear_line
from support.world import AWSENV, World

from awsenv.environment import Environment
from awsenv.shells import records, refresh, refs
from awsenv.shells.state import Layer, State

# Long enough for a loaded machine, short enough that a hung reader fails soon.
HANG = 45
KINDS = ["directory", "fifo", "garbage", "dangling-link"]


def damage(path: Path, kind: str) -> None:
    """Put ``kind`` where awsenv keeps the file ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_file():
        path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "full-directory":
        path.mkdir()
        (path / "something").write_text("the user's\n")
    elif kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "garbage":
        path.write_bytes(b"\x00\xff{\"v\": garbage\n")
        path.chmod(0o600)
    elif kind == "dangling-link":
        path.symlink_to(path.parent / "nowhere")
    else:
        raise AssertionError(kind)


def plain(path: Path) -> bool:
    st = path.lstat()
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()


def no_internal_error(stderr: str) -> None:
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr


# ---- the refresher's result file (the prompt hook) ----

def hook(world: World, state: State) -> subprocess.CompletedProcess[bytes]:
    env = world.environ({"_AWSENV_FOUND": "", "_AWSENV_PID": str(os.getpid()),
                         "_AWSENV_STATE": state.encode()})
    return subprocess.run([*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"],
                          env=env, capture_output=True, timeout=HANG, check=False)


def pending_state(result: Path, refresh_at: int) -> State:
    """An env-mode `use` layer waiting for the refresher's result at ``result``."""
    return State([Layer("use", None, "dev", "env", refresh_at=refresh_at,
                        pending=os.fspath(result))])


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_refresh_result_while_waiting(world: World, kind: str) -> None:
    """Still inside the wait: a damaged result is no result (a FIFO never blocks)."""
    result = refresh.result_path(Environment.from_os().paths, "dev", "env")
    damage(result, kind)
    proc = hook(world, pending_state(result, int(time.time()) + 600))
    assert proc.returncode == 0, proc.stderr
    no_internal_error(proc.stderr.decode())
    assert records.parse(proc.stdout)[-1] == ("end", "0")


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_refresh_result_is_replaced(world: World, kind: str) -> None:
    """Never reported by its due time: the hook starts the refresher again over the damage."""
    result = refresh.result_path(Environment.from_os().paths, "dev", "env")
    damage(result, kind)
    proc = hook(world, pending_state(result, int(time.time()) - 1))
    assert proc.returncode == 0, proc.stderr
    no_internal_error(proc.stderr.decode())
    got = records.parse(proc.stdout)
    assert got[-1] == ("end", "0")
    # The detached refresher writes a sound result file where the damage was.
    deadline = time.monotonic() + HANG
    while not (result.exists() and plain(result)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert plain(result)


def test_refresh_result_that_cannot_be_replaced_is_one_line(world: World) -> None:
    result = refresh.result_path(Environment.from_os().paths, "dev", "env")
    damage(result, "full-directory")
    proc = hook(world, pending_state(result, int(time.time()) - 1))
    got = records.parse(proc.stdout)
    assert got[-1][0] == "end"
    # The shell prints the answer's msg records on stderr, as the process's own.
    shown = proc.stderr.decode() + "".join(f"{r[1]}\n" for r in got if r[0] == "msg")
    line = one_clear_line(shown)
    assert str(result) in line and "rm -r" in line
    assert (result / "something").read_text() == "the user's\n"  # nothing of theirs removed


# ---- the role credential record, the access token file, the registration ----

@pytest.mark.parametrize("kind", KINDS)
def test_damaged_credential_record(world: World, kind: str) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    damage(world.role_cache(), kind)
    r = world.cli("credential-process", "--profile", "dev", timeout=HANG)
    assert r.returncode == 0, r.stderr
    assert plain(world.role_cache())
    again = world.cli("credential-process", "--profile", "dev", timeout=HANG)
    assert again.stdout == r.stdout  # the rewritten record is a hit


def test_credential_record_that_cannot_be_replaced_is_one_line(world: World) -> None:
    damage(world.role_cache(), "full-directory")
    r = world.cli("credential-process", "--profile", "dev", timeout=HANG)
    assert r.returncode != 0
    line = one_clear_line(r.stderr)
    assert str(world.role_cache()) in line and "rm -r" in line


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_access_token_file(world: World, kind: str) -> None:
    damage(world.token_file(), kind)
    # The prompt side (profile mode reads the token's expiry) never blocks on it.
    env = world.environ({"_AWSENV_FOUND": "", "_AWSENV_PID": str(os.getpid()),
                         "_AWSENV_STATE": ""})
    use = subprocess.run([*AWSENV, "use", "--emit", "--protocol", str(records.PROTOCOL),
                          "--mode", "profile", "dev"], env=env, capture_output=True,
                         timeout=HANG, check=False)
    assert use.returncode == 0, use.stderr
    no_internal_error(use.stderr.decode())
    # `awsenv doctor` reads it to diagnose, and must not hang on it either.
    doctor = world.cli("doctor", timeout=HANG)
    no_internal_error(doctor.stderr)
    assert "token cache" in doctor.stdout + doctor.stderr
    # A fetch needs a token: refreshed from the keyring and written over the damage.
    r = world.cli("credential-process", "--profile", "dev", timeout=HANG)
    assert r.returncode == 0, r.stderr
    assert plain(world.token_file())


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_registration(world: World, kind: str) -> None:
    from awsenv.auth import registration

    damage(registration.path(world.env(), world.session), kind)
    world.age_token(60)  # the refresh needs the registration
    r = world.cli("credential-process", "--profile", "dev", timeout=HANG)
    no_internal_error(r.stderr)
    if r.returncode:  # no registration: the session must be signed in again
        assert "awsenv login" in one_clear_line(r.stderr)
    # Signing in again writes a sound registration over the damage.
    login = world.cli("login", "--session", "corp", "--no-browser", timeout=HANG)
    assert login.returncode == 0, login.stderr
    assert plain(registration.path(world.env(), world.session))


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_listing_cache(world: World, kind: str) -> None:
    from awsenv.sync import listing_cache

    assert world.cli("list").returncode == 0
    damage(listing_cache.path(world.env(), world.session), kind)
    r = world.cli("list", timeout=HANG)
    assert r.returncode == 0, r.stderr
    no_internal_error(r.stderr)
    assert plain(listing_cache.path(world.env(), world.session))


# ---- the shell's reference file, the cached init script, the settings file ----

@pytest.mark.parametrize("kind", KINDS)
def test_damaged_reference_file_is_remade(world: World, kind: str) -> None:
    runtime = os.fspath(world.paths.runtime_dir)
    pid = str(os.getpid())
    ref = Path(refs.ref_path(runtime, pid, ""))
    damage(ref, kind)
    proc = hook(world, State())
    assert proc.returncode == 0, proc.stderr
    got = records.parse(proc.stdout)
    assert ("ref", str(ref)) in got
    assert plain(ref) and plain(Path(str(ref) + ".now"))


@pytest.mark.parametrize("kind", KINDS)
def test_damaged_init_cache(world: World, kind: str) -> None:
    from awsenv.shells import initcache

    first = world.cli("init", "bash")
    assert first.returncode == 0, first.stderr
    damage(Path(initcache.cache_file("bash")), kind)
    r = world.cli("init", "bash", timeout=HANG)
    assert r.returncode == 0, r.stderr
    assert r.stdout == first.stdout
    assert plain(Path(initcache.cache_file("bash")))


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_settings_file_that_is_not_a_file_is_one_line(world: World, kind: str) -> None:
    damage(world.paths.settings_file, kind)
    r = world.cli("configure", "--session", "corp", "--start-url", world.emu.start_url,
                  "--sso-region", world.emu.region, "--region", "eu-west-1", timeout=HANG)
    assert r.returncode != 0
    line = one_clear_line(r.stderr)
    assert str(world.paths.settings_file) in line
