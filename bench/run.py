"""Run every benchmark and write bench/results.md and bench/results.png.

Usage: `make bench` (sets up bench/.venv with the peers) or
`python bench/run.py [--quick]`. Each figure is a median over repeated runs
with its interquartile spread, and a ratio against the peer measured in the
same run on the same machine; budgets come from issue "Benchmarks".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import creds  # noqa: E402
import prompt  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402
import sync  # noqa: E402
import world  # noqa: E402
from procs import peak_rss_kib  # noqa: E402

from awsenv.emulator import Directory  # noqa: E402
from awsenv.paths import awsenv_command  # noqa: E402
from awsenv.sandbox import Sandbox  # noqa: E402

PROFILE = "dev-developer"


def hooks(awsenv: str, shell: str) -> dict[str, str]:
    if shell == "fish":
        return {"awsenv": f"{awsenv} init fish | source", "direnv": "direnv hook fish | source"}
    return {"awsenv": f'eval "$({awsenv} init {shell})"',
            "direnv": f'eval "$(direnv hook {shell})"'}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer runs, 100-account sync")
    ap.add_argument("--skip-sync", action="store_true")
    ap.add_argument("--skip-scale", action="store_true",
                    help="no large-organisation rows (5,000 accounts x 3 roles)")
    ap.add_argument("--scale-sync", action="store_true",
                    help="also sync the 5,000 accounts at 20 requests/s (over 4 minutes)")
    ap.add_argument("--runs", type=int, help="repeated runs per figure (default 15, quick 5)")
    args = ap.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    prompts = 200 if args.quick else 1000
    awsenv = awsenv_command()
    exe = " ".join(awsenv)
    results = report.Results(machine=machine(), date=dt.datetime.now(dt.timezone.utc))

    world.compile_like_pip()
    with Sandbox() as box:
        assert all(s.ok for s in box.setup()), "sandbox set-up failed"
        env = world.with_path(box.env)
        box.env = env
        dirs = world.prepare(box, PROFILE)
        a, b = str(dirs["proj-a"]), str(dirs["proj-b"])
        within = str(dirs["proj-a"] / "sub" / "deeper")
        for shell in ("bash", "zsh", "fish"):
            for scenario, (x, y) in {"idle": (a, a), "cd-within": (a, within),
                                     "cd-between": (a, b)}.items():
                figs = prompt.measure(shell, hooks(exe, shell), scenario, x, y, env, prompts, runs)
                results.add_pair(f"{scenario} ({shell})", figs["awsenv"], figs["direnv"],
                                 peer_name="direnv", budget=10.0, unit="ms/prompt")
        hit = creds.cache_hit(awsenv, creds.interpreter(), PROFILE, env, runs * 2)
        results.add_pair("credential cache hit", hit["awsenv credential-process"],
                         hit["aws-sso-util credential-process"], peer_name="aws-sso-util",
                         budget=10.0, unit="ms", floor=hit["python -c pass (floor)"],
                         floor_budget=1.15)
        use = creds.use_loops(awsenv, creds.interpreter(), PROFILE, str(box.home), env, runs)
        for mode, limit in (("env", 1.3), ("profile", 1.3)):
            results.add_pair(f"awsenv use --mode {mode} (warm)", use[f"awsenv use --mode {mode}"],
                             hit["aws-sso-util credential-process"], peer_name="aws-sso-util",
                             budget=10.0, unit="ms", floor=use[creds.USE_FLOOR],
                             floor_budget=limit, floor_name="bash runs `$(python -c pass)`")
        fast = creds.fast_paths(awsenv, creds.interpreter(), a, env, runs * 2)
        results.add_pair("hook process: `cd` into a trusted tree",
                         fast["awsenv hook (cd into a trusted tree)"],
                         fast["direnv export bash (cd into an allowed tree)"],
                         peer_name="direnv export", budget=None, unit="ms",
                         floor=fast["python -c pass (floor)"], floor_budget=1.15)
        results.add_pair("completion: `awsenv complete profiles`",
                         fast["awsenv complete profiles"], fast["python -c pass (floor)"],
                         peer_name="python -c pass", budget=None, unit="ms",
                         floor=fast["python -c pass (floor)"], floor_budget=1.15)
        start = creds.startup(awsenv, creds.interpreter(), env, runs * 2)
        results.add_pair("shell start-up: eval \"$(awsenv init bash)\"",
                         start["awsenv init added to bash start"], start["python -c pass"],
                         peer_name="python -c pass", budget=None, unit="ms")
        results.add_pair("shell start-up: source the cached copy (README)",
                         start["cached copy added to bash start"], start["python -c pass"],
                         peer_name="python -c pass", budget=1.0, unit="ms")
        results.memory["credential-process hit"] = peak_rss_kib(
            [*awsenv, "credential-process", "--profile", PROFILE], env)

    # The rows that need a quiet machine first; the sync below mostly waits on the
    # emulator's rate limit (20 requests/s), so load on the machine barely moves it.
    if not args.skip_scale:
        results.scale = scale.run(runs, 100 if args.quick else 300, sync=args.scale_sync)

    if not args.skip_sync:
        accounts = 100 if args.quick else 1000
        with Sandbox(directory=Directory.generate(accounts=accounts, roles=3),
                     knobs={"latency_ms": 20, "tps_limit": 20}) as big:
            steps = big.setup()  # includes one awsenv sync (also warms nothing relevant)
            assert all(s.ok for s in steps[:2]), "sandbox sign-in failed"
            env = world.with_path(big.env)
            big.env = env
            results.sync_rows = sync.run(big, awsenv)
            results.sync_accounts = accounts
            results.memory[f"sync of {accounts} accounts"] = peak_rss_kib(
                [*awsenv, "sync", "--session", "sandbox"], env)

    report.write(results, HERE / "results.md", HERE / "results.png")
    print((HERE / "results.md").read_text())
    return 0 if results.all_budgets_hold() else 1


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for cmd in (["bash", "--version"], ["zsh", "--version"], ["fish", "--version"],
                ["direnv", "version"], [world.tool("aws-sso-util"), "--version"]):
        prefix = {"direnv": "direnv ", "bash": "", "zsh": "", "fish": ""}.get(cmd[0],
                                                                          "aws-sso-util ")
        try:
            out = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
            versions.append(prefix + out.strip())
        except (OSError, IndexError):
            versions.append(f"{cmd[0]}: missing")
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
            f"Python {platform.python_version()}; " + "; ".join(versions))


if __name__ == "__main__":
    raise SystemExit(main())
