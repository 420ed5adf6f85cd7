"""`awsenv sync` leaves the profile-facts index fresh (awsenv.shells.profileindex), so the
first `awsenv use` after it takes the fast path instead of rescanning a large config."""

from __future__ import annotations

import os
from typing import Any

from awsenv.awsconfig import names
from awsenv.shells import profileindex


def test_sync_leaves_a_fresh_index(signed: Any) -> None:
    where = profileindex.location(os.environ)
    assert profileindex.read_names(*where) is None
    result = signed.cli("sync")
    assert result.returncode == 0, result.stderr
    found = profileindex.read_names(*where)
    assert found is not None
    profiles, sessions = found
    assert sessions == ["corp"] and profiles == names.profile_names(where[1])
    assert len(profiles) > 1
    fresh, fact = profileindex.read_facts(*where, profiles[0])
    assert fresh and fact is not None and fact["session"] == "corp"
    with open(where[1], "a") as fh:  # a hand edit voids it; a sync with no change renews it
        fh.write("\n# note\n")
    assert profileindex.read_names(*where) is None
    assert signed.cli("sync").returncode == 0
    assert profileindex.read_names(*where) is not None
