"""The profile-facts index (awsenv.shells.profileindex): same facts, one scan per config state.

Built from one scan, it must say what profileinfo.load says for every profile
(chains, quoted names, merged sections, [DEFAULT]); split into buckets as the
config grows; be void the moment the config changes; and ignore files it did
not write. With it fresh, completion and `awsenv use` never open the config
(counted with strace, not timed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.world import write_config

from awsenv.shells import profileindex, profileinfo

CONFIG = """\
[DEFAULT]
region = ap-south-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
awsenv_session = corp
awsenv_account_id = 111111111111
awsenv_role_name = Developer
region = eu-west-1
credential_process = awsenv credential-process --profile dev

[profile "my prod"]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = AdministratorAccess

[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_account_id = 555555555555
sso_role_name = ReadOnly

[profile hop]
role_arn = arn:aws:iam::444444444444:role/deploy
source_profile = dev
region = us-west-2

[profile hop2]
role_arn = arn:aws:iam::666666666666:role/prod-deploy
source_profile = hop

[profile dev]
region = ignored-second-value
extra = merged

[profile a b]
region = not-a-profile

[default]
region = us-east-1
"""


@pytest.fixture
def where(isolated_home: Path) -> tuple[str, str]:
    write_config(CONFIG)
    return profileindex.location(os.environ)


def test_facts_are_profileinfos(where: tuple[str, str]) -> None:
    directory, config = where
    index = profileindex.build(directory, config)
    assert index.profiles == ["dev", "my prod", "legacy", "hop", "hop2", "default"]
    assert index.sessions == ["corp"]
    assert profileindex.read_names(directory, config) == (index.profiles, index.sessions)
    for name in index.profiles:
        fresh, fact = profileindex.read_facts(directory, config, name)
        assert fresh and fact is not None
        want = profileinfo.load(Path(config), name)
        assert profileindex.info_of(name, fact) == want == profileindex.info(directory, config,
                                                                              name)
        assert fact["prod"] == want.prod  # type: ignore[union-attr]
    assert profileindex.read_facts(directory, config, "a b") == (True, None)
    assert profileindex.info(directory, config, "nosuch") is None
    adhoc = "dev+arn:aws:iam::777777777777:role/x"
    assert profileindex.info(directory, config, adhoc) == profileinfo.load(Path(config), adhoc)
    assert profileindex.load(directory, config).infos == index.infos


def test_private_files_void_on_any_edit(where: tuple[str, str]) -> None:
    directory, config = where
    assert profileindex.read_facts(directory, config, "dev") == (False, None)
    profileindex.current(directory, config)  # a stale read rebuilds
    files = sorted(Path(directory).iterdir())
    assert [f.name.split(".", 1)[1] for f in files] == ["0.json", "names.json", "reach.json"]
    assert profileindex.read_reach(directory, config) is not None
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600
    assert Path(directory).stat().st_mode & 0o777 == 0o700
    with open(config, "a") as fh:
        fh.write("\n[profile extra]\nregion = eu-north-1\n")
    assert profileindex.read_facts(directory, config, "dev") == (False, None)
    assert profileindex.read_names(directory, config) is None
    assert profileindex.read_reach(directory, config) is None
    assert "extra" in profileindex.current(directory, config)[0]
    assert profileindex.read_facts(directory, config, "extra")[0]


def test_files_it_did_not_write_are_stale(where: tuple[str, str], tmp_path: Path) -> None:
    directory, config = where
    profileindex.build(directory, config)
    names = Path(profileindex.names_file(directory, config))
    names.chmod(0o666)  # writable by others: anyone could have put names there
    assert profileindex.read_names(directory, config) is None
    planted = tmp_path / "planted.json"
    shutil.copy(names, planted)
    names.unlink()
    names.symlink_to(planted)
    assert profileindex.read_names(directory, config) is None
    bucket = Path(profileindex.bucket_file(directory, config, 0))
    bucket.write_text("{not json")
    assert profileindex.read_facts(directory, config, "dev") == (False, None)
    assert profileindex.info(directory, config, "dev") is not None  # rebuilt
    assert profileindex.read_names(directory, config) is not None


def test_a_large_config_is_split_and_a_smaller_one_drops_the_rest(where: tuple[str, str]) -> None:
    directory, config = where
    body = "".join(f"[profile p{i:05d}]\nawsenv_session = corp\nawsenv_account_id = "
                   f"{100000000000 + i}\nawsenv_role_name = Developer\nregion = eu-west-1\n\n"
                   for i in range(3000))
    write_config(CONFIG + body)
    count = profileindex.buckets(os.path.getsize(config))
    assert count >= 4
    index = profileindex.build(directory, config)
    assert len(index.profiles) == 3006
    assert len(list(Path(directory).glob("*.json"))) == count + 2  # + names, reach
    fresh, fact = profileindex.read_facts(directory, config, "p02999")
    assert fresh and fact is not None and fact["account_id"] == "100000002999"
    write_config(CONFIG)
    profileindex.build(directory, config)
    assert len(list(Path(directory).glob("*.json"))) == 3


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
@pytest.mark.parametrize("args", [["complete", "profiles"], ["complete", "sessions"],
                                  ["use", "--emit", "--protocol", "1", "--mode", "profile",
                                   "default"]])
def test_with_a_fresh_index_the_config_is_not_read(where: tuple[str, str], tmp_path: Path,
                                                   args: list[str]) -> None:
    config = where[1]
    env = {**os.environ, "_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}

    def opens() -> list[str]:
        log = tmp_path / "strace.log"
        res = subprocess.run(["strace", "-f", "-e", "trace=open,openat", "-o", str(log),
                              sys.executable, "-m", "awsenv", *args], env=env,
                             capture_output=True, timeout=120, check=False)
        assert res.returncode == 0, res.stderr
        return [line for line in log.read_text().splitlines() if f'"{config}"' in line]

    assert opens()  # the first call finds no index: it scans and writes one
    assert opens() == []
