"""Hand-outs follow the session: renewed in its last 15 minutes, stopped once it ended.

Every awsenv process that hands out role credentials (the ``credential-process``
hit included) renews the session's access token when < 15 min are left or the
file is gone, so native profiles never reach the JavaScript SDKs' last-5-minute
refusal. When the service refuses the renewal (revoked, `aws sso logout`), the
session's cached role credentials are deleted and awsenv says `awsenv login`.
A revocation awsenv has not yet seen is found by `awsenv status --check`.
"""

from __future__ import annotations

import json

from awsenv.auth import tokens
from awsenv.errors import ExitCode

REFRESH = "CreateToken:refresh_token"


def token_left(signed) -> float:
    return tokens.parse_time(signed.token_json()["expiresAt"]) - signed.env().now()


def test_hit_renews_the_token_in_its_last_15_minutes(signed) -> None:
    first = signed.cli("credential-process", "--profile", "dev")
    assert first.returncode == 0, first.stderr
    signed.age_token(10 * 60)
    refreshes, grc = signed.count(REFRESH), signed.grc()
    again = signed.cli("credential-process", "--profile", "dev")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)  # the cached credentials
    assert signed.count(REFRESH) == refreshes + 1 and signed.grc() == grc
    assert token_left(signed) > 15 * 60
    # Renewed once: the next hits are plain hits again.
    assert signed.cli("credential-process", "--profile", "dev").returncode == 0
    assert signed.count(REFRESH) == refreshes + 1


def test_export_and_exec_renew_too(signed) -> None:
    assert signed.cli("export", "native").returncode == 0
    for command in (["export", "native"], ["exec", "native", "--", "true"]):
        signed.age_token(4 * 60)
        r = signed.cli(*command)
        assert r.returncode == 0, (command, r.stderr)
        assert token_left(signed) > 15 * 60, command


def test_transient_failure_keeps_handing_out(signed) -> None:
    first = signed.cli("credential-process", "--profile", "dev")
    signed.age_token(10 * 60)
    signed.emu.configure(error_rate=1.0, error_operations=["CreateToken"])
    r = signed.cli("credential-process", "--profile", "dev", extra={"AWS_MAX_ATTEMPTS": "1"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json.loads(first.stdout)


def test_token_file_deleted_but_session_alive_is_renewed(signed) -> None:
    assert signed.cli("credential-process", "--profile", "dev").returncode == 0
    signed.token_file().unlink()
    r = signed.cli("credential-process", "--profile", "dev")
    assert r.returncode == 0, r.stderr
    assert token_left(signed) > 15 * 60


def test_logout_elsewhere_stops_hand_outs(signed) -> None:
    """What `aws sso logout` does (token file deleted, session ended at the portal):
    the very next hit finds out, deletes the cached records and says `awsenv login`."""
    assert signed.cli("credential-process", "--profile", "dev").returncode == 0
    assert signed.role_cache("dev").exists()
    signed.token_file().unlink()
    signed.emu.revoke_all()
    r = signed.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN, r.stderr
    assert r.stdout == "" and "awsenv login" in r.stderr
    assert not signed.role_cache("dev").exists()
    assert signed.cli("export", "dev").returncode == ExitCode.NOT_SIGNED_IN


def test_revocation_is_seen_by_status_check(signed) -> None:
    """A server-side revocation with a fresh local token: the local answer stands (and
    issued credentials are honoured by AWS) until awsenv asks; --check asks."""
    assert signed.cli("export", "dev").returncode == 0
    listed = signed.count("ListAccounts")
    ok = signed.cli("status", "--session", "corp", "--check", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["sessions"][0]["confirmed"] is True
    assert signed.count("ListAccounts") == listed + 1

    signed.emu.revoke_all()
    # The local view: nothing seen yet.
    assert signed.cli("status", "--session", "corp").returncode == 0
    assert signed.cli("export", "dev").returncode == 0
    r = signed.cli("status", "--session", "corp", "--check")
    assert r.returncode == ExitCode.NOT_SIGNED_IN, (r.stdout, r.stderr)
    assert "awsenv login" in r.stderr
    assert not signed.token_file().exists()
    assert not signed.role_cache("dev").exists()
    assert signed.cli("status", "--session", "corp").returncode == ExitCode.NOT_SIGNED_IN
    r = signed.cli("credential-process", "--profile", "dev")
    assert r.returncode == ExitCode.NOT_SIGNED_IN and r.stdout == ""


def test_status_check_when_the_service_cannot_be_asked(signed) -> None:
    signed.emu.configure(error_rate=1.0, error_operations=["ListAccounts"])
    r = signed.cli("status", "--session", "corp", "--check", "--json")
    assert r.returncode == ExitCode.SERVICE, (r.stdout, r.stderr)
    corp = json.loads(r.stdout)["sessions"][0]
    assert corp["signed_in"] is True and corp["confirmed"] is None and corp["problem"]
