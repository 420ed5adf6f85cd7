"""The prompt hook's own inputs, mangled: it must still answer, never crash the prompt.

The shell hands the hook its unexported state (``_AWSENV_STATE``, a JSON
identity stack), the `.awsenv` it found, its pid and a reason. A shell
from another awsenv version, a user who pasted something into those
variables, or a truncated value must read as "nothing set", not a traceback
at every prompt.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.world import AWSENV

from awsenv.environment import Environment
from awsenv.errors import AwsenvError
from awsenv.shells import hook, records

CONFIG = "[profile dev]\nregion = eu-west-1\n"

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
layer_keys = ["kind", "tree", "profile", "mode", "region", "prev", "set", "refresh_at",
              "pending"]
layers = st.fixed_dictionaries({}, optional={k: json_values for k in layer_keys})
# Environment values never hold NUL.
states = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=200),
    json_values.map(json.dumps),
    st.lists(layers, max_size=3).map(lambda ls: json.dumps({"v": 1, "layers": ls})),
)


@pytest.fixture
def env_base(isolated_home: Path) -> dict[str, str]:
    cfg = Path(os.environ["AWS_CONFIG_FILE"])
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(CONFIG)
    return dict(os.environ)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=states, found=st.sampled_from(["", "/nonexistent/.awsenv", "relative/.awsenv", "/"]),
       pid=st.sampled_from(["", "1", "../../etc", "-5", "99999999999999999999"]),
       reason=st.sampled_from(["", "refresh", "x"]))
def test_mangled_hook_state_never_crashes(env_base: dict[str, str], state: str, found: str,
                                          pid: str, reason: str) -> None:
    environ = {**env_base, "_AWSENV_STATE": state, "_AWSENV_FOUND": found,
               "_AWSENV_PID": pid, "_AWSENV_REASON": reason}
    env = Environment(environ=environ)
    try:
        recs = hook.hook(env)
    except AwsenvError:
        return
    records.parse(recs.finish(0))  # the answer is well-formed records
    assert env.paths is not None
    runtime = os.path.realpath(env.paths.runtime_dir)
    for dirpath, _dirs, files in os.walk(runtime):
        for f in files:  # nothing written outside awsenv's own runtime dir
            assert os.path.realpath(os.path.join(dirpath, f)).startswith(runtime)


def test_mangled_state_through_the_real_hook_process(env_base: dict[str, str]) -> None:
    bad = json.dumps({"v": 1, "layers": [{"kind": "use", "tree": None, "profile": "dev",
                                          "mode": "profile", "refresh_at": "soon",
                                          "pending": 5, "prev": [], "set": "x"}]})
    proc = subprocess.run([*AWSENV, "hook", "--protocol", str(records.PROTOCOL), "bash"],
                          env={**env_base, "_AWSENV_STATE": bad, "_AWSENV_FOUND": "",
                               "_AWSENV_PID": "1"},
                          capture_output=True, timeout=60, check=False)
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
