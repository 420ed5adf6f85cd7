"""Issue #13: no bearer URL in any process's argv (console, PKCE and device-code sign-in).

Every local user reads every process's argv (``/proc/PID/cmdline``). The stand-in
browser here is an executable that, like ``xdg-open``, starts a child with the
URL it was given; the child snapshots the argv of every process on the machine
(so the browser, its parent awsenv and itself), lets a real second local user
try the very URL it got (as an attacker who read it from ``ps`` would), then
follows it the way a browser does and tries it a second time. The secrets are
then looked up in the emulator (the SigninToken it issued, the PKCE state and
code challenge it was asked for) and must appear in no argv snapshot.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from _browserkit import (
    DEVICE_APPROVE,
    FOLLOW,
    NO_FLOW_HINTS,
    PKCE_STEPS,
    all_argv_text,
    attack_argv,
    install_browser,
    read_report,
)
from _hardkit import BOUND
from support.world import World


def signin_tokens(world: World) -> list[str]:
    state = world.emu.state
    with state.lock:
        return list(state.signin_tokens)


def test_console_signin_url_is_in_no_argv(world: World, other_user: Any) -> None:
    browser, report_file = install_browser(world, FOLLOW)
    result = world.cli("console", "dev",
                       extra={"BROWSER": browser,
                              "ATTACK_ARGV": json.dumps(attack_argv(other_user))})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    report = read_report(report_file)
    tokens = signin_tokens(world)
    assert len(tokens) == 1
    token = tokens[0]
    # The browser's argv and every process's argv on the machine while it ran.
    text = all_argv_text(report)
    assert token not in text
    assert urllib.parse.quote(token, safe="") not in text
    assert "SigninToken" not in text
    # What the browser got is a loopback link; following it signs in, once.
    assert report["argv"][-1].startswith("http://127.0.0.1:")
    assert report["status"] == 200, report
    assert "Signed in as role" in report["page"]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(report["final"]).query)[
        "SigninToken"] == [token]
    assert report["again"] in (404, "refused")  # the link is single-use
    assert report["attack"] == "403"  # another user with the very URL: refused
    counters = world.emu.counters()
    assert counters.get("FederationLogin") == 1
    assert counters.get("GetSigninToken") == 1


def test_console_print_still_prints_the_url(world: World) -> None:
    result = world.cli("console", "dev", "--print")
    assert result.returncode == 0, result.stderr
    assert signin_tokens(world)[0] in result.stdout
    assert not world.browser_ran


def test_console_browser_that_fails_is_one_line(world: World) -> None:
    result = world.cli("console", "dev", extra={"BROWSER": "false"})
    assert result.returncode == 1, result.stderr
    assert "could not open a browser" in result.stderr and "--print" in result.stderr
    assert "SigninToken" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_browser_that_never_fetches_times_out(world: World) -> None:
    result = world.cli("console", "dev",
                       extra={"BROWSER": "true", "AWSENV_LOGIN_TIMEOUT": "1"})
    assert result.returncode == 7, result.stderr
    assert "did not open the sign-in link" in result.stderr
    assert "SigninToken" not in result.stdout + result.stderr


def test_pkce_authorize_url_is_in_no_argv(configured: World) -> None:
    """The authorize URL's state and code challenge (and the loopback port's
    callback) reach the browser through the hand-off, not its argv."""
    browser, report_file = install_browser(configured, PKCE_STEPS)
    result = configured.cli("login", extra={"BROWSER": browser, **NO_FLOW_HINTS})
    assert result.returncode == 0, result.stderr
    report = read_report(report_file)
    text = all_argv_text(report)
    assert report["state"] not in text
    assert report["challenge"] not in text
    assert "/authorize" not in text and "code_challenge" not in text
    assert report["handoff"] == 303 and report["status"] == 200
    assert configured.count("CreateToken:authorization_code") == 1


def test_device_link_with_the_user_code_is_in_no_argv(configured: World,
                                                      other_user: Any) -> None:
    """--use-device-code with a browser here: the link carrying the user code goes
    through the hand-off; the other user cannot take it; the browser approves."""
    configured.emu.configure(auto_approve=False)
    browser, report_file = install_browser(configured, DEVICE_APPROVE)
    result = configured.cli("login", "--use-device-code",
                            extra={"BROWSER": browser, **NO_FLOW_HINTS,
                                   "ATTACK_ARGV": json.dumps(attack_argv(other_user))})
    assert result.returncode == 0, result.stderr
    report = read_report(report_file)
    assert report["user_code"] not in all_argv_text(report)
    assert report["attack"] == "403"
    assert report["status"] == 200 and report["approved"] == 200
    assert configured.count("CreateToken:device_code") >= 1


def test_loopback_refuses_another_users_connection(other_user: Any) -> None:
    """The listener itself: a foreign uid's request, with the right path, consumes
    nothing; this user's request then gets the redirect."""
    import subprocess
    import urllib.error
    import urllib.request

    from awsenv.auth.loopback import LoopbackServer

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with LoopbackServer() as relay:
        local = relay.handoff("https://example.invalid/secret?x=1")
        foreign = subprocess.run([*attack_argv(other_user), local], capture_output=True,
                                 text=True, timeout=60, check=False)
        assert foreign.stdout.strip() == "403", foreign
        assert relay.refused == 1 and not relay.fetched.is_set()
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as mine:
            opener.open(local, timeout=10)
        assert mine.value.code == 303
        assert mine.value.headers["Location"] == "https://example.invalid/secret?x=1"
        assert relay.fetched.wait(BOUND)  # set once the redirect was written


def test_socket_owner_reads_the_kernel_table(tmp_path: Path) -> None:
    """/proc/net/tcp's native-endian words, IPv6 (v4-mapped) too; a missing
    socket is not "ours"; no table at all is "cannot tell"."""
    from awsenv.auth.loopback import socket_owner

    def word(ip: bytes) -> str:
        return "".join(f"{int.from_bytes(ip[i:i + 4], sys.byteorder):08X}"
                       for i in range(0, len(ip), 4))

    v4 = tmp_path / "tcp"
    v4.write_text("  sl  local_address rem_address   st ... uid\n"
                  f"   0: {word(bytes([127, 0, 0, 1]))}:D431 {word(bytes([127, 0, 0, 1]))}:1F90"
                  " 01 00000000:00000000 00:00000000 00000000  1234 0 99 1\n")
    v6 = tmp_path / "tcp6"
    mapped = bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1])
    v6.write_text("header\n"
                  f"   0: {word(mapped)}:D432 {word(mapped)}:1F90"
                  " 01 00000000:00000000 00:00000000 00000000  4321 0 98 1\n")
    tables = (str(v4), str(v6))
    assert socket_owner(("127.0.0.1", 0xD431), ("127.0.0.1", 8080), tables) == 1234
    assert socket_owner(("127.0.0.1", 0xD432), ("127.0.0.1", 8080), tables) == 4321
    with pytest.raises(LookupError):
        socket_owner(("127.0.0.1", 1), ("127.0.0.1", 8080), tables)
    assert socket_owner(("127.0.0.1", 1), ("127.0.0.1", 8080),
                        (str(tmp_path / "absent"),)) is None
