"""Per-prompt and per-cd cost of shell hooks, measured inside real shells.

Each run starts one shell, installs a hook exactly as its README says, then
runs what the shell itself runs before a prompt (bash: PROMPT_COMMAND; zsh:
precmd_functions, plus chpwd_functions on cd; fish: the fish_prompt event, and
the PWD watchers on cd) N times, timing the loop with the shell's own clock.
The cost of a loop with no hook installed is subtracted.
"""

from __future__ import annotations

from collections.abc import Mapping

from procs import run_once
from stats import Figure

SCENARIOS = ("idle", "cd-within", "cd-between")

# {setup} installs the hook; {a} and {b} are the two directories a loop alternates between.
LOOPS = {
    "bash": r"""
{setup}
cd {a}
eval "$PROMPT_COMMAND"
s=$EPOCHREALTIME
for ((i=0;i<{n};i++)); do
  {step}
  eval "$PROMPT_COMMAND"
done
e=$EPOCHREALTIME
echo $(( ${{e/./}} - ${{s/./}} ))
""",
    "zsh": r"""
zmodload zsh/datetime zsh/mathfunc
{setup}
cd {a}
for f in $precmd_functions; do $f; done
s=$EPOCHREALTIME
for ((i=0;i<{n};i++)); do
  {step}
  for f in $precmd_functions; do $f; done
done
e=$EPOCHREALTIME
echo $(( int((e - s) * 1000000) ))
""",
    "fish": r"""
{setup}
cd {a}
emit fish_prompt
set -l s (date +%s%6N)
for i in (seq {n})
  {step}
  emit fish_prompt
end
set -l e (date +%s%6N)
math "$e - $s"
""",
}

STEPS = {
    # idle: nothing changes between prompts.
    "idle": {"bash": ":", "zsh": ":", "fish": "true"},
    "cd-within": {
        "bash": "if ((i%2)); then cd {a}; else cd {b}; fi",
        "zsh": "if ((i%2)); then cd {a}; else cd {b}; fi",
        "fish": "if test (math $i % 2) -eq 1; cd {a}; else; cd {b}; end",
    },
}
STEPS["cd-between"] = STEPS["cd-within"]

ARGV = {"bash": ["bash", "--norc", "--noprofile", "-c"], "zsh": ["zsh", "-f", "-c"],
        "fish": ["fish", "--no-config", "-c"]}


def script(shell: str, setup: str, scenario: str, a: str, b: str, n: int) -> str:
    step = STEPS[scenario][shell].format(a=a, b=b)
    return LOOPS[shell].format(setup=setup, step=step, a=a, n=n)


def measure(shell: str, setups: Mapping[str, str], scenario: str, a: str, b: str,
            env: Mapping[str, str], n: int, runs: int) -> dict[str, Figure]:
    """Milliseconds per prompt for each hook in ``setups``, the no-hook loop subtracted."""
    samples: dict[str, list[float]] = {name: [] for name in setups}
    base: list[float] = []
    for _ in range(runs):
        _, out = run_once([*ARGV[shell], script(shell, "", scenario, a, b, n)], env)
        base.append(float(out.decode().split()[-1]) / n / 1000)
        for name, setup in setups.items():
            _, out = run_once([*ARGV[shell], script(shell, setup, scenario, a, b, n)], env)
            samples[name].append(float(out.decode().split()[-1]) / n / 1000)
    baseline = sorted(base)[len(base) // 2]
    return {name: Figure(f"{shell} {scenario} {name}", tuple(max(x - baseline, 0.0) for x in v))
            for name, v in samples.items()}
