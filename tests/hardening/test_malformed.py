"""Malformed input from every side: the AWS config, awsenv's own cache files, the service.

Each ends in one clear line with a documented exit code (never "internal
error", never a traceback), and where the session is still good the next
call works without the user doing anything.
"""

from __future__ import annotations

import json
import os

import pytest
from _hardkit import one_clear_line
from support.world import World

from awsenv.errors import ExitCode
from awsenv.shells import records

BROKEN_CONFIGS = {
    "unterminated-header": b"[profile dev\nregion = eu-west-1\n",
    "option-before-section": b"region = eu-west-1\n[profile dev]\n",
    "binary": b"\x00\xff\xfe[\x00profile\n\x80\x81",
    "duplicate-section": b"[profile dev]\nregion = a\n[profile dev]\nregion = b\n",
    "duplicate-option": b"[profile dev]\nregion = a\nregion = b\n",
    "invalid-utf8": b"[profile d\xe9v]\nregion = eu-west-1\n",
}


@pytest.mark.parametrize("case", sorted(BROKEN_CONFIGS))
def test_malformed_config_is_one_line_everywhere(world: World, case: str) -> None:
    good = world.config.read_bytes()
    world.config.write_bytes(BROKEN_CONFIGS[case] + b"\n" + good)
    for args in (["credential-process", "--profile", "dev"], ["sync", "--session", "corp"]):
        r = world.cli(*args)
        if r.returncode:
            assert r.returncode not in (ExitCode.ERROR,), (args, r.stderr)
            one_clear_line(r.stderr)
        assert "internal error" not in r.stderr
    # The prompt hook never fails the prompt on a broken config.
    proj = world.tmp / "proj"
    proj.mkdir(exist_ok=True)
    os.chmod(world.tmp, 0o700)
    (proj / ".awsenv").write_text("dev\n")
    env = world.environ({"_AWSENV_FOUND": str(proj / ".awsenv"), "_AWSENV_PID": "1"})
    import subprocess

    from support.world import AWSENV

    hook = subprocess.run([*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"],
                          env=env, capture_output=True, timeout=60, check=False)
    assert hook.returncode == 0, hook.stderr
    assert b"Traceback" not in hook.stderr
    if case != "binary":
        assert world.config.read_bytes().endswith(good)  # nothing rewrote the user's file


TOKEN_FILES = {
    "epoch-int-expiry": lambda d: {**d, "expiresAt": 1_900_000_000},
    "missing-token": lambda d: {k: v for k, v in d.items() if k != "accessToken"},
    "missing-expiry": lambda d: {k: v for k, v in d.items() if k != "expiresAt"},
    "token-is-int": lambda d: {**d, "accessToken": 12345},
    "start-url-is-list": lambda d: {**d, "startUrl": ["x"]},
    "expiry-garbage": lambda d: {**d, "expiresAt": "tomorrow-ish"},
    "a-list": lambda d: [d],
    "null": lambda d: None,
    "nested-garbage": lambda d: {**d, "expiresAt": {"$date": 1}},
}


def test_token_cache_with_wrong_types(world: World) -> None:
    """A damaged AWS CLI cache file is no token: refreshed from the keyring, no crash."""
    good = world.token_json()
    for case, damage in TOKEN_FILES.items():
        world.token_file().write_text(json.dumps(damage(dict(good))))
        world.expire_role_cache() if world.role_cache().exists() else None
        r = world.cli("credential-process", "--profile", "dev")
        assert r.returncode == 0, (case, r.stderr)
        assert json.loads(r.stdout)["AccessKeyId"]
        good = world.token_json()  # the refresh wrote a sound file again
    world.token_file().write_text("[]")
    r = world.cli("status")
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr


ROLE_DAMAGE = [b"", b"{", b"[]", b"\xff\x00", b'{"v": 1, "credentials": []}',
               b'{"v": 1, "credentials": {"profile": "dev", "expiration": "soon"}}']


def test_role_cache_and_registration_with_wrong_types(world: World) -> None:
    assert world.cli("credential-process", "--profile", "dev").returncode == 0
    for content in ROLE_DAMAGE:
        world.role_cache().write_bytes(content)
        r = world.cli("credential-process", "--profile", "dev")
        assert r.returncode == 0, (content, r.stderr)
    for reg in (world.paths.cache_dir / "registrations").glob("*.json"):
        reg.write_bytes(b'{"clientId": 5, "clientSecretExpiresAt": "x"}')
    world.age_token(-60)
    world.expire_role_cache()
    r = world.cli("credential-process", "--profile", "dev")
    # Without a readable registration the refresh cannot happen: sign in again, said once.
    assert r.returncode in (0, ExitCode.NOT_SIGNED_IN), r.stderr
    if r.returncode:
        assert "awsenv login" in one_clear_line(r.stderr)


SERVICE_OPS = ["GetRoleCredentials", "GetRoleCredentials:missing", "CreateToken",
               "CreateToken:missing", "ListAccounts", "ListAccounts:missing",
               "ListAccountRoles", "ListAccountRoles:missing"]


@pytest.mark.parametrize("bad", SERVICE_OPS)
def test_malformed_service_answers(world: World, bad: str) -> None:
    world.cli("credential-process", "--profile", "dev")
    world.expire_role_cache()
    if bad.startswith("CreateToken"):
        world.age_token(-60)
        # With rotation the server has already replaced the refresh token when its answer
        # is garbled: that is a lost rotation ("sign in again", test_crash). Without it,
        # the session must survive the garbled answer.
        world.emu.configure(refresh_rotation=False)
    before = world.token_file().read_bytes()
    args = ["sync", "--session", "corp"] if bad.startswith("List") else \
        ["credential-process", "--profile", "dev"]
    if bad.startswith("List"):
        assert world.cli("sync", "--session", "corp").returncode == 0
        args.append("--prune")
    world.emu.configure(malformed=bad)
    config_before = world.config.read_bytes()
    r = world.cli(*args, extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode not in (0, ExitCode.ERROR), (r.returncode, r.stderr)
    line = one_clear_line(r.stderr)
    assert "internal error" not in line
    assert world.token_file().read_bytes() == before  # a garbled answer destroys nothing
    assert world.config.read_bytes() == config_before  # --prune deleted no profile
    world.emu.configure(malformed="")
    r = world.cli(*args)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("bad", ["RegisterClient", "StartDeviceAuthorization:missing",
                                 "CreateToken:missing"])
def test_malformed_answers_during_login(configured: World, bad: str) -> None:
    configured.emu.configure(malformed=bad)
    r = configured.cli("login", "--session", "corp", "--use-device-code", "--no-browser",
                       extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode not in (0, ExitCode.ERROR), (r.returncode, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("awsenv: ")
    assert configured.keyring_entries() == {} or bad.startswith("CreateToken")
    configured.emu.configure(malformed="")
    configured.login()
