"""read.py against real botocore: what botocore resolves, awsenv resolves the same way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from awsenv.awsconfig import read
from awsenv.awsconfig.model import DEFAULT_SCOPES
from awsenv.environment import Environment
from awsenv.errors import ConfigError, ExitCode


def write(text: str) -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load() -> read.AwsConfig:
    return read.load(Environment())


BOTH_FORMS = """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, codewhisperer:completions

[sso-session noscopes]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-2

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1

[profile tokenonly]
sso_session = noscopes

[profile old]
sso_start_url = https://d-9067.awsapps.com/start/
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile old2]
sso_start_url = https://d-9067.awsapps.com/start/
sso_region = us-east-1
sso_account_id = 333333333333
sso_role_name = ReadOnly

[profile gen]
credential_process = /opt/awsenv credential-process --profile gen
awsenv_session = corp
awsenv_account_id = 444444444444
awsenv_role_name = Dev
region = us-west-2

[profile gen-legacy]
credential_process = /opt/awsenv credential-process --profile gen-legacy
awsenv_session = https://d-9067.awsapps.com/start/
awsenv_account_id = 555555555555
awsenv_role_name = Dev

[default]
region = us-east-1
"""


def test_both_forms_resolve() -> None:
    write(BOTH_FORMS)
    cfg = load()
    dev = cfg.profile("dev")
    assert dev.kind == "native"
    assert (dev.account_id, dev.role_name, dev.region) == ("111111111111", "Admin", "eu-central-1")
    assert dev.session == cfg.session("corp")
    assert dev.session.key == dev.session.name == "corp"
    assert dev.session.scopes == ("sso:account:access", "codewhisperer:completions")
    # A session without scopes still registers with the default ones (refresh tokens).
    assert cfg.session("noscopes").scopes == DEFAULT_SCOPES

    old = cfg.profile("old")
    assert old.kind == "legacy"
    # AWS CLI keys legacy tokens by the start URL exactly as written (trailing slash too).
    assert old.session.key == "https://d-9067.awsapps.com/start/"
    assert old.session.legacy and old.session.scopes == DEFAULT_SCOPES
    assert cfg.profile("old2").session is old.session
    assert cfg.session_by_key("https://d-9067.awsapps.com/start/") is old.session

    gen = cfg.profile("gen")
    assert (gen.kind, gen.session.key, gen.account_id, gen.role_name, gen.region) == (
        "awsenv", "corp", "444444444444", "Dev", "us-west-2")
    assert cfg.profile("gen-legacy").session is old.session

    assert cfg.profile("default").kind == "other"
    assert cfg.profile("default").region == "us-east-1"
    assert cfg.session_for_profile("tokenonly").key == "noscopes"
    assert cfg.names == ["dev", "tokenonly", "old", "old2", "gen", "gen-legacy", "default"]
    assert list(cfg.profiles) == cfg.names
    assert set(cfg.sessions) == {"corp", "noscopes", "https://d-9067.awsapps.com/start/"}


def test_session_for_profile_of_a_non_sso_profile() -> None:
    write(BOTH_FORMS)
    with pytest.raises(ConfigError, match="does not use IAM Identity Center"):
        load().session_for_profile("default")


def _botocore_error(profile: str) -> str:
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session(profile=profile)
    with pytest.raises(botocore.exceptions.InvalidConfigError) as info:
        session.get_credentials()
    return str(info.value)


def test_inconsistent_values_fail_like_botocore_but_only_for_that_profile() -> None:
    write(BOTH_FORMS + """
[profile clash]
sso_session = corp
sso_region = us-west-1
sso_account_id = 111111111111
sso_role_name = Admin
""")
    cfg = load()
    with pytest.raises(ConfigError) as info:
        cfg.profile("clash")
    expected = "inconsistent between profile 'clash' (us-west-1) and sso-session 'corp'"
    assert expected in str(info.value)
    assert info.value.code == ExitCode.CONFIG
    assert "inconsistent between profile" in _botocore_error("clash")
    assert cfg.profile("dev").kind == "native"  # the others still work
    assert "clash" in cfg.names


def test_missing_session_section_names_it_and_the_fix() -> None:
    write("""[profile lost]
sso_session = nowhere
sso_account_id = 1
sso_role_name = R
""")
    cfg = load()
    with pytest.raises(ConfigError) as info:
        cfg.profile("lost")
    line = info.value.line()
    assert "sso-session 'nowhere'" in line and "awsenv configure --session nowhere" in line
    assert "does not exist" in _botocore_error("lost")


def test_missing_required_keys() -> None:
    write("""[profile half]
