"""Every client of a process shares one botocore session (awsenv.auth.clients).

A session parses the AWS config itself (about a second at 15,000 profiles) and loads
each service model afresh, so a second client on a new session cost ~80 ms and a
token renewal followed by a role fetch paid for two. The sharing must still see what
botocore read: another AWS_* variable or an edited config makes a new session.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import botocore.session
import pytest

from awsenv.auth import clients


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The botocore sessions made from now on (counted at their constructor)."""
    made: list[object] = []
    real = botocore.session.Session.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "__init__", counting)
    monkeypatch.setattr(clients, "_SHARED", None)
    return made


def test_clients_of_one_process_share_a_session(signin: Any, sessions: list[object]) -> None:
    env, region = signin.env(), signin.session.region
    clients.oidc(env, region)
    clients.portal(env, region)
    clients.portal(env, region, attempts=1, read_timeout=2)
    clients.sts(env, region, {"AccessKeyId": "AKIA", "SecretAccessKey": "s",
                              "SessionToken": "t"})
    assert len(sessions) == 1
    # The shared session still answers: a real portal call through a second client.
    reply = clients.oidc(env, region).register_client(clientName="t", clientType="public")
    assert reply["clientId"]
    assert len(sessions) == 1


def test_what_botocore_read_changing_makes_a_new_session(signin: Any, sessions: list[object],
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    env, region = signin.env(), signin.session.region
    clients.portal(env, region)
    config = os.environ["AWS_CONFIG_FILE"]
    with open(config, "a") as fh:
        fh.write("\n[profile added]\nregion = eu-north-1\n")
    clients.portal(env, region)
    assert len(sessions) == 2
    monkeypatch.setenv("AWS_PROFILE", "added")
    clients.portal(env, region)
    assert len(sessions) == 3
    clients.portal(env, region)
    assert len(sessions) == 3


def test_clients_made_from_many_threads_share_one_session(signin: Any,
                                                          sessions: list[object]) -> None:
    """`serve` fetches from handler threads; botocore sessions are not thread-safe."""
    env, region = signin.env(), signin.session.region
    errors: list[BaseException] = []

    def make() -> None:
        try:
            clients.portal(env, region)
        except BaseException as exc:  # any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(sessions) == 1
