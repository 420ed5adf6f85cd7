"""The prompt hook answered from warm local state, before the full hook module loads (#19).

The lean answer (awsenv.shells.fasthook) must load only stdlib-lean modules
(the guard behind bench's hook figure), must be the full path's answer
(awsenv.shells.hook.hook) byte for byte, and must step aside whenever it
cannot be sure: a file not trusted as it stands, a record someone else could
have written, a stale index, a refresh or renewal due, a chain, a team's file.
The trust rules themselves have one home (awsenv.project.rules), which the
full path's tests (tests/hardening/test_trust_symlinks.py, ...) exercise.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from _shellkit import SSO_CONFIG, applied, hook_environ, make_project, signed_in, stored_credentials
from _shellkit import full_hook_answer as full
from support.loaded import run as loaded_by
from support.other_user import OtherUser
from support.world import write_config

from awsenv.creds import cache
from awsenv.environment import Environment
from awsenv.project import trust
from awsenv.shells import fasthook, hook, profileindex, records

# What the lean answer may load beyond the interpreter's own start: these awsenv
# modules, and of the standard library only the C codec and the builtin digests.
LEAN = {"awsenv", "awsenv.cli", "awsenv.cli.fastpath", "awsenv.shells", "awsenv.shells.fasthook",
        "awsenv.shells.hookanswer", "awsenv.shells.answer", "awsenv.shells.records",
        "awsenv.shells.state", "awsenv.shells.refs", "awsenv.shells.profileindex",
        "awsenv.fastsettings", "awsenv.creds",
        "awsenv.creds.record", "awsenv.project", "awsenv.project.rules", "awsenv.fastjson",
        "awsenv.digest", "awsenv.locations", "awsenv.textsafe"}
STDLIB = {"__future__", "_json", "_sha1", "_sha2", "_sha256"}
SLOW = {"pathlib", "dataclasses", "enum", "re", "json", "typing", "inspect", "click", "boto3",
        "botocore", "keyring", "jinja2", "contextlib", "collections", "functools", "datetime"}
HOOK = ["hook", "--protocol", "1", "bash"]


def warm(profile: str) -> Path:
    """A servable credential record for ``profile``, as a fetch would have stored it."""
    return stored_credentials(profile)


def allow(tree: Path) -> Path:
    """`awsenv allow` for the `.awsenv` in ``tree`` (its found path)."""
    env = Environment.from_os()
    assert env.paths is not None
    directory, config = profileindex.of_paths(env.paths)
    found = tree / ".awsenv"
    project = trust.load(found, profileindex.current(directory, config)[0])
    info = profileindex.info(directory, config, project.profile)
    assert info is not None
    trust.allow(env.paths.trust_dir, project, info.resolves())
    return found


@pytest.fixture
def world(isolated_home: Path, work: Path) -> dict[str, Path]:
    """The config, a valid sign-in, a fresh index, and trusted trees."""
    write_config(SSO_CONFIG)
    signed_in(8 * 3600)
    trees = {
        "a": make_project(work, "a", "dev\n"),
        "b": make_project(work, "b", "prod-admin\n"),
        "region": make_project(work, "region", "profile = dev\nregion = sa-east-1\n"),
        "env": make_project(work, "env", "profile = dev\nmode = env\n"),
        "plain": make_project(work, "plain", "plain\n"),
    }
    trees["inner"] = make_project(trees["a"], "inner", "# the inner tree\nprod-admin\n")
    for tree in trees.values():
        allow(tree)
    warm("dev")
    profileindex.build(*profileindex.location(os.environ))
    return trees


def probe(environ: dict[str, str]) -> tuple[list[tuple[str, ...]], set[str], int]:
    out, loaded, rc = loaded_by(HOOK, environ)
    return records.parse(out), loaded, rc


def test_entering_a_trusted_tree_loads_only_the_lean_modules(world: dict[str, Path]) -> None:
    environ = hook_environ(world["a"] / ".awsenv")
    probe(environ)  # a new shell's first answer creates its reference file
    got, loaded, rc = probe(environ)
    assert rc == 0
    assert ("set", "AWS_PROFILE", "dev") in got
    assert ("msg", f"awsenv: dev (111111111111/Developer, eu-west-1) from "
                   f"{world['a']}/.awsenv") in got
    awsenv = {m for m in loaded if m.split(".")[0] == "awsenv"}
    assert awsenv <= LEAN, sorted(awsenv - LEAN)
    assert "awsenv.shells.fasthook" in awsenv and "awsenv.project.rules" in awsenv
    assert loaded - awsenv <= STDLIB, sorted(loaded - awsenv - STDLIB)
    assert not loaded & SLOW


@pytest.mark.parametrize("case", ["enter", "env-mode", "region", "prod", "no-session", "nested",
                                  "leave", "between", "stay", "over-use", "hand-edited",
                                  "leave-to-use", "no-pid", "refresh-early"])
def test_lean_and_full_answers_agree(world: dict[str, Path], case: str) -> None:
    a = world["a"] / ".awsenv"
    target = {"env-mode": world["env"], "region": world["region"], "prod": world["b"],
              "no-session": world["plain"], "nested": world["inner"], "between": world["b"],
              }.get(case, world["a"]) / ".awsenv"
    environ = hook_environ(target)
    if case in ("nested", "leave", "between", "stay", "hand-edited", "leave-to-use",
                "refresh-early"):
        environ = {**applied(hook_environ(a), full(hook_environ(a))),
                   "_AWSENV_FOUND": os.fspath(target)}
    if case in ("over-use", "leave-to-use"):
        used = hook.use(Environment(environ={**environ, "_AWSENV_FOUND": ""}), "prod-admin",
                        mode="profile").finish(0)
        environ = {**applied(environ, used), "_AWSENV_FOUND": os.fspath(target)}
    if case in ("leave", "hand-edited", "leave-to-use"):
        environ["_AWSENV_FOUND"] = ""
    if case == "hand-edited":
        environ["AWS_REGION"] = "ap-south-1"
    if case == "no-pid":
        environ.pop("_AWSENV_PID")
    if case == "refresh-early":  # the shell's clock ran ahead of the refresh time
        environ["_AWSENV_REASON"] = "refresh"
    lean = fasthook.lean_answer(environ)
    assert lean is not None
    assert lean == full(environ)
    recs = records.parse(lean)
    if case == "prod":
        assert ("msg", f"awsenv: prod-admin [PROD] (333333333333/Admin, us-east-1) from "
                       f"{world['b']}/.awsenv") in recs
    if case == "env-mode":
        assert ("set", "AWS_ACCESS_KEY_ID", "ASIADEV") in recs
    if case == "leave":
        assert ("msg", f"awsenv: left {world['a']}: restored the previous AWS settings") in recs
    if case == "hand-edited":
        assert ("msg", "awsenv: kept AWS_REGION (changed by hand)") in recs


def test_a_link_to_a_trusted_file_agrees_and_is_watched(world: dict[str, Path],
                                                        work: Path) -> None:
    (work / "alias").symlink_to(world["a"])
    found = allow(work / "alias")
    environ = hook_environ(found)
    lean = fasthook.lean_answer(environ)
    assert lean is not None and lean == full(environ)
    assert ("watch", os.fspath(work)) in records.parse(lean)  # the link's directory


def _untrusted_trees(world: dict[str, Path], work: Path, other_user: OtherUser) -> dict[str, str]:
    """Each way a `.awsenv` in play can be one the lean answer must not decide."""
    env = Environment.from_os()
    assert env.paths is not None
    cases: dict[str, str] = {}
    cases["not allowed"] = os.fspath(make_project(work, "new", "dev\n") / ".awsenv")
    edited = make_project(work, "edited", "dev\n")
    allow(edited)
    (edited / ".awsenv").write_text("prod-admin\n")
    cases["edited"] = os.fspath(edited / ".awsenv")
    denied = make_project(work, "denied", "dev\n")
    allow(denied)
    trust.deny(env.paths.trust_dir, denied / ".awsenv")
    cases["denied"] = os.fspath(denied / ".awsenv")
    linked = work / "linked"
    linked.mkdir()
    (linked / ".awsenv").symlink_to(world["a"] / ".awsenv")
    allow(linked)
    (linked / ".awsenv").unlink()
    (linked / ".awsenv").symlink_to(world["b"] / ".awsenv")  # re-pointed since allowed
    cases["re-pointed"] = os.fspath(linked / ".awsenv")
    shared = make_project(work, "shared", "dev\n")
    allow(shared)
    (shared / ".awsenv").chmod(0o664)
    cases["group-writable file"] = os.fspath(shared / ".awsenv")
    sticky = work / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    (sticky / ".awsenv").symlink_to(world["a"] / ".awsenv")
    cases["link in a shared dir"] = os.fspath(sticky / ".awsenv")
    foreign = make_project(work, "foreign", "dev\n")
    found = allow(foreign)
    record = env.paths.trust_dir / "allow" / trust.allow_key(found, b"dev\n")
    os.chown(record, other_user.uid, other_user.gid)
    cases["foreign-owned record"] = os.fspath(found)
    loose = make_project(work, "loose", "dev\n")
    found = allow(loose)
    (env.paths.trust_dir / "allow" / trust.allow_key(found, b"dev\n")).chmod(0o664)
    cases["group-writable record"] = os.fspath(found)
    cases["chained profile"] = os.fspath(allow(make_project(work, "hop", "hop\n")))
    cases["team file"] = os.fspath(make_project(
        work, "team", "account = 111111111111\nrole = Developer\n") / ".awsenv")
    cases["no such file"] = os.fspath(work / "gone" / ".awsenv")
    cases["spelled oddly"] = os.fspath(world["a"]).replace("/a", "//a") + "/.awsenv"
    return cases


def test_every_doubt_takes_the_full_path(world: dict[str, Path], work: Path,
                                         other_user: OtherUser) -> None:
    cases = _untrusted_trees(world, work, other_user)
    profileindex.build(*profileindex.location(os.environ))  # the new profiles' files
    for why, found in cases.items():
        assert fasthook.lean_answer(hook_environ(found)) is None, why
    # ... and the full path answers them as it always did.
    got, loaded, rc = probe(hook_environ(cases["re-pointed"]))
    assert rc == 0 and "awsenv.shells.hook" in loaded
    assert any(r[0] == "msg" and "asks for prod-admin" in r[1] for r in got), got
    got, loaded, rc = probe(hook_environ(cases["foreign-owned record"]))
    assert rc == 0 and "awsenv.shells.hook" in loaded
    assert any(r[0] == "msg" and "asks for dev" in r[1] for r in got), got


def test_state_it_cannot_be_sure_of_takes_the_full_path(world: dict[str, Path]) -> None:
    a = hook_environ(world["a"] / ".awsenv")
    assert fasthook.lean_answer(a) is not None
    inside = applied(a, full(a))
    assert fasthook.lean_answer({**a, "_AWSENV_FOUND": "/nowhere/.awsenv"}) is None
    environ = dict(a)
    del environ["_AWSENV_FOUND"]  # no walk result: the full path walks
    assert fasthook.lean_answer(environ) is None
    # A refresh time reached (the shell asks at it): the full path refreshes.
    state = json.loads(inside["_AWSENV_STATE"])
    state["layers"][-1]["refresh_at"] = int(time.time()) - 1
    due = {**inside, "_AWSENV_STATE": json.dumps(state)}
    assert fasthook.lean_answer({**due, "_AWSENV_REASON": "refresh"}) is None
    # Signed in again while the prompt shows the signed-out mark: resolved afresh.
    assert fasthook.lean_answer({**inside, "AWSENV_EXPIRES": "0"}) is None
    assert fasthook.lean_answer(inside) is not None
    signed_in(10 * 60)  # inside the renewal lead: the keyring, detached
    assert fasthook.lean_answer(a) is None
    assert fasthook.lean_answer(inside) is not None  # nothing to renew while staying
    signed_in(0).unlink()  # signed out
    assert fasthook.lean_answer(a) is None
    assert fasthook.lean_answer(inside) is None  # the full path marks it
    signed_in(8 * 3600)
    env_tree = hook_environ(world["env"] / ".awsenv")
    assert fasthook.lean_answer(env_tree) is not None
    paths = Environment.from_os().paths
    assert paths is not None
    cache.cache_file(paths, "dev").unlink()  # no credentials cached: a detached fetch
    assert fasthook.lean_answer(env_tree) is None
    # The trust directory others could write to: whoever controls it controls trust.
    paths.trust_dir.chmod(0o777)
    assert fasthook.lean_answer(a) is None
    paths.trust_dir.chmod(0o700)
    assert fasthook.lean_answer(a) is not None
    # Any edit of the config voids the index (the full path rebuilds it) ...
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(SSO_CONFIG.replace("111111111111", "999999999999"))
    assert fasthook.lean_answer(a) is None
    # ... and once rebuilt, a profile that now resolves elsewhere is not trusted.
    profileindex.build(*profileindex.location(os.environ))
    assert fasthook.lean_answer(a) is None
    assert b"resolved to 111111111111/Developer" in full(a)
