"""`"picker": "fzf"` in awsenv's settings: `awsenv use` hands the picker to fzf (issue #15).

Real bash, zsh and fish with the hook, the real fzf (Debian's, `.ci/run`
installs it): a filter typed into fzf and Enter switch the shell exactly as
`awsenv use P` does; Esc leaves everything as it was (exit 130). The rows
reach fzf over a pipe on its stdin and none is in its argv. fzf asks the
terminal where the cursor is (it draws below it, `--height`) and waits for
the answer, so the test answers as a terminal does. fzf missing: one line
naming the fix, exit 1, nothing switched. Where fzf (or a shell) is not
installed these tests skip, and under CI they fail (.ci/run installs them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from _interactive import Shell
from support.world import write_config
from test_picker import (
    CONFIG,
    ENTER,
    ESC,
    KINDS,
    esc_leaves_all_as_it_was,
    keep_listing,
    need,
    press,
)

from awsenv.errors import ExitCode
from awsenv.paths import Paths, awsenv_command
from awsenv.shells import records
from awsenv.shells.records import PROTOCOL

pytestmark = pytest.mark.shells

CPR_ASK = "\x1b[6n"  # fzf asks where the cursor is; a terminal answers
CPR_ANSWER = "\x1b[2;1R"


def use_fzf() -> None:
    settings = Paths.from_environ(os.environ).settings_file
    settings.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.write_text(json.dumps({"version": 1, "picker": "fzf"}))
    settings.chmod(0o600)


@pytest.fixture(params=KINDS)
def shell(request: pytest.FixtureRequest, isolated_home: Path, tmp_path: Path
          ) -> Iterator[Shell]:
    need(str(request.param))
    need("fzf")
    write_config(CONFIG)
    keep_listing({"222222222222": "Payments", "333333333333": "Storefront"})
    use_fzf()
    sh = Shell(str(request.param), isolated_home, tmp_path,
               env={"TERM": "xterm", "FZF_DEFAULT_OPTS": ""})
    yield sh
    sh.close()


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``: its pid -> its name (from /proc)."""
    parents: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        parents[int(entry)] = (int(stat[stat.rindex(")") + 2:].split()[1]), name)
    out: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        here = frontier.pop()
        for child, (parent, name) in parents.items():
            if parent == here and child not in out:
                out[child] = name
                frontier.append(child)
    return out


def fzf(shell: Shell, command: str = "awsenv use") -> str:
    """Type ``command`` and wait until fzf has all four rows (4/4) and has drawn them
    (their last word, shop-prod's region), answering its cursor position requests;
    what the terminal showed."""
    shell.child.sendline(command)
    shown = b""
    drawn = b""  # what fzf drew: everything after its first cursor position request
    asked = False
    while shell.child.expect_exact([CPR_ASK, "4/4"]) == 0:
        shown += shell.child.before
        drawn += shell.child.before if asked else b""
        asked = True
        shell.child.send(CPR_ANSWER)
    shown += shell.child.before + shell.child.after
    drawn += shell.child.before if asked else b""
    if b"us-west-2" not in drawn:
        # fzf redraws only what changed: under load it can draw the rows in a frame whose
        # count is not final yet and then only the count, so the region comes before
        # "4/4" (a 3.13 wheel run under load waited 60 s for it after). Only fzf's own
        # output counts: the shell's echo and earlier commands' lines come before it asks.
        shell.child.expect_exact("us-west-2")
        shown += shell.child.before + shell.child.after
    assert "fzf" in descendants(shell.child.pid).values()  # not the builtin picker
    return shown.decode("utf-8", "replace")


