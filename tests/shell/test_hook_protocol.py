"""The hook protocol is data, never code: records applied by the real bash/zsh/fish functions.

A fake `awsenv` (baked into the rendered init script like the real one)
answers with crafted records: arbitrary values must come back byte for byte,
names outside AWS_*/AWSENV_* must be ignored, a canary file proves nothing was
executed, and an answer cut short applies nothing. Also: installing twice
installs once, and the hook's Python side stays stdlib-only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _shellkit import make_project, signed_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import shells

from awsenv.shells import records
from awsenv.shells.init import render_init

pytestmark = pytest.mark.shells

KINDS = [k for k in ("bash", "zsh", "fish") if shells.available(k)]
FAKE = ["/bin/sh", "-c", 'cat "$AWSENV_TEST_ANSWER"', "awsenv"]
NAMES = [f"AWS_T{i}" for i in range(4)]
VALUES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                 max_size=40)


def hostile(canary: Path) -> list[str]:
    c = str(canary)
    return [f"$(touch {c})", f"`touch {c}`", f"'; touch {c}; '", f'"; touch {c}; #',
            f"\ntouch {c}\n", f"$({{touch,{c}}})", f"; touch {c}", f"(touch {c})"]


def apply(kind: str, tmp: Path, answer: bytes, names: list[str]) -> shells.ShellResult:
    init = render_init(kind, command=FAKE)
    path = tmp / "answer.bin"
    path.write_bytes(answer)
    call = "_awsenv_run '' '' hook --protocol 1 " + kind
    status = "; set -g _rc $status" if kind == "fish" else "; _rc=$?"
    return shells.run_and_read(kind, init + "\n" + call + status, [*names, "_rc", "PATH", "HOME"],
                               env={"AWSENV_TEST_ANSWER": str(path)})


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(VALUES, min_size=len(NAMES), max_size=len(NAMES)))
def test_values_round_trip_and_nothing_runs(kind: str, tmp_path: Path, values: list[str]) -> None:
    canary = tmp_path / "canary"
    recs = records.Records()
    for name, value in zip(NAMES, values, strict=True):
        recs.env(name, value)
    for i, evil in enumerate(hostile(canary)):
        recs.env(f"AWSENV_H{i}", evil)
    recs.env("PATH", "/evil")  # not an AWS_* name: ignored
    recs.env(f"AWS_X;touch {canary}", "x")
    recs.env(f"AWS_$(touch {canary})", "x")
    recs.add("unset", "HOME")
    recs.add("msg", f"$(touch {canary})")
    names = NAMES + [f"AWSENV_H{i}" for i in range(len(hostile(canary)))]
    res = apply(kind, tmp_path, recs.finish(0), names)
    assert not canary.exists()
    expected = values + hostile(canary)
    for name, value in zip(names, expected, strict=True):
        assert res.vars[name] == value.encode(), (name, value)
    assert res.vars["PATH"] != b"/evil" and res.vars["HOME"] is not None
    assert res.vars["_rc"] == b"0"
    assert f"$(touch {canary})".encode() in res.stderr  # the message, shown as text


@pytest.mark.parametrize("kind", KINDS)
def test_cut_short_or_unknown_records_apply_nothing(kind: str, tmp_path: Path) -> None:
    full = records.Records()
    full.env("AWS_T0", "applied")
    data = full.finish(3)
    res = apply(kind, tmp_path, data, ["AWS_T0"])
    assert res.vars["AWS_T0"] == b"applied" and res.vars["_rc"] == b"3"
    for broken in (data[:-3], data.replace(b"set\0", b"sex\0", 1), b"", b"end\0"):
        res = apply(kind, tmp_path, broken, ["AWS_T0"])
        assert res.vars["AWS_T0"] is None, broken
        assert res.vars["_rc"] == b"255"


@pytest.mark.parametrize("kind", KINDS)
def test_installing_twice_installs_once(kind: str) -> None:
    init = render_init(kind)
    if kind == "bash":
        for before, expect in (("PROMPT_COMMAND='echo x'", b"_awsenv_hook;echo x"),
                               ("PROMPT_COMMAND=(a 'b c')", b"_awsenv_hook|a|b c")):
            script = (f"{before}\n{init}\n{init}\n"
                      "X=$(IFS='|'; echo \"${PROMPT_COMMAND[*]}\")")
            res = shells.run_and_read("bash", script, ["X"])
            assert res.vars["X"] == expect, res.stderr
    elif kind == "zsh":
        script = (f"precmd_functions=(mine)\n{init}\n{init}\n"
                  "X=${(j:|:)precmd_functions}; Y=${(j:|:)chpwd_functions}")
        res = shells.run_and_read("zsh", script, ["X", "Y"])
        assert (res.vars["X"], res.vars["Y"]) == (b"_awsenv_hook|mine", b"_awsenv_hook")
    else:
        # One prompt handler before the first prompt and after it (the first
        # prompt defines it anew, after direnv's), however often init ran.
        count = ("(functions --handlers-type generic"
                 " | string match -r '_awsenv_(?:first_prompt|on_prompt)$' | count)")
        script = (f"{init}\n{init}\nset -g X {count}\n"
                  f"emit fish_prompt; {init}\nemit fish_prompt; emit fish_prompt\n"
                  f"set -g Y {count}")
        res = shells.run_and_read("fish", script, ["X", "Y"])
        assert (res.vars["X"], res.vars["Y"]) == (b"1", b"1"), res.stderr


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_installed_right_after_direnvs_hook(kind: str) -> None:
    """With direnv's hook already there, awsenv's goes right after it instead of first
    (README "Beside direnv"; the real direnv in tests/shell/test_beside_direnv.py)."""
    init = render_init(kind)
    if kind == "bash":
        cases = (("PROMPT_COMMAND='_direnv_hook;echo x'", b"_direnv_hook;_awsenv_hook;echo x"),
                 ("PROMPT_COMMAND='a; _direnv_hook'", b"a; _direnv_hook;_awsenv_hook"),
                 ("PROMPT_COMMAND=(a _direnv_hook 'b c')", b"a|_direnv_hook|_awsenv_hook|b c"),
                 ("PROMPT_COMMAND=('_direnv_hook;a' b)", b"_direnv_hook;a|_awsenv_hook|b"))
        for before, expect in cases:
            script = (f"{before}\n{init}\n{init}\n"
                      "X=$(IFS='|'; echo \"${PROMPT_COMMAND[*]}\")")
            res = shells.run_and_read("bash", script, ["X"])
            assert res.vars["X"] == expect, (before, res.stderr)
    else:
        script = (f"precmd_functions=(mine _direnv_hook)\nchpwd_functions=(_direnv_hook)\n"
                  f"{init}\n{init}\nX=${{(j:|:)precmd_functions}}; Y=${{(j:|:)chpwd_functions}}")
        res = shells.run_and_read("zsh", script, ["X", "Y"])
        assert (res.vars["X"], res.vars["Y"]) == (b"mine|_direnv_hook|_awsenv_hook",
                                                  b"_direnv_hook|_awsenv_hook"), res.stderr


HEAVY = ("boto3", "botocore", "keyring", "jinja2", "click")
PROBE = """
import sys
from awsenv.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
sys.exit(rc)
"""


def probe(args: list[str], cwd: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    code = PROBE.replace("{heavy!r}", repr(set(HEAVY)))
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          env={**os.environ, **extra}, timeout=60, check=False)


def test_hook_and_warm_env_use_are_stdlib_only(plain_config: Path, work: Path) -> None:
    proj = make_project(work, "proj", "dev\n")
    res = subprocess.run([sys.executable, "-m", "awsenv", "allow", str(proj)],
                         capture_output=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    found = str(proj / ".awsenv")
    res = probe(["hook", "--protocol", "1", "bash"], proj,
                {"_AWSENV_FOUND": found, "_AWSENV_PID": "4242", "PWD": str(proj)})
    assert res.returncode == 0, res.stderr
    assert b"HEAVY=\n" in res.stderr, res.stderr
    got = records.parse(res.stdout)
    assert ("set", "AWS_PROFILE", "dev") in got and ("tree", found) in got

    # env mode with a warm credential cache (its session signed in: creds.record.token_due)
    signed_in(8 * 3600)
    from awsenv.creds import cache
    from awsenv.environment import Environment

    paths = Environment.from_os().paths
    assert paths is not None
    now = time.time()
    cache.store(paths, {
        "access_key_id": "ASIAWARM", "secret_access_key": "s3cret", "session_token": "tok",
        "expiration": now + 3600, "fetched_at": now, "profile": "dev", "session_key": "corp",
        "account_id": "111111111111", "role_name": "Admin", "region": "eu-west-1",
    }, cache.config_stamp(paths))
    res = probe(["use", "--emit", "--protocol", "1", "--mode", "env", "dev"], work, {})
    assert res.returncode == 0, res.stderr
    assert b"HEAVY=\n" in res.stderr, res.stderr
    got = records.parse(res.stdout)
    assert ("set", "AWS_ACCESS_KEY_ID", "ASIAWARM") in got
    assert ("set", "AWS_CREDENTIAL_EXPIRATION", time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(now + 3600)))) in got
    assert ("unset", "AWS_PROFILE") not in got  # was not set: nothing to unset
    state = json.loads(next(r[1] for r in got if r[0] == "state"))
    # the state keeps fingerprints of what was set, never the secrets
    assert "s3cret" not in json.dumps(state) and "ASIAWARM" not in json.dumps(state)


def test_protocol_mismatch_is_one_line(plain_config: Path, work: Path) -> None:
    res = probe(["hook", "--protocol", "999", "bash"], work, {})
    assert res.returncode != 0
    assert records.parse(res.stdout) == [("end", str(res.returncode))]
    assert b"open a new shell" in res.stderr


@pytest.mark.parametrize("kind", [*KINDS, "pwsh"])
def test_init_bakes_the_absolute_command_and_protocol(kind: str) -> None:
    from awsenv.paths import awsenv_command
    from awsenv.shells.quote import quote

    res = subprocess.run([sys.executable, "-m", "awsenv", "init", kind], capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    command = awsenv_command()
    assert os.path.isabs(command[0])
    assert quote("zsh" if kind == "zsh" else kind, command[0]) in res.stdout
    assert f"hook protocol {records.PROTOCOL}" in res.stdout
    assert "Install:" in res.stdout
