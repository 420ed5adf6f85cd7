"""awsenv installed from its wheel into a venv under a path with a space.

Its absolute command is baked into ``credential_process`` lines, which botocore
splits with shlex and the JavaScript SDK hands to ``/bin/sh``: both must get the
one path back. `exec` and `export` must work from there too.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from interop.conftest import (
    CLIENTS,
    PROFILE,
    Interop,
    TlsProxy,
    assert_role,
    configured_world,
    need,
    parse_identity,
    sync_world,
)

pytestmark = pytest.mark.interop


@pytest.fixture
def spaced(kind: str, emu: Any, proxy: TlsProxy, spaced_awsenv: list[str], isolated_home: Path,
           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Interop:
    world = configured_world(emu, isolated_home, tmp_path, monkeypatch, profiles=(),
                             guard_browser=True)
    world.login()
    result = Interop(world, proxy, kind, awsenv=spaced_awsenv)
    sync_world(world, result, kind, emu)
    return result


@pytest.mark.parametrize("client", CLIENTS)
def test_clients_run_the_spaced_install(spaced: Interop, client: str) -> None:
    """STS through the profile, `exec` and `export` hand-offs, all from the spaced install."""
    need(client)
    root = str(Path(spaced.awsenv[0]).parent.parent)
    assert " " in root
    if spaced.kind == "awsenv":
        r = spaced.aws("awscli-v1", "configure", "get", "credential_process",
                       "--profile", PROFILE)
        command = shlex.split(r.stdout)
        assert command[-3:] == ["credential-process", "--profile", PROFILE]
        assert command[0].startswith(root + "/") and command[-4].startswith(root + "/")
    assert_role(spaced.caller_identity(client))

    r = spaced.cli("exec", PROFILE, "--", *spaced.caller_identity_argv(client, None))
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert_role(parse_identity(r.stdout))

    argv = spaced.client_argv(client, "env") if client == "js-sdk-v3" \
        else spaced.caller_identity_argv(client, None)
    script = f'eval "$({shlex.join([*spaced.awsenv, "export", PROFILE])})" && exec ' \
             + shlex.join(argv)
    r = spaced.run(["bash", "-c", script])
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert_role(parse_identity(r.stdout))