def test_typing_into_fzf_and_enter_switch_the_shell(shell: Shell) -> None:
    shown = fzf(shell)
    for text in ("awsenv use>", "payments-admin", "Payments", "222222222222/Admin",
                 "shop-prod", "[PROD]", "Storefront"):
        assert text in shown, shown
    shell.child.send("store")  # the account name finds shop-prod
    shell.child.expect_exact("1/4")  # fzf filtered (it matches on its own thread)
    out = press(shell, ENTER)
    assert shell.status == 0, out
    assert "awsenv: shop-prod [PROD] (333333333333/ReadOnly, us-west-2)" in out, out
    assert shell.vars("AWS_PROFILE", "AWS_REGION") == {"AWS_PROFILE": "shop-prod",
                                                        "AWS_REGION": "us-west-2"}
    # The choice counts as recent for either picker: first next time, Enter takes it.
    fzf(shell, "awsenv use --unset; awsenv use")
    out = press(shell, ENTER)
    assert shell.status == 0 and shell.var("AWS_PROFILE") == "shop-prod", out


def test_esc_in_fzf_leaves_everything_as_it_was(shell: Shell) -> None:
    esc_leaves_all_as_it_was(shell, fzf)
    out = shell.run("awsenv use -")  # the shell's state is intact: dev's predecessor
    assert shell.status == 0 and shell.var("AWS_PROFILE") is None, out


def test_rows_reach_fzf_over_a_pipe_not_its_argv(isolated_home: Path, tmp_path: Path) -> None:
    need("fzf")
    write_config(CONFIG)
    use_fzf()
    sh = Shell("bash", isolated_home, tmp_path, env={"TERM": "xterm", "FZF_DEFAULT_OPTS": ""})
    try:
        fzf(sh)
        found = [p for p, name in descendants(sh.child.pid).items() if name == "fzf"]
        argv = Path(f"/proc/{found[0]}/cmdline").read_bytes().split(b"\0")
        assert not any(n in a for a in argv for n in (b"dev", b"ops", b"payments", b"shop"))
        assert os.readlink(f"/proc/{found[0]}/fd/0").startswith("pipe:")
        press(sh, ESC)
        assert sh.status == ExitCode.INTERRUPTED
    finally:
        sh.close()


def test_fzf_missing_is_one_line_and_nothing_switches(isolated_home: Path) -> None:
    """The hook's own command on a terminal, fzf not on PATH: the line names both fixes,
    exit 1 in the answer, nothing set."""
    write_config(CONFIG)
    use_fzf()
    env = {**os.environ, "TERM": "xterm", "_AWSENV_FOUND": "", "_AWSENV_PID": "1",
           "PATH": str(isolated_home / "empty")}
    out = isolated_home / "answer"
    child = pexpect.spawn("/bin/sh", ["-c", '"$@" > "$0"', str(out), *awsenv_command(),
                                      "use", "--emit", "--protocol", str(PROTOCOL)],
                          env=env, timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    said = child.before.decode("utf-8", "replace")
    settings = Paths.from_environ(os.environ).settings_file
    assert child.exitstatus == 1, said
    assert said.strip() == (f'awsenv: the "picker" setting is "fzf" but no fzf is on PATH; '
                            f'install fzf, or set "picker": "builtin" in {settings}'), said
    assert records.parse(out.read_bytes()) == [("end", "1")]


def test_a_picker_setting_awsenv_does_not_know_is_one_line(isolated_home: Path) -> None:
    write_config(CONFIG)
    settings = Paths.from_environ(os.environ).settings_file
    settings.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings.write_text('{"picker": "skim"}')
    settings.chmod(0o600)
    env = {**os.environ, "TERM": "xterm", "_AWSENV_FOUND": "", "_AWSENV_PID": "1"}
    child = pexpect.spawn(awsenv_command()[0], [*awsenv_command()[1:], "export"], env=env,
                          timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    said = child.before.decode("utf-8", "replace")
    assert child.exitstatus == ExitCode.CONFIG, said
    assert f"awsenv: awsenv settings file {settings} has picker 'skim' (expected builtin or " \
           "fzf)" in said, said
    assert "Traceback" not in said
