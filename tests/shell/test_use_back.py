"""`awsenv use -` goes back to the previous identity, like `cd -` (issue #15).

The shell's own (unexported) state remembers what was shown before the last
`awsenv use` or `--unset`: so each shell has its own "previous", a child shell
starts without one, and going back twice returns where you were. Real bash,
zsh and fish through the hook; the warm env-mode answer stays on the lean path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _interactive import Shell
from _shellkit import make_project, plain_shell_fixture
from test_use_fast import LEAN, SLOW, USE, probe, warm

from awsenv.errors import ExitCode
from awsenv.shells import records

pytestmark = pytest.mark.shells



shell = plain_shell_fixture()


def test_use_dash_toggles_between_the_last_two(shell: Shell) -> None:
    out = shell.run("awsenv use -")
    assert shell.status == ExitCode.USAGE, out
    assert "no previous profile in this shell" in out and "Traceback" not in out, out

    shell.run("awsenv use --region ap-south-1 ops")
    shell.run("awsenv use dev")
    assert shell.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "dev",
                                                        "AWS_REGION": "eu-west-1"}
    out = shell.run("awsenv use -")
    assert shell.status == 0, out
    assert "awsenv: ops" in out, out
    # Back with the region it was used with (ops' own is us-east-2).
    assert shell.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "ops",
                                                        "AWS_REGION": "ap-south-1"}
    shell.run("awsenv use -")
    assert shell.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "dev",
                                                        "AWS_REGION": "eu-west-1"}


def test_use_dash_after_unset_and_from_nothing(shell: Shell) -> None:
    shell.run("awsenv use prod")
    out = shell.run("awsenv use --unset")
    assert shell.var("AWS_PROFILE") is None, out
    out = shell.run("awsenv use -")  # undo the unset
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "prod", out
    out = shell.run("awsenv use -")  # before prod there was nothing
    assert shell.status == 0 and shell.var("AWS_PROFILE") is None, out
    assert "dropped prod" in out, out
    shell.run("awsenv use -")
    assert shell.var("AWS_PROFILE") == "prod"


def test_a_tree_on_the_way_does_not_change_what_dash_returns_to(shell: Shell,
                                                               work: Path) -> None:
    tree = make_project(work, "infra", "profile = prod\n")
    shell.run("awsenv use ops")
    shell.run("awsenv use dev")
    shell.run(f"cd {tree}")
    out = shell.run("awsenv allow")
    assert shell.var("AWS_PROFILE") == "prod", out
    shell.run(f"cd {work}")
    assert shell.var("AWS_PROFILE") == "dev"
    out = shell.run("awsenv use -")  # an `.awsenv` is not a `use`: back to ops
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "ops", out


def test_warm_env_use_dash_stays_on_the_lean_path(plain_config: Path) -> None:
    warm("dev")
    warm("ops", region="us-east-2")
    shell = {"_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}
    got, _loaded, rc = probe([*USE, "ops"], shell)
    assert rc == 0
    state = next(r[1] for r in got if r[0] == "state")
    got, _loaded, rc = probe([*USE, "dev"], {**shell, "_AWSENV_STATE": state})
    state = next(r[1] for r in got if r[0] == "state")
    got, loaded, rc = probe(["use", "--emit", "--protocol", "1", "-"],
                            {**shell, "_AWSENV_STATE": state})
    assert rc == 0, got
    assert ("set", "AWS_ACCESS_KEY_ID", "ASIAOPS") in got
    assert ("msg", "awsenv: ops (us-east-2), env mode") in got
    awsenv = {m for m in loaded if m.split(".")[0] == "awsenv"}
    assert awsenv <= LEAN, sorted(awsenv - LEAN)
    assert not loaded & SLOW, sorted(loaded & SLOW)
    assert records  # the answer is the records protocol the shell applies
