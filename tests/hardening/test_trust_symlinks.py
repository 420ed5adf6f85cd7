"""The `.awsenv` trust binding (issue #13): found path + target + content + what the profile
resolves to; no trust through another user's link; no blocking read; no planted records.

Each attack is staged for real: real symlinks and FIFOs, a real second local user
(``other_user``) owning the planted links and records, and the prompt hook in real
interactive bash, zsh and fish where the hook is involved. The shells' own prompt
wait (60 s) is the hang detector of the FIFO cases, never a timed assert.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _hardkit import valid_token_file
from support.other_user import OtherUser
from support.world import write_config

from awsenv.environment import Environment
from awsenv.project import trust
from awsenv.project.trust import Trust, UnsafeFile
from awsenv.shells import hook, profileinfo

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "shell"))
from _interactive import Shell  # noqa: E402

KINDS = [k for k in ("bash", "zsh", "fish") if shutil.which(k)]

CONFIG = """\
[profile dev]
region = eu-west-1
credential_process = /opt/awsenv/bin/awsenv credential-process --profile dev
awsenv_session = corp
awsenv_account_id = 111111111111
awsenv_role_name = Developer

[profile prod]
region = us-east-1

[profile native]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = ReadOnly
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::444444444444:role/Deploy
source_profile = prod

