"""State directories and records another local user made or can change are never used.

Staged with a real second local user (``other_user``): a ``XDG_RUNTIME_DIR``
pre-created at a guessable path (``/tmp/runtime-$USER``) holding planted role
credentials and display facts, records of theirs in the user's own
directories, a data dir of theirs holding trust records, links planted where
the fish prompt writes. awsenv must fall back to a private runtime dir (and
say so once, on an interactive command), treat planted records as absent,
refuse foreign data/config/cache dirs with one line, and no shell may write
through a planted link.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _hardkit import one_clear_line
from support.other_user import OtherUser
from support.world import AWSENV, World, write_config

from awsenv import locations
from awsenv.creds import record
from awsenv.shells import records

PLANTED_KEY = "ASIAPLANTEDBYOTHERUSER"
FORGED_ACCOUNT = "999999999999"


def forged_record(config: Path, profile: str = "dev") -> bytes:
    """A credential record that the cache hit would serve for ``profile``."""
    now = time.time()
    return json.dumps({
        "v": record.FORMAT_VERSION, "config": str(config),
        "stamp": record.config_stamp(str(config)),
        "credentials": {
            "access_key_id": PLANTED_KEY, "secret_access_key": "planted-secret",
            "session_token": "planted-token", "expiration": now + 3600, "fetched_at": now,
            "profile": profile, "session_key": "corp", "account_id": FORGED_ACCOUNT,
            "role_name": "Forged", "region": "eu-west-1",
        },
        "facts": {"account_id": FORGED_ACCOUNT, "role_name": "Forged", "region": "eu-west-1",
                  "prod": False},
    }).encode()


def plant_runtime(other: OtherUser, base: Path, config: Path, case: str) -> Path:
    """An XDG_RUNTIME_DIR holding another user's record for profile dev (see CASES)."""
    root = base / "runtime-victim"
    name = record.file_name(os.path.abspath(config), "dev")
    if case == "foreign-runtime-dir":  # /tmp/runtime-$USER made by them first
        other.plant_dir(root, 0o755)
        other.plant_dir(root / "awsenv", 0o777)
        other.plant_dir(root / "awsenv" / "credentials", 0o777)
        other.plant_file(root / "awsenv" / "credentials" / name, forged_record(config), 0o644)
    elif case == "world-writable-runtime-dir":  # the user's own, but anyone may add to it
        root.mkdir(mode=0o700)
        root.chmod(0o1777)
        other.plant_dir(root / "awsenv", 0o777)
        other.plant_dir(root / "awsenv" / "credentials", 0o777)
        other.plant_file(root / "awsenv" / "credentials" / name, forged_record(config), 0o644)
    elif case == "foreign-record":  # private dirs of the user's, a record of theirs inside
        (root / "awsenv" / "credentials").mkdir(mode=0o700, parents=True)
        other.plant_file(root / "awsenv" / "credentials" / name, forged_record(config), 0o600)
    elif case == "shared-record":  # the user's own record, but writable by everyone
        (root / "awsenv" / "credentials").mkdir(mode=0o700, parents=True)
        path = root / "awsenv" / "credentials" / name
        path.write_bytes(forged_record(config))
        path.chmod(0o666)
    else:
        raise AssertionError(case)
    if case in ("foreign-record", "shared-record"):  # only the record is wrong here
        for d in (root, root / "awsenv", root / "awsenv" / "credentials"):
            d.chmod(0o700)
    return root


CASES = ["foreign-runtime-dir", "world-writable-runtime-dir", "foreign-record", "shared-record"]


@pytest.mark.parametrize("case", CASES)
def test_credential_process_never_hands_out_planted_keys(world: World, other_user: OtherUser,
                                                         case: str) -> None:
    runtime = plant_runtime(other_user, world.tmp, world.config, case)
    planted = sorted((p, p.read_bytes()) for p in runtime.rglob("*") if p.is_file())
    extra = {"XDG_RUNTIME_DIR": str(runtime)}
    for _ in range(2):  # the miss, then the hit from where awsenv really keeps it
        r = world.cli("credential-process", "--profile", "dev", extra=extra)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["AccessKeyId"] != PLANTED_KEY
        assert r.stderr == ""  # an SDK's stderr: the fallback is told elsewhere
    assert world.grc() == 1
    if case.endswith("runtime-dir"):
        # Nothing in a directory of theirs was read, changed or written through.
        assert sorted((p, p.read_bytes()) for p in runtime.rglob("*") if p.is_file()) == planted
    else:
        # The user's own private dir: the planted record was replaced by awsenv's own.
        name = record.file_name(os.path.abspath(world.config), "dev")
        st = (runtime / "awsenv" / "credentials" / name).stat()
        assert (st.st_uid, st.st_mode & 0o777) == (os.geteuid(), 0o600)


