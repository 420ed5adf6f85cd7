"""Draw bench/results.png from bench/results.md (awsenv and peer medians, log scale).

Run by bench/run.py with bench/.venv's interpreter, which has matplotlib (the
project's own environment does not):
`bench/.venv/bin/python bench/plot.py [results.md results.png]`.
Reading the committed table means the picture can always be redrawn from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def medians(md: Path) -> list[tuple[str, float, float]]:
    """(measure, awsenv median, peer median) of each budget row of the main table."""
    rows = []
    for line in md.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or cells[0] in ("Measure", "---") or not cells[2]:
            continue
        try:
            ours, peer = float(cells[1].split()[0]), float(cells[2].split()[0])
        except (ValueError, IndexError):
            continue
        rows.append((cells[0], ours, peer))
    return rows


def main(md: Path = HERE / "results.md", png: Path = HERE / "results.png") -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = medians(md)
    if not rows:
        print(f"plot: no figures in {md}", file=sys.stderr)
        return 1
    y = range(len(rows))
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    ax.barh([i + 0.2 for i in y], [r[2] for r in rows], height=0.4, label="peer",
            color="#bbbbbb")
    ax.barh([i - 0.2 for i in y], [r[1] for r in rows], height=0.4, label="awsenv",
            color="#2a7ab0")
    ax.set_yticks(list(y), [r[0] for r in rows], fontsize=8)
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlabel("milliseconds (median, log scale)")
    ax.legend()
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:3])))
