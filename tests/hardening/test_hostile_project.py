"""Hostile `.awsenv` files: never executed, never applied without trust, never a crash.

A `.awsenv` arrives with `git clone`/`git pull`, so it is the least trusted
input awsenv reads. Checked here: a corpus of nasty files plus hypothesis
bytes through the hook's own evaluation (only AwsenvError may come out, and
nothing applies until `awsenv allow`), symlinks to other files and loops, a
file swapped between the safety check and the read, and a sample through the
real prompt hook in interactive bash with a canary file that any execution
would create.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsenv.awsconfig import names
from awsenv.environment import Environment
from awsenv.errors import AwsenvError
from awsenv.project import trust
from awsenv.project.file import find
from awsenv.shells import hook, profileinfo

TESTS = Path(__file__).resolve().parents[1]
CONFIG = "[profile dev]\nregion = eu-west-1\n\n[profile prod]\nregion = us-east-1\n"


def corpus(canary: Path) -> list[bytes]:
    c = str(canary).encode()
    return [
        b"$(touch " + c + b")\n",
        b"`touch " + c + b"`\n",
        b"profile = dev; touch " + c + b"\n",
        b"profile = $(touch " + c + b")\n",
        b"profile = dev\nregion = $(touch " + c + b")\n",
        b"dev\ntouch " + c + b"\n",
        b"profile = dev\ncredential_process = touch " + c + b"\n",
        b"profile = dev\nendpoint_url = http://evil.example\n",
        b"profile = dev\nAWS_CA_BUNDLE = /tmp/evil.pem\n",
        b"profile = dev\nmode = env\x00; touch " + c + b"\n",
        b"\x00dev\n",
        b"dev\x00\n",
        b"\xff\xfe\xfd\n",
        b"\xef\xbb\xbfprofile = dev\n",
        b"profile = dev\r\nregion = us-east-1\r\n",
        b"profile = dev\nregion = eu-west-1\x1b[2J\x1b]0;owned\x07\n",
        "profile = d\u202eev\n".encode(),
        b"profile = ../../../etc/passwd\n",
        b"profile = 'dev'\n",
        b'profile = "dev"\n',
        b"profile = dev\nprofile = prod\n",
        b"[profile dev]\nregion = eu-west-1\n",
        b"profile = no-such-profile\n",
        b"profile =\n",
        b"= dev\n",
        b"mode = env\n",
        b"x" * 5000,
        b"profile = dev\n" + b"#" * 100_000 + b"\n",
        b"profile = dev\n" * 1000,
        b"dev\n" + b"\n" * 5000,
        b"",
    ]


@pytest.fixture
def env(isolated_home: Path) -> Environment:
    cfg = Path(os.environ["AWS_CONFIG_FILE"])
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(CONFIG)
    return Environment.from_os()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir(mode=0o700)
    os.chmod(tmp_path, 0o700)
    return d


def resolves(env: Environment, profile: str) -> dict[str, str]:
    """What ``profile`` resolves to now (what an allow record is bound to)."""
    assert env.paths is not None
    info = profileinfo.load(env.paths.aws_config_file, profile)
    assert info is not None
    return info.resolves()


def evaluate(env: Environment, found: Path) -> tuple[str | None, object, str]:
    """The hook's own verdict; anything but an AwsenvError escaping is a crash."""
    return hook.evaluate(env, os.fspath(found))


def test_corpus_never_executes_and_never_applies_untrusted(env: Environment, work: Path,
                                                           tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    assert env.paths is not None
    for i, data in enumerate(corpus(canary)):
        d = work / f"p{i}"
        d.mkdir()
        path = d / ".awsenv"
        path.write_bytes(data)
        path.chmod(0o600)
        tree, project, line = evaluate(env, path)
        assert tree is None, data[:60]  # never applied before `awsenv allow`
        assert "\n" not in line and "\x1b" not in line and "\x00" not in line, line
        if project is not None:
            # Parsable: allowing it applies exactly these bytes, and nothing runs.
            trust.allow(env.paths.trust_dir, project,  # type: ignore[arg-type]
                        resolves(env, project.profile))  # type: ignore[attr-defined]
            tree, _, _ = evaluate(env, path)
            assert tree == os.fspath(path)
            data2 = data + b"\n# edited\n"
            path.write_bytes(data2)
            assert evaluate(env, path)[0] is None  # any edit: untrusted again
    assert not canary.exists()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=6000),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300).map(
        lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([b"profile", b"region", b"mode", b"=", b" ", b"\n", b"dev",
                              b"env", b"$(", b"`", b";", b"\x00", b"\r", b"eu-west-1",
                              b"\xff", b"#", b"'", b'"']), max_size=40).map(b"".join),
))
def test_fuzzed_files_only_ever_give_one_line(env: Environment, work: Path,
                                              data: bytes) -> None:
    path = work / ".awsenv"
    path.write_bytes(data)
    path.chmod(0o600)
    assert env.paths is not None
    try:
        project = trust.load(path, names.profile_names(env.paths.aws_config_file))
    except AwsenvError as exc:
        assert "\n" not in exc.line()
        assert "\x00" not in exc.line() and "\x1b" not in exc.line()
    else:
        assert project.profile in ("dev", "prod")
        assert trust.status(env.paths.trust_dir, project,
                            resolves(env, project.profile)) is not trust.Trust.ALLOWED
    tree, _, line = evaluate(env, path)
    assert tree is None
    assert "\n" not in line


