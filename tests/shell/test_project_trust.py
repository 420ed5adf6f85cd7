""".awsenv parsing, trust records and file-safety rules; `awsenv allow` / `awsenv deny`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from awsenv.environment import Environment
from awsenv.errors import ExitCode
from awsenv.project import trust
from awsenv.project.file import MAX_BYTES, ProjectFileError, find, parse
from awsenv.project.trust import Trust, UnsafeFile
from awsenv.shells import profileinfo

PROFILES = ["dev", "prod-admin", "default"]
# What the profile resolves to, for tests without an AWS config (the binding is
# compared as given; tests/hardening/test_trust_symlinks.py checks real ones).
R = {"session": "corp", "account": "111122223333", "role": "Developer", "other": ""}

CONFIG = """\
[profile dev]
region = eu-west-1
credential_process = /bin/false
awsenv_session = corp
awsenv_account_id = 111122223333
awsenv_role_name = Developer

[profile prod-admin]
sso_session = corp
sso_account_id = 999988887777
sso_role_name = AdministratorAccess
region = us-east-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""


def write_config(home: Path) -> None:
    (home / ".aws").mkdir(mode=0o700, exist_ok=True)
    (home / ".aws" / "config").write_text(CONFIG)


def resolves(profile: str) -> dict[str, str]:
    """What ``profile`` resolves to in the test's AWS config (as the hook computes it)."""
    info = profileinfo.load(Path(os.environ["AWS_CONFIG_FILE"]), profile)
    assert info is not None
    return info.resolves()


def project(tmp: Path, text: str | bytes, name: str = "proj") -> Path:
    d = tmp / name
    d.mkdir(mode=0o755, exist_ok=True)
    f = d / ".awsenv"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    f.chmod(0o644)
    return f


# ---- parsing ----

@pytest.mark.parametrize("text,profile,region,mode", [
    ("dev\n", "dev", None, None),
    ("# team account\n\n  dev  \n", "dev", None, None),
    ("profile = dev\nregion = eu-central-1\nmode = env\n", "dev", "eu-central-1", "env"),
    ("\ufeffprofile=prod-admin\n# c\nmode=profile", "prod-admin", None, "profile"),
    ("dev\nregion = us-gov-west-1\n", "dev", "us-gov-west-1", None),
])
def test_parse_accepts_the_schema(tmp_path: Path, text: str, profile: str, region: str | None,
                                  mode: str | None) -> None:
    p = parse(tmp_path / ".awsenv", text.encode(), PROFILES)
    assert (p.profile, p.region, p.mode) == (profile, region, mode)


@pytest.mark.parametrize("data,needle", [
    (b"profile = dev\nendpoint_url = http://evil\n", "unknown key 'endpoint_url'"),
    (b"credential_process = sh -c 'id'\n", "unknown key"),
    (b"stranger\n", "not in your AWS config"),
    (b"profile = dev\nregion = moon-base-1x\n", "not an AWS region"),
    (b"profile = dev\nmode = eval\n", "mode must be"),
    (b"dev\0\n", "NUL"),
    (b"dev\n\xff\xfe\n", "not valid UTF-8"),
    (b"#" * (MAX_BYTES + 1), "larger than"),
    (b"profile = dev\nprofile = prod-admin\n", "given twice"),
    (b"# only a comment\n", "names no profile"),
    (b"dev\nprod-admin\n", "expected `key = value`"),
    (b"$(touch /tmp/pwned)\n", "not a valid profile name"),
])
def test_parse_refuses_with_one_line(tmp_path: Path, data: bytes, needle: str) -> None:
    with pytest.raises(ProjectFileError) as info:
        parse(tmp_path / ".awsenv", data, PROFILES)
    line = info.value.line()
    assert needle in line and "\n" not in line
    assert info.value.code == ExitCode.CONFIG


def test_find_walks_up_and_prefers_the_nearest(tmp_path: Path) -> None:
    outer = project(tmp_path, "dev\n", "outer")
    inner_dir = outer.parent / "a" / "inner"
    inner_dir.mkdir(parents=True)
    (inner_dir / ".awsenv").write_text("prod-admin\n")
    deep = inner_dir / "x" / "y"
    deep.mkdir(parents=True)
    assert find(deep) == inner_dir / ".awsenv"
    assert find(outer.parent / "a") == outer
    (tmp_path / "empty").mkdir()
    assert find(tmp_path / "empty") is None
    # a directory named .awsenv is not a file
    (tmp_path / "dirlike" / ".awsenv").mkdir(parents=True)
    assert find(tmp_path / "dirlike") is None


# ---- trust records ----

def test_allow_is_keyed_on_found_path_and_content(tmp_path: Path, isolated_home: Path) -> None:
    env = Environment()
    assert env.paths is not None
    tdir = env.paths.trust_dir
    f = project(tmp_path, "dev\n")
    p = trust.load(f, PROFILES)
    assert trust.status(tdir, p, R) is Trust.UNTRUSTED
    trust.allow(tdir, p, R)
    assert trust.status(tdir, p, R) is Trust.ALLOWED
    key = hashlib.sha256(os.fsencode(f) + b"\n" + b"dev\n").hexdigest()
    record = tdir / "allow" / key
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    data = json.loads(record.read_text())
    assert data["path"] == str(f) and data["target"] == os.path.realpath(f)
    assert data["sha256"] == hashlib.sha256(b"dev\n").hexdigest() and data["resolves"] == R
    # any edit revokes trust
    f.write_text("dev\nregion = eu-west-2\n")
    assert trust.status(tdir, trust.load(f, PROFILES), R) is Trust.UNTRUSTED
    # the same bytes at another path are not trusted either (direnv #83)
    f.write_text("dev\n")
    other = project(tmp_path, "dev\n", "copy")
    assert trust.status(tdir, trust.load(other, PROFILES), R) is Trust.UNTRUSTED
    assert trust.status(tdir, trust.load(f, PROFILES), R) is Trust.ALLOWED
    # the profile resolving elsewhere asks again
    assert trust.status(tdir, trust.load(f, PROFILES), {**R, "account": "2"}) is Trust.MOVED


