"""Issue #13: strings from a file name, the AWS config or the service never reach a
terminal or a file raw.

Hostile values for real: session names and start URLs with ESC[2J (clear the
screen), OSC 52 (write the clipboard), C1 CSI and a newline in a real config
file; a service (the emulator) answering a hostile ``verificationUri``; a
directory whose name carries escapes for ``allow``/``deny``. Every command's
stdout and stderr is checked for raw control bytes, and the config file for
what ``sync``/``configure`` would have written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from _hardkit import one_clear_line
from support.world import World, sign_in

from awsenv.awsconfig import read
from awsenv.emulator import Directory

# Every C0 control but TAB/LF, DEL and C1: what moves a terminal's cursor or runs OSC.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")

CLEAR = "\x1b[2J"
OSC52 = "\x1b]52;c;aGFja2Vk\x07"  # "hacked" into the clipboard
CSI = "\x9b31m"


def no_raw_controls(*texts: str) -> None:
    for text in texts:
        found = RAW_CONTROL.findall(text)
        assert not found, (found, text)


# -- configure refuses them ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--start-url", "https://corp.awsapps.com/start\nsso_region = evil-1"],
    ["--start-url", "https://corp.awsapps.com/start" + CLEAR],
    ["--start-url", "https://corp.awsapps.com/" + OSC52 + "start"],
    ["--start-url", "https://corp.awsapps.com/start" + CSI],
    ["--start-url", "https://corp.awsapps.com/start", "--session", "corp" + CLEAR],
    ["--start-url", "https://corp.awsapps.com/start", "--scopes", "sso:account:access" + OSC52],
], ids=["newline", "esc-2J", "osc52", "c1-csi", "session-name", "scopes"])
def test_configure_refuses_control_characters(configured: World, args: list[str]) -> None:
    before = configured.config.read_bytes()
    r = configured.cli("configure", "--sso-region", "us-east-1", *args)
    assert r.returncode == 4, r.stderr  # ExitCode.CONFIG, not "internal error"
    line = one_clear_line(r.stderr)
    assert "internal error" not in line
    no_raw_controls(r.stdout, r.stderr)
    assert configured.config.read_bytes() == before


def test_configure_still_takes_an_ordinary_url(configured: World) -> None:
    r = configured.cli("configure", "--sso-region", "us-east-1",
                       "--start-url", "https://other.awsapps.com/start")
    assert r.returncode == 0, r.stderr
    assert "[sso-session other]" in configured.config.read_text()


# -- a config that already holds them: login and sync refuse, logout shows them escaped ----

HOSTILE_SESSIONS = {
    "esc-2J": ("corp" + CLEAR, None),
    "osc52": ("corp" + OSC52, None),
    "c1-csi": ("corp" + CSI, None),
    # configparser joins continuation lines: a start URL holding a newline.
    "newline-url": ("corp", "\n  evil" + CLEAR),
}


@pytest.fixture(params=sorted(HOSTILE_SESSIONS))
def hostile_session(request: pytest.FixtureRequest, configured: World) -> tuple[World, str]:
    """The world's config with its only sso-session renamed (or its URL extended)."""
    return make_hostile(configured, *HOSTILE_SESSIONS[request.param])


def make_hostile(configured: World, name: str, url_tail: str | None) -> tuple[World, str]:
    text = configured.config.read_text()
    text = text.replace("[sso-session corp]", f"[sso-session {name}]")
    text = text.replace("awsenv_session = corp", f"awsenv_session = {name}")
    if url_tail:
        start = configured.session.start_url
        text = text.replace(f"sso_start_url = {start}\n", f"sso_start_url = {start}{url_tail}\n")
    configured.config.write_text(text)
    return configured, name


def test_login_refuses_a_hostile_session_in_the_config(hostile_session: tuple[World, str]
                                                      ) -> None:
    world, name = hostile_session
    for args in (["login", "--no-browser"], ["login", "--no-browser", "--session", name]):
        r = world.cli(*args)
        assert r.returncode == 4, r.stderr
        line = one_clear_line(r.stderr)
        assert "control characters" in line
        no_raw_controls(r.stdout, r.stderr)
    assert world.count("StartDeviceAuthorization") == 0
    assert world.stored_secrets() is None


def test_sync_refuses_a_hostile_session_and_writes_nothing(hostile_session: tuple[World, str]
                                                          ) -> None:
    world, name = hostile_session
    before = world.config.read_bytes()
    for args in (["sync"], ["sync", "--session", name], ["sync", "--dry-run"]):
        r = world.cli(*args)
        assert r.returncode == 4, r.stderr
        one_clear_line(r.stderr)
        no_raw_controls(r.stdout, r.stderr)
    assert world.config.read_bytes() == before
    assert world.count("ListAccounts") == 0


