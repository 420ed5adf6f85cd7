"""awsenv's own settings file: defaults, round trip, unknown keys kept, clear errors."""

from __future__ import annotations

import json
import stat

import pytest

from awsenv import settings
from awsenv.environment import Environment
from awsenv.errors import ConfigError


def test_defaults_without_a_file() -> None:
    env = Environment()
    s = settings.load(env)
    assert s == settings.Settings()
    assert s.shell_mode == "profile" and settings.session_defaults(env, "x") == {}
    assert not env.paths.settings_file.exists()  # type: ignore[union-attr]


def test_round_trip_private_and_outside_the_project() -> None:
    env = Environment()
    s = settings.Settings(shell_mode="env", name_template="{account_name}.{role_name}")
    s = s.with_session("corp", region="eu-west-1")
    settings.save(env, s)
    assert settings.load(env) == s
    path = env.paths.settings_file  # type: ignore[union-attr]
    assert str(path).startswith(env.environ["XDG_CONFIG_HOME"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert settings.session_defaults(env, "corp") == {
        "region": "eu-west-1", "name_template": "{account_name}.{role_name}"}
    assert settings.session_defaults(env, "other") == {
        "name_template": "{account_name}.{role_name}"}


def test_unknown_keys_survive_an_update() -> None:
    env = Environment()
    path = env.paths.settings_file  # type: ignore[union-attr]
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(json.dumps({"version": 1, "future_knob": [1, 2], "sessions": {}}))
    settings.update(env, lambda s: s.with_session("a", region="us-east-1"))
    obj = json.loads(path.read_text())
    assert obj["future_knob"] == [1, 2] and obj["sessions"] == {"a": {"region": "us-east-1"}}


@pytest.mark.parametrize(("content", "what"), [
    ("{not json", "is not valid JSON"),
    ("[]", "is not a JSON object"),
    ('{"shell_mode": "weird"}', "shell_mode 'weird'"),
    ('{"sessions": {"a": 3}}', "non-object entry for session 'a'"),
    ('{"sessions": {"a": {"region": 5}}}', "non-text 'region'"),
])
def test_broken_file_is_a_config_error(content: str, what: str) -> None:
    env = Environment()
    path = env.paths.settings_file  # type: ignore[union-attr]
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        settings.load(env)
    assert what in info.value.line() and "delete it" in info.value.line()


def test_the_picker_setting_both_readers_agree() -> None:
    """`"picker"`: builtin by default, fzf when set; the plain reader the picker's first
    screen uses (awsenv.fastsettings) says the same, and defers on a value it refuses."""
    from awsenv import fastsettings

    env = Environment()
    assert settings.load(env).picker == "builtin"
    assert fastsettings.value(env.environ, "picker", fastsettings.PICKERS) == "builtin"
    settings.save(env, settings.Settings(picker="fzf"))
    assert settings.load(env).picker == "fzf"
    assert fastsettings.value(env.environ, "picker", fastsettings.PICKERS) == "fzf"
    env.paths.settings_file.write_text('{"picker": "skim"}')  # type: ignore[union-attr]
    assert fastsettings.value(env.environ, "picker", fastsettings.PICKERS) is None
    with pytest.raises(ConfigError, match="has picker 'skim' \\(expected builtin or fzf\\)"):
        settings.load(env)