@pytest.mark.parametrize("case", CASES[:2])
def test_use_env_never_announces_forged_facts(world: World, other_user: OtherUser,
                                              case: str) -> None:
    runtime = plant_runtime(other_user, world.tmp, world.config, case)
    env = world.environ({"XDG_RUNTIME_DIR": str(runtime), "_AWSENV_FOUND": "",
                         "_AWSENV_PID": str(os.getpid()), "_AWSENV_STATE": ""})
    proc = subprocess.run([*AWSENV, "use", "--emit", "--protocol", str(records.PROTOCOL),
                           "--mode", "env", "dev"], env=env, capture_output=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    answer = records.parse(proc.stdout)
    text = repr(answer)
    assert FORGED_ACCOUNT not in text and "Forged" not in text and PLANTED_KEY not in text
    sets = {r[1]: r[2] for r in answer if r[0] == "set"}
    assert sets["AWSENV_PROFILE"] == "dev" and sets["AWS_ACCESS_KEY_ID"]
    ref = next(r[1] for r in answer if r[0] == "ref")
    assert ref and not ref.startswith(str(runtime))


def test_fallback_is_said_once_on_an_interactive_command(world: World,
                                                          other_user: OtherUser) -> None:
    runtime = plant_runtime(other_user, world.tmp, world.config, "foreign-runtime-dir")
    extra = {"XDG_RUNTIME_DIR": str(runtime)}
    quiet = world.cli("credential-process", "--profile", "dev", extra=extra)
    assert quiet.returncode == 0 and quiet.stderr == ""
    first = world.cli("status", extra=extra)
    told = [ln for ln in first.stderr.splitlines() if "XDG_RUNTIME_DIR" in ln]
    assert len(told) == 1, first.stderr
    assert told[0].startswith("awsenv: ") and str(runtime) in told[0]
    assert "owned by another user" in told[0]
    for args in (("status",), ("list",)):
        again = world.cli(*args, extra=extra)
        assert "XDG_RUNTIME_DIR" not in again.stderr, again.stderr
    # The user's own private XDG_RUNTIME_DIR is used silently, as always.
    fine = world.cli("status")
    assert "XDG_RUNTIME_DIR" not in fine.stderr


# ---- the prompt in real shells: no reference file in their dir, no write through a link ----

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]
SET_REFRESH = {"bash": "_AWSENV_REFRESH_AT=1", "zsh": "_AWSENV_REFRESH_AT=1",
               "fish": "set -g _AWSENV_REFRESH_AT 1"}


def interactive_shell() -> type:
    """tests/shell's driver of real interactive bash/zsh/fish (`_interactive.Shell`)."""
    import sys

    shell_tests = str(Path(__file__).resolve().parents[1] / "shell")
    if shell_tests not in sys.path:
        sys.path.append(shell_tests)
    from _interactive import Shell

    return Shell


@pytest.fixture
def shell_world(isolated_home: Path, tmp_path: Path) -> Iterator[Path]:
    write_config("[profile dev]\nregion = eu-west-1\n")
    work = tmp_path / "work"
    (work / "proj").mkdir(parents=True)
    work.chmod(0o755)
    (work / "proj" / ".awsenv").write_text("profile = dev\n")
    yield work


