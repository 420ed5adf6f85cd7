"""Credential cache hit, `awsenv use`, the hook and completion, and shell start-up cost."""

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
cd {cwd}
{warm} >/dev/null 2>&1
s=$EPOCHREALTIME
for ((i=0;i<{n};i++)); do {command} >/dev/null 2>&1 || exit 9; done
e=$EPOCHREALTIME
echo $(( ${{e/./}} - ${{s/./}} ))
"""

USE_FLOOR = "floor: bash runs `$(python -c pass)`"


def use_loops(awsenv: list[str], python: str, profile: str, cwd: str, env: Mapping[str, str],
              runs: int, n: int = 10) -> dict[str, Figure]:
    """`awsenv use P` in both modes through the shell function, as a user types it, and
    the same loop running one interpreter in a command substitution (what any Python
    tool answering a shell function costs at least); interleaved run by run."""
    commands = {"awsenv use --mode env": f"awsenv use --mode env {profile}",
                "awsenv use --mode profile": f"awsenv use --mode profile {profile}",
                USE_FLOOR: f'x=$({python} -c pass)'}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            script = USE_LOOP.format(awsenv=" ".join(awsenv), cwd=cwd, n=n, command=command,
                                     warm=command)
            _, out = run_once(["bash", "--norc", "--noprofile", "-c", script], env)
            samples[name].append(float(out.decode().split()[-1]) / n / 1000)
    return {name: Figure(name, tuple(v)) for name, v in samples.items()}


def fast_paths(awsenv: list[str], python: str, tree: str, env: Mapping[str, str], runs: int
               ) -> dict[str, Figure]:
    """The processes a shell starts between commands: the hook answering a `cd` into a
    trusted tree (run as the bash hook runs it), direnv's answer to the same `cd`, and
    `awsenv complete profiles` (a TAB), against one interpreter start."""
    hook_env = {**env, "_AWSENV_FOUND": f"{tree}/.awsenv", "_AWSENV_PID": "4242",
                "_AWSENV_REASON": "dir"}
    return compare({
        "awsenv hook (cd into a trusted tree)": [*awsenv, "hook", "--protocol", "1", "bash"],
        "direnv export bash (cd into an allowed tree)": ["direnv", "export", "bash"],
        "awsenv complete profiles": [*awsenv, "complete", "profiles"],
        "python -c pass (floor)": [python, "-c", "pass"],
    }, hook_env, runs, cwd=tree)


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