def test_deny_wins_until_allowed_again(tmp_path: Path, isolated_home: Path) -> None:
    tdir = Environment().paths.trust_dir  # type: ignore[union-attr]
    f = project(tmp_path, "dev\n")
    p = trust.load(f, PROFILES)
    trust.allow(tdir, p, R)
    before = trust.stamp_path(tdir).stat().st_mtime_ns
    trust.deny(tdir, p.path)
    assert trust.status(tdir, p, R) is Trust.DENIED
    assert trust.stamp_path(tdir).stat().st_mtime_ns > before
    f.write_text("prod-admin\n")  # content does not matter to a deny
    assert trust.status(tdir, trust.load(f, PROFILES), R) is Trust.DENIED
    trust.allow(tdir, trust.load(f, PROFILES), R)
    assert trust.status(tdir, trust.load(f, PROFILES), R) is Trust.ALLOWED


# ---- file safety ----

def test_group_or_other_writable_file_is_refused(tmp_path: Path) -> None:
    f = project(tmp_path, "dev\n")
    for mode in (0o664, 0o646):
        f.chmod(mode)
        with pytest.raises(UnsafeFile, match="writable by other users"):
            trust.load(f, PROFILES)
    f.chmod(0o644)
    trust.load(f, PROFILES)


def test_foreign_owned_file_is_refused(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to chown")
    f = project(tmp_path, "dev\n")
    os.chown(f, 4242, 4242)
    with pytest.raises(UnsafeFile, match="owned by another user"):
        trust.load(f, PROFILES)


def test_writable_parent_refused_unless_sticky(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    f = project(shared, "dev\n")
    shared.chmod(0o777)
    with pytest.raises(UnsafeFile, match=f"directory {shared} is writable"):
        trust.load(f, PROFILES)
    shared.chmod(0o1777)  # sticky, like /tmp
    assert trust.load(f, PROFILES).profile == "dev"
    shared.chmod(0o775)
    with pytest.raises(UnsafeFile):
        trust.load(f, PROFILES)


def test_symlink_resolved_and_target_checked(tmp_path: Path) -> None:
    real = project(tmp_path, "dev\n", "real")
    link_dir = tmp_path / "linked"
    link_dir.mkdir()
    (link_dir / ".awsenv").symlink_to(real)
    p = trust.load(link_dir / ".awsenv", PROFILES)
    assert p.realpath == Path(os.path.realpath(real))
    real.chmod(0o666)
    with pytest.raises(UnsafeFile, match=r"-> .*writable"):
        trust.load(link_dir / ".awsenv", PROFILES)
    (link_dir / ".awsenv").unlink()
    (link_dir / ".awsenv").symlink_to(tmp_path / "missing")
    with pytest.raises(UnsafeFile, match="does not exist"):
        trust.load(link_dir / ".awsenv", PROFILES)


# ---- commands ----

def awsenv(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awsenv", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=60, check=False)


def test_allow_shows_what_the_file_asks_for(tmp_path: Path, isolated_home: Path) -> None:
    write_config(isolated_home)
    f = project(tmp_path, "profile = prod-admin\nregion = eu-west-3\n")
    res = awsenv("allow", str(f.parent))
    assert res.returncode == 0, res.stderr
    assert "prod-admin" in res.stderr and "[PROD]" in res.stderr
    assert "999988887777" in res.stderr and "AdministratorAccess" in res.stderr
    assert "eu-west-3" in res.stderr
    env = Environment()
    tdir = env.paths.trust_dir  # type: ignore[union-attr]
    assert trust.status(tdir, trust.load(f, PROFILES), resolves("prod-admin")) is Trust.ALLOWED
    # from a subdirectory, without an argument: the nearest file above
    sub = f.parent / "src"
    sub.mkdir()
    res = awsenv("deny", cwd=sub)
    assert res.returncode == 0, res.stderr
    assert trust.status(tdir, trust.load(f, PROFILES), resolves("prod-admin")) is Trust.DENIED


def test_allow_refuses_bad_files_with_one_line(tmp_path: Path, isolated_home: Path) -> None:
    write_config(isolated_home)
    f = project(tmp_path, "profile = dev\nsource_profile = ops\n")
    res = awsenv("allow", str(f.parent))
    assert res.returncode == ExitCode.CONFIG
    assert res.stderr.count("\n") == 1 and "unknown key 'source_profile'" in res.stderr
    f.write_text("dev\n")
    f.chmod(0o664)
    res = awsenv("allow", str(f.parent))
    assert res.returncode == ExitCode.UNTRUSTED and "chmod go-w" in res.stderr
    res = awsenv("allow", str(tmp_path / "nowhere"))
    assert res.returncode == ExitCode.USAGE