[profile keys]
credential_process = /usr/local/bin/get-keys --team a

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
"""


@pytest.fixture
def config(isolated_home: Path) -> Path:
    path = write_config(CONFIG)
    valid_token_file(isolated_home)  # profile mode switches without a warning
    return path


@pytest.fixture
def env(config: Path) -> Environment:
    return Environment.from_os()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sh(kind: str, config: Path, work: Path, isolated_home: Path) -> Iterator[Shell]:
    shell = Shell(kind, isolated_home, work)
    yield shell
    shell.close()


def make(parent: Path, name: str, text: str) -> Path:
    d = parent / name
    d.mkdir(parents=True, exist_ok=True)
    f = d / ".awsenv"
    f.write_text(text)
    f.chmod(0o644)
    return f


def resolves(env: Environment, profile: str) -> dict[str, str]:
    assert env.paths is not None
    info = profileinfo.load(env.paths.aws_config_file, profile)
    assert info is not None
    return info.resolves()


def allow(env: Environment, path: Path) -> trust.ProjectFile:
    assert env.paths is not None
    project = trust.load(path, ["dev", "prod", "native", "chained", "keys"])
    trust.allow(env.paths.trust_dir, project, resolves(env, project.profile))
    return project


def verdict(env: Environment, path: Path) -> tuple[str | None, str]:
    tree, _project, line = hook.evaluate(env, os.fspath(path))
    assert "\n" not in line
    return tree, line


def awsenv_lines(out: str) -> list[str]:
    """The awsenv messages in a stretch of terminal output (the typed command excluded)."""
    return [ln.strip() for ln in out.replace("\r", "").split("\n") if "awsenv: " in ln]


def relink(link: Path, target: str) -> None:
    tmp = link.with_name(".relink")
    os.symlink(target, tmp)
    os.replace(tmp, link)


# ---- 1. a symlinked .awsenv does not inherit another tree's trust ----

@pytest.mark.shells
def test_link_into_an_allowed_tree_asks_and_deny_blocks_only_the_link(sh: Shell,
                                                                      work: Path) -> None:
    infra = make(work, "infra", "prod\n")
    repo = work / "repo"
    repo.mkdir()
    (repo / ".awsenv").symlink_to("../infra/.awsenv")
    out = sh.run("awsenv allow infra")
    assert f"awsenv: allowed {infra}" in out and "(->" not in out
    sh.run("cd infra")
    assert sh.var("AWS_PROFILE") == "prod"

    # The cloned repository's link to the allowed file is another file: it asks.
    out = sh.run("cd ../repo")
    assert sh.var("AWS_PROFILE") is None
    lines = awsenv_lines(out)
    assert any(f"{repo}/.awsenv asks for prod" in ln for ln in lines), out

    # `awsenv deny` in the repository denies its link, never the user's infra.
    out = sh.run("awsenv deny")
    assert f"awsenv: denied {repo}/.awsenv (-> {infra})" in out, out
    sh.run("cd ../infra")
    assert sh.var("AWS_PROFILE") == "prod"

    # Allowing the link itself shows both places, and then it applies.
    sh.run("cd ../repo")
    out = sh.run("awsenv allow")
    assert f"awsenv: allowed {repo}/.awsenv (-> {infra})" in out, out
    assert sh.var("AWS_PROFILE") == "prod"

    # Pointed at a copy of the same bytes: another target, asked again at the next prompt.
    make(work, "copy", "prod\n")
    relink(repo / ".awsenv", "../copy/.awsenv")
    out = sh.run("")
    assert any(f"{repo}/.awsenv asks for prod" in ln for ln in awsenv_lines(out)), out
    assert sh.var("AWS_PROFILE") is None


@pytest.mark.shells
def test_other_users_link_in_a_sticky_shared_dir_is_refused(sh: Shell, work: Path,
                                                            tmp_path: Path,
                                                            other_user: OtherUser) -> None:
    """Another user's `/tmp/.awsenv` -> the victim's allowed infra: refused, one line."""
    infra = make(work, "infra", "prod\n")
    assert sh.run("awsenv allow infra") and sh.status == 0
    shared = tmp_path / "tmp"  # a /tmp of its own (the real one is shared with other tests)
    shared.mkdir()
    shared.chmod(0o1777)
    other_user.plant_symlink(shared / ".awsenv", infra)
    victim = shared / "victim"
    victim.mkdir()
    victim.chmod(0o755)
    out = sh.run(f"cd {victim}")
    lines = awsenv_lines(out)
    assert len(lines) == 1, out
    assert f"{shared}/.awsenv (-> {infra}) is a symlink owned by another user" in lines[0]
    assert sh.var("AWS_PROFILE") is None
    assert "Traceback" not in sh.transcript.decode(errors="replace")


def test_links_and_targets_others_can_touch_are_refused(env: Environment, work: Path,
                                                        tmp_path: Path,
                                                        other_user: OtherUser) -> None:
    infra = make(work, "infra", "prod\n")
    allow(env, infra)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o777)

    def refused(path: Path, needle: str) -> None:
        with pytest.raises(UnsafeFile) as info:
            trust.load(path, ["prod"])
        assert needle in info.value.line(), info.value.line()
        tree, line = verdict(env, path)
        assert tree is None and line.startswith("awsenv: ") and needle in line

    # The user's own link in a sticky shared directory: refused (no sticky exception).
    link_in_sticky = sticky / ".awsenv"
    link_in_sticky.symlink_to(infra)
    refused(link_in_sticky, f"is a symlink in {sticky}, a directory other users can write to")
    # A link whose target sits in a shared directory (sticky or not): refused.
    for d in (sticky, open_dir):
        target = d / "target.awsenv"
        target.write_text("prod\n")
        target.chmod(0o644)
        repo = work / f"repo-{d.name}"
        repo.mkdir()
        (repo / ".awsenv").symlink_to(target)
        refused(repo / ".awsenv", f"leads through {d}, a directory other users can write to")
    # A link owned by another user, even in the user's own directory.
    foreign = work / "foreign"
    foreign.mkdir()
    other_user.plant_symlink(foreign / ".awsenv", infra)
    refused(foreign / ".awsenv", "is a symlink owned by another user")
    # A chain through another user's link.
    hop = sticky / "hop"
    other_user.plant_symlink(hop, infra)
    chained = work / "chained"
    chained.mkdir()
    (chained / ".awsenv").symlink_to(hop)
    refused(chained / ".awsenv", "owned by another user")
    # A directory on the way that belongs to another user (they can swap what is in it).
    theirs = other_user.plant_dir(tmp_path / "theirs", 0o755)
    (theirs / "proj").mkdir()
    (theirs / "proj" / ".awsenv").write_text("prod\n")
    refused(theirs / "proj" / ".awsenv", f"directory {theirs} belongs to another user")
    # The user's own plain file in a sticky directory stays usable (as before), and so
    # does a link in the user's own directory there (nobody else can replace it).
    own = sticky / "mine"
    own.mkdir()
    (own / ".awsenv").symlink_to(infra)
    assert trust.load(own / ".awsenv", ["prod"]).profile == "prod"
    plain = sticky / "plain"
    plain.mkdir()
    (plain / ".awsenv").write_text("prod\n")
    (plain / ".awsenv").chmod(0o644)
    assert trust.load(plain / ".awsenv", ["prod"]).profile == "prod"


def test_a_copy_or_a_link_elsewhere_asks_again(env: Environment, work: Path) -> None:
    infra = make(work, "infra", "prod\n")
    allow(env, infra)
    assert verdict(env, infra)[0] == os.fspath(infra)
    copy = make(work, "copy", "prod\n")
    assert verdict(env, copy)[0] is None
    link = work / "link"
    link.mkdir()
    (link / ".awsenv").symlink_to(infra)
    tree, line = verdict(env, link / ".awsenv")
    assert tree is None and "asks for prod" in line
    # allowed through the link: bound to the link's path and its target
    allow(env, link / ".awsenv")
    assert verdict(env, link / ".awsenv")[0] == os.fspath(link / ".awsenv")
    relink(link / ".awsenv", os.fspath(copy))
    assert verdict(env, link / ".awsenv")[0] is None
    # a directory reached through a symlink is another place too (direnv's rule)
    alias = work / "alias"
    alias.symlink_to(infra.parent)
    assert verdict(env, alias / ".awsenv")[0] is None


@pytest.mark.shells
def test_allow_names_the_path_the_shell_found(sh: Shell, work: Path) -> None:
    """`awsenv allow .` through a symlinked directory allows what the hook walks to."""
    proj = make(work, "proj", "prod\n").parent
    (work / "alias").symlink_to(proj)
    out = sh.run("cd alias")
    assert "asks for prod" in out
    out = sh.run("awsenv allow .")
    assert f"awsenv: allowed {work}/alias/.awsenv (-> {proj}/.awsenv)" in out, out
    assert sh.var("AWS_PROFILE") == "prod"


# ---- 2. one open, no blocking: a FIFO swapped in never hangs the prompt ----

SWAP = """
import os, sys
from pathlib import Path
from awsenv.errors import AwsenvError
from awsenv.project import trust