@pytest.mark.parametrize("kind", KINDS)
def test_prompt_never_writes_through_a_planted_link(shell_world: Path, other_user: OtherUser,
                                                    tmp_path: Path, kind: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    isolated_home: Path) -> None:
    Shell = interactive_shell()

    runtime = other_user.plant_dir(tmp_path / "runtime-victim", 0o755)
    other_user.plant_dir(runtime / "awsenv", 0o777)
    other_user.plant_dir(runtime / "awsenv" / "refs", 0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    victim = tmp_path / "precious"
    victim.write_bytes(b"the user's own data\n")
    sh = Shell(kind, isolated_home, shell_world)
    try:
        sh.run("cd proj")  # a tree: the hook answers with a reference file
        ref = sh.var("_AWSENV_REF")
        assert ref, sh.transcript
        assert not ref.startswith(str(runtime)), ref  # never in a directory of theirs
        assert locations.unsafe_dir(os.path.dirname(ref)) is None
        # Whatever sits at "<ref>.now" now (in the test, root can plant even in the
        # user's private dir): a link to the user's file, and a refresh falls due.
        now = Path(ref + ".now")
        if now.exists() or now.is_symlink():
            now.unlink()
        other_user.plant_symlink(now, victim)
        sh.run(SET_REFRESH[kind])
        sh.run("")
        sh.run("")
    finally:
        sh.close()
    assert victim.read_bytes() == b"the user's own data\n"
    assert list((runtime / "awsenv" / "refs").iterdir()) == []


# ---- trust records in a data dir someone else controls approve nothing ----

def test_trust_records_in_a_foreign_data_dir_approve_nothing(shell_world: Path,
                                                             other_user: OtherUser) -> None:
    proj = shell_world / "proj"
    allowed = subprocess.run([*AWSENV, "allow", str(proj)], capture_output=True, text=True,
                             timeout=120, check=False)
    assert allowed.returncode == 0, allowed.stderr
    found = str(proj / ".awsenv")
    env = {**os.environ, "_AWSENV_FOUND": found, "_AWSENV_PID": "4242", "_AWSENV_STATE": ""}
    hook = [*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"]

    def answer() -> tuple[list[tuple[str, ...]], str]:
        proc = subprocess.run(hook, env=env, capture_output=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        return records.parse(proc.stdout), proc.stderr.decode()

    got, _ = answer()
    assert ("set", "AWS_PROFILE", "dev") in got  # the user's own allow works
    # The directories holding that record now belong to another user (who could
    # rename, restore or remove records at will); the record itself stays the user's.
    data = Path(os.environ["XDG_DATA_HOME"]) / "awsenv"
    for d in (data, data / "trust", data / "trust" / "allow"):
        os.chown(d, other_user.uid, other_user.gid)
    got, _ = answer()
    assert not any(r[0] == "set" for r in got), got
    lines = [r[1] for r in got if r[0] == "msg"]
    assert len(lines) == 1 and "owned by another user" in lines[0], lines
    assert lines[0].startswith("awsenv: ") and str(data) in lines[0]
    # Writing there is refused with one line naming the fix.
    again = subprocess.run([*AWSENV, "allow", str(proj)], capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode != 0
    line = one_clear_line(again.stderr)
    assert str(data) in line and "owned by another user" in line


# ---- the user's own cache/config dirs owned by someone else: one clear line ----

COMMANDS = {
    # No XDG_RUNTIME_DIR: the runtime files (credentials, locks) go under the cache dir.
    "cache-credential-process": ("XDG_CACHE_HOME", ["credential-process", "--profile", "dev"]),
    "cache-list": ("XDG_CACHE_HOME", ["list", "--refresh"]),
    "config-configure": ("XDG_CONFIG_HOME", ["configure", "--session", "corp", "--start-url",
                                             "{start_url}", "--sso-region", "{region}",
                                             "--region", "eu-west-1"]),
}


@pytest.mark.parametrize("case", sorted(COMMANDS))
def test_foreign_app_dir_is_one_clear_line(world: World, other_user: OtherUser,
                                           case: str) -> None:
    var, args = COMMANDS[case]
    folder = Path(os.environ[var]) / "awsenv"
    other_user.plant_dir(folder, 0o777)  # theirs now (signing in made it the user's)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    argv = [a.format(start_url=world.emu.start_url, region=world.emu.region) for a in args]
    r = world.cli(*argv, extra={"XDG_RUNTIME_DIR": ""})
    assert r.returncode != 0
    line = one_clear_line(r.stderr)
    assert str(folder) in line and "owned by another user" in line
    assert "internal error" not in line
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


# ---- a lock that is a planted symlink ----

def test_planted_lock_symlink_is_one_clear_line(world: World, tmp_path: Path) -> None:
    from awsenv.creds import cache

    victim = tmp_path / "victim"
    victim.write_bytes(b"keep me\n")
    lock = cache.lock_file(world.paths, "dev")
    lock.parent.mkdir(parents=True, exist_ok=True)
    if lock.exists() or lock.is_symlink():
        lock.unlink()
    lock.symlink_to(victim)
    r = world.cli("credential-process", "--profile", "dev")
    assert r.returncode != 0
    line = one_clear_line(r.stderr)
    assert "internal error" not in line
    assert str(lock) in line and "symbolic link" in line and "rm " in line
    assert victim.read_bytes() == b"keep me\n"
    lock.unlink()
    assert world.cli("credential-process", "--profile", "dev").returncode == 0


# ---- the directory rules themselves, on real directories ----

def test_directory_rules(tmp_path: Path, other_user: OtherUser) -> None:
    unsafe = locations.unsafe_dir
    base = tmp_path / "rules"
    base.mkdir(mode=0o700)
    # Under a sticky world-writable directory (/tmp): no one can rename what is ours.
    sticky = base / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / "mine").mkdir(mode=0o700)
    assert unsafe(str(sticky / "mine")) is None
    # ...but such a directory is no place for state itself.
    assert unsafe(str(sticky)) == (str(sticky), "is writable by other users")
    # Without the sticky bit anyone could swap "mine" for a directory of theirs.
    shared = base / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / "mine").mkdir(mode=0o700)
    assert unsafe(str(shared / "mine")) == (str(shared), "is writable by other users")
    # Group write: refused for a group others are in, fine for the user's private group.
    grouped = base / "grouped"
    grouped.mkdir(mode=0o700)
    grouped.chmod(0o770)
    os.chown(grouped, os.geteuid(), other_user.gid)
    assert unsafe(str(grouped)) == (str(grouped), "is writable by its group")
    import grp
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    own = grp.getgrgid(os.getegid())
    if own.gr_name == me and set(own.gr_mem) <= {me}:
        os.chown(grouped, os.geteuid(), os.getegid())
        assert unsafe(str(grouped)) is None  # umask 002 with user private groups
    # Another user's directory, directly or through a link of the user's.
    theirs = other_user.plant_dir(base / "theirs", 0o755)
    assert unsafe(str(theirs)) == (str(theirs), f"is owned by another user (uid {other_user.uid})")
    mine_link = base / "my-link"
    mine_link.symlink_to(theirs)
    assert unsafe(str(mine_link)) == (str(theirs),
                                      f"is owned by another user (uid {other_user.uid})")
    # A link of theirs on the way, even to a good directory of the user's.
    their_link = other_user.plant_symlink(base / "their-link", sticky)
    assert unsafe(str(their_link / "mine")) == (
        str(their_link), f"is a symlink owned by another user (uid {other_user.uid})")
    # A link of the user's to a good directory is followed and fine.
    good_link = base / "good-link"
    good_link.symlink_to(sticky / "mine")
    assert unsafe(str(good_link)) is None
    # Not there yet: nothing to distrust (creating it checks again).
    assert unsafe(str(sticky / "mine" / "not" / "yet")) is None
    # A file where a directory should be.
    (base / "file").write_text("")
    assert unsafe(str(base / "file" / "x")) == (str(base / "file"), "is not a directory")
    # XDG_RUNTIME_DIR: the spec's 0700, nothing less.
    runtime = base / "runtime"
    runtime.mkdir(mode=0o700)
    assert unsafe(str(runtime), private=True) is None
    runtime.chmod(0o755)
    assert unsafe(str(runtime), private=True) == (
        str(runtime), "can be entered by other users (the spec asks for 0700)")
    assert locations.runtime_refused({"XDG_RUNTIME_DIR": str(runtime)}) is not None
    runtime.chmod(0o700)
    assert locations.runtime_refused({"XDG_RUNTIME_DIR": str(runtime)}) is None
    assert locations.runtime_dir({"XDG_RUNTIME_DIR": str(runtime)}) == str(runtime / "awsenv")
