"""`awsenv use` in profile mode answered from the profile-facts index (issues #15, #19).

The warm answer (awsenv.shells.fastprofile) must be the full path's answer
byte for byte, must load only the env-mode fast path's modules plus the index
reader, and must step aside whenever it cannot be sure: a stale index, a
chain, a token missing or due for renewal, a tree in play, a settings file it
cannot read plainly.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _shellkit import SSO_CONFIG, signed_in
from support.loaded import run as loaded_by
from support.world import write_config

from awsenv.environment import Environment
from awsenv.shells import fastprofile, hook, profileindex, records

LEAN = {"awsenv", "awsenv.cli", "awsenv.cli.fastpath", "awsenv.shells", "awsenv.shells.fastuse",
        "awsenv.shells.answer",
        "awsenv.shells.records", "awsenv.shells.state", "awsenv.shells.refs", "awsenv.creds",
        "awsenv.creds.record", "awsenv.fastjson", "awsenv.digest", "awsenv.locations",
        "awsenv.textsafe", "awsenv.shells.fastprofile", "awsenv.shells.profileindex",
        "awsenv.fastsettings"}
SLOW = {"pathlib", "dataclasses", "enum", "re", "json", "typing", "inspect", "click", "boto3",
        "botocore", "keyring", "jinja2", "contextlib", "collections", "functools"}


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = write_config(SSO_CONFIG)
    signed_in(8 * 3600)
    return path


def probe(args: list[str], extra: dict[str, str]) -> tuple[list[tuple[str, ...]], set[str], int]:
    out, loaded, rc = loaded_by(args, {**os.environ, **extra})
    return records.parse(out), loaded, rc


def answer(environ: dict[str, str], profile: str, region: str | None = None) -> bytes | None:
    return fastprofile.warm_profile_answer(environ, profile, region)


def full(environ: dict[str, str], profile: str, region: str | None = None) -> bytes:
    return hook.use(Environment(environ=environ), profile, mode="profile",
                    region=region).finish(0)


def shell() -> dict[str, str]:
    environ = {**os.environ, "_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        environ.pop(name, None)
    return environ


def test_warm_profile_use_loads_only_the_lean_modules(config: Path) -> None:
    args = ["use", "--emit", "--protocol", "1", "dev"]  # no --mode: the settings' default
    got, loaded, rc = probe(args, {"_AWSENV_FOUND": "", "_AWSENV_PID": "4242"})
    assert rc == 0 and ("set", "AWS_PROFILE", "dev") in got
    assert "awsenv.shells.hook" in loaded  # no index yet: the full path, which writes it
    got, loaded, rc = probe(args, {"_AWSENV_FOUND": "", "_AWSENV_PID": "4242"})
    assert rc == 0
    assert ("set", "AWS_PROFILE", "dev") in got
    assert ("msg", "awsenv: dev (111111111111/Developer, eu-west-1)") in got
    awsenv = {m for m in loaded if m.split(".")[0] == "awsenv"}
    assert awsenv <= LEAN, sorted(awsenv - LEAN)
    assert not loaded & SLOW, sorted(loaded & SLOW)


@pytest.mark.parametrize("case", ["fresh", "replace-use", "region", "prod", "quoted",
                                  "no-session", "hand-edited"])
def test_fast_and_full_answers_agree(config: Path, case: str) -> None:
    profileindex.build(*profileindex.location(os.environ))
    environ = shell()
    profile, region = {"prod": ("prod-admin", None), "quoted": ("quoted name", None),
                       "no-session": ("plain", None), "region": ("dev", "sa-east-1")
                       }.get(case, ("dev", None))
    if case in ("replace-use", "hand-edited"):
        first = full(environ, "prod-admin")
        for rec in records.parse(first):
            if rec[0] == "set":
                environ[rec[1]] = rec[2]
            elif rec[0] == "state":
                environ["_AWSENV_STATE"] = rec[1]
        if case == "hand-edited":
            environ["AWS_REGION"] = "ap-south-1"
    fast = answer(environ, profile, region)
    assert fast is not None
    assert fast == full(environ, profile, region)
    if case == "prod":
        assert b"prod-admin [PROD] (" in fast


def test_steps_aside_when_it_cannot_be_sure(config: Path) -> None:
    environ = shell()
    assert answer(environ, "dev") is None  # no index yet
    profileindex.build(*profileindex.location(os.environ))
    assert answer(environ, "dev") is not None
    assert answer(environ, "hop") is None  # a chain: the full path says its notes
    assert answer(environ, "nosuch") is None  # the full path looks it up or suggests
    assert answer(environ, "dev+arn:aws:iam::444444444444:role/x") is None
    signed_in(10 * 60)  # inside the renewal window: the keyring is needed
    assert answer(environ, "dev") is None
    assert answer(environ, "plain") is not None  # no session, no token to renew
    signed_in(8 * 3600).unlink()  # signed out
    assert answer(environ, "dev") is None
    signed_in(8 * 3600)
    with config.open("a") as fh:
        fh.write("\n[profile extra]\nregion = eu-north-1\n")
    assert answer(environ, "dev") is None  # the edit voids the index


def test_the_default_mode_comes_from_the_settings(config: Path, tmp_path: Path) -> None:
    settings = Path(os.environ["XDG_CONFIG_HOME"]) / "awsenv" / "settings.json"
    assert fastprofile.default_mode(os.environ) == "profile"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"version": 1, "shell_mode": "env"}\n')
    settings.chmod(0o600)
    assert fastprofile.default_mode(os.environ) == "env"
    settings.write_text('{"shell_mode": "other"}')
    assert fastprofile.default_mode(os.environ) is None  # the full path says what is wrong
    target = tmp_path / "elsewhere.json"
    target.write_text('{"shell_mode": "profile"}')
    settings.unlink()
    settings.symlink_to(target)  # a dotfile manager's link: settings.load decides
    assert fastprofile.default_mode(os.environ) is None


def test_a_tree_in_play_takes_the_full_path(config: Path) -> None:
    profileindex.build(*profileindex.location(os.environ))
    got, loaded, rc = probe(["use", "--emit", "--protocol", "1", "--mode", "profile", "dev"],
                            {"_AWSENV_FOUND": "/somewhere/.awsenv"})
    assert rc == 0 and ("set", "AWS_PROFILE", "dev") in got
    assert "awsenv.shells.hook" in loaded
