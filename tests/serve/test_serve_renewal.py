"""Many clients, one role-credential call; a job that outlives several role sessions.

The long job runs against the endpoint's core in this process, so the endpoint's
clock can agree with the emulator's after ``emu.advance_clock`` (in life both read
the same time): each advance past the credential lifetime makes the emulator's
STS refuse the old keys, so a call that succeeds afterwards proves the client
renewed through the endpoint, and the emulator's GetRoleCredentials count shows
one fetch per renewal however many requests the SDK made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from serve.conftest import CLIENT, client_env, run, serving
from support.world import ACCOUNT, World

from awsenv.environment import Environment
from awsenv.serve import CredentialServer, default_source, endpoint

# The role cache serves a record while it has more than refresh_threshold(lifetime)
# left: max(MIN_VALID = 120 s, lifetime / 2). A lifetime at or under 120 s is never
# served twice (each request would fetch); 180 s is served for its first 60 s, which
# is the slack each round below has. botocore refreshes container credentials on
# every use once under 15 minutes remain, so (rounds - 1) advances + one lifetime
# must stay under 900 s of its (unadvanced) clock: 3 × 181 + 180 = 723.
LIFETIME = 180
ROUNDS = 4
CALLS = 3


@pytest.mark.slow
def test_fifty_concurrent_clients_make_one_role_credential_call(signed: World) -> None:
    signed.emu.configure(latency_ms=300)  # the fetch is slow: the requests overlap it
    with serving(signed, "dev") as served:
        assert signed.grc() == 1
        signed.expire_role_cache()  # cold again: the next request must fetch
        r = run([sys.executable, str(CLIENT), "concurrent", "50"],
                client_env(signed, served.variables), timeout=300)
        results = json.loads(r.stdout)
        assert r.returncode == 0 and len(results) == 50, r.stdout
        assert all(x.get("account") == ACCOUNT and x["method"] == "container-role"
                   for x in results), results
        assert len({x["key"] for x in results}) == 1
    assert signed.grc() == 2  # serve's start, then one for all fifty


def test_a_job_outlives_several_role_sessions(signed: World) -> None:
    emu = signed.emu
    emu.configure(credential_ttl=LIFETIME)
    env = Environment(environ=dict(os.environ),
                      now=lambda: time.time() + emu.state.clock_offset)
    with CredentialServer(default_source(env), ["dev"]) as server:
        child_env = client_env(signed, dict(endpoint.container_variables(
            server.url("dev"), server.token)))
        job = subprocess.Popen([sys.executable, str(CLIENT), "rounds", str(CALLS)],
                               env=child_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        assert job.stdin is not None and job.stdout is not None
        keys: list[str] = []
        try:
            for round_ in range(ROUNDS):
                if round_:
                    emu.advance_clock(LIFETIME + 1)  # every key handed out so far has expired
                job.stdin.write("go\n")
                job.stdin.flush()
                calls = json.loads(job.stdout.readline())
                assert isinstance(calls, list), calls  # else {"error": ...}
                assert all(c["account"] == ACCOUNT for c in calls), calls
                assert len({c["key"] for c in calls}) == 1  # one key per role session
                keys.append(calls[0]["key"])
                assert signed.grc() == round_ + 1  # one fetch per renewal...
        finally:
            job.stdin.close()
            job.wait(timeout=60)
    assert len(set(keys)) == ROUNDS
    assert signed.count("GetCallerIdentity") == ROUNDS * CALLS
    assert server.served >= ROUNDS * CALLS > ROUNDS  # ...not one per request