sso_start_url = https://x.awsapps.com/start
sso_account_id = 1
[profile gen]
awsenv_session = https://x.awsapps.com/start
awsenv_account_id = 1
[sso-session broken]
sso_region = us-east-1
[profile usesbroken]
sso_session = broken
sso_account_id = 1
sso_role_name = R
""")
    cfg = load()
    with pytest.raises(ConfigError, match="lacks sso_region, sso_role_name"):
        cfg.profile("half")
    assert "missing required configuration" in _botocore_error("half")
    with pytest.raises(ConfigError, match="which is not in"):
        cfg.profile("gen")  # its legacy session comes from a broken profile
    with pytest.raises(ConfigError, match="lacks sso_start_url"):
        cfg.session("broken")
    with pytest.raises(ConfigError, match="lacks sso_start_url"):
        cfg.profile("usesbroken")
    with pytest.raises(ConfigError, match=r"\[sso-session broken\].*lacks sso_start_url"):
        cfg.default_session()


def test_awsenv_profile_missing_keys() -> None:
    write("""[sso-session s]
sso_start_url = https://s.awsapps.com/start
sso_region = us-east-1
[profile gen]
awsenv_session = s
awsenv_role_name = R
""")
    with pytest.raises(ConfigError, match="lacks awsenv_account_id; run `awsenv sync`"):
        load().profile("gen")


def test_unknown_profile_suggests_close_match() -> None:
    write(BOTH_FORMS)
    cfg = load()
    with pytest.raises(ConfigError) as info:
        cfg.profile("dve")
    line = info.value.line()
    assert line.startswith("unknown profile 'dve'")
    assert "did you mean 'dev'?" in line and "awsenv list" in line and "awsenv sync" in line
    with pytest.raises(ConfigError) as info:
        cfg.profile("zzzzzz")
    assert "did you mean" not in info.value.line()
    with pytest.raises(ConfigError, match="did you mean 'corp'"):
        cfg.session("crop")


def test_default_session() -> None:
    write("")
    with pytest.raises(ConfigError, match=r"no IAM Identity Center session.*awsenv configure"):
        load().default_session()
    write("[sso-session one]\nsso_start_url = https://one.awsapps.com/start\n"
          "sso_region = us-east-1\n")
    assert load().default_session().name == "one"
    write(BOTH_FORMS)
    with pytest.raises(ConfigError, match=r"several sessions.*pass --session"):
        load().default_session()


def test_missing_file_is_an_empty_config() -> None:
    cfg = load()
    assert cfg.sessions == {} and cfg.profiles == {} and cfg.names == [] and cfg.stamp is None
    with pytest.raises(ConfigError, match="unknown profile 'dev'"):
        cfg.profile("dev")


def test_botocore_section_quirks_are_honoured() -> None:
    """[DEFAULT] merges into every section, quoted names, comment-only lines."""
    write("""[DEFAULT]
region = ap-south-1
; semicolon comment
[profile "my dev"]
output = json
  # indented comment
[profile with\ttab]
output = text
[profile a b]
output = ignored
""")
    cfg = load()
    assert cfg.profile("my dev").region == "ap-south-1"
    assert "a b" not in cfg.names and "a" not in cfg.names
    # shlex splits on the tab too: three words, so botocore ignores that section.
    assert cfg.names == ["my dev"]
    import botocore.session

    assert sorted(botocore.session.Session().full_config["profiles"]) == sorted(cfg.names)


MALFORMED = {
    "outside_section": ("region = us-east-1\n[default]\n", 1, "outside any [section]"),
    "duplicate_section": ("[default]\na = 1\n\n[default]\nb = 2\n", 4, "appears twice"),
    "duplicate_key": ("[default]\nregion = a\nregion = b\n", 3, "'region' appears twice"),
    "no_equals": ("[default]\nregion = a\naws_secret_access_key SECRETVALUE\n", 3, "not `key"),
    "bad_utf8": (b"[default]\nregion = a\nname = \xff\xfe\n", 3, "not valid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_one_clean_error(case: str) -> None:
    text, line, what = MALFORMED[case]
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as info:
        load()
    msg = info.value.line()
    assert "~/.aws/config" in msg and f"line {line}" in msg and what in msg
    assert "\n" not in msg and "SECRETVALUE" not in msg
    assert info.value.code == ExitCode.CONFIG


def test_nested_value_without_equals() -> None:
    write("[services s]\nsso =\n  endpoint_url\n")
    with pytest.raises(ConfigError, match="nested setting has no '='"):
        load()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_reported_not_ignored() -> None:
    path = write("[default]\n")
    path.chmod(0)
    with pytest.raises(ConfigError, match="cannot read"):
        load()


def test_stamp_tracks_the_file() -> None:
    path = write("[default]\n")
    st = path.stat()
    assert load().stamp == (st.st_mtime_ns, st.st_size, st.st_ino)


def test_display_path() -> None:
    home = Path("/h")
    assert read.display_path(Path("/h/.aws/config"), home) == "~/.aws/config"
    assert read.display_path(Path("/etc/aws"), home) == "/etc/aws"


def test_parse_scopes() -> None:
    assert read.parse_scopes(" a , b,,") == ("a", "b")
    assert read.parse_scopes("") == DEFAULT_SCOPES
    assert read.parse_scopes(None) == DEFAULT_SCOPES


def test_importing_read_loads_no_botocore() -> None:
    import subprocess
    import sys

    code = ("import sys, awsenv.awsconfig.read, awsenv.awsconfig.edit, awsenv.settings\n"
            "assert 'botocore' not in sys.modules and 'click' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
