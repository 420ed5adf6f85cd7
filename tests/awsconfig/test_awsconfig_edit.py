"""Byte-preserving edits: explicit nasty files, properties, and botocore reading the result."""

from __future__ import annotations

import configparser
import difflib
import io
import os
import stat
from pathlib import Path

import pytest
from _awsconfig_text import config_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsenv.awsconfig import edit, read
from awsenv.awsconfig.names import _physical_lines, scan, section_identity
from awsenv.environment import Environment
from awsenv.errors import ConfigError

NASTY = (
    "# my config, hand-written\r\n"
    "[default]\r\n"
    "\tregion = us-east-1   \r\n"
    "\r\n"
    "; keep me\r\n"
    "[services local]\r\n"
    "sso =\r\n"
    "  endpoint_url = http://127.0.0.1:9\r\n"
    "[profile dup]\r\n"
    "output = json\r\n"
    "[profile  dup-ish]\r\n"
    "output = text\r\n"
    "[sso-session corp]\r\n"
    "SSO_Start_URL = https://old.awsapps.com/start\r\n"
    "sso_region=us-east-1\r\n"
    "# trailing comment about ünïcödé ✓\r\n"
    "\r\n"
    "[profile last]\r\n"
    "region = eu-west-1"  # no final newline
)
VALUES = {"sso_start_url": "https://corp.awsapps.com/start", "sso_region": "eu-west-1",
          "sso_registration_scopes": "sso:account:access"}


def parse(text: str) -> dict[tuple[str, str], dict[str, str]]:
    """What botocore's parser sees, keyed by botocore section identity."""
    cp = configparser.RawConfigParser()
    cp.read_file(io.StringIO(text, newline=None))
    out = {}
    for section in cp.sections():
        out[section_identity(section) or ("raw", section)] = dict(cp.items(section))
    return out


def test_upsert_existing_section_changes_only_its_values() -> None:
    new = edit.upsert_section(NASTY, "sso-session corp", VALUES)
    assert new == NASTY.replace(
        "SSO_Start_URL = https://old.awsapps.com/start\r\n"
        "sso_region=us-east-1\r\n",
        "SSO_Start_URL = https://corp.awsapps.com/start\r\n"
        "sso_region=eu-west-1\r\n"
        "sso_registration_scopes = sso:account:access\r\n",
    )
    assert parse(new)[("sso-session", "corp")] == VALUES
    assert edit.upsert_section(new, "sso-session corp", VALUES) == new  # idempotent


def test_upsert_new_section_appends_keeping_crlf_and_no_final_newline() -> None:
    new = edit.upsert_section(NASTY, "sso-session other", {"sso_region": "us-east-2"})
    assert new == NASTY + "\r\n\r\n[sso-session other]\r\nsso_region = us-east-2"
    assert edit.upsert_section(new, "sso-session other", {"sso_region": "us-east-2"}) == new


def test_upsert_matches_sections_the_way_botocore_names_them() -> None:
    text = '[profile  "spaced"]\n  region = a\n  # c\n\n[profile z]\n'
    new = edit.upsert_section(text, "profile spaced", {"region": "b", "output": "json"})
    # Same indentation as the section's keys; comment and blank line untouched.
    assert new == '[profile  "spaced"]\n  region = b\n  output = json\n  # c\n\n[profile z]\n'


def test_upsert_replaces_a_nested_value_and_its_continuation_lines() -> None:
    new = edit.upsert_section(NASTY, "services local", {"sso": "flat"})
    assert "[services local]\r\nsso = flat\r\n[profile dup]" in new
    assert parse(new)[("services", "local")] == {"sso": "flat"}


def test_upsert_into_empty_and_blank_files() -> None:
    assert edit.upsert_section("", "default", {"region": "x"}) == "[default]\nregion = x\n"
    assert edit.upsert_section("\n", "default", {"a": "1"}) == "\n[default]\na = 1\n"
    assert edit.upsert_section("[default]", "default", {"a": "1"}) == "[default]\na = 1"


