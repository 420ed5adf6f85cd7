"""Credential cache hit, `awsenv use` in env mode, and shell start-up cost."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from procs import compare, run_once
from stats import Figure
from world import LEGACY, tool


def cache_hit(awsenv: list[str], python: str, profile: str, env: Mapping[str, str],
              runs: int) -> dict[str, Figure]:
    """Warm `credential-process` for the same role through the same emulator."""
    return compare({
        "awsenv credential-process": [*awsenv, "credential-process", "--profile", profile],
        "aws-sso-util credential-process": [tool("aws-sso-util"), "credential-process",
                                            "--profile", LEGACY],
        "python -c pass (floor)": [python, "-c", "pass"],
    }, env, runs)


USE_LOOP = r"""
eval "$({awsenv} init bash)"
awsenv use --mode env {profile} >/dev/null 2>&1
s=$EPOCHREALTIME
for ((i=0;i<{n};i++)); do awsenv use --mode env {profile} >/dev/null 2>&1 || exit 9; done
e=$EPOCHREALTIME
echo $(( ${{e/./}} - ${{s/./}} ))
"""


def use_env(awsenv: list[str], profile: str, env: Mapping[str, str], runs: int,
            n: int = 10) -> Figure:
    """`awsenv use --mode env P` through the shell function, as a user types it."""
    samples = []
    for _ in range(runs):
        script = USE_LOOP.format(awsenv=" ".join(awsenv), profile=profile, n=n)
        _, out = run_once(["bash", "--norc", "--noprofile", "-c", script], env)
        samples.append(float(out.decode().split()[-1]) / n / 1000)
    return Figure("awsenv use --mode env", tuple(samples))


def startup(awsenv: list[str], python: str, env: Mapping[str, str], runs: int) -> dict[str, Figure]:
    """What `eval "$(awsenv init bash)"` adds to a new shell, against one interpreter start."""
    from awsenv.shells import initcache

    init = " ".join(awsenv) + " init bash"
    run_once(["bash", "--norc", "--noprofile", "-c", init], env)  # warm the cached copy
    cached = initcache.cache_file("bash", dict(env))
    figs = compare({
        "bash with awsenv init": ["bash", "--norc", "--noprofile", "-c", f'eval "$({init})"'],
        "bash sourcing the cached copy": [
            "bash", "--norc", "--noprofile", "-c",
            f'source {cached} 2>/dev/null || eval "$({init})"; type _awsenv_hook >/dev/null'],
        "bash alone": ["bash", "--norc", "--noprofile", "-c", ":"],
        "python -c pass": [python, "-c", "pass"],
    }, env, runs)
    base = figs.pop("bash alone")
    for name, label in (("bash with awsenv init", "awsenv init added to bash start"),
                        ("bash sourcing the cached copy", "cached copy added to bash start")):
        added = tuple(max(x - base.median, 0.0) for x in figs.pop(name).samples)
        figs[label] = Figure(label, added)
    return figs


def interpreter() -> str:
    return sys.executable
