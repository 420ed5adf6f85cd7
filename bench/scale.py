"""Large organisations (issue #15): 5,000 accounts × 3 roles beside a 10-profile config.

Both worlds are sandboxes (emulator, isolated home, signed in, synced without
throttling so set-up stays short); every command runs against each in the same
run, interleaved, so the "× small" column compares like with like. The
throttled sync of the 5,000 accounts is a separate, optional measure
(``sync_throttled``: 5,050 portal calls at 20 requests/s, over 4 minutes).

Run alone for a diagnosis: ``python bench/scale.py [--runs N] [--accounts N]``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import prompt  # noqa: E402
from firstscreen import first_screen  # noqa: E402
from procs import compare, peak_rss_kib, run_once  # noqa: E402
from stats import Figure, fmt_num  # noqa: E402
from world import with_path  # noqa: E402

from awsenv.emulator import Directory  # noqa: E402
from awsenv.paths import awsenv_command  # noqa: E402
from awsenv.sandbox import Sandbox  # noqa: E402

BIG = (5000, 3)
SMALL = (5, 2)  # 10 profiles

USE_LOOP = r"""
eval "$({awsenv} init bash)"
cd {cwd}
eval "$PROMPT_COMMAND"
awsenv use {args} >/dev/null 2>&1 || exit 8
s=$EPOCHREALTIME
for ((i=0;i<{n};i++)); do awsenv use {args} >/dev/null 2>&1 || exit 9; done
e=$EPOCHREALTIME
echo $(( ${{e/./}} - ${{s/./}} ))
"""

# botocore's own loader, as the AWS CLI and every SDK call reads the config.
BOTOCORE_LOAD = ("import time, botocore.session as b; t=time.perf_counter(); "
                 "n=len(b.Session().full_config['profiles']); "
                 "print(n, (time.perf_counter()-t)*1000)")


def sign_in(box: Sandbox) -> None:
    """The sandbox's configure and login steps (its own set-up would also sync)."""
    for step in (("configure", "--start-url", box.emulator.start_url, "--sso-region",
                  box.emulator.region, "--session", "sandbox"),
                 ("login", "--session", "sandbox", "--use-device-code")):
        proc = box.awsenv(*step)
        assert proc.returncode == 0, proc.stderr[-400:]