def test_logout_and_status_show_a_hostile_session_escaped(hostile_session: tuple[World, str]
                                                         ) -> None:
    world, _ = hostile_session
    for args in (["logout"], ["logout", "--all"], ["status"], ["status", "--json"],
                 ["list"], ["doctor"]):
        r = world.cli(*args)
        assert "Traceback" not in r.stderr, (args, r.stderr)
        no_raw_controls(r.stdout, r.stderr)


def test_sync_summary_and_diff_escape_config_names(world: World) -> None:
    """Profile names from the user's own config reach sync's summary and diff
    (stale, skipped, renamed): escaped. A clean session syncs as before."""
    with world.config.open("a") as fh:
        fh.write("\n[profile mine" + CLEAR + "]\nregion = eu-west-1" + OSC52 + "\n")
    r = world.cli("sync", "--dry-run")  # the diff is printed with --dry-run / --diff
    assert r.returncode == 0, r.stderr
    assert "@@" in r.stdout, r.stdout  # the diff really is there to be checked
    no_raw_controls(r.stdout, r.stderr)
    r = world.cli("sync")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout, r.stderr)
    assert "awsenv_session = corp" in world.config.read_text()


# -- the service's verificationUri ------------------------------------------------------------

HOSTILE_URIS = [
    "https://device.example/" + CLEAR + OSC52,
    "https://device.example/" + CSI + "\x07",
    "https://device.example/\r\nawsenv: fake line",
]


@pytest.mark.parametrize("uri", HOSTILE_URIS, ids=["esc-osc", "c1-bel", "crlf"])
def test_device_prompt_escapes_a_hostile_verification_uri(configured: World, uri: str) -> None:
    configured.emu.configure(verification_uri=uri)
    r = configured.cli("login", "--no-browser")
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout, r.stderr)
    assert "device.example/" in r.stderr
    # A CR/LF in the answer cannot start a line of its own.
    assert not any(ln.startswith("awsenv: fake") for ln in r.stderr.splitlines())
    assert not configured.browser_ran


@pytest.mark.parametrize("uri", [*HOSTILE_URIS, "javascript:alert(1)", "file:///etc/passwd"],
                         ids=["esc-osc", "c1-bel", "crlf", "javascript", "file"])
def test_a_hostile_verification_link_is_never_opened(configured: World, uri: str) -> None:
    """--use-device-code with a browser here opens only an http(s) link that
    prints as it is."""
    configured.emu.configure(verification_uri=uri)
    r = configured.cli("login", "--use-device-code", extra={"CI": "", "SSH_CONNECTION": "",
                                                            "SSH_TTY": "", "SSH_CLIENT": ""})
    assert r.returncode == 0, r.stderr
    no_raw_controls(r.stdout, r.stderr)
    assert not configured.browser_ran


# -- allow / deny: the directory's name --------------------------------------------------------

def test_allow_and_deny_print_a_hostile_directory_name_escaped(world: World,
                                                               tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o700)
    proj = tmp_path / ("proj" + CLEAR + OSC52 + CSI + "\nnext")
    proj.mkdir()
    (proj / ".awsenv").write_text("profile = dev\n")
    for command in ("allow", "deny"):
        r = world.cli(command, str(proj))
        assert r.returncode == 0, r.stderr
        no_raw_controls(r.stdout, r.stderr)
        assert "proj\\x1b[2J" in r.stderr
        assert "\nnext" not in r.stderr  # the newline is shown, not obeyed
    missing = tmp_path / ("empty" + CLEAR)
    missing.mkdir()
    r = world.cli("allow", str(missing))
    assert r.returncode != 0
    one_clear_line(r.stderr)
    no_raw_controls(r.stdout, r.stderr)


@pytest.mark.parametrize("key", ["esc-2J", "osc52", "c1-csi"])
def test_list_with_no_accounts_escapes_a_hostile_session(configured: World, key: str) -> None:
    """`list`'s "can reach no accounts" line names the session. Signed in through
    the core (as a token from `aws sso login` would be), so login's refusal
    does not stand in the way."""
    world, name = make_hostile(configured, *HOSTILE_SESSIONS[key])
    sign_in(read.load(world.env()).session(name))
    world.emu.directory = Directory([])
    r = world.cli("list", "--refresh")
    assert r.returncode == 0, r.stderr
    assert "can reach no accounts" in r.stderr
    no_raw_controls(r.stdout, r.stderr)
