"""Secret hygiene over a whole session, every command with --debug.

configure, login, sync, list, status, use (profile and env mode), export,
exec, credential-process, logout: afterwards the refresh tokens and client
secrets the emulator ever issued appear in no file under the test home, the
XDG/runtime dirs and TMPDIR (the test keyring file stands in for the OS
keyring and is the one exception), and in no output. Role credentials appear
only in the 0600 role cache and where the user asked for them. Every file
awsenv created is 0600, every directory 0700. Logout leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from _hardkit import USER_PREFIX
from support.world import World

from awsenv.awsconfig import read
from awsenv.shells import records


def files_under(*roots: Path) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            out += [Path(dirpath) / f for f in files]
    return out


def containing(paths: list[Path], needles: set[str]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found = [n[:6] + "…" for n in needles if n.encode() in data]
        if found:
            hits[str(path)] = found
    return hits


def test_full_session_leaks_nothing(configured: World, tmp_path: Path) -> None:
    w = configured
    emu = w.emu
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(mode=0o700)
    root = w.home.parent  # home, run/ (XDG_RUNTIME_DIR) and the test keyring file
    w.config.write_text(USER_PREFIX)
    os.chmod(w.config, 0o640)  # the user's choice of mode, kept by every write
    extra = {"TMPDIR": str(tmpdir)}
    outputs: list[str] = []

    def run(*args: str, ok: bool = True, **kw: str) -> str:
        r = w.cli("--debug", *args, extra={**extra, **kw})
        outputs.extend([r.stdout, r.stderr])
        if ok:
            assert r.returncode == 0, (args, r.stderr[-2000:])
        return r.stdout

    run("configure", "--start-url", emu.start_url, "--sso-region", emu.region,
        "--session", "corp", "--region", "eu-west-1")
    run("login", "--session", "corp", "--use-device-code", "--no-browser")
    run("status")
    run("sync", "--session", "corp")
    run("list", "--session", "corp")
    env = w.env()
    profile = next(n for n, p in read.load(env).profiles.items() if p.role_name)
    run("credential-process", "--profile", profile)
    run("export", profile)
    run("export", "--format", "json", profile)
    run("exec", profile, "--", "env")
    run("use", "--emit", "--protocol", str(records.PROTOCOL), "--mode", "profile", profile)
    env_mode = w.cli("--debug", "use", "--emit", "--protocol", str(records.PROTOCOL),
                     "--mode", "env", profile, extra=extra)
    outputs.append(env_mode.stderr)
    assert env_mode.returncode == 0, env_mode.stderr
    # A refresh (rotation) with --debug too.
    w.session = read.load(env).session("corp")
    w.age_token(60)
    w.expire_role_cache(profile)
    run("credential-process", "--profile", profile)

    # What must never leak: every refresh token and client secret ever issued.
    with emu.state.lock:
        secrets = {t for t in emu.state.refresh_tokens} | {
            c.client_secret for c in emu.state.clients.values()}
        role_secrets = {c.secret_access_key for c in emu.state.credentials.values()} | {
            c.session_token for c in emu.state.credentials.values()}
    assert secrets and role_secrets
    stored = w.keyring_entries()
    assert any(s in v for v in stored.values() for s in secrets)  # they are in the "keyring"
    keyring_files = {w.keyring_file(), Path(str(w.keyring_file()) + ".lock")}
    everything = [p for p in files_under(root, tmpdir) if p not in keyring_files]
    assert containing(everything, secrets) == {}
    for text in outputs:
        assert not any(s in text for s in secrets)
    assert env_mode.stdout  # env mode hands the credentials to the shell (asked for)

    # Role credentials: only in the role cache (0600), nowhere else on disk.
    role_cache = {p for p in everything if p.parent == w.paths.credentials_dir
                  and p.suffix == ".json"}
    assert role_cache
    leaks = containing([p for p in everything if p not in role_cache], role_secrets)
    assert leaks == {}
    # --debug logs never carry them either (stdout of export/exec/credential-process may).
    debug_lines = "\n".join(o for o in outputs if "awsenv[debug]" in o)
    assert not any(s in debug_lines for s in role_secrets)

    # Modes: what awsenv created is private; the user's config keeps the user's mode.
    for path in files_under(root, tmpdir):
        if path in keyring_files:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path == w.config:
            assert mode == 0o640
        elif not path.is_symlink():
            assert mode == 0o600, (path, oct(mode))
    for base in (w.home, w.paths.runtime_dir):
        for dirpath, _dirs, _files in os.walk(base):
            d = Path(dirpath)
            if d == w.home:
                continue
            assert stat.S_IMODE(d.stat().st_mode) == 0o700, (d, oct(d.stat().st_mode))

    # Logout leaves nothing behind.
    run("logout", "--session", "corp")
    assert w.keyring_entries() == {}
    assert not list(w.paths.aws_sso_cache.glob("*.json"))
    assert not list(w.paths.credentials_dir.glob("*.json"))
    assert not list((w.paths.cache_dir / "registrations").glob("*.json"))
    after = [p for p in files_under(root, tmpdir) if p not in keyring_files]
    assert containing(after, secrets | role_secrets) == {}
    # status agrees: signed out (exit 3), still with nothing secret in its output.
    r = w.cli("--debug", "status", "--json", extra=extra)
    assert r.returncode == 3 and json.loads(r.stdout)
    assert not any(s in r.stdout + r.stderr for s in secrets | role_secrets)


@pytest.mark.keyring
def test_real_secret_service_session_leaves_no_secret_on_disk(world: World) -> None:
    """Against a real gnome-keyring: sign-in, a rotated refresh, logout. The secrets live
    in the Secret Service, never in a file awsenv wrote; logout removes the item."""
    from awsenv.auth import secrets as store

    assert store.load(world.session.key) is not None
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    world.age_token(60)
    world.expire_role_cache()
    r = world.cli("--debug", "credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    assert world.count("CreateToken:refresh_token") == 1
    with world.emu.state.lock:
        issued = set(world.emu.state.refresh_tokens) | {
            c.client_secret for c in world.emu.state.clients.values()}
    current = store.load(world.session.key)
    assert current is not None and current.refresh_token in issued  # the rotated one
    assert containing(files_under(world.home.parent), issued) == {}
    assert not any(s in r.stderr for s in issued)
    r = world.cli("logout", "--session", "corp")
    assert r.returncode == 0, r.stderr
    assert store.load(world.session.key) is None
    assert containing(files_under(world.home.parent), issued) == {}
