"""Red-team attacks on the prompt hook's lean answer (awsenv.shells.fasthook, fa97dab) and
the trust rules' new home (awsenv.project.rules, 8aedef2).

The lean answer must only ever answer for a `.awsenv` trusted exactly as allowed, with
the full path's bytes (awsenv.shells.hook.hook), and step aside (None) for anything else.
Each hostile input below is one a cloned repository, an unpacked archive, another local
user or a stale record can bring; the property is checked on both paths in-process.
Each finding's test failed on the code before its fix (the shells are real bash, zsh and
fish): a byte that is not UTF-8 in a directory name reached the terminal raw; a
`.awsenv` dated in the future hid every other watched file from the shell; re-entering
an env-mode tree, or `use --mode env`, after `aws sso logout` handed out the cached role
credentials again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from support.other_user import OtherUser
from support.world import write_config

from awsenv.environment import Environment
from awsenv.project import trust
from awsenv.shells import fasthook, hook, profileindex, records

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "shell"))
from _interactive import Shell  # noqa: E402
from _shellkit import SSO_CONFIG, applied, hook_environ, signed_in, stored_credentials  # noqa: E402
from _shellkit import full_hook_answer as full  # noqa: E402

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]

# A directory name a cloned repository can carry (git stores names as bytes): 0x9B is
# CSI and 0x9D OSC to a terminal that reads 8-bit controls; 0xFF is no UTF-8 at all.
RAW = os.fsdecode(b"repo\x9b2J\x9d0;owned\x9c\xff")


@pytest.fixture
def warm(isolated_home: Path) -> Path:
    """The shell tests' config (dev, prod-admin, plain, a chain), signed in, index fresh."""
    write_config(SSO_CONFIG)
    signed_in(8 * 3600)
    store("dev")
    profileindex.build(*profileindex.location(os.environ))
    return isolated_home


def store(profile: str) -> Path:
    """A servable credential record for ``profile`` (as a fetch stores it)."""
    return stored_credentials(profile)


def project(parent: Path, name: str, data: bytes) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    (d / ".awsenv").write_bytes(data)
    (d / ".awsenv").chmod(0o644)
    return d / ".awsenv"


def allow(found: str | Path) -> str:
    """`awsenv allow` for the `.awsenv` at ``found``, spelled as given."""
    env = Environment.from_os()
    assert env.paths is not None
    directory, config = profileindex.of_paths(env.paths)
    loaded = trust.load(Path(found), profileindex.current(directory, config)[0])
    info = profileindex.info(directory, config, loaded.profile)
    assert info is not None
    trust.allow(env.paths.trust_dir, loaded, info.resolves())
    return os.fspath(found)


def messages(answer: bytes) -> list[str]:
    return [r[1] for r in records.parse(answer) if r[0] == "msg"]


# ---- the finding: bytes that are not UTF-8 in a file name reached the terminal raw ----

def test_a_byte_that_is_not_utf8_in_a_directory_name_is_shown_escaped(warm: Path,
                                                                      work: Path) -> None:
    """Untrusted (the full path's "asks for" line) and trusted (the lean answer's "from"
    line): every message is UTF-8 and shows the bytes as \\xHH, never the raw byte."""
    found = project(work, RAW, b"dev\n")
    untrusted = full(hook_environ(os.fspath(found)))
    asks = [m for m in messages(untrusted) if "asks for dev" in m]
    assert asks, messages(untrusted)
    allow(found)
    lean = fasthook.lean_answer(hook_environ(os.fspath(found)))
    assert lean is not None and lean == full(hook_environ(os.fspath(found)))
    entered = [m for m in messages(lean) if "from" in m]
    assert entered, messages(lean)
    for line in asks + entered:
        line.encode("utf-8")  # no lone surrogate: no raw byte when the record is written
        assert "repo\\x9b2J\\x9d0;owned\\x9c\\xff" in line, line
    # The records the shell reads as data (tree, watch) keep the real name.
    assert ("tree", os.fspath(found)) in records.parse(lean)


