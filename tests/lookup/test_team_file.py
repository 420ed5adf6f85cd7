"""A `.awsenv` naming an account and role (a file a team commits): parsing and resolution.

The resolution reads the local AWS config only (stdlib scan), so these run on a
config file; tests/shell/test_use_lookup.py applies such a file in real shells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from awsenv.project.file import ProjectFileError, parse
from awsenv.project.resolve import resolve

CONFIG = """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[sso-session acq]
sso_start_url = https://acquired.awsapps.com/start/
sso_region = us-east-1

[profile corp-dev]
awsenv_session = corp
awsenv_account_id = 111111111111
awsenv_role_name = Developer

[profile my-dev-by-hand]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile shared-admin]
awsenv_session = corp
awsenv_account_id = 222222222222
awsenv_role_name = AdministratorAccess

[profile acq-shared-admin]
awsenv_session = acq
awsenv_account_id = 222222222222
awsenv_role_name = AdministratorAccess

[profile deployer]
role_arn = arn:aws:iam::333333333333:role/ci/deploy
source_profile = corp-dev
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    path.write_text(CONFIG)
    return path


def resolved(tmp_path: Path, config: Path, text: str) -> tuple[str, str | None]:
    project = resolve(parse(tmp_path / ".awsenv", text.encode(), None), config)
    return project.profile, project.mode


@pytest.mark.parametrize(("text", "profile", "mode"), [
    # The same identity under two names: one answer, the first in the config.
    ("account = 111111111111\nrole = Developer\n", "corp-dev", None),
    ("account = 111111111111\nrole = developer\nmode = env\n", "corp-dev", "env"),
    # Two portals give the account and role: start_url says which (trailing '/' or not).
    ("account = 222222222222\nrole = AdministratorAccess\n"
     "start_url = https://acquired.awsapps.com/start\n", "acq-shared-admin", None),
    # A chained role: the profile whose chain ends there, from that source or any.
    ("role_arn = arn:aws:iam::333333333333:role/ci/deploy\n", "deployer", None),
    ("account = 111111111111\nrole = Developer\n"
     "role_arn = arn:aws:iam::333333333333:role/ci/deploy\n", "deployer", None),
    # No profile chains there: the source profile with the role assumed ad hoc (env mode).
    ("account = 111111111111\nrole = Developer\n"
     "role_arn = arn:aws:iam::444444444444:role/audit\n",
     "corp-dev+arn:aws:iam::444444444444:role/audit", "env"),
])
def test_resolves_to_the_local_profile(tmp_path: Path, config: Path, text: str, profile: str,
                                       mode: str | None) -> None:
    assert resolved(tmp_path, config, text) == (profile, mode)


@pytest.mark.parametrize(("text", "words"), [
    ("account = 222222222222\nrole = AdministratorAccess\n",
     "which several of your profiles give: shared-admin (session corp), acq-shared-admin "
     "(session acq); add `start_url = ...`"),
    ("account = 999999999999\nrole = Developer\n",
     "asks for role Developer in account 999999999999, which no profile in"),
    ("account = 111111111111\nrole = Developer\nmode = profile\n"
     "role_arn = arn:aws:iam::444444444444:role/audit\n", "an ad hoc chain needs env mode"),
])
def test_several_or_none_is_one_line(tmp_path: Path, config: Path, text: str,
                                     words: str) -> None:
    with pytest.raises(ProjectFileError) as err:
        resolved(tmp_path, config, text)
    assert words in err.value.line() and "\n" not in err.value.line()


@pytest.mark.parametrize(("text", "words"), [
    ("profile = dev\naccount = 111111111111\nrole = Developer\n", "names both a profile"),
    ("account = 11111111111\nrole = Developer\n", "is not a 12-digit account id"),
    ("account = 111111111111\n", "`account =` needs `role =`"),
    ("role = Developer\nrole_arn = arn:aws:iam::333333333333:role/x\n",
     "`role =` needs `account =`"),
    ("account = 111111111111\nrole = Dev eloper\n", "is not a role name"),
    ("role_arn = arn:aws:s3:::bucket\n", "is not an IAM role ARN"),
    ("account = 111111111111\nrole = Developer\nstart_url = http://x\n", "is not an https URL"),
])
def test_malformed_identity_files_are_refused(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ProjectFileError) as err:
        parse(tmp_path / ".awsenv", text.encode(), ["dev"])
    assert words in err.value.line()


def test_a_profile_file_is_left_as_it_is(tmp_path: Path, config: Path) -> None:
    project = parse(tmp_path / ".awsenv", b"corp-dev\n", ["corp-dev"])
    assert project.identity == () and resolve(project, config) is project
