"""A profile name costs what it did before lookups existed: `awsenv use NAME` (full path)
never imports awsenv.lookup; only a name that is not a profile name does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.world import write_config

from awsenv.shells import records

PROBE = """
import sys
from awsenv.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("LOOKUP=%s\\n" % ("awsenv.lookup" in sys.modules))
sys.exit(rc)
"""
CONFIG = """\
[profile plain]
region = eu-west-1

[profile acct]
sso_account_id = 111111111111
sso_role_name = Developer
region = eu-west-1
"""


@pytest.mark.parametrize(("name", "loaded", "profile"), [
    ("plain", False, "plain"), ("acct", False, "acct"), ("111111111111", True, "acct")])
def test_lookup_is_imported_only_for_other_names(isolated_home: Path, name: str, loaded: bool,
                                                 profile: str) -> None:
    write_config(CONFIG)  # a fresh home: no profile-facts index yet, so the full path
    res = subprocess.run([sys.executable, "-c", PROBE, "use", "--emit", "--protocol", "1",
                          "--mode", "profile", name], capture_output=True, timeout=60,
                         check=False, env={**os.environ, "_AWSENV_FOUND": ""})
    err = res.stderr.decode()
    assert f"LOOKUP={loaded}" in err, err
    sets = {i[1]: i[2] for i in records.parse(res.stdout) if i[0] == "set"}
    assert sets.get("AWS_PROFILE") == profile, err