@pytest.mark.parametrize("kind", KINDS)
def test_cd_into_a_directory_named_with_raw_c1_bytes_writes_none_to_the_terminal(
        kind: str, warm: Path, work: Path) -> None:
    """A real shell: `cd` into the cloned tree prints the "asks for" line; the terminal
    gets no raw 0x9B (CSI) or 0x9D (OSC) byte (the name is typed as a variable)."""
    found = project(work, RAW, b"dev\n")
    sh = Shell(kind, warm, work, env={"RAWDIR": os.fspath(found.parent)})
    try:
        before = len(sh.transcript)
        sh.run("cd $RAWDIR" if kind == "fish" else 'cd "$RAWDIR"')
        out = sh.transcript[before:]
        assert b"asks for dev" in out, out
        assert b"\x9b" not in out and b"\x9d" not in out, out
        assert b"repo\\x9b2J\\x9d0;owned\\x9c\\xff" in out, out
    finally:
        sh.close()


# ---- a finding: one watched file dated in the future blinded every other watch ----

@pytest.mark.parametrize("kind", KINDS)
def test_a_future_dated_awsenv_does_not_hide_a_deny_or_a_moved_profile(
        kind: str, warm: Path, work: Path) -> None:
    """A tree unpacked from an archive keeps its files' dates, the future included. The
    shell compares every watched file (the trust stamp, the AWS config, the sign-in
    folder) with its reference file (`-nt`), which was dated as late as the latest watched
    file: a `.awsenv` dated 2100 made the shell miss `awsenv deny` and a profile moved to
    another account, and keep the old identity for as long as it stayed in the tree."""
    found = project(work, "unpacked", b"dev\n")
    allow(found)
    far = 4102444800 * 10**9  # 2100-01-01
    os.utime(found, ns=(far, far))
    sh = Shell(kind, warm, work)
    try:
        sh.run("cd unpacked")
        assert sh.var("AWS_PROFILE") == "dev"
        out = sh.run("awsenv deny . >/dev/null 2>&1")
        out += sh.run("")
        assert sh.var("AWS_PROFILE") is None, out
        assert "was denied" in out, out
        sh.run("awsenv allow . >/dev/null 2>&1")
        sh.run("")
        assert sh.var("AWS_PROFILE") == "dev"
        config = Path(os.environ["AWS_CONFIG_FILE"])
        config.write_text(SSO_CONFIG.replace("111111111111", "999999999999"))
        out = sh.run("")
        assert sh.var("AWS_PROFILE") is None, out
        assert "resolved to 111111111111/Developer" in out, out
    finally:
        sh.close()


# ---- what held: the lean answer is the full answer, or it steps aside ----

def trusted_cases(work: Path) -> dict[str, str]:
    """Hostile-looking files allowed as they are: the lean answer must give the full one."""
    cases: dict[str, str] = {}
    cases["crlf"] = allow(project(work, "crlf", b"profile = dev\r\nregion = sa-east-1\r\n"))
    cases["bom"] = allow(project(work, "bom", b"\xef\xbb\xbfdev\n"))
    cases["escapes in the name"] = allow(project(work, "e\x1b[2J\x9b\nx", b"dev\n"))
    cases["line separator in a comment"] = allow(
        project(work, "sep", "# dev\u2028prod-admin\n".encode()))
    cases["env mode"] = allow(project(work, "env", b"profile = dev\nmode = env\n"))
    real = project(work, "real", b"prod-admin\n")
    (work / "rel").mkdir()
    (work / "rel" / ".awsenv").symlink_to("../real/.awsenv")
    cases["relative link"] = allow(work / "rel" / ".awsenv")
    (work / "via").symlink_to("real")
    cases["directory link on the way"] = allow(work / "via" / ".awsenv")
    cases["two leading slashes"] = allow("/" + os.fspath(real))
    return cases