@pytest.mark.parametrize("bad", [{"a\nb": "x"}, {"a": "x\ny"}, {"a b": "x"}, {"a": " x"},
                                 {"Region": "x"}, {"a=b": "x"}])
def test_upsert_refuses_values_that_would_break_the_file(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        edit.upsert_section("", "default", bad)


def test_new_section_goes_before_the_managed_block() -> None:
    text = edit.replace_managed_block("[default]\n", "[profile gen]\nregion = x\n")
    new = edit.upsert_section(text, "sso-session s", {"sso_region": "us-east-1"})
    assert new.index("[sso-session s]") < new.index(edit.BEGIN_MARKER)
    assert edit.managed_block(new) == "[profile gen]\nregion = x\n"


BODY = "[profile gen-a]\ncredential_process = /x/awsenv credential-process --profile gen-a\n" \
       "awsenv_session = corp\n\n[profile gen-b]\nregion = us-east-1\n"


def test_managed_block_round_trip_on_nasty_file() -> None:
    added = edit.replace_managed_block(NASTY, BODY)
    assert added.startswith(NASTY + "\r\n\r\n" + edit.BEGIN_MARKER + "\r\n")
    assert added.endswith(edit.END_MARKER)  # still no final newline
    assert edit.managed_block(added) == BODY
    assert edit.replace_managed_block(added, BODY) == added
    other = edit.replace_managed_block(added, "[profile c]\nregion = x\n")
    assert other.startswith(NASTY) and edit.managed_block(other) == "[profile c]\nregion = x\n"
    assert edit.replace_managed_block(other, "") == NASTY
    assert edit.profile_names_outside_block(added) == ["default", "dup", "dup-ish", "last"]


def test_managed_block_in_the_middle_is_replaced_in_place() -> None:
    text = f"[a]\nx = 1\n\n{edit.BEGIN_MARKER}\n[profile old]\n{edit.END_MARKER}\n\n[b]\ny = 2\n"
    new = edit.replace_managed_block(text, "[profile new]\n")
    assert new == text.replace("[profile old]", "[profile new]")
    assert edit.replace_managed_block(text, "") == "[a]\nx = 1\n\n[b]\ny = 2\n"
    assert edit.profile_names_outside_block(text) == []
    assert edit.managed_block("[a]\n") is None
    assert edit.replace_managed_block("[a]\n", "") == "[a]\n"


@pytest.mark.parametrize("text", [
    f"{edit.BEGIN_MARKER}\n[profile a]\n",
    f"[profile a]\n{edit.END_MARKER}\n",
    f"{edit.END_MARKER}\n{edit.BEGIN_MARKER}\n",
    f"{edit.BEGIN_MARKER}\n{edit.END_MARKER}\n{edit.BEGIN_MARKER}\n{edit.END_MARKER}\n",
])
def test_damaged_markers_are_a_clear_error(text: str) -> None:
    with pytest.raises(ConfigError, match="markers near line"):
        edit.replace_managed_block(text, BODY)


# --- properties ---------------------------------------------------------------

def _check_only_section_lines_changed(old: str, new: str, ident: tuple[str, str]) -> None:
    """Every old line is kept byte for byte except option lines of the target section."""
    old_lines, new_lines = _physical_lines(old), _physical_lines(new)
    scanned = scan(old)
    changeable = {
        ln.index for ln in scanned
        if ln.kind in ("option", "continuation") and ln.section is not None
        and (section_identity(ln.section) or ("raw", ln.section)) == ident
    }
    matcher = difflib.SequenceMatcher(a=[b for b, _ in old_lines], b=[b for b, _ in new_lines],
                                      autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                # Without a final newline, the old last line may gain one and the
                # new last line loses its own: only the body must match there.
                edge = i1 + k == len(old_lines) - 1 or j1 + k == len(new_lines) - 1
                if edge and not old.endswith(("\n", "\r")):
                    assert old_lines[i1 + k][0] == new_lines[j1 + k][0]
                else:
                    assert old_lines[i1 + k] == new_lines[j1 + k]
        elif tag in ("delete", "replace"):
            assert set(range(i1, i2)) <= changeable, (tag, old_lines[i1:i2])
    assert (old == "" or old.endswith(("\n", "\r"))) == new.endswith(("\n", "\r"))


KEYS = st.sampled_from(["k0", "k1", "region", "sso_region", "output", "new_key"])
HEADERS = st.sampled_from(["default", "profile a", "profile b", "profile c d",
                           "sso-session s", "sso-session t", "services z", "profile fresh"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_text(), HEADERS, st.dictionaries(KEYS, st.sampled_from(["v", "x y", "ü=1"]),
                                               min_size=1, max_size=3))
def test_property_upsert_preserves_everything_else(text: str, header: str,
                                                   values: dict[str, str]) -> None:
    try:
        before = parse(text)
    except configparser.Error:
        return
    ident = section_identity(header) or ("raw", header)
    new = edit.upsert_section(text, header, values)
    after = parse(new)
    for key, value in values.items():
        assert after[ident][key] == value
    for other, vals in before.items():
        if other != ident:
            assert after[other] == vals
    _check_only_section_lines_changed(text, new, ident)
    assert edit.upsert_section(new, header, values) == new


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_text())
def test_property_managed_block_round_trip(text: str) -> None:
    try:
        parse(text)
    except configparser.Error:
        return
    added = edit.replace_managed_block(text, BODY)
    assert edit.managed_block(added) == BODY
    assert edit.replace_managed_block(added, BODY) == added
    lines = _physical_lines(text)
    assert added.startswith(text.rstrip("\r\n") if text and not text.endswith(("\n", "\r"))
                            else text)
    removed = edit.replace_managed_block(added, "")
    if lines and lines[-1][0] == "":
        # A file already ending in an empty line loses it: it looks like our separator.
        assert removed + lines[-1][0] + lines[-1][1] == text
    else:
        assert removed == text
    from awsenv.awsconfig.names import _names

    assert edit.profile_names_outside_block(added) == _names(text, "profile")


# --- writing ------------------------------------------------------------------

def _env() -> Environment:
    return Environment()


def test_write_creates_private_file_and_dir_botocore_reads() -> None:
    env = _env()
    path = Path(os.environ["AWS_CONFIG_FILE"])
    assert not path.parent.exists()
    old, new = edit.update_config(env, lambda t: edit.upsert_section(t, "sso-session s", VALUES))
    assert old == "" and path.read_text() == new
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    edit.update_config(env, lambda t: edit.replace_managed_block(
        t, "[profile gen]\nawsenv_session = s\nawsenv_account_id = 1\nawsenv_role_name = R\n"))

    import boto3
    import botocore.session

    full = botocore.session.Session().full_config
    assert full["sso_sessions"]["s"] == VALUES
    assert full["profiles"]["gen"]["awsenv_session"] == "s"
    assert boto3.Session().available_profiles == ["gen"]
    import subprocess
    import sys

    aws = Path(sys.executable).parent / "aws"
    out = subprocess.run([str(aws), "configure", "get", "awsenv_role_name", "--profile", "gen"],
                         capture_output=True, text=True, timeout=120)
    assert (out.returncode, out.stdout) == (0, "R\n"), out.stderr
    assert read.load(env).profile("gen").session.key == "s"


def test_write_keeps_mode_and_symlink() -> None:
    env = _env()
    path = Path(os.environ["AWS_CONFIG_FILE"])
    real = path.parent.parent / "dotfiles" / "aws-config"
    real.parent.mkdir(mode=0o700)
    real.write_text("[default]\nregion = x\n")
    real.chmod(0o640)
    path.parent.mkdir(mode=0o700)
    path.symlink_to(real)
    edit.update_config(env, lambda t: edit.upsert_section(t, "default", {"region": "y"}))
    assert path.is_symlink() and real.read_text() == "[default]\nregion = y\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_write_config_fails_when_the_file_changed_meanwhile() -> None:
    env = _env()
    edit.write_config(env, "[default]\n")
    old = edit.read_text(env)
    Path(os.environ["AWS_CONFIG_FILE"]).write_text("[default]\nregion = someone-else\n")
    with pytest.raises(ConfigError, match="changed while awsenv was editing it"):
        edit.write_config(env, edit.upsert_section(old, "default", {"a": "1"}), expect=old)
    assert "someone-else" in edit.read_text(env)
    edit.write_config(env, "[default]\nb = 2\n", expect="[default]\nregion = someone-else\n")
    assert edit.read_text(env) == "[default]\nb = 2\n"


def test_write_refuses_text_botocore_cannot_read() -> None:
    env = _env()
    edit.write_config(env, "[default]\n")
    with pytest.raises(ConfigError, match="line 3"):
        edit.write_config(env, "[default]\n[a]\n[a]\n")
    with pytest.raises(ConfigError, match="nested"):
        edit.update_config(env, lambda t: t + "[services x]\nsso =\n  nokey\n")
    assert edit.read_text(env) == "[default]\n"


def test_update_config_aborts_when_fn_raises() -> None:
    env = _env()
    edit.write_config(env, "[default]\n")

    def boom(text: str) -> str:
        raise ConfigError("nope")

    with pytest.raises(ConfigError):
        edit.update_config(env, boom)
    assert edit.read_text(env) == "[default]\n"


WORKER = """
import sys
from awsenv.awsconfig import edit
from awsenv.environment import Environment
env = Environment()
n = int(sys.argv[1])
for i in range(int(sys.argv[2])):
    edit.update_config(env, lambda t: edit.upsert_section(t, f"profile p{n}-{i}", {"region": "x"}))
    edit.update_config(env, lambda t: edit.upsert_section(t, "default", {f"k{n}": str(i)}))
"""


def test_concurrent_updates_from_processes_all_land() -> None:
    import subprocess
    import sys

    env = _env()
    edit.write_config(env, "# mine\n[default]\nregion = us-east-1\n")
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(n), "4"]) for n in range(5)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 5
    cfg = read.load(env)
    assert {f"p{n}-{i}" for n in range(5) for i in range(4)} <= set(cfg.names)
    raw = cfg.raw_profiles["default"]
    assert raw["region"] == "us-east-1" and all(raw[f"k{n}"] == "3" for n in range(5))
    assert edit.read_text(env).startswith("# mine\n[default]\nregion = us-east-1\n")


