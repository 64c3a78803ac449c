"""The year-end composite (seed 003 §4.6): weighted means of the year's finals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from services.scoring.domain.rounding import round_half_up
from shared.domain.template import AnnualComponent, AnnualPolicy

ZERO = Decimal(0)
# Means and redistributed weights divide; a fixed context keeps them bit-for-bit reproducible.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class ComponentResult:
    code: str
    weight_applied: Decimal  # after redistribution; 0 for a missing component
    mean: Decimal | None  # exact (unrounded); None when the component has no scores this year
    count: int
    title: str = ""
    weight: Decimal = ZERO  # as the template declares it


@dataclass(frozen=True)
class AnnualResult:
    composite: Decimal | None
    components: tuple[ComponentResult, ...]
    awards: tuple[str, ...]
    flags: tuple[str, ...]


def annual_composite(
    policy: AnnualPolicy, component_finals: Mapping[str, Sequence[Decimal]]
) -> AnnualResult:
    """A = Σ weight_k × mean(finals_k) over the components that have finals.

    A component without finals is missing: its weight goes to the present ones in
    proportion to their own weights (flagged). Nothing at all gives composite None.
    """
    means = {c.code: _mean(component_finals.get(c.code, ())) for c in policy.components}
    present = [c for c in policy.components if means[c.code] is not None]
    total = sum((c.weight for c in present), ZERO)
    missing = [f"component_missing:{c.code}" for c in policy.components if c not in present]
    if total <= 0:
        parts = tuple(_part(c, ZERO, None, component_finals) for c in policy.components)
        return AnnualResult(None, parts, (), tuple(missing) + ("no_data",))
    weights = {c.code: _CONTEXT.divide(c.weight, total) for c in present}
    parts = tuple(
        _part(c, weights.get(c.code, ZERO), means[c.code], component_finals)
        for c in policy.components
    )
    raw = sum((_CONTEXT.multiply(c.weight, means[c.code] or ZERO) for c in present), ZERO)
    # Rounded once, from the exact means (SPEC §4): a sheet prints each mean rounded from the
    # same exact value, so a sheet with the monthly component alone shows 月均 == A.
    composite = round_half_up(_CONTEXT.divide(raw, total), 2)
    flags = tuple(missing) + (("weights_redistributed",) if missing else ())
    awards = ("excellent",) if composite > policy.excellent_above else ()
    return AnnualResult(composite, parts, awards, flags)


def annual_result_to_dict(r: AnnualResult) -> dict[str, Any]:
    """JSON for `/api/v1/annual/{employee_no}/{year}` (numbers as floats)."""
    return {
        "composite": None if r.composite is None else float(r.composite),
        "components": [
            {"code": c.code, "title": c.title, "weight": float(c.weight),
             "weight_applied": float(c.weight_applied),
             "mean": None if c.mean is None else float(round_half_up(c.mean, 2)),
             "count": c.count}
            for c in r.components
        ],
        "awards": list(r.awards),
        "flags": list(r.flags),
    }


def _mean(finals: Sequence[Decimal]) -> Decimal | None:
    if not finals:
        return None
    return _CONTEXT.divide(sum(finals, ZERO), Decimal(len(finals)))


def _part(
    c: AnnualComponent, weight: Decimal, mean: Decimal | None, finals: Mapping[str, Sequence[Decimal]]
) -> ComponentResult:
    return ComponentResult(c.code, weight, mean, len(finals.get(c.code, ())), c.title, c.weight)
