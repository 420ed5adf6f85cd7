"""``render_export``: exact shapes for ordinary credentials, and hostile values
through every format, read back by the real consumer (bash, zsh, fish, dash,
python-dotenv, json)."""

from __future__ import annotations

import io
import json
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from _quote_values import CANARY, as_bytes, batches, text_batches
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import shells

from awsenv.errors import AwsenvError
from awsenv.shells.exports import FORMATS, credential_variables, iso_utc, render_export
from awsenv.shells.quote import quote

SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

CREDS = credential_variables(
    "ASIAEXAMPLEKEY123456",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjEXAMPLE+token/with==",
    datetime(2026, 11, 22, 6, 0, 0, 123456, tzinfo=timezone.utc),
    "eu-west-1",
)

SHAPES = {
    "env": """\
export AWS_ACCESS_KEY_ID=ASIAEXAMPLEKEY123456
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_SESSION_TOKEN=$'IQoJb3JpZ2luX2VjEXAMPLE+token/with=='
export AWS_CREDENTIAL_EXPIRATION=2026-11-22T06:00:00Z
export AWS_REGION=eu-west-1
export AWS_DEFAULT_REGION=eu-west-1
unset AWS_PROFILE
""",
    "env-no-export": """\
AWS_ACCESS_KEY_ID=ASIAEXAMPLEKEY123456
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_SESSION_TOKEN='IQoJb3JpZ2luX2VjEXAMPLE+token/with=='
AWS_CREDENTIAL_EXPIRATION=2026-11-22T06:00:00Z
AWS_REGION=eu-west-1
AWS_DEFAULT_REGION=eu-west-1
unset AWS_PROFILE
""",
    "fish": """\
set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLEKEY123456'
set -gx AWS_SECRET_ACCESS_KEY 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
set -gx AWS_SESSION_TOKEN 'IQoJb3JpZ2luX2VjEXAMPLE+token/with=='
set -gx AWS_CREDENTIAL_EXPIRATION '2026-11-22T06:00:00Z'
set -gx AWS_REGION 'eu-west-1'
set -gx AWS_DEFAULT_REGION 'eu-west-1'
set -e -g AWS_PROFILE; or true
""",
    "powershell": """\
$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLEKEY123456'
$Env:AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
$Env:AWS_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE+token/with=='
$Env:AWS_CREDENTIAL_EXPIRATION = '2026-11-22T06:00:00Z'
$Env:AWS_REGION = 'eu-west-1'
$Env:AWS_DEFAULT_REGION = 'eu-west-1'
Remove-Item -LiteralPath 'Env:/AWS_PROFILE' -ErrorAction Ignore
""",
    "windows-cmd": """\
set "AWS_ACCESS_KEY_ID=ASIAEXAMPLEKEY123456"
set "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
set "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE+token/with=="
set "AWS_CREDENTIAL_EXPIRATION=2026-11-22T06:00:00Z"
set "AWS_REGION=eu-west-1"
set "AWS_DEFAULT_REGION=eu-west-1"
set "AWS_PROFILE="
""",
    "dotenv": """\
AWS_ACCESS_KEY_ID="ASIAEXAMPLEKEY123456"
AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_SESSION_TOKEN="IQoJb3JpZ2luX2VjEXAMPLE+token/with=="
AWS_CREDENTIAL_EXPIRATION="2026-11-22T06:00:00Z"
AWS_REGION="eu-west-1"
AWS_DEFAULT_REGION="eu-west-1"
""",
    "json": """\
{
  "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEKEY123456",
  "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLE+token/with==",
  "AWS_CREDENTIAL_EXPIRATION": "2026-11-22T06:00:00Z",
  "AWS_REGION": "eu-west-1",
  "AWS_DEFAULT_REGION": "eu-west-1",
  "AWS_PROFILE": null
}
""",
}


