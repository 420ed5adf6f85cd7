"""`awsenv use` through the shell hook answers like the binary: exit codes, --debug, --unset.

The hook's function only sees `awsenv use …`; what it gets back is a complete
answer or nothing (then 1). Usage errors used to arrive as nothing (exit 1
where the README's table and the binary say 2), `awsenv --debug use P` was
told the hook is missing, and `--unset` with nothing active failed while
`--unset P` silently ignored P.
"""

from __future__ import annotations

import re

import pytest
from _interactive import Shell
from _shellkit import plain_shell_fixture

from awsenv.errors import ExitCode

pytestmark = pytest.mark.shells



shell = plain_shell_fixture()


@pytest.mark.parametrize("args", ["--mdoe env dev", "dev extra", "dev --region",
                                  "--mode bogus dev"])
def test_usage_errors_exit_2_through_the_hook(shell: Shell, args: str) -> None:
    out = shell.run(f"awsenv use {args}")
    assert shell.status == ExitCode.USAGE, out
    assert "Traceback" not in out
    assert shell.var("AWS_PROFILE") is None


def test_debug_goes_after_use(shell: Shell) -> None:
    out = shell.run("awsenv --debug use dev")
    assert shell.status == ExitCode.USAGE, out
    assert "put --debug after `use`: `awsenv use --debug dev`" in out, out
    assert shell.var("AWS_PROFILE") is None
    out = shell.run("awsenv use --debug dev")
    assert shell.status == 0, out
    assert re.search(r"awsenv\[debug\] ", out), out
    assert shell.var("AWS_PROFILE") == "dev"


def test_unset_is_idempotent_and_takes_no_profile(shell: Shell) -> None:
    out = shell.run("awsenv use --unset")
    assert shell.status == 0 and "nothing to undo" in out, out
    shell.run("awsenv use ops")
    shell.run("awsenv use dev")
    out = shell.run("awsenv use --unset dev")
    assert shell.status == ExitCode.USAGE and "takes no profile" in out, out
    assert shell.var("AWS_PROFILE") == "dev"
    out = shell.run("awsenv use --unset")  # a `use` replaces the previous one
    assert shell.status == 0 and "dropped dev; restored the previous AWS settings" in out, out
    assert shell.var("AWS_PROFILE") is None
    out = shell.run("awsenv use --unset")
    assert shell.status == 0 and "nothing to undo" in out, out
    assert shell.var("AWS_PROFILE") is None
