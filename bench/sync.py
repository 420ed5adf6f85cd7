"""1,000 accounts x 3 roles, 20 ms latency, throttling on: awsenv sync vs aws-sso-util populate."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping

from world import tool

from awsenv.sandbox import Sandbox


def run(box: Sandbox, awsenv: list[str]) -> list[dict[str, object]]:
    rows = []
    env: Mapping[str, str] = box.env
    tools = {
        "awsenv sync": [*awsenv, "sync", "--session", "sandbox"],
        "aws-sso-util configure populate": [
            tool("aws-sso-util"), "configure", "populate",
            "--sso-start-url", box.emulator.start_url, "--sso-region", box.emulator.region,
            "--region", box.emulator.region],
    }
    for name, argv in tools.items():
        box.emulator.reset_counters()
        start = time.perf_counter()
        proc = subprocess.run(argv, env=dict(env), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=3600)
        wall = time.perf_counter() - start
        counts = box.emulator.counters()
        calls = sum(v for k, v in counts.items() if k in ("ListAccounts", "ListAccountRoles"))
        throttled = counts.get("throttled", counts.get("TooManyRequests", 0))
        rows.append({"tool": name, "wall_s": wall, "calls": calls, "throttled": throttled,
                     "exit": proc.returncode,
                     "error": "" if proc.returncode == 0 else proc.stderr.strip()[-200:]})
    return rows
