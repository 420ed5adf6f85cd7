"""sync.run without the portal (a given listing): settings defaults, file handling."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from awsenv import settings, sync
from awsenv.environment import Environment
from awsenv.errors import ConfigError
from awsenv.portal import AccountRoles

LISTING = [AccountRoles("111111111111", "Dev", "d@example.com", ["Admin"])]
SESSION = "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = " \
          "eu-west-1\n"


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SESSION)
    return path


def test_settings_give_the_default_region_and_template(config: Path) -> None:
    env = Environment.from_os()
    settings.update(env, lambda s: s.with_session("corp", region="ca-central-1",
                                                  name_template="{session}-{account_id}"))
    result = sync.run(env, listing=LISTING)
    assert result.plan.added == ["corp-111111111111"]
    assert "region = ca-central-1\n" in config.read_text()
    # Flags win over settings; a new template names only new profiles (names are stable).
    more = [*LISTING, AccountRoles("222222222222", "Prod", "p@example.com", ["Admin"])]
    result = sync.run(env, listing=more, region="us-west-2", template="x-{account_name}")
    assert result.plan.added == ["x-prod"]
    assert result.plan.changed == ["corp-111111111111"]
    assert "region = ca-central-1" not in config.read_text()


def test_no_config_file_means_no_session(isolated_home: Path) -> None:
    with pytest.raises(ConfigError, match="no IAM Identity Center session"):
        sync.run(Environment.from_os(), listing=LISTING)


def test_several_sessions_need_one_named(config: Path) -> None:
    config.write_text(SESSION + SESSION.replace("corp", "other"))
    with pytest.raises(ConfigError, match="pass --session"):
        sync.run(Environment.from_os(), listing=LISTING)
    result = sync.run(Environment.from_os(), session_name="other", listing=LISTING)
    assert "awsenv_session = other\n" in config.read_text()
    assert result.written


def test_pruning_everything_removes_the_block(config: Path) -> None:
    env = Environment.from_os()
    sync.run(env, listing=LISTING)
    assert "# BEGIN awsenv" in config.read_text()
    result = sync.run(env, listing=[], prune=True)
    assert result.plan.removed == ["dev-admin"]
    assert config.read_text() == SESSION


def test_damaged_markers_stop_the_sync(config: Path) -> None:
    config.write_text(SESSION + "# BEGIN awsenv managed profiles\n[profile x]\nregion = a\n")
    with pytest.raises(ConfigError, match="markers"):
        sync.run(Environment.from_os(), listing=LISTING)
    assert "[profile x]" in config.read_text()


def test_symlinked_config_is_written_through(config: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles-config"
    real.write_text(SESSION)
    config.unlink()
    config.symlink_to(real)
    sync.run(Environment.from_os(), listing=LISTING)
    assert config.is_symlink()
    assert "[profile dev-admin]" in real.read_text()