def test_symlinks_to_other_files_loops_and_specials(env: Environment, work: Path) -> None:
    assert env.paths is not None
    cases = {
        "to-aws-config": os.fspath(env.paths.aws_config_file),
        "to-passwd": "/etc/passwd",
        "to-dev-zero": "/dev/zero",
        "dangling": os.fspath(work / "nowhere"),
        "to-dir": os.fspath(work),
    }
    for name, target in cases.items():
        d = work / name
        d.mkdir()
        (d / ".awsenv").symlink_to(target)
    loop = work / "loop"
    loop.mkdir()
    (loop / ".awsenv").symlink_to(loop / ".awsenv")
    fifo = work / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / ".awsenv")  # reading it would block the prompt forever
    for d in [*(work / n for n in cases), loop, fifo]:
        path = d / ".awsenv"
        if d.name == "to-dir":
            assert find(d) is None  # a (link to a) directory is not a .awsenv
            continue
        assert find(d) == path
        tree, project, line = evaluate(env, path)
        assert tree is None and project is None, d
        assert line.startswith("awsenv: ") and "\n" not in line, line


def test_a_link_to_an_allowed_file_is_another_file(env: Environment, work: Path) -> None:
    """Trust is keyed on the path a `.awsenv` is found at (and bound to its target): a
    link elsewhere to an allowed file asks again, as does a copy of the same bytes."""
    assert env.paths is not None
    real = work / "real"
    real.mkdir()
    (real / ".awsenv").write_text("dev\n")
    trust.allow(env.paths.trust_dir, trust.load(real / ".awsenv", ["dev"]), resolves(env, "dev"))
    assert evaluate(env, real / ".awsenv")[0] == os.fspath(real / ".awsenv")
    copy = work / "copy"
    copy.mkdir()
    (copy / ".awsenv").write_text("dev\n")
    assert evaluate(env, copy / ".awsenv")[0] is None  # same bytes, other path
    link = work / "link"
    link.mkdir()
    (link / ".awsenv").symlink_to(real / ".awsenv")
    tree, project, line = evaluate(env, link / ".awsenv")
    assert tree is None and project is not None and "asks for dev" in line


def test_file_swapped_between_check_and_read(env: Environment, work: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes that are hashed for trust are the bytes that were read and parsed."""
    assert env.paths is not None
    path = work / ".awsenv"
    path.write_text("dev\n")
    path.chmod(0o600)
    trust.allow(env.paths.trust_dir, trust.load(path, ["dev", "prod"]), resolves(env, "dev"))
    assert evaluate(env, path)[0] == os.fspath(path)
    real_check = trust.check_safe

    def check_then_swap(p: Path) -> Path:
        real = real_check(p)
        tmp = work / ".swap"
        tmp.write_text("prod\n")
        tmp.chmod(0o600)
        os.replace(tmp, real)  # the attacker's atomic swap after the check
        return real

    monkeypatch.setattr(trust, "check_safe", check_then_swap)
    tree, project, line = evaluate(env, path)
    assert tree is None  # "prod" was never allowed
    assert project is not None and project.profile == "prod"  # type: ignore[attr-defined]
    assert "asks for prod" in line


@pytest.mark.shells
def test_real_bash_hook_with_hostile_files(env: Environment, work: Path,
                                           tmp_path: Path, isolated_home: Path) -> None:
    sys.path.insert(0, str(TESTS / "shell"))
    from _interactive import Shell

    canary = tmp_path / "CANARY"
    sample = corpus(canary)
    picks = [0, 1, 2, 3, 4, 9, 12, 15, 16, 26]
    dirs = []
    for i in picks:
        d = work / f"h{i}"
        d.mkdir()
        (d / ".awsenv").write_bytes(sample[i])
        (d / ".awsenv").chmod(0o600)
        dirs.append(d.name)
    evil = work / "$(touch CANARY2)`touch CANARY3`"
    evil.mkdir()
    (evil / ".awsenv").write_text("dev\n")
    sh = Shell("bash", isolated_home, work)
    try:
        for name in dirs:
            out = sh.run(f"cd {work / name}")
            assert sh.status == 0, out
            assert "Traceback" not in out
            assert sh.var("AWS_PROFILE") is None
        out = sh.run("cd " + "'" + str(evil) + "'")
        assert "Traceback" not in out
        assert "asks for dev" in out  # the hook did read it, as data
        out = sh.run("echo alive")
        assert "alive" in out
    finally:
        sh.close()
    assert not canary.exists()
    assert not list(work.rglob("CANARY*")) and not list(isolated_home.rglob("CANARY*"))
