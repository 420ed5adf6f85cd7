"""Timing whole processes: wall time and peak RSS of each run, interleaved."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence

from stats import Figure


def run_once(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None,
             check: bool = True) -> tuple[float, bytes]:
    """Wall milliseconds and stdout of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    out, err = proc.communicate()
    elapsed = (time.perf_counter() - start) * 1000
    if check and proc.returncode != 0:
        why = err.decode(errors="replace")[-400:]
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {why}")
    return elapsed, out


def peak_rss_kib(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> int:
    """Peak resident set size of one run, from the kernel's accounting for that child."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            if cwd:
                os.chdir(cwd)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execvpe(argv[0], list(argv), dict(env))
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} failed while measuring memory")
    return int(usage.ru_maxrss)


def compare(commands: Mapping[str, Sequence[str]], env: Mapping[str, str], runs: int,
            cwd: str | None = None, warmup: int = 2) -> dict[str, Figure]:
    """Time each command ``runs`` times, interleaving them so drift hits all alike."""
    for _ in range(warmup):
        for argv in commands.values():
            run_once(argv, env, cwd)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(run_once(argv, env, cwd)[0])
    return {name: Figure(name, tuple(v)) for name, v in samples.items()}
