"""Issue #13: the PKCE loopback callback takes only the answer to its own sign-in.

One stray request on the callback path (a wrong ``state``, none at all, a
forged denial) used to abort the sign-in; now each gets a bare 400 and the
listener keeps waiting for the real approval. Another local user who learnt the
state and port (they used to be in the browser's argv) and delivers a code of
its own choosing with the right state is refused before the state is even
looked at: the listener only answers this user's connections.
"""

from __future__ import annotations

import json
from typing import Any

from _browserkit import NO_FLOW_HINTS, PKCE_STEPS, attack_argv, install_browser, read_report
from support.world import World


def test_stray_callbacks_are_ignored_and_the_real_answer_completes(configured: World) -> None:
    browser, report_file = install_browser(configured, PKCE_STEPS)
    result = configured.cli("login", extra={"BROWSER": browser, "STRAYS": "1",
                                            **NO_FLOW_HINTS})
    assert result.returncode == 0, result.stderr
    report = read_report(report_file)
    assert len(report["strays"]) == 4
    for status, page in report["strays"]:
        assert status == 400
        # No detail for whoever sent it: not the state, not why.
        assert "state" not in page.lower() and report["state"] not in page
    assert report["status"] == 200 and "You can close this tab" in report["page"]
    assert "Signed in to" in result.stderr
    assert configured.count("CreateToken:authorization_code") == 1
    assert configured.stored_secrets() is not None


def test_other_user_with_the_right_state_cannot_answer(configured: World,
                                                       other_user: Any) -> None:
    browser, report_file = install_browser(configured, PKCE_STEPS)
    result = configured.cli("login", extra={"BROWSER": browser, **NO_FLOW_HINTS,
                                            "ATTACK_ARGV": json.dumps(attack_argv(other_user))})
    assert result.returncode == 0, result.stderr
    report = read_report(report_file)
    assert report["attack"] == "403"
    assert report["status"] == 200
    codes = configured.emu.state.auth_codes
    # The session is the browser's approval, not the code the other user delivered.
    assert codes[report["code"]].used
    assert not codes[report["their_code"]].used
    assert configured.count("CreateToken:authorization_code") == 1