@contextlib.contextmanager
def world(accounts: int, roles: int) -> Iterator[dict[str, object]]:
    """A signed-in, synced sandbox; a profile near the config's end, warm; two trees."""
    with Sandbox(directory=Directory.generate(accounts=accounts, roles=roles)) as box:
        env = with_path(box.env)
        box.env = env
        sign_in(box)
        # Set-up only: the emulator is unthrottled here, so the client's own rate limit
        # (AWSENV_TPS, 20 by default) is lifted to keep 5,000 accounts to seconds.
        proc = subprocess.run([*awsenv_command(), "sync", "--session", "sandbox"],
                              env={**env, "AWSENV_TPS": "1000"}, capture_output=True,
                              text=True, timeout=1800, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr[-400:]
        from awsenv.awsconfig import names

        config = env["AWS_CONFIG_FILE"]
        profiles = names.profile_names(config)
        profile = profiles[-2]  # near the end: a scan cannot stop early
        for args in (("credential-process", "--profile", profile),):
            proc = box.awsenv(*args)
            assert proc.returncode == 0, proc.stderr
        trees = {}
        for name in ("proj-a", "proj-b"):
            d = box.home / "scale" / name
            (d / "sub").mkdir(parents=True, exist_ok=True)
            (d / ".awsenv").write_text(f"profile = {profile}\n")
            assert box.awsenv("allow", str(d)).returncode == 0
            trees[name] = d
        yield {"box": box, "env": env, "profile": profile, "profiles": len(profiles),
               "trees": trees, "config_bytes": os.path.getsize(config)}


def use_loop(awsenv: str, args: str, cwd: Path, env: Mapping[str, str], runs: int,
             n: int = 10) -> Figure:
    """`awsenv use ARGS` through the shell function, as typed, ms per switch."""
    samples = []
    for _ in range(runs):
        script = USE_LOOP.format(awsenv=awsenv, args=args, cwd=cwd, n=n)
        _, out = run_once(["bash", "--norc", "--noprofile", "-c", script], env)
        samples.append(float(out.decode().split()[-1]) / n / 1000)
    return Figure(f"use {args}", tuple(samples))


def picker_screen(env: Mapping[str, str]) -> Figure:
    """`awsenv use` with no profile, as the shell function runs it (``use --emit``, stdout
    a pipe) on a pseudo-terminal: ms until the first row (the config's first profile, as
    the picker shows it with no recent choice) is on the terminal; then Esc (exit 130)."""
    from awsenv.awsconfig import names

    first = names.profile_names(env["AWS_CONFIG_FILE"])[0]
    argv = [*awsenv_command(), "use", "--emit", "--protocol", "1"]
    hook_env = {**env, "TERM": "xterm", "_AWSENV_FOUND": "", "_AWSENV_PID": "4242"}
    # The name column is cut at 32 characters: its first 24 are on the screen whole.
    ms, rc = first_screen(argv, hook_env, first[:24].encode())
    if rc != 130:
        raise RuntimeError(f"the picker left with {rc}, not 130 (Esc)")
    return Figure("picker", (ms,))


def measure(worlds: list[dict[str, object]], runs: int, prompts: int,
            only: str | None = None) -> dict[str, list[Figure]]:
    """Every figure for each world (milliseconds), each figure interleaved across worlds;
    ``only``: just the figures whose name holds that text."""
    awsenv = awsenv_command()
    exe = " ".join(awsenv)
    figs: dict[str, list[Figure]] = {}

    def each(name: str, fn: Callable[[dict[str, str], str, dict[str, Path], Path], Figure]
             ) -> None:
        if only is not None and only not in name:
            return
        got: list[list[float]] = [[] for _ in worlds]
        for _ in range(runs):
            for i, w in enumerate(worlds):
                env: dict[str, str] = w["env"]  # type: ignore[assignment]
                trees: dict[str, Path] = w["trees"]  # type: ignore[assignment]
                got[i] += fn(env, str(w["profile"]), trees, Path(env["HOME"])).samples
        figs[name] = [Figure(name, tuple(v)) for v in got]

    each("`awsenv use P --mode env` (warm)",
         lambda env, p, t, home: use_loop(exe, f"--mode env {p}", home, env, 1))
    each("`awsenv use P --mode profile` (warm)",
         lambda env, p, t, home: use_loop(exe, f"--mode profile {p}", home, env, 1))
    each("`awsenv use P` inside a trusted tree",
         lambda env, p, t, home: use_loop(exe, f"--mode profile {p}", t["proj-a"], env, 1))
    setup = {"awsenv": f'eval "$({exe} init bash)"'}
    for scenario in ("idle", "cd-within", "cd-between"):
        def prompt_fig(env: dict[str, str], p: str, t: dict[str, Path], home: Path,
                       scenario: str = scenario) -> Figure:
            a = t["proj-a"]
            b = {"idle": a, "cd-within": a / "sub", "cd-between": t["proj-b"]}[scenario]
            return prompt.measure("bash", setup, scenario, str(a), str(b), env, prompts,
                                  1)["awsenv"]
        each(f"prompt, {scenario} (bash, ms/prompt)", prompt_fig)

    def hook_fig(env: dict[str, str], p: str, t: dict[str, Path], home: Path) -> Figure:
        hook_env = {**env, "_AWSENV_FOUND": str(t["proj-a"] / ".awsenv"), "_AWSENV_PID": "4242"}
        return compare({"h": [*awsenv, "hook", "--protocol", "1", "bash"]}, hook_env, 1,
                       cwd=str(t["proj-a"]), warmup=0)["h"]
    each("hook process entering a tree", hook_fig)
    for name, argv in (("completion: `awsenv complete profiles`", ["complete", "profiles"]),
                       ("`awsenv list` (listing cache)", ["list"])):
        each(name, lambda env, p, t, home, argv=argv: compare(
            {"c": [*awsenv, *argv]}, env, 1, warmup=0)["c"])
    each("the picker's first screen (`awsenv use`, a pty)",
         lambda env, p, t, home: picker_screen(env))
    each("python -c pass (floor)", lambda env, p, t, home: compare(
        {"c": [sys.executable, "-c", "pass"]}, env, 1, warmup=0)["c"])
    return figs


# name -> (kind, limit): "ratio" big/small at most limit; "abs" big under limit ms;
# "noise" big within the small figure's noise (larger IQR, at least NOISE_MS); None: shown.
BUDGETS: dict[str, tuple[str, float] | None] = {
    "`awsenv use P --mode env` (warm)": ("ratio", 1.5),
    "`awsenv use P --mode profile` (warm)": ("ratio", 1.5),
    "`awsenv use P` inside a trusted tree": ("ratio", 1.5),
    "prompt, idle (bash, ms/prompt)": ("noise", 0),
    "prompt, cd-within (bash, ms/prompt)": ("noise", 0),
    "prompt, cd-between (bash, ms/prompt)": ("noise", 0),
    "hook process entering a tree": ("ratio", 1.5),
    "completion: `awsenv complete profiles`": ("abs", 150.0),
    "`awsenv list` (listing cache)": ("abs", 1000.0),
    "the picker's first screen (`awsenv use`, a pty)": ("abs", 150.0),
    "python -c pass (floor)": None,
}
NOISE_MS = 0.05


def holds(name: str, small: Figure, big: Figure) -> bool | None:
    budget = BUDGETS.get(name)
    if budget is None:
        return None
    kind, limit = budget
    if kind == "ratio":
        return big.median <= limit * small.median
    if kind == "abs":
        return big.median < limit
    spreads = [f.spread[1] - f.spread[0] for f in (small, big)]
    return abs(big.median - small.median) <= max(*spreads, NOISE_MS)


def budget_text(name: str) -> str:
    budget = BUDGETS.get(name)
    if budget is None:
        return "(information)"
    kind, limit = budget
    return {"ratio": f"≤ {fmt_num(limit)}× small", "abs": f"< {fmt_num(limit)} ms",
            "noise": "within noise"}[kind]


def markdown(res: dict[str, Any]) -> list[str]:
    """The "Large organisations" section of bench/results.md."""
    small, big = res["worlds"]
    lines = ["", f"## Large organisations: {big['profiles']:,} profiles "
                 f"({BIG[0]:,} accounts × {BIG[1]} roles, a {big['config_bytes'] / 1e6:.1f} MB "
                 f"config) beside {small['profiles']}", "",
             "Same commands, same run, interleaved; median (interquartile range) in ms.", "",
             f"| Measure | {small['profiles']} profiles | {big['profiles']:,} profiles "
             "| × small | budget | holds |", "|---|---|---|---|---|---|"]
    for name, (s, g) in res["figures"].items():
        ok = holds(name, s, g)
        ratio = f"{fmt_num(g.median / s.median)}×" if s.median else "–"
        cells = [f.fmt("").replace("  ", " ") for f in (s, g)]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | {ratio} | {budget_text(name)} "
                     f"| {'' if ok is None else 'yes' if ok else '**no**'} |")
    count, ms = res["botocore"]
    rc, cli_ms, err = res["aws_cli"]
    lines += ["", f"botocore's loader reads all {count:,} profiles in {fmt_num(ms)} ms "
                  f"(no parse error); `aws configure get region --profile P` (AWS CLI v1): "
                  f"exit {rc}, {fmt_num(cli_ms)} ms{' ' + err if err else ''}."]
    lines += ["", f"Peak RSS of `awsenv list` on the large config: {res['list_rss_kib']} KiB."]
    lines += ["", "In-process costs on the large config (best of 3, ms):", ""]
    lines += [f"- {k}: {fmt_num(v)}" for k, v in res["scans"].items()]
    sync = res.get("sync")
    if sync:
        floor = float(sync["floor_s"])
        ok = sync["exit"] == 0 and float(sync["wall_s"]) <= 1.1 * floor
        lines += ["", f"`awsenv sync` of {BIG[0]:,} accounts, emulator at 20 requests/s "
                      "with throttling and 20 ms latency: "
                      f"wall {float(sync['wall_s']):.1f} s for {sync['calls']} portal calls "
                      f"(floor {floor:.1f} s: {float(sync['wall_s']) / floor:.3f}×), "
                      f"throttled {sync['throttled']}, exit {sync['exit']}, peak RSS "
                      f"{sync['peak_rss_kib']} KiB. Budget (exit 0, within 10 % of the "
                      f"floor): {'holds' if ok else '**does not hold**'}."]
    else:
        lines += ["", f"The throttled sync of {BIG[0]:,} accounts was not run "
                      "(`bench/run.py --scale-sync`, over 4 minutes)."]
    return lines


