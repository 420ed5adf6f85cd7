"""Portal listing against the emulator: exact call counts, throttling, 5xx, 401."""

from __future__ import annotations

import math
from typing import Any

import pytest

from awsenv import portal, sync
from awsenv.emulator import Directory
from awsenv.errors import NotSignedIn, ServiceError

FAST = portal.RetryPolicy(base_s=0.02, cap_s=0.5)


@pytest.fixture(autouse=True)
def fast_limiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that are not about the quota run the limiter fast (keeps the suite short)."""
    monkeypatch.setenv("AWSENV_TPS", "1000")


def listing(signed: Any, **kw: Any) -> tuple[list[portal.AccountRoles], portal.Stats]:
    stats = portal.Stats()
    kw.setdefault("policy", FAST)
    found = portal.list_account_roles(signed.env(), signed.session, stats=stats, **kw)
    return found, stats


@pytest.mark.parametrize("directory", [Directory.generate(accounts=250, roles=3)], ids=["250x3"])
def test_exact_call_counts(signed: Any, directory: Directory) -> None:
    before = signed.counters()
    events: list[portal.Progress] = []
    found, stats = listing(signed, progress=events.append)
    after = signed.counters()
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    pages = math.ceil(250 / portal.PAGE_SIZE)
    assert delta.get("ListAccounts", 0) == pages
    assert delta.get("ListAccountRoles", 0) == 250
    assert delta.get("GetRoleCredentials", 0) == 0
    assert delta.get("CreateToken", 0) == 0 and delta.get("StartDeviceAuthorization", 0) == 0
    assert stats.requests == pages + 250
    assert [(a.account_id, a.account_name, a.roles) for a in found] == \
        [(a.account_id, a.name, list(a.roles)) for a in directory.accounts]
    roles = [e for e in events if e.phase == "roles"]
    assert roles[0].done == 0 and roles[-1].done == roles[-1].total == 250
    assert sorted(e.done for e in roles) == list(range(251))


@pytest.mark.parametrize("directory", [Directory.generate(accounts=60, roles=3)], ids=["60x3"])
def test_heavily_throttled_sync_completes(signed: Any, directory: Directory) -> None:
    signed.emu.configure(throttle_rate=0.4, latency_ms=5, seed=11)
    done = sync.run(signed.env(), policy=FAST)
    assert len(done.plan.added) == 180 and not done.plan.skipped and not done.refused
    stats = done.stats
    assert stats is not None
    assert stats.throttled > 15  # many 429s, every one retried
    counters = signed.counters()
    assert stats.requests == counters.get("ListAccounts", 0) + \
        counters.get("ListAccountRoles", 0)
    assert stats.requests == 1 + 60 + stats.throttled


@pytest.mark.parametrize("directory", [Directory.generate(accounts=200, roles=2)], ids=["200x2"])
def test_quota_limited_listing_stays_under_the_limiter(signed: Any, directory: Directory,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The emulator enforces 100 TPS; our bucket at 100 keeps 429s rare and retried.
    signed.emu.configure(tps_limit=100, latency_ms=2)
    monkeypatch.setenv("AWSENV_TPS", "100")
    found, stats = listing(signed)
    assert len(found) == 200 and all(len(a.roles) == 2 for a in found)
    assert stats.requests == 2 + 200 + stats.throttled + stats.server_errors


@pytest.mark.slow
@pytest.mark.parametrize("directory", [Directory.generate(accounts=1000, roles=3)],
                         ids=["1000x3"])
def test_thousand_accounts_at_the_aws_quota(signed: Any, directory: Directory,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # AWS's 20 TPS, a little latency, our default limiter (AWSENV_TPS unset = 20).
    monkeypatch.delenv("AWSENV_TPS")
    signed.emu.configure(tps_limit=20, latency_ms=20, throttle_rate=0.02)
    result = signed.cli("sync")
    assert result.returncode == 0, result.stderr
    assert "3000 added, 0 changed, 0 removed" in result.stderr
    c = signed.counters()
    assert c.get("ListAccounts", 0) >= 10
    assert c.get("StartDeviceAuthorization", 0) == 1  # the fixture's login only


@pytest.mark.parametrize("directory", [Directory.generate(accounts=30, roles=1)], ids=["30x1"])
def test_server_errors_are_retried(signed: Any, directory: Directory) -> None:
    signed.emu.configure(error_rate=0.4, error_operations=["ListAccountRoles"], seed=3)
    found, stats = listing(signed)
    assert len(found) == 30 and all(a.roles == ["AdministratorAccess"] for a in found)
    assert stats.server_errors > 0


@pytest.mark.parametrize("directory", [Directory.generate(accounts=5, roles=1)], ids=["5x1"])
def test_endless_throttling_gives_up_with_a_clear_error(signed: Any,
                                                        directory: Directory) -> None:
    signed.emu.configure(throttle_rate=1.0)
    policy = portal.RetryPolicy(max_attempts=4, base_s=0.01, cap_s=0.02)
    with pytest.raises(ServiceError,
                       match=r"ListAccounts failed: throttled \(HTTP 429, 4 tries\); wait a"):
        listing(signed, policy=policy)
    assert signed.counters().get("ListAccounts", 0) == 4


@pytest.mark.parametrize("directory", [Directory.generate(accounts=40, roles=1)], ids=["40x1"])
def test_revoked_session_mid_listing_raises_not_signed_in(
        signed: Any, directory: Directory, monkeypatch: pytest.MonkeyPatch) -> None:
    from awsenv.auth import tokens

    seen: list[int] = []

    def progress(event: portal.Progress) -> None:
        seen.append(event.done)
        if event.phase == "roles" and event.done == 5:
            signed.emu.revoke_all()

    monkeypatch.setenv("AWSENV_TPS", "20")
    starts = signed.counters().get("StartDeviceAuthorization", 0)
    with pytest.raises(NotSignedIn, match="awsenv login --session corp"):
        listing(signed, progress=progress)
    assert tokens.read_cached(signed.env().paths, signed.session) is None
    c = signed.counters()
    assert c.get("StartDeviceAuthorization", 0) == starts
    # The pool stopped: not all 40 accounts were asked after the 401.
    assert c.get("ListAccountRoles", 0) < 40


def test_unreachable_portal_fails_after_a_few_tries(signed: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{port}")
    stats = portal.Stats()
    with pytest.raises(ServiceError,
                       match=r"ListAccounts failed: could not connect \(5 tries\); check the"):
        portal.list_account_roles(signed.env(), signed.session, stats=stats, policy=FAST)
    assert stats.network_errors == stats.requests == FAST.max_network_attempts