found, how = Path(sys.argv[1]), sys.argv[2]
checked = trust.check_safe

def check_then_swap(p):
    real = checked(p)
    os.unlink(real)  # the attacker's swap, after the check and before the read
    if how == "fifo":
        os.mkfifo(real, 0o600)
    else:
        os.symlink(sys.argv[3], real)
    return real

trust.check_safe = check_then_swap
try:
    project = trust.load(found, ["dev", "prod"])
except AwsenvError as exc:
    print("REFUSED " + exc.line())
else:
    print("LOADED " + project.profile)
"""


@pytest.mark.parametrize("linked", [False, True], ids=["plain", "symlinked"])
@pytest.mark.parametrize("how", ["fifo", "symlink"])
def test_swap_between_check_and_open_never_blocks_or_follows(work: Path, linked: bool,
                                                             how: str) -> None:
    real = make(work, "real", "dev\n")
    found = real
    if linked:
        (work / "repo").mkdir()
        found = work / "repo" / ".awsenv"
        found.symlink_to(real)
    other = make(work, "other", "prod\n")
    try:
        res = subprocess.run([sys.executable, "-c", SWAP, os.fspath(found), how,
                              os.fspath(other)], cwd=work, capture_output=True, text=True,
                             timeout=60, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("trust.load blocked on what was swapped in (hang detector: 60 s)")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("REFUSED "), res.stdout
    assert ("not a regular file" if how == "fifo" else "replaced by a symlink") in res.stdout


@pytest.mark.shells
def test_fifo_and_link_to_fifo_in_real_shells(sh: Shell, work: Path) -> None:
    fifo = work / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / ".awsenv", 0o600)
    linked = work / "linked"
    linked.mkdir()
    (linked / ".awsenv").symlink_to(fifo / ".awsenv")
    for d in (fifo, linked):
        out = sh.run(f"cd {d}")  # a blocked prompt would time the wait out (60 s)
        lines = awsenv_lines(out)
        assert len(lines) == 1 and "is not a regular file" in lines[0], out
        assert sh.var("AWS_PROFILE") is None
        assert "alive" in sh.run("echo alive")
        sh.run("cd ..")


# ---- 3. trust records are checked when read ----

def test_planted_or_damaged_records_approve_nothing(env: Environment, work: Path,
                                                    tmp_path: Path,
                                                    other_user: OtherUser) -> None:
    assert env.paths is not None
    tdir = env.paths.trust_dir
    path = make(work, "proj", "dev\n")
    project = allow(env, path)
    record = tdir / "allow" / trust.allow_key(project.path, project.data)
    good = record.read_bytes()
    assert verdict(env, path)[0] == os.fspath(path)
    twin = make(work, "twin", "dev\n")
    twin_record = tdir / "allow" / trust.allow_key(twin, b"dev\n")
    allow(env, twin)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(good)
    elsewhere.chmod(0o600)

    def mine(data: bytes, mode: int = 0o600) -> None:
        record.write_bytes(data)
        record.chmod(mode)

    plants = {
        "empty": lambda: mine(b""),
        "old format": lambda: mine(json.dumps({"path": os.fspath(path),
                                               "allowed_at": 1}).encode()),
        "another file's record": lambda: mine(twin_record.read_bytes()),
        "not json": lambda: mine(b"allow"),
        "group-writable": lambda: mine(good, 0o620),
        "other-writable": lambda: mine(good, 0o602),
        "owned by another user": lambda: other_user.plant_file(record, good, 0o600),
        "a symlink to a good record": lambda: record.symlink_to(elsewhere),
        "another user's symlink": lambda: other_user.plant_symlink(record, elsewhere),
        "a directory": lambda: record.mkdir(),
    }
    for name, plant in plants.items():
        if record.is_dir() and not record.is_symlink():
            record.rmdir()
        else:
            record.unlink(missing_ok=True)
        plant()
        tree, line = verdict(env, path)
        assert tree is None, name
        assert "asks for dev" in line, (name, line)
    # A deny record another user planted denies nothing either.
    record.rmdir()
    mine(good)
    assert verdict(env, path)[0] == os.fspath(path)
    deny = tdir / "deny" / trust.deny_key(path)
    deny.parent.mkdir(exist_ok=True)
    other_user.plant_file(deny, json.dumps({"path": os.fspath(path)}).encode(), 0o600)
    assert verdict(env, path)[0] == os.fspath(path)


@pytest.mark.shells
def test_record_planted_by_another_user_in_real_shells(sh: Shell, env: Environment,
                                                       work: Path,
                                                       other_user: OtherUser) -> None:
    assert env.paths is not None
    path = make(work, "proj", "dev\n")
    project = trust.load(path, ["dev"])
    record = env.paths.trust_dir / "allow" / trust.allow_key(project.path, project.data)
    record.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(env.paths.trust_dir, 0o700)
    other_user.plant_file(record, b"", 0o644)
    out = sh.run("cd proj")
    assert any("asks for dev" in ln for ln in awsenv_lines(out)), out
    assert sh.var("AWS_PROFILE") is None


# ---- 4. an allowed .awsenv is bound to what its profile resolves to ----

@pytest.mark.shells
def test_profile_moved_to_another_account_asks_again(sh: Shell, config: Path,
                                                     work: Path) -> None:
    make(work, "proj", "dev\n")
    sh.run("cd proj")
    sh.run("awsenv allow")
    assert sh.var("AWS_PROFILE") == "dev"
    # What `sync --prune` leaves when another account takes the name "dev".
    config.write_text(CONFIG.replace("111111111111", "222222222222"))
    out = sh.run("")
    lines = [ln for ln in awsenv_lines(out) if "asks for" in ln]
    assert len(lines) == 1, out
    assert "asks for dev (222222222222/Developer, eu-west-1)" in lines[0]
    assert "but dev resolved to 111111111111/Developer in session corp when you allowed it" \
        in lines[0]
    assert sh.var("AWS_PROFILE") is None
    sh.run("awsenv allow")
    assert sh.var("AWS_PROFILE") == "dev"


@pytest.mark.parametrize("profile,old,new,moved", [
    ("dev", "awsenv_account_id = 111111111111", "awsenv_account_id = 222222222222", True),
    ("dev", "awsenv_role_name = Developer", "awsenv_role_name = Admin", True),
    ("dev", "awsenv_session = corp", "awsenv_session = other", True),
    # awsenv's own credential_process line follows the installation, not the identity
    ("dev", "/opt/awsenv/bin/awsenv", "/usr/bin/awsenv", False),
    ("dev", "region = eu-west-1\ncredential_process", "region = us-west-2\ncredential_process",
     False),
    ("native", "sso_account_id = 333333333333", "sso_account_id = 555555555555", True),
    ("native", "sso_role_name = ReadOnly", "sso_role_name = Admin", True),
    ("chained", "444444444444:role/Deploy", "666666666666:role/Deploy", True),
    ("chained", "source_profile = prod", "source_profile = dev", True),
    ("keys", "--team a", "--team b", True),
])
def test_binding_follows_the_identity_not_the_name(env: Environment, config: Path, work: Path,
                                                   profile: str, old: str, new: str,
                                                   moved: bool) -> None:
    path = make(work, "proj", f"{profile}\n")
    allow(env, path)
    assert verdict(env, path)[0] == os.fspath(path)
    assert old in CONFIG
    config.write_text(CONFIG.replace(old, new, 1))
    tree, line = verdict(env, path)
    if moved:
        assert tree is None and f"but {profile} resolved to" in line, line
    else:
        assert tree == os.fspath(path), line


def test_entering_an_allowed_tree_reads_the_profile_once(env: Environment, work: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The binding check shares the hook's one profile read (no extra config parse)."""
    path = make(work, "proj", "dev\n")
    allow(env, path)
    calls = []
    real_sections = profileinfo._sections

    def counting(p: Path) -> dict[tuple[str, str], dict[str, str]]:
        calls.append(p)
        return real_sections(p)

    monkeypatch.setattr(profileinfo, "_sections", counting)
    monkeypatch.setenv("_AWSENV_FOUND", os.fspath(path))
    monkeypatch.setenv("_AWSENV_PID", str(os.getpid()))
    recs = hook.hook(Environment.from_os())
    assert ("AWS_PROFILE", "dev") in [(i[1], i[2]) for i in recs.items if i[0] == "set"]
    # At most the one read the hook makes anyway: none when the profile-facts index
    # (shells.profileindex) is fresh, one when it had to be rebuilt from the config.
    assert len(calls) <= 1


def test_untrusted_statuses_are_distinct(env: Environment, work: Path) -> None:
    """status() names why: denied, untrusted, or moved (allowed for another identity)."""
    assert env.paths is not None
    path = make(work, "proj", "dev\n")
    project = allow(env, path)
    now = resolves(env, "dev")
    assert trust.status(env.paths.trust_dir, project, now) is Trust.ALLOWED
    assert trust.status(env.paths.trust_dir, project, {**now, "role": "x"}) is Trust.MOVED
    trust.deny(env.paths.trust_dir, path)
    assert trust.status(env.paths.trust_dir, project, now) is Trust.DENIED