def all_hold(res: dict[str, Any]) -> bool:
    return all(holds(n, s, g) is not False for n, (s, g) in res["figures"].items())


def run(runs: int, prompts: int, accounts: int = BIG[0], sync: bool = False,
        only: str | None = None) -> dict[str, Any]:
    """Both worlds measured side by side (and, if asked, the throttled sync)."""
    from awsenv.shells import profileindex

    out: dict[str, Any] = {}
    with world(*SMALL) as small, world(accounts, BIG[1]) as big:
        figs = measure([small, big], runs, prompts, only)
        out["figures"] = {k: (v[0], v[1]) for k, v in figs.items()}
        out["worlds"] = [{k: w[k] for k in ("profiles", "config_bytes")} for w in (small, big)]
        benv: dict[str, str] = big["env"]  # type: ignore[assignment]
        out["botocore"] = botocore_load(benv)
        out["aws_cli"] = aws_cli(benv, str(big["profile"]))
        directory, config = profileindex.location(benv)
        out["scans"] = scans(config, directory)
        out["list_rss_kib"] = peak_rss_kib([*awsenv_command(), "list"], benv)
    if sync:
        out["sync"] = sync_throttled(accounts, BIG[1])
    return out


def scans(config: str, directory: str, runs: int = 3) -> dict[str, float]:
    """In-process milliseconds of what scales with the config: the scans the old paths
    made per call (names for completion and the hook; profileinfo.load twice over the
    file per `use`), the index's one-scan rebuild, and an index read."""
    from pathlib import Path

    from awsenv.awsconfig import names
    from awsenv.shells import profileindex, profileinfo

    profile = names.profile_names(config)[-2]

    def best(fn: object) -> float:
        out = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()  # type: ignore[operator]
            out.append((time.perf_counter() - t) * 1000)
        return min(out)

    return {
        "names.profile_names (old completion, hook names)": best(
            lambda: names.profile_names(config)),
        "profileinfo.load (old use/hook facts)": best(
            lambda: profileinfo.load(Path(config), profile)),
        "index rebuild (one scan + writes)": best(
            lambda: profileindex.build(directory, config)),
        "index read: one profile's facts": best(
            lambda: profileindex.read_facts(directory, config, profile)),
        "index read: all names": best(lambda: profileindex.read_names(directory, config)),
        "index read: every profile (list)": best(lambda: profileindex.load(directory, config)),
    }


