"""The role credential cache on its own: freshness rules, invalidation, purge, file modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from awsenv.creds import cache
from awsenv.creds.fast import parse_profile
from awsenv.creds.model import RoleCredentials
from awsenv.paths import Paths

NOW = 1_800_000_000.0


def record(profile: str = "dev", *, lifetime: float = 3600, left: float = 3000,
           session_key: str = "corp") -> dict[str, object]:
    return RoleCredentials(
        access_key_id="ASIAEXAMPLE", secret_access_key="secret/key+1",
        session_token="token==", expiration=NOW + left, fetched_at=NOW + left - lifetime,
        profile=profile, session_key=session_key, account_id="111111111111",
        role_name="Admin", region="eu-west-1",
    ).to_dict()


@pytest.fixture
def paths() -> Paths:
    p = Paths.from_environ()
    p.aws_config_file.parent.mkdir(parents=True, exist_ok=True)
    p.aws_config_file.write_text("[profile dev]\nregion = eu-west-1\n")
    return p


def test_hit_returns_the_record_and_files_are_private(paths: Paths) -> None:
    path = cache.store(paths, record(), cache.config_stamp(paths))
    hit = cache.lookup(paths, "dev", NOW)
    assert hit is not None and hit["access_key_id"] == "ASIAEXAMPLE"
    assert RoleCredentials.from_dict(hit).region == "eu-west-1"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # Under $XDG_RUNTIME_DIR (tmpfs on real systems), named by config path + profile.
    assert str(path).startswith(os.environ["XDG_RUNTIME_DIR"])
    assert path == cache.cache_file(paths, "dev")
    assert cache.lookup(paths, "other", NOW) is None


def test_config_edit_or_other_config_file_is_a_miss(paths: Paths, tmp_path: Path) -> None:
    cache.store(paths, record(), cache.config_stamp(paths))
    assert cache.lookup(paths, "dev", NOW) is not None
    other = Paths.from_environ({**os.environ, "AWS_CONFIG_FILE": str(tmp_path / "config")})
    assert cache.cache_file(other, "dev") != cache.cache_file(paths, "dev")
    assert cache.lookup(other, "dev", NOW) is None
    with open(paths.aws_config_file, "a") as fh:
        fh.write("output = json\n")
    assert cache.lookup(paths, "dev", NOW) is None


def test_a_stamp_taken_before_a_concurrent_edit_never_matches(paths: Paths) -> None:
    stamp = cache.config_stamp(paths)
    paths.aws_config_file.write_text("[profile dev]\nregion = us-west-2\n")
    cache.store(paths, record(), stamp)
    assert cache.lookup(paths, "dev", NOW) is None


@pytest.mark.parametrize(("lifetime", "left", "hit"), [
    (3600, 3000, True),
    (3600, cache.REFRESH_WINDOW + 1, True),
    (3600, cache.REFRESH_WINDOW - 1, False),  # would sit inside botocore's 15-min window
    (3600, 600, False),
    (600, 301, True),  # short-lived role: refresh at half its lifetime
    (600, 299, False),
    (200, 121, True),  # never below MIN_VALID
    (200, 119, False),
    (3600, -5, False),
])
def test_freshness(paths: Paths, lifetime: float, left: float, hit: bool) -> None:
    cache.store(paths, record(lifetime=lifetime, left=left), cache.config_stamp(paths))
    assert (cache.lookup(paths, "dev", NOW) is not None) is hit


def test_served_credentials_outlive_botocores_refresh_window() -> None:
    # botocore re-runs credential_process on every access below 15 min (sso-protocol §8).
    for lifetime in (1920, 3600, 12 * 3600):
        assert cache.refresh_threshold(lifetime) > 15 * 60
    for lifetime in (60, 240, 900, 1900):
        assert cache.MIN_VALID <= cache.refresh_threshold(lifetime) <= max(lifetime, 120)


@pytest.mark.parametrize("content", [b"", b"not json", b"[]", b'{"v": 99}',
                                     b'{"v":1,"credentials":{"profile":"dev"}}'])
def test_damaged_records_are_misses(paths: Paths, content: bytes) -> None:
    path = cache.cache_file(paths, "dev")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert cache.lookup(paths, "dev", NOW) is None


def test_purge_session_and_all(paths: Paths) -> None:
    stamp = cache.config_stamp(paths)
    cache.store(paths, record("a", session_key="corp"), stamp)
    cache.store(paths, record("b", session_key="corp"), stamp)
    cache.store(paths, record("c", session_key="https://x.awsapps.com/start"), stamp)
    assert cache.purge_session(paths, "corp") == 2
    assert cache.lookup(paths, "a", NOW) is None and cache.lookup(paths, "c", NOW) is not None
    assert cache.purge_all(paths) == 1
    assert cache.lookup(paths, "c", NOW) is None
    assert cache.purge_all(paths) == 0


def test_repr_hides_secrets() -> None:
    text = repr(RoleCredentials.from_dict(record()))
    assert "secret/key" not in text and "token==" not in text and "dev" in text


@pytest.mark.parametrize(("argv", "profile"), [
    (["--profile", "dev"], "dev"),
    (["--profile=my prof"], "my prof"),
    (["--profile"], None),
    (["--profile", "dev", "--debug"], None),
    (["dev"], None),
    (["--profile", "--help"], None),
    (["--profile="], None),
    ([], None),
])
def test_fast_path_argv(argv: list[str], profile: str | None) -> None:
    assert parse_profile(argv) == profile
