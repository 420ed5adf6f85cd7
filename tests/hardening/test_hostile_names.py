"""Hostile names from the service and from the AWS config reach no terminal or shell raw.

Account and role names come from the service (emulator ``Directory.hostile()``
plus terminal control sequences); profile names and region strings come from
the user's AWS config, which may have been pasted from anywhere. Every output
either carries them quoted (and a real shell reads back exactly the value) or
refuses with one line; `list` tables and completions never pass a raw control
character to the terminal; a canary file proves nothing was executed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _hardkit import one_clear_line
from support.world import AWSENV, World

from awsenv.awsconfig import read
from awsenv.emulator.directory import Account, Directory

# C0 controls but \n and \t, DEL and C1 controls (\x9b is a one-byte CSI on some terminals).
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
TERMINAL_NAMES = (
    "esc\x1b[2J\x1b]0;pwned\x07clear",
    "c1\x9b31mcsi",
    "cr\rover",
    "bell\x07del\x7f",
)


def hostile_directory() -> Directory:
    base = Directory.hostile()
    extra = [Account(f"9999999999{i:02d}", name, f"t{i}@example.com",
                     ("AdministratorAccess", "Role\x1b[31mRed"))
             for i, name in enumerate(TERMINAL_NAMES)]
    return Directory([*base.accounts, *extra])


@pytest.fixture
def hostile(isolated_home: Path, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from awsenv.emulator import Emulator

    with Emulator(directory=hostile_directory(), auto_approve=True, device_interval=0) as emu:
        for name, value in emu.env().items():
            monkeypatch.setenv(name, value)
        config = Path(os.environ["AWS_CONFIG_FILE"])
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(textwrap.dedent(f"""\
            [sso-session corp]
            sso_start_url = {emu.start_url}
            sso_region = {emu.region}
            sso_registration_scopes = sso:account:access
            """))
        from awsenv.environment import Environment

        session = read.load(Environment.from_os()).session("corp")
        w = World(emu, isolated_home, tmp_path, session)
        w.login()
        yield w


def no_raw_controls(text: str) -> None:
    bad = RAW_CONTROL.findall(text)
    assert not bad, (bad, text[:2000])


def test_list_tables_and_json_with_hostile_service_names(hostile: World) -> None:
    r = hostile.cli("list", "--session", "corp")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout + r.stderr)
    # One row per role: a newline inside a name must not start a fake row.
    rows = [ln for ln in r.stdout.splitlines() if re.search(r"\b\d{12}\b", ln)]
    roles = sum(len(a.roles) for a in hostile.emu.directory.accounts)
    assert len(rows) == roles, r.stdout
    r = hostile.cli("list", "--session", "corp", "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    names = {row["account_name"] for row in listed}
    assert set(TERMINAL_NAMES) <= names  # data keeps the exact value; JSON escapes it


def test_sync_block_completions_and_exports_with_hostile_service_names(
        hostile: World, tmp_path: Path) -> None:
    r = hostile.cli("sync", "--session", "corp")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout + r.stderr)
    import botocore.configloader

    parsed = botocore.configloader.raw_config_parse(str(hostile.config))
    generated = [n for n in read.load(hostile.env()).profiles]
    assert len(generated) >= len(hostile.emu.directory.accounts)
    for name in generated:
        assert not RAW_CONTROL.search(name) and "\n" not in name
        assert re.fullmatch(r"[A-Za-z0-9_.@+:=-]+", name), name
        assert f"profile {name}" in parsed
    r = hostile.cli("complete", "profiles")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout)
    assert set(r.stdout.split()) >= set(generated)
    # Credentials for a hostile account's profile, through a real bash.
    target = next(n for n in generated if "pwned" in n or "touch" in n.lower())
    r = hostile.cli("export", target)
    assert r.returncode == 0, r.stderr
    out = subprocess.run(["bash", "-c", r.stdout + '\nprintf %s "$AWS_ACCESS_KEY_ID"'],
                         capture_output=True, text=True, timeout=60, check=False,
                         cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("ASIA"), out
    # The hostile account name touches $HOME/awsenv-pwned: this test's own HOME.
    assert not (hostile.home / "awsenv-pwned").exists()


# No whitespace: botocore (and so awsenv) ignores `[profile a b]` sections entirely.
HOSTILE_PROFILES = ["a$(touch${IFS}CANARY)b", "a`touch${IFS}CANARY`b", "a'b\"c",
                    "a;touch${IFS}CANARY", "a$HOME", "a\\b", "-x", "a|b&c>d", "ü-名前"]
HOSTILE_REGIONS = ["eu-west-1$(touch CANARY)", "eu-west-1'; touch CANARY; '",
                   "eu-west-1\x1b[2J", "eu-west-1`touch CANARY`"]


@pytest.fixture
def config_names(world: World) -> dict[str, str]:
    """Profiles with hostile names and region strings in the user's own config."""
    cp = " ".join([*AWSENV, "credential-process"])
    extra = ""
    profiles: dict[str, str] = {}
    for i, name in enumerate(HOSTILE_PROFILES):
        region = HOSTILE_REGIONS[(i // 2) % len(HOSTILE_REGIONS)] if i % 2 else "eu-west-1"
        profiles[name] = region
        extra += (f"\n[profile {name}]\ncredential_process = {cp} --profile dev\n"
                  f"awsenv_session = corp\nawsenv_account_id = 111111111111\n"
                  f"awsenv_role_name = AdministratorAccess\nregion = {region}\n")
    with world.config.open("a") as fh:
        fh.write(extra)
    return profiles


FORMATS = ["env", "env-no-export", "fish", "powershell", "windows-cmd", "dotenv", "json"]


def read_back(fmt: str, script: str, cwd: Path) -> dict[str, Any] | None:
    """Apply an export in the program it is for; the variables it set (None: not runnable)."""
    names = ["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_DEFAULT_REGION"]
    if fmt in ("env", "env-no-export"):
        show = "".join(f'printf "%s\\0" "${n}"; ' for n in names)
        out = subprocess.run(["bash", "-c", script + "\n" + show], capture_output=True,
                             timeout=60, check=True, cwd=cwd)
    elif fmt == "fish":
        show = "".join(f'printf "%s\\0" "${n}"; ' for n in names)
        out = subprocess.run(["fish", "-c", script + "\n" + show], capture_output=True,
                             timeout=60, check=True, cwd=cwd)
    elif fmt == "json":
        data = json.loads(script)
        return {k: data.get(k) for k in names} if isinstance(data, dict) else {"json": data}
    elif fmt == "dotenv":
        import io

        from dotenv import dotenv_values

        values = dotenv_values(stream=io.StringIO(script))
        return {k: values.get(k) for k in names}
    else:
        return None
    vals = out.stdout.split(b"\0")
    return {n: vals[i].decode() for i, n in enumerate(names)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_quotes_or_refuses_hostile_config_values(world: World, config_names: dict,
                                                        fmt: str, tmp_path: Path) -> None:
    # Half the names per format keeps the suite lean; every name meets bash/fish/dotenv.
    picked = list(config_names.items())[FORMATS.index(fmt) % 2::2]
    for name, region in picked:
        r = world.cli("export", "--format", fmt, "--", name)
        if r.returncode != 0:
            one_clear_line(r.stderr)  # a refusal is one line, never a traceback
            continue
        no_raw_controls(r.stdout.replace("\r\n", "\n"))
        values = read_back(fmt, r.stdout, tmp_path)
        if values is not None and "json" not in values:
            assert values["AWS_ACCESS_KEY_ID"], (name, r.stdout)
            # The region arrives exactly as written, or not at all (refused/omitted).
            assert values["AWS_REGION"] in (region, None, ""), (name, values)
    assert not list(tmp_path.rglob("CANARY")) and not list(world.home.rglob("CANARY"))


@pytest.mark.shells
def test_use_records_and_prompt_with_hostile_config_names(world: World, config_names: dict,
                                                          tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shell"))
    from _interactive import Shell

    sh = Shell("bash", world.home, tmp_path)
    applied = 0
    try:
        for name, region in config_names.items():
            quoted = "'" + name.replace("'", "'\\''") + "'"
            out = sh.run(f"awsenv use {quoted}")
            assert "Traceback" not in out
            if sh.status == 0:
                assert sh.var("AWS_PROFILE") == name
                assert sh.var("AWS_REGION") in (region, None)
                applied += 1
            no_raw_controls(out.replace("\r\n", "\n").replace("\r", "\n"))
        out = sh.run("awsenv_prompt 2>/dev/null; echo; echo alive")
        assert "alive" in out
    finally:
        sh.close()
    assert applied >= len(config_names) // 2  # most were usable, quoted, not refused
    assert not list(tmp_path.rglob("CANARY")) and not list(world.home.rglob("CANARY"))


def test_allow_and_use_messages_show_no_raw_controls(world: World, tmp_path: Path) -> None:
    """`awsenv allow` and the hook's messages print account/region from the config."""
    with world.config.open("a") as fh:
        fh.write("\n[profile evil]\nregion = eu-west-1\x1b[2J\x07\n"
                 "awsenv_session = corp\nawsenv_account_id = 1\x1b]0;title\x07\n"
                 "awsenv_role_name = Ro\x9b31mle\n")
    proj = tmp_path / "proj"
    proj.mkdir()
    os.chmod(tmp_path, 0o700)
    (proj / ".awsenv").write_text("profile = evil\n")
    r = world.cli("allow", str(proj))
    no_raw_controls(r.stdout + r.stderr)
    assert "evil" in r.stderr
    from awsenv.shells import records

    r = world.cli("use", "--emit", "--protocol", str(records.PROTOCOL), "evil")
    msgs = [rec[1] for rec in records.parse(r.stdout.encode()) if rec[0] == "msg"]
    assert msgs and all(not RAW_CONTROL.search(m) for m in msgs), msgs
    no_raw_controls(r.stderr)


def test_list_and_completions_with_hostile_config_names(world: World,
                                                        config_names: dict) -> None:
    with world.config.open("a") as fh:
        fh.write("\n[profile esc\x1b[2Jx]\nregion = eu-west-1\n")
    r = world.cli("list", "--session", "corp")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout + r.stderr)
    r = world.cli("complete", "profiles")
    assert r.returncode == 0
    no_raw_controls(r.stdout)


def test_status_table_shows_no_raw_controls(world: World) -> None:
    with world.config.open("a") as fh:
        fh.write("\n[sso-session ev\x1b[2Jil]\nsso_start_url = https://x.awsapps.com/start"
                 "\x1b]0;title\x07\nsso_region = us-east-1\n")
    r = world.cli("status")
    assert r.returncode == 3  # the new session is not signed in
    assert "ev\\x1b[2Jil" in r.stdout
    no_raw_controls(r.stdout + r.stderr)