def botocore_load(env: Mapping[str, str], runs: int = 3) -> tuple[int, float]:
    """(profiles botocore sees, median ms for its loader to read the whole config)."""
    times = []
    count = 0
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", BOTOCORE_LOAD], env=dict(env),
                             capture_output=True, text=True, check=True).stdout.split()
        count, ms = int(out[0]), float(out[1])
        times.append(ms)
    return count, sorted(times)[len(times) // 2]


def aws_cli(env: Mapping[str, str], profile: str) -> tuple[int, float, str]:
    """`aws configure get region --profile P` (the AWS CLI parses the whole config)."""
    start = time.perf_counter()
    proc = subprocess.run(["aws", "configure", "get", "region", "--profile", profile],
                          env=dict(env), capture_output=True, text=True, check=False)
    return proc.returncode, (time.perf_counter() - start) * 1000, proc.stderr.strip()[-200:]


def sync_throttled(accounts: int, roles: int) -> dict[str, object]:
    """`awsenv sync` of the big directory under the 20 requests/s limit, throttling on."""
    knobs = {"tps_limit": 20, "latency_ms": 20}
    with Sandbox(directory=Directory.generate(accounts=accounts, roles=roles),
                 knobs=knobs) as box:
        env = with_path(box.env)
        box.env = env
        sign_in(box)
        box.emulator.reset_counters()
        argv = [*awsenv_command(), "sync", "--session", "sandbox"]
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        counts = box.emulator.counters()
        calls = sum(v for k, v in counts.items() if k in ("ListAccounts", "ListAccountRoles"))
        return {"wall_s": wall, "calls": calls, "floor_s": calls / 20,
                "throttled": counts.get("throttled", counts.get("TooManyRequests", 0)),
                "exit": os.waitstatus_to_exitcode(status), "peak_rss_kib": usage.ru_maxrss}


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--prompts", type=int, default=200)
    ap.add_argument("--accounts", type=int, default=BIG[0])
    ap.add_argument("--sync", action="store_true", help="also the throttled sync (over 4 minutes)")
    ap.add_argument("--only", metavar="TEXT",
                    help="time only the rows whose name holds TEXT (e.g. picker)")
    args = ap.parse_args()
    res = run(args.runs, args.prompts, args.accounts, args.sync, args.only)
    print("\n".join(markdown(res)))
    return 0 if all_hold(res) else 1


if __name__ == "__main__":
    raise SystemExit(main())
