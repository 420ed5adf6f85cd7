"""The results table (Markdown) and plot (PNG)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from stats import Figure, fmt_num, ratio


@dataclass
class Row:
    what: str
    ours: Figure
    peer: Figure
    budget: float | None  # required peer/ours ratio; None: shown for information
    unit: str
    peer_name: str
    floor: Figure | None = None
    # Most ours may cost, in floors (issue #19: one interpreter start is the least any
    # Python tool pays, so the budget is what awsenv adds above it); None: shown only.
    floor_budget: float | None = None
    floor_name: str = "python -c pass"

    @property
    def ratio(self) -> float:
        return ratio(self.ours, self.peer)

    @property
    def over_floor(self) -> float | None:
        return None if self.floor is None else self.ours.median / self.floor.median

    @property
    def floor_holds(self) -> bool:
        return self.floor_budget is None or (self.over_floor or 0.0) <= self.floor_budget

    @property
    def holds(self) -> bool:
        return (self.budget is None or self.ratio >= self.budget) and self.floor_holds


@dataclass
class Results:
    machine: str
    date: dt.datetime
    rows: list[Row] = field(default_factory=list)
    memory: dict[str, int] = field(default_factory=dict)
    sync_rows: list[dict[str, object]] = field(default_factory=list)
    sync_accounts: int = 0
    scale: dict[str, object] | None = None  # bench/scale.py's run (large organisations)

    def add_pair(self, what: str, ours: Figure, peer: Figure, *, peer_name: str,
                 budget: float | None, unit: str, floor: Figure | None = None,
                 floor_budget: float | None = None, floor_name: str = "python -c pass"
                 ) -> None:
        self.rows.append(Row(what, ours, peer, budget, unit, peer_name, floor, floor_budget,
                             floor_name))

    def sync_holds(self) -> bool:
        """Budget 6: awsenv sync exits 0 and beats aws-sso-util's wall time."""
        ours = [r for r in self.sync_rows if r["tool"] == "awsenv sync"]
        peers = [r for r in self.sync_rows if r["tool"] != "awsenv sync"]
        if not ours:
            return True  # not measured (--skip-sync)
        return (all(r["exit"] == 0 for r in ours)
                and all(float(o["wall_s"]) < float(p["wall_s"])  # type: ignore[arg-type]
                        for o in ours for p in peers))

    def all_budgets_hold(self) -> bool:
        import scale

        return (all(r.holds for r in self.rows) and self.sync_holds()
                and (self.scale is None or scale.all_hold(self.scale)))


def write(res: Results, md: Path, png: Path) -> None:
    lines = [
        "# awsenv benchmarks",
        "",
        f"Measured {res.date:%Y-%m-%d %H:%M} UTC on {res.machine}.",
        "Each figure: median (interquartile range) over repeated runs; peers measured in the same",
        "run on the same machine. Ratio = peer / awsenv (higher is better for awsenv).",
        "",
        "| Measure | awsenv | peer | peer is | ratio | budget | holds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in res.rows:
        ratio_text = "∞ (no measurable cost)" if r.ours.median == 0 else f"{fmt_num(r.ratio)}×"
        if r.budget is None:
            budget, holds = "(information)", ""
        else:
            peer_ok = r.ratio >= r.budget
            budget, holds = f"≥ {fmt_num(r.budget)}×", "yes" if peer_ok else "**no**"
        lines.append(f"| {r.what} | {r.ours.fmt(r.unit)} | {r.peer.fmt(r.unit)} | "
                     f"{r.peer_name} | {ratio_text} | {budget} | {holds} |")
        if r.floor is not None and r.over_floor is not None:
            fb, fh = ("", "") if r.floor_budget is None else (
                f"≤ {fmt_num(r.floor_budget)}× the floor", "yes" if r.floor_holds else "**no**")
            lines.append(f"| ↳ floor: {r.floor_name} | {r.floor.fmt(r.unit)} | | | "
                         f"{fmt_num(r.over_floor)}× the floor | {fb} | {fh} |")
    if res.sync_rows:
        lines += ["", f"## sync: {res.sync_accounts} accounts × 3 roles, 20 ms latency, "
                      "20 TPS limit", "",
                  "| Tool | wall (s) | portal calls | throttled | exit | error |",
                  "|---|---|---|---|---|---|"]
        for s in res.sync_rows:
            error = str(s["error"]).replace("|", "/")
            lines.append(f"| {s['tool']} | {float(s['wall_s']):.1f} | {s['calls']} "
                         f"| {s['throttled']} | {s['exit']} | {error} |")
        lines += ["", "Budget: zero failures and faster than aws-sso-util: "
                  + ("holds." if res.sync_holds() else "**does not hold**.")]
    if res.scale is not None:
        import scale

        lines += scale.markdown(res.scale)
    if res.memory:
        lines += ["", "## Peak RSS", "", "| Run | KiB |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in res.memory.items()]
    md.write_text("\n".join(lines) + "\n")
    _plot(md, png)


def _plot(md: Path, png: Path) -> None:
    """bench/plot.py under bench/.venv (matplotlib lives there, not in the project's venv)."""
    import subprocess
    import sys

    here = Path(__file__).resolve().parent
    python = here / ".venv" / "bin" / "python"
    exe = str(python) if python.exists() else sys.executable
    res = subprocess.run([exe, str(here / "plot.py"), str(md), str(png)], check=False)
    if res.returncode != 0 or not png.exists():
        print("bench: results.png not drawn (needs matplotlib in bench/.venv)", file=sys.stderr)
