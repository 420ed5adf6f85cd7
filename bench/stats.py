"""Medians with spread, and ratios between figures measured in the same run."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured quantity: repeated samples of a cost, in milliseconds."""

    name: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        """Interquartile range (25th, 75th percentile); min/max for tiny samples."""
        s = sorted(self.samples)
        if len(s) < 4:
            return s[0], s[-1]
        q = statistics.quantiles(s, n=4)
        return q[0], q[2]

    def fmt(self, unit: str = "ms") -> str:
        lo, hi = self.spread
        return f"{fmt_num(self.median)} {unit} ({fmt_num(lo)}–{fmt_num(hi)})"


def fmt_num(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 0.1:
        return f"{x:.2f}"
    return f"{x:.4f}"


def ratio(numerator: Figure, denominator: Figure) -> float:
    """How many times ``numerator`` the ``denominator`` is (medians); inf if free."""
    if numerator.median <= 0:
        return float("inf")
    return denominator.median / numerator.median