def test_diff_preview() -> None:
    out = edit.diff("[a]\nx = 1", "[a]\nx = 2\n", "~/.aws/config")
    assert out.startswith("--- ~/.aws/config\n+++ ~/.aws/config\n")
    assert "-x = 1\n\\ No newline at end of file\n+x = 2\n" in out
    assert edit.diff("same\n", "same\n", "p") == ""


def test_malformed_file_is_blamed_with_its_own_line_numbers() -> None:
    env = _env()
    text = "[sso-session x]\nsso_region = a\n\n[default]\nregion = a\nregion = b\n"
    edit.write_config(env, "")
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(text)
    with pytest.raises(ConfigError) as info:
        # Inserting into the first section would shift the duplicate to line 8.
        edit.update_config(env, lambda t: edit.upsert_section(
            t, "sso-session x", {"a": "1", "b": "2"}))
    assert "line 6: 'region' appears twice in [default]" in info.value.line()
    assert edit.read_text(env) == text


def test_write_of_unparsable_result_names_an_awsenv_bug() -> None:
    env = _env()
    edit.write_config(env, "[default]\n")
    with pytest.raises(ConfigError) as info:
        edit.update_config(env, lambda t: t + "no section header here?\n[default]\n")
    assert "refusing to write ~/.aws/config" in info.value.line()
    assert "awsenv bug" in info.value.line()


def test_new_key_never_swallows_a_deeper_indented_header() -> None:
    """Found by the property test: the tabbed header must stay a header."""
    text = "[default]\n\t[profile tabbed]\nk0 = v\n"
    new = edit.upsert_section(text, "default", {"k1": "x"})
    assert new == "[default]\n\tk1 = x\n\t[profile tabbed]\nk0 = v\n"
    assert parse(new) == {("profile", "default"): {"k1": "x"},
                          ("profile", "tabbed"): {"k0": "v"}}
