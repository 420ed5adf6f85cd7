"""Helpers shared by the hardening tests (a uniquely named module: every test
directory has a `conftest`, and when several suites run together the module named
`conftest` is whichever loaded last, so tests must not import from that name)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

# A generous bound for "ends in a bounded time": never a timed assertion, only a
# hang detector (subprocess.TimeoutExpired fails the test).
BOUND = 120

# Lines the user keeps outside awsenv's block; must survive every write byte for byte.
USER_PREFIX = "# my own notes  \n[default]\nregion = us-east-2\n\n"
USER_SUFFIX = "\n[profile mine]\nregion = ap-south-1 ; kept\n"


def free_port() -> int:
    """A loopback port nobody listens on (bound then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def one_clear_line(stderr: str) -> str:
    """Assert stderr is exactly one `awsenv: …` line with no traceback; return it."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("awsenv: "), stderr
    return lines[0]


def valid_token_file(home: Path, session: str = "corp") -> Path:
    """A valid (until 2099) AWS CLI access-token file for ``session``: profile mode switches
    without a sign-in warning."""
    from awsenv.shells import profileinfo

    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    token = profileinfo.token_cache_file(cache, session)
    token.write_text(json.dumps({"accessToken": "t", "expiresAt": "2099-01-01T00:00:00Z"}))
    token.chmod(0o600)
    return token
