"""The portal's global token bucket and backoff, on a fake clock (no sleeping)."""

from __future__ import annotations

import random

import pytest

from awsenv.errors import ConfigError
from awsenv.portal import RateLimiter, RetryPolicy, tps_from_env


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_bucket_spaces_requests_at_the_rate() -> None:
    clock = Clock()
    lim = RateLimiter(20, burst=1, clock=clock)
    waits = [lim.reserve() for _ in range(5)]
    # One token in hand, then one every 50 ms, reserved in order.
    assert waits == pytest.approx([0.0, 0.05, 0.10, 0.15, 0.20])
    clock.t += 1.0  # a second later the debt is paid and one token is back
    assert lim.reserve() == pytest.approx(0.0)
    assert lim.reserve() == pytest.approx(0.05)


def test_bucket_never_accumulates_more_than_burst() -> None:
    clock = Clock()
    lim = RateLimiter(10, burst=3, clock=clock)
    clock.t += 3600
    assert [lim.reserve() for _ in range(4)] == pytest.approx([0, 0, 0, 0.1])


def test_backoff_is_jittered_capped_and_bounded() -> None:
    policy = RetryPolicy(base_s=0.1, cap_s=2.0)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(1, 60)]
    assert all(0 <= d <= 2.0 for d in delays)
    assert len(set(delays)) == len(delays)  # jitter: no lock-step retries


@pytest.mark.parametrize(("raw", "rate"), [(None, 20.0), ("", 20.0), ("5", 5.0),
                                           ("0.5", 0.5)])
def test_tps_from_env(raw: str | None, rate: float) -> None:
    env = {} if raw is None else {"AWSENV_TPS": raw}
    assert tps_from_env(env) == rate


@pytest.mark.parametrize("raw", ["0", "-3", "fast", "nan"])
def test_tps_from_env_rejects_nonsense(raw: str) -> None:
    with pytest.raises(ConfigError, match="AWSENV_TPS"):
        tps_from_env({"AWSENV_TPS": raw})