def unsure_cases(work: Path, other: OtherUser) -> dict[str, str]:
    """Files the lean answer must leave to the full path (refused, unknown, not as allowed)."""
    cases: dict[str, str] = {}
    for name, data in {
        "second profile line": b"dev\nprofile = prod-admin\n",
        "duplicate key": b"profile = dev\nregion = eu-west-1\nregion = us-east-1\n",
        "unicode digit region": "profile = dev\nregion = us-east-\u0661\n".encode(),
        "NUL": b"dev\0\n",
        "not UTF-8": b"d\xffev\n",
        "huge": b"dev\n" + b"#" * 5000 + b"\n",
        "unknown profile": b"nosuch\n",
        "team file": b"account = 111111111111\nrole = Developer\n",
        "chain": b"hop\n",
    }.items():
        cases[name] = os.fspath(project(work, name.replace(" ", "-"), data))
    allow(cases["chain"])  # allowed, but a chain's credentials are the full path's
    allowed = project(work, "spelled", b"dev\n")
    allow(allowed)
    cases["allowed at another spelling"] = "/" + os.fspath(allowed)
    cases["trailing slash"] = os.fspath(allowed) + "/"
    cases["dot segment"] = os.fspath(allowed.parent) + "/./.awsenv"
    cases["dot-dot segment"] = os.fspath(allowed.parent) + "/../spelled/.awsenv"
    cases["doubled slash"] = os.fspath(allowed.parent) + "//.awsenv"
    cases["relative"] = os.path.relpath(allowed)
    cases["the directory"] = os.fspath(allowed.parent)
    fifo = work / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / ".awsenv")
    cases["FIFO"] = os.fspath(fifo / ".awsenv")
    (work / "zero").mkdir()
    (work / "zero" / ".awsenv").symlink_to("/dev/zero")
    cases["link to a device"] = os.fspath(work / "zero" / ".awsenv")
    # Another local user's directory on the way (allowed while it was the user's).
    theirs = project(work, "theirs", b"dev\n")
    allow(theirs)
    os.chown(theirs.parent, other.uid, other.gid)
    cases["another user's directory"] = os.fspath(theirs)
    # Another local user's symlink on the way (allowed while it was the user's).
    target = project(work, "target", b"dev\n")
    (work / "hop-link").symlink_to("target")
    allow(work / "hop-link" / ".awsenv")
    os.lchown(work / "hop-link", other.uid, other.gid)
    cases["another user's link on the way"] = os.fspath(work / "hop-link" / ".awsenv")
    assert target.exists()
    return cases


def test_lean_answers_exactly_as_the_full_path_or_steps_aside(
        warm: Path, work: Path, other_user: OtherUser) -> None:
    trusted = trusted_cases(work)
    unsure = unsure_cases(work, other_user)
    profileindex.build(*profileindex.location(os.environ))
    for why, found in trusted.items():
        environ = hook_environ(found)
        lean = fasthook.lean_answer(environ)
        assert lean is not None, why
        assert lean == full(environ), why
        names = {r[1] for r in records.parse(lean) if r[0] == "set"}
        assert names & {"AWS_PROFILE", "AWS_ACCESS_KEY_ID"}, why  # it did switch
    for why, found in unsure.items():
        assert fasthook.lean_answer(hook_environ(found)) is None, why


def test_env_mode_never_takes_another_profiles_or_configs_credentials(
        warm: Path, work: Path) -> None:
    """A record in dev's place holding prod-admin's keys, or one written for another AWS
    config, or a stale one: the lean answer steps aside (the full path fetches)."""
    found = allow(project(work, "env", b"profile = dev\nmode = env\n"))
    assert fasthook.lean_answer(hook_environ(found)) is not None
    mine = store("dev")
    good = mine.read_bytes()
    theirs = store("prod-admin")
    mine.write_bytes(theirs.read_bytes())
    assert fasthook.lean_answer(hook_environ(found)) is None
    record = json.loads(good)
    record["config"] = "/elsewhere/config"
    mine.write_text(json.dumps(record))
    assert fasthook.lean_answer(hook_environ(found)) is None
    record = json.loads(good)
    record["stamp"] = [1, 2, 3]
    mine.write_text(json.dumps(record))
    assert fasthook.lean_answer(hook_environ(found)) is None
    mine.write_bytes(good)
    assert fasthook.lean_answer(hook_environ(found)) is not None


