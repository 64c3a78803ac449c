"""Score distributions of the statistics sheets: counts per band, mean and median as the paper rounds them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BINS: tuple[tuple[str, float, float], ...] = (
    ("<60", float("-inf"), 60), ("60-69", 60, 70), ("70-79", 70, 80), ("80-89", 80, 90),
    ("90-100", 90, 100.0001), (">100", 100.0001, float("inf")),
)


@dataclass(frozen=True)
class Distribution:
    count: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    bins: tuple[tuple[str, int], ...]
    values: tuple[float, ...] = ()


def distribution(finals: Sequence[float]) -> Distribution:
    """Mean, median, extremes and counts per score band (mean and median to 2 places)."""
    values = tuple(sorted(float(v) for v in finals))
    bins = tuple((label, sum(1 for v in values if lo <= v < hi)) for label, lo, hi in BINS)
    if not values:
        return Distribution(0, None, None, None, None, bins)
    exact = [Decimal(str(v)) for v in values]
    return Distribution(len(values), _half_up(statistics.mean(exact)), _half_up(statistics.median(exact)),
                        values[0], values[-1], bins, values)


def _half_up(value: Decimal) -> float:
    """Mean and median as the paper rounds them: half up (95.725 → 95.73), not half even."""
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