def test_every_format_has_a_shape_test() -> None:
    assert set(SHAPES) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_exact_shape(fmt: str) -> None:
    assert render_export(fmt, [*CREDS, ("AWS_PROFILE", None)]) == SHAPES[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty(fmt: str) -> None:
    assert render_export(fmt, []) == ("{}\n" if fmt == "json" else "")


def test_credential_variables_order_and_optional_parts() -> None:
    assert [n for n, _ in CREDS] == [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"]
    assert credential_variables("A", "S") == [("AWS_ACCESS_KEY_ID", "A"),
                                              ("AWS_SECRET_ACCESS_KEY", "S")]


def test_iso_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert iso_utc(datetime(2026, 1, 1, 1, 0, 0, tzinfo=cet)) == "2026-01-01T00:00:00Z"
    assert iso_utc(1_800_000_000) == "2027-01-15T08:00:00Z"
    with pytest.raises(ValueError):
        iso_utc(datetime(2026, 1, 1))


def test_refusals_become_user_errors() -> None:
    with pytest.raises(AwsenvError, match="unknown export format"):
        render_export("tcsh", [])
    for fmt in FORMATS:
        with pytest.raises(AwsenvError, match="invalid environment variable name"):
            render_export(fmt, [("A;rm -rf /", "x")])
    with pytest.raises(AwsenvError, match=r"AWS_X in the windows-cmd format.*%") as exc:
        render_export("windows-cmd", [("AWS_X", "100%")])
    assert "json" in exc.value.line()
    with pytest.raises(AwsenvError, match="dotenv"):
        render_export("dotenv", [("AWS_X", "${HOME}")])


@pytest.mark.shells
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_eval_of_command_output_in_bash_and_zsh(shell: str) -> None:
    """The documented use: `eval "$(awsenv export …)"`, output arriving through a pipe."""
    code = ("import sys; from awsenv.shells.exports import render_export as r; "
            "sys.stdout.write(r('env', [('AWS_REGION', 'eu-west-1'), ('AWS_PROFILE', None), "
            "('T_X', 'a b\\n$(touch pwned)')]))")
    script = f'eval "$({quote("bash", sys.executable)} -c {quote("bash", code)})"'
    with tempfile.TemporaryDirectory() as cwd:
        res = shells.run_and_read(shell, script, ["AWS_REGION", "AWS_PROFILE", "T_X"],
                                  env={"AWS_PROFILE": "old"}, exported=True, cwd=cwd)
        assert not (Path(cwd) / CANARY).exists()
    assert res.stderr == b""
    assert res.vars == {"AWS_REGION": b"eu-west-1", "AWS_PROFILE": None,
                        "T_X": b"a b\n$(touch pwned)"}


# format -> (shell, how the output is applied, whether it exports)
APPLY = {
    ("env", "bash"): ('eval "$(cat "$EXPORT_FILE")"', True),
    ("env", "zsh"): ('eval "$(cat "$EXPORT_FILE")"', True),
    ("fish", "fish"): ("source $EXPORT_FILE", True),
    ("env-no-export", "sh"): ('. "$EXPORT_FILE"', False),
    ("env-no-export", "bash"): ('. "$EXPORT_FILE"', False),
}


@pytest.mark.shells
@pytest.mark.parametrize(("fmt", "shell"), list(APPLY))
@SETTINGS
@given(values=batches, unset=st.lists(st.booleans(), max_size=24))
def test_hostile_values_through_real_shells(fmt: str, shell: str, values: list[str],
                                            unset: list[bool]) -> None:
    variables = [(f"T_{i}", None if i < len(unset) and unset[i] else v)
                 for i, v in enumerate(values)]
    names = [n for n, _ in variables]
    apply, exported = APPLY[(fmt, shell)]
    with tempfile.TemporaryDirectory() as cwd:
        path = Path(cwd) / "export.out"
        path.write_bytes(render_export(fmt, variables).encode("utf-8", "surrogateescape"))
        # Half the variables pre-set: unsetting works, and is harmless when absent.
        env = {n: "previous" for n in names[::2]} | {"EXPORT_FILE": str(path)}
        res = shells.run_and_read(shell, apply, names, env=env, exported=exported, cwd=cwd)
        assert not (Path(cwd) / CANARY).exists(), "an exported value executed a command"
    assert res.returncode == 0 and res.stderr == b"", res.stderr
    assert res.vars == {n: None if v is None else as_bytes(v) for n, v in variables}


@pytest.mark.shells
@pytest.mark.parametrize(("fmt", "shell"), list(APPLY))
def test_applying_succeeds_when_an_unset_variable_is_absent(fmt: str, shell: str,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "export.out"
    path.write_text(render_export(fmt, [("T_A", "1"), ("T_ABSENT", None)]))
    status = "$status" if shell == "fish" else "$?"
    res = shells.run_and_read(shell, f"{APPLY[(fmt, shell)][0]}\necho rc={status}", ["T_A"],
                              env={"EXPORT_FILE": str(path), "T_ABSENT": None})
    assert (res.stdout, res.stderr, res.vars) == (b"rc=0\n", b"", {"T_A": b"1"})


@settings(max_examples=150, deadline=None)
@given(values=text_batches)
def test_dotenv_round_trip_with_python_dotenv(values: list[str]) -> None:
    variables = [(f"T_{i}", v) for i, v in enumerate(values)]
    if any("$" in v for v in values):
        with pytest.raises(AwsenvError, match=r"'\$'"):
            render_export("dotenv", variables)
        return
    parsed = dotenv_values(stream=io.StringIO(render_export("dotenv", variables)))
    assert parsed == dict(variables)


@settings(max_examples=150, deadline=None)
@given(values=text_batches)
def test_windows_cmd_accepts_only_plain_values_one_line_each(values: list[str]) -> None:
    variables = [(f"T_{i}", v) for i, v in enumerate(values)]
    try:
        out = render_export("windows-cmd", variables)
    except AwsenvError:
        assert any(not v or not v.isascii() or any(c in v for c in '%!^&|<>"') or
                   not v.isprintable() for v in values)
        return
    assert out.splitlines() == [f'set "{n}={v}"' for n, v in variables]


@settings(max_examples=150, deadline=None)
@given(values=batches)
def test_json_round_trip(values: list[str]) -> None:
    variables = [(f"T_{i}", v) for i, v in enumerate(values)] + [("T_NONE", None)]
    assert json.loads(render_export("json", variables)) == dict(variables)