def test_a_profile_that_moved_is_never_answered_stale_or_rebuilt(warm: Path,
                                                                work: Path) -> None:
    found = allow(project(work, "moved", b"dev\n"))
    assert fasthook.lean_answer(hook_environ(found)) is not None
    config = Path(os.environ["AWS_CONFIG_FILE"])
    before = config.stat()
    # The same size, a later date: only the stamp tells the index it is stale.
    config.write_text(SSO_CONFIG.replace("111111111111", "999999999999"))
    later = before.st_mtime_ns + 10**9  # not within the clock's tick of the first write
    os.utime(config, ns=(later, later))
    assert config.stat().st_size == before.st_size
    assert config.stat().st_ino == before.st_ino
    assert fasthook.lean_answer(hook_environ(found)) is None
    profileindex.build(*profileindex.location(os.environ))
    assert fasthook.lean_answer(hook_environ(found)) is None
    assert b"resolved to 111111111111/Developer" in full(hook_environ(found))


# ---- a session that ended: env mode's cached role credentials ----

def test_reentering_an_env_mode_tree_after_aws_sso_logout_hands_out_no_credentials(
        warm: Path, work: Path) -> None:
    """`aws sso logout` deletes the AWS CLI's token file, not awsenv's role records. The
    hook drops an env-mode identity's credentials at the next prompt (signed out); leaving
    the tree and coming back must not put them back in the shell (credential-process,
    reading the same record, hands out nothing until an awsenv process renews the sign-in
    or finds it over: creds.record.token_due)."""
    found = allow(project(work, "env", b"profile = dev\nmode = env\n"))
    token = signed_in(8 * 3600)
    inside = applied(hook_environ(found), full(hook_environ(found)))
    assert inside["AWS_ACCESS_KEY_ID"] == "ASIADEV"
    token.unlink()  # aws sso logout
    stayed = applied(inside, full({**inside, "_AWSENV_REASON": ""}))
    assert "AWS_ACCESS_KEY_ID" not in stayed
    gone = {**stayed, "_AWSENV_FOUND": "", "_AWSENV_REASON": ""}
    left = applied(gone, full(gone))
    back = {**left, "_AWSENV_FOUND": found, "_AWSENV_REASON": ""}
    assert fasthook.lean_answer(back) is None
    answer = full(back)
    again = applied(back, answer)
    assert "AWS_ACCESS_KEY_ID" not in again, messages(answer)
    assert any("not signed in" in m or "sign in" in m for m in messages(answer)), \
        messages(answer)


def test_use_mode_env_after_aws_sso_logout_refuses_instead_of_serving_the_cache(
        warm: Path) -> None:
    """The README: `awsenv use P` while signed out refuses (exit 3). In env mode both the
    fast answer (shells.fastuse) and the full one served the cached role record after
    `aws sso logout` instead."""
    from awsenv.errors import NotSignedIn
    from awsenv.shells import fastuse

    environ = {**hook_environ(""), "_AWSENV_REASON": ""}
    assert fastuse.warm_env_answer(environ, "dev", None) is not None
    signed_in(8 * 3600).unlink()  # aws sso logout
    assert fastuse.warm_env_answer(environ, "dev", None) is None
    with pytest.raises(NotSignedIn):
        hook.use(Environment(environ=environ), "dev", mode="env")


# ---- the shared botocore session (auth.clients, ec0ed26) ----

def test_one_process_clients_follow_each_endpoint_and_profile(warm: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """Clients made one after another in one process (as `serve` makes them) each get the
    endpoint their environment and config say at that moment (the session is made again
    when they change), and no handler of an earlier client rides along on a later one."""
    from awsenv.auth import clients

    env = Environment.from_os()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:1")
    first = clients.portal(env, "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:2")
    second = clients.portal(env, "eu-west-1")
    assert first.meta.endpoint_url == "http://127.0.0.1:1"
    assert second.meta.endpoint_url == "http://127.0.0.1:2"
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSO")
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(SSO_CONFIG.replace("[profile dev]\n", "[profile dev]\nservices = local\n")
                      + "\n[services local]\nsso =\n  endpoint_url = http://127.0.0.1:3\n")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    third = clients.portal(env, "eu-west-1")
    assert third.meta.endpoint_url == "http://127.0.0.1:3"
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    fourth = clients.portal(env, "eu-west-1")
    assert fourth.meta.endpoint_url != "http://127.0.0.1:3"
    # Each client has its own copy of the events (botocore copies the session's emitter),
    # so one client's deadline watcher never runs for another's calls.
    assert first.meta.events is not second.meta.events
